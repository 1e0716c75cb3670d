// The AF_UNIX guest programs of test/guest/glibc (run there linked with
// glibc: glibc.test.ts, sockets.test.ts, threads.test.ts) linked with musl
// instead, static ET_EXEC, for rv64gc and for rv64g (no C extension: musl
// itself built so, test/guest/musl/build-musl.sh --rv64g): under unixsim exec
// each prints what it prints under qemu-riscv64, and the stories with a
// committed expectation (the program built natively with gcc) print that.
// Builds share the probes' cache outside git.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCached, requireMusl, RV64G_FLAGS } from './probe.ts';
import { CROSS_CC, onQemu, onUnixsim, requireQemu } from './qemu.ts';

const SRC = fileURLToPath(new URL('glibc', import.meta.url));
const EXPECTED = fileURLToPath(new URL('expected', import.meta.url));

type Isa = 'rv64gc' | 'rv64g';
const PROGRAMS: Record<Isa, string[]> = {
  rv64gc: ['fs_socket', 'socketpair_fork', 'scm_rights', 'thread_socket'],
  rv64g: ['scm_rights', 'thread_socket'],
};

let out = '';
const path = (isa: Isa, p: string): string => join(out, `${p}.musl-${isa}`);

beforeAll(async () => {
  requireQemu();
  out = mkdtempSync(join(tmpdir(), 'unixsim-musl-'));
  const builds: Promise<void>[] = [];
  for (const isa of ['rv64gc', 'rv64g'] as const) {
    const cc = requireMusl(isa);
    const flags = ['-static', ...(isa === 'rv64g' ? RV64G_FLAGS : [])];
    for (const p of PROGRAMS[isa]) builds.push(buildCached(cc, flags, join(SRC, `${p}.c`), path(isa, p)));
  }
  await Promise.all(builds);
}, 300_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

for (const isa of ['rv64gc', 'rv64g'] as const) {
  describe(`musl ${isa}: unixsim exec matches qemu-riscv64`, () => {
    for (const p of PROGRAMS[isa]) {
      it(p, () => {
        // on the host the socket path must be private to this run (the program prints no path)
        const q = onQemu(path(isa, p), p === 'fs_socket' ? [join(out, `${isa}.sock`)] : []);
        const u = onUnixsim(path(isa, p), [], { seed: 1 });
        expect(u.stdout).toBe(q.stdout);
        expect(u.status).toBe(q.status);
        const expected = join(EXPECTED, `${p}.out`);
        if (existsSync(expected)) expect(q.stdout, 'the native build (committed)').toBe(readFileSync(expected, 'utf8'));
      });
    }
  });
}

// Debian's cross toolchain ships libgcc and crtbegin.o for rv64gc only, so an
// rv64g program still holds their compressed code (soft quad-precision float,
// which musl's printf uses for long double, and crtstuff); everything else in
// it, musl and the program, must be free of the C extension.
describe('musl rv64g binaries', () => {
  it('hold compressed instructions only in functions from libgcc or crtstuff', () => {
    const libgcc = spawnSync(CROSS_CC, ['-print-libgcc-file-name'], { encoding: 'utf8' }).stdout.trim();
    const crtbegin = spawnSync(CROSS_CC, ['-print-file-name=crtbeginT.o'], { encoding: 'utf8' }).stdout.trim();
    const nm = spawnSync('riscv64-linux-gnu-nm', ['--defined-only', libgcc, crtbegin], { encoding: 'utf8' });
    const fromToolchain = new Set(nm.stdout.split('\n').map((l) => l.split(' ')[2]).filter((s): s is string => !!s));
    for (const p of PROGRAMS.rv64g) {
      const dump = spawnSync('riscv64-linux-gnu-objdump', ['-d', path('rv64g', p)], { encoding: 'utf8', maxBuffer: 1 << 28 });
      expect(dump.status).toBe(0);
      const compressedIn = new Set<string>();
      let fn = '';
      for (const line of dump.stdout.split('\n')) {
        const head = /^[0-9a-f]+ <(.+)>:$/.exec(line);
        if (head) fn = head[1]!;
        else if (/^\s+[0-9a-f]+:\s+[0-9a-f]{4}\s/.test(line)) compressedIn.add(fn);
      }
      expect(compressedIn.size, `${p}: the toolchain's compressed code is there`).toBeGreaterThan(0);
      expect([...compressedIn].filter((f) => !fromToolchain.has(f)), `${p}: compressed code outside libgcc/crtstuff`).toEqual([]);
    }
  });
});
