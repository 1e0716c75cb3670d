// A client sends one 40-byte message on a stream socket and closes; the
// server reads with a 64-byte buffer until EOF. Every read asks for more
// than is queued, so a kernel that frees the whole message after a partial
// read (planted bug stream-partial-read-drops-rest) passes every schedule,
// until reads come back short, as read(2) may (--short-io):
//   npx unixsim sweep scenarios/fault-stream-short-read.ts --seeds 100 --bug stream-partial-read-drops-rest --short-io
import { EINTR } from '../src/kernel/errno.ts';
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';

const MESSAGE = 'forty bytes of message, sent in one go..';

export default defineScenario({
  name: 'fault-stream-short-read',
  description: 'a message read through short reads arrives whole',
  processes: [
    {
      name: 'server',
      *program(sys) {
        const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(b);
          yield* sys.write(a, MESSAGE);
          yield* sys.close(a);
          return 0;
        });
        yield* sys.close(a);
        let got = '';
        for (;;) {
          const r = yield* sys.read(b, 64);
          if (r.ret === -EINTR) continue;
          if (r.ret <= 0) break;
          got += text(r.data);
        }
        sys.log('got', got);
        yield* sys.close(b);
        for (;;) if ((yield* sys.wait(child)).ret !== -EINTR) break;
        return 0;
      },
    },
  ],
  checks: { 'the whole message arrived': (run) => run.log('got') === MESSAGE || `got "${run.log('got')}"` },
});
