// Go over AF_UNIX: test/guest/go/unix.go, built static for riscv64 by
// Debian's two Go toolchains (test/guest/go/build-go.sh, cached outside git):
// gccgo (libgo over static glibc) and gc (golang-go: the runtime's own
// syscalls, no libc). Each build prints under unixsim exec exactly what it
// prints under qemu-riscv64 (the real kernel), which is the committed
// test/guest/expected/go_unix.out; the same source built by gc for this
// machine prints that too natively (Linux itself). The program drives a Go
// runtime through what a Go server needs from the kernel: goroutines on
// threads (clone, futex), the netpoller (epoll_pwait on non-blocking sockets),
// os/signal, os/exec (fork and exec of itself from a threaded runtime, a socket
// as the child's fd 3, /dev/null, waitid), and the net package's unix,
// unixgram and unixpacket sockets with SCM_RIGHTS and SCM_CREDENTIALS.
//
// By default one run per toolchain, interpreter only: a Go run is short and
// spread over much code, so block translation costs more than it saves here
// (results are the same either way). UNIXSIM_GO_FULL=1 adds several seeds and
// strategies with the translator and invariant checks, two harts (the SMP
// model), a replay, and a plain
// `gccgo -static` link (slower to start: see build-go.sh).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onQemu, onUnixsim, requireQemu } from './qemu.ts';

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const FULL = process.env.UNIXSIM_GO_FULL === '1';
const BUILD = fileURLToPath(new URL('go/build-go.sh', import.meta.url));
const SRC = fileURLToPath(new URL('go/unix.go', import.meta.url));
const EXPECTED = readFileSync(fileURLToPath(new URL('expected/go_unix.out', import.meta.url)), 'utf8');
// Every case but spawn, for qemu-user: without binfmt_misc it cannot execve a
// riscv64 program (the host kernel gets it: ENOEXEC), so there the natively
// built program is spawn's only oracle.
const QEMU_CASES = ['stream', 'many', 'dgram', 'packet', 'rights', 'threads', 'signals'];
const QEMU_EXPECTED = EXPECTED.split('\n').filter((l) => !l.startsWith('spawn: ')).join('\n');

type Toolchain = 'gccgo' | 'gccgo-plain' | 'gc' | 'gc-host';

function build(toolchain: Toolchain): string {
  const r = spawnSync('bash', [BUILD, toolchain, SRC], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-go.sh ${toolchain} failed:\n${r.stderr}`);
  return r.stdout.trim();
}

const RUNTIMES = [
  { toolchain: 'gccgo', compiler: 'riscv64-linux-gnu-gccgo', pkg: 'gccgo-riscv64-linux-gnu' },
  { toolchain: 'gc', compiler: 'go', pkg: 'golang-go' },
] as const;

for (const { toolchain, compiler, pkg } of RUNTIMES) {
  const present = has(compiler);
  const title = present
    ? `Go (${toolchain}, static) over AF_UNIX: unixsim exec matches qemu-riscv64`
    : `Go (${toolchain}) over AF_UNIX: SKIPPED, ${compiler} is not installed (apt-get install ${pkg}; .ci/run does)`;

  describe.skipIf(!present)(title, () => {
    let bin = '';
    let hostDir = '';

    beforeAll(() => {
      requireQemu();
      bin = build(toolchain);
      // qemu and the native run bind their path sockets on the host: a private directory
      hostDir = mkdtempSync(join(tmpdir(), 'unixsim-go-'));
    }, 600_000);

    afterAll(() => {
      if (hostDir) rmSync(hostDir, { recursive: true, force: true });
    });

    if (toolchain === 'gc') {
      it('built for this machine, it prints the committed expectation natively (Linux itself)', () => {
        const r = spawnSync(build('gc-host'), [hostDir], { encoding: 'utf8', timeout: 60_000 });
        expect(r.stdout).toBe(EXPECTED);
        expect(r.status).toBe(0);
      }, 600_000);
    }

    it('qemu-riscv64 (real Linux) prints the committed expectation, but for spawn', () => {
      const q = onQemu(bin, [hostDir, ...QEMU_CASES]);
      expect(q.stdout).toBe(QEMU_EXPECTED);
      expect(q.status).toBe(0);
    });

    it('unixsim exec prints the same and exits 0, calling no unknown syscall', () => {
      const u = onUnixsim(bin, ['/tmp'], { seed: 1, jit: false });
      expect(u.stdout).toBe(EXPECTED);
      expect(u.status).toBe(0);
      expect(u.run.kernel.unknownSyscalls).toEqual(new Map());
    });

    // the deeper runs exist only with UNIXSIM_GO_FULL=1 (not reported as skipped otherwise)
    if (!FULL) return;

    it('the same under other seeds and strategies, with the translator and invariant checks', () => {
      for (const [seed, strategy] of [[2, 'random'], [3, 'pct'], [4, 'rr']] as const) {
        const u = onUnixsim(bin, ['/tmp'], { seed, strategy, checkInvariants: true });
        expect(u.stdout, `seed ${seed} ${strategy}`).toBe(EXPECTED);
        expect(u.status).toBe(0);
      }
    }, 600_000);

    it('the same on the SMP model with two harts (two CPUs for the runtime)', () => {
      for (const seed of [5, 6]) {
        const u = onUnixsim(bin, ['/tmp'], { seed, harts: 2, jit: false });
        expect(u.stdout, `seed ${seed}`).toBe(EXPECTED);
        expect(u.status).toBe(0);
      }
    }, 600_000);

    it('the same seed gives the same trace, with or without the translator', () => {
      const a = onUnixsim(bin, ['/tmp'], { seed: 7 });
      const b = onUnixsim(bin, ['/tmp'], { seed: 7, jit: false });
      expect(a.run.hash).toBe(b.run.hash);
    }, 600_000);

    if (toolchain === 'gccgo') {
      it('a plain `gccgo -static` link prints the same', () => {
        const u = onUnixsim(build('gccgo-plain'), ['/tmp'], { seed: 1 });
        expect(u.stdout).toBe(EXPECTED);
        expect(u.status).toBe(0);
      }, 600_000);
    }
  });
}
