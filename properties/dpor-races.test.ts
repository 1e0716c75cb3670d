// dpor's race analysis on programs long enough to need it: two threads of
// 3 to 6 toy steps (properties/lib/toy.ts), where a race can be ordered by a
// later step of the same thread, and a reversal has to move a step past
// several independent ones. The Mazurkiewicz traces are counted by brute
// force over dfs's schedules, independently of dpor:
//   - unbounded, dpor makes exactly one run per trace, and no run is cut
//     short by its sleep set: with two threads, source sets and sleep sets
//     are optimal (Abdulla et al., POPL 2014: a sleep-set blocked run needs a
//     third thread, whose step wakes no sleeper), so every backtrack point
//     dpor adds beyond what the races ask costs a run, and every race it
//     misses a trace;
//   - bounded (`dpor --preemptions P`), no run preempts more than P times,
//     the runs reach exactly the traces dfs reaches within P, with two
//     threads and with three that sleep and wake (plain DPOR pruned by the
//     bound misses some: Coons et al., OOPSLA 2013), a thread whose own step
//     stopped it sleeps in a bounded pass too (a hand-counted program), and
//     a bound no run can reach explores the traces unbounded dpor does;
//   - with three threads a run can be cut short by its sleep set, and such
//     runs are counted (a hand-checked program); a third thread that races
//     with nobody is never an initial, so it costs no run;
//   - when every step conflicts with every other (all write x), no two
//     schedules are equivalent and no sleep set ever holds a thread, so
//     dpor with bound P runs exactly dfs's schedules within P: its reversals
//     past the bound must fall back to the last free switch;
//   - with steps that meet two fault points, dpor with fault budget F reaches
//     exactly the outcomes dfs with F reaches, and no run takes more than F;
//     and it makes one run per trace and decision vector, counting a step
//     that met a fault point as conflicting with every other thread's step
//     (its variants are tried from the state before it) and one past the
//     budget, which meets none, as its reads and writes say.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DfsExplorer } from '../src/sched/strategies/dfs.ts';
import { DporExplorer } from '../src/sched/strategies/dpor.ts';
import { KeepCurrentStrategy } from '../src/sched/strategies/keep.ts';
import { propertyRuns } from './lib/profile.ts';
import { abandonedToy, conflict, exploreToy, runToy, stepOrder, toyFaultPairArb, toyLongPairArb, toyLongStraightArb, toyTrioArb, traceKey, type ToyProgram, type ToyRun } from './lib/toy.ts';

const SEED = 20_261_201;

/** Preemptions of a run of a program without waits: switches away from a thread with steps left. */
function preemptions(prog: ToyProgram, r: ToyRun): number {
  const left = prog.map((ops) => ops.length);
  let n = 0;
  let last: number | null = null;
  for (const s of r.steps) {
    if (last !== null && s.tid !== last && left[last - 1] > 0) n++;
    left[s.tid - 1]--;
    last = s.tid;
  }
  return n;
}

describe('dpor on two-thread programs of up to 12 steps', () => {
  it('makes exactly one run per Mazurkiewicz trace, none sleep-set blocked, and reaches every outcome', () => {
    fc.assert(
      fc.property(toyLongPairArb, (prog) => {
        const dfs = exploreToy(prog, new DfsExplorer());
        const traces = new Set(dfs.map(traceKey));
        const x = new DporExplorer();
        const runs = exploreToy(prog, x);
        expect(x.sleepBlocked, 'a sleep-set blocked run').toBe(0);
        expect(runs.filter(abandonedToy)).toEqual([]);
        expect(new Set(runs.map(traceKey))).toEqual(traces);
        expect(runs.length, 'runs against traces').toBe(traces.size);
        expect(new Set(runs.map((r) => r.outcome))).toEqual(new Set(dfs.map((r) => r.outcome)));
      }),
      { numRuns: propertyRuns(40), seed: SEED },
    );
  });

  it('bounded: no run preempts more than P times, and the runs reach exactly the traces dfs reaches within P', () => {
    fc.assert(
      fc.property(toyLongStraightArb, fc.integer({ min: 0, max: 2 }), (prog, bound) => {
        const within = new Set(exploreToy(prog, new DfsExplorer(bound)).map(traceKey));
        const runs = exploreToy(prog, new DporExplorer(bound)).filter((r) => !abandonedToy(r));
        for (const r of runs) expect(preemptions(prog, r), r.steps.map((s) => s.tid).join('')).toBeLessThanOrEqual(bound);
        expect(new Set(runs.map(traceKey))).toEqual(within);
      }),
      { numRuns: propertyRuns(40), seed: SEED },
    );
  });

  it('bounded: reaches "thread 2 first" with no preemption, past the sleep set that hid it (r x, w y / r x, r x, r y, w y)', () => {
    // Reversing w y and r y needs a preemption, so the reversal falls back to the first state, where
    // thread 1 sleeps after the first run (its r x commutes with all of thread 2's steps): with sleep
    // sets in a bounded pass, the run "thread 2 first" was abandoned and its outcome never seen.
    const prog: ToyProgram = [
      [{ k: 'r', v: 'x' }, { k: 'w', v: 'y' }],
      [{ k: 'r', v: 'x' }, { k: 'r', v: 'x' }, { k: 'r', v: 'y' }, { k: 'w', v: 'y' }],
    ];
    const outcomes = (runs: ToyRun[]) => new Set(runs.filter((r) => !abandonedToy(r)).map((r) => r.outcome));
    const want = outcomes(exploreToy(prog, new DfsExplorer(0)));
    expect(want.size).toBe(2);
    expect(outcomes(exploreToy(prog, new DporExplorer(0)))).toEqual(want);
  });

  it('bounded: a thread whose step stopped it sleeps past steps that commute with it (w y / r x, w y: 4 runs at P=1)', () => {
    // Two traces (which w y is first). Pass 0: thread 1 first, then the race on y puts thread 2 first at the
    // start, where thread 1, which exited, sleeps until thread 2's w y: 2 runs. Pass 1 runs those 2 again; its
    // reversal of the two w y's asks for thread 1 after thread 2's r x (a preemption, within P=1), but thread 1
    // sleeps there: taking it first cost no more than taking it now, and that run was made. Without the sleep
    // set that is a fifth run, of the trace "thread 1 first" again.
    const prog: ToyProgram = [[{ k: 'w', v: 'y' }], [{ k: 'r', v: 'x' }, { k: 'w', v: 'y' }]];
    const x = new DporExplorer(1);
    const runs = exploreToy(prog, x);
    expect(runs.map((r) => r.steps.map((s) => s.tid).join(''))).toEqual(['122', '221', '122', '221']);
    expect(x.sleepBlocked).toBe(0);
  });

  it('bounded: a thread preempted at a state sleeps there too: one run per trace and pass (r y, w x / w y, r x, r y at P=2)', () => {
    // The traces within 0, 1 and 2 preemptions, counted over dfs's schedules, are the fewest runs a dpor that
    // iterates the bound can make (2 + 4 + 4). Thread 1, preempted by thread 2 at a state where it was tried,
    // sleeps there; awake, it costs an eleventh run, of a trace already run in that pass.
    const prog: ToyProgram = [
      [{ k: 'r', v: 'y' }, { k: 'w', v: 'x' }],
      [{ k: 'w', v: 'y' }, { k: 'r', v: 'x' }, { k: 'r', v: 'y' }],
    ];
    const perPass = [0, 1, 2].map((p) => new Set(exploreToy(prog, new DfsExplorer(p)).map(traceKey)).size);
    expect(perPass).toEqual([2, 4, 4]);
    const x = new DporExplorer(2);
    expect(exploreToy(prog, x).length).toBe(10);
    expect(x.sleepBlocked).toBe(0);
  });

  it('a bound above any run\'s preemptions explores the traces unbounded dpor does', () => {
    fc.assert(
      fc.property(toyLongStraightArb, (prog) => {
        const steps = prog.flat().length;
        const unbounded = exploreToy(prog, new DporExplorer());
        // a two-thread run of n steps preempts at most n - 1 times
        const x = new DporExplorer(steps - 1);
        const runs = exploreToy(prog, x).filter((r) => !abandonedToy(r));
        expect(new Set(runs.map(traceKey))).toEqual(new Set(unbounded.map(traceKey)));
        expect(x.limit).toBe(steps - 1);
      }),
      { numRuns: propertyRuns(20), seed: SEED },
    );
  });
});

describe('bounded dpor with three threads that sleep and wake', () => {
  it('reaches exactly the traces dfs reaches within P', () => {
    fc.assert(
      fc.property(toyTrioArb, fc.integer({ min: 0, max: 2 }), (prog, bound) => {
        const within = new Set(exploreToy(prog, new DfsExplorer(bound)).map(traceKey));
        const x = new DporExplorer(bound);
        const runs = exploreToy(prog, x);
        const complete = runs.filter((r) => !abandonedToy(r));
        expect(x.sleepBlocked).toBe(runs.length - complete.length);
        expect(new Set(complete.map(traceKey))).toEqual(within);
      }),
      { numRuns: propertyRuns(40), seed: SEED },
    );
  });
});

describe('dpor with three threads', () => {
  it('counts the runs its sleep sets cut short: post / add y / post then read y', () => {
    // 4 traces (which post is first, and whether the add or the read of y is); with three threads source
    // sets can pick a branch whose continuation finds only sleeping threads (wakeup trees would not): here one
    const prog: ToyProgram = [[{ k: 'post' }], [{ k: 'a', v: 'y' }], [{ k: 'post' }, { k: 'r', v: 'y' }]];
    const x = new DporExplorer();
    const runs = exploreToy(prog, x);
    const complete = runs.filter((r) => !abandonedToy(r));
    expect(new Set(complete.map(traceKey))).toEqual(new Set(exploreToy(prog, new DfsExplorer()).map(traceKey)));
    expect(complete.length).toBe(4);
    expect(x.sleepBlocked).toBe(runs.length - complete.length);
    expect(x.sleepBlocked).toBeGreaterThan(0);
  });
});

describe('dpor with three threads, two races with one of them', () => {
  it('adds one initial per reversal, none when one is scheduled, an awake one first: a y / r x / w y, a x, w y in 6 runs', () => {
    // Thread 3 races with thread 1 on y (twice) and with thread 2 on x: 3 x 2 = 6 traces. Each reversal
    // needs one initial at its state; a second one there, or one more when an initial is already in the
    // backtrack set, or a sleeping one when an awake one can start the sequence, costs a run that its
    // sleep set cuts short (or repeats a trace).
    const prog: ToyProgram = [[{ k: 'a', v: 'y' }], [{ k: 'r', v: 'x' }], [{ k: 'w', v: 'y' }, { k: 'a', v: 'x' }, { k: 'w', v: 'y' }]];
    const traces = new Set(exploreToy(prog, new DfsExplorer()).map(traceKey));
    expect(traces.size).toBe(6);
    const x = new DporExplorer();
    const runs = exploreToy(prog, x);
    expect(new Set(runs.map(traceKey))).toEqual(traces);
    expect(runs.length).toBe(6);
    expect(x.sleepBlocked).toBe(0);
  });
});

describe('dpor with a third thread independent of the other two', () => {
  it('adds no backtrack point for it: one run per trace, none sleep-set blocked', () => {
    // Threads 1 and 2 race on x, thread 3 touches only y: no race involves thread 3, so the initials
    // of every reversal are thread 1's or 2's, and a reversal that named thread 3 too would cost runs
    // (cut short by the sleep set, or traces run twice).
    const on = (v: 'x' | 'y') => fc.record({ k: fc.constantFrom('r' as const, 'w' as const, 'a' as const), v: fc.constant(v) });
    const prog = fc.tuple(fc.array(on('x'), { minLength: 1, maxLength: 3 }), fc.array(on('x'), { minLength: 1, maxLength: 3 }), fc.array(on('y'), { minLength: 1, maxLength: 2 }));
    fc.assert(
      fc.property(prog, (threads) => {
        const p: ToyProgram = [...threads];
        const traces = new Set(exploreToy(p, new DfsExplorer()).map(traceKey));
        const x = new DporExplorer();
        const runs = exploreToy(p, x);
        expect(x.sleepBlocked).toBe(0);
        expect(runs.length).toBe(traces.size);
      }),
      { numRuns: propertyRuns(40), seed: SEED },
    );
  });
});

describe('dpor when every step conflicts', () => {
  it('runs exactly the schedules dfs runs within the preemption bound', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 3 }), fc.integer({ min: 0, max: 2 }), (lens, bound) => {
        const prog: ToyProgram = lens.map((n) => Array.from({ length: n }, () => ({ k: 'w' as const, v: 'x' as const })));
        const want = new Set(exploreToy(prog, new DfsExplorer(bound)).map(stepOrder));
        const runs = exploreToy(prog, new DporExplorer(bound)).filter((r) => !abandonedToy(r));
        expect(new Set(runs.map(stepOrder))).toEqual(want);
      }),
      { numRuns: propertyRuns(40), seed: SEED },
    );
  });
});

describe('dpor with two fault points in a step', () => {
  it('reaches exactly the outcomes dfs reaches within the fault budget, no run taking more faults', () => {
    fc.assert(
      fc.property(toyFaultPairArb, fc.integer({ min: 1, max: 3 }), (prog, budget) => {
        const dfs = exploreToy(prog, new DfsExplorer(Infinity, [], budget));
        const runs = exploreToy(prog, new DporExplorer(Infinity, [], budget)).filter((r) => !abandonedToy(r));
        for (const r of runs) expect(r.decisions.filter((d) => d !== 0).length, r.decisions.join()).toBeLessThanOrEqual(budget);
        expect(new Set(runs.map((r) => r.outcome))).toEqual(new Set(dfs.map((r) => r.outcome)));
      }),
      { numRuns: propertyRuns(20), seed: SEED },
    );
  });

  /**
   * A run's trace with its fault decisions: a step that met a fault point (one whose budget was not yet
   * spent: past it there is no point, only "no fault") has variants, so it conflicts with every step of
   * another thread; the other steps conflict as their reads and writes say.
   */
  function faultTrace(prog: ToyProgram, r: ToyRun, budget: number): string {
    let taken = 0, d = 0;
    const met = r.steps.map((s) => {
      const op = prog[s.tid - 1][s.nth];
      let point = false;
      if (op.k === 'f') {
        for (let k = 0; k < (op.then === undefined ? 1 : 2); k++, d++) {
          if (taken >= budget) continue;
          point = true;
          if (r.decisions[d] !== 0) taken++;
        }
      }
      return point;
    });
    const st = r.steps;
    const pairs: string[] = [];
    for (let i = 0; i < st.length; i++) {
      for (let j = i + 1; j < st.length; j++) {
        if (st[i].tid !== st[j].tid && (met[i] || met[j] || conflict(st[i], st[j]))) pairs.push(`${st[i].tid}.${st[i].nth}<${st[j].tid}.${st[j].nth}`);
      }
    }
    return `${pairs.sort().join(' ')} | ${r.decisions.join(',')}`;
  }

  it('makes exactly one run per trace and decision vector, a step past the budget commuting like one without faults', () => {
    fc.assert(
      // at most 3 steps, budget 1 or 2: a few dozen runs each (dfs enumerates every decision vector of every interleaving)
      fc.property(toyFaultPairArb.filter((p) => p.flat().length <= 3), fc.integer({ min: 1, max: 2 }), (prog, budget) => {
        const want = new Set(exploreToy(prog, new DfsExplorer(Infinity, [], budget)).map((r) => faultTrace(prog, r, budget)));
        const runs = exploreToy(prog, new DporExplorer(Infinity, [], budget));
        expect(runs.filter(abandonedToy)).toEqual([]);
        expect(new Set(runs.map((r) => faultTrace(prog, r, budget)))).toEqual(want);
        expect(runs.length).toBe(want.size);
      }),
      {
        numRuns: propertyRuns(25),
        seed: SEED,
        // 15 (trace, decisions) pairs: 18 runs if the step past the budget still counted as one with a fault point, 6 if none did
        examples: [[[[{ k: 'r', v: 'x' }], [{ k: 'f', n: 2, then: 3 }, { k: 'f', n: 2, then: 2 }]], 1]],
      },
    );
  });
});
