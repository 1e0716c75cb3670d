// Property: a wait queue behaves as its documented model under random
// sequences of add / remove / wakeOne / wakeAll, for each registration
// policy: 'list' keeps each waker once, in registration order; wakeOne
// wakes the oldest, wakeAll every one in order, each exactly once, and a
// removed waker is never woken; 'single-slot' keeps only the latest
// registration; 'register-once' ignores a waker's second registration. The
// socket properties cannot tell some of these apart (a waker registered
// twice is woken twice, which the kernel absorbs), so they are pinned here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SimThread } from '../src/sched/thread.ts';
import { WaitQueue, Waker, type WaitPolicy } from '../src/sched/waitqueue.ts';

type Op = { op: 'add' | 'remove'; w: number } | { op: 'wakeOne' | 'wakeAll' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom<'add' | 'remove'>('add', 'remove'), w: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constantFrom<'wakeOne' | 'wakeAll'>('wakeOne', 'wakeAll') }),
);

/** The documented behaviour, as plain arrays. */
function model(policy: WaitPolicy, ops: Op[]): { woken: number[]; lengths: number[] } {
  let q: number[] = [];
  const once = new Set<number>();
  const woken: number[] = [];
  const lengths: number[] = [];
  for (const o of ops) {
    if (o.op === 'add') {
      if (policy === 'list' && !q.includes(o.w)) q.push(o.w);
      if (policy === 'single-slot') q = [o.w];
      if (policy === 'register-once' && !once.has(o.w)) {
        once.add(o.w);
        q.push(o.w);
      }
    } else if (o.op === 'remove') q = q.filter((x) => x !== o.w);
    else if (o.op === 'wakeOne') {
      const w = q.shift();
      if (w !== undefined) woken.push(w);
    } else {
      woken.push(...q);
      q = [];
    }
    lengths.push(q.length);
  }
  return { woken, lengths };
}

describe('wait queue model', () => {
  it.each<WaitPolicy>(['list', 'single-slot', 'register-once'])('%s: random operation sequences match the model', (policy) => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        const q = new WaitQueue('q', policy);
        const woken: number[] = [];
        const wakers = [0, 1, 2, 3].map(
          (i) =>
            new Waker({ tid: i } as SimThread, (w, source) => {
              expect(w.owner.tid).toBe(i);
              expect(source).toBe(q);
              woken.push(i);
            }),
        );
        const lengths: number[] = [];
        for (const o of ops) {
          if (o.op === 'add') q.add(wakers[o.w]);
          else if (o.op === 'remove') q.remove(wakers[o.w]);
          else if (o.op === 'wakeOne') q.wakeOne();
          else q.wakeAll();
          lengths.push(q.length);
        }
        const want = model(policy, ops);
        expect(woken).toEqual(want.woken);
        expect(lengths).toEqual(want.lengths);
      }),
      { numRuns: 150 },
    );
  });

  it('a wake reaches a waker registered again after an earlier wake (the list is rebuilt, not reused)', () => {
    const q = new WaitQueue('q');
    const woken: number[] = [];
    const a = new Waker({ tid: 1 } as SimThread, () => woken.push(1));
    q.add(a);
    q.wakeAll();
    q.add(a);
    q.wakeAll();
    q.wakeAll();
    expect(woken).toEqual([1, 1]);
  });

  it('readyWhen states the condition and returns the queue', () => {
    let ok = false;
    const q = new WaitQueue('q');
    expect(q.ready).toBeNull();
    expect(q.readyWhen(() => ok)).toBe(q);
    expect(q.ready!()).toBe(false);
    ok = true;
    expect(q.ready!()).toBe(true);
  });
});
