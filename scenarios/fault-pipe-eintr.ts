// A writer sends 70,000 bytes through a pipe (capacity 65,536) in one
// write(2), retrying the rest after a short write and the whole call after
// EINTR, as a correct program does; the reader counts every byte. Linux's
// pipe_write returns the bytes written when a signal interrupts it after
// some were, so nothing is sent twice. The planted bug
// pipe-write-eintr-drops-count returns EINTR instead, which only an
// interrupted sleep shows (--eintr):
//   npx unixsim sweep scenarios/fault-pipe-eintr.ts --seeds 100 --bug pipe-write-eintr-drops-count --eintr
import { EINTR } from '../src/kernel/errno.ts';
import { defineScenario } from '../src/script/scenario.ts';

const TOTAL = 70_000;

/** byte i of the stream */
const byteAt = (i: number) => (i * 7 + 3) & 0xff;

export default defineScenario({
  name: 'fault-pipe-eintr',
  description: 'a 70,000-byte write through a pipe arrives exactly once, whatever interrupts it',
  processes: [
    {
      name: 'writer',
      *program(sys) {
        const p = yield* sys.pipe();
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(p.fds[1]);
          let count = 0;
          let bad = -1;
          for (;;) {
            const r = yield* sys.read(p.fds[0], 16_384);
            if (r.ret === -EINTR) continue;
            if (r.ret <= 0) break;
            for (let i = 0; i < r.ret; i++) if (bad < 0 && r.data[i] !== byteAt(count + i)) bad = count + i;
            count += r.ret;
          }
          sys.log('read', count);
          sys.log('first bad byte', bad);
          yield* sys.close(p.fds[0]);
          return 0;
        });
        yield* sys.close(p.fds[0]);
        const data = new Uint8Array(TOTAL).map((_, i) => byteAt(i));
        let off = 0;
        while (off < TOTAL) {
          const n = yield* sys.write(p.fds[1], data.subarray(off));
          if (n === -EINTR) continue;
          if (n < 0) throw new Error(`write failed: ${n}`);
          off += n;
        }
        yield* sys.close(p.fds[1]);
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
