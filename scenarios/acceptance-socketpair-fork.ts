// socketpair, then fork: parent and child hold one end each and talk both
// ways; the child then streams a longer message and closes, and the parent
// reads it to EOF.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';
import { pattern, readToEnd, sameBytes, writeAll } from '../properties/lib/sock.ts';

const ROUNDS = 5;
const TAIL = 3000;

export default defineScenario({
  name: 'acceptance-socketpair-fork',
  description: 'socketpair + fork: request/reply rounds both ways, then a 3000-byte stream to EOF',
  processes: [
    {
      name: 'parent',
      *program(sys) {
        const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        sys.log('socketpair', sp.ret);
        const [mine, theirs] = sp.fds;
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(mine);
          let ok = 0;
          for (let i = 0; i < ROUNDS; i++) {
            const m = yield* sys.readAll(theirs, `req ${i}`.length);
            if (text(m.data) === `req ${i}`) ok++;
            yield* writeAll(sys, theirs, `rep ${i}`);
          }
          sys.log('child requests ok', ok);
          sys.log('child tail sent', yield* writeAll(sys, theirs, pattern(TAIL, 5)));
          yield* sys.close(theirs);
          return 0;
        });
        yield* sys.close(theirs);
        let ok = 0;
        for (let i = 0; i < ROUNDS; i++) {
          yield* writeAll(sys, mine, `req ${i}`);
          const m = yield* sys.readAll(mine, `rep ${i}`.length);
          if (text(m.data) === `rep ${i}`) ok++;
        }
        sys.log('parent replies ok', ok);
        const tail = yield* readToEnd(sys, mine, 700);
        sys.log('tail intact', sameBytes(tail.data, pattern(TAIL, 5)));
        sys.log('tail end', tail.end);
        const w = yield* sys.wait(child);
        sys.log('child status', w.status);
        yield* sys.close(mine);
        return 0;
      },
    },
  ],
  checks: {
    'socketpair succeeds': (run) => run.log('socketpair') === 0,
    'the child read every request in order': (run) => run.log('child requests ok') === ROUNDS,
    'the parent read every reply in order': (run) => run.log('parent replies ok') === ROUNDS,
    'the tail arrived whole and in order, then EOF': (run) =>
      (run.log('child tail sent') === TAIL && run.log('tail intact') === true && run.log('tail end') === 0) ||
      `sent ${String(run.log('child tail sent'))}, intact ${String(run.log('tail intact'))}, end ${String(run.log('tail end'))}`,
    'the child exited 0': (run) => run.log('child status') === 0,
  },
});
