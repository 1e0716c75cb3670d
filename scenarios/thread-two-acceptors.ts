// Two threads of one server process accept on the listener they share
// (one fd table); a client process makes one connection, waits for its
// reply, then makes a second. Each connection must be accepted exactly
// once, by a different thread, and at the end nothing is left: no open
// file, no pending connection, no socket. With a listener that keeps one
// waker slot (the planted bug accept-single-waker) the second thread's
// registration overwrites the first's and a wakeup is lost: the story
// deadlocks.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';
import { connectRetry, writeAll } from '../properties/lib/sock.ts';

const ADDR = { abstract: 'thread-acceptors' };

export default defineScenario({
  name: 'thread-two-acceptors',
  description: 'two threads accept on one shared listener; two connections in turn: each accepted once, by different threads',
  processes: [
    {
      name: 'server',
      *program(sys) {
        const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        yield* sys.bind(ls, ADDR);
        yield* sys.listen(ls, 4);
        const tids: number[] = [];
        for (const who of ['A', 'B']) {
          tids.push(yield* sys.thread(function* (sys) {
            const a = yield* sys.accept(ls);
            if (a.ret < 0) return a.ret;
            const tag = yield* sys.readAll(a.ret, 2);
            sys.log('accepted', `${text(tag.data)} by ${who}`);
            yield* writeAll(sys, a.ret, `ok ${text(tag.data)}`);
            yield* sys.close(a.ret);
            return 0;
          }, { name: `acceptor ${who}` }));
        }
        const client = yield* sys.fork(function* (sys) {
          for (const tag of ['c1', 'c2']) {
            const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
            sys.log('connect', yield* connectRetry(sys, s, ADDR));
            yield* writeAll(sys, s, tag);
            sys.log('reply', text((yield* sys.readAll(s, 5)).data));
            yield* sys.close(s);
          }
        }, { name: 'client' });
        for (const t of tids) sys.log('thread result', (yield* sys.join(t)).value);
        yield* sys.close(ls);
        sys.log('client status', (yield* sys.wait(client)).status);
      },
    },
  ],
  checks: {
    'both connects succeeded': (run) => JSON.stringify(run.logs('connect')) === '[0,0]' || `connect ${JSON.stringify(run.logs('connect'))}`,
    'each connection was accepted exactly once, by different threads': (run) => {
      const acc = run.logs('accepted') as string[];
      const tags = acc.map((a) => a.slice(0, 2)).sort();
      const who = new Set(acc.map((a) => a.slice(6)));
      return (JSON.stringify(tags) === '["c1","c2"]' && who.size === 2) || `accepted ${JSON.stringify(acc)}`;
    },
    'each client got its own reply': (run) => JSON.stringify(run.logs('reply')) === '["ok c1","ok c2"]' || `replies ${JSON.stringify(run.logs('reply'))}`,
    'both threads returned 0 and the client exited 0': (run) =>
      (JSON.stringify(run.logs('thread result')) === '[0,0]' && run.log('client status') === 0) ||
      `threads ${JSON.stringify(run.logs('thread result'))}, client ${String(run.log('client status'))}`,
    'the client is named': (run) => run.exit('client')?.describe === 'exit 0' || 'no exit record for "client"',
    'nothing is left: no open file, socket or pending connection': (run) => run.describeState().length === 0 || run.describeState().join('; '),
  },
});
