// The AF_UNIX acceptance stories as static glibc programs
// (test/guest/glibc/{fs_socket,socketpair_fork,scm_rights}.c, built at test
// time, never committed): under unixsim exec, with several seeds and
// strategies, each prints exactly what it prints under qemu-riscv64 (the real
// kernel of this machine), exits the same, and matches the committed
// expectation in test/guest/expected/ (the output of the same source built
// for the host with gcc). The programs print from each process only in an
// order fixed by waitpid, so the output must not depend on the interleaving.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_CREDS } from '../../src/kernel/kernel.ts';
import { onQemu, onUnixsim, requireCrossCompiler, requireQemu } from './qemu.ts';

const SRC = fileURLToPath(new URL('glibc', import.meta.url));
const EXPECTED = fileURLToPath(new URL('expected', import.meta.url));

const STORIES: { name: string; what: string }[] = [
  { name: 'fs_socket', what: 'a forked server binds, listens and accepts on /tmp/test.sock; the client connects retrying on ENOENT/ECONNREFUSED; a message each way' },
  { name: 'socketpair_fork', what: 'socketpair + fork, messages both ways, then EOF and EPIPE after the child exits' },
  { name: 'scm_rights', what: 'an open regular file passed to a child with SCM_RIGHTS; the file offset is shared' },
];
const SEEDS = [1, 2, 3, 'acceptance'] as const;
const STRATEGIES = ['random', 'pct', 'rr'] as const;

let out = '';

beforeAll(() => {
  requireQemu();
  const cc = requireCrossCompiler();
  out = mkdtempSync(join(tmpdir(), 'unixsim-sockets-'));
  for (const { name } of STORIES) {
    const r = spawnSync(cc, ['-static', '-O2', '-o', join(out, name), join(SRC, `${name}.c`)]);
    if (r.status !== 0) throw new Error(`building ${name}.c failed:\n${r.stderr.toString()}`);
  }
}, 120_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('AF_UNIX acceptance stories: unixsim exec matches qemu-riscv64', () => {
  for (const { name, what } of STORIES) {
    it(`${name}: ${what}`, () => {
      const path = join(out, name);
      const expected = readFileSync(join(EXPECTED, `${name}.out`), 'utf8');
      // On the host the socket path must not collide with another run of
      // this test (or a user's /tmp/test.sock): qemu gets a private path.
      // The program prints no path, so the output is the same.
      const q = onQemu(path, name === 'fs_socket' ? [join(out, 'test.sock')] : []);
      expect(q.stdout, 'qemu-riscv64 (real Linux) vs the committed expectation').toBe(expected);
      expect(q.status).toBe(0);
      for (const seed of SEEDS)
        for (const strategy of STRATEGIES) {
          const u = onUnixsim(path, [], { seed, strategy, checkInvariants: seed === 1 });
          expect(u.stdout, `${name} under unixsim exec --seed ${seed} --strategy ${strategy}`).toBe(q.stdout);
          expect(u.status, `${name} exit status, seed ${seed} ${strategy}`).toBe(q.status);
        }
    });
  }

  it('fs_socket leaves no socket file behind and the same seed gives the same run', () => {
    const path = join(out, 'fs_socket');
    const a = onUnixsim(path, [], { seed: 5 });
    const b = onUnixsim(path, [], { seed: 5 });
    expect(a.run.hash).toBe(b.run.hash);
    const k = a.run.kernel;
    const l = k.vfs.resolve('/tmp/test.sock', k.vfs.root, ROOT_CREDS);
    expect(typeof l === 'number' ? l : l.inode).toBeUndefined();
  });
});
