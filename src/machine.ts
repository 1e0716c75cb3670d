// The simulated machine a run boots: the kernel with its generic OS syscalls
// (src/kernel/boot.ts) and AF_UNIX on top (src/unix). Scenario runs
// (src/script/runner.ts), `unixsim exec` (src/exec.ts) and library users
// all boot through here, so the three cannot drift apart.
import { bootKernel } from './kernel/boot.ts';
import type { Kernel, KernelConfig } from './kernel/kernel.ts';
import type { Rng } from './sched/rng.ts';
import type { Scheduler } from './sched/scheduler.ts';
import type { UnixNet } from './unix/namespace.ts';
import { registerUnix } from './unix/index.ts';

export interface Machine {
  kernel: Kernel;
  /** AF_UNIX's name spaces and sockets (what checks and invariants look at) */
  net: UnixNet;
}

/** Boots a kernel on `sched` with every subsystem registered; `rng` is the run's kernel generator. */
export function bootMachine(sched: Scheduler, rng: Rng, config: Partial<KernelConfig> = {}): Machine {
  const kernel = bootKernel(sched, rng, config);
  const net = registerUnix(kernel);
  return { kernel, net };
}
