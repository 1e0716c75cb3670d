// A wake issued before the state change it announces is visible to another
// hart: the race a small async kernel writes when it calls sk_data_ready
// ahead of the enqueue. The parent sends "ping" on a stream socketpair and
// waits for "pong"; the child is (usually) already asleep in recv.
//
// With the planted variant 'stream-wake-before-queue' the write wakes the
// child first and only then takes the child's u->lock to queue the data.
// On two harts the child can run in that gap: it finds its queue still
// empty and goes back to sleep; the data then lands with nobody left to
// wake it, and both processes sleep for ever (the run ends in a deadlock).
// The correct kernel (sendChunk in src/unix/stream.ts) queues, unlocks and
// then wakes, and passes every schedule (dfs) at this size.
import { defineScenario } from '../../src/script/scenario.ts';
import { text } from '../../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../../src/unix/constants.ts';

export default defineScenario({
  name: 'wake-before-publish',
  description: 'ping/pong over a stream socketpair on two harts: a wake that runs ahead of the enqueue is lost',
  kernel: { harts: 2 },
  processes: [
    {
      name: 'parent',
      *program(sys) {
        const { fds: [a, b] } = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(a);
          const m = yield* sys.recv(b, 16);
          sys.log('child got', text(m.data));
          yield* sys.send(b, 'pong');
          yield* sys.close(b);
          return 0;
        });
        yield* sys.close(b);
        yield* sys.send(a, 'ping');
        const m = yield* sys.recv(a, 16);
        sys.log('parent got', text(m.data));
        sys.log('child status', (yield* sys.wait(child)).status);
        yield* sys.close(a);
        return 0;
      },
    },
  ],
  checks: {
    'the ping reached the child': (run) => run.log('child got') === 'ping' || `child got ${JSON.stringify(run.log('child got'))}`,
    'the pong came back': (run) => run.log('parent got') === 'pong' || `parent got ${JSON.stringify(run.log('parent got'))}`,
    'the child exited 0': (run) => run.log('child status') === 0,
  },
});
