// clone's flag checks (Linux copy_process) and the sharing rules of threads:
// a CLONE_FILES table is one object with one reference per fd however many
// tasks use it, counted once by the invariant check; fork still copies.
import { describe, expect, it } from 'vitest';
import { O_RDONLY } from '../../src/kernel/abi.ts';
import { bootKernel } from '../../src/kernel/boot.ts';
import { SyscallArgs, type UserContext } from '../../src/kernel/context.ts';
import { EINVAL, ENOSYS } from '../../src/kernel/errno.ts';
import { InvariantViolation } from '../../src/kernel/kernel.ts';
import { ConsoleFile } from '../../src/kernel/console.ts';
import {
  CLONE_CHILD_CLEARTID, CLONE_FILES, CLONE_FS, CLONE_PARENT_SETTID, CLONE_SETTLS, CLONE_SIGHAND, CLONE_SYSVSEM, CLONE_THREAD,
  CLONE_VM, cloneFlagsError,
} from '../../src/kernel/syscalls/proc.ts';
import type { Task } from '../../src/kernel/task.ts';
import { Rng } from '../../src/sched/rng.ts';
import { Scheduler } from '../../src/sched/scheduler.ts';
import { makeStrategy } from '../../src/script/runner.ts';
import { eq, runOk } from './harness.ts';

const PTHREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
  CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
const CLONE_NEWNS = 0x20000;

describe('clone flag validation', () => {
  it('follows copy_process', () => {
    expect(cloneFlagsError(PTHREAD_FLAGS)).toBe(0);
    expect(cloneFlagsError(17 /* SIGCHLD: fork */)).toBe(0);
    expect(cloneFlagsError(CLONE_VM)).toBe(0);
    expect(cloneFlagsError(CLONE_THREAD)).toBe(-EINVAL); // CLONE_THREAD needs CLONE_SIGHAND
    expect(cloneFlagsError(CLONE_THREAD | CLONE_SIGHAND)).toBe(-EINVAL); // CLONE_SIGHAND needs CLONE_VM
    expect(cloneFlagsError(CLONE_SIGHAND)).toBe(-EINVAL);
    expect(cloneFlagsError(CLONE_THREAD | CLONE_VM)).toBe(-EINVAL);
    expect(cloneFlagsError(CLONE_NEWNS | CLONE_FS)).toBe(-EINVAL);
  });

  it('the syscall checks the combination before anything else; a raw clone(CLONE_VM) from a script is ENOSYS (sys.thread makes threads)', () => {
    runOk(function* (sys) {
      eq(yield* sys.syscall(220, CLONE_THREAD | CLONE_SIGHAND, 0, 0, 0, 0), -EINVAL, 'THREAD|SIGHAND without VM');
      eq(yield* sys.syscall(220, CLONE_SIGHAND | 17, 0, 0, 0, 0), -EINVAL, 'SIGHAND without VM');
      eq(yield* sys.syscall(220, PTHREAD_FLAGS, 0, 0, 0, 0), -ENOSYS, 'a script has no thread entry point');
      eq(yield* sys.syscall(435, 0, 8), -EINVAL, 'clone3 with a struct smaller than CLONE_ARGS_SIZE_VER0');
    });
  });
});

/** A user side that never runs (the test drives the kernel directly) but can make threads. */
function stubContext(): UserContext {
  const ctx: UserContext = {
    args: new SyscallArgs(),
    lastTicks: 0,
    resume: () => ({ kind: 'exit', code: 0 }),
    fork: () => -ENOSYS,
    thread: () => stubContext(),
  };
  return ctx;
}

function boot() {
  const rng = new Rng(1);
  const sched = new Scheduler({ strategy: makeStrategy('random', rng.fork('sched'), { seed: 1 }) });
  const k = bootKernel(sched, rng.fork('kernel'), { checkInvariants: true });
  const leader = k.spawn('p', () => stubContext());
  return { k, leader };
}

describe('fd table sharing', () => {
  it('CLONE_FILES shares one table, counted once by the invariant check; threads share the process', () => {
    const { k, leader } = boot();
    const fd = leader.fds.install(k.files.open(new ConsoleFile(k.console, 'stdin'), O_RDONLY), false);
    const a = k.cloneVm(leader, PTHREAD_FLAGS, 0, 0x1234) as Task;
    const b = k.cloneVm(a, PTHREAD_FLAGS, 0, null) as Task;
    expect(a.fds).toBe(leader.fds);
    expect(b.fds).toBe(leader.fds);
    expect(b.mm).toBe(leader.mm);
    expect(leader.fds.users).toBe(3);
    expect(leader.fds.get(fd)!.refs).toBe(1);
    expect(() => k.check()).not.toThrow();
    expect([a.tgid, b.tgid]).toEqual([leader.pid, leader.pid]);
    expect(b.label).toBe(`pid ${leader.pid} (p) thread ${b.pid}`);
    // cwd/umask (CLONE_FS) and dispositions (CLONE_SIGHAND) are the same objects
    b.umask = 0o077;
    expect(leader.umask).toBe(0o077);
    expect(a.sig.actions).toBe(leader.sig.actions);

    // A thread closing an fd closes it for every thread.
    a.fds.remove(fd)!.put();
    expect(leader.fds.get(fd)).toBeUndefined();
    expect(() => k.check()).not.toThrow();

    // A thread's exit drops its use of the table; the files stay open for the rest.
    k.exitThread(b, 0);
    expect(leader.fds.users).toBe(2);
    expect(leader.fds.get(0)).toBeDefined();
    expect(k.exits).toEqual([]);
    expect(() => k.check()).not.toThrow();

    // A wrong user count is caught.
    leader.fds.users++;
    expect(() => k.check()).toThrow(InvariantViolation);
    leader.fds.users--;

    // The leader leaving first does not end the process; the last thread does.
    k.exitThread(leader, 5 << 8);
    expect(k.exits).toEqual([]);
    expect(leader.fds.get(0)).toBeDefined();
    k.exitThread(a, 0);
    expect(k.exits.map((e) => [e.pid, e.describe])).toEqual([[leader.pid, 'exit 5']]);
    expect(k.files.live.size).toBe(0);
    expect(() => k.check()).not.toThrow();
  });

  it('without CLONE_FILES the new task gets a copy, as fork does', () => {
    const { k, leader } = boot();
    const c = k.cloneVm(leader, CLONE_VM, 0, null) as Task;
    expect(c.fds).not.toBe(leader.fds);
    expect(c.tgid).toBe(c.pid);
    expect(leader.fds.get(1)!.refs).toBe(2);
    expect(() => k.check()).not.toThrow();
    k.exitTask(c, 0);
    expect(leader.fds.get(1)!.refs).toBe(1);
    expect(leader.mm.pageCount >= 0).toBe(true);
    expect(() => k.check()).not.toThrow();
  });

  it('exit_group ends every thread of the group and records one exit', () => {
    const { k, leader } = boot();
    const a = k.cloneVm(leader, PTHREAD_FLAGS, 0, null) as Task;
    k.exitTask(a, 9 << 8);
    expect(a.state).toBe('exited');
    expect(leader.state).not.toBe('exited');
    expect(k.exits).toEqual([]);
    leader.step(); // its next scheduling point
    expect(leader.state).toBe('exited');
    expect(k.exits.map((e) => e.describe)).toEqual(['exit 9']);
  });
});
