// `sweep --strategy dfs|dpor --shard I/N` and `merge`: the shards' subtrees
// partition the schedule tree, so their counts add up to the unsharded
// search, and a planted bug is found by some shard and reported by merge.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.ts';

async function run(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(args, (s) => lines.push(s));
  return { code, text: lines.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'unixsim-shard-'));

/** Runs every shard with --json, writes each to a file; returns the files and the parsed results. */
async function shards(args: string[], n: number, tag: string) {
  const files: string[] = [];
  const results: { code: number; outcomes: { schedules: number; exhausted: boolean; failure: unknown }[] }[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await run(['sweep', ...args, '--shard', `${i}/${n}`, '--json']);
    const file = join(dir, `${tag}-${i}.json`);
    writeFileSync(file, r.text);
    files.push(file);
    results.push({ code: r.code, ...JSON.parse(r.text) });
  }
  return { files, results };
}

const SC = 'scenarios/race-reader-peer-close.ts';

describe('sweep --strategy dfs|dpor --shard', () => {
  it('dfs shards at P=1 add up to the unsharded count, and merge says exhausted', async () => {
    const whole = await run(['sweep', SC, '--strategy', 'dfs', '--preemptions', '1']);
    const count = Number(/exhausted: (\d+) schedules/.exec(whole.text)![1]);
    expect(count).toBe(10);
    const { files, results } = await shards([SC, '--strategy', 'dfs', '--preemptions', '1'], 3, 'dfs');
    const sum = results.flatMap((r) => r.outcomes).reduce((n, o) => n + o.schedules, 0);
    expect(sum).toBe(count);
    for (const r of results) expect(r.outcomes.length).toBeGreaterThan(0);
    const merged = await run(['merge', ...files]);
    expect(merged.code).toBe(0);
    expect(merged.text).toMatch(new RegExp(`total: ${count} schedules`));
    expect(merged.text).toMatch(/exhausted: every subtree run to the end, all passed/);
  });

  it('dpor shards all pass and exhaust, as unsharded dpor does', async () => {
    const whole = await run(['sweep', SC, '--strategy', 'dpor', '--preemptions', '1']);
    expect(whole.text).toMatch(/exhausted: \d+ schedules/);
    const { files, results } = await shards([SC, '--strategy', 'dpor', '--preemptions', '1'], 3, 'dpor');
    for (const r of results) {
      expect(r.code).toBe(0);
      for (const o of r.outcomes) expect(o.exhausted && o.failure === null).toBe(true);
    }
    const merged = await run(['merge', ...files]);
    expect(merged.code).toBe(0);
    expect(merged.text).toMatch(/exhausted: every subtree run to the end/);
  });

  it('a planted bug is found by a shard and merge reports it with a replay command; a missing shard is refused', async () => {
    const args = ['scenarios/race-two-acceptors.ts', '--strategy', 'dfs', '--preemptions', '1', '--bug', 'accept-single-waker', '--max-schedules', '50'];
    const { files, results } = await shards(args, 3, 'bug');
    expect(results.some((r) => r.code === 1)).toBe(true);
    const merged = await run(['merge', ...files]);
    expect(merged.code).toBe(1);
    const m = /FAILED in subtree \d+: .*\n\s+replay: npx unixsim replay (\S+) (.*)/.exec(merged.text);
    expect(m).not.toBeNull();
    const replay = await run(['run', m![1], ...m![2].split(' ')]);
    expect(replay.code).toBe(1);
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((s: string) => void errors.push(s));
    try {
      expect((await run(['merge', files[0], files[2]])).code).toBe(2);
      expect(errors.join('\n')).toMatch(/missing shard 2\/3/);
      expect((await run(['merge', files[0], files[0], files[1], files[2]])).code).toBe(2);
      expect(errors.join('\n')).toMatch(/shard 1\/3 appears twice/);
    } finally {
      spy.mockRestore();
    }
  });
});
