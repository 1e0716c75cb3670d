// The sender closes its fd right after sendmsg, while the message is still
// in flight: the message's own reference keeps the open file alive, so the
// receiver, whenever it runs, reads the file through the fd it receives.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { O_RDONLY } from '../src/kernel/abi.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';

const PATH = '/tmp/passed';
const CONTENT = 'still readable after the sender closed it';

export default defineScenario({
  name: 'race-scm-sender-close',
  description: 'sendmsg(SCM_RIGHTS) then close(fd) at once: the in-flight reference keeps the file open for the receiver',
  files: { [PATH]: CONTENT },
  processes: [
    {
      name: 'sender',
      *program(sys) {
        const [mine, theirs] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(mine);
          const m = yield* sys.recvmsg(theirs, { n: 8 });
          sys.log('received', [m.ret, m.fds.length]);
          const r = yield* sys.read(m.fds[0], 100);
          sys.log('content', text(r.data));
          yield* sys.close(m.fds[0]);
          yield* sys.close(theirs);
          return 0;
        });
        yield* sys.close(theirs);
        const fd = yield* sys.open(PATH, O_RDONLY);
        sys.log('sent', yield* sys.sendmsg(mine, { data: 'f', fds: [fd] }));
        sys.log('close', yield* sys.close(fd));
        yield* sys.close(mine);
        sys.log('child', (yield* sys.wait(child)).status);
        return 0;
      },
    },
  ],
  checks: {
    'the send and the close succeed': (run) => (run.log('sent') === 1 && run.log('close') === 0) || `sent ${String(run.log('sent'))}`,
    'the receiver got one fd': (run) => JSON.stringify(run.log('received')) === '[1,1]' || JSON.stringify(run.log('received')),
    'the receiver read the whole file': (run) => run.log('content') === CONTENT || JSON.stringify(run.log('content')),
    'the receiver exited 0': (run) => run.log('child') === 0,
  },
});
