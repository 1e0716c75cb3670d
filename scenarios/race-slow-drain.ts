// A writer with a small send buffer (SO_SNDBUF 4096, which Linux stores
// doubled, at least SOCK_MIN_SNDBUF) writes 40,000 bytes in a few large
// blocking writes; the reader drains 1,000 bytes at a time and sleeps in
// between. The writer must block on the full buffer and resume as space
// frees; every byte arrives once and in order, and each blocking write
// returns its full length (AF_UNIX-SEMANTICS items 69, 70).
import { defineScenario } from '../src/script/scenario.ts';
import { AF_UNIX, SOL_SOCKET, SO_SNDBUF, SOCK_STREAM } from '../src/unix/constants.ts';
import { pattern, sameBytes } from '../properties/lib/sock.ts';

const TOTAL = 40_000;
const WRITES = [15_000, 5_000, 20_000];

export default defineScenario({
  name: 'race-slow-drain',
  description: 'writer blocked on a small SO_SNDBUF while the reader drains slowly: all bytes arrive in order',
  processes: [
    {
      name: 'writer',
      *program(sys) {
        const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        const [w, r] = sp.fds;
        sys.log('setsockopt', yield* sys.setsockopt(w, SOL_SOCKET, SO_SNDBUF, 4096));
        sys.log('sndbuf', (yield* sys.getsockopt(w, SOL_SOCKET, SO_SNDBUF)).value);
        const reader = yield* sys.fork(function* (sys) {
          yield* sys.close(w);
          const parts: Uint8Array[] = [];
          let got = 0;
          for (;;) {
            const m = yield* sys.read(r, 1000);
            if (m.ret <= 0) {
              sys.log('reader end', m.ret);
              break;
            }
            parts.push(m.data);
            got += m.ret;
            yield* sys.nanosleep(5_000); // a slow consumer
          }
          const all = new Uint8Array(got);
          let off = 0;
          for (const p of parts) {
            all.set(p, off);
            off += p.length;
          }
          sys.log('received', got);
          sys.log('in order', sameBytes(all, pattern(TOTAL, 3)));
          yield* sys.close(r);
          return 0;
        });
        yield* sys.close(r);
        const data = pattern(TOTAL, 3);
        let off = 0;
        for (const n of WRITES) {
          sys.log('write', yield* sys.write(w, data.subarray(off, off + n)));
          off += n;
        }
        yield* sys.close(w);
        sys.log('reader status', (yield* sys.wait(reader)).status);
        return 0;
      },
    },
  ],
  checks: {
    'SO_SNDBUF is set, doubled and at least the Linux minimum': (run) =>
      (run.log('setsockopt') === 0 && run.log('sndbuf') === 8192) || `setsockopt ${String(run.log('setsockopt'))}, SO_SNDBUF reads ${String(run.log('sndbuf'))}`,
    'each blocking write returned its full length': (run) =>
      JSON.stringify(run.logs('write')) === JSON.stringify(WRITES) || `writes ${JSON.stringify(run.logs('write'))}`,
    'every byte arrived once, in order, then EOF': (run) =>
      (run.log('received') === TOTAL && run.log('in order') === true && run.log('reader end') === 0) ||
      `received ${String(run.log('received'))}, in order ${String(run.log('in order'))}, end ${String(run.log('reader end'))}`,
    'the reader exited 0': (run) => run.log('reader status') === 0,
  },
});
