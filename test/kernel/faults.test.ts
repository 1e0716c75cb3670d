// Each fault-injection option finds the planted bug that only it exposes,
// and the same scenario passes with the option off (and with the bug off
// and every option on).
import { describe, expect, it } from 'vitest';
import type { FaultOptions } from '../../src/kernel/faults.ts';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import { DfsExplorer } from '../../src/sched/strategies/dfs.ts';
import { DporExplorer } from '../../src/sched/strategies/dpor.ts';
import { explore } from '../../src/script/explore.ts';
import { runScenario } from '../../src/script/runner.ts';
import type { Scenario } from '../../src/script/scenario.ts';
import spurious from '../../scenarios/fault-pipe-spurious-wakeup.ts';
import eintr from '../../scenarios/fault-stream-eintr.ts';
import shortRead from '../../scenarios/fault-stream-short-read.ts';

const SEEDS = 25;

function failures(sc: Scenario, bug: PlantedBug | null, faults: FaultOptions | undefined): number {
  let n = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = runScenario(sc, { seed, bugs: bug ? [bug] : [], ...faults, checkInvariants: true });
    if (r.failures.length) n++;
  }
  return n;
}

const ALL: FaultOptions = { spuriousWakeups: true, eintr: true, shortIo: true };
const cases: [string, Scenario, PlantedBug, FaultOptions][] = [
  ['--spurious-wakeups', spurious, 'pipe-read-no-recheck', { spuriousWakeups: true }],
  ['--eintr', eintr, 'stream-send-eintr-drops-count', { eintr: true }],
  ['--short-io', shortRead, 'stream-partial-read-drops-rest', { shortIo: true }],
];

describe('fault injection', () => {
  for (const [flag, sc, bug, option] of cases) {
    it(`${flag} finds ${bug}; without ${flag} the same scenario passes`, () => {
      expect(failures(sc, bug, option)).toBeGreaterThan(0);
      expect(failures(sc, bug, undefined)).toBe(0);
      // only this option exposes it
      for (const [, , , other] of cases) if (other !== option) expect(failures(sc, bug, other)).toBe(0);
      // and the correct kernel passes with every option on
      expect(failures(sc, null, ALL)).toBe(0);
    });
  }

  // dfs decides fault points itself: a fault budget F bounds the faults a
  // schedule takes, so "exhausted" covers faults too, and a failure replays
  // from its picks and fault decisions alone.
  for (const [flag, sc, bug, option] of cases) {
    it(`dfs with ${flag} and a fault budget of 1 finds ${bug}; without ${flag} its scenario exhausts, passing`, () => {
      const found = explore(sc, new DfsExplorer(1, [], 1), { seed: 1, bugs: [bug], ...option });
      expect(found.failure).not.toBeNull();
      const f = found.failure!;
      expect(f.faultPicks?.some((d) => d !== 0)).toBe(true);
      const again = runScenario(sc, { seed: 99, bugs: [bug], ...option, picks: f.picks, faultPicks: f.faultPicks });
      expect(again.hash).toBe(f.hash);
      const without = explore(sc, new DfsExplorer(1, [], 1), { seed: 1, bugs: [bug] });
      expect(without.exhausted).toBe(true);
      // the correct kernel passes every schedule with <= 1 preemption and <= 1 fault
      expect(explore(sc, new DfsExplorer(1, [], 1), { seed: 1, ...option }).exhausted).toBe(true);
    });
  }

  it('dpor enumerates --eintr and --short-io fault points too: it finds their bugs, and agrees with dfs that the correct kernel passes', () => {
    for (const [, sc, bug, option] of cases.slice(1)) {
      const found = explore(sc, new DporExplorer(1, [], 1), { seed: 1, bugs: [bug], ...option });
      expect(found.failure, bug).not.toBeNull();
      const ok = explore(sc, new DporExplorer(1, [], 1), { seed: 1, ...option });
      expect(ok.exhausted, bug).toBe(true);
    }
    // a spurious wakeup changes which threads can run before a step: dpor refuses it (the CLI uses dfs)
    expect(() => explore(spurious, new DporExplorer(1, [], 1), { seed: 1, spuriousWakeups: true })).toThrow(/spurious/);
  });

  it('a run with faults replays from its seed and picks', () => {
    const a = runScenario(spurious, { seed: 3, ...ALL });
    const b = runScenario(spurious, { seed: 3, ...ALL, picks: a.picks });
    expect(b.hash).toBe(a.hash);
  });
});
