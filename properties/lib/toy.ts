// A toy program for the scheduler alone: threads that each run a short
// list of operations on shared variables, one operation per step, through
// the real Scheduler (no kernel). Small enough that every schedule can be
// counted by hand or by brute force, so the explorers (dfs, dpor) and the
// footprints they read can be checked against a model of what they must do:
//   r x / w x / a x   read, overwrite, or add 1 to variable x
//   wait              sleep until the flag is set (a re-check after every wake)
//   post              set the flag and wake every waiter
//   f n               a fault point with n alternatives (0: no fault), decided
//                     by the strategy (dfs and dpor enumerate them), as the
//                     kernel's fault injector asks it (src/kernel/faults.ts);
//                     with `then: m`, a second one of m alternatives in the
//                     same step (a syscall can meet several)
// Each step reports its footprint to the scheduler's recorder (dpor asks for
// one) and also keeps its own copy, so that a test can compute which steps
// commute without trusting the recorder.
import fc from 'fast-check';
import type { Explorer } from '../../src/sched/explorer.ts';
import { Scheduler, type RunEnd } from '../../src/sched/scheduler.ts';
import type { Strategy } from '../../src/sched/strategy.ts';
import type { SimThread, ThreadState } from '../../src/sched/thread.ts';

export type ToyOp = { k: 'r' | 'w' | 'a'; v: 'x' | 'y' } | { k: 'wait' } | { k: 'post' } | { k: 'f'; n: number; then?: number };
export type ToyProgram = ToyOp[][];

/** One step as the toy saw it: who ran, which of its operations, what it read and wrote. */
export interface ToyStep {
  tid: number;
  /** the thread's n-th step (0-based; a wait that slept and re-checked takes several) */
  nth: number;
  reads: string[];
  writes: string[];
  adds: string[];
}

export interface ToyRun {
  end: RunEnd;
  picks: readonly number[];
  steps: ToyStep[];
  /** what the threads observed and what the variables hold at the end */
  outcome: string;
  /** the decisions at fault points, in run order */
  decisions: number[];
}

class ToyThread implements SimThread {
  state: ThreadState = 'runnable';
  waitingOn: string | null = null;
  wakePending = false;
  midSyscall = false;
  private pc = 0;
  private nth = 0;
  readonly seen: number[] = [];

  constructor(
    readonly tid: number,
    private readonly ops: ToyOp[],
    private readonly m: ToyMachine,
  ) {}

  get label(): string {
    return `toy ${this.tid}`;
  }

  step(): number {
    const op = this.ops[this.pc];
    const s: ToyStep = { tid: this.tid, nth: this.nth++, reads: [], writes: [`t:${this.tid}`], adds: [] };
    this.m.log.push(s);
    const rec = this.m.sched.recorder;
    const read = (key: string) => (rec?.read(key), s.reads.push(key));
    const write = (key: string) => (rec?.write(key), s.writes.push(key));
    const vars = this.m.vars;
    switch (op.k) {
      case 'r':
        read(op.v);
        this.seen.push(vars[op.v]);
        break;
      case 'w':
        write(op.v);
        vars[op.v] = this.tid * 10 + this.pc;
        break;
      case 'a':
        rec?.add(op.v);
        s.adds.push(op.v);
        vars[op.v] += 1;
        break;
      case 'wait':
        read('flag');
        if (vars.flag === 0) {
          this.m.waiters.add(this);
          this.midSyscall = true;
          if (this.m.sched.block(this, 'flag')) return 0;
          return 0; // a wake arrived before the sleep: check again next step
        }
        this.midSyscall = false;
        this.m.waiters.delete(this);
        break;
      case 'f': {
        for (const n of op.then === undefined ? [op.n] : [op.n, op.then]) {
          const d = this.m.strategy.fault?.('toy', n) ?? 0;
          this.m.decisions.push(d);
          this.seen.push(-1 - d);
        }
        break;
      }
      case 'post':
        write('flag');
        vars.flag = 1;
        for (const w of this.m.waiters) {
          write(`t:${w.tid}`);
          this.m.sched.wake(w, 'flag');
        }
        this.m.waiters.clear();
        break;
    }
    if (++this.pc === this.ops.length) this.state = 'exited';
    return 0;
  }
}

class ToyMachine {
  readonly vars = { x: 0, y: 0, flag: 0 };
  readonly waiters = new Set<ToyThread>();
  readonly log: ToyStep[] = [];
  readonly decisions: number[] = [];
  readonly threads: ToyThread[];

  constructor(
    readonly sched: Scheduler,
    readonly strategy: Strategy,
    prog: ToyProgram,
  ) {
    this.threads = prog.map((ops, i) => new ToyThread(i + 1, ops, this));
    for (const t of this.threads) sched.add(t);
  }
}

/** One run of the toy program under `strategy`. */
export function runToy(prog: ToyProgram, strategy: Strategy): ToyRun {
  const sched = new Scheduler({ strategy, maxSteps: 1000 });
  const m = new ToyMachine(sched, strategy, prog);
  const end = sched.run();
  const outcome = JSON.stringify([end.kind, m.threads.map((t) => t.seen), m.vars.x, m.vars.y, m.vars.flag]);
  return { end, picks: sched.trace.picks, steps: m.log, outcome, decisions: m.decisions };
}

/** A run an explorer cut short on purpose (dpor's sleep-set-blocked runs): not a schedule. */
export const abandonedToy = (r: ToyRun) => r.end.kind === 'replay-diverged' && r.end.message.startsWith('abandoned:');

/** Runs an explorer to exhaustion over the toy program (at most `max` runs). */
export function exploreToy(prog: ToyProgram, x: Explorer, max = 50_000): ToyRun[] {
  const runs: ToyRun[] = [];
  const kind = x.describe.split('(')[0];
  for (let s = x.next(); s; s = x.next()) {
    // a run is named after its explorer (a failing run's report says which search found it)
    if (s.describe !== kind) throw new Error(`${x.describe} handed out a run named "${s.describe}"`);
    const r = runToy(prog, s);
    runs.push(r);
    x.finish({ failed: false, picks: r.picks });
    if (x.exhausted) throw new Error(`${x.describe}: exhausted before next() said so`);
    if ('schedules' in x && x.schedules !== runs.length) throw new Error(`${x.describe}: ${String(x.schedules)} schedules counted, ${runs.length} run`);
    if (runs.length >= max) throw new Error(`${x.describe}: more than ${max} runs`);
  }
  if (!x.exhausted) throw new Error(`${x.describe}: next() returned null before the space was exhausted`);
  return runs;
}

/** The order in which a run took its steps, as "tid.nth" labels. */
export const stepOrder = (r: ToyRun) => r.steps.map((s) => `${s.tid}.${s.nth}`).join(' ');

/** Do two steps conflict (one writes what the other touches, or adds to what the other reads)? By the toy's own record. */
export function conflict(a: ToyStep, b: ToyStep): boolean {
  const touches = (s: ToyStep, k: string) => s.reads.includes(k) || s.writes.includes(k) || s.adds.includes(k);
  return a.writes.some((k) => touches(b, k)) || b.writes.some((k) => touches(a, k)) || a.adds.some((k) => b.reads.includes(k)) || b.adds.some((k) => a.reads.includes(k));
}

/**
 * The run's Mazurkiewicz trace, as the order of every conflicting pair of
 * steps of different threads: two runs are equivalent (one is the other
 * with commuting steps swapped) exactly when these orders agree.
 */
export function traceKey(r: ToyRun): string {
  const pairs: string[] = [];
  const st = r.steps;
  for (let i = 0; i < st.length; i++) {
    for (let j = i + 1; j < st.length; j++) {
      if (st[i].tid !== st[j].tid && conflict(st[i], st[j])) pairs.push(`${st[i].tid}.${st[i].nth}<${st[j].tid}.${st[j].nth}`);
    }
  }
  return pairs.sort().join(' ');
}

const opArb: fc.Arbitrary<ToyOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constantFrom('r' as const, 'w' as const, 'a' as const), v: fc.constantFrom('x' as const, 'y' as const) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'wait' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'post' as const }) },
);

/** 2 or 3 threads, at most 7 operations in all (dfs then runs at most 7!/(3!2!2!) = 210 schedules). */
export const toyProgramArb: fc.Arbitrary<ToyProgram> = fc
  .array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 })
  .filter((p) => p.flat().length <= 7);

/**
 * Three threads of 1 to 3 operations, waits and posts among them, at most 8
 * in all: enough for a reversal that needs a third thread's switch (bounded
 * dpor's fall-backs). dfs runs at most 8!/(3!3!2!) = 560 schedules of one.
 */
export const toyTrioArb: fc.Arbitrary<ToyProgram> = fc
  .array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 3, maxLength: 3 })
  .filter((p) => p.flat().length <= 8);

/** Straight programs with fault points of 2 or 3 alternatives in them. */
export const toyFaultArb: fc.Arbitrary<ToyProgram> = fc
  .array(fc.array(fc.oneof(opArb.filter((o) => o.k !== 'wait'), fc.record({ k: fc.constant('f' as const), n: fc.integer({ min: 2, max: 3 }) })), { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 })
  .filter((p) => p.flat().some((o) => o.k === 'f'));

/** Programs without waits (every thread runs to its end; every interleaving of the steps is a schedule). */
export const toyStraightArb: fc.Arbitrary<ToyProgram> = toyProgramArb.map((p) => p.map((ops) => ops.map((o) => (o.k === 'wait' ? { k: 'post' as const } : o))));

/**
 * Two threads of 3 to 6 operations each: long enough for races that a later
 * step of the same thread orders (dpor's happens-before and "via" set) and for
 * reversals past several independent steps, which the 7-step programs above
 * rarely have. dfs runs at most C(12,6) = 924 schedules of one.
 */
export const toyLongPairArb: fc.Arbitrary<ToyProgram> = fc.array(fc.array(opArb, { minLength: 3, maxLength: 6 }), { minLength: 2, maxLength: 2 });

/** The same without waits (every thread runnable until its end, so a switch away from an unfinished thread is a preemption). */
export const toyLongStraightArb: fc.Arbitrary<ToyProgram> = toyLongPairArb.map((p) => p.map((ops) => ops.map((o) => (o.k === 'wait' ? { k: 'post' as const } : o))));

/** Straight programs of one or two threads whose fault steps meet one or two fault points of 2 or 3 alternatives each. */
export const toyFaultPairArb: fc.Arbitrary<ToyProgram> = fc
  .array(
    fc.array(
      fc.oneof(
        opArb.filter((o) => o.k !== 'wait'),
        fc.record({ k: fc.constant('f' as const), n: fc.integer({ min: 2, max: 3 }), then: fc.integer({ min: 2, max: 3 }) }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    { minLength: 1, maxLength: 2 },
  )
  .filter((p) => p.flat().some((o) => o.k === 'f'));
