// A writer pushes 70,000 bytes through a pipe (capacity 65,536), so it
// must sleep on a full pipe until the reader frees space; the reader counts
// every byte in order. A read that frees space without waking the writers
// (planted bug pipe-read-no-wake) leaves the writer asleep: deadlock.
//   npx unixsim sweep scenarios/acceptance-pipe-bulk.ts --seeds 20 --bug pipe-read-no-wake
import { defineScenario } from '../src/script/scenario.ts';

const TOTAL = 70_000;
const byteAt = (i: number) => (i * 13 + 1) & 0xff;
/** the whole stream, built once */
const DATA = new Uint8Array(TOTAL).map((_, i) => byteAt(i));

export default defineScenario({
  name: 'acceptance-pipe-bulk',
  description: 'a writer fills a pipe past its capacity; the reader gets every byte once, in order',
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
            const r = yield* sys.read(p.fds[0], 65_536);
            if (r.ret <= 0) break;
            if (bad < 0) for (let i = 0; i < r.ret; i++) if (r.data[i] !== DATA[count + i]) { bad = count + i; break; }
            count += r.ret;
          }
          sys.log('read', count);
          sys.log('first bad byte', bad);
          yield* sys.close(p.fds[0]);
          return 0;
        });
        yield* sys.close(p.fds[0]);
        const data = DATA;
        let off = 0;
        while (off < TOTAL) {
          const n = yield* sys.write(p.fds[1], data.subarray(off));
          if (n < 0) throw new Error(`write failed: ${n}`);
          off += n;
        }
        yield* sys.close(p.fds[1]);
        yield* sys.wait(child);
        return 0;
      },
    },
  ],
  targets: ['write(pipe/data)=ok+slept'],
  checks: {
    'every byte arrived once, in order': (run) =>
      (run.log('read') === TOTAL && run.log('first bad byte') === -1) || `read ${run.log('read')}, first bad at ${run.log('first bad byte')}`,
  },
});
