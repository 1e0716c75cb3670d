// The explorers' fault budgets and fixed root prefixes, on toy programs
// (properties/lib/toy.ts) against a brute-force model:
//   - dfs with fault budget F and preemption bound P runs exactly every
//     interleaving with at most P preemptions combined with every decision
//     vector at its fault points with at most F faults (each once);
//   - dpor with fault budget F reaches exactly dfs's outcomes with F;
//   - a fixed root prefix (`sweep --shard`) confines dfs to the schedules
//     that start with it (its preemptions counting toward P), so the roots
//     of one depth split the space into disjoint parts that cover it; dpor
//     under each root reaches the outcomes of that part, all of them together;
//   - an explorer's name states its bounds (sweeps print it).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DfsExplorer } from '../src/sched/strategies/dfs.ts';
import { DporExplorer } from '../src/sched/strategies/dpor.ts';
import { ReplayDivergence, type Strategy } from '../src/sched/strategy.ts';
import type { SimThread } from '../src/sched/thread.ts';
import { propertyRuns } from './lib/profile.ts';
import { abandonedToy, exploreToy, runToy, stepOrder, toyFaultArb, toyStraightArb, traceKey, type ToyProgram, type ToyRun } from './lib/toy.ts';

const SEED = 20_261_220;

interface Schedule {
  order: string;
  /** the thread chosen at each choice point (two or more threads live) */
  picks: number[];
  preemptions: number;
}

/** Every interleaving of straight-line threads with `len[i]` steps. */
function interleavings(len: number[]): Schedule[] {
  const out: Schedule[] = [];
  const done = len.map(() => 0);
  const walk = (order: string[], picks: number[], last: number | null, pre: number) => {
    const live = len.map((_, i) => i).filter((i) => done[i] < len[i]);
    if (live.length === 0) return void out.push({ order: order.join(' '), picks: [...picks], preemptions: pre });
    for (const i of live) {
      const choice = live.length > 1;
      const p = choice && last !== null && last !== i && live.includes(last) ? 1 : 0;
      order.push(`${i + 1}.${done[i]++}`);
      if (choice) picks.push(i + 1);
      walk(order, picks, i, pre + p);
      if (choice) picks.pop();
      order.pop();
      done[i]--;
    }
  };
  walk([], [], null, 0);
  return out;
}

/** Decision vectors for fault points with these alternatives, at most `budget` of them non-zero. */
function decisionVectors(alts: number[], budget: number): string[] {
  let out: number[][] = [[]];
  for (const n of alts) out = out.flatMap((v) => Array.from({ length: n }, (_, d) => [...v, d]));
  return out.filter((v) => v.filter((d) => d !== 0).length <= budget).map((v) => v.join(','));
}

const identity = (r: ToyRun) => `${stepOrder(r)} | ${r.decisions.join(',')}`;
const lengths = (p: ToyProgram) => p.map((ops) => ops.length);
const startsWith = (picks: readonly number[], root: readonly number[]) => root.every((t, i) => picks[i] === t);

describe('fault budgets', () => {
  it('hand-counted: fault points of 3 and 2 alternatives, budgets 0 to 2; roots of two threads of two steps', () => {
    const complete = (runs: ToyRun[]) => runs.filter((r) => !(r.end.kind === 'replay-diverged' && r.end.message.startsWith('abandoned:')));
    // one thread, fault points of 3 then 2 alternatives: F=0 one run, F=1 1+2+1, F=2 all 3*2
    const one: ToyProgram = [[{ k: 'f', n: 3 }, { k: 'f', n: 2 }]];
    expect([0, 1, 2].map((f) => exploreToy(one, new DfsExplorer(Infinity, [], f)).length)).toEqual([1, 4, 6]);
    // two threads with a fault point of 2 each: 2 orders x (1, 3, 4) vectors
    const two: ToyProgram = [[{ k: 'f', n: 2 }], [{ k: 'f', n: 2 }]];
    expect([0, 1, 2].map((f) => exploreToy(two, new DfsExplorer(Infinity, [], f)).length)).toEqual([2, 6, 8]);
    // (2,2): 6 schedules, 3 under each first pick; under [1,1], [1,2], [2,1], [2,2]: 1, 2, 2, 1; without preemptions 1 under each
    // first pick, and [1,2] and [2,1] need one (abandoned)
    const s22: ToyProgram = [[{ k: 'a', v: 'x' }, { k: 'a', v: 'x' }], [{ k: 'a', v: 'y' }, { k: 'a', v: 'y' }]];
    // (and dfs's own count of distinct schedules, which a sweep prints, leaves the abandoned runs out)
    const count = (bound: number, root: number[]) => {
      const x = new DfsExplorer(bound, root);
      const n = complete(exploreToy(s22, x)).length;
      expect(x.distinct, `distinct schedules under root ${root} within ${bound}`).toBe(n);
      return n;
    };
    expect([[1], [2]].map((r) => count(Infinity, r))).toEqual([3, 3]);
    expect([[1, 1], [1, 2], [2, 1], [2, 2]].map((r) => count(Infinity, r))).toEqual([1, 2, 2, 1]);
    expect([[1], [2], [1, 1], [1, 2], [2, 1], [2, 2]].map((r) => count(0, r))).toEqual([1, 1, 1, 0, 0, 1]);
  });

  it('dfs runs every interleaving within P with every decision vector within F, each once; dpor reaches the same outcomes', () => {
    fc.assert(
      fc.property(toyFaultArb, fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 1, Infinity), (prog, budget, bound) => {
        const scheds = interleavings(lengths(prog)).filter((m) => m.preemptions <= bound);
        // the fault points' alternatives in run order: the same in every interleaving only for one thread, so per schedule
        const want = new Set<string>();
        for (const m of scheds) {
          const alts = m.order.split(' ').map((id) => {
            const [t, n] = id.split('.').map(Number);
            const op = prog[t - 1][n];
            return op.k === 'f' ? op.n : 0;
          }).filter((n) => n > 0);
          for (const v of decisionVectors(alts, budget)) want.add(`${m.order} | ${v}`);
        }
        const x = new DfsExplorer(bound, [], budget);
        const runs = exploreToy(prog, x);
        expect(x.exhausted).toBe(true);
        expect(new Set(runs.map(identity))).toEqual(want);
        expect(x.distinct).toBe(want.size);
        if (bound === Infinity) expect(runs.length).toBe(want.size);
        if (bound === Infinity) {
          const outcomes = new Set(runs.map((r) => r.outcome));
          const dpor = exploreToy(prog, new DporExplorer(Infinity, [], budget)).filter((r) => !abandonedToy(r));
          expect(new Set(dpor.map((r) => r.outcome))).toEqual(outcomes);
        }
      }),
      { numRuns: propertyRuns(40), seed: SEED },
    );
  });
});

describe('root prefixes', () => {
  it('dfs under a root runs exactly the schedules that start with it within the bound; the roots of one depth cover the space once', () => {
    fc.assert(
      fc.property(toyStraightArb, fc.integer({ min: 1, max: 2 }), fc.constantFrom(0, 1, Infinity), (prog, depth, bound) => {
        const model = interleavings(lengths(prog));
        const roots = [...new Set(model.filter((m) => m.picks.length >= depth).map((m) => m.picks.slice(0, depth).join(',')))].map((r) => r.split(',').map(Number));
        const seen: string[] = [];
        for (const root of roots) {
          const x = new DfsExplorer(bound, root);
          const runs = exploreToy(prog, x).filter((r) => !(r.end.kind === 'replay-diverged' && r.end.message.startsWith('abandoned:')));
          const want = new Set(model.filter((m) => startsWith(m.picks, root) && m.preemptions <= bound).map((m) => m.order));
          expect(new Set(runs.map(stepOrder)), `root ${root}`).toEqual(want);
          expect(x.distinct).toBe(want.size);
          for (const r of runs) expect(startsWith(r.picks, root)).toBe(true);
          seen.push(...want);
        }
        if (roots.length > 0) {
          const all = model.filter((m) => m.picks.length >= depth && m.preemptions <= bound).map((m) => m.order);
          expect(seen.sort()).toEqual(all.sort());
        }
      }),
      { numRuns: propertyRuns(40), seed: SEED },
    );
  });

  it('dpor under the roots of one depth reaches every trace and outcome of the space, each under its own root', () => {
    fc.assert(
      fc.property(toyStraightArb, fc.integer({ min: 1, max: 2 }), (prog, depth) => {
        const dfs = exploreToy(prog, new DfsExplorer()).filter((r) => r.picks.length >= depth);
        const roots = [...new Set(dfs.map((r) => r.picks.slice(0, depth).join(',')))].map((r) => r.split(',').map(Number));
        const keys = new Set<string>();
        for (const root of roots) {
          const part = dfs.filter((r) => startsWith(r.picks, root));
          const x = new DporExplorer(Infinity, root);
          const runs = exploreToy(prog, x).filter((r) => !abandonedToy(r));
          expect(x.exhausted).toBe(true);
          for (const r of runs) expect(startsWith(r.picks, root), `root ${root}, picks ${r.picks}`).toBe(true);
          expect(new Set(runs.map((r) => r.outcome))).toEqual(new Set(part.map((r) => r.outcome)));
          for (const r of runs) keys.add(traceKey(r));
          for (const r of part) expect(keys, `root ${root}`).toContain(traceKey(r));
        }
      }),
      { numRuns: propertyRuns(20), seed: SEED },
    );
  });

  it('bounded dpor under a root reaches exactly the traces dfs under it reaches within P; a root past P has no run', () => {
    fc.assert(
      fc.property(toyStraightArb, fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 1), (prog, depth, bound) => {
        const model = interleavings(lengths(prog));
        const roots = [...new Set(model.filter((m) => m.picks.length >= depth).map((m) => m.picks.slice(0, depth).join(',')))].map((r) => r.split(',').map(Number));
        for (const root of roots) {
          const complete = (runs: ToyRun[]) => runs.filter((r) => !abandonedToy(r));
          const want = new Set(complete(exploreToy(prog, new DfsExplorer(bound, root))).map(traceKey));
          const runs = complete(exploreToy(prog, new DporExplorer(bound, root)));
          for (const r of runs) expect(startsWith(r.picks, root), `root ${root}, picks ${r.picks}`).toBe(true);
          expect(new Set(runs.map(traceKey)), `root ${root}, P=${bound}`).toEqual(want);
          // a root whose own picks preempt more than P times: every schedule under it is out of bounds
          const rootPre = model.find((m) => startsWith(m.picks, root))!;
          if (!model.some((m) => startsWith(m.picks, root) && m.preemptions <= bound)) expect(runs, `root ${root} (${rootPre.order}) needs more than ${bound}`).toEqual([]);
        }
      }),
      { numRuns: propertyRuns(20), seed: SEED },
    );
  });

  it('dpor refuses to enumerate spurious wakeups (use dfs), and meets no fault point once its budget is spent', () => {
    // a spurious wakeup changes which threads can run before a step: dfs enumerates them (src/kernel/faults.ts)
    expect(() => new DporExplorer(Infinity, [], 1).next()!.fault!('spurious-wakeup', 2)).toThrow('dpor does not enumerate spurious wakeups (they change which threads can run before a step): use dfs');
    expect(new DporExplorer().next()!.fault!('spurious-wakeup', 2)).toBe(0);
  });

  it('a root prefix does not combine with a fault budget; an explorer names its bounds', () => {
    expect(() => new DfsExplorer(Infinity, [1], 1)).toThrow(/root prefix/);
    expect(() => new DporExplorer(Infinity, [1], 1)).toThrow(/root prefix/);
    expect(new DfsExplorer().describe).toBe('dfs');
    expect(new DfsExplorer(2).describe).toBe('dfs(P=2)');
    expect(new DfsExplorer(Infinity, [], 1).describe).toBe('dfs(F=1)');
    expect(new DfsExplorer(0, [], 2).describe).toBe('dfs(P=0,F=2)');
    expect(new DporExplorer().describe).toBe('dpor');
    expect(new DporExplorer(1).describe).toBe('dpor(P=1)');
    expect(new DporExplorer(1, [], 3).describe).toBe('dpor(P=1,F=3)');
  });
});

describe('determinism self-checks', () => {
  /** Explores, handing each run the program `progFor(run number)`; the ends of the runs. */
  function exploreChanging(x: DfsExplorer | DporExplorer, progFor: (k: number) => ToyProgram): ToyRun[] {
    const runs: ToyRun[] = [];
    for (let s = x.next(); s && runs.length < 50; s = x.next()) {
      let r: ToyRun;
      try {
        r = runToy(progFor(runs.length), s);
      } catch (e) {
        // a fault point's check throws inside a step (the kernel reports it as the run's internal error)
        if (!(e instanceof ReplayDivergence)) throw e;
        r = { end: { kind: 'replay-diverged', steps: 0, message: e.message }, picks: [], steps: [], outcome: '', decisions: [] };
      }
      runs.push(r);
      x.finish({ failed: false, picks: r.picks });
    }
    return runs;
  }
  const diverged = (runs: ToyRun[]) => runs.filter((r) => r.end.kind === 'replay-diverged' && r.end.message.includes('not deterministic'));

  it('a program that runs differently when re-run from a prefix is reported as not deterministic, never explored past', () => {
    const three: ToyProgram = [[{ k: 'a', v: 'x' }, { k: 'a', v: 'x' }], [{ k: 'a', v: 'y' }, { k: 'a', v: 'y' }], [{ k: 'r', v: 'x' }]];
    const two: ToyProgram = three.slice(0, 2);
    for (const make of [() => new DfsExplorer(), () => new DporExplorer()]) {
      // the first run sees three threads, every later one two: the recorded choice points no longer match
      const runs = exploreChanging(make(), (k) => (k === 0 ? three : two));
      expect(diverged(runs).length, make().describe).toBeGreaterThan(0);
    }
    // dpor's branch step, where the recorded run offers no check: thread 2 was to run, but thread 1 is the only one now
    const alone = exploreChanging(new DporExplorer(), (k) => (k === 0 ? [[{ k: 'w', v: 'x' }], [{ k: 'w', v: 'x' }]] : [[{ k: 'w', v: 'x' }]]));
    expect(diverged(alone).map((r) => r.end.kind === 'replay-diverged' && r.end.message)).toEqual(['dpor: the program is not deterministic at step 0']);
    // a fault point whose alternatives change between runs
    const f = (n: number): ToyProgram => [[{ k: 'f', n }, { k: 'f', n: 2 }]];
    const runs = exploreChanging(new DfsExplorer(Infinity, [], 2), (k) => (k === 0 ? f(3) : f(2)));
    expect(diverged(runs).length).toBeGreaterThan(0);
  });
});

describe('dfs notices a program that is not deterministic', () => {
  const T = (tid: number) => ({ tid, label: `t${tid}`, state: 'runnable', waitingOn: null, wakePending: false, step: () => 0 }) as SimThread;
  const diverges = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof ReplayDivergence) return e.message;
      throw e;
    }
    return null;
  };

  /**
   * A first run (the first pick among threads 1 and 2, then `first`) recorded as picks [1, ...], then a re-run of
   * its first pick, after which `second` meets the choice point that changed: the divergence message.
   */
  const rerun = (x: DfsExplorer, first: (s: Strategy) => void, picks: number[], second: (s: Strategy) => unknown) => {
    const s = x.next()!;
    s.pick([T(1), T(2)], 0);
    first(s);
    x.finish({ failed: false, picks });
    const r = x.next()!;
    r.pick([T(1), T(2)], 0);
    return diverges(() => second(r));
  };
  const twoPicks = (s: Strategy) => s.pick([T(1), T(2)], 1);

  it('reports a re-run of a prefix whose choice point changed (other runnable threads, a fault point turned into a pick and back)', () => {
    // run 1: two picks among threads 1 and 2; run 2 re-runs pick 0 and must re-meet pick 1 as it was
    expect(rerun(new DfsExplorer(), twoPicks, [1, 1], (s) => s.pick([T(1), T(3)], 4))).toBe('dfs: the program is not deterministic: choice point 1 (step 4) had runnable 1,2, now 1,3');
    // a fault point where a pick was, and a pick where a fault point was
    expect(rerun(new DfsExplorer(Infinity, [], 1), (s) => s.fault!('eintr', 2), [1], (s) => s.pick([T(1), T(2)], 1))).toBe('dfs: the program is not deterministic: choice point 1 (step 1) had runnable 0,1, now 1,2');
    // other runnable threads that still include the prefix's pick; a fault point of as many alternatives as the pick's threads
    expect(rerun(new DfsExplorer(), twoPicks, [1, 1], (s) => s.pick([T(2), T(3)], 1))).toBe('dfs: the program is not deterministic: choice point 1 (step 1) had runnable 1,2, now 2,3');
    expect(rerun(new DfsExplorer(Infinity, [], 1), (s) => s.fault!('eintr', 3), [1], (s) => s.pick([T(0), T(1), T(2)], 1))).toBe('dfs: the program is not deterministic: choice point 1 (step 1) had runnable 0,1,2, now 0,1,2');
    expect(rerun(new DfsExplorer(Infinity, [], 1), twoPicks, [1, 1], (s) => s.fault!('eintr', 2))).toBe('dfs: the program is not deterministic: choice point 1 is no longer the same fault point');
  });
});
