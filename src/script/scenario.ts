// The scenario module format. A file under scenarios/ default-exports
// `defineScenario({...})`: the processes to start (scripted programs), the
// kernel configuration, and the checks a finished run must pass.
import type { KernelConfig } from '../kernel/kernel.ts';
import type { RunView } from './runview.ts';
import type { Program } from './context.ts';

export interface ProcessSpec {
  name: string;
  program: Program;
  /** credentials the process starts with (default root: 0/0) */
  uid?: number;
  gid?: number;
}

export interface Scenario {
  name: string;
  description?: string;
  processes: ProcessSpec[];
  /** regular files created before the run: path -> contents */
  files?: Record<string, string | Uint8Array>;
  /** kernel configuration (planted bugs, preemption); merged under the run's options */
  kernel?: Partial<KernelConfig>;
  /** step limit for one run (default 100,000) */
  maxSteps?: number;
  /**
   * Whether every process must exit with status 0 (default true). Set false
   * when a scenario checks exit statuses itself.
   */
  requireCleanExit?: boolean;
  /**
   * Coverage tuples the scenario was written to reach, e.g.
   * "connect(listener/full)=sleeps" (src/kernel/coverage.ts); a sweep says
   * which no run reached.
   */
  targets?: string[];
  /** Named checks over the finished run: true passes; false or a message fails. */
  checks?: Record<string, (run: RunView) => boolean | string>;
}

export function defineScenario(s: Scenario): Scenario {
  return s;
}

/** Validates an imported module's default export; returns a one-line problem or null. */
export function scenarioProblem(x: unknown): string | null {
  if (!x || typeof x !== 'object') return 'default export is not a scenario object (use defineScenario)';
  const s = x as Partial<Scenario>;
  if (typeof s.name !== 'string' || !s.name) return 'scenario has no name';
  if (!Array.isArray(s.processes) || s.processes.length === 0) return 'scenario has no processes';
  for (const [i, p] of s.processes.entries()) {
    if (!p || typeof p.program !== 'function') return `process ${i} has no program function`;
    if (typeof p.name !== 'string') return `process ${i} has no name`;
  }
  if (s.checks !== undefined) {
    for (const [name, c] of Object.entries(s.checks)) if (typeof c !== 'function') return `check "${name}" is not a function`;
  }
  return null;
}
