// recvmsg(MSG_PEEK) of a message carrying an fd installs a fresh
// duplicate, and the message keeps its own reference. A sender passes a
// pipe's read end and closes its copy; the receiver peeks (getting one fd),
// closes that fd, then receives for real and reads the pipe through the
// second fd. If the peek installed the fd without a reference (planted bug
// scm-peek-no-ref), closing the peeked fd drops the message's reference:
// the pipe end is released while the message still carries it.
//   npx unixsim sweep scenarios/acceptance-scm-peek.ts --seeds 20 --bug scm-peek-no-ref
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, MSG_PEEK, SOCK_STREAM } from '../src/unix/constants.ts';

export default defineScenario({
  name: 'acceptance-scm-peek',
  description: 'an fd peeked with MSG_PEEK and closed leaves the queued one intact',
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
          const peeked = yield* sys.recvmsg(theirs, { n: 16, flags: MSG_PEEK });
          sys.log('peeked fds', peeked.fds.length);
          for (const fd of peeked.fds) yield* sys.close(fd);
          const m = yield* sys.recvmsg(theirs, { n: 16 });
          sys.log('received fds', m.fds.length);
          const r = m.fds.length ? yield* sys.readAll(m.fds[0], 64) : null;
          sys.log('through the fd', r ? text(r.data) : null);
          for (const fd of m.fds) yield* sys.close(fd);
          yield* sys.close(theirs);
          return 0;
        });
        yield* sys.close(theirs);
        yield* sys.write(p.fds[1], 'pipe data');
        yield* sys.close(p.fds[1]);
        sys.log('sendmsg', yield* sys.sendmsg(mine, { data: 'fd', fds: [p.fds[0]] }));
        yield* sys.close(p.fds[0]);
        yield* sys.close(mine);
        yield* sys.wait(child);
        return 0;
      },
    },
  ],
  checks: {
    'the peek got a duplicate': (run) => run.log('peeked fds') === 1 || `peeked ${run.log('peeked fds')}`,
    'the received fd still reads the pipe': (run) => run.log('through the fd') === 'pipe data' || `read ${JSON.stringify(run.log('through the fd'))}`,
  },
});
