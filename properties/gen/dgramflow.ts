// Datagram traffic as data: S senders flood one bound datagram receiver.
// Sender s sends its datagrams (sizes given) blocking, by sendto or by send
// on a connected socket; the receiver reads them all, pausing between reads
// for the given virtual times, so its queue often reaches max_dgram_qlen
// and senders must sleep on its peer_wait (unix_wait_for_peer).
import fc from 'fast-check';
import { defineScenario, type Scenario } from '../../src/script/scenario.ts';
import { AF_UNIX, SOCK_DGRAM } from '../../src/unix/constants.ts';

export interface DgramFlow {
  /** per sender: whether it connects first, and its datagram sizes */
  senders: { connected: boolean; sizes: number[] }[];
  /** pauses (ns) the receiver cycles through before each read */
  pauses: number[];
}

export const dgramFlowArb: fc.Arbitrary<DgramFlow> = fc.record({
  senders: fc.array(
    fc.record({ connected: fc.boolean(), sizes: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 24 }) }),
    { minLength: 1, maxLength: 3 },
  ),
  pauses: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30_000 })), { minLength: 1, maxLength: 4 }),
});

const PATH = '/tmp/dgram-sink';

export function dgramFlowScenario(flow: DgramFlow): Scenario {
  const total = flow.senders.reduce((n, s) => n + s.sizes.length, 0);
  return defineScenario({
    name: 'dgram-flow',
    maxSteps: 50_000,
    processes: [
      {
        name: 'sink',
        *program(sys) {
          const r = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
          if ((yield* sys.bind(r, PATH)) !== 0) throw new Error('bind failed');
          const kids: number[] = [];
          for (const spec of flow.senders) {
            kids.push(
              yield* sys.fork(function* (sys) {
                const s = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
                if (spec.connected && (yield* sys.connect(s, PATH)) !== 0) throw new Error('connect failed');
                for (const n of spec.sizes) {
                  const data = 'd'.repeat(n);
                  const sent = spec.connected ? yield* sys.send(s, data) : yield* sys.sendto(s, data, 0, PATH);
                  if (sent !== n) throw new Error(`send of ${n} returned ${sent}`);
                }
                yield* sys.close(s);
                return 0;
              }),
            );
          }
          for (let i = 0; i < total; i++) {
            const pause = flow.pauses[i % flow.pauses.length];
            if (pause) yield* sys.nanosleep(pause);
            const m = yield* sys.recv(r, 512);
            if (m.ret <= 0) throw new Error(`recv ${i} returned ${m.ret}`);
          }
          for (const k of kids) yield* sys.wait(k);
          yield* sys.close(r);
          return 0;
        },
      },
    ],
  });
}
