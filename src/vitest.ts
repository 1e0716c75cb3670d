// `unixsim/vitest`: checkScenario, for a kernel author's own vitest (or any
// test runner's) files. The schedule is part of the value fast-check
// generates (src/check/schedule.ts), so fast-check shrinks the program and
// the schedule together; a failure throws a readable report, is written to
// the regressions file and is replayed first on every later run.
//
//   import { checkScenario } from 'unixsim/vitest';
//   it('two acceptors never lose a connection', () => checkScenario('two acceptors', scenario));
//
// Host side (file I/O, a random seed when none is given), like the CLI.
// Runs happen on the test's own thread: a scripted program that loops
// without a system call hangs the test, as any endless synchronous loop in a
// test does (vitest's timeout cannot interrupt it either); `unixsim run`
// runs on a watched worker thread and names the program (src/command.ts).
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { readRegressions, sameCase, updateRegressions, type Regression } from './check/regressions.ts';
import { ScheduleStrategy, describeSchedule, type Preemption, type Schedule } from './check/schedule.ts';
import { failureReport } from './explore/report.ts';
import { shrinkFailure } from './explore/shrink.ts';
import { runScenario, type RunOptions, type RunResult } from './script/runner.ts';
import type { Scenario } from './script/scenario.ts';

export { fc };
export type { Preemption, Schedule };

/** The regressions file checkScenario uses unless told otherwise (relative to the working directory). */
export const DEFAULT_REGRESSIONS = 'unixsim-regressions.json';

export interface CheckOptions {
  /** fast-check runs (default 100) */
  numRuns?: number;
  /** fast-check seed; default: fast-check's global seed if one is configured, else a fresh one (recorded first) */
  seed?: number;
  /** planted bugs to enable (see `unixsim bugs`) */
  bugs?: readonly string[];
  /** check the kernel's invariants after every step */
  checkInvariants?: boolean;
  /** the kernel's preemption points become scheduling points (the SMP model) */
  kernelPreemption?: boolean;
  /** harts running kernel code at once (the SMP model) */
  harts?: number;
  /** at most this many preemptions per schedule (default 8) */
  maxPreemptions?: number;
  /** at most this many choice points between two preemptions (default 64) */
  maxGap?: number;
  /** the regressions file (default ./unixsim-regressions.json); false: neither read nor write one */
  regressions?: string | false;
  /** the scenario's file, when it has one (a fixed scenario): the report then names an `npx unixsim replay` command */
  file?: string;
}

/** What fast-check generates: the program and the schedule to run it under. */
type Case = [Scenario, Schedule];

function isArbitrary(x: unknown): x is fc.Arbitrary<Scenario> {
  const a = x as { generate?: unknown; shrink?: unknown };
  return typeof a.generate === 'function' && typeof a.shrink === 'function';
}

/**
 * Runs `scenario` (or every scenario `scenario` generates) under generated
 * schedules and throws a failure report if any run fails (a check, a
 * deadlock, an invariant, a leak: everything `unixsim run` judges).
 */
export function checkScenario(name: string, scenario: Scenario | fc.Arbitrary<Scenario>, opts: CheckOptions = {}): void {
  const programs = isArbitrary(scenario) ? scenario : fc.constant(scenario);
  // races sit close together as often as far apart: short gaps are drawn as often as any gap
  const gap = fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: opts.maxGap ?? 64 }));
  const preemption = fc.record({ gap, shift: fc.integer({ min: 1, max: 7 }) });
  const schedules = fc.array(preemption, { maxLength: opts.maxPreemptions ?? 8 });
  const runOpts: RunOptions = { seed: 1, bugs: opts.bugs, checkInvariants: opts.checkInvariants, kernelPreemption: opts.kernelPreemption, harts: opts.harts };
  const run = ([sc, schedule]: Case, recordText = false): RunResult =>
    runScenario(sc, { ...runOpts, recordText }, { strategy: () => new ScheduleStrategy(schedule) });
  const cases: fc.Arbitrary<Case> = fc.tuple(programs, schedules);
  const prop = fc.property(cases, (c) => run(c).failures.length === 0);
  const file = opts.regressions === false ? null : resolve(opts.regressions ?? DEFAULT_REGRESSIONS);
  const mine = file ? readRegressions(file).filter((r) => r.name === name) : [];

  // 1. every failure found before, exactly (seed and path), first
  for (const old of mine.filter((r) => r.status === 'failed')) {
    const out = fc.check(prop, { seed: old.seed, path: old.path, numRuns: 1 });
    if (out.failed) fail(out, 'a recorded regression still fails');
  }

  // 2. the new run; its seed is on disk before it starts
  const interrupted = mine.find((r) => r.status === 'started');
  const seed = interrupted?.seed ?? opts.seed ?? fc.readConfigureGlobal().seed ?? randomInt(2 ** 31);
  const started: Regression = { name, status: 'started', seed };
  if (file) updateRegressions(file, (rs) => [...rs.filter((r) => !(r.name === name && r.status === 'started')), started]);
  const out = fc.check(prop, { seed, numRuns: opts.numRuns ?? 100 });
  if (file) updateRegressions(file, (rs) => rs.filter((r) => !sameCase(r, started)));
  if (out.failed) fail(out, interrupted ? 'the run interrupted last time fails' : 'failed', true);

  function fail(out: fc.RunDetails<[Case]>, how: string, record = false): never {
    const c = out.counterexample?.[0];
    if (!c) throw new Error(`${name}: ${how}: ${out.errorInstance ?? 'fast-check found no counterexample'}`);
    const r = run(c, true);
    const where = `fast-check seed ${out.seed}, path "${out.counterexamplePath}"`;
    if (file && record) {
      const entry: Regression = { name, status: 'failed', seed: out.seed, path: out.counterexamplePath ?? undefined, failure: r.failures[0]?.split('\n')[0], picks: r.picks.join(',') };
      updateRegressions(file, (rs) => [...rs.filter((x) => !sameCase(x, entry)), entry]);
    }
    // the explorer's report (src/explore/report.ts): the run fast-check found, replayed by its picks,
    // and its schedule shrunk further by the explorer's shrinker
    const foundOpts: RunOptions = { ...runOpts, picks: r.picks };
    const found = runScenario(c[0], { ...foundOpts, recordText: true });
    const shrunk = shrinkFailure(c[0], foundOpts, found);
    const fixed = opts.file !== undefined && !isArbitrary(scenario);
    const lines = [
      `${name}: ${how} after ${out.numRuns} runs and ${out.numShrinks} shrinks (${where})`,
      `scenario: ${r.scenario}`,
      `generated schedule: ${describeSchedule(c[1])}`,
      ...failureReport({
        file: opts.file ?? name,
        scenario: c[0],
        opts: foundOpts,
        found,
        shrunk,
        // a generated program is in no file: name the call that replays it
        command: fixed ? undefined : (o) => `runScenario(<the scenario>, ${JSON.stringify({ ...o, seed: o.seed ?? 1 })})`,
      }),
      file ? `or: npx vitest run (${where} is in ${file}, replayed first)` : `or: checkScenario(..., { seed: ${out.seed} }) (${where})`,
    ];
    throw new Error(lines.join('\n'));
  }
}
