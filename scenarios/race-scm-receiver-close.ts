// The receiver closes its socket while messages carrying fds (a pipe's
// write end, a regular file, and the sender's other socket end) are still
// queued, or before they arrive. Closing drops the unread messages and
// closes their in-flight files: nothing leaks (the runner fails a run that
// ends with open files), the pipe's reader sees EOF once the only other
// write end is gone, and the sender gets EPIPE or success, never a hang.
import { defineScenario } from '../src/script/scenario.ts';
import { EPIPE } from '../src/kernel/errno.ts';
import { O_RDONLY } from '../src/kernel/abi.ts';
import { AF_UNIX, MSG_NOSIGNAL, SOCK_STREAM } from '../src/unix/constants.ts';

const SENDS = 4;

export default defineScenario({
  name: 'race-scm-receiver-close',
  description: 'receiver closes its socket with fds in flight: the queued fds are closed, nothing leaks, the pipe reader sees EOF',
  files: { '/tmp/f': 'x' },
  processes: [
    {
      name: 'sender',
      *program(sys) {
        const [mine, theirs] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
        const p = yield* sys.pipe();
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(mine);
          yield* sys.close(p.fds[0]);
          yield* sys.close(p.fds[1]);
          // maybe read one message (taking its fds), then close with the rest unread
          const m = yield* sys.recvmsg(theirs, { n: 1 });
          for (const fd of m.fds) yield* sys.close(fd);
          yield* sys.close(theirs);
          return 0;
        });
        yield* sys.close(theirs);
        const f = yield* sys.open('/tmp/f', O_RDONLY);
        const results: number[] = [];
        for (let i = 0; i < SENDS; i++) results.push(yield* sys.sendmsg(mine, { data: 'm', fds: [p.fds[1], f, mine] }, MSG_NOSIGNAL));
        sys.log('sends', results);
        yield* sys.close(p.fds[1]);
        yield* sys.close(f);
        yield* sys.close(mine);
        sys.log('child', (yield* sys.wait(child)).status);
        // every write end is closed once the receiver's queue is gone: EOF, not a hang
        sys.log('pipe', (yield* sys.read(p.fds[0], 1)).ret);
        yield* sys.close(p.fds[0]);
        return 0;
      },
    },
  ],
  checks: {
    'each send succeeds or gets EPIPE, and once EPIPE always EPIPE': (run) => {
      const r = run.log('sends') as number[];
      const first = r.indexOf(-EPIPE);
      const ok = r.every((v, i) => (first < 0 || i < first ? v === 1 : v === -EPIPE));
      return ok || JSON.stringify(r);
    },
    'the pipe reader sees EOF': (run) => run.log('pipe') === 0 || String(run.log('pipe')),
    'the receiver exited 0': (run) => run.log('child') === 0,
  },
});
