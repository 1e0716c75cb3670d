// The trace hash (src/sched/hash.ts) does what its comments promise: syscall()
// is the same hash as mixing its words one by one; int32(v) is int(v) for a
// 32-bit v; and different inputs (64-bit integers, -errno, strings, a string
// split differently) give different fingerprints, so a sweep's distinct
// hashes count distinct runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceHash } from '../src/sched/hash.ts';

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const hashOf = (f: (h: TraceHash) => void) => {
  const h = new TraceHash();
  f(h);
  return h.hex();
};

describe('trace hash', () => {
  it('syscall() equals int(pid), int(nr), int32 of each argument half, int(result)', () => {
    fc.assert(
      fc.property(
        fc.nat(2 ** 22), fc.nat(512), fc.array(int32, { minLength: 6, maxLength: 6 }), fc.array(int32, { minLength: 6, maxLength: 6 }),
        fc.oneof(fc.integer({ min: -4095, max: -1 }), fc.maxSafeInteger(), fc.integer({ min: -(2 ** 53), max: 0 })),
        fc.string({ maxLength: 4 }),
        (pid, nr, lo, hi, result, before) => {
          const a = hashOf((h) => {
            h.str(before);
            h.syscall(pid, nr, Int32Array.from(lo), Int32Array.from(hi), result);
          });
          const b = hashOf((h) => {
            h.str(before);
            h.int(pid);
            h.int(nr);
            for (let i = 0; i < 6; i++) {
              h.int32(lo[i]);
              h.int32(hi[i]);
            }
            h.int(result);
          });
          expect(a).toBe(b);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('int32(v) is int(v) for 32-bit v', () => {
    fc.assert(
      fc.property(int32, (v) => {
        expect(hashOf((h) => h.int32(v))).toBe(hashOf((h) => h.int(v)));
      }),
      { numRuns: 200 },
    );
  });

  it('different integers, strings and splits of a string give different hashes', () => {
    const ints = fc.sample(fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), int32, fc.integer({ min: -4095, max: 4095 })), { numRuns: 400, seed: 7 });
    const distinctInts = [...new Set(ints)];
    expect(new Set(distinctInts.map((v) => hashOf((h) => h.int(v)))).size).toBe(distinctInts.length);
    // 2^32 apart: only the high half differs
    expect(hashOf((h) => h.int(5))).not.toBe(hashOf((h) => h.int(5 + 2 ** 32)));
    expect(hashOf((h) => h.int32(-1))).not.toBe(hashOf((h) => h.int32(2 ** 31 - 1)));
    const strs = [...new Set(fc.sample(fc.string({ maxLength: 8 }), { numRuns: 300, seed: 8 }))];
    expect(new Set(strs.map((s) => hashOf((h) => h.str(s)))).size).toBe(strs.length);
    expect(hashOf((h) => (h.str('ab'), h.str('c')))).not.toBe(hashOf((h) => (h.str('a'), h.str('bc'))));
    // the empty hash and one of a zero differ, and the hex is 16 digits
    expect(hashOf(() => {})).not.toBe(hashOf((h) => h.int(0)));
    expect(hashOf((h) => h.int(0))).toMatch(/^[0-9a-f]{16}$/);
  });
});
