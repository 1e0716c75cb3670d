// Programs linked against the cross toolchain's own static glibc, built at
// test time into a temporary directory (never committed), behave under
// unixsim exec as under qemu-riscv64: glibc's startup (brk, TLS,
// set_tid_address, prlimit64, readlinkat, getrandom, mprotect), stdio,
// malloc over brk and mmap, fork/waitpid, signal()/sigaction/raise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { onQemu, onUnixsim, requireCrossCompiler, requireQemu } from './qemu.ts';

const SRC = fileURLToPath(new URL('glibc', import.meta.url));
// Compared by their own tests: fs_socket binds a fixed host path under qemu
// (sockets.test.ts gives it a private one); af_unix_probe has documented
// per-line exceptions (fidelity.test.ts); thread_* and spawn_vfork run under many seeds (threads.test.ts);
// clone_files is compared with native Linux (clone-files.test.ts: qemu-user treats it as a plain fork).
const OWN_TEST = new Set(['fs_socket', 'af_unix_probe', 'clone_files']);
const PROGRAMS = readdirSync(SRC).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2))
  .filter((p) => !OWN_TEST.has(p) && !p.startsWith('thread_') && p !== 'spawn_vfork').sort();
const ARGS: Record<string, string[]> = { stdio: ['alpha', 'beta gamma'] };

let out = '';

beforeAll(() => {
  requireQemu();
  const cc = requireCrossCompiler();
  out = mkdtempSync(join(tmpdir(), 'unixsim-glibc-'));
  for (const p of PROGRAMS) {
    const r = spawnSync(cc, ['-static', '-O2', '-o', join(out, p), join(SRC, `${p}.c`)]);
    if (r.status !== 0) throw new Error(`building ${p}.c failed:\n${r.stderr.toString()}`);
  }
}, 120_000);

describe('static glibc programs under unixsim exec match qemu-riscv64', () => {
  for (const p of PROGRAMS) {
    it(p, () => {
      const path = join(out, p);
      const q = onQemu(path, ARGS[p]);
      const u = onUnixsim(path, ARGS[p]);
      expect(u.stdout).toBe(q.stdout);
      expect(u.status).toBe(q.status);
    });
  }

  it('the same glibc binary and seed give the same trace hash', () => {
    const path = join(out, 'forkwait');
    expect(onUnixsim(path, [], { seed: 11 }).run.hash).toBe(onUnixsim(path, [], { seed: 11 }).run.hash);
  });
});
