// Limits raised while someone sleeps on them, as data. Either a writer fills
// a small SO_SNDBUF on a socketpair and sleeps, and another process raises
// SO_SNDBUF (sk_write_space owes the writer a wake) before the reader drains;
// or connectors sleep on a listener's full backlog and another process
// calls listen() again with a larger backlog (unix_listen owes them a wake)
// before the acceptor accepts. Without the wake nothing deadlocks (the
// drain or the accept wakes them later), so only the wake-duty checker sees it.
import fc from 'fast-check';
import { defineScenario, type Scenario } from '../../src/script/scenario.ts';
import { AF_UNIX, SO_SNDBUF, SOCK_STREAM, SOL_SOCKET } from '../../src/unix/constants.ts';

export type LimitsProgram =
  | { kind: 'sndbuf'; sndbuf: number; raiseTo: number; bytes: number; chunk: number; raiseAfter: number; readAfter: number }
  | { kind: 'backlog'; backlog: number; raiseTo: number; connectors: number; raiseAfter: number; acceptAfter: number };

const time = fc.integer({ min: 0, max: 50_000 });

export const limitsArb: fc.Arbitrary<LimitsProgram> = fc.oneof(
  fc.record({
    kind: fc.constant('sndbuf' as const),
    sndbuf: fc.integer({ min: 1, max: 4096 }),
    raiseTo: fc.integer({ min: 8192, max: 200_000 }),
    bytes: fc.integer({ min: 1, max: 40_000 }),
    chunk: fc.integer({ min: 100, max: 20_000 }),
    raiseAfter: time,
    readAfter: time,
  }),
  fc.record({
    kind: fc.constant('backlog' as const),
    backlog: fc.integer({ min: 0, max: 1 }),
    raiseTo: fc.integer({ min: 2, max: 8 }),
    connectors: fc.integer({ min: 1, max: 4 }),
    raiseAfter: time,
    acceptAfter: time,
  }),
);

const PATH = '/tmp/limits.sock';

export function limitsScenario(p: LimitsProgram): Scenario {
  return defineScenario({
    name: `limits-${p.kind}`,
    maxSteps: 20_000,
    processes: [
      {
        name: 'root',
        *program(sys) {
          const kids: number[] = [];
          if (p.kind === 'sndbuf') {
            const { fds } = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
            const [w, r] = fds;
            yield* sys.setsockopt(w, SOL_SOCKET, SO_SNDBUF, p.sndbuf);
            kids.push(yield* sys.fork(function* (sys) {
              for (let sent = 0; sent < p.bytes; ) {
                const n = yield* sys.write(w, 'x'.repeat(Math.min(p.chunk, p.bytes - sent)));
                if (n <= 0) throw new Error(`write returned ${n}`);
                sent += n;
              }
              return 0;
            }));
            kids.push(yield* sys.fork(function* (sys) {
              if (p.raiseAfter) yield* sys.nanosleep(p.raiseAfter);
              yield* sys.setsockopt(w, SOL_SOCKET, SO_SNDBUF, p.raiseTo);
              return 0;
            }));
            if (p.readAfter) yield* sys.nanosleep(p.readAfter);
            for (let got = 0; got < p.bytes; ) {
              const m = yield* sys.read(r, 65536);
              if (m.ret <= 0) throw new Error(`read returned ${m.ret}`);
              got += m.ret;
            }
          } else {
            const l = yield* sys.socket(AF_UNIX, SOCK_STREAM);
            if ((yield* sys.bind(l, PATH)) !== 0 || (yield* sys.listen(l, p.backlog)) !== 0) throw new Error('listen failed');
            for (let i = 0; i < p.connectors; i++) {
              kids.push(yield* sys.fork(function* (sys) {
                const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
                const r = yield* sys.connect(s, PATH);
                if (r !== 0) throw new Error(`connect returned ${r}`);
                return 0;
              }));
            }
            kids.push(yield* sys.fork(function* (sys) {
              if (p.raiseAfter) yield* sys.nanosleep(p.raiseAfter);
              const r = yield* sys.listen(l, p.raiseTo);
              if (r !== 0) throw new Error(`listen again returned ${r}`);
              return 0;
            }));
            if (p.acceptAfter) yield* sys.nanosleep(p.acceptAfter);
            for (let i = 0; i < p.connectors; i++) {
              const a = yield* sys.accept(l);
              if (a.ret < 0) throw new Error(`accept returned ${a.ret}`);
            }
          }
          for (const k of kids) yield* sys.wait(k);
          return 0;
        },
      },
    ],
  });
}
