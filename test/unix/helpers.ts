// Runs small scripted scenarios for the AF_UNIX behaviour tests.
import { expect } from 'vitest';
import type { Program } from '../../src/script/context.ts';
import { runScenario, type RunOptions, type RunResult } from '../../src/script/runner.ts';
import type { Scenario } from '../../src/script/scenario.ts';
import { renderText } from '../../src/sched/trace.ts';

export interface RunSpec {
  processes: { name: string; program: Program; uid?: number; gid?: number }[];
  kernel?: Scenario['kernel'];
  opts?: Partial<RunOptions>;
  requireCleanExit?: boolean;
}

export function run(spec: RunSpec): RunResult {
  return runScenario(
    {
      name: 'unix-test',
      processes: spec.processes,
      kernel: spec.kernel,
      requireCleanExit: spec.requireCleanExit,
    },
    { seed: 1, checkInvariants: true, recordText: true, ...spec.opts },
  );
}

/** Runs one process and returns what it logged, by key (the last value of each key); fails on any run failure. */
export function one(program: Program, opts: Partial<RunOptions> = {}): Record<string, unknown> {
  const r = run({ processes: [{ name: 'p', program }], opts });
  expect(r.failures, trace(r)).toEqual([]);
  return logs(r);
}

export function logs(r: RunResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of r.kernel.notes) out[n.key] = n.value;
  return out;
}

export function trace(r: RunResult): string {
  return renderText(r.events, { time: false });
}

export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
