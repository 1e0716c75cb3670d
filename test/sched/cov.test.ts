// Coverage tuples and the coverage-guided strategy.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { Rng } from '../../src/sched/rng.ts';
import { CovExplorer } from '../../src/sched/strategies/cov.ts';
import { runScenario } from '../../src/script/runner.ts';
import listenerClose from '../../scenarios/race-listener-close-full-backlog.ts';
import twoAcceptors from '../../scenarios/race-two-acceptors.ts';

describe('coverage', () => {
  it('records (syscall, object state, outcome) tuples and who woke whom, only when asked', () => {
    expect(runScenario(listenerClose, { seed: 1 }).coverage).toBeUndefined();
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) for (const c of runScenario(listenerClose, { seed, coverage: true }).coverage!) seen.add(c);
    expect(seen).toContain('connect(listener/full)=sleeps');
    expect(seen).toContain('listen(socket/stream:unconnected)=0');
    expect([...seen].some((c) => c.startsWith('wake '))).toBe(true);
    // no pids or inode numbers: runs compare
    expect([...seen].some((c) => /\[\d/.test(c))).toBe(false);
  });

  it('a sweep prints distinct tuples, new ones per 1000 runs, and the targets never reached', async () => {
    const lines: string[] = [];
    await main(['sweep', 'scenarios/fault-pipe-spurious-wakeup.ts', '--seeds', '30'], (s) => lines.push(s));
    const text = lines.join('\n');
    expect(text).toMatch(/coverage: \d+ distinct \(syscall, object state, outcome\) tuples; new per 1000 runs: \d+/);
    // a wake that finds its condition false needs a spurious wakeup: unreached without one
    expect(text).toMatch(/targets: 2 of 3 reached; never reached: read\(pipe\/empty\)=woke-to-false-condition/);
    lines.length = 0;
    await main(['sweep', 'scenarios/fault-pipe-spurious-wakeup.ts', '--seeds', '30', '--spurious-wakeups'], (s) => lines.push(s));
    expect(lines.join('\n')).toMatch(/targets: 3 of 3 reached/);
  });
});

describe('cov strategy', () => {
  it('keeps schedules that reach new coverage and finds a planted bug from them', () => {
    const x = new CovExplorer(new Rng('cov-test'));
    let found = 0;
    for (let i = 0; i < 60 && !found; i++) {
      const r = runScenario(twoAcceptors, { seed: i, schedule: x.next(), coverage: true, bugs: ['accept-single-waker'] });
      x.finish({ failed: r.failures.length > 0, picks: r.picks, coverage: r.coverage });
      if (r.failures.length) found = i + 1;
    }
    expect(found).toBeGreaterThan(0);
    expect(x.corpus.length).toBeGreaterThan(0);
    expect(x.seen.size).toBeGreaterThan(5);
  });
});
