// A server turns SO_PASSRIGHTS off on its listener, and SO_PASSCRED on,
// while a client connects and passes it a pipe's read end. Since Linux 6.16
// a connection takes its listener's SCM flags when it connects
// (unix_stream_connect), not when it is accepted, and what is sent to a
// connection nobody has accepted yet carries the sender's credentials
// (unix_maybe_add_creds). So whatever the interleaving, the client's
// sendmsg and the accepted socket agree: EPERM exactly when the accepted
// socket has SO_PASSRIGHTS off, the file otherwise; the accepted socket
// never has the later change (SO_PASSCRED on) without the earlier one; and
// the message carries the client's real credentials exactly when it has
// SO_PASSCRED.
import { defineScenario } from '../src/script/scenario.ts';
import { EPERM } from '../src/kernel/errno.ts';
import { connectRetry } from '../properties/lib/sock.ts';
import { AF_UNIX, SO_PASSCRED, SO_PASSRIGHTS, SOCK_STREAM, SOL_SOCKET } from '../src/unix/constants.ts';

const PATH = '/tmp/passrights.sock';

export default defineScenario({
  name: 'race-passrights-at-connect',
  description: 'SCM flags changed on a listener while a client connects: the connection keeps the flags it had at connect()',
  processes: [
    {
      name: 'server',
      *program(sys) {
        const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        yield* sys.bind(ls, PATH);
        yield* sys.listen(ls, 1);
        yield* sys.setsockopt(ls, SOL_SOCKET, SO_PASSRIGHTS, 0);
        yield* sys.setsockopt(ls, SOL_SOCKET, SO_PASSCRED, 1);
        const a = (yield* sys.accept(ls)).ret;
        sys.log('passrights', (yield* sys.getsockopt(a, SOL_SOCKET, SO_PASSRIGHTS)).value);
        sys.log('passcred', (yield* sys.getsockopt(a, SOL_SOCKET, SO_PASSCRED)).value);
        const m = yield* sys.recvmsg(a, { n: 1 });
        sys.log('received', { data: new TextDecoder().decode(m.data), fds: m.fds.length, creds: m.creds });
        for (const fd of m.fds) yield* sys.close(fd);
        yield* sys.close(a);
        yield* sys.close(ls);
        return 0;
      },
    },
    {
      name: 'client',
      *program(sys) {
        const fd = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        sys.log('connect', yield* connectRetry(sys, fd, PATH));
        sys.log('client pid', sys.pid);
        const p = yield* sys.pipe();
        const r = yield* sys.sendmsg(fd, { data: 'f', fds: [p.fds[0]] });
        sys.log('send', r);
        // refused: the server still reads one byte
        if (r === -EPERM) yield* sys.sendmsg(fd, { data: 'p' });
        yield* sys.close(fd);
        return 0;
      },
    },
  ],
  checks: {
    'the client connects': (run) => run.log('connect') === 0 || String(run.log('connect')),
    'the send and the accepted socket agree on SO_PASSRIGHTS': (run) => {
      const send = run.log('send');
      const rights = run.log('passrights');
      const got = run.log('received') as { data: string; fds: number };
      const ok = send === -EPERM ? rights === 0 && got.data === 'p' && got.fds === 0 : send === 1 && rights === 1 && got.data === 'f' && got.fds === 1;
      return ok || `send ${String(send)}, accepted SO_PASSRIGHTS ${String(rights)}, received ${JSON.stringify(got)}`;
    },
    'the flags are the listener\'s at one moment, and credentials come with SO_PASSCRED': (run) => {
      const rights = run.log('passrights');
      const cred = run.log('passcred');
      const got = run.log('received') as { creds: { pid: number; uid: number; gid: number } | null };
      const real = JSON.stringify({ pid: run.log('client pid'), uid: 0, gid: 0 });
      const ok = cred === 0 ? (rights === 0 || rights === 1) && got.creds === null : rights === 0 && JSON.stringify(got.creds) === real;
      return ok || `SO_PASSRIGHTS ${String(rights)}, SO_PASSCRED ${String(cred)}, credentials ${JSON.stringify(got.creds)}`;
    },
  },
});
