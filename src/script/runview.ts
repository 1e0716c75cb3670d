// What a scenario's checks see of a finished run.
import type { Kernel, ExitRecord } from '../kernel/kernel.ts';
import type { RunEnd } from '../sched/scheduler.ts';
import type { UnixNet } from '../unix/namespace.ts';
import { describeKernelState, kernelState, type KernelState } from './kstate.ts';

export class RunView {
  private snapshot: KernelState | null = null;

  constructor(
    readonly end: RunEnd,
    readonly kernel: Kernel,
    readonly net: UnixNet | null = null,
  ) {}

  /** The kernel's state at the end of the run: open files, sockets, fds in flight, tasks (see kstate.ts). */
  state(): KernelState {
    return (this.snapshot ??= kernelState(this.kernel, this.net));
  }

  /** The same state as report lines, one per object ([] when nothing is left). */
  describeState(): string[] {
    return describeKernelState(this.state());
  }

  get exits(): readonly ExitRecord[] {
    return this.kernel.exits;
  }

  /** Exit record of the first process with this name (or pid). */
  exit(who: string | number): ExitRecord | undefined {
    return this.kernel.exits.find((e) => (typeof who === 'number' ? e.pid === who : e.name === who));
  }

  /** Every value logged under key, in order (by any process, or by processes of that name); [] if none. */
  logs(key: string, who?: string): unknown[] {
    const pids = who === undefined ? null : new Set([...this.kernel.exits].filter((e) => e.name === who).map((e) => e.pid));
    return this.kernel.notes.filter((n) => n.key === key && (!pids || pids.has(n.pid))).map((n) => n.value);
  }

  /** The first value logged under key (undefined if none). */
  log(key: string, who?: string): unknown {
    return this.logs(key, who)[0];
  }

  /** Console output of all processes (or one pid). */
  stdout(pid?: number): string {
    return this.kernel.console.text('stdout', pid);
  }
}
