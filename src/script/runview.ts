// What a scenario's checks see of a finished run.
import type { Kernel, ExitRecord } from '../kernel/kernel.ts';
import type { RunEnd } from '../sched/scheduler.ts';

export class RunView {
  constructor(
    readonly end: RunEnd,
    readonly kernel: Kernel,
  ) {}

  get exits(): readonly ExitRecord[] {
    return this.kernel.exits;
  }

  /** Exit record of the first process with this name (or pid). */
  exit(who: string | number): ExitRecord | undefined {
    return this.kernel.exits.find((e) => (typeof who === 'number' ? e.pid === who : e.name === who));
  }

  /** Every value logged under key (by any process, or by processes of that name). */
  logs(key: string, who?: string): unknown[] {
    const pids = who === undefined ? null : new Set([...this.kernel.exits].filter((e) => e.name === who).map((e) => e.pid));
    return this.kernel.notes.filter((n) => n.key === key && (!pids || pids.has(n.pid))).map((n) => n.value);
  }

  /** The single value logged under key (undefined if none). */
  log(key: string, who?: string): unknown {
    return this.logs(key, who)[0];
  }

  /** Console output of all processes (or one pid). */
  stdout(pid?: number): string {
    return this.kernel.console.text('stdout', pid);
  }
}
