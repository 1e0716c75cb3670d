// A client sends a request and polls its socket for POLLIN (no timeout)
// while the server reads the request and, a few scheduling points later,
// replies. The server's read frees the client's send-buffer space, which
// wakes the client's socket writers queue: ppoll sleeps there too (the
// socket's one wait queue in Linux), so that wake reaches a POLLIN poller
// before any reply exists. A correct ppoll re-checks and sleeps again; it
// must only ever return 1 with POLLIN (planted bug `poll-no-recheck`
// returns 0 here). A second poller waits on a pipe that a sibling fills.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { POLLIN } from '../src/kernel/syscalls/poll.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';

export default defineScenario({
  name: 'race-poll-wakeup-recheck',
  description: 'a POLLIN poller woken by write space (or a wake that another reader used) keeps waiting until data is there',
  processes: [
    {
      name: 'client',
      *program(sys) {
        const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        const server = yield* sys.fork(function* (sys) {
          yield* sys.close(sp.fds[0]);
          const req = yield* sys.read(sp.fds[1], 16);
          sys.log('request', text(req.data));
          yield* sys.getpid(); // the client may run (and be woken by the freed space) before the reply
          yield* sys.getpid();
          yield* sys.write(sp.fds[1], 'pong');
          yield* sys.close(sp.fds[1]);
          return 0;
        });
        yield* sys.close(sp.fds[1]);
        yield* sys.write(sp.fds[0], 'ping');
        const p = yield* sys.poll([{ fd: sp.fds[0], events: POLLIN }]);
        sys.log('poll', [p.ret, p.revents[0] & POLLIN]);
        const r = yield* sys.read(sp.fds[0], 16);
        sys.log('reply', text(r.data));
        yield* sys.close(sp.fds[0]);
        // Two pollers on one pipe, one byte: the poller that loses the byte must wait for the second one.
        const pipe = yield* sys.pipe();
        const pollers: number[] = [];
        for (let i = 0; i < 2; i++) {
          pollers.push(
            yield* sys.fork(function* (sys) {
              yield* sys.close(pipe.fds[1]);
              const q = yield* sys.poll([{ fd: pipe.fds[0], events: POLLIN }]);
              if (q.ret !== 1 || !(q.revents[0] & POLLIN)) throw new Error(`pipe poll returned ${q.ret} revents ${q.revents[0]}`);
              yield* sys.read(pipe.fds[0], 1);
              yield* sys.close(pipe.fds[0]);
              return 0;
            }),
          );
        }
        yield* sys.close(pipe.fds[0]);
        yield* sys.write(pipe.fds[1], 'a');
        yield* sys.getpid();
        yield* sys.write(pipe.fds[1], 'b');
        yield* sys.close(pipe.fds[1]);
        for (const c of pollers) sys.log('poller status', (yield* sys.wait(c)).status);
        sys.log('server status', (yield* sys.wait(server)).status);
        return 0;
      },
    },
  ],
  checks: {
    'the server got the request': (run) => run.log('request') === 'ping' || `request ${JSON.stringify(run.log('request'))}`,
    'poll returned one fd with POLLIN': (run) => JSON.stringify(run.log('poll')) === `[1,${POLLIN}]` || `poll gave ${JSON.stringify(run.log('poll'))}`,
    'the client read the reply': (run) => run.log('reply') === 'pong' || `reply ${JSON.stringify(run.log('reply'))}`,
  },
});
