// Builds a kernel with the generic OS syscalls registered. AF_UNIX (src/unix)
// registers itself on top; see src/script/runner.ts.
import type { Rng } from '../sched/rng.ts';
import type { Scheduler } from '../sched/scheduler.ts';
import { makeDeviceNodes } from './devnull.ts';
import { registerEpoll } from './epoll.ts';
import { registerAffinity } from './syscalls/affinity.ts';
import { registerFdget } from './fdget.ts';
import { registerEventfd } from './eventfd.ts';
import { registerPidfd } from './pidfd.ts';
import { registerFlock } from './flock.ts';
import { registerMemfd } from './memfd.ts';
import { registerSignalfd } from './signalfd.ts';
import { registerTimerfd } from './timerfd.ts';
import { registerSigtime } from './syscalls/sigtime.ts';
import { Kernel, type KernelConfig } from './kernel.ts';
import { registerPipe } from './pipe.ts';
import { registerCreds } from './syscalls/creds.ts';
import { registerExec } from './syscalls/exec.ts';
import { registerFs } from './syscalls/fs.ts';
import { registerIo } from './syscalls/io.ts';
import { registerMisc } from './syscalls/misc.ts';
import { registerMm } from './syscalls/mm.ts';
import { registerPoll, registerPselect } from './syscalls/poll.ts';
import { registerProc } from './syscalls/proc.ts';
import { registerUnshare } from './syscalls/unshare.ts';
import { registerSendfile } from './syscalls/sendfile.ts';
import { registerPgrp } from './syscalls/pgrp.ts';
import { registerPrctl } from './syscalls/prctl.ts';
import { registerStatfs } from './syscalls/statfs.ts';
import { registerSync } from './syscalls/sync.ts';
import { registerUsage } from './syscalls/usage.ts';
import { registerStatx } from './syscalls/statx.ts';
import { WakeDutyChecker } from './wake-duty.ts';

export function bootKernel(sched: Scheduler, rng: Rng, config: Partial<KernelConfig> = {}): Kernel {
  const k = new Kernel(sched, rng, config);
  if (k.config.checkWakeDuties) {
    const duties = new WakeDutyChecker(k);
    k.checks.push(() => duties.check());
  }
  registerIo(k);
  registerProc(k);
  registerUnshare(k);
  registerCreds(k);
  registerPipe(k);
  registerFs(k);
  registerStatfs(k);
  registerSendfile(k);
  registerSync(k);
  registerUsage(k);
  registerPrctl(k);
  registerPgrp(k);
  registerStatx(k);
  registerMm(k);
  registerExec(k);
  registerMisc(k);
  registerPoll(k);
  registerPselect(k);
  registerEpoll(k);
  registerFdget(k);
  registerPidfd(k);
  registerEventfd(k);
  registerTimerfd(k);
  registerSignalfd(k);
  registerMemfd(k);
  registerFlock(k);
  registerSigtime(k);
  registerAffinity(k);
  makeDeviceNodes(k);
  return k;
}
