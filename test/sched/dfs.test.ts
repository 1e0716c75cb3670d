// Bounded exhaustive search counted by hand on a scenario small enough to
// enumerate: two processes that never block, each taking three steps (its
// start up to the first syscall, then two getpid calls, the second of which
// runs on to the exit).
import { describe, expect, it } from 'vitest';
import { DfsExplorer } from '../../src/sched/strategies/dfs.ts';
import { explore } from '../../src/script/explore.ts';
import { twoGetpids } from './two-getpids.ts';

const two = twoGetpids;

function schedules(bound: number): { n: number; runs: number; all: string[] } {
  const all: string[] = [];
  const x = new DfsExplorer(bound);
  const r = explore(two, x, { seed: 1, onRun: (run) => all.push(run.picks.join('')) });
  expect(r.exhausted).toBe(true);
  expect(r.failure).toBeNull();
  return { n: x.distinct, runs: r.schedules, all };
}

describe('dfs', () => {
  // A schedule is a word of three a's and three b's; every switch is a
  // preemption except the one after the first process's last step. A word
  // with r runs has r-2 preemptions, and there are 2*C(2,m-1)*C(2,m-1)
  // words with r = 2m runs and 2*C(2,m)*C(2,m-1) with r = 2m+1:
  //   r=2: 2 (aaabbb, bbbaaa)   r=3: 4   r=4: 8   r=5: 4   r=6: 2   total C(6,3) = 20
  it('P=0 enumerates exactly the two non-preemptive schedules', () => {
    const { n, all } = schedules(0);
    expect(n).toBe(2);
    // picks are recorded only while both can run: aaa then b alone, or bbb then a alone
    expect(all.sort()).toEqual(['111', '222']);
  });

  it('P=1 gives 2+4, P=2 gives 2+4+8, no bound gives all C(6,3) = 20, each schedule once', () => {
    for (const [bound, want] of [[1, 6], [2, 14], [3, 18], [Infinity, 20]] as const) {
      const { n, all } = schedules(bound);
      expect(n).toBe(want);
      expect(new Set(all).size).toBe(want);
    }
  });

  it('iterates the bound: pass b re-runs the schedules of passes < b on its way to the new ones', () => {
    // runs: P=1 is pass 0 (2) + pass 1 (6); P=2 adds pass 2 (14)
    expect(schedules(1).runs).toBe(2 + 6);
    expect(schedules(2).runs).toBe(2 + 6 + 14);
    expect(schedules(Infinity).runs).toBe(20); // one pass when unbounded
  });

  it('says so when --max-schedules stops it before the space is exhausted', () => {
    const r = explore(two, new DfsExplorer(), { seed: 1, maxSchedules: 5 });
    expect(r).toMatchObject({ schedules: 5, exhausted: false, capped: true, failure: null });
    expect(explore(two, new DfsExplorer(0), { seed: 1, maxSchedules: 5 })).toMatchObject({ schedules: 2, exhausted: true });
  });
});
