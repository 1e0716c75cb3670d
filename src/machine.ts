// The simulated machine a run boots: the kernel with its generic OS syscalls
// (src/kernel/boot.ts) and AF_UNIX on top (src/unix). Scenario runs
// (src/script/runner.ts), `unixsim exec` (src/exec.ts) and library users
// all boot through here, so the three cannot drift apart.
import { bootKernel } from './kernel/boot.ts';
import type { Kernel, KernelConfig } from './kernel/kernel.ts';
import type { Rng } from './sched/rng.ts';
import type { Scheduler } from './sched/scheduler.ts';
import { registerUnix } from './unix/index.ts';

/** Boots a kernel on `sched` with every subsystem registered; `rng` is the run's kernel generator. */
export function bootMachine(sched: Scheduler, rng: Rng, config: Partial<KernelConfig> = {}): Kernel {
  const k = bootKernel(sched, rng, config);
  registerUnix(k);
  return k;
}
