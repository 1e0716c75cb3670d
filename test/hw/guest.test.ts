// The committed guest programs (guest/bin) behave on the hart exactly as
// under qemu-riscv64 (stdout and exit code), and rebuild byte-identically
// from guest/ when the cross compiler is installed (CI installs
// gcc-riscv64-linux-gnu; here it is required, not skipped).

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFileOnQemu, runOnHart } from './runners.ts';

const GUEST = join(import.meta.dirname, '../../guest');
const PROGRAMS: [string, string[]][] = [
  ['hello', ['one', 'two words']],
  ['cpuloop', ['2000']],
  ['fpu', []],
];

describe('guest programs', () => {
  for (const [name, args] of PROGRAMS) {
    it(`${name} prints the same and exits the same on the hart as under qemu-riscv64`, () => {
      const path = join(GUEST, 'bin', name);
      const q = runFileOnQemu(path, args);
      const h = runOnHart(readFileSync(path), [path, ...args]);
      expect(h.stdout.toString()).toBe(q.stdout.toString());
      expect(h.exitCode).toBe(q.exitCode);
      expect(q.stdout.length).toBeGreaterThan(0);
    });
  }

  it('rebuild reproducibly with `make -C guest` (needs riscv64-linux-gnu-gcc)', () => {
    const cc = spawnSync('riscv64-linux-gnu-gcc', ['--version']);
    if (cc.error) throw new Error('riscv64-linux-gnu-gcc not found: apt-get install gcc-riscv64-linux-gnu');
    const out = mkdtempSync(join(tmpdir(), 'unixsim-guest-'));
    const r = spawnSync('make', ['-s', '-C', GUEST, `OUT=${out}`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const [name] of PROGRAMS) {
      expect(readFileSync(join(out, name)).equals(readFileSync(join(GUEST, 'bin', name))), `${name} differs from guest/bin`).toBe(true);
    }
  });
});
