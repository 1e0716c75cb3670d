// Block translation changes nothing a run can observe: every guest program
// run with translation and with the interpreter alone gives the same trace
// hash, steps, virtual time, output and status. By default the committed
// guest/bin programs (a few seeds each) and one static glibc program;
// UNIXSIM_ENGINES_ALL=1 builds and compares every glibc test program.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { blocksTranslated } from '../../src/hw/jit.ts';
import type { ExecOptions } from '../../src/exec.ts';
import { onUnixsim, requireCrossCompiler } from './qemu.ts';

const BIN = fileURLToPath(new URL('../../guest/bin', import.meta.url));
const GLIBC = fileURLToPath(new URL('glibc', import.meta.url));
const ALL = process.env.UNIXSIM_ENGINES_ALL === '1';

/** Guest arguments that keep the interpreter's runs short. */
const ARGS: Record<string, string[]> = { cpuloop: ['2000'], pingpong: ['200'], hello: ['a', 'b c'], stdio: ['alpha', 'beta gamma'] };

function sameBothWays(path: string, args: string[], opts: ExecOptions): void {
  const jit = onUnixsim(path, args, { ...opts, jit: true });
  const interp = onUnixsim(path, args, { ...opts, jit: false });
  const what = `${path} ${JSON.stringify(opts)}`;
  expect(jit.run.hash, what).toBe(interp.run.hash);
  expect(jit.run.steps, what).toBe(interp.run.steps);
  expect(jit.run.time, what).toBe(interp.run.time);
  expect(jit.stdout, what).toBe(interp.stdout);
  expect(jit.status, what).toBe(interp.status);
}

describe('translated and interpreted guests give identical runs', () => {
  const programs = readdirSync(BIN).sort();

  it('finds the committed guest programs', () => {
    expect(programs).toContain('pingpong');
    expect(programs.length).toBeGreaterThanOrEqual(9);
  });

  for (const name of programs) {
    it(`${name}: same trace hash, steps and virtual time under two seeds and strategies`, () => {
      for (const seed of [1, 'x']) sameBothWays(join(BIN, name), ARGS[name] ?? [], { seed, strategy: seed === 'x' ? 'pct' : 'random' });
    });
  }

  it('translation happens in these runs, and not with jit: false (the comparison is not vacuous)', () => {
    const path = join(BIN, 'cpuloop');
    let before = blocksTranslated();
    onUnixsim(path, ['3000'], { jit: false, seed: 5 });
    expect(blocksTranslated()).toBe(before);
    onUnixsim(path, ['3000'], { jit: true, seed: 5 });
    expect(blocksTranslated()).toBeGreaterThan(before);
    before = blocksTranslated();
  });

  it('unixsim exec --no-jit prints the same and exits the same', async () => {
    const run = async (extra: string[]): Promise<[number, string]> => {
      const chunks: string[] = [];
      const io = { stdout: (b: Uint8Array) => chunks.push(new TextDecoder().decode(b)), stderr: () => {} };
      const code = await main(['exec', join(BIN, 'cpuloop'), ...extra, '--', '500'], () => {}, io);
      return [code, chunks.join('')];
    };
    const before = blocksTranslated();
    const without = await run(['--no-jit']);
    expect(blocksTranslated(), '--no-jit translated blocks').toBe(before);
    const withJit = await run([]);
    expect(blocksTranslated()).toBeGreaterThan(before);
    expect(without).toEqual(withJit);
    expect(withJit[1]).toMatch(/^rounds=500 checksum=/);
  });

  const glibc = readdirSync(GLIBC).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort()
    .filter((p) => ALL || p === 'socketpair_fork');
  it(`static glibc programs: ${ALL ? 'all of them' : glibc.join(', ') + ' (UNIXSIM_ENGINES_ALL=1 for all)'}`, () => {
    const cc = requireCrossCompiler();
    const out = mkdtempSync(join(tmpdir(), 'unixsim-engines-'));
    for (const p of glibc) {
      const f = `${p}.c`;
      const r = spawnSync(cc, ['-static', '-O2', '-pthread', '-o', join(out, p), join(GLIBC, f)]);
      if (r.status !== 0) throw new Error(`building ${f} failed:\n${r.stderr.toString()}`);
      for (const seed of [1, 2]) sameBothWays(join(out, p), ARGS[p] ?? [], { seed });
    }
  }, 600_000);
});
