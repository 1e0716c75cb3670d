// Replay that cannot lie: for every kind of failure the command line
// prints (a run's, a sweep group's, a shrunk schedule's, an exec run's),
// running the printed command gives the same trace hash. The flags that
// change the run (--check, --kernel-preempt, --strategy pct --depth,
// --max-steps, --bug, --picks) must all survive the round trip.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, type GuestOutput, type ProgressSink } from '../../src/cli.ts';
import { execImage } from '../../src/exec.ts';
import { shellWords } from '../../src/explore/run-flags.ts';
import { writeElf } from '../hw/elf-writer.ts';
import { addi, assemble, ecall, lw } from '../hw/asm.ts';

const QUIET: ProgressSink = { tty: false, write: () => {} };

async function cli(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const orig = console.error;
  console.error = (s: string) => lines.push(s);
  const dec = new TextDecoder();
  const io: GuestOutput = { stdout: () => {}, stderr: (b) => lines.push(...dec.decode(b).trimEnd().split('\n')) };
  try {
    const code = await main(argv, (s) => lines.push(...s.split('\n')), io, QUIET);
    return { code, lines };
  } finally {
    console.error = orig;
  }
}

/** Runs a printed `npx unixsim ...` command; returns the trace hash its first report line (or exec problem) names. */
async function hashOf(cmd: string): Promise<string> {
  const words = shellWords(cmd);
  expect(words.slice(0, 2)).toEqual(['npx', 'unixsim']);
  const r = await cli(words.slice(2));
  const m = r.lines.map((l) => /(?:FAILED \(.*|passed \(.*|\(seed .*), trace ([0-9a-f]{16})\)/.exec(l)).find((x) => x);
  expect(m, r.lines.join('\n')).toBeTruthy();
  return m![1];
}

/** Every (command, hash it must give) pair in a failure printout. */
function claims(lines: string[]): { cmd: string; hash: string }[] {
  const out: { cmd: string; hash: string }[] = [];
  let found = '';
  let shrunk = '';
  for (const l of lines) {
    const f = /FAILED \(.*trace ([0-9a-f]{16})\)/.exec(l);
    if (f) found = f[1];
    const s = /^\s*shrunk run: .*trace ([0-9a-f]{16})\)$/.exec(l);
    if (s) shrunk = s[1];
    const c = /(found by|replay): (npx unixsim .*)$/.exec(l);
    // A group's seed replay precedes its report, whose header names the found hash.
    if (c && c[1] === 'found by') out.push({ cmd: c[2], hash: found });
    else if (c && /--strategy keep/.test(c[2])) out.push({ cmd: c[2], hash: shrunk });
  }
  return out;
}

describe('printed replay commands reproduce the run they describe', () => {
  const cases: [string, string[]][] = [
    ['a deadlock', ['run', 'scenarios/pipe-pingpong.ts', '--seed', '3', '--bug', 'pipe-write-no-wake']],
    ['an invariant violation under --check', ['run', 'scenarios/race-scm-receiver-close.ts', '--bug', 'close-forgets-inflight', '--check']],
    ['a failed check', ['run', 'scenarios/race-poll-wakeup-recheck.ts', '--seed', '3', '--bug', 'poll-no-recheck']],
    ['a step limit under pct --depth 2 and --kernel-preempt', ['run', 'scenarios/accept-storm.ts', '--strategy', 'pct', '--depth', '2', '--kernel-preempt', '--max-steps', '40']],
    ['a script error', ['run', 'scenarios/race-poll-wakeup-recheck.ts', '--seed', '21', '--bug', 'poll-no-recheck']],
    ['a process killed by a signal, under --kernel-preempt', ['run', 'scenarios/race-two-acceptors.ts', '--seed', '4', '--bug', 'accept-double-dequeue', '--kernel-preempt', '--shrink-runs', '20']],
    ['a failure under recorded --picks', ['run', 'scenarios/pipe-pingpong.ts', '--seed', '9', '--bug', 'pipe-write-no-wake', '--picks', '2,2,1']],
  ];
  for (const [what, argv] of cases) {
    it(`run: ${what}`, async () => {
      const r = await cli([...argv, ...(argv.includes('--shrink-runs') ? [] : ['--shrink-runs', '40'])]);
      expect(r.code).toBe(1);
      const cs = claims(r.lines);
      expect(cs.length).toBe(2);
      for (const c of cs) expect(await hashOf(c.cmd), c.cmd).toBe(c.hash);
    });
  }

  it('sweep with --check (the replay once left --check out): group and shrunk replays', async () => {
    const r = await cli(['sweep', 'scenarios/race-scm-receiver-close.ts', '--seeds', '10', '--bug', 'close-forgets-inflight', '--check', '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.lines).toContain('    replay: npx unixsim replay scenarios/race-scm-receiver-close.ts --seed 1 --bug close-forgets-inflight --check');
    const cs = claims(r.lines);
    expect(cs.length).toBeGreaterThanOrEqual(2);
    for (const c of cs) expect(await hashOf(c.cmd), c.cmd).toBe(c.hash);
  });

  it('exec: --picks follows a recorded schedule of a forking program', () => {
    const path = fileURLToPath(new URL('../../guest/bin/forkpipe', import.meta.url));
    const image = new Uint8Array(readFileSync(path));
    const a = execImage(path, image, { seed: 2 });
    expect(a.picks.length).toBeGreaterThan(0);
    expect(execImage(path, image, { seed: 2, strategy: 'keep', picks: a.picks }).hash).toBe(a.hash);
    expect(execImage(path, image, { seed: 2, strategy: 'keep' }).hash).not.toBe(a.hash);
  });

  it('exec: --bug and --check are honoured and a failing run prints the command that replays it', async () => {
    // pipe2 then read from its own empty pipe, holding the write end: a deadlock.
    const code = assemble([
      addi(2, 2, -16), addi(10, 2, 0), addi(11, 0, 0), addi(17, 0, 59), ecall(),
      lw(10, 2, 0), addi(11, 2, 8), addi(12, 0, 1), addi(17, 0, 63), ecall(),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'unixsim-exec-replay-'));
    const elf = join(dir, 'reads its own pipe');
    writeFileSync(elf, writeElf(0x10000, [{ vaddr: 0x10000, flags: 5, data: code }]), { mode: 0o755 });
    const r = await cli(['exec', elf, '--seed', '4', '--check', '--bug', 'dup-no-ref', '--', 'an arg']);
    expect(r.code).toBe(125);
    const problem = r.lines.find((l) => /deadlock .*\(seed 4, trace [0-9a-f]{16}\)/.test(l))!;
    expect(problem).toBeDefined();
    expect(r.lines).toContain(`  found by: npx unixsim exec '${elf}' --seed 4 --bug dup-no-ref --check -- 'an arg'`);
    expect(r.lines.join('\n')).toMatch(/^story:\n  1\. \[pid 1 \(reads its own pipe\)\] .*pipe2.*read\(3, /m);
    const cs = claims(r.lines);
    expect(cs.map((c) => c.cmd)).toEqual([
      `npx unixsim exec '${elf}' --seed 4 --bug dup-no-ref --check -- 'an arg'`,
      `npx unixsim exec '${elf}' --seed 4 --strategy keep --bug dup-no-ref --check -- 'an arg'`,
    ]);
    for (const c of cs) expect(await hashOf(c.cmd), c.cmd).toBe(c.hash);
    expect((await cli(['exec', elf, '--bug', 'nope'])).code).toBe(2);
  });
});
