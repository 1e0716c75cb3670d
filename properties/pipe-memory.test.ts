// A pipe's queued bytes against the run's memory budget (`--memory`,
// src/hw/budget.ts): pipe_write's pages come from it (alloc_page: ENOMEM
// when none is left, or the bytes already written), a read gives back what
// it takes and the last close of both ends what was still queued. One
// process fills pipes until a write fails, then checks that a read, a
// drained pipe and many small writes and reads leave the budget where it was
// (a charge never given back shows as ENOMEM).
import { describe, expect, it } from 'vitest';
import { ENOMEM } from '../src/kernel/errno.ts';
import { runScenario } from '../src/script/runner.ts';
import { defineScenario } from '../src/script/scenario.ts';

const PAGE_RUN = 65_536, LESS = 61_440; // a full pipe, and a write that leaves room for the trace's own charges

describe('pipes and the memory budget', () => {
  it('a write past the budget is ENOMEM; reads and the last close give the bytes back', () => {
    const seen: string[] = [];
    const sc = defineScenario({
      name: 'pipe-memory',
      processes: [{
        name: 'filler',
        *program(sys) {
          const full: number[][] = [];
          let failed: number[] | null = null;
          for (let i = 0; i < 200 && !failed; i++) {
            const p = yield* sys.pipe();
            if (p.ret !== 0) {
              seen.push(`pipe2 ${p.ret}`);
              return 0;
            }
            const got = yield* sys.write(p.fds[1], new Uint8Array(PAGE_RUN));
            if (got === PAGE_RUN) full.push(p.fds);
            else {
              seen.push(`write ${got === -ENOMEM ? 'ENOMEM' : got}`);
              failed = p.fds;
            }
          }
          if (!failed || full.length < 2) {
            seen.push(`${full.length} pipes filled, none failed`);
            return 0;
          }
          const [a, b] = full;
          seen.push(`read ${(yield* sys.read(a[0], PAGE_RUN)).ret}`);
          let small = 0;
          for (let i = 0; i < 16; i++) {
            if ((yield* sys.write(a[1], new Uint8Array(1))) === 1 && (yield* sys.read(a[0], 1)).ret === 1) small++;
          }
          seen.push(`small ${small}`);
          seen.push(`write ${yield* sys.write(a[1], new Uint8Array(LESS))}`);
          yield* sys.close(b[0]);
          yield* sys.close(b[1]);
          seen.push(`after a drain, write ${yield* sys.write(failed[1], new Uint8Array(LESS))}`);
          return 0;
        },
      }],
    });
    const r = runScenario(sc, { seed: 1, memory: 8 * 2 ** 20, checkInvariants: true });
    expect(r.failures).toEqual([]);
    expect(seen).toEqual(['write ENOMEM', `read ${PAGE_RUN}`, 'small 16', `write ${LESS}`, `after a drain, write ${LESS}`]);
  });
});
