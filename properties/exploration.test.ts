// Properties of the exhaustive explorers, over tiny random programs (a root
// and a forked child doing a few non-blocking pipe operations,
// each result logged): nothing blocks, so every run ends with every process
// exited and its log is what the guest observed. Then:
//   - dfs exhausts the space and never runs the same pick list twice;
//   - every outcome (the logs of all processes) a run under the random or
//     pct strategy reaches, dfs reached too (dfs misses no schedule);
//   - dpor exhausts it in no more runs than dfs and reaches exactly dfs's
//     set of outcomes (each outcome is a Mazurkiewicz class's, and dpor
//     explores one run of each class; a run it abandons is not counted);
//   - dfs with a preemption bound reaches a subset of them, and with bound 0
//     runs only schedules that switch threads where the running one blocks
//     or exits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { O_NONBLOCK, SIGPIPE } from '../src/kernel/abi.ts';
import { DfsExplorer } from '../src/sched/strategies/dfs.ts';
import { DporExplorer } from '../src/sched/strategies/dpor.ts';
import type { Explorer } from '../src/sched/explorer.ts';
import { abandoned, explore } from '../src/script/explore.ts';
import { runScenario, type RunResult } from '../src/script/runner.ts';
import { defineScenario, type Scenario } from '../src/script/scenario.ts';
import type { Sys, SysGen } from '../src/script/sys.ts';
import { propertyRuns } from './lib/profile.ts';

type TinyOp = { op: 'write'; len: number } | { op: 'read'; len: number } | { op: 'close'; end: 0 | 1 } | { op: 'getpid' };

const tinyOpArb: fc.Arbitrary<TinyOp> = fc.oneof(
  fc.record({ op: fc.constant('write' as const), len: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('read' as const), len: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('close' as const), end: fc.constantFrom(0 as const, 1 as const) }),
  fc.constant({ op: 'getpid' as const }),
);

/** ops of the root, then of its child (dfs then runs at most about 100 schedules) */
const tinyProgramArb = fc.array(fc.array(tinyOpArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 2 });

function* runTiny(sys: Sys, ops: TinyOp[], fds: [number, number], me: number): SysGen<void> {
  for (const o of ops) {
    if (o.op === 'write') sys.log(`p${me}`, yield* sys.write(fds[1], 'x'.repeat(o.len)));
    else if (o.op === 'read') {
      const r = yield* sys.read(fds[0], o.len);
      sys.log(`p${me}`, `${r.ret}:${new TextDecoder().decode(r.data)}`);
    } else if (o.op === 'close') sys.log(`p${me}`, yield* sys.close(fds[o.end]));
    else sys.log(`p${me}`, (yield* sys.getpid()) > 0);
  }
}

function tinyScenario(procs: TinyOp[][]): Scenario {
  return defineScenario({
    name: 'tiny-pipe-ops',
    requireCleanExit: false,
    processes: [
      {
        name: 'p0',
        *program(sys) {
          yield* sys.sigaction(SIGPIPE, 'ignore');
          const { fds } = yield* sys.pipe(O_NONBLOCK);
          const kids: number[] = [];
          for (let i = 1; i < procs.length; i++) {
            kids.push(yield* sys.fork(function* (sys) {
              yield* runTiny(sys, procs[i], fds, i);
              return 0;
            }));
          }
          yield* runTiny(sys, procs[0], fds, 0);
          for (const k of kids) yield* sys.wait(k);
          return 0;
        },
      },
    ],
  });
}

/** What the guests observed: every process's logged results, and how the run ended. */
function outcome(r: RunResult, nprocs: number): string {
  const logs = Array.from({ length: nprocs }, (_, i) => r.view.logs(`p${i}`));
  return `${r.end.kind} ${JSON.stringify(logs)}`;
}

/** Explores exhaustively; the set of outcomes and the pick lists of the runs that counted. */
function exploreAll(sc: Scenario, x: Explorer, nprocs: number) {
  const outcomes = new Set<string>();
  const picks: string[] = [];
  const res = explore(sc, x, {
    seed: 1,
    maxSchedules: 20_000,
    onRun: (r) => {
      if (abandoned(r)) return;
      outcomes.add(outcome(r, nprocs));
      picks.push(r.picks.join(','));
    },
  });
  return { res, outcomes, picks };
}

const sorted = (s: Set<string>) => [...s].sort();

describe('exhaustive exploration', () => {
  it('dfs runs every schedule once; dpor reaches the same outcomes in no more runs; random and pct reach nothing dfs missed', () => {
    fc.assert(
      fc.property(tinyProgramArb, fc.integer({ min: 1, max: 1_000_000 }), (procs, seed) => {
        const sc = tinyScenario(procs);
        const n = procs.length;
        const dfs = exploreAll(sc, new DfsExplorer(), n);
        expect(dfs.res.failure?.failures ?? []).toEqual([]);
        expect(dfs.res.exhausted).toBe(true);
        expect(new Set(dfs.picks).size, 'dfs ran a pick list twice').toBe(dfs.picks.length);
        const dpor = exploreAll(sc, new DporExplorer(), n);
        expect(dpor.res.exhausted).toBe(true);
        expect(dpor.res.schedules).toBeLessThanOrEqual(dfs.res.schedules);
        expect(sorted(dpor.outcomes)).toEqual(sorted(dfs.outcomes));
        for (const strategy of ['random', 'pct'] as const) {
          for (let s = seed; s < seed + 2; s++) expect(dfs.outcomes, `${strategy} seed ${s}`).toContain(outcome(runScenario(sc, { seed: s, strategy }), n));
        }
        const bounded = exploreAll(sc, new DfsExplorer(1), n);
        expect(bounded.res.exhausted).toBe(true);
        for (const o of bounded.outcomes) expect(dfs.outcomes).toContain(o);
        // bound 0 switches only where the running thread blocks or exits; keep's run is one of those
        const none = exploreAll(sc, new DfsExplorer(0), n);
        expect(none.res.exhausted).toBe(true);
        for (const o of none.outcomes) expect(bounded.outcomes).toContain(o);
        expect(none.outcomes).toContain(outcome(runScenario(sc, { seed: 1, strategy: 'keep' }), n));
      }),
      { numRuns: propertyRuns(8), seed: 20_261_206 },
    );
  });
});
