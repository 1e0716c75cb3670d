// Several senders each pass three fds; the receiver's control buffer has
// room for two (CMSG_LEN(8) = 24 bytes). Each receive installs two fds,
// sets MSG_CTRUNC and closes the third; on a stream, a recv never spans two
// fd-carrying sends, however the senders interleave (items 112, 117).
import { defineScenario } from '../src/script/scenario.ts';
import { AF_UNIX, MSG_CTRUNC, SOCK_STREAM } from '../src/unix/constants.ts';

const SENDERS = 3;

export default defineScenario({
  name: 'race-scm-ctrunc',
  description: 'three fds into a 24-byte control buffer, from several racing senders: two installed, MSG_CTRUNC, the third closed',
  processes: [
    {
      name: 'receiver',
      *program(sys) {
        const [mine, theirs] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
        const p = yield* sys.pipe();
        const kids: number[] = [];
        for (let i = 0; i < SENDERS; i++) {
          kids.push(
            yield* sys.fork(function* (sys) {
              yield* sys.close(mine);
              const r = yield* sys.sendmsg(theirs, { data: `s${i}`, fds: [p.fds[0], p.fds[1], theirs] });
              yield* sys.close(theirs);
              return r === 2 ? 0 : 1;
            }),
          );
        }
        yield* sys.close(theirs);
        const got: [string, number, number, number][] = [];
        for (let i = 0; i < SENDERS; i++) {
          const m = yield* sys.recvmsg(mine, { n: 64, controlLen: 24 });
          got.push([new TextDecoder().decode(m.data), m.fds.length, m.flags, m.controlLen]);
          for (const fd of m.fds) yield* sys.close(fd);
        }
        sys.log('got', got);
        for (const k of kids) sys.log(`sender ${k}`, (yield* sys.wait(k)).status);
        yield* sys.close(p.fds[0]);
        yield* sys.close(p.fds[1]);
        yield* sys.close(mine);
        return 0;
      },
    },
  ],
  requireCleanExit: true,
  checks: {
    'each receive: one sender, two fds, MSG_CTRUNC, msg_controllen 24': (run) => {
      const got = run.log('got') as [string, number, number, number][];
      const ok = got.length === SENDERS && got.every(([d, n, f, c]) => /^s\d$/.test(d) && n === 2 && f === MSG_CTRUNC && c === 24);
      const senders = new Set(got.map(([d]) => d));
      return (ok && senders.size === SENDERS) || JSON.stringify(got);
    },
  },
});
