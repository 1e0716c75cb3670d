// The run's generator (src/sched/rng.ts) keeps its promises: a seed (by its
// string form) fixes every draw; int(n) is an integer in [0, n) that takes
// every value; fork() gives a generator fixed by the parent's next draw;
// bytes() are bytes and vary; parseSeed reads integers as numbers and
// anything else as the string itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSeed, Rng } from '../src/sched/rng.ts';

const draws = (r: Rng, n: number) => Array.from({ length: n }, () => r.next());

describe('rng', () => {
  it('a seed fixes the sequence, by its string form; int(n) covers [0, n); next() is in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1_000_000 }), fc.integer({ min: 1, max: 6 }), (seed, n) => {
        expect(draws(new Rng(seed), 5)).toEqual(draws(new Rng(String(seed)), 5));
        expect(draws(new Rng(seed), 5)).not.toEqual(draws(new Rng(seed + 1), 5));
        const r = new Rng(seed);
        const seen = new Set<number>();
        for (let i = 0; i < 60; i++) {
          const v = r.int(n);
          expect(Number.isInteger(v) && v >= 0 && v < n, `int(${n}) gave ${v}`).toBe(true);
          seen.add(v);
          const x = r.next();
          expect(x >= 0 && x < 1, `next() gave ${x}`).toBe(true);
        }
        expect(seen.size).toBe(n);
      }),
      { numRuns: 15 },
    );
  });

  it('fork() is fixed by the parent and its label; each fork advances the parent; bytes() are varied bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.string({ minLength: 1, maxLength: 4 }), (seed, label) => {
        const a = new Rng(seed), b = new Rng(seed);
        const fa = a.fork(label), fb = b.fork(label);
        expect(draws(fa, 4)).toEqual(draws(fb, 4));
        expect(draws(a.fork(label), 4)).not.toEqual(draws(new Rng(seed).fork(label), 4)); // the second fork differs from the first
        expect(draws(new Rng(seed).fork(label), 4)).not.toEqual(draws(new Rng(seed).fork(`${label}x`), 4));
        b.fork('another'); // b now forked twice too, as a was
        expect(draws(a, 3)).toEqual(draws(b, 3)); // a fork draws from the parent whatever its label
        const bytes = new Rng(seed).bytes(64);
        expect(bytes.length).toBe(64);
        expect(new Set(bytes).size).toBeGreaterThan(16);
        expect([...bytes]).toEqual([...new Rng(seed).bytes(64)]);
        expect([...bytes]).not.toEqual([...new Rng(`${seed}.`).bytes(64)]);
      }),
      { numRuns: 50 },
    );
  });

  it('parseSeed: a safe integer is a number, anything else the string itself', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(parseSeed(String(n))).toBe(n);
        expect(parseSeed(String(-n))).toBe(-n || 0);
      }),
      { numRuns: 50 },
    );
    for (const s of ['abc', '1.5', '12a', 'a12', '', ' 7', '99999999999999999999', '0x10']) expect(parseSeed(s)).toBe(s);
  });
});
