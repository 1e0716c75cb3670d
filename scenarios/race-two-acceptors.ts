// Two forked acceptors share one listener and each accepts once. The
// server, their parent, is the client: it makes one connection, waits for
// its reply, then makes a second. Each connection must be accepted exactly
// once, and by a different acceptor.
// A listener with one waker slot (the latest accept overwrites the other's
// registration) loses the second acceptor's wakeup: this story deadlocks
// under the planted bug accept-single-waker.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';
import { writeAll } from '../properties/lib/sock.ts';

const ADDR = { abstract: 'two-acceptors' };

export default defineScenario({
  name: 'race-two-acceptors',
  description: 'two acceptors sharing a listener, one connection, then a second: each accepted exactly once',
  processes: [
    {
      name: 'server',
      *program(sys) {
        const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        yield* sys.bind(ls, ADDR);
        yield* sys.listen(ls, 4);
        const kids: number[] = [];
        for (const who of ['acceptor A', 'acceptor B']) {
          kids.push(
            yield* sys.fork(function* (sys) {
              const a = yield* sys.accept(ls);
              if (a.ret < 0) {
                sys.log('accept error', a.ret);
                return 1;
              }
              const tag = yield* sys.readAll(a.ret, 2);
              sys.log('accepted', `${text(tag.data)} by ${who}`);
              yield* writeAll(sys, a.ret, `ok ${text(tag.data)}`);
              return 0;
            }),
          );
        }
        yield* sys.close(ls);
        // the server is the client too: one connection, its reply, then a second
        for (const tag of ['c1', 'c2']) {
          const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
          sys.log('connect', yield* sys.connect(s, ADDR));
          yield* writeAll(sys, s, tag);
          const r = yield* sys.readAll(s, 5);
          sys.log('reply', text(r.data));
          yield* sys.close(s);
        }
        for (const k of kids) sys.log('status', (yield* sys.wait(k)).status);
        return 0;
      },
    },
  ],
  checks: {
    'both connects succeeded': (run) => JSON.stringify(run.logs('connect')) === '[0,0]' || `connect ${JSON.stringify(run.logs('connect'))}`,
    'each connection was accepted exactly once, by different acceptors': (run) => {
      const acc = run.logs('accepted') as string[];
      const tags = acc.map((a) => a.slice(0, 2)).sort();
      const who = new Set(acc.map((a) => a.slice(6)));
      return (JSON.stringify(tags) === '["c1","c2"]' && who.size === 2) || `accepted ${JSON.stringify(acc)}`;
    },
    'each client got its own reply': (run) => JSON.stringify(run.logs('reply')) === '["ok c1","ok c2"]' || `replies ${JSON.stringify(run.logs('reply'))}`,
    'every child exited 0': (run) => JSON.stringify(run.logs('status')) === '[0,0]' || `statuses ${JSON.stringify(run.logs('status'))}`,
  },
});
