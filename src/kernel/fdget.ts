// fdget/fdput: a syscall holds its own reference to the open file it works
// on for as long as it runs, so close(fd) in another thread that shares the
// fd table only removes the fd: the file (a socket, a pipe end) stays alive
// until the call returns, and the call completes normally. Like Linux's
// __fget_light, no reference is taken while the table has a single user,
// since then nothing but the caller itself could close the fd.
import type { OpenFile } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { Task } from './task.ts';

/** The file at `fd` (undefined if none), held by the running syscall of `t` until it ends. */
export function fdget(t: Task, fd: number): OpenFile | undefined {
  const f = t.fds.get(fd);
  if (f && t.fds.users > 1) t.held.push(f.get());
  return f;
}

/**
 * The planted variant (bug 'fdget-no-ref'): the file at `fd` without a
 * reference. A call that sleeps and then uses it works on a file that a
 * concurrent close may already have released.
 */
export function fdgetUnheld(t: Task, fd: number): OpenFile | undefined {
  return t.fds.get(fd);
}

/** Holds `f` for the rest of the running syscall (poll_get_entry: a poll table entry's file reference). */
export function holdForCall(t: Task, f: OpenFile): void {
  if (t.fds.users > 1) t.held.push(f.get());
}

/** fdput of everything the finished (or abandoned) syscall of `t` held. */
export function fdputAll(t: Task): void {
  const held = t.held;
  if (held.length === 0) return;
  t.held = [];
  for (const f of held) f.put();
}

/** Counts the syscall-held references for the invariant check. */
export function registerFdget(k: Kernel): void {
  k.refHolders.push(function* () {
    for (const t of k.tasks.values()) yield* t.held;
  });
}
