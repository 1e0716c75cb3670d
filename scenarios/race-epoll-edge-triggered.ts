// Edge-triggered epoll (EPOLLET): an entry is reported once per wake of its
// file, so the reader must drain its non-blocking socket to EAGAIN after
// every report. A writer sends three messages at arbitrary points and
// closes; whether each arrives before the reader's epoll_wait, during its
// drain or while it sleeps, the reader gets every byte, then EOF, and
// never hangs. Planted bug `epoll-et-no-rearm` loses the arrivals after the
// first report (the reader sleeps for ever: a deadlock).
import { EAGAIN } from '../src/kernel/errno.ts';
import { O_NONBLOCK } from '../src/kernel/abi.ts';
import { EPOLLET, EPOLLIN, EPOLL_CTL_ADD } from '../src/kernel/epoll.ts';
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';

const F_SETFL = 4;
const MESSAGES = ['one;', 'two;', 'three;'];

export default defineScenario({
  name: 'race-epoll-edge-triggered',
  description: 'an EPOLLET reader that drains to EAGAIN after each report sees every message and the EOF',
  processes: [
    {
      name: 'reader',
      *program(sys) {
        const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        const writer = yield* sys.fork(function* (sys) {
          yield* sys.close(sp.fds[0]);
          for (const m of MESSAGES) {
            yield* sys.getpid(); // a scheduling point: the reader may drain or sleep in between
            yield* sys.write(sp.fds[1], m);
          }
          yield* sys.close(sp.fds[1]);
          return 0;
        });
        yield* sys.close(sp.fds[1]);
        const fd = sp.fds[0];
        yield* sys.fcntl(fd, F_SETFL, O_NONBLOCK);
        const ep = yield* sys.epollCreate();
        if ((yield* sys.epollCtl(ep, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLET, 7)) !== 0) throw new Error('epoll_ctl failed');
        let got = '';
        let eof = false;
        let waits = 0;
        while (!eof) {
          const w = yield* sys.epollWait(ep, 4);
          waits++;
          if (w.ret !== 1 || w.events[0].data !== 7) throw new Error(`epoll_wait gave ${w.ret} ${JSON.stringify(w.events)}`);
          // Drain: with EPOLLET nothing is reported again until new data arrives.
          for (;;) {
            const r = yield* sys.read(fd, 64);
            if (r.ret === -EAGAIN) break;
            if (r.ret === 0) {
              eof = true;
              break;
            }
            if (r.ret < 0) throw new Error(`read ${r.ret}`);
            got += text(r.data);
          }
        }
        sys.log('received', got);
        sys.log('waits', waits);
        yield* sys.close(ep);
        yield* sys.close(fd);
        sys.log('writer status', (yield* sys.wait(writer)).status);
        return 0;
      },
    },
  ],
  checks: {
    'every message arrived in order': (run) => run.log('received') === MESSAGES.join('') || `received ${JSON.stringify(run.log('received'))}`,
    'one report per wake at most: no more waits than messages + EOF': (run) =>
      (run.log('waits') as number) <= MESSAGES.length + 1 || `waits ${String(run.log('waits'))}`,
    'the writer exited 0': (run) => run.log('writer status') === 0,
  },
});
