// listen(fd, 0) admits one pending connection. Two clients connect; the
// first one in gets the slot, the other blocks in connect on the full
// backlog (or arrives after the close). The server closes the listener as
// soon as one client reports it is connected. Linux: the blocked connector
// wakes with ECONNREFUSED (unix_wait_for_peer), the pending connection is
// reset: read gives ECONNRESET, then 0 (AF_UNIX-SEMANTICS items 33, 35, 47).
// Nothing may hang.
import { defineScenario } from '../src/script/scenario.ts';
import { ECONNREFUSED, ECONNRESET } from '../src/kernel/errno.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';
import { ignoreSigpipe } from '../properties/lib/sock.ts';

const PATH = '/tmp/full.sock';

export default defineScenario({
  name: 'race-listener-close-full-backlog',
  description: 'listener closes while a client is blocked in connect on a full backlog: ECONNREFUSED, nothing hangs',
  processes: [
    {
      name: 'server',
      *program(sys) {
        const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        yield* sys.bind(ls, PATH);
        yield* sys.listen(ls, 0);
        const connected = yield* sys.pipe();
        const kids: number[] = [];
        for (let id = 1; id <= 2; id++) {
          kids.push(
            yield* sys.fork(function* (sys) {
              yield* ignoreSigpipe(sys);
              yield* sys.close(ls); // only the server's reference keeps the listener alive
              yield* sys.close(connected.fds[0]);
              const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
              const r = yield* sys.connect(s, PATH);
              sys.log('connect', r);
              if (r === 0) {
                yield* sys.write(connected.fds[1], 'c');
                const a = yield* sys.read(s, 16);
                const b = yield* sys.read(s, 16);
                sys.log('reads after reset', [a.ret, b.ret]);
              }
              yield* sys.close(connected.fds[1]);
              yield* sys.close(s);
              return 0;
            }),
          );
        }
        yield* sys.close(connected.fds[1]);
        const c = yield* sys.read(connected.fds[0], 1); // one client holds the only slot
        sys.log('a client connected', c.ret);
        yield* sys.close(ls);
        yield* sys.close(connected.fds[0]);
        for (const k of kids) sys.log('client status', (yield* sys.wait(k)).status);
        yield* sys.unlink(PATH);
        return 0;
      },
    },
  ],
  checks: {
    'exactly one client got the backlog slot, the other was refused': (run) => {
      const rs = [...run.logs('connect')].sort();
      return JSON.stringify(rs) === JSON.stringify([-ECONNREFUSED, 0]) || `connect results ${JSON.stringify(run.logs('connect'))}`;
    },
    'the pending connection was reset: ECONNRESET, then EOF': (run) =>
      JSON.stringify(run.log('reads after reset')) === JSON.stringify([-ECONNRESET, 0]) ||
      `reads ${JSON.stringify(run.log('reads after reset'))}`,
    'both clients exited 0': (run) => JSON.stringify(run.logs('client status')) === '[0,0]',
  },
});
