// `unixsim exec` against real Linux: the committed guest programs (guest/bin)
// print the same and exit the same under src/exec.ts as under qemu-riscv64.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { onQemu, onUnixsim } from './qemu.ts';

const BIN = fileURLToPath(new URL('../../guest/bin', import.meta.url));
const bin = (name: string): string => `${BIN}/${name}`;

const PROGRAMS: { name: string; args?: string[]; what: string }[] = [
  { name: 'hello', args: ['one', 'two'], what: 'prints its arguments' },
  { name: 'fpu', what: 'floating point' },
  { name: 'cpuloop', what: 'a busy loop preempted by the timer' },
  { name: 'forkpipe', what: 'fork, a shared pipe and wait4 statuses' },
  { name: 'sigpipe', what: 'SIGPIPE counted per EPIPE, SIGCHLD interrupting read with and without SA_RESTART' },
  { name: 'sigframe', what: 'the signal frame: edited context, restored registers, masks, SA_RESETHAND, sigaltstack, death by SIGTERM' },
  { name: 'mmapbrk', what: 'brk, mmap, munmap, mprotect with a fault handler, file mapping, prlimit64, getrandom, uname, /proc/self/exe' },
];

describe('guest programs under unixsim exec match qemu-riscv64', () => {
  for (const p of PROGRAMS) {
    it(`${p.name}: ${p.what}`, () => {
      const q = onQemu(bin(p.name), p.args);
      const u = onUnixsim(bin(p.name), p.args);
      expect(u.stdout).toBe(q.stdout);
      expect(u.status).toBe(q.status);
    });
  }

  it('output does not depend on the interleaving: forkpipe and sigpipe under several seeds and strategies', () => {
    for (const name of ['forkpipe', 'sigpipe']) {
      // against the default run, which the test above holds to qemu-riscv64 (running qemu here
      // again would test the host's timing: sigpipe's children pace themselves with real sleeps)
      const q = onUnixsim(bin(name));
      for (const seed of [2, 3, 'x'])
        for (const strategy of ['random', 'pct', 'rr'] as const) {
          const u = onUnixsim(bin(name), [], { seed, strategy });
          expect(u.stdout, `${name} seed ${seed} ${strategy}`).toBe(q.stdout);
          expect(u.status).toBe(q.status);
        }
    }
  });
});

describe('unixsim exec', () => {
  it('execve replaces the program, closes close-on-exec fds and resets handlers (qemu-user cannot exec a riscv64 binary without binfmt, so the expectation is committed)', () => {
    const u = onUnixsim(bin('execself'));
    expect(u.stdout).toBe(
      "exec'd: argc 4, kept fd open, cloexec fd closed\n" +
      'SIGUSR1 handler after exec: SIG_DFL\n' +
      'forked child exited with 7\n' +
      'execve of a missing file: -2\n' +
      "exec'd: argc 4, kept fd open, cloexec fd closed\n" +
      'SIGUSR1 handler after exec: SIG_DFL\n',
    );
    expect(u.status).toBe(7);
  });

  it('the same binary and seed give the same trace hash; kernel invariants hold throughout', () => {
    for (const name of ['forkpipe', 'sigpipe', 'mmapbrk']) {
      const a = onUnixsim(bin(name), [], { seed: 7, checkInvariants: true });
      const b = onUnixsim(bin(name), [], { seed: 7 });
      expect(a.run.hash).toBe(b.run.hash);
      expect(a.run.steps).toBe(b.run.steps);
    }
  });

  it('the command prints the guest output and exits with its status', async () => {
    const chunks: string[] = [];
    const io = { stdout: (b: Uint8Array) => chunks.push(new TextDecoder().decode(b)), stderr: () => {} };
    const code = await main(['exec', bin('hello'), '--seed', '3', '--', 'x'], () => {}, io);
    expect(code).toBe(0);
    expect(chunks.join('')).toBe(`hello, world\nargv[0] = ${bin('hello')}\nargv[1] = x\n`);
    expect(await main(['exec', bin('sigframe')], () => {}, { stdout: () => {}, stderr: () => {} })).toBe(128 + 15);
  });

  it('a missing file or a malformed ELF is a one-line error naming the file, exit 2', async () => {
    const errors: string[] = [];
    const orig = console.error;
    console.error = (s: string) => errors.push(s);
    try {
      expect(await main(['exec', '/no/such/prog'])).toBe(2);
      expect(await main(['exec', fileURLToPath(import.meta.url)])).toBe(2);
      const truncated = readFileSync(bin('hello')).subarray(0, 100);
      const { execImage, ExecError } = await import('../../src/exec.ts');
      expect(() => execImage('trunc', truncated)).toThrow(ExecError);
    } finally {
      console.error = orig;
    }
    expect(errors[0]).toBe('unixsim: /no/such/prog: no such file');
    expect(errors[1]).toMatch(/exec\.test\.ts: not an ELF file/);
    expect(errors.every((e) => !e.includes('\n'))).toBe(true);
  });
});
