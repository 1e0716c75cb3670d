// A writer with a small send buffer (SO_SNDBUF 4096) sends 12,000 bytes on
// a stream socket in one write(2), retrying the rest after a short write
// and the whole call after EINTR, as a correct program does; the reader
// counts every byte. The send fills the buffer and sleeps; Linux's
// unix_stream_sendmsg returns the bytes already sent when a signal
// interrupts that sleep, so nothing is sent twice. The planted bug
// stream-send-eintr-drops-count returns EINTR instead, which only an
// interrupted sleep shows (--eintr):
//   npx unixsim sweep scenarios/fault-stream-eintr.ts --seeds 100 --bug stream-send-eintr-drops-count --eintr
import { EINTR } from '../src/kernel/errno.ts';
import { defineScenario } from '../src/script/scenario.ts';
import { AF_UNIX, SOL_SOCKET, SO_SNDBUF, SOCK_STREAM } from '../src/unix/constants.ts';

const TOTAL = 12_000;
/** the whole stream, built once */
const DATA = new Uint8Array(TOTAL).map((_, i) => (i * 7 + 3) & 0xff);

export default defineScenario({
  name: 'fault-stream-eintr',
  description: 'a 12,000-byte send through a small send buffer arrives exactly once, whatever interrupts it',
  processes: [
    {
      name: 'writer',
      *program(sys) {
        const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
        yield* sys.setsockopt(a, SOL_SOCKET, SO_SNDBUF, 4096);
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(a);
          let count = 0;
          let bad = -1;
          for (;;) {
            const r = yield* sys.read(b, 16_384);
            if (r.ret === -EINTR) continue;
            if (r.ret <= 0) break;
            if (bad < 0) for (let i = 0; i < r.ret; i++) if (r.data[i] !== DATA[count + i]) { bad = count + i; break; }
            count += r.ret;
          }
          sys.log('read', count);
          sys.log('first bad byte', bad);
          yield* sys.close(b);
          return 0;
        });
        yield* sys.close(b);
        let off = 0;
        while (off < TOTAL) {
          const n = yield* sys.write(a, DATA.subarray(off));
          if (n === -EINTR) continue;
          if (n < 0) throw new Error(`write failed: ${n}`);
          off += n;
        }
        yield* sys.close(a);
        for (;;) if ((yield* sys.wait(child)).ret !== -EINTR) break;
        return 0;
      },
    },
  ],
  checks: {
    'every byte arrived once, in order': (run) =>
      (run.log('read') === TOTAL && run.log('first bad byte') === -1) || `read ${run.log('read')} bytes, first bad at ${run.log('first bad byte')}`,
  },
});
