// Running a guest both ways for the differential tests of `unixsim exec`:
// in-process through src/exec.ts, and under qemu-riscv64 (real Linux).
// A missing qemu or cross compiler fails the test with how to install it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { execImage, type ExecOptions, type ExecResult } from '../../src/exec.ts';

export interface Outcome {
  stdout: string;
  /** exit code, or 128 + signal number */
  status: number;
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`]);
  const out = r.stdout?.toString().trim();
  return r.status === 0 && out ? out : null;
}

export function requireQemu(): string {
  const q = existsSync('/usr/bin/qemu-riscv64') ? '/usr/bin/qemu-riscv64' : which('qemu-riscv64');
  if (!q) throw new Error('qemu-riscv64 not found: the differential guest tests need it (apt-get install qemu-user)');
  return q;
}

export const CROSS_CC = 'riscv64-linux-gnu-gcc';

export function requireCrossCompiler(): string {
  const cc = which(CROSS_CC);
  if (!cc) throw new Error(`${CROSS_CC} not found: the glibc guest tests build programs with it (apt-get install gcc-riscv64-linux-gnu)`);
  return cc;
}

/** Attempts at a qemu-riscv64 run, each with this timeout. */
const QEMU_TRIES = 3, QEMU_TIMEOUT_MS = 20_000;

/**
 * Runs the binary under qemu-riscv64. qemu-user itself now and then hangs
 * (seen once in a while with signals sent between threads, on a loaded
 * machine); such a run is killed at its timeout and tried again, since the
 * oracle's hang says nothing about Linux. A program that always hangs fails
 * after the last try.
 */
export function onQemu(path: string, args: string[] = []): Outcome {
  for (let attempt = 1; ; attempt++) {
    const r = spawnSync(requireQemu(), [path, ...args], { maxBuffer: 1 << 26, timeout: QEMU_TIMEOUT_MS, killSignal: 'SIGKILL' });
    const hung = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    if (hung && attempt < QEMU_TRIES) continue;
    if (hung) throw new Error(`${path} under qemu-riscv64: no exit within ${QEMU_TIMEOUT_MS / 1000} s, ${QEMU_TRIES} times`);
    if (r.error) throw r.error;
    const sig = r.signal ? constants.signals[r.signal] : undefined;
    return { stdout: r.stdout.toString(), status: r.status ?? 128 + (sig ?? 0) };
  }
}

export function onUnixsim(path: string, args: string[] = [], opts: ExecOptions = {}): Outcome & { run: ExecResult } {
  const run = execImage(path, new Uint8Array(readFileSync(path)), { ...opts, args });
  if (run.problem) throw new Error(`${path}: ${run.problem}`);
  return { stdout: new TextDecoder().decode(run.stdout), status: run.status, run };
}
