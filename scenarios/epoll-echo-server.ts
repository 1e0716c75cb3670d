// An epoll-driven echo server: one listener and every accepted connection
// in one level-triggered epoll set. Three forked clients connect, send a
// line, and check that the same bytes come back; the server accepts when
// the listener is reported, echoes what each connection has, and removes
// (EPOLL_CTL_DEL) and closes a connection at EOF. It ends once every client
// has hung up.
import { EPOLLIN, EPOLL_CTL_ADD, EPOLL_CTL_DEL } from '../src/kernel/epoll.ts';
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';
import { writeAll } from '../properties/lib/sock.ts';

const CLIENTS = 3;
const PATH = '/echo.sock';

export default defineScenario({
  name: 'epoll-echo-server',
  description: 'an epoll loop accepts several AF_UNIX stream clients and echoes each one its own bytes',
  processes: [
    {
      name: 'server',
      *program(sys) {
        const l = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        if ((yield* sys.bind(l, PATH)) !== 0 || (yield* sys.listen(l, 8)) !== 0) throw new Error('bind/listen failed');
        const ep = yield* sys.epollCreate();
        yield* sys.epollCtl(ep, EPOLL_CTL_ADD, l, EPOLLIN);
        const clients: number[] = [];
        for (let i = 0; i < CLIENTS; i++) {
          clients.push(
            yield* sys.fork(function* (sys) {
              yield* sys.close(ep);
              yield* sys.close(l);
              const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
              const c = yield* sys.connect(s, PATH);
              if (c !== 0) throw new Error(`connect ${c}`);
              const msg = `hello from client ${i}`;
              yield* writeAll(sys, s, msg);
              const back = yield* sys.readAll(s, msg.length);
              sys.log('echo', text(back.data) === msg ? 'ok' : `client ${i} got ${JSON.stringify(text(back.data))}`);
              yield* sys.close(s);
              return 0;
            }),
          );
        }
        let accepted = 0;
        let hungUp = 0;
        while (hungUp < CLIENTS) {
          const w = yield* sys.epollWait(ep, 8);
          if (w.ret <= 0) throw new Error(`epoll_wait ${w.ret}`);
          for (const e of w.events) {
            if (e.data === l) {
              const a = yield* sys.accept(l);
              if (a.ret < 0) throw new Error(`accept ${a.ret}`);
              accepted++;
              yield* sys.epollCtl(ep, EPOLL_CTL_ADD, a.ret, EPOLLIN);
              continue;
            }
            const r = yield* sys.read(e.data, 64);
            if (r.ret > 0) {
              yield* writeAll(sys, e.data, r.data);
            } else {
              if (r.ret < 0) throw new Error(`read ${r.ret}`);
              yield* sys.epollCtl(ep, EPOLL_CTL_DEL, e.data, 0);
              yield* sys.close(e.data);
              hungUp++;
            }
          }
        }
        sys.log('accepted', accepted);
        yield* sys.close(ep);
        yield* sys.close(l);
        for (const c of clients) sys.log('client status', (yield* sys.wait(c)).status);
        return 0;
      },
    },
  ],
  checks: {
    'every client got its own bytes back': (run) => {
      const echoes = run.logs('echo');
      return (echoes.length === CLIENTS && echoes.every((e) => e === 'ok')) || `echoes ${JSON.stringify(echoes)}`;
    },
    'the server accepted every client': (run) => run.log('accepted') === CLIENTS || `accepted ${String(run.log('accepted'))}`,
    'every client exited 0': (run) => run.logs('client status').every((s) => s === 0),
  },
});
