// Sweeps: the summary is a function of the plan alone. Two workers give
// exactly what one gives (failures, groups, shrunk schedules, distinct
// interleavings), shards merged give exactly the unsharded sweep, and
// stopping early cuts at a seed, not at a moment.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, main, type ProgressSink } from '../../src/cli.ts';
import { progressLine } from '../../src/explore/progress.ts';
import { shardPrefixes, subtreePrefixes, underPrefix } from '../../src/explore/subtrees.ts';
import { collect, runSeeds, shardRange, type SweepPlan, type SweepSummary } from '../../src/explore/sweep.ts';
import { runScenario } from '../../src/script/runner.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const progress: ProgressSink = { tty: false, write: () => {} };
  const code = await main(argv, (s) => lines.push(s), undefined, progress);
  return { code, out: lines.join('\n') };
}

const json = async (...argv: string[]): Promise<SweepSummary> => JSON.parse((await cli(...argv, '--json')).out);

const SWEEP = ['sweep', 'scenarios/pipe-pingpong.ts', '--seeds', '2'];

describe('sweep', () => {
  it('two workers give the same summary as one, failures, shrunk schedules and interleavings included', async () => {
    const args = ['sweep', 'scenarios/pipe-pingpong.ts', '--bug', 'pipe-write-no-wake', '--seeds', '16'];
    const one = await json(...args, '--workers', '1');
    const two = await json(...args, '--workers', '2');
    expect(one.failures).toBeGreaterThan(0);
    expect(one.groups[0].shrunk?.report.length).toBeGreaterThan(10);
    expect(two).toEqual(one);
  });

  it('stopping early is decided in seed order: chunks finishing in any order stop at the same seed', async () => {
    const sc = await loadScenario('scenarios/race-two-acceptors.ts');
    const plan: SweepPlan = { file: 'x', spec: { bugs: ['accept-single-waker'] }, from: 1, count: 120, maxFailures: 3 };
    const inOrder = await collect(plan, [async (a, n) => runSeeds(sc, plan.spec, a, n)]);
    // three "workers" whose answers arrive late and out of order
    let tick = 0;
    const late = (delay: number) => async (a: number, n: number) => {
      for (let i = 0; i < delay + (tick++ % 3); i++) await Promise.resolve();
      return runSeeds(sc, plan.spec, a, n);
    };
    const shuffled = await collect(plan, [late(5), late(0), late(9)]);
    expect(shuffled).toEqual(inOrder);
    expect(inOrder.stopped).toBe(true);
    expect(inOrder.outcomes.filter((o) => o.failure)).toHaveLength(3);
    expect(inOrder.outcomes[inOrder.outcomes.length - 1].failure).not.toBeNull();
  });

  it('shards run one by one and merged equal the unsharded sweep (and so does `unixsim merge` of their files)', async () => {
    const args = ['sweep', 'scenarios/race-poll-wakeup-recheck.ts', '--bug', 'poll-no-recheck', '--seeds', '19', '--from', '3', '--workers', '1', '--shrink-runs', '6'];
    const whole = await json(...args);
    expect(whole.groups.length).toBeGreaterThan(1);
    const dir = mkdtempSync(join(tmpdir(), 'unixsim-shards-'));
    const files: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const f = join(dir, `shard-${i}.json`);
      writeFileSync(f, (await cli(...args, '--shard', `${i}/3`, '--json')).out);
      files.push(f);
    }
    const merged = JSON.parse((await cli('merge', ...files.reverse(), '--json')).out);
    expect(merged).toEqual(whole);
    const text = await cli('merge', ...files);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/race-poll-wakeup-recheck: 19 runs \(seeds 3\.\.21, random, bugs poll-no-recheck\)/);
    expect(text.out).toMatch(/^group 1: check "poll returned one fd with POLLIN"$/m);
  });

  it('a shard split covers every seed exactly once', () => {
    for (const [count, n] of [[10, 3], [7, 7], [3, 5], [1000, 16]]) {
      const seen: number[] = [];
      for (let i = 1; i <= n; i++) {
        const r = shardRange(1, count, { index: i, total: n });
        for (let s = r.from; s < r.from + r.count; s++) seen.push(s);
      }
      expect(seen).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    }
  });

  it('the text summary says what ran and groups the failures, each with its count, smallest seed and shrunk schedule', async () => {
    const r = await cli('sweep', 'scenarios/race-scm-receiver-close.ts', '--seeds', '12', '--bug', 'close-forgets-inflight', '--check', '--workers', '1', '--stop-at-first');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^race-scm-receiver-close: 1 runs \(seeds 1, random, bugs close-forgets-inflight\)$/m);
    expect(r.out).toMatch(/^ {2}flags: --bug close-forgets-inflight --check$/m);
    expect(r.out).toMatch(/^ {2}stopped after seed 1 /m);
    expect(r.out).toMatch(/^group 1: invariant: file # \(socket:\[#\]\) has refs=# but # references exist$/m);
    expect(r.out).toMatch(/^ {2}1 failing run; smallest seed 1$/m);
    expect(r.out).toMatch(/schedule shrunk in \d+ runs: \d+ preemptions, .* -> 0 preemptions/);
  });

  it('bad sweep and merge usage is a one-line error, exit 2', async () => {
    expect((await cli(...SWEEP, '--shard', '4/3')).code).toBe(2);
    expect((await cli(...SWEEP, '--workers', '0')).code).toBe(2);
    expect((await cli('merge')).code).toBe(2);
    expect((await cli('merge', 'package.json')).code).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'unixsim-overlap-'));
    writeFileSync(join(dir, 'a.json'), (await cli(...SWEEP, '--json')).out);
    expect((await cli('merge', join(dir, 'a.json'), join(dir, 'a.json'))).code).toBe(2);
  });

  it('progress: a bar on a TTY, a plain line otherwise', () => {
    const p = { done: 1200, failures: 3, total: 3000 };
    expect(progressLine(p, 1, true)).toBe('[##########..............] 1200/3000 runs, 3 failures, 1,200 runs/s, ETA 2s');
    expect(progressLine(p, 1, false)).toBe('progress: 1200/3000 runs, 3 failures, 1,200 runs/s, ETA 2s');
  });

  it('piped into head, the command ends quietly (no EPIPE stack trace)', () => {
    const out = execFileSync('sh', ['-c', 'node bin/unixsim.mjs sweep scenarios/pipe-pingpong.ts --seeds 30 --bug pipe-write-no-wake --workers 1 2>&1 | head -n 1'], { encoding: 'utf8' });
    expect(out.trim()).toMatch(/^pipe-pingpong: 30 runs/);
    expect(out).not.toMatch(/EPIPE|Error/);
  });
});

describe('splitting the schedule tree (for dfs and dpor shards)', () => {
  it('the depth-3 prefixes are disjoint subtrees that hold every schedule, and shards share none of them', async () => {
    const sc = await loadScenario('scenarios/race-two-acceptors.ts');
    const prefixes = subtreePrefixes(sc, { seed: 1 }, 3);
    expect(prefixes.length).toBeGreaterThan(3);
    for (const p of prefixes) for (const q of prefixes) if (p !== q) expect(underPrefix(p, q) || underPrefix(q, p)).toBe(false);
    for (let seed = 1; seed <= 12; seed++) {
      const picks = runScenario(sc, { seed }).picks;
      expect(prefixes.filter((p) => underPrefix(picks, p)), `seed ${seed}`).toHaveLength(1);
    }
    const shards = [1, 2, 3].map((index) => shardPrefixes(prefixes, { index, total: 3 }));
    expect(shards.flat().sort()).toEqual([...prefixes].sort());
    expect(new Set(shards.flat().map(String)).size).toBe(prefixes.length);
  });
});
