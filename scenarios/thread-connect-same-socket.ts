// Two threads of one process connect the same stream socket at once, each
// to its own listener, on two harts. unix_stream_connect holds the
// listener's lock (not the same one here) and checks the socket's state
// before it takes the socket's lock and again under it, so exactly one
// connect succeeds and the other fails with EISCONN, and the two listeners
// hold one pending connection between them: a second would be a connection
// whose client side was overwritten (its peer lost, the first orphaned).
import { defineScenario } from '../src/script/scenario.ts';
import { AF_UNIX, SOCK_NONBLOCK, SOCK_STREAM } from '../src/unix/constants.ts';

const ADDRS = [{ abstract: 'connect-same-socket-1' }, { abstract: 'connect-same-socket-2' }];

export default defineScenario({
  name: 'thread-connect-same-socket',
  description: 'two threads connect one socket at once: one succeeds, the other is EISCONN, one connection is pending',
  kernel: { harts: 2 },
  processes: [
    {
      name: 'main',
      *program(sys) {
        const ls: number[] = [];
        for (const addr of ADDRS) {
          const l = yield* sys.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
          yield* sys.bind(l, addr);
          yield* sys.listen(l, 4);
          ls.push(l);
        }
        const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        const tids: number[] = [];
        for (const addr of ADDRS) tids.push(yield* sys.thread(function* (sys) { return yield* sys.connect(s, addr); }, { name: `connector ${addr.abstract.slice(-1)}` }));
        for (const t of tids) sys.log('connect', (yield* sys.join(t)).value);
        let accepted = 0;
        for (const l of ls) {
          for (;;) {
            const a = yield* sys.accept(l);
            if (a.ret < 0) break;
            accepted++;
            yield* sys.close(a.ret);
          }
          yield* sys.close(l);
        }
        sys.log('accepted', accepted);
        yield* sys.close(s);
      },
    },
  ],
  checks: {
    'one connect succeeded, the other was EISCONN': (run) => {
      const r = (run.logs('connect') as number[]).slice().sort((a, b) => a - b);
      return JSON.stringify(r) === '[-106,0]' || `connects returned ${JSON.stringify(run.logs('connect'))}`;
    },
    'the listeners held exactly one connection between them': (run) => run.log('accepted') === 1 || `accepted ${String(run.log('accepted'))}`,
    'nothing is left: no open file, socket or pending connection': (run) => run.describeState().length === 0 || run.describeState().join('; '),
  },
});
