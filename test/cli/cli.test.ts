import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { replayCommand } from '../../src/explore/run-flags.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const orig = console.error;
  console.error = (s: string) => errors.push(s);
  try {
    const code = await main(argv, (s) => lines.push(s));
    return { code, out: [...lines, ...errors].join('\n') };
  } finally {
    console.error = orig;
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'unixsim-cli-'));

describe('unixsim command', () => {
  it('run passes and exits 0 on a passing scenario', async () => {
    const r = await cli('run', 'scenarios/pipe-pingpong.ts', '--seed', '7');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/pipe-pingpong: passed \(seed 7/);
  });

  it('a planted bug makes run exit 1 and print the seed and the exact replay command', async () => {
    const r = await cli('run', 'scenarios/pipe-pingpong.ts', '--seed', '3', '--bug', 'pipe-write-no-wake');
    expect(r.code).toBe(1);
    expect(r.out).toContain('deadlock');
    expect(r.out).toContain('found by: npx unixsim replay scenarios/pipe-pingpong.ts --seed 3 --bug pipe-write-no-wake');
    expect(r.out).toContain('replay: npx unixsim replay scenarios/pipe-pingpong.ts --seed 3 --strategy keep --bug pipe-write-no-wake');
  });

  it('the printed replay command reproduces the same trace', async () => {
    const a = await cli('replay', 'scenarios/pipe-pingpong.ts', '--seed', '3', '--bug', 'pipe-write-no-wake');
    const b = await cli('replay', 'scenarios/pipe-pingpong.ts', '--seed', '3', '--bug', 'pipe-write-no-wake');
    expect(a.out).toBe(b.out);
    expect(a.out).toMatch(/\[pid 1\] pipe2\(/);
  });

  it('sweep reports runs, failures, distinct interleavings and runs per second', async () => {
    const r = await cli('sweep', 'scenarios/pipe-pingpong.ts', '--seeds', '20');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/20 runs/);
    expect(r.out).toMatch(/failures: 0/);
    expect(r.out).toMatch(/distinct interleavings: \d+/);
    expect(r.out).toMatch(/runs\/s: \d+/);
  });

  it('sweep lists failing seeds with their replay commands', async () => {
    const r = await cli('sweep', 'scenarios/pipe-pingpong.ts', '--seeds', '5', '--bug', 'pipe-write-no-wake');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seed \d+: deadlock/);
    expect(r.out).toMatch(/replay: npx unixsim replay scenarios\/pipe-pingpong.ts --seed \d+ --bug pipe-write-no-wake/);
  });

  it('--trace json writes Chrome trace-event JSON to --trace-out', async () => {
    const out = join(tmp, 'trace.json');
    const r = await cli('run', 'scenarios/pipe-pingpong.ts', '--trace', 'json', '--trace-out', out);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.traceEvents.some((e: { ph: string; name: string }) => e.ph === 'X' && e.name === 'write')).toBe(true);
    expect(j.traceEvents.some((e: { ph: string }) => e.ph === 'M')).toBe(true);
  });

  it('a missing scenario file is a one-line error naming it, exit 2', async () => {
    const r = await cli('run', 'no/such/file.ts');
    expect(r.code).toBe(2);
    expect(r.out.split('\n')[0]).toBe('unixsim: no/such/file.ts: no such file');
  });

  it('a module without a scenario is a one-line error naming the problem, exit 2', async () => {
    const f = join(tmp, 'bad.ts');
    writeFileSync(f, 'export default { name: "x", processes: [] };\n');
    const r = await cli('run', f);
    expect(r.code).toBe(2);
    expect(r.out.split('\n')[0]).toBe(`unixsim: ${f}: scenario has no processes`);
  });

  it('a scenario file that does not load is a one-line error, exit 2', async () => {
    const f = join(tmp, 'broken.ts');
    writeFileSync(f, 'export default {{{;\n');
    const r = await cli('run', f);
    expect(r.code).toBe(2);
    expect(r.out.split('\n')[0]).toMatch(new RegExp(`^unixsim: ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: syntax error at line 1, column 17: `));
  });

  it('calls of unknown syscall numbers return ENOSYS and are counted in the report', async () => {
    const f = join(tmp, 'enosys.ts');
    writeFileSync(
      f,
      `import { defineScenario } from '${process.cwd()}/src/script/scenario.ts';
export default defineScenario({ name: 'enosys', processes: [{ name: 'p', *program(sys) {
  const a = yield* sys.syscall(999); const b = yield* sys.syscall(999); const c = yield* sys.syscall(444);
  sys.log('results', [a, b, c]); return 0; } }],
  checks: { 'ENOSYS each time': (run) => JSON.stringify(run.log('results')) === '[-38,-38,-38]' } });
`,
    );
    const r = await cli('replay', f, '--seed', '1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('unknown syscalls (ENOSYS): 999 (2 calls), 444 (1 call)');
    expect(r.out).toMatch(/syscall_999\(0, 0, 0, 0, 0, 0\) = -1 ENOSYS/);
  });

  it('bad usage exits 2', async () => {
    expect((await cli('sweep', 'scenarios/pipe-pingpong.ts')).code).toBe(2);
    expect((await cli('run', 'scenarios/pipe-pingpong.ts', '--strategy', 'nope')).code).toBe(2);
    expect((await cli('run', 'scenarios/pipe-pingpong.ts', '--bug', 'nope')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('string seeds are quoted in replay commands', () => {
    expect(replayCommand('s.ts', { seed: 'abc', strategy: 'pct' })).toBe("npx unixsim replay s.ts --seed 'abc' --strategy pct");
    expect(replayCommand('s.ts', { seed: 42, strategy: 'random', bugs: ['b'], picks: [1, 2] })).toBe('npx unixsim replay s.ts --seed 42 --bug b --picks 1,2');
  });
});
