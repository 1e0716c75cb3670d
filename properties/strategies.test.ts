// Properties of the schedulers themselves, over random socket programs:
//   - a recorded pick list replays to the identical run (trace hash, picks,
//     end), whatever strategy would continue after it;
//   - a pick list edited so that a recorded thread is not runnable is
//     reported as divergence at that pick, never silently followed;
//   - a strict replay makes only the list's choices, or reports divergence
//     (a list longer than the run needs is not reported: see README);
//   - a schedule followed leniently (shrinking, src/explore/schedule.ts)
//     replays exactly from the options it reports (--picks L --strategy keep);
//   - PCT's change points lie inside the run (1..k); the running thread
//     changes only at them, and the first one always changes it; the
//     runner's pct (k from a calibration run) puts most inside real runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSchedule } from '../src/explore/schedule.ts';
import { Rng } from '../src/sched/rng.ts';
import { PctStrategy } from '../src/sched/strategies/pct.ts';
import { ReplayStrategy } from '../src/sched/strategies/replay.ts';
import type { Strategy } from '../src/sched/strategy.ts';
import type { SimThread } from '../src/sched/thread.ts';
import { runScenario } from '../src/script/runner.ts';
import { programScenario } from './lib/interp.ts';
import { caseArb, type Case } from './lib/program.ts';
import { propertyRuns } from './lib/profile.ts';

const SEED = 20_261_202;
const RUNS = Number(process.env.UNIXSIM_STRATEGY_RUNS) || propertyRuns(15);

const scenarioOf = (cs: Case) => programScenario(cs.program).scenario;

/** Wraps a strategy to record the runnable tids at every choice point. */
function recording(s: Strategy, into: number[][]): Strategy {
  return {
    describe: s.describe,
    pick(runnable, step, previous) {
      into.push(runnable.map((t) => t.tid));
      return s.pick(runnable, step, previous);
    },
  };
}

/** A recorded run with at least one choice point, and its runnable sets. */
function recorded(cs: Case) {
  const runnable: number[][] = [];
  const r = runScenario(scenarioOf(cs), { seed: cs.seed, strategy: cs.strategy }, { strategy: (s) => recording(s, runnable) });
  return { r, runnable };
}

describe('replay', () => {
  it('a recorded pick list replays to the identical run, whatever strategy would follow it', () => {
    fc.assert(
      fc.property(caseArb, (cs) => {
        const sc = scenarioOf(cs);
        const r = runScenario(sc, { seed: cs.seed, strategy: cs.strategy });
        for (const strategy of ['rr', 'keep'] as const) {
          const again = runScenario(sc, { seed: cs.seed, strategy, picks: r.picks });
          expect(again.hash).toBe(r.hash);
          expect(again.picks).toEqual(r.picks);
          expect(again.end).toEqual(r.end);
        }
        // strictly: the list alone suffices (no choice is left to a continuation)
        const strict = runScenario(sc, { seed: cs.seed }, { strategy: () => new ReplayStrategy(r.picks) });
        expect(strict.hash).toBe(r.hash);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('a pick naming a thread that is not runnable is reported as divergence at that pick, never followed past it', () => {
    let checked = 0;
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.nat(), (cs, at, which) => {
        const { r, runnable } = recorded(cs);
        if (r.picks.length === 0) return;
        const i = at % r.picks.length;
        const tids = [...r.labels.keys()];
        const others = [...tids, Math.max(...tids) + 1].filter((t) => !runnable[i].includes(t));
        const edited = [...r.picks];
        edited[i] = others[which % others.length];
        const e = runScenario(scenarioOf(cs), { seed: cs.seed, strategy: 'keep', picks: edited });
        expect(e.end.kind).toBe('replay-diverged');
        expect(e.end.kind === 'replay-diverged' && e.end.message).toContain(`at pick ${i} `);
        expect(e.picks).toEqual(r.picks.slice(0, i)); // followed exactly up to the bad pick, then stopped
        checked++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(checked).toBeGreaterThan(RUNS / 2);
  });

  it('a strict replay of an edited list makes only the list\'s choices, or reports divergence', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.nat(), (cs, at, which) => {
        const { r, runnable } = recorded(cs);
        if (r.picks.length === 0) return;
        const i = at % r.picks.length;
        const edited = [...r.picks];
        edited[i] = runnable[i][which % runnable[i].length]; // another runnable thread (or the same): a real schedule
        const e = runScenario(scenarioOf(cs), { seed: cs.seed }, { strategy: () => new ReplayStrategy(edited) });
        // every choice the run made is the list's (a run that went another way may end before the list does)
        expect(e.picks).toEqual(edited.slice(0, e.picks.length));
        if (e.end.kind === 'replay-diverged') expect(e.end.message).toMatch(/replay diverged/);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('a schedule followed leniently replays exactly from the options it reports (--picks L --strategy keep)', () => {
    fc.assert(
      fc.property(caseArb, fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 40 }), (cs, picks) => {
        const sc = scenarioOf(cs);
        const s = runSchedule(sc, { seed: cs.seed, strategy: cs.strategy }, picks);
        const again = runScenario(sc, s.replay);
        expect(again.end.kind).not.toBe('replay-diverged');
        expect(again.hash).toBe(s.result.hash);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

/** A thread for driving a strategy directly: always runnable, never stepped. */
const fakeThread = (tid: number) => ({ tid, label: `t${tid}`, state: 'runnable', waitingOn: null, wakePending: false, step: () => 0 }) as SimThread;

describe('pct', () => {
  it("the runner's pct places its change points inside its runs (k measured, not guessed)", () => {
    // With a guessed k = 1000 only 14 of 400 fell inside these programs' runs (about 60 choice points).
    let inside = 0;
    let total = 0;
    for (const cs of fc.sample(caseArb, { numRuns: 2 * RUNS, seed: SEED })) {
      let pct: Strategy | null = null;
      const r = runScenario(scenarioOf(cs), { seed: cs.seed, strategy: 'pct' }, { strategy: (s) => (pct = s) });
      const points = (pct as { changePoints?: readonly number[] } | null)?.changePoints ?? [];
      total += points.length;
      inside += points.filter((p) => p <= r.picks.length).length;
    }
    expect(total).toBeGreaterThan(0);
    expect(inside / total, `${inside} of ${total} change points inside their runs`).toBeGreaterThanOrEqual(0.75);
  });

  it("change points lie inside the run's k choice points; only they switch the running thread, the first always does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (n, depth, k, seed) => {
          const pct = new PctStrategy(new Rng(seed), depth, k);
          // the public surface: the drawn change points (1-based choice-point numbers)
          const points = (pct as unknown as { changePoints: readonly number[] }).changePoints;
          expect(points.length).toBeGreaterThanOrEqual(Math.min(depth - 1, k) > 0 ? 1 : 0);
          for (const p of points) {
            expect(Number.isInteger(p)).toBe(true);
            expect(p).toBeGreaterThanOrEqual(1);
            expect(p).toBeLessThanOrEqual(k);
          }
          const threads = Array.from({ length: n }, (_, i) => fakeThread(i + 1));
          const picks: number[] = [];
          for (let c = 1; c <= k; c++) picks.push(pct.pick(threads, c).tid);
          const where = `change points ${points.join(',')} of k=${k}`;
          // with the same threads runnable throughout, the running thread changes only after a change point
          for (let c = 1; c < k; c++) if (picks[c] !== picks[c - 1]) expect(points, `switch after choice ${c}; ${where}`).toContain(c);
          // and the first change point always switches: the demoted thread drops below every undemoted one
          const first = Math.min(...points);
          if (points.length && first < k) expect(picks[first], `first change point; ${where}`).not.toBe(picks[first - 1]);
        },
      ),
      { numRuns: 300, seed: SEED },
    );
  });
});
