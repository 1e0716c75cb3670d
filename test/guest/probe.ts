// Building and comparing a fidelity probe: a C program that prints one
// labelled line per check ("label: text"). It is built for the host with gcc
// and run natively (Linux itself: the expectation), and for riscv64 with the
// cross toolchain's static glibc, to run under qemu-riscv64 and unixsim.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { requireCrossCompiler, type Outcome } from './qemu.ts';

export interface BuiltProbe {
  /** the static riscv64 binary (glibc) */
  riscv: string;
  /** the same program linked with musl */
  riscvMusl: string;
  /** the native run: Linux's answer */
  linux: Outcome;
}

function hostCompiler(): string {
  const r = spawnSync('sh', ['-c', 'command -v gcc']);
  if (r.status !== 0) throw new Error('gcc not found: the fidelity tests run each probe natively as the expectation (apt-get install gcc)');
  return 'gcc';
}

const cacheRoot = (): string => process.env.UNIXSIM_MUSL_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'unixsim');

/**
 * Compiles `src` with `cc` into `out`, reusing an earlier build of the same
 * source, compiler and flags from the cache outside git (builds dominate
 * this test's time); compilers run in parallel.
 */
export async function buildCached(cc: string, args: string[], src: string, out: string): Promise<void> {
  const flags = ['-O1', ...args];
  const ccVersion = spawnSync(cc, ['--version']).stdout?.toString() ?? '';
  const hash = createHash('sha256').update(readFileSync(src));
  // the probes' shared headers are part of every source
  for (const h of readdirSync(dirname(src)).filter((f) => f.endsWith('.h')).sort()) hash.update(readFileSync(join(dirname(src), h)));
  const key = hash.update(cc).update(ccVersion).update(flags.join(' ')).digest('hex').slice(0, 24);
  const cached = join(cacheRoot(), 'probes', `${basename(src, '.c')}-${key}`);
  if (existsSync(cached)) {
    copyFileSync(cached, out);
    return;
  }
  const err = await new Promise<string | null>((resolve) => {
    const p = spawn(cc, [...flags, '-o', out, src]);
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve(code === 0 ? null : stderr));
    p.on('error', (e) => resolve(String(e)));
  });
  if (err !== null) throw new Error(`building ${basename(src)} with ${cc} failed:\n${err}`);
  mkdirSync(join(cacheRoot(), 'probes'), { recursive: true });
  copyFileSync(out, `${cached}.tmp`);
  renameSync(`${cached}.tmp`, cached);
}

export const MUSL_VERSION = '1.2.3';

/**
 * The musl-gcc wrapper of the riscv64 musl that test/guest/musl/build-musl.sh
 * builds (the cache is outside git): rv64gc, or with `rv64g` the build without
 * the C extension (compile with RV64G_FLAGS).
 */
export function requireMusl(isa: 'rv64gc' | 'rv64g' = 'rv64gc'): string {
  const dir = isa === 'rv64g' ? `musl-${MUSL_VERSION}-riscv64g` : `musl-${MUSL_VERSION}-riscv64`;
  const gcc = join(cacheRoot(), dir, 'bin', 'musl-gcc');
  const how = isa === 'rv64g' ? 'test/guest/musl/build-musl.sh --rv64g' : 'test/guest/musl/build-musl.sh';
  if (!existsSync(gcc)) throw new Error(`${gcc} not found: build riscv64 musl with ${how} (.ci/run does)`);
  return gcc;
}

/** Code generation without the C extension, for programs linked with the rv64g musl. */
export const RV64G_FLAGS = ['-march=rv64g', '-mabi=lp64d'];

/** Builds `src` for riscv64 with glibc and with musl, and for the host, into a fresh temporary directory, and runs the host build. */
export async function buildProbe(src: string): Promise<BuiltProbe> {
  const cross = requireCrossCompiler();
  const musl = requireMusl();
  const dir = mkdtempSync(join(tmpdir(), 'unixsim-probe-'));
  const name = basename(src, '.c');
  const riscv = join(dir, name);
  const riscvMusl = join(dir, `${name}.musl`);
  const host = join(dir, `${name}.host`);
  await Promise.all([
    buildCached(cross, ['-static', '-pthread'], src, riscv),
    buildCached(musl, ['-static'], src, riscvMusl),
    buildCached(hostCompiler(), ['-pthread'], src, host),
  ]);
  const r = spawnSync(host, [], { maxBuffer: 1 << 24, timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  const linux = { stdout: r.stdout.toString(), status: r.status ?? 128 };
  if (r.signal) throw new Error(`${name} was killed natively by ${r.signal}:\n${linux.stdout}`);
  if (linux.status !== 0 || !linux.stdout.endsWith('done\n'))
    throw new Error(`${name} failed natively (status ${linux.status}):\n${linux.stdout}`);
  return { riscv, riscvMusl, linux };
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
