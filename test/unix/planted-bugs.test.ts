// Each planted bug must really produce its failure, and the correct kernel
// must not: the same scenario runs over a range of seeds with and without it.
import { describe, expect, it } from 'vitest';
import { plantedBugs } from '../../src/kernel/bugs.ts';
import type { Program } from '../../src/script/context.ts';
import { runScenario } from '../../src/script/runner.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../../src/unix/constants.ts';
import { UNIX_PLANTED_BUGS } from '../../src/unix/index.ts';

const SEEDS = 40;

/** Failure messages of each seed's run (empty strings for clean runs). */
function sweep(program: Program, bug: string | null, preempt = false): string[] {
  const out: string[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = runScenario(
      { name: 'bug', processes: [{ name: 'main', program }], kernel: { kernelPreemption: preempt } },
      { seed, strategy: seed % 2 ? 'random' : 'pct', bugs: bug ? [bug] : [], checkInvariants: true },
    );
    out.push(r.failures.join('; '));
  }
  return out;
}

function* listenOn(sys: Sys, path: string, backlog: number): SysGen<number> {
  const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
  yield* sys.bind(s, path);
  yield* sys.listen(s, backlog);
  return s;
}

const programs: Record<keyof typeof UNIX_PLANTED_BUGS, { program: Program; expect: RegExp; preempt?: boolean }> = {
  'stream-write-no-wake': {
    expect: /deadlock/,
    *program(sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
      const child = yield* sys.fork(function* (sys) {
        const r = yield* sys.read(b, 1);
        return r.ret === 1 ? 0 : 1;
      });
      yield* sys.nanosleep(1_000_000); // the reader is asleep by now
      yield* sys.write(a, 'x');
      yield* sys.wait(child);
      yield* sys.close(a);
      yield* sys.close(b);
      return 0;
    },
  },
  'stream-partial-read-drops-rest': {
    expect: /exit 1/,
    *program(sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
      yield* sys.write(a, 'hello world');
      yield* sys.close(a);
      const first = yield* sys.read(b, 5); // part of the one queued message
      const rest = yield* sys.read(b, 64);
      yield* sys.close(b);
      return new TextDecoder().decode(first.data) + new TextDecoder().decode(rest.data) === 'hello world' ? 0 : 1;
    },
  },
  'accept-double-dequeue': {
    expect: /accepted twice|socket of 2 open files/,
    preempt: true,
    *program(sys) {
      const s = yield* listenOn(sys, '/tmp/l', 4);
      const kids: number[] = [];
      for (let i = 0; i < 2; i++) {
        kids.push(
          yield* sys.fork(function* (sys) {
            const a = yield* sys.accept(s);
            yield* sys.close(a.ret);
            yield* sys.close(s);
            return 0;
          }),
        );
      }
      const cs: number[] = [];
      for (let i = 0; i < 2; i++) {
        const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        yield* sys.connect(c, '/tmp/l');
        cs.push(c);
      }
      for (const k of kids) yield* sys.wait(k);
      for (const c of cs) yield* sys.close(c);
      yield* sys.close(s);
      return 0;
    },
  },
  'close-no-wake-connectors': {
    expect: /deadlock/,
    *program(sys) {
      const s = yield* listenOn(sys, '/tmp/l', 0);
      const c1 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.connect(c1, '/tmp/l');
      const child = yield* sys.fork(function* (sys) {
        yield* sys.close(s);
        const c2 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        yield* sys.connect(c2, '/tmp/l'); // sleeps on the full backlog
        yield* sys.close(c2);
        return 0;
      });
      yield* sys.nanosleep(1_000_000);
      yield* sys.close(s);
      yield* sys.wait(child);
      yield* sys.close(c1);
      return 0;
    },
  },
  'accept-single-waker': {
    expect: /deadlock/,
    *program(sys) {
      const s = yield* listenOn(sys, '/tmp/l', 4);
      const kids: number[] = [];
      for (let i = 0; i < 2; i++) {
        kids.push(
          yield* sys.fork(function* (sys) {
            const a = yield* sys.accept(s);
            yield* sys.close(a.ret);
            yield* sys.close(s);
            return 0;
          }),
        );
      }
      yield* sys.nanosleep(1_000_000); // both acceptors asleep
      const cs: number[] = [];
      for (let i = 0; i < 2; i++) {
        const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        yield* sys.connect(c, '/tmp/l');
        cs.push(c);
        yield* sys.nanosleep(1_000_000);
      }
      for (const k of kids) yield* sys.wait(k);
      for (const c of cs) yield* sys.close(c);
      yield* sys.close(s);
      return 0;
    },
  },
  'read-register-once': {
    expect: /deadlock/,
    *program(sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
      const kids: number[] = [];
      for (let i = 0; i < 2; i++) {
        kids.push(
          yield* sys.fork(function* (sys) {
            const r = yield* sys.read(b, 1);
            return r.ret === 1 ? 0 : 1;
          }),
        );
      }
      yield* sys.nanosleep(1_000_000); // both readers asleep
      yield* sys.write(a, 'x');
      yield* sys.nanosleep(1_000_000); // one took it; the other sleeps again
      yield* sys.write(a, 'y');
      for (const k of kids) yield* sys.wait(k);
      yield* sys.close(a);
      yield* sys.close(b);
      return 0;
    },
  },
};

describe('AF_UNIX planted bugs', () => {
  it('are registered with descriptions', () => {
    for (const name of Object.keys(UNIX_PLANTED_BUGS)) expect(plantedBugs()[name as keyof typeof UNIX_PLANTED_BUGS]).toBeTruthy();
  });
  for (const [name, spec] of Object.entries(programs)) {
    it(`${name}: its scenario fails with the bug and passes without it`, () => {
      const clean = sweep(spec.program, null, spec.preempt);
      expect(clean.filter((f) => f !== '')).toEqual([]);
      const buggy = sweep(spec.program, name, spec.preempt);
      const hits = buggy.filter((f) => spec.expect.test(f));
      expect(hits.length, buggy.join('\n')).toBeGreaterThan(0);
    });
  }
});
