// The SMP model end to end: one hart is the kernel as it was, lockdep finds
// a lock-order inversion without the schedule that deadlocks, the deadlock
// itself is reported with its lock holders, and a wake that runs ahead of
// its enqueue is found on two harts and absent from the correct kernel.
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/script/explore.ts';
import { loadScenarioFile } from '../../src/script/loader.ts';
import { runScenario, type RunResult } from '../../src/script/runner.ts';
import { scenarioProblem } from '../../src/script/scenario.ts';
import { applyRunFlag, FlagError, runFlag, type RunSpec } from '../../src/explore/run-flags.ts';
import { DfsExplorer } from '../../src/sched/strategies/dfs.ts';

const crossConnect = await loadScenarioFile('scenarios/smp-dgram-cross-connect.ts');
const wakeBeforePublish = await loadScenarioFile('scenarios/cve/wake-before-publish.ts');

describe('one hart', () => {
  // Recorded on main before the kernel had locks (b83bd78): taking them on one hart without
  // kernel preemption must not change a single trace event.
  const GOLDEN: [string, number, 'random' | 'pct', string][] = [
    ['race-two-acceptors', 1, 'random', 'af3f957caf0bf1fa'], // the 3-task version, run on b83bd78's kernel
    ['acceptance-dgram', 1, 'pct', 'df649d01dbbc2b71'],
    ['race-slow-drain', 1, 'random', '95233b7a32da495c'],
  ];
  /** acceptance-dgram's k as b83bd78 measured it: the choice points of its one calibration run */
  const OLD_PCT_K = 88;
  it('gives the trace hashes of the kernel before locks', async () => {
    for (const [name, seed, strategy, hash] of GOLDEN) {
      const sc = await loadScenarioFile(`scenarios/${name}.ts`);
      // pct with the k that kernel's runner calibrated (one random run), not today's calibration
      const pctK = strategy === 'pct' ? OLD_PCT_K : undefined;
      expect(runScenario(sc, { seed, strategy, harts: 1, pctK }).hash, name).toBe(hash);
    }
  });
});

describe('--harts', () => {
  it('is a positive integer, as a flag and as a scenario field', () => {
    const spec: RunSpec = {};
    applyRunFlag(spec, runFlag('--harts')!, '4');
    expect(spec.harts).toBe(4);
    expect(() => applyRunFlag(spec, runFlag('--harts')!, '0')).toThrow(FlagError);
    expect(() => applyRunFlag(spec, runFlag('--harts')!, '65')).toThrow(/at most 64/);
    const sc = (harts: unknown) => ({ name: 'x', processes: [{ name: 'p', *program() {} }], kernel: { harts } });
    expect(scenarioProblem(sc(2))).toBeNull();
    expect(scenarioProblem(sc(1.5))).toMatch(/^kernel.harts must be an integer from 1 to 64, not /);
    expect(scenarioProblem(sc(0))).toMatch(/^kernel.harts must be/);
  });
});

describe('lockdep', () => {
  it("finds the planted ABBA ('dgram-connect-lock-order') in one run on one hart, naming both chains", () => {
    const r = runScenario(crossConnect, { seed: 1, bugs: ['dgram-connect-lock-order'] });
    expect(r.end.kind).toBe('exited'); // the schedule did not deadlock
    const [report] = r.failures;
    expect(report).toMatch(/^lockdep: possible circular locking dependency \(ABBA deadlock\) between socket:\[\d+\] u->lock and socket:\[\d+\] u->lock/);
    expect(report).toMatch(/\n {2}pid \d+ \(a\) in connect\(\) took socket:\[(\d+)\] u->lock while holding socket:\[(?!\1)\d+\] u->lock/);
    expect(report).toMatch(/\n {2}earlier, pid \d+ \(a\) in connect\(\) took socket:\[\d+\] u->lock while holding/);
  });

  it('passes the correct kernel on two harts', () => {
    for (let seed = 1; seed <= 8; seed++) {
      expect(runScenario(crossConnect, { seed, strategy: seed % 2 ? 'random' : 'pct', harts: 2, checkInvariants: true }).failures).toEqual([]);
    }
  });

  it('the deadlock itself, on two harts: both tasks spin, each named with the lock it waits for and its holder', () => {
    const x = new DfsExplorer(1);
    let dead: RunResult | null = null;
    for (let s = x.next(); s && !dead; s = x.next()) {
      const r = runScenario(crossConnect, { seed: 1, bugs: ['dgram-connect-lock-order'], harts: 2, schedule: s });
      if (r.end.kind === 'deadlock') dead = r;
      x.finish({ failed: false, picks: r.picks });
    }
    expect(dead).not.toBeNull();
    const line = dead!.failures.find((f) => f.startsWith('deadlock'))!;
    expect(line).toMatch(
      /^deadlock after \d+ steps: pid (\d) \(a\) sleeps on spinlock socket:\[\d+\] u->lock \(spinning; held by pid (?!\1)\d \(a\) in connect\(\)\); pid \d \(a\) sleeps on spinlock socket:\[\d+\] u->lock \(spinning; held by pid \1 \(a\) in connect\(\)\)$/,
    );
  });
});

describe('the race scenarios on two and three harts', () => {
  // Seeds 5 and 15 once caught a close releasing a socket under a sender stopped inside its
  // critical section (the release now waits for the lock: KernelLock.whenFree).
  it('keep every check and invariant', async () => {
    const cases: [string, number, number][] = [['race-scm-receiver-close', 2, 5], ['race-scm-receiver-close', 2, 7], ['race-dgram-peer-close', 2, 15], ['race-dgram-peer-close', 3, 15]];
    for (const [name, harts, seed] of cases) {
      const sc = await loadScenarioFile(`scenarios/${name}.ts`);
      expect(runScenario(sc, { seed, harts, checkInvariants: true }).failures, `${name} --harts ${harts} --seed ${seed}`).toEqual([]);
    }
  });
});

describe("a wake before the state change it announces ('stream-wake-before-queue')", () => {
  const seeds = (opts: object): RunResult[] =>
    Array.from({ length: 20 }, (_, i) => runScenario(wakeBeforePublish, { seed: i + 1, strategy: 'pct', bugs: ['stream-wake-before-queue'], ...opts }));

  it('is found by pct on two harts as a lost wakeup (both ends asleep), never on one hart without preemption', () => {
    const two = seeds({});
    expect(two.some((r) => r.end.kind === 'deadlock' && /pid 2 \(parent\) sleeps on socket:\[\d+\] readers/.test(r.failures[0]))).toBe(true);
    expect(seeds({ harts: 1 }).every((r) => r.failures.length === 0)).toBe(true);
  });

  it('the correct kernel passes every schedule with up to two preemptions (dfs)', () => {
    const r = explore(wakeBeforePublish, new DfsExplorer(2), { seed: 1, checkInvariants: true, maxSchedules: 2000 });
    expect(r.failure?.failures ?? []).toEqual([]);
    expect(r.exhausted).toBe(true);
    expect(r.schedules).toBeGreaterThan(10);
  });
});
