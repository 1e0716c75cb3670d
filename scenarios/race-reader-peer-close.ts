// A reader blocks on an empty stream socket while its peer sends a last
// message and closes. Whether the reader is asleep at the close or arrives
// after it, it reads the last message, then EOF (0) for ever; never a hang,
// never an error (AF_UNIX-SEMANTICS item 48). A second reader sleeps on a
// pair whose peer closes without sending anything.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';
import { readToEnd } from '../properties/lib/sock.ts';

export default defineScenario({
  name: 'race-reader-peer-close',
  description: 'readers blocked while the peer closes (with and without a last message) get the data, then EOF',
  processes: [
    {
      name: 'closer',
      *program(sys) {
        const withMsg = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        const silent = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        const reader = yield* sys.fork(function* (sys) {
          yield* sys.close(withMsg.fds[0]);
          yield* sys.close(silent.fds[0]);
          const a = yield* readToEnd(sys, withMsg.fds[1], 8);
          sys.log('message', text(a.data));
          sys.log('message end', a.end);
          const again = yield* sys.read(withMsg.fds[1], 8);
          sys.log('read after EOF', again.ret);
          const b = yield* readToEnd(sys, silent.fds[1], 8);
          sys.log('silent', [b.data.length, b.end]);
          yield* sys.close(withMsg.fds[1]);
          yield* sys.close(silent.fds[1]);
          return 0;
        });
        yield* sys.close(withMsg.fds[1]);
        yield* sys.close(silent.fds[1]);
        yield* sys.getpid(); // a few scheduling points: the reader may or may not be asleep by now
        yield* sys.getpid();
        sys.log('sent', yield* sys.write(withMsg.fds[0], 'last words'));
        yield* sys.close(withMsg.fds[0]);
        yield* sys.getpid();
        yield* sys.close(silent.fds[0]);
        sys.log('reader status', (yield* sys.wait(reader)).status);
        return 0;
      },
    },
  ],
  checks: {
    'the reader got the last message, then EOF': (run) =>
      (run.log('message') === 'last words' && run.log('message end') === 0) ||
      `message ${JSON.stringify(run.log('message'))}, end ${String(run.log('message end'))}`,
    'EOF stays EOF': (run) => run.log('read after EOF') === 0 || `read after EOF ${String(run.log('read after EOF'))}`,
    'a silent close gives EOF with no data': (run) => JSON.stringify(run.log('silent')) === '[0,0]' || `silent ${JSON.stringify(run.log('silent'))}`,
    'the reader exited 0': (run) => run.log('reader status') === 0,
  },
});
