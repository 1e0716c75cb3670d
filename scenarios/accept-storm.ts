// Accept storm: eight clients connect at once to one listener with a small
// backlog; one acceptor takes them all. Clients that find the backlog full
// sleep in connect until an accept frees a slot. Each connection carries its
// client's id, and the acceptor must see every id exactly once.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';

const CLIENTS = 8;
const PATH = '/tmp/storm.sock';

export default defineScenario({
  name: 'accept-storm',
  description: `${CLIENTS} clients against one acceptor with listen(fd, 2)`,
  processes: [
    {
      name: 'acceptor',
      *program(sys) {
        const l = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        if ((yield* sys.bind(l, PATH)) !== 0) throw new Error('bind failed');
        if ((yield* sys.listen(l, 2)) !== 0) throw new Error('listen failed');
        for (let i = 0; i < CLIENTS; i++) {
          yield* sys.fork(function* client(sys) {
            const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
            const r = yield* sys.connect(s, PATH);
            if (r !== 0) throw new Error(`connect: ${r}`);
            yield* sys.write(s, `client-${i};`);
            yield* sys.close(s);
            return 0;
          });
        }
        const seen: string[] = [];
        for (let i = 0; i < CLIENTS; i++) {
          const a = yield* sys.accept(l);
          if (a.ret < 0) throw new Error(`accept: ${a.ret}`);
          let msg = '';
          for (;;) {
            const m = yield* sys.read(a.ret, 64);
            if (m.ret <= 0) break;
            msg += text(m.data);
          }
          seen.push(msg);
          yield* sys.close(a.ret);
        }
        sys.log('seen', seen.sort());
        for (let i = 0; i < CLIENTS; i++) yield* sys.wait();
        yield* sys.close(l);
        return 0;
      },
    },
  ],
  checks: {
    'every client was accepted exactly once': (run) => {
      const want = Array.from({ length: CLIENTS }, (_, i) => `client-${i};`).sort();
      return JSON.stringify(run.log('seen')) === JSON.stringify(want) || `saw ${JSON.stringify(run.log('seen'))}`;
    },
  },
});
