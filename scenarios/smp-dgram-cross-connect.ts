// Two datagram sockets connect to each other at the same time, each from
// its own process, then exchange one datagram. Each connect takes both
// sockets' u->lock (unix_state_double_lock, lower address first), so the
// two calls take the same pair of locks in the same order whatever the
// schedule. The planted 'dgram-connect-lock-order' locks the peer first:
// the two connects then take the pair in opposite orders, which the
// lock-order graph (src/kernel/lockdep.ts) reports on any schedule, and
// which deadlocks on two harts (--harts 2) when both hold their first lock.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_DGRAM } from '../src/unix/constants.ts';

export default defineScenario({
  name: 'smp-dgram-cross-connect',
  description: 'two datagram sockets connect to each other concurrently, then exchange a datagram',
  processes: [
    {
      name: 'a',
      *program(sys) {
        const sa = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
        const sb = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
        sys.log('bind a', yield* sys.bind(sa, '/tmp/a'));
        sys.log('bind b', yield* sys.bind(sb, '/tmp/b'));
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(sa);
          sys.log('connect b', yield* sys.connect(sb, '/tmp/a'));
          yield* sys.send(sb, 'from b');
          sys.log('b got', text((yield* sys.recv(sb, 16)).data));
          yield* sys.close(sb);
          return 0;
        });
        yield* sys.close(sb);
        sys.log('connect a', yield* sys.connect(sa, '/tmp/b'));
        yield* sys.send(sa, 'from a');
        sys.log('a got', text((yield* sys.recv(sa, 16)).data));
        sys.log('child status', (yield* sys.wait(child)).status);
        yield* sys.close(sa);
        return 0;
      },
    },
  ],
  checks: {
    'both connects succeeded': (run) => (run.log('connect a') === 0 && run.log('connect b') === 0) || `connect a ${String(run.log('connect a'))}, b ${String(run.log('connect b'))}`,
    'each socket got the other one\'s datagram': (run) => (run.log('a got') === 'from b' && run.log('b got') === 'from a') || `a got ${String(run.log('a got'))}, b got ${String(run.log('b got'))}`,
    'the child exited 0': (run) => run.log('child status') === 0,
  },
});
