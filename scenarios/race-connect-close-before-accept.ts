// A client connects, sends a few bytes and closes before the server
// accepts. Linux keeps the embryonic connection in the backlog: accept
// still returns it, the bytes sent before the close are readable, and the
// next read is EOF (unix(7); AF_UNIX-SEMANTICS items 36, 48).
// Client 1 is held back by a pipe so that its close surely precedes the
// accept; client 2 races the server freely.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';
import { readToEnd, writeAll } from '../properties/lib/sock.ts';

const ADDR = { abstract: 'race-ccba' };

export default defineScenario({
  name: 'race-connect-close-before-accept',
  description: 'clients connect, send and close before (or while) the server accepts: accept still works, data then EOF',
  processes: [
    {
      name: 'server',
      *program(sys) {
        const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        yield* sys.bind(ls, ADDR);
        yield* sys.listen(ls, 4);
        const sync = yield* sys.pipe();
        const clients: number[] = [];
        for (const id of [1, 2]) {
          clients.push(
            yield* sys.fork(function* (sys) {
              yield* sys.close(ls);
              yield* sys.close(sync.fds[0]);
              const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
              sys.log('connect', yield* sys.connect(s, ADDR));
              sys.log('sent', yield* writeAll(sys, s, `bye from ${id}`));
              sys.log('close', yield* sys.close(s));
              if (id === 1) yield* sys.write(sync.fds[1], 'x'); // client 1 has closed
              yield* sys.close(sync.fds[1]);
              return 0;
            }),
          );
        }
        yield* sys.close(sync.fds[1]);
        yield* sys.read(sync.fds[0], 1); // wait until client 1 has closed
        yield* sys.close(sync.fds[0]);
        for (let i = 0; i < 2; i++) {
          const a = yield* sys.accept(ls);
          sys.log('accept', a.ret >= 0 ? 'ok' : a.ret);
          if (a.ret < 0) continue;
          const r = yield* readToEnd(sys, a.ret, 64);
          sys.log('message', text(r.data));
          sys.log('end', r.end);
          yield* sys.close(a.ret);
        }
        yield* sys.close(ls);
        for (const c of clients) sys.log('client status', (yield* sys.wait(c)).status);
        return 0;
      },
    },
  ],
  checks: {
    'both clients connected and closed': (run) =>
      (run.logs('connect').every((r) => r === 0) && run.logs('close').every((r) => r === 0) && run.logs('connect').length === 2) ||
      `connect ${JSON.stringify(run.logs('connect'))}`,
    'accept returned both closed connections': (run) =>
      JSON.stringify(run.logs('accept')) === '["ok","ok"]' || `accept ${JSON.stringify(run.logs('accept'))}`,
    'the bytes sent before close were readable': (run) =>
      JSON.stringify([...run.logs('message')].sort()) === JSON.stringify(['bye from 1', 'bye from 2']) ||
      `messages ${JSON.stringify(run.logs('message'))}`,
    'then read gave EOF': (run) => JSON.stringify(run.logs('end')) === '[0,0]' || `ends ${JSON.stringify(run.logs('end'))}`,
    'both clients exited 0': (run) => JSON.stringify(run.logs('client status')) === '[0,0]',
  },
});
