// The discrete-event queue (src/sched/events.ts) against its documented
// model: live timers fire earliest first, ties in the order they were
// scheduled; a cancelled timer never fires and is not counted by peekTime;
// every schedule, cancel and pop is reported to onChange (dpor's "timers").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type TimerEvent } from '../src/sched/events.ts';

type QOp = { op: 'schedule'; time: number } | { op: 'cancel'; which: number } | { op: 'pop' } | { op: 'peek' };

const qopArb: fc.Arbitrary<QOp> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('schedule' as const), time: fc.integer({ min: 0, max: 6 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('cancel' as const), which: fc.nat(40) }), weight: 1 },
  { arbitrary: fc.constant({ op: 'pop' as const }), weight: 3 },
  { arbitrary: fc.constant({ op: 'peek' as const }), weight: 1 },
);

describe('event queue model', () => {
  it('pops live timers by (time, order scheduled); cancelled ones never; peekTime is the next live time; every change is reported', () => {
    fc.assert(
      fc.property(fc.array(qopArb, { maxLength: 60 }), (ops) => {
        const q = new EventQueue();
        let changes = 0;
        q.onChange = () => changes++;
        const fired: number[] = [];
        const events: TimerEvent[] = [];
        // the model: live (time, id) pairs
        const live: { time: number; id: number }[] = [];
        const want: number[] = [];
        let wantChanges = 0;
        for (const o of ops) {
          if (o.op === 'schedule') {
            const id = events.length;
            events.push(q.schedule(o.time, () => fired.push(id)));
            live.push({ time: o.time, id });
            wantChanges++;
          } else if (o.op === 'cancel') {
            if (events.length === 0) continue;
            const id = o.which % events.length;
            q.cancel(events[id]);
            const i = live.findIndex((e) => e.id === id);
            if (i >= 0) live.splice(i, 1);
            wantChanges++;
          } else if (o.op === 'pop') {
            const ev = q.pop();
            wantChanges++;
            live.sort((a, b) => a.time - b.time || a.id - b.id);
            const next = live.shift();
            expect(ev?.time).toBe(next?.time);
            ev?.fire();
            if (next) want.push(next.id);
          } else {
            const t = live.length ? Math.min(...live.map((e) => e.time)) : undefined;
            expect(q.peekTime()).toBe(t);
          }
          expect(fired).toEqual(want);
          expect(changes).toBe(wantChanges);
        }
        // size counts the heap (cancelled entries not yet dropped included): at least the live ones
        expect(q.size).toBeGreaterThanOrEqual(live.length);
      }),
      { numRuns: 100 },
    );
  });
});
