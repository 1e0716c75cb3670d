// A server starts as root, binds and listens on /run/app.sock, then drops
// to uid/gid 1000 for good (setresgid, setresuid) before it accepts. A
// client running as uid 2000 connects (whenever the socket is up) and asks
// for the server's credentials. Linux records a listening socket's
// credentials at listen() (init_peercred) and a connection copies them
// (copy_peercred), so the client's SO_PEERCRED says uid 0 whatever the
// interleaving, even though the server is uid 1000 by the time it accepts;
// the server's SO_PEERCRED names the client's uid 2000. Once dropped, the
// server can no longer become root nor read a root-only file, and the
// client, not root, cannot make a name in root's 0755 /run. (The SO_PEERCRED
// values were checked with the same story as a native C program.)
import { defineScenario } from '../src/script/scenario.ts';
import { text, type Sys } from '../src/script/sys.ts';
import { O_RDONLY } from '../src/kernel/abi.ts';
import { EACCES, EPERM } from '../src/kernel/errno.ts';
import { AF_UNIX, SOCK_STREAM, SOL_SOCKET, SO_PEERCRED } from '../src/unix/constants.ts';
import { connectRetry, writeAll } from '../properties/lib/sock.ts';

const PATH = '/run/app.sock';

/** SO_PEERCRED as { pid, uid, gid } (struct ucred); its type is inferred, no SysGen<T> needed. */
function* peercred(sys: Sys, fd: number) {
  const r = yield* sys.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, 12);
  const v = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength);
  return r.ret === 0 ? { pid: v.getInt32(0, true), uid: v.getUint32(4, true), gid: v.getUint32(8, true) } : null;
}

export default defineScenario({
  name: 'creds-drop-privileges',
  description: 'a root server drops to uid 1000 after listen(); the client still sees the credentials of listen() time',
  files: {
    '/run': { dir: true, mode: 0o755 },
    '/etc': { dir: true },
    '/etc/shadow': { content: 'root:*', mode: 0o600 },
  },
  processes: [
    {
      name: 'server',
      *program(sys) {
        yield* sys.umask(0); // the socket file 0777: anyone may connect
        const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        yield* sys.bind(ls, PATH);
        yield* sys.listen(ls, 1);
        yield* sys.setresgid(1000, 1000, 1000);
        yield* sys.setresuid(1000, 1000, 1000);
        sys.log('server ids', yield* sys.getresuid());
        sys.log('server setuid(0)', yield* sys.setuid(0));
        sys.log('server opens shadow', yield* sys.open('/etc/shadow', O_RDONLY));
        const c = yield* sys.accept(ls);
        sys.log('client cred', yield* peercred(sys, c.ret));
        sys.log('request', text((yield* sys.readAll(c.ret, 5)).data));
        yield* writeAll(sys, c.ret, 'ok');
        yield* sys.close(c.ret);
        yield* sys.close(ls);
      },
    },
    {
      name: 'client', uid: 2000, gid: 2000,
      *program(sys) {
        const squat = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        sys.log('client binds in /run', yield* sys.bind(squat, '/run/evil.sock'));
        yield* sys.close(squat);
        const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        sys.log('connect', yield* connectRetry(sys, s, PATH));
        sys.log('server cred', yield* peercred(sys, s));
        yield* writeAll(sys, s, 'hello');
        sys.log('reply', text((yield* sys.readAll(s, 2)).data));
        yield* sys.close(s);
      },
    },
  ],
  checks: {
    'the server dropped for good': (run) =>
      (JSON.stringify(run.log('server ids')) === '{"ret":0,"ruid":1000,"euid":1000,"suid":1000}' && run.log('server setuid(0)') === -EPERM) ||
      `ids ${JSON.stringify(run.log('server ids'))}, setuid(0) ${String(run.log('server setuid(0)'))}`,
    'the dropped server cannot read a root-only file': (run) => run.log('server opens shadow') === -EACCES || `open ${String(run.log('server opens shadow'))}`,
    "the client cannot make a name in root's /run": (run) => run.log('client binds in /run') === -EACCES || `bind ${String(run.log('client binds in /run'))}`,
    'the client sees the credentials of listen() time: root': (run) =>
      JSON.stringify(run.log('server cred')) === '{"pid":1,"uid":0,"gid":0}' || `server cred ${JSON.stringify(run.log('server cred'))}`,
    "the server sees the client's uid 2000": (run) =>
      JSON.stringify(run.log('client cred')) === '{"pid":2,"uid":2000,"gid":2000}' || `client cred ${JSON.stringify(run.log('client cred'))}`,
    'the conversation completed': (run) => (run.log('connect') === 0 && run.log('request') === 'hello' && run.log('reply') === 'ok') || 'it did not',
    'nothing is left': (run) => run.describeState().length === 0 || run.describeState().join('; '),
  },
});
