// Helpers for kernel tests: run scripted programs as a one-off scenario and
// fail with the run's own failure list (script asserts included).
import { expect } from 'vitest';
import type { Program } from '../../src/script/context.ts';
import { runScenario, type RunOptions, type RunResult } from '../../src/script/runner.ts';
import { defineScenario, type ProcessSpec, type Scenario } from '../../src/script/scenario.ts';

export function scenarioOf(processes: ProcessSpec[], extra: Partial<Scenario> = {}): Scenario {
  return defineScenario({ name: 'test', processes, ...extra });
}

/** Runs one root process (or several) and returns the result; `opts` defaults to seed 1. */
export function run(program: Program | ProcessSpec[], opts: Partial<RunOptions> = {}, extra: Partial<Scenario> = {}): RunResult {
  const procs = typeof program === 'function' ? [{ name: 'p', program }] : program;
  return runScenario(scenarioOf(procs, extra), { seed: 1, checkInvariants: true, ...opts });
}

/** Runs and expects a clean pass (every process exited 0, no leaks, no script errors). */
export function runOk(program: Program | ProcessSpec[], opts: Partial<RunOptions> = {}, extra: Partial<Scenario> = {}): RunResult {
  const r = run(program, opts, extra);
  expect(r.failures).toEqual([]);
  return r;
}

/** Throws (failing the script, hence the run) unless actual === expected. */
export function eq<T>(actual: T, expected: T, what = 'value'): void {
  if (!Object.is(actual, expected)) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}
