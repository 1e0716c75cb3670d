// The fd bitmap (src/kernel/fdbitmap.ts, find_next_fd) against a set of open
// fds, at table sizes where its upper levels matter (a guest may raise
// RLIMIT_NOFILE to a million): after any run of set and clear, has(fd) is
// membership and lowestFree(from) the least fd >= from not in the set.
// properties/fd-model.test.ts reaches only the first word or two.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FdBitmap } from '../src/kernel/fdbitmap.ts';

/** fds clustered so that whole words (32) and whole words of words (1024) fill up */
const fdArb = fc.oneof(fc.nat(70), fc.integer({ min: 990, max: 1100 }), fc.integer({ min: 32_700, max: 32_800 }), fc.nat(40_000));

type BOp = { op: 'set' | 'clear'; fd: number } | { op: 'fill'; from: number; n: number } | { op: 'free'; from: number };

const bopArb: fc.Arbitrary<BOp> = fc.oneof(
  fc.record({ op: fc.constantFrom<'set' | 'clear'>('set', 'clear'), fd: fdArb }),
  // a run of consecutive fds set, as a table filled from the bottom is
  fc.record({ op: fc.constant('fill' as const), from: fdArb, n: fc.integer({ min: 1, max: 1100 }) }),
  fc.record({ op: fc.constant('free' as const), from: fdArb }),
);

function modelLowest(open: Set<number>, from: number): number {
  let fd = from;
  while (open.has(fd)) fd++;
  return fd;
}

describe('fd bitmap model', () => {
  it('has() is membership and lowestFree(from) the least fd >= from not open, at every size', () => {
    fc.assert(
      fc.property(fc.array(bopArb, { maxLength: 20 }), fc.array(fdArb, { minLength: 4, maxLength: 4 }), (ops, probes) => {
        const b = new FdBitmap();
        const open = new Set<number>();
        for (const o of ops) {
          switch (o.op) {
            case 'set':
              b.set(o.fd);
              open.add(o.fd);
              break;
            case 'clear':
              b.clear(o.fd);
              open.delete(o.fd);
              break;
            case 'fill':
              for (let fd = o.from; fd < o.from + o.n; fd++) (b.set(fd), open.add(fd));
              break;
            case 'free':
              expect(b.lowestFree(o.from), `lowestFree(${o.from})`).toBe(modelLowest(open, o.from));
          }
        }
        for (const p of [...probes, 0, ...[...open].slice(0, 8)]) {
          expect(b.has(p), `has(${p})`).toBe(open.has(p));
          expect(b.lowestFree(p), `lowestFree(${p})`).toBe(modelLowest(open, p));
          expect(b.lowestFree(p + 1), `lowestFree(${p + 1})`).toBe(modelLowest(open, p + 1));
        }
        expect(b.capacity).toBeGreaterThan(Math.max(-1, ...open));
      }),
      {
        numRuns: 60,
        // a table of exactly 1024 fds whose last word is full: the search climbs past the end of level 1
        // and must answer 1024 (lowestFree's "past the end" at a level above 0)
        examples: [[[{ op: 'fill', from: 992, n: 32 }, { op: 'free', from: 1000 }], [1000, 1023, 992, 991]]],
      },
    );
  });
});
