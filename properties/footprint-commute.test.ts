// Footprints (src/sched/footprint.ts) against what dpor needs of them:
//   - soundness: two steps `dependent` calls independent really commute:
//     run on the same state in either order, each sees the same values and
//     the state ends the same (a step reads its reads, adds to its adds,
//     overwrites its writes);
//   - precision, as documented: steps on disjoint objects, steps that only
//     read a shared object, and steps that only add to one are independent;
//     a global step is dependent with every step;
//   - the recorder: a step writes its own thread, records only while a step
//     is being recorded, keeps a syscall's footprint for the step that
//     resumes it (the same thread's next step, never another's), marks
//     every step global when told to, and keeps the first reason given.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dependent, FootprintRecorder, type Footprint } from '../src/sched/footprint.ts';
import { propertyRuns } from './lib/profile.ts';

const SEED = 20_261_217;
const KEYS = ['a', 'b', 'c'];
const keysArb = fc.subarray(KEYS);

const footprintArb: fc.Arbitrary<Footprint> = fc
  .record({ reads: keysArb, writes: keysArb, adds: fc.option(keysArb, { nil: undefined }), global: fc.boolean() }, { requiredKeys: ['reads', 'writes', 'global'] })
  .map((f) => ({ reads: new Set(f.reads), writes: new Set(f.writes), ...(f.adds ? { adds: new Set(f.adds) } : {}), global: f.global }));
/** footprints that are not global (dependent on their objects only) */
const localArb = footprintArb.map((f) => ({ ...f, global: false }));

/** Runs a step on `state`: what it read, in key order, after its own adds and writes are applied in that order. */
function exec(f: Footprint, state: Map<string, number>, id: number): number[] {
  const seen = [...f.reads].sort().map((k) => state.get(k)!);
  for (const k of f.adds ?? []) state.set(k, state.get(k)! + id);
  for (const k of f.writes) state.set(k, 1000 * id + state.size);
  return seen;
}

describe('footprints', () => {
  it('steps declared independent commute: the same values seen and the same end state in either order', () => {
    fc.assert(
      fc.property(localArb, localArb, fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 3, maxLength: 3 }), (a, b, init) => {
        if (dependent(a, b)) return;
        const s1 = new Map(KEYS.map((k, i) => [k, init[i]]));
        const s2 = new Map(s1);
        const a1 = exec(a, s1, 1), b1 = exec(b, s1, 2);
        const b2 = exec(b, s2, 2), a2 = exec(a, s2, 1);
        const one = JSON.stringify([a1, b1, [...s1]]), other = JSON.stringify([a2, b2, [...s2]]);
        if (one !== other) expect(other, 'b then a').toBe(one);
      }),
      { numRuns: propertyRuns(300), seed: SEED },
    );
  });

  it('dependence is symmetric; a global step depends on every step; a step that writes depends on itself', () => {
    fc.assert(
      fc.property(footprintArb, footprintArb, (a, b) => {
        expect(dependent(a, b)).toBe(dependent(b, a));
        if (a.global) expect(dependent(a, b)).toBe(true);
        if (a.writes.size > 0) expect(dependent(a, a)).toBe(true);
      }),
      { numRuns: propertyRuns(300), seed: SEED },
    );
  });

  it('steps on disjoint objects, steps that only read a shared object, and steps that only add to it are independent', () => {
    fc.assert(
      fc.property(localArb, localArb, (a, b) => {
        const touched = (f: Footprint) => new Set([...f.reads, ...f.writes, ...(f.adds ?? [])]);
        const ta = touched(a);
        const shared = [...touched(b)].filter((k) => ta.has(k));
        const onlyRead = (f: Footprint, k: string) => f.reads.has(k) && !f.writes.has(k) && !f.adds?.has(k);
        const onlyAdd = (f: Footprint, k: string) => f.adds?.has(k) && !f.writes.has(k) && !f.reads.has(k);
        const harmless = shared.every((k) => (onlyRead(a, k) && onlyRead(b, k)) || (onlyAdd(a, k) && onlyAdd(b, k)));
        if (harmless) expect(dependent(a, b), `shared ${shared}`).toBe(false);
      }),
      { numRuns: propertyRuns(300), seed: SEED },
    );
  });

  type RecOp = { op: 'begin' | 'end' | 'endMid'; tid: number } | { op: 'read' | 'write' | 'add' | 'global'; key: string } | { op: 'everyGlobal'; why: string | null };
  const recOpArb: fc.Arbitrary<RecOp> = fc.oneof(
    fc.record({ op: fc.constantFrom('begin' as const, 'end' as const, 'endMid' as const), tid: fc.integer({ min: 1, max: 2 }) }),
    fc.record({ op: fc.constantFrom('read' as const, 'write' as const, 'add' as const, 'global' as const), key: fc.constantFrom(...KEYS) }),
    fc.record({ op: fc.constant('everyGlobal' as const), why: fc.option(fc.constantFrom('faults', 'x'), { nil: null }) }),
  );

  it('the recorder records a step, and carries a syscall in progress to the same thread\'s next step', () => {
    type B = { reads: Set<string>; writes: Set<string>; adds: Set<string>; global: boolean; why?: string };
    fc.assert(
      fc.property(fc.array(recOpArb, { minLength: 20, maxLength: 60 }), (ops) => {
        const rec = new FootprintRecorder();
        let cur: { tid: number; b: B } | null = null;
        const carried = new Map<number, B>();
        let everyWhy: string | null = null;
        const mark = (b: B, why: string) => {
          if (!b.global) Object.assign(b, { global: true, why });
        };
        for (const o of ops) {
          if (o.op === 'begin') {
            if (cur) continue; // steps do not nest
            rec.begin(o.tid);
            const c = carried.get(o.tid);
            const b: B = c ? { reads: new Set(c.reads), writes: new Set(c.writes), adds: new Set(c.adds), global: c.global, why: c.why } : { reads: new Set(), writes: new Set(), adds: new Set(), global: false };
            b.writes.add(`t:${o.tid}`);
            if (everyWhy) mark(b, everyWhy);
            cur = { tid: o.tid, b };
          } else if (o.op === 'end' || o.op === 'endMid') {
            if (!cur) continue;
            const fp = rec.end(cur.tid, o.op === 'endMid');
            expect({ reads: [...fp.reads].sort(), writes: [...fp.writes].sort(), adds: [...(fp.adds ?? [])].sort(), global: fp.global, why: fp.why }).toEqual({
              reads: [...cur.b.reads].sort(), writes: [...cur.b.writes].sort(), adds: [...cur.b.adds].sort(), global: cur.b.global, why: cur.b.why,
            });
            if (o.op === 'endMid') carried.set(cur.tid, cur.b);
            else carried.delete(cur.tid);
            cur = null;
          } else if (o.op === 'everyGlobal') {
            rec.everyStepGlobal = o.why;
            everyWhy = o.why;
          } else if (o.op === 'global') {
            rec.global(`why ${o.key}`);
            if (cur) mark(cur.b, `why ${o.key}`);
          } else {
            const { op, key } = o as { op: 'read' | 'write' | 'add'; key: string };
            rec[op](key);
            if (cur) ({ read: cur.b.reads, write: cur.b.writes, add: cur.b.adds })[op].add(key);
          }
          expect(rec.active).toBe(cur !== null);
        }
      }),
      { numRuns: propertyRuns(200), seed: SEED },
    );
  });
});
