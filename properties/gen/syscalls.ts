// Random raw syscalls for the dispatcher fuzz: numbers mostly from the
// kernel's table (plus any number up to 520), register values biased to
// the nasty ones: 0, -1, huge, AT_FDCWD, valid fds, and pointers into and
// around the scratch page (where valid paths and structs also sit).
import fc from 'fast-check';
import { O_CREAT, O_NONBLOCK, O_RDWR } from '../../src/kernel/abi.ts';
import { bootKernel } from '../../src/kernel/boot.ts';
import { Rng } from '../../src/sched/rng.ts';
import { Scheduler } from '../../src/sched/scheduler.ts';
import { RandomStrategy } from '../../src/sched/strategies/random.ts';
import { defineScenario, type Scenario } from '../../src/script/scenario.ts';
import { SCRATCH_BASE } from '../../src/script/scratch.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';
import { registerUnix } from '../../src/unix/index.ts';

export const CALLS_PER_PROCESS = 400;

/** Prepared at fixed scratch offsets by the fuzz program before it starts. */
export const FUZZ_STRINGS = ['/tmp/f', '/tmp', '/', '', 'rel', '/tmp/d/', '/tmp/sock', '/nonexistent/x', '..'];
export const STRING_BASE = SCRATCH_BASE + 0x8000;
export const STRING_STRIDE = 64;
const SCRATCH_SIZE = 64 * 1024;

/** Syscalls that end the calling process by design: left out (exit, exit_group). */
export const EXCLUDED = new Set([93, 94]);
/** kill/tgkill: the signal register is forced to a harmless one so the fuzzing process lives on. */
export const SIGNAL_ARG: Record<number, number> = { 129: 1, 131: 2 };
export const HARMLESS_SIGNALS = [0, 17, 23, 28];
/**
 * getrandom (278) draws its bytes before checking the buffer, so a length
 * of 2^25 costs ~1 s of host time per call (not a correctness problem; see
 * the report). Its length register is kept below 64 KiB.
 */
export const CAPPED_LENGTH: Record<number, number> = { 278: 1 };

export interface RawCall {
  nr: number;
  args: number[];
}

export function regArb(): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(0, -1, 1, 2, -100, 0x7fffffff, 0xffffffff, 2 ** 32, 2 ** 53 - 1, -(2 ** 53) + 1, -4096), weight: 4 },
    { arbitrary: fc.integer({ min: 0, max: 8 }), weight: 4 }, // small ints and valid fds
    {
      arbitrary: fc.constantFrom(SCRATCH_BASE - 1, SCRATCH_BASE, SCRATCH_BASE + SCRATCH_SIZE - 8, SCRATCH_BASE + SCRATCH_SIZE - 1, SCRATCH_BASE + SCRATCH_SIZE, 0x1000),
      weight: 2,
    },
    { arbitrary: fc.integer({ min: 0, max: SCRATCH_SIZE - 1 }).map((o) => SCRATCH_BASE + o), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: FUZZ_STRINGS.length - 1 }).map((i) => STRING_BASE + i * STRING_STRIDE), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 4096 }), weight: 2 }, // sizes
    { arbitrary: fc.maxSafeInteger(), weight: 1 },
    { arbitrary: fc.integer(), weight: 1 },
  );
}

export function callArb(tableNrs: readonly number[]): fc.Arbitrary<RawCall> {
  const nr = fc.oneof({ arbitrary: fc.constantFrom(...tableNrs), weight: 9 }, { arbitrary: fc.integer({ min: -2, max: 520 }), weight: 1 });
  return fc
    .record({ nr: nr.filter((n) => !EXCLUDED.has(n)), args: fc.array(regArb(), { minLength: 6, maxLength: 6 }), sig: fc.constantFrom(...HARMLESS_SIGNALS) })
    .map(({ nr, args, sig }) => {
      const i = SIGNAL_ARG[nr];
      if (i !== undefined) args[i] = sig;
      const l = CAPPED_LENGTH[nr];
      if (l !== undefined && !(args[l] >= 0 && args[l] < 65536)) args[l] = args[l] & 0xffff;
      return { nr, args };
    });
}

/** Every syscall number the booted kernel (with AF_UNIX) defines. */
export function tableNumbers(): number[] {
  const sched = new Scheduler({ strategy: new RandomStrategy(new Rng(0)) });
  const k = bootKernel(sched, new Rng(0));
  registerUnix(k);
  return k.table.all().map((d) => d.nr);
}

function* setup(sys: Sys): SysGen<void> {
  sys.scratch.reset();
  sys.scratch.alloc(0x10000); // maps the whole scratch area
  const mm = sys.ctx.task.mm;
  FUZZ_STRINGS.forEach((s, i) => mm.poke(STRING_BASE + i * STRING_STRIDE, new TextEncoder().encode(s + '\0')));
  // some valid fds to aim at: a nonblocking pipe (3, 4), a file (5), a directory (6)
  yield* sys.pipe(O_NONBLOCK);
  yield* sys.open('/tmp/f', O_CREAT | O_RDWR);
  yield* sys.open('/tmp', 0);
}

function* fire(sys: Sys, calls: RawCall[]): SysGen<void> {
  for (const c of calls) yield* sys.syscall(c.nr, ...c.args);
}

export function fuzzScenario(procs: RawCall[][]): Scenario {
  return defineScenario({
    name: 'dispatcher-fuzz',
    requireCleanExit: false,
    maxSteps: 10 * CALLS_PER_PROCESS * procs.length + 100,
    processes: procs.map((calls, i) => ({
      name: `fuzz${i}`,
      uid: i === procs.length - 1 && i > 0 ? 1000 : undefined, // one unprivileged process when there are several
      *program(sys) {
        yield* setup(sys);
        yield* fire(sys, calls);
        return 0;
      },
    })),
  });
}
