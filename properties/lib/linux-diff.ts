// One program of test/guest/linux6/unix_ops.c's language run twice: built
// natively (the kernel this machine runs: Linux answers) and built for
// riscv64 under unixsim; the first line where their outputs differ. For
// properties/linux-diff.test.ts (random programs, and the fixed ones of
// properties/gen/unix-cases.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import { execImage } from '../../src/exec.ts';
import { requireCrossCompiler } from '../../test/guest/qemu.ts';
import { buildCached } from '../../test/guest/probe.ts';

const SRC = new URL('../../test/guest/linux6/unix_ops.c', import.meta.url).pathname;

/** The names' tag (unix_ops.c's argv[2]): this process's, apart from other runs on the machine that share the host's abstract namespace. */
const TAG = `${process.pid.toString(36)}-`;

export interface UnixOps {
  native: string;
  riscv: Uint8Array;
}

/** Builds (or reuses) both interpreters. */
export async function buildUnixOps(): Promise<UnixOps> {
  const dir = mkdtempSync(join(tmpdir(), 'unixsim-linux-diff-'));
  const native = join(dir, 'unix_ops.host');
  const rv = join(dir, 'unix_ops');
  await Promise.all([buildCached('gcc', [], SRC, native), buildCached(requireCrossCompiler(), ['-static'], SRC, rv)]);
  return { native, riscv: new Uint8Array(readFileSync(rv)) };
}

/**
 * Linux's output. With `withDir` the program runs in a fresh directory
 * (unix_ops.c's argv[3], for pathname names), removed afterwards.
 */
export function onLinux(ops: UnixOps, program: string, withDir = false): string {
  const tmp = withDir ? mkdtempSync(join(tmpdir(), 'unixsim-ops-')) : null;
  try {
    const args = tmp ? [program, TAG, join(tmp, 'w')] : [program, TAG];
    const r = spawnSync(ops.native, args, { timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.error) throw r.error;
    const out = r.stdout.toString();
    if (!out.endsWith('done\n')) throw new Error(`the native run did not finish:\n${out}`);
    return out;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** unixsim's output (its file system is its own: the directory is /w). */
export function onUnixsim(ops: UnixOps, program: string, seed: number, bugs: readonly PlantedBug[] = [], withDir = false): string {
  const r = execImage('/bin/unix_ops', ops.riscv, { args: withDir ? [program, TAG, '/w'] : [program, TAG], seed, bugs, checkInvariants: true, checkWakeDuties: true });
  if (r.problem) throw new Error(r.problem);
  return new TextDecoder().decode(r.stdout);
}

/** The first line that differs, with Linux's and unixsim's versions, or null. */
export function firstDifference(linux: string, sim: string): string | null {
  const a = linux.split('\n'), b = sim.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) return `line ${i}:\n  linux:   ${a[i] ?? '(none)'}\n  unixsim: ${b[i] ?? '(none)'}`;
  return null;
}
