// waitid(2), as kernel/exit.c has it (kernel_waitid, do_wait): wait for a
// child chosen by pid, process group, pidfd or none, optionally leaving it
// a zombie (WNOWAIT), and report it in a siginfo_t rather than a status
// word. Go's os/exec waits with waitid(P_PID, pid, WEXITED|WNOWAIT) before
// wait4. Stopped and continued children are not modelled (there is no
// job control), so WSTOPPED and WCONTINUED are accepted and never match.
import { O_NONBLOCK, SIGCHLD, WNOHANG, __WALL, __WCLONE } from '../abi.ts';
import { EBADF, ECHILD, EFAULT, EINVAL } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import { PidFd } from '../pidfd.ts';
import type { SyscallGen } from '../syscall.ts';
import type { Task } from '../task.ts';
import { copyToUser, StructWriter } from '../uaccess.ts';
import { sleepOn } from '../wait.ts';

const P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;
const WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000, __WNOTHREAD = 0x20000000;
const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;
/** sizeof(siginfo_t) and sizeof(struct rusage) on riscv64 */
const SIGINFO_SIZE = 128, RUSAGE_SIZE = 144;
/** the one process group there is (no setpgid): led by pid 1, as kill(2) sees it */
const THE_PGRP = 1;

/** What waitid writes: si_signo 0 and the rest 0 when WNOHANG found no child ready. */
function siginfo(child: Task | null): Uint8Array {
  const w = new StructWriter(SIGINFO_SIZE);
  if (!child) return w.bytes;
  const status = child.exitStatus ?? 0;
  const sig = status & 0x7f;
  // wait_task_zombie: CLD_EXITED with the exit code, or CLD_KILLED / CLD_DUMPED with the signal
  const code = sig === 0 ? CLD_EXITED : status & 0x80 ? CLD_DUMPED : CLD_KILLED;
  w.i32(0, SIGCHLD).i32(4, 0).i32(8, code).i32(16, child.tgid).u32(20, child.creds.uid).i32(24, sig === 0 ? (status >> 8) & 0xff : sig);
  return w.bytes;
}

function* waitid(t: Task, which: number, upid: number, infop: number, options: number, ru: number): SyscallGen {
  const k = t.kernel;
  if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) return -EINVAL;
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return -EINVAL;
  let matches: (c: Task) => boolean;
  switch (which) {
    case P_ALL:
      matches = () => true;
      break;
    case P_PID:
      if (upid <= 0) return -EINVAL;
      matches = (c) => c.pid === upid;
      break;
    case P_PGID:
      if (upid < 0) return -EINVAL;
      matches = () => upid === 0 || upid === THE_PGRP;
      break;
    case P_PIDFD: {
      if (upid < 0) return -EINVAL;
      const f = t.fds.get(upid);
      if (!f) return -EBADF;
      if (!(f.ops instanceof PidFd)) return -EINVAL;
      const pid = f.ops.pid;
      matches = (c) => c.pid === pid;
      if (f.flags & O_NONBLOCK) options |= WNOHANG;
      break;
    }
    default:
      return -EINVAL;
  }
  const proc = t.group.leader; // any thread waits for the process's children
  for (;;) {
    const candidates = proc.children.filter(matches);
    if (candidates.length === 0) return -ECHILD;
    const z = options & WEXITED ? candidates.find((c) => c.zombie) : undefined;
    if (z || options & WNOHANG) {
      if (ru && !copyToUser(t.mm, ru, new Uint8Array(RUSAGE_SIZE))) return -EFAULT;
      if (infop && !copyToUser(t.mm, infop, siginfo(z ?? null))) return -EFAULT;
      if (z && !(options & WNOWAIT)) k.reap(t, z);
      return 0;
    }
    const err = yield* sleepOn(t, proc.childExit);
    if (err) return err;
  }
}

export function registerWaitid(k: Kernel): void {
  k.table.define(95, 'waitid', ['int', 'int', 'ptr', 'hex', 'ptr'], (t, [which, upid, infop, options, ru]) =>
    waitid(t, which, upid, infop, options, ru));
}
