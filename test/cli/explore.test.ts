// The command line of exhaustive search: what `sweep --strategy dfs|dpor` prints.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';

async function run(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(args, (s) => lines.push(s));
  return { code, text: lines.join('\n') };
}

describe('sweep --strategy dfs|dpor', () => {
  it('says the space was exhausted, with the bound', async () => {
    const r = await run(['sweep', 'scenarios/race-reader-peer-close.ts', '--strategy', 'dfs', '--preemptions', '1']);
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/exhausted: 10 schedules with <= 1 preemption, all passed \(11 runs/);
  });

  it('prints the first failure with a replay command that reproduces it', async () => {
    const r = await run(['sweep', 'scenarios/race-listener-close-full-backlog.ts', '--strategy', 'dpor', '--preemptions', '2', '--bug', 'close-no-wake-connectors']);
    expect(r.code).toBe(1);
    const replay = /replay: npx unixsim (replay .*)$/m.exec(r.text)![1].split(' ');
    expect(replay).toContain('--picks');
    expect((await run(replay)).code).toBe(1);
  });

  it('says so when --max-schedules stops it first', async () => {
    const r = await run(['sweep', 'scenarios/race-two-acceptors.ts', '--strategy', 'dfs', '--max-schedules', '7']);
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/stopped after 7 schedules \(--max-schedules 7\): NOT exhausted/);
  });

  it('with a fault flag, fault points are choice points: the failure replays with --fault-picks, and the space exhausts with faults counted', async () => {
    const sc = 'scenarios/fault-stream-short-read.ts';
    const r = await run(['sweep', sc, '--strategy', 'dfs', '--preemptions', '1', '--short-io', '--bug', 'stream-partial-read-drops-rest']);
    expect(r.code).toBe(1);
    const replay = /replay: npx unixsim (replay .*)$/m.exec(r.text)![1].split(' ');
    expect(replay).toContain('--fault-picks');
    expect((await run(replay)).code).toBe(1);
    const ok = await run(['sweep', sc, '--strategy', 'dfs', '--preemptions', '1', '--short-io', '--fault-budget', '1']);
    expect(ok.text).toMatch(/exhausted: \d+ schedules with <= 1 preemption and <= 1 fault, all passed/);
    expect((await run(['sweep', sc, '--strategy', 'dfs', '--fault-budget', '1'])).code).toBe(2); // no fault flag
  });
});
