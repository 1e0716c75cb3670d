import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/sched/events.ts';
import { Rng } from '../../src/sched/rng.ts';
import { PctStrategy } from '../../src/sched/strategies/pct.ts';
import { RandomStrategy } from '../../src/sched/strategies/random.ts';
import { ReplayStrategy } from '../../src/sched/strategies/replay.ts';
import { RoundRobinStrategy } from '../../src/sched/strategies/roundRobin.ts';
import { ReplayDivergence, type Strategy } from '../../src/sched/strategy.ts';
import type { SimThread } from '../../src/sched/thread.ts';
import { TraceHash } from '../../src/sched/hash.ts';
import { WaitQueue, Waker } from '../../src/sched/waitqueue.ts';
import { runScenario } from '../../src/script/runner.ts';
import pingpong from '../../scenarios/pipe-pingpong.ts';
import { scenarioOf } from '../kernel/harness.ts';

function fake(tid: number): SimThread {
  return { tid, label: `t${tid}`, state: 'runnable', waitingOn: null, wakePending: false, step: () => 1 };
}

describe('rng', () => {
  it('the same seed gives the same sequence; another seed another one', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 20 }, () => a.int(1000));
    expect(Array.from({ length: 20 }, () => b.int(1000))).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.int(1000))).not.toEqual(xs);
  });

  it('forks are deterministic and independent of later draws of the parent', () => {
    const a = new Rng('s').fork('x'), b = new Rng('s').fork('x');
    expect(a.bytes(16)).toEqual(b.bytes(16));
    expect(new Rng('s').fork('x').next()).not.toBe(new Rng('s').fork('y').next());
  });
});

describe('event queue', () => {
  it('fires in time order and breaks ties by insertion order', () => {
    const q = new EventQueue();
    const out: string[] = [];
    q.schedule(5, () => out.push('b5'));
    q.schedule(1, () => out.push('a1'));
    q.schedule(5, () => out.push('c5'));
    q.schedule(3, () => out.push('x3'));
    q.schedule(5, () => out.push('d5'));
    for (let e = q.pop(); e; e = q.pop()) e.fire();
    expect(out).toEqual(['a1', 'x3', 'b5', 'c5', 'd5']);
  });

  it('skips cancelled events, also at the head', () => {
    const q = new EventQueue();
    const e1 = q.schedule(1, () => {});
    q.schedule(2, () => {});
    q.cancel(e1);
    expect(q.peekTime()).toBe(2);
    expect(q.pop()!.time).toBe(2);
    expect(q.pop()).toBeUndefined();
  });
});

describe('wait queues', () => {
  function sleeper(tid: number, woken: number[]): Waker {
    return new Waker(fake(tid), (w) => woken.push(w.owner.tid));
  }

  it("'list' wakes every registered waker once, in order; add is idempotent", () => {
    const woken: number[] = [];
    const q = new WaitQueue('q');
    const a = sleeper(1, woken), b = sleeper(2, woken);
    q.add(a);
    q.add(b);
    q.add(a);
    expect(q.length).toBe(2);
    q.wakeAll();
    expect(woken).toEqual([1, 2]);
    q.wakeAll();
    expect(woken).toEqual([1, 2]);
  });

  it("'list' wakeOne wakes the oldest", () => {
    const woken: number[] = [];
    const q = new WaitQueue('q');
    q.add(sleeper(1, woken));
    q.add(sleeper(2, woken));
    q.wakeOne();
    expect(woken).toEqual([1]);
    expect(q.length).toBe(1);
  });

  it("'single-slot' forgets all but the latest registration", () => {
    const woken: number[] = [];
    const q = new WaitQueue('q', 'single-slot');
    q.add(sleeper(1, woken));
    q.add(sleeper(2, woken));
    q.wakeAll();
    expect(woken).toEqual([2]);
  });

  it("'register-once' never re-arms: a second sleep is not woken", () => {
    const woken: number[] = [];
    const q = new WaitQueue('q', 'register-once');
    const a = sleeper(1, woken);
    q.add(a);
    q.wakeAll();
    q.add(a);
    q.wakeAll();
    expect(woken).toEqual([1]);
  });

  it('remove drops a waker', () => {
    const woken: number[] = [];
    const q = new WaitQueue('q');
    const a = sleeper(1, woken);
    q.add(a);
    q.remove(a);
    q.wakeAll();
    expect(woken).toEqual([]);
  });
});

describe('strategies', () => {
  const ts = [fake(1), fake(2), fake(3)];

  it('random is a function of its seed', () => {
    const pick = (seed: number) => {
      const s: Strategy = new RandomStrategy(new Rng(seed));
      return Array.from({ length: 30 }, (_, i) => s.pick(ts, i).tid);
    };
    expect(pick(7)).toEqual(pick(7));
    expect(new Set(pick(7)).size).toBe(3);
  });

  it('round robin takes the next tid after the last, wrapping', () => {
    const s: Strategy = new RoundRobinStrategy();
    expect(Array.from({ length: 5 }, (_, i) => s.pick(ts, i).tid)).toEqual([1, 2, 3, 1, 2]);
    expect(s.pick([ts[0], ts[2]], 5).tid).toBe(3);
  });

  it('pct runs the highest priority thread until a change point', () => {
    const s: Strategy = new PctStrategy(new Rng(3), 2, 10);
    const picks = Array.from({ length: 12 }, (_, i) => s.pick(ts, i).tid);
    const again: Strategy = new PctStrategy(new Rng(3), 2, 10);
    expect(Array.from({ length: 12 }, (_, i) => again.pick(ts, i).tid)).toEqual(picks);
    // depth 2: one change point, so at most one switch of the running thread
    let switches = 0;
    for (let i = 1; i < picks.length; i++) if (picks[i] !== picks[i - 1]) switches++;
    expect(switches).toBeLessThanOrEqual(1);
  });

  it('replay follows the picks, then the fallback, and diverges loudly', () => {
    const s = new ReplayStrategy([2, 3], new RoundRobinStrategy());
    expect([s.pick(ts, 0).tid, s.pick(ts, 1).tid, s.pick(ts, 2).tid]).toEqual([2, 3, 1]);
    expect(() => new ReplayStrategy([9]).pick(ts, 0)).toThrow(ReplayDivergence);
    const short = new ReplayStrategy([1]);
    short.pick(ts, 0);
    expect(() => short.pick(ts, 1)).toThrow(/needs more/);
  });

  it('a run replays from its recorded picks to the same hash; a corrupted recording diverges', () => {
    const a = runScenario(pingpong, { seed: 11 });
    const b = runScenario(pingpong, { seed: 999, picks: a.picks });
    expect(b.hash).toBe(a.hash);
    expect(b.failures).toEqual([]);
    const bad = a.picks.slice();
    bad[3] = 77;
    const c = runScenario(pingpong, { seed: 11, picks: bad });
    expect(c.end.kind).toBe('replay-diverged');
    expect(c.failures[0]).toMatch(/replay diverged at pick 3/);
  });
});

describe('scheduler', () => {
  it('reports a deadlock naming each sleeper and what it sleeps on', () => {
    const sc = scenarioOf([
      {
        name: 'holder',
        *program(sys) {
          const p = yield* sys.pipe();
          yield* sys.fork(function* (sys) {
            yield* sys.read(p.fds[0], 1); // the parent still holds the write end: sleeps forever
            return 0;
          });
          yield* sys.read(p.fds[0], 1);
          return 0;
        },
      },
    ]);
    const r = runScenario(sc, { seed: 1 });
    expect(r.end.kind).toBe('deadlock');
    if (r.end.kind !== 'deadlock') return;
    expect(r.end.sleepers).toEqual([
      { tid: 1, label: 'pid 1 (holder)', waitingOn: 'pipe:[1000] readers' },
      { tid: 2, label: 'pid 2 (holder)', waitingOn: 'pipe:[1000] readers' },
    ]);
    expect(r.failures[0]).toBe(
      'deadlock after ' + r.end.steps + ' steps: pid 1 (holder) sleeps on pipe:[1000] readers; pid 2 (holder) sleeps on pipe:[1000] readers',
    );
  });

  it('stops at the step limit and says so', () => {
    const sc = scenarioOf([
      {
        name: 'spin',
        *program(sys) {
          for (;;) yield* sys.schedYield();
        },
      },
    ]);
    const r = runScenario(sc, { seed: 1, maxSteps: 50 });
    expect(r.end).toEqual({ kind: 'step-limit', steps: 50 });
    expect(r.failures[0]).toMatch(/step limit reached \(50 steps\)/);
  });

  it('jumps the clock to the next timer when everyone sleeps', () => {
    const sc = scenarioOf([
      {
        name: 'sleeper',
        *program(sys) {
          yield* sys.nanosleep(5_000_000_000);
          return 0;
        },
      },
    ]);
    const r = runScenario(sc, { seed: 1 });
    expect(r.failures).toEqual([]);
    expect(r.time).toBeGreaterThanOrEqual(5_000_000_000);
    expect(r.steps).toBeLessThan(5);
  });
});

describe('trace hash', () => {
  it('int32 mixes exactly as int does for 32-bit values', () => {
    const a = new TraceHash(), b = new TraceHash();
    for (const v of [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 12345, -77]) {
      a.int(v);
      b.int32(v);
    }
    expect(b.hex()).toBe(a.hex());
  });
});
