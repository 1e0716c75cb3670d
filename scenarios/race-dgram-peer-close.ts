// A client connected to a datagram server keeps sending while the server
// reads five datagrams, closes, and a new server binds the same path.
// Whatever the interleaving (kernel preemption on): the client's first send
// after the close, possibly one already asleep on the full queue, is
// ECONNREFUSED and leaves it unconnected, so the next is ENOTCONN (items 88,
// 93); the datagrams still queued on the old server are dropped and
// uncharged; after reconnecting, every datagram sent reaches the new server
// once and in order. The old server reads slowly, so the client usually
// sleeps on its full queue when it closes; the reconnects in between the
// unlink and the new bind get ENOENT.
import { defineScenario } from '../src/script/scenario.ts';
import { AF_UNIX, SOCK_DGRAM } from '../src/unix/constants.ts';

const PATH = '/tmp/srv';
const BEFORE = 20;
const AFTER = 6;
const OLD_READS = 5;
const ECONNREFUSED = 111, ENOTCONN = 107;

const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

export default defineScenario({
  name: 'race-dgram-peer-close',
  description: 'a connected datagram sender races its server closing and a new one binding the path: ECONNREFUSED once, ENOTCONN, reconnect',
  kernel: { kernelPreemption: true },
  processes: [
    {
      name: 'server',
      *program(sys) {
        const old = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
        sys.log('bind old', yield* sys.bind(old, PATH));
        const client = yield* sys.fork(function* (sys) {
          yield* sys.close(old);
          const s = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
          sys.log('connect', yield* sys.connect(s, PATH));
          const results: number[] = [];
          let refusedAt = -1;
          for (let i = 0; i < BEFORE; i++) {
            const r = yield* sys.send(s, `old ${i}`);
            results.push(r);
            if (r === -ECONNREFUSED) {
              refusedAt = i;
              break;
            }
          }
          sys.log('refused', refusedAt >= 0);
          sys.log('sent before the close', results.slice(0, -1).every((r, i) => r === `old ${i}`.length));
          sys.log('then', yield* sys.send(s, 'lost'));
          for (;;) {
            const r = yield* sys.connect(s, PATH);
            if (r === 0) break;
            yield* sys.nanosleep(10_000);
          }
          sys.log('reconnected', true);
          let after = 0;
          for (let i = 0; i < AFTER; i++) if ((yield* sys.send(s, `new ${i}`)) === `new ${i}`.length) after++;
          sys.log('sent after', after);
          yield* sys.send(s, 'end');
          yield* sys.close(s);
          return 0;
        });
        const oldGot: string[] = [];
        for (let i = 0; i < OLD_READS; i++) {
          yield* sys.nanosleep(20_000); // slow: the client fills the queue and sleeps on it
          oldGot.push(dec((yield* sys.recv(old, 64)).data));
        }
        sys.log('old in order', oldGot.every((g, i) => g === `old ${i}`));
        yield* sys.close(old); // anything still queued is dropped
        sys.log('unlink', yield* sys.unlink(PATH));
        yield* sys.nanosleep(30_000); // the client's reconnects meanwhile: ENOENT
        const fresh = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
        sys.log('bind new', yield* sys.bind(fresh, PATH));
        const newGot: string[] = [];
        for (;;) {
          const m = dec((yield* sys.recv(fresh, 64)).data);
          if (m === 'end') break;
          newGot.push(m);
        }
        sys.log('new got', newGot);
        sys.log('client status', (yield* sys.wait(client)).status);
        yield* sys.close(fresh);
        return 0;
      },
    },
  ],
  checks: {
    'both servers bound the path': (run) => run.log('bind old') === 0 && run.log('unlink') === 0 && run.log('bind new') === 0,
    'the old server read its first datagrams in order': (run) => run.log('old in order') === true,
    'the first send after the close is ECONNREFUSED, the next ENOTCONN': (run) =>
      (run.log('refused') === true && run.log('sent before the close') === true && run.log('then') === -ENOTCONN) ||
      `refused ${String(run.log('refused'))}, before ${String(run.log('sent before the close'))}, then ${String(run.log('then'))}`,
    'after reconnecting every datagram reaches the new server once, in order': (run) =>
      (run.log('reconnected') === true && run.log('sent after') === AFTER &&
        JSON.stringify(run.log('new got')) === JSON.stringify(Array.from({ length: AFTER }, (_, i) => `new ${i}`))) ||
      `sent after ${String(run.log('sent after'))}, new got ${JSON.stringify(run.log('new got'))}`,
    'the client exited 0': (run) => run.log('client status') === 0,
  },
});
