// Two independent processes meet at a filesystem socket, /tmp/test.sock.
// The server binds, listens and accepts; the client connects, retrying
// while the server is not up yet (the scheduler decides who starts first).
// Each side sends one message and reads the other's.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';
import { connectRetry, readToEnd, writeAll } from '../properties/lib/sock.ts';

const PATH = '/tmp/test.sock';
const HELLO = 'hello from the client';
const REPLY = 'hello back from the server';

export default defineScenario({
  name: 'acceptance-fs-socket',
  description: 'server and client over /tmp/test.sock: connect (with retry), accept, one message each way',
  processes: [
    {
      name: 'server',
      *program(sys) {
        const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        sys.log('bind', yield* sys.bind(ls, PATH));
        sys.log('listen', yield* sys.listen(ls, 4));
        const st = yield* sys.stat(PATH);
        sys.log('socket file mode', st.stat ? st.stat.mode & 0o170000 : -1);
        const a = yield* sys.accept(ls);
        sys.log('accept', a.ret >= 0 ? 'ok' : a.ret);
        sys.log('peer address length', a.addr?.len ?? -1);
        const got = yield* sys.readAll(a.ret, HELLO.length);
        sys.log('server got', text(got.data));
        sys.log('server sent', yield* writeAll(sys, a.ret, REPLY));
        const name = yield* sys.getsockname(a.ret);
        sys.log('accepted socket name', name.addr?.path ?? null);
        const rest = yield* readToEnd(sys, a.ret);
        sys.log('server end', rest.end);
        yield* sys.close(a.ret);
        yield* sys.close(ls);
        yield* sys.unlink(PATH);
        return 0;
      },
    },
    {
      name: 'client',
      *program(sys) {
        const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        sys.log('connect', yield* connectRetry(sys, s, PATH));
        const peer = yield* sys.getpeername(s);
        sys.log('client peer', peer.addr?.path ?? null);
        sys.log('client sent', yield* writeAll(sys, s, HELLO));
        const got = yield* sys.readAll(s, REPLY.length);
        sys.log('client got', text(got.data));
        yield* sys.close(s);
        return 0;
      },
    },
  ],
  checks: {
    'bind and listen succeed': (run) => run.log('bind') === 0 && run.log('listen') === 0,
    'bind created a socket file': (run) => run.log('socket file mode') === 0o140000 || `mode ${String(run.log('socket file mode'))}`,
    'the client connected': (run) => run.log('connect') === 0 || `connect = ${String(run.log('connect'))}`,
    'the server accepted an unbound peer': (run) =>
      (run.log('accept') === 'ok' && run.log('peer address length') === 2) || `accept ${String(run.log('accept'))}, addrlen ${String(run.log('peer address length'))}`,
    "the server read the client's message": (run) => run.log('server got') === HELLO || `got ${JSON.stringify(run.log('server got'))}`,
    "the client read the server's reply": (run) => run.log('client got') === REPLY || `got ${JSON.stringify(run.log('client got'))}`,
    'names on the connection are the listener path': (run) =>
      (run.log('client peer') === PATH && run.log('accepted socket name') === PATH) ||
      `peer ${String(run.log('client peer'))}, sockname ${String(run.log('accepted socket name'))}`,
    'the server sees EOF after the client closes': (run) => run.log('server end') === 0 || `end ${String(run.log('server end'))}`,
  },
});
