// Threads (clone with CLONE_VM | CLONE_THREAD ...) in static glibc programs
// built at test time: pthread_create/join through CLONE_CHILD_CLEARTID and
// futexes, a mutex + condvar bounded buffer, blocking AF_UNIX I/O between
// threads, exit_group from a non-leader thread, a main thread that leaves
// with pthread_exit, and a thread that forks. Each must print what it
// prints under qemu-riscv64 (real Linux) and exit the same way, under
// every seed and strategy tried, with the kernel invariants checked after
// every step (a shared fd table is counted once). Also: signals (kill to
// the process, tgkill to a thread, a fatal signal ends every thread) and
// execve from a thread (the others end first); posix_spawn and vfork
// (CLONE_VM | CLONE_VFORK: the parent waits for the child's exec or exit).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StrategyName } from '../../src/script/runner.ts';
import { onQemu, onUnixsim, requireCrossCompiler, requireQemu } from './qemu.ts';

const SRC = fileURLToPath(new URL('glibc', import.meta.url));
const BUILT = [...readdirSync(SRC).filter((f) => f.startsWith('thread_') && f.endsWith('.c')).map((f) => f.slice(0, -2)), 'spawn_vfork'].sort();
// qemu-user cannot execve from a thread (it hangs) nor exec a riscv64 binary without binfmt_misc:
// these are checked against what Linux prints, written down.
const NOT_ON_QEMU: Record<string, { stdout: string; status: number }> = {
  thread_exec: { stdout: 'before exec\nnew image runs, same pid: yes\n', status: 5 },
  spawn_vfork: {
    stdout: 'spawned child runs with 3 args\nposix_spawn: 0, reaped: yes, exit 3\n' +
      'posix_spawn of a missing file: No such file or directory\nvfork child reaped, shared memory written: yes, exit 4\n',
    status: 0,
  },
};
const PROGRAMS = BUILT.filter((p) => !(p in NOT_ON_QEMU));
const RUNS: [number, StrategyName][] = [[1, 'random'], [2, 'random'], [3, 'random'], [4, 'pct'], [5, 'pct'], [6, 'rr']];

let out = '';

beforeAll(() => {
  requireQemu();
  const cc = requireCrossCompiler();
  out = mkdtempSync(join(tmpdir(), 'unixsim-threads-'));
  for (const p of BUILT) {
    const r = spawnSync(cc, ['-static', '-O2', '-pthread', '-o', join(out, p), join(SRC, `${p}.c`)]);
    if (r.status !== 0) throw new Error(`building ${p}.c failed:\n${r.stderr.toString()}`);
  }
}, 120_000);

describe('pthreads programs under unixsim exec match qemu-riscv64 under every seed and strategy', () => {
  it('finds the programs', () => {
    expect(PROGRAMS.length).toBeGreaterThanOrEqual(7);
  });
  for (const p of PROGRAMS) {
    it(p, () => {
      const path = join(out, p);
      const q = onQemu(path);
      for (const [seed, strategy] of RUNS) {
        const u = onUnixsim(path, [], { seed, strategy, checkInvariants: true });
        expect({ seed, strategy, stdout: u.stdout, status: u.status }).toEqual({ seed, strategy, stdout: q.stdout, status: q.status });
        expect(u.run.kernel.describeUnknownSyscalls()).toBe('');
      }
    }, 60_000);
  }

  for (const [p, want] of Object.entries(NOT_ON_QEMU)) {
    it(`${p} (expected output written down: qemu-user cannot run it)`, () => {
      for (const [seed, strategy] of RUNS) {
        const u = onUnixsim(join(out, p), [], { seed, strategy, checkInvariants: true });
        expect({ seed, strategy, stdout: u.stdout, status: u.status }).toEqual({ seed, strategy, ...want });
      }
    });
  }

  it('the same seed gives the same trace hash with threads', () => {
    const path = join(out, 'thread_condvar');
    expect(onUnixsim(path, [], { seed: 9 }).run.hash).toBe(onUnixsim(path, [], { seed: 9 }).run.hash);
  });

  it('labels threads in the trace and records one exit for the process', () => {
    const u = onUnixsim(join(out, 'thread_exit_group'), [], { seed: 1, recordText: true });
    const labels = [...u.run.labels.values()];
    expect(labels.some((l) => /^pid 1 \(thread_exit_group\) thread \d+$/.test(l))).toBe(true);
    expect(u.run.kernel.exits.map((e) => [e.pid, e.describe])).toEqual([[1, 'exit 7']]);
    expect(u.run.events.filter((e) => e.kind === 'end' && e.process).map((e) => e.kind === 'end' && e.text)).toEqual(['exited with 7']);
    expect(u.run.events.some((e) => e.kind === 'end' && !e.process && e.tid !== 1)).toBe(true);
  });
});
