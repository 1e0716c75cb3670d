// clone(2) without CLONE_VM but with CLONE_FILES and/or CLONE_FS: a child
// process sharing its parent's fd table, or cwd and umask. qemu-user turns
// such a clone into a plain fork (it shares neither), so the reference is
// the same source built for this machine and run natively: its output is
// test/guest/expected/clone_files.out (Linux 6.18), and the riscv64 build
// under unixsim exec must print the same, under several seeds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { onUnixsim, requireCrossCompiler } from './qemu.ts';

const SRC = fileURLToPath(new URL('glibc/clone_files.c', import.meta.url));
const EXPECTED = fileURLToPath(new URL('expected/clone_files.out', import.meta.url));
let bin = '';

beforeAll(() => {
  const cc = requireCrossCompiler();
  bin = join(mkdtempSync(join(tmpdir(), 'unixsim-clone-')), 'clone_files');
  const r = spawnSync(cc, ['-static', '-O2', '-o', bin, SRC]);
  if (r.status !== 0) throw new Error(`building clone_files.c failed:\n${r.stderr.toString()}`);
}, 60_000);

describe('clone with CLONE_FILES / CLONE_FS and no CLONE_VM', () => {
  it('shares the fd table, cwd and umask as native Linux does', () => {
    const want = readFileSync(EXPECTED, 'utf8');
    for (const seed of [1, 2, 3]) {
      const u = onUnixsim(bin, [], { seed, strategy: 'random' });
      expect(u.stdout, `seed ${seed}`).toBe(want);
      expect(u.status).toBe(0);
    }
  });
});
