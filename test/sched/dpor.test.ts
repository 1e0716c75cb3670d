// dpor against dfs: the same verdict on every scenario small enough to
// exhaust, each planted bug dfs finds found by dpor too, with fewer
// schedules; and footprints that keep unmodelled steps dependent.
import { describe, expect, it } from 'vitest';
import { dependent, type Footprint } from '../../src/sched/footprint.ts';
import { DfsExplorer } from '../../src/sched/strategies/dfs.ts';
import { DporExplorer } from '../../src/sched/strategies/dpor.ts';
import { explore } from '../../src/script/explore.ts';
import { twoGetpids } from './two-getpids.ts';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario, type Scenario } from '../../src/script/scenario.ts';
import readerPeerClose from '../../scenarios/race-reader-peer-close.ts';
import listenerClose from '../../scenarios/race-listener-close-full-backlog.ts';
import slowDrain from '../../scenarios/race-slow-drain.ts';
import epollEdge from '../../scenarios/race-epoll-edge-triggered.ts';

const independentPair = twoGetpids;

function both(sc: Scenario, bound: number, bugs: string[] = []) {
  const dfs = explore(sc, new DfsExplorer(bound), { seed: 1, bugs, maxSchedules: 5000 });
  const dpor = explore(sc, new DporExplorer(bound), { seed: 1, bugs, maxSchedules: 5000 });
  return { dfs, dpor };
}

describe('dpor', () => {
  it('runs two processes that share nothing but the exit record in 2 schedules where dfs needs all 20', () => {
    const { dfs, dpor } = both(independentPair, Infinity);
    expect(dfs).toMatchObject({ schedules: 20, exhausted: true });
    // only the exits are ordered (checks may ask which process exited first)
    expect(dpor).toMatchObject({ schedules: 2, exhausted: true });
  });

  it('agrees with dfs on scenarios small enough to exhaust, with fewer schedules', () => {
    for (const [sc, bound] of [[readerPeerClose, 2], [listenerClose, 0], [slowDrain, 1]] as const) {
      const { dfs, dpor } = both(sc, bound);
      expect(dfs.exhausted, sc.name).toBe(true);
      expect(dpor.exhausted, sc.name).toBe(true);
      expect(dpor.schedules, sc.name).toBeLessThanOrEqual(dfs.schedules);
      if (sc === readerPeerClose) expect(dpor.schedules * 2).toBeLessThan(dfs.schedules);
    }
  });

  it('finds every planted bug dfs finds on the same scenarios, in no more schedules', () => {
    const cases: [Scenario, string, number][] = [
      [listenerClose, 'close-no-wake-connectors', 2],
      [slowDrain, 'stream-write-no-wake', 1],
      [epollEdge, 'epoll-et-no-rearm', 1],
    ];
    for (const [sc, bug, bound] of cases) {
      const { dfs, dpor } = both(sc, bound, [bug]);
      expect(dfs.failure, bug).not.toBeNull();
      expect(dpor.failure, bug).not.toBeNull();
      expect(dpor.schedules, bug).toBeLessThanOrEqual(dfs.schedules);
      // the failing schedule replays from its picks
      const again = runScenario(sc, { seed: 1, bugs: [bug], picks: dpor.failure!.picks });
      expect(again.failures.length, bug).toBeGreaterThan(0);
    }
  });

  it('treats a step with no footprint model as dependent with everything', () => {
    const global: Footprint = { reads: new Set(), writes: new Set(['t:1']), global: true };
    const other: Footprint = { reads: new Set(['x']), writes: new Set(['t:2']), global: false };
    const reader: Footprint = { reads: new Set(['x']), writes: new Set(['t:3']), global: false };
    const writer: Footprint = { reads: new Set(), writes: new Set(['x', 't:4']), global: false };
    expect(dependent(global, other)).toBe(true);
    expect(dependent(other, reader)).toBe(false); // both only read x
    expect(dependent(reader, writer)).toBe(true);
    // a syscall with no model (getrandom) makes its step global
    const seen: Footprint[] = [];
    const x = new DporExplorer();
    const s = x.next()!;
    const observe = s.observeStep!.bind(s);
    s.observeStep = (t, r, fp) => {
      seen.push(fp!);
      observe(t, r, fp);
    };
    const sc = defineScenario({ name: 'getrandom', processes: [{ name: 'a', *program(sys) { yield* sys.syscall(278, 0, 0, 0); return 0; } }] });
    runScenario(sc, { seed: 1, schedule: s });
    expect(seen.some((fp) => fp.global && /getrandom/.test(fp.why ?? ''))).toBe(true);
  });

  it('time is a counter: steps add ticks and commute; a deadline reads the clock; a timer fire belongs to the step that made it due', () => {
    const add = (tid: number): Footprint => ({ reads: new Set(), writes: new Set([`t:${tid}`]), adds: new Set(['clock']), global: false });
    const reader: Footprint = { reads: new Set(['clock']), writes: new Set(['t:9', 'timers']), adds: new Set(['clock']), global: false };
    expect(dependent(add(1), add(2))).toBe(false); // two steps advancing the clock commute
    expect(dependent(add(1), reader)).toBe(true); // but not with one that reads the time
    const sc = defineScenario({
      name: 'sleeper-and-worker',
      processes: [
        { name: 'sleeper', *program(sys) { yield* sys.nanosleep(250); return 0; } },
        { name: 'worker', *program(sys) { for (let i = 0; i < 6; i++) yield* sys.getpid(); return 0; } },
      ],
    });
    const seen: [number, Footprint][] = [];
    const s = new DporExplorer().next()!;
    const observe = s.observeStep!.bind(s);
    s.observeStep = (t, r, fp) => {
      seen.push([t.tid, fp!]);
      observe(t, r, fp);
    };
    runScenario(sc, { seed: 1, schedule: s });
    expect(seen.every(([, fp]) => !fp.global && fp.adds?.has('clock'))).toBe(true);
    const sleep = seen.find(([tid, fp]) => tid === 1 && fp.reads.has('clock'));
    expect(sleep?.[1].writes.has('timers')).toBe(true); // the deadline read the clock and armed a timer
    // the worker step during which the 250 ticks ran out woke the sleeper: it writes the sleeper's task
    expect(seen.some(([tid, fp]) => tid === 2 && fp.writes.has('t:1') && fp.writes.has('timers'))).toBe(true);
  });
});
