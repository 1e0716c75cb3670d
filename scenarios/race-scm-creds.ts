// An unprivileged process (uid 1000, gid 100) connects to a root receiver and sends with and without SCM_CREDENTIALS while the receiver
// turns SO_PASSCRED on at some point. Whatever the interleaving, every
// credential the receiver sees is the sender's real {pid, uid, gid} or, for
// a message sent after the accept but before either end had SO_PASSCRED,
// {0, 65534, 65534} (one sent before the accept carries the real ones:
// unix_maybe_add_creds on a connection not accepted yet); a forged claim is
// refused with EPERM and never delivered.
import { defineScenario } from '../src/script/scenario.ts';
import { EPERM } from '../src/kernel/errno.ts';
import { connectRetry } from '../properties/lib/sock.ts';
import { AF_UNIX, SO_PASSCRED, SOCK_SEQPACKET, SOL_SOCKET } from '../src/unix/constants.ts';

const PATH = '/tmp/creds.sock';
const MSGS = 3;

export default defineScenario({
  name: 'race-scm-creds',
  description: "credentials checked against the sender's real ids: honest claims arrive, forged ones are EPERM, unset ones read {0,65534,65534}",
  processes: [
    {
      name: 'receiver',
      *program(sys) {
        const ls = yield* sys.socket(AF_UNIX, SOCK_SEQPACKET);
        yield* sys.umask(0); // the unprivileged sender needs write permission on the socket file
        yield* sys.bind(ls, PATH);
        yield* sys.listen(ls, 1);
        const a = yield* sys.accept(ls);
        const fd = a.ret;
        yield* sys.getpid();
        yield* sys.setsockopt(fd, SOL_SOCKET, SO_PASSCRED, 1);
        const seen: unknown[] = [];
        for (let i = 0; i < MSGS; i++) {
          const m = yield* sys.recvmsg(fd, { n: 16 });
          seen.push([new TextDecoder().decode(m.data), m.creds]);
        }
        sys.log('seen', seen);
        yield* sys.close(fd);
        yield* sys.close(ls);
        return 0;
      },
    },
    {
      name: 'sender',
      uid: 1000,
      gid: 100,
      *program(sys) {
        const fd = yield* sys.socket(AF_UNIX, SOCK_SEQPACKET);
        sys.log('connect', yield* connectRetry(sys, fd, PATH));
        sys.log('sender pid', sys.pid);
        sys.log('forged', yield* sys.sendmsg(fd, { data: 'forged', creds: { pid: sys.pid, uid: 0, gid: 0 } }));
        yield* sys.sendmsg(fd, { data: 'plain' });
        yield* sys.sendmsg(fd, { data: 'honest', creds: { pid: sys.pid, uid: 1000, gid: 100 } });
        yield* sys.sendmsg(fd, { data: 'late' });
        yield* sys.close(fd);
        return 0;
      },
    },
  ],
  checks: {
    'the sender connects': (run) => run.log('connect') === 0 || String(run.log('connect')),
    'a forged claim is EPERM': (run) => run.log('forged') === -EPERM,
    "credentials are the sender's real ids, or unset before SO_PASSCRED": (run) => {
      const pid = run.log('sender pid') as number;
      const seen = run.log('seen') as [string, { pid: number; uid: number; gid: number }][];
      const real = JSON.stringify({ pid, uid: 1000, gid: 100 });
      const nobody = JSON.stringify({ pid: 0, uid: 65534, gid: 65534 });
      const ok =
        seen.length === MSGS &&
        seen[0][0] === 'plain' &&
        seen[1][0] === 'honest' &&
        seen[2][0] === 'late' &&
        seen.every(([d, c]) => JSON.stringify(c) === real || (d !== 'honest' && JSON.stringify(c) === nobody));
      return ok || JSON.stringify(seen);
    },
  },
});
