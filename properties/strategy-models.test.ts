// Each single-run strategy against what it is defined to do, driven
// directly with stand-in threads (no kernel, so thousands of choices cost
// milliseconds):
//   - random: picks a runnable thread, uniformly, as its seed decides: the
//     same seed repeats the picks, another seed makes others;
//   - rr: the runnable thread with the next tid after the last one picked,
//     wrapping (compared with a model of rotation);
//   - keep: the thread that ran last while it can run, else the lowest tid;
//   - replay: exactly the recorded picks, then the continuation's, or
//     divergence when the recording ends or names a thread that cannot run;
//   - pct (Burckhardt et al., ASPLOS 2010): d-1 distinct change points drawn
//     uniformly from 1..k; initial priorities distinct and random (each
//     thread equally likely to run first); the highest-priority runnable
//     thread runs, and at a change point the running thread drops below
//     every thread not yet dropped;
//   - a run's report names the strategy that ran it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/sched/rng.ts';
import { KeepCurrentStrategy } from '../src/sched/strategies/keep.ts';
import { PctStrategy } from '../src/sched/strategies/pct.ts';
import { RandomStrategy } from '../src/sched/strategies/random.ts';
import { ReplayStrategy } from '../src/sched/strategies/replay.ts';
import { RoundRobinStrategy } from '../src/sched/strategies/roundRobin.ts';
import { ReplayDivergence, type Strategy } from '../src/sched/strategy.ts';
import type { SimThread } from '../src/sched/thread.ts';
import { runScenario } from '../src/script/runner.ts';
import { propertyRuns } from './lib/profile.ts';
import { twoGetpids } from '../test/sched/two-getpids.ts';

const SEED = 20_261_215;
const RUNS = propertyRuns(100);

/** Stand-in threads 1..6, one object per tid (keep compares threads by identity). */
const POOL = Array.from({ length: 6 }, (_, i) => ({ tid: i + 1, label: `t${i + 1}`, state: 'runnable', waitingOn: null, wakePending: false, step: () => 0 }) as SimThread);
const thread = (tid: number) => POOL[tid - 1];

/** A runnable set: at least two distinct tids of 1..6, in tid order (as the scheduler gives it). */
const runnableArb = fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 6 }).map((ts) => ts.sort((a, b) => a - b).map(thread));
const runnableSeqArb = fc.array(runnableArb, { minLength: 1, maxLength: 40 });

const tids = (ts: readonly SimThread[]) => ts.map((t) => t.tid);

describe('random', () => {
  it('picks a runnable thread; the same seed repeats the picks, another seed makes other picks', () => {
    fc.assert(
      fc.property(fc.array(runnableArb, { minLength: 40, maxLength: 60 }), fc.integer(), fc.integer(), (seq, s1, s2) => {
        const run = (seed: number) => {
          const r = new RandomStrategy(new Rng(seed));
          return seq.map((rs, step) => {
            const t = r.pick(rs, step);
            if (!rs.includes(t)) throw new Error(`picked ${t.tid}, not one of ${tids(rs)}`);
            return t.tid;
          });
        };
        const a = run(s1);
        expect(run(s1)).toEqual(a);
        // 40 or more choices among two or more threads agree by chance with probability at most 2^-40
        if (s1 !== s2) expect(run(s2)).not.toEqual(a);
      }),
      { numRuns: propertyRuns(30), seed: SEED },
    );
  });

  it('picks uniformly among the runnable threads, whichever they are', () => {
    for (const set of [[1, 2], [2, 4, 5], [1, 2, 3, 4, 5, 6]]) {
      const rs = set.map(thread);
      const r = new RandomStrategy(new Rng(`uniform ${set}`));
      const n = 600 * set.length;
      const counts = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const t = r.pick(rs, i).tid;
        counts.set(t, (counts.get(t) ?? 0) + 1);
      }
      expect([...counts.keys()].sort()).toEqual(set);
      // 600 expected per thread; 5 standard deviations is about +-120
      for (const [t, c] of counts) expect(Math.abs(c - 600), `thread ${t} of ${set}: ${c} of ${n}`).toBeLessThan(130);
    }
  });
});

describe('rr', () => {
  it('picks the runnable thread with the next tid after the last one picked, wrapping around', () => {
    fc.assert(
      fc.property(runnableSeqArb, (seq) => {
        const rr = new RoundRobinStrategy();
        let last: number | null = null;
        for (const rs of seq) {
          const ts = tids(rs);
          const want: number = (last === null ? undefined : ts.find((t) => t > last!)) ?? Math.min(...ts);
          expect(rr.pick(rs, 0).tid, `after ${last} from ${ts}`).toBe(want);
          last = want;
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('with the same threads runnable throughout, runs each once per round, in tid order', () => {
    for (const set of [[1, 2], [2, 3, 6], [1, 2, 3, 4, 5, 6]]) {
      const rr = new RoundRobinStrategy();
      const picks = Array.from({ length: 3 * set.length }, (_, i) => rr.pick(set.map(thread), i).tid);
      expect(picks).toEqual([...set, ...set, ...set]);
    }
  });
});

describe('keep', () => {
  it('keeps the thread that ran last while it is runnable, else runs the lowest tid', () => {
    fc.assert(
      fc.property(runnableSeqArb, fc.array(fc.option(fc.integer({ min: 1, max: 6 }))), (seq, prevs) => {
        const keep = new KeepCurrentStrategy();
        seq.forEach((rs, i) => {
          const prev = prevs[i] ?? null;
          const ts = tids(rs);
          const want = prev !== null && ts.includes(prev) ? prev : ts[0];
          expect(keep.pick(rs, i, prev === null ? null : thread(prev)).tid, `previous ${prev}, runnable ${ts}`).toBe(want);
        });
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

/** A strategy that records what it was asked and answers from a list. */
function answering(tidsToPick: number[]) {
  const asked: { runnable: number[]; step: number; previous: number | null }[] = [];
  const s: Strategy = {
    describe: 'answering',
    pick(runnable, step, previous) {
      asked.push({ runnable: tids(runnable), step, previous: previous?.tid ?? null });
      const want = tidsToPick[asked.length - 1];
      return runnable.find((t) => t.tid === want) ?? runnable[0];
    },
  };
  return { s, asked };
}

describe('replay', () => {
  /** a recording and runnable sets that contain each recorded pick */
  const recordedArb = fc.array(fc.tuple(runnableArb, fc.nat()), { minLength: 1, maxLength: 30 }).map((xs) => xs.map(([rs, k]) => ({ rs, pick: rs[k % rs.length].tid })));

  it('makes exactly the recorded picks, then the continuation\'s, handing it the same arguments', () => {
    fc.assert(
      fc.property(recordedArb, fc.array(fc.tuple(runnableArb, fc.nat()), { maxLength: 10 }), (rec, after) => {
        const cont = answering(after.map(([rs, k]) => rs[k % rs.length].tid));
        const replay = new ReplayStrategy(rec.map((x) => x.pick), cont.s);
        rec.forEach((x, i) => expect(replay.pick(x.rs, 100 + i, thread(1)).tid).toBe(x.pick));
        expect(cont.asked).toEqual([]);
        after.forEach(([rs, k], i) => {
          expect(replay.pick(rs, 200 + i, thread(2)).tid).toBe(rs[k % rs.length].tid);
          expect(cont.asked[i]).toEqual({ runnable: tids(rs), step: 200 + i, previous: 2 });
        });
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('without a continuation, a choice past the recording is divergence', () => {
    fc.assert(
      fc.property(recordedArb, runnableArb, (rec, rs) => {
        const replay = new ReplayStrategy(rec.map((x) => x.pick));
        for (const x of rec) replay.pick(x.rs, 0);
        expect(() => replay.pick(rs, 7)).toThrow(ReplayDivergence);
        expect(() => replay.pick(rs, 7)).toThrow(new RegExp(`has ${rec.length} picks but the program needs more`));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('a recorded thread that cannot run is divergence at that pick, naming the runnable ones; the continuation is not asked', () => {
    fc.assert(
      fc.property(recordedArb, fc.nat(), (rec, at) => {
        const i = at % rec.length;
        const absent = [1, 2, 3, 4, 5, 6, 7].find((t) => !tids(rec[i].rs).includes(t))!;
        const picks = rec.map((x) => x.pick);
        picks[i] = absent;
        const cont = answering([]);
        const replay = new ReplayStrategy(picks, cont.s);
        for (let j = 0; j < i; j++) expect(replay.pick(rec[j].rs, j).tid).toBe(picks[j]);
        let err: unknown = null;
        try {
          replay.pick(rec[i].rs, i);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ReplayDivergence);
        expect((err as Error).message).toContain(`at pick ${i} `);
        expect((err as Error).message).toContain(`runnable: ${tids(rec[i].rs).join(',')}`);
        expect(cont.asked).toEqual([]);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

/**
 * Checks a PCT run against its definition, without knowing the random
 * priorities: the picked thread is runnable; a dropped thread never runs
 * while a thread not yet dropped can; and "a beats b" (a ran while b could)
 * is consistent with one fixed priority order (no cycle), where a thread's
 * priority is its own until it drops and its change point's after.
 */
function checkPct(pct: PctStrategy, seq: readonly (readonly SimThread[])[]): number[] {
  const points = pct.changePoints;
  const dropped = new Map<number, number>(); // tid -> index of the change point that dropped it last
  const beats = new Map<string, Set<string>>();
  const node = (tid: number) => (dropped.has(tid) ? `cp${dropped.get(tid)}` : `t${tid}`);
  const picks: number[] = [];
  seq.forEach((rs, c) => {
    const t = pct.pick(rs, c).tid;
    picks.push(t);
    expect(tids(rs)).toContain(t);
    for (const o of rs) {
      if (o.tid === t) continue;
      if (dropped.has(t)) expect(dropped.has(o.tid), `choice ${c + 1}: dropped ${t} ran while ${o.tid} had not dropped`).toBe(true);
      const w = node(t);
      if (!beats.has(w)) beats.set(w, new Set());
      beats.get(w)!.add(node(o.tid));
    }
    const i = points.indexOf(c + 1);
    if (i >= 0) dropped.set(t, i);
  });
  // no cycle in "beats": a topological order exists
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 'done') return;
    expect(state.get(n), `priority cycle ${[...path, n].join(' > ')}`).not.toBe('open');
    state.set(n, 'open');
    for (const m of beats.get(n) ?? []) visit(m, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of beats.keys()) visit(n, []);
  return picks;
}

describe('pct', () => {
  it('refuses a depth that is not a positive integer', () => {
    for (const d of [0, -1, 1.5, Number.NaN]) expect(() => new PctStrategy(new Rng(1), d, 10), `depth ${d}`).toThrow(/depth/);
    for (const d of [1, 2, 7]) expect(() => new PctStrategy(new Rng(1), d, 10)).not.toThrow();
  });

  it('draws min(d-1, k) distinct change points in 1..k', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (d, k, seed) => {
        const points = new PctStrategy(new Rng(seed), d, k).changePoints;
        expect(points.length).toBe(Math.min(d - 1, k));
        expect(new Set(points).size).toBe(points.length);
        for (const p of points) expect(Number.isInteger(p) && p >= 1 && p <= k, `${p} in 1..${k}`).toBe(true);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('draws change points uniformly from 1..k', () => {
    const counts = new Map<number, number>();
    for (let s = 0; s < 2000; s++) {
      const [p] = new PctStrategy(new Rng(`cp ${s}`), 2, 4).changePoints;
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const [p, c] of counts) expect(Math.abs(c - 500), `point ${p}: ${c} of 2000`).toBeLessThan(100);
  });

  it('runs the highest-priority runnable thread; a thread at a change point drops below every thread not yet dropped', () => {
    fc.assert(
      fc.property(fc.array(runnableArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (seq, d, seed) => {
        checkPct(new PctStrategy(new Rng(seed), d, seq.length), seq);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('with its draws given (bench/bugs enumerates them): the ranks order the threads by first appearance, the change points are those given', () => {
    const drawsArb = fc.integer({ min: 2, max: 6 }).chain((n) =>
      fc.record({
        order: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
        d: fc.integer({ min: 1, max: 4 }),
        points: fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 3 }),
        rest: fc.array(runnableArb, { minLength: 19, maxLength: 19 }),
      }),
    );
    fc.assert(
      fc.property(drawsArb, ({ order, d, points, rest }) => {
        const changePoints = points.slice(0, d - 1);
        const pct = new PctStrategy(new Rng(1), d, 20, { order, changePoints });
        expect(pct.changePoints).toEqual(changePoints);
        // the first choice sees every thread, in tid order: the one with the largest rank runs
        const all = order.map((_, i) => thread(i + 1));
        const picks = checkPct(pct, [all, ...rest.map((rs) => rs.filter((t) => t.tid <= order.length)).filter((rs) => rs.length > 0)]);
        expect(picks[0]).toBe(order.indexOf(order.length - 1) + 1);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('gives each thread the same chance to run first (random initial priorities); without change points the first keeps running', () => {
    const first = new Map<number, number>();
    const all = [1, 2, 3].map(thread);
    for (let s = 0; s < 1500; s++) {
      const pct = new PctStrategy(new Rng(`prio ${s}`), 1, 10);
      const picks = Array.from({ length: 10 }, (_, c) => pct.pick(all, c).tid);
      expect(new Set(picks).size).toBe(1);
      first.set(picks[0], (first.get(picks[0]) ?? 0) + 1);
    }
    expect([...first.keys()].sort()).toEqual([1, 2, 3]);
    for (const [t, c] of first) expect(Math.abs(c - 500), `thread ${t} first ${c} of 1500`).toBeLessThan(100);
  });
});

describe('reports', () => {
  const sc = twoGetpids;

  it("a run's report names the strategy that ran it (the name --strategy takes), and a replay its picks and continuation", () => {
    for (const strategy of ['random', 'rr', 'keep'] as const) expect(runScenario(sc, { seed: 1, strategy }).strategy).toBe(strategy);
    const pct = runScenario(sc, { seed: 1, strategy: 'pct', pctDepth: 2, pctK: 9 });
    expect(pct.strategy).toBe('pct(d=2,k=9)');
    const replay = runScenario(sc, { seed: 1, strategy: 'keep', picks: [1, 2] });
    expect(replay.strategy).toBe('replay(2 picks, then keep)');
    expect(new ReplayStrategy([3]).describe).toBe('replay(1 picks)');
  });
});
