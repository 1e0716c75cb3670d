// Building and comparing a fidelity probe: a C program that prints one
// labelled line per check ("label: text"). It is built for the host with gcc
// and run natively (Linux itself: the expectation), and for riscv64 with the
// cross toolchain's static glibc, to run under qemu-riscv64 and unixsim.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { requireCrossCompiler, type Outcome } from './qemu.ts';

export interface BuiltProbe {
  /** the static riscv64 binary */
  riscv: string;
  /** the native run: Linux's answer */
  linux: Outcome;
}

function hostCompiler(): string {
  const r = spawnSync('sh', ['-c', 'command -v gcc']);
  if (r.status !== 0) throw new Error('gcc not found: the fidelity tests run each probe natively as the expectation (apt-get install gcc)');
  return 'gcc';
}

function build(cc: string, args: string[], src: string, out: string): void {
  const r = spawnSync(cc, ['-O2', '-o', out, src, ...args]);
  if (r.status !== 0) throw new Error(`building ${basename(src)} with ${cc} failed:\n${r.stderr.toString()}`);
}

/** Builds `src` both ways into a fresh temporary directory and runs the host build. */
export function buildProbe(src: string): BuiltProbe {
  const cross = requireCrossCompiler();
  const dir = mkdtempSync(join(tmpdir(), 'unixsim-probe-'));
  const name = basename(src, '.c');
  const riscv = join(dir, name);
  const host = join(dir, `${name}.host`);
  build(cross, ['-static', '-pthread'], src, riscv);
  build(hostCompiler(), ['-pthread'], src, host);
  const r = spawnSync(host, [], { maxBuffer: 1 << 24, timeout: 60_000 });
  if (r.error) throw r.error;
  const linux = { stdout: r.stdout.toString(), status: r.status ?? 128 };
  if (linux.status !== 0 || !linux.stdout.endsWith('done\n'))
    throw new Error(`${name} failed natively (status ${linux.status}):\n${linux.stdout}`);
  return { riscv, linux };
}

export const label = (line: string): string => line.slice(0, line.indexOf(':') < 0 ? line.length : line.indexOf(':'));

export function byLabel(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n').filter((l) => l.length > 0)) {
    if (m.has(label(line))) throw new Error(`the probe printed the label "${label(line)}" twice`);
    m.set(label(line), line);
  }
  return m;
}

/** Every line of `got` that differs from `want`, except the allowed ones; and every allowed line that no longer differs. */
export function compareLines(who: string, want: string, got: string, allowed: Record<string, string> = {}): string[] {
  const w = byLabel(want);
  const g = byLabel(got);
  const problems: string[] = [];
  for (const [key, line] of w) {
    const gl = g.get(key);
    if (gl === line) {
      if (key in allowed) problems.push(`${who} now matches Linux on "${key}": remove it from the allow-list (${allowed[key]})`);
    } else if (!(key in allowed)) {
      problems.push(`${who} differs:\n  linux:   ${line}\n  ${who}: ${gl ?? '(missing)'}`);
    }
  }
  for (const key of g.keys()) if (!w.has(key)) problems.push(`${who} printed an extra line "${key}"`);
  for (const key of Object.keys(allowed)) if (!w.has(key)) problems.push(`allow-list entry "${key}" names no line of the probe`);
  return problems;
}
