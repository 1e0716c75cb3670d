// A preforked server: two connections are already queued on the listener
// (each client wrote its tag and closed, as under load while the server
// restarts) when two forked workers start, and each worker accepts once.
// Both workers are inside accept with connections pending, so they race
// for the head of the queue: each connection must be accepted exactly
// once, by a different worker, and each worker must read its client's tag.
// An accept that peeks the head, drops the queue lock and unlinks without
// re-checking (the planted bug accept-double-dequeue; the drop is an
// interleaving point only under --kernel-preempt or --harts N) hands both
// workers the same connection and loses the other one. (Not a race-*
// story: it gets the quick sweep only; npm test's long sweeps are costly.)
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';

const ADDR = { abstract: 'prefork-accept' };

export default defineScenario({
  name: 'prefork-accept',
  description: 'two preforked workers accept two connections already queued: each accepted once, by different workers',
  processes: [
    {
      name: 'server',
      *program(sys) {
        const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        yield* sys.bind(ls, ADDR);
        yield* sys.listen(ls, 4);
        // the clients: connect (queued on the backlog, nobody accepts yet), send the tag, hang up
        for (const tag of ['c1', 'c2']) {
          const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
          sys.log('connect', yield* sys.connect(s, ADDR));
          yield* sys.write(s, tag);
          yield* sys.close(s);
        }
        const kids: number[] = [];
        for (const who of ['A', 'B']) {
          kids.push(
            yield* sys.fork(function* (sys) {
              const a = yield* sys.accept(ls);
              if (a.ret < 0) return 1;
              sys.log('accepted', `${text((yield* sys.readAll(a.ret, 2)).data)} by ${who}`);
              return 0;
            }),
          );
        }
        yield* sys.close(ls);
        for (const k of kids) sys.log('status', (yield* sys.wait(k)).status);
        return 0;
      },
    },
  ],
  checks: {
    'both connects succeeded': (run) => JSON.stringify(run.logs('connect')) === '[0,0]' || `connect ${JSON.stringify(run.logs('connect'))}`,
    'each connection was accepted exactly once, by different workers': (run) => {
      const acc = run.logs('accepted') as string[];
      const tags = acc.map((a) => a.slice(0, 2)).sort();
      const who = new Set(acc.map((a) => a.slice(-1)));
      return (JSON.stringify(tags) === '["c1","c2"]' && who.size === 2) || `accepted ${JSON.stringify(acc)}`;
    },
    'every worker exited 0': (run) => JSON.stringify(run.logs('status')) === '[0,0]' || `statuses ${JSON.stringify(run.logs('status'))}`,
  },
});
