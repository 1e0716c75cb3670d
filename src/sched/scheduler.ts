// The run loop. Each step runs one thread from one scheduling point (a
// syscall) to the next; the strategy picks among runnable threads and the
// pick is recorded. When nothing is runnable the clock jumps to the next
// timer event; with no event left and live threads, the run is a deadlock.
import { VirtualClock } from './clock.ts';
import { EventQueue, type TimerEvent } from './events.ts';
import { ReplayDivergence, type Strategy } from './strategy.ts';
import type { SimThread } from './thread.ts';
import { Trace } from './trace.ts';
import { FootprintRecorder, type Footprint } from './footprint.ts';
import { Waker, type WaitQueue } from './waitqueue.ts';

export interface Sleeper {
  tid: number;
  label: string;
  waitingOn: string;
}

/** A run budget that can end a run: the memory budget, instructions retired, virtual time. */
export type RunLimit = 'memory' | 'instructions' | 'time';

/** Where one live thread was when a limit stopped the run. */
export interface TaskWhere {
  tid: number;
  label: string;
  where: string;
}

export type RunEnd =
  | { kind: 'exited'; steps: number }
  | { kind: 'deadlock'; steps: number; sleepers: Sleeper[] }
  | { kind: 'step-limit'; steps: number }
  | { kind: 'replay-diverged'; steps: number; message: string }
  /** a run budget ran out: `message` says which and why, `tasks` where each live thread was */
  | { kind: 'limit'; limit: RunLimit; steps: number; message: string; tasks: TaskWhere[] };

/** Why a run that did not simply end is a problem, in one line; null when every thread exited. */
export function describeRunEnd(end: RunEnd): string | null {
  switch (end.kind) {
    case 'exited':
      return null;
    case 'deadlock':
      return `deadlock after ${end.steps} steps: ${end.sleepers.map((s) => `${s.label} sleeps on ${s.waitingOn}`).join('; ')}`;
    case 'step-limit':
      return `step limit reached (${end.steps} steps) with processes still running`;
    case 'replay-diverged':
      return end.message;
    case 'limit': {
      const where = end.tasks.map((t) => `${t.label} ${t.where}`).join('; ');
      return `${end.limit === 'memory' ? 'memory limit' : end.limit === 'time' ? 'time limit' : 'instruction limit'} after ${end.steps} steps: ${end.message}${where ? ` (${where})` : ''}`;
    }
  }
}

export interface SchedulerOptions {
  strategy: Strategy;
  /** stop after this many steps (reported as 'step-limit', never as success) */
  maxSteps?: number;
  /** stop once this many guest instructions have been retired (reported as an 'instructions' limit) */
  maxInstructions?: number;
  /** stop once virtual time passes this many ticks (reported as a 'time' limit) */
  maxTime?: number;
  recordText?: boolean;
}

export class Scheduler {
  readonly clock = new VirtualClock();
  readonly events = new EventQueue();
  readonly trace: Trace;
  readonly strategy: Strategy;
  readonly maxSteps: number;
  readonly maxInstructions: number;
  readonly maxTime: number;
  /** guest instructions retired so far (user contexts add theirs) */
  instructions = 0;
  /** set by halt(): the run stops after the current step with this limit */
  private halted: { limit: RunLimit; message: string } | null = null;
  /** live threads in tid order */
  private threads: SimThread[] = [];
  private readonly labels = new Map<number, string>();
  steps = 0;
  /** the thread that ran the last step (strategies that count preemptions need it) */
  previous: SimThread | null = null;
  /** what runnableThreads fills */
  private readonly runnableList: SimThread[] = [];
  /** the first runnable thread countRunnable found (valid right after it, while that count is above 0) */
  private firstRunnable: SimThread | null = null;
  /** called after every step (the kernel's invariant checks in checking mode) */
  afterStep: (() => void) | null = null;
  /**
   * --spurious-wakeups: given the number of blocked threads, the index of one
   * to wake for no reason at this choice point, or -1 (src/kernel/faults.ts)
   */
  spuriousWake: ((blocked: number) => number) | null = null;
  /** told of every wakeup of a blocked thread, with the thread that ran when it happened (coverage) */
  onWake: ((by: SimThread | null, woken: SimThread, source: string) => void) | null = null;
  /**
   * Harts (the SMP model, set by the kernel when it is on): once this many
   * threads hold a hart they cannot give up (SimThread.onHart), only they
   * may take the next step. Infinity: no limit (every syscall runs to its
   * next sleep in one step, so no thread ever holds a hart between steps).
   */
  harts = Infinity;
  /** the thread taking the current step (null between steps: timers) */
  private running: SimThread | null = null;

  /** The thread whose step is running now (null between steps: timers, setup). */
  get current(): SimThread | null {
    return this.running;
  }
  /** what each step reads and writes, when the strategy asked for it (dpor) */
  readonly recorder: FootprintRecorder | null;

  constructor(opts: SchedulerOptions) {
    this.strategy = opts.strategy;
    const rec = opts.strategy.wantsFootprints ? new FootprintRecorder() : null;
    this.recorder = rec;
    if (rec) {
      this.clock.onRead = () => rec.read('clock');
      this.events.onChange = () => rec.write('timers');
    }
    this.maxSteps = opts.maxSteps ?? 1_000_000;
    this.maxInstructions = opts.maxInstructions ?? Infinity;
    this.maxTime = opts.maxTime ?? Infinity;
    this.trace = new Trace(opts.recordText ?? false, this.clock);
  }

  add(t: SimThread): void {
    this.recorder?.write(`t:${t.tid}`);
    let i = this.threads.length;
    while (i > 0 && this.threads[i - 1].tid > t.tid) i--;
    this.threads.splice(i, 0, t);
    this.labels.set(t.tid, t.label);
  }

  /** Every thread ever added, by tid, with its label (for trace rendering). */
  threadLabels(): ReadonlyMap<number, string> {
    return this.labels;
  }

  wakerFor(t: SimThread): Waker {
    return new Waker(t, (_w, source) => this.wake(t, source.name), this.recorder);
  }

  /** Makes a blocked thread runnable; a wake that reaches a running thread is remembered. */
  wake(t: SimThread, source: string): void {
    this.recorder?.write(`t:${t.tid}`);
    if (t.state === 'blocked') {
      this.onWake?.(this.running, t, source);
      t.state = 'runnable';
      t.waitingOn = null;
      this.trace.hash.int32(-2);
      this.trace.hash.int32(t.tid);
      this.trace.wake(this.clock.peek(), t.tid, source);
    } else if (t.state === 'runnable') {
      t.wakePending = true;
    }
  }

  /** Parks a thread unless a wake already arrived since it registered its waker. */
  block(t: SimThread, on: WaitQueue | string): boolean {
    if (t.wakePending) {
      t.wakePending = false;
      return false;
    }
    t.state = 'blocked';
    t.waitingOn = typeof on === 'string' ? on : on.name;
    return true;
  }

  /** Runs `fire` at virtual time `time` (or as soon as possible if already past). */
  at(time: number, fire: () => void): TimerEvent {
    return this.events.schedule(time, fire);
  }

  /** Stops the run after the current step, reported as `limit` (the memory budget's OOM rule uses it). */
  halt(limit: RunLimit, message: string): void {
    this.halted ??= { limit, message };
  }

  run(): RunEnd {
    for (;;) {
      if (this.halted) return this.limitEnd(this.halted.limit, this.halted.message);
      if (this.instructions > this.maxInstructions) {
        return this.limitEnd('instructions', `${this.instructions} guest instructions retired, more than the budget of ${this.maxInstructions}`);
      }
      if (this.clock.peek() > this.maxTime) return this.limitEnd('time', `virtual time ${this.clock.peek()} passed the budget of ${this.maxTime} ticks`);
      this.fireDue();
      // The runnable list is built only when a strategy will see it (a choice to make, or a
      // strategy that observes steps); a lone runnable thread simply runs.
      let count = this.countRunnable();
      // A spurious wakeup only while something else can run: it must never hide a deadlock.
      if (this.spuriousWake && count > 0 && this.wakeSpuriously()) count = this.countRunnable();
      // Under a hart limit, the list as the strategy may pick from it (null: build it below if needed).
      let held: SimThread[] | null = null;
      if (this.harts !== Infinity && this.allHartsHeld()) {
        // Every hart is held by a thread inside the kernel: a thread that needs one waits.
        held = this.runnableThreads().filter((t) => t.onHart);
        // ... and when every holder spins on a spinlock, nothing can ever run again.
        if (held.length === 0) return { kind: 'deadlock', steps: this.steps, sleepers: this.sleepers() };
        count = Math.min(held.length, 2);
        this.firstRunnable = held[0];
      }
      if (count === 0) {
        if (this.threads.length === 0 || this.allIdle()) return { kind: 'exited', steps: this.steps };
        const next = this.events.peekTime();
        if (next === undefined) return { kind: 'deadlock', steps: this.steps, sleepers: this.sleepers() };
        if (next > this.maxTime) {
          // Every thread sleeps past the time budget (a far-future nanosleep): the budget ends the run now.
          return this.limitEnd('time', `every thread sleeps until ${next}, past the budget of ${this.maxTime} ticks`);
        }
        this.clock.jumpTo(next);
        continue;
      }
      if (this.steps >= this.maxSteps) return { kind: 'step-limit', steps: this.steps };
      const runnable = held ?? (count > 1 || this.strategy.observeStep ? this.runnableThreads() : null);
      let t = this.firstRunnable!;
      if (count > 1) {
        try {
          t = this.strategy.pick(runnable!, this.steps, this.previous);
        } catch (e) {
          if (e instanceof ReplayDivergence) return { kind: 'replay-diverged', steps: this.steps, message: e.message };
          throw e;
        }
        this.trace.pick(t.tid);
      }
      this.steps++;
      this.previous = t;
      const rec = this.recorder;
      rec?.begin(t.tid);
      // Under a hart limit, a step that changes how many harts are held enables or disables the
      // threads that need a free one: it writes "harts", and a step that needed a free hart reads it (dpor).
      const heldBefore = rec && this.harts !== Infinity ? this.hartsHeld() : -1;
      const neededHart = heldBefore >= 0 && !t.onHart;
      this.running = t;
      this.trace.running = t.tid;
      const ticks = t.step();
      this.trace.running = 0;
      this.running = null;
      this.clock.advance(ticks);
      let fp: Footprint | null = null;
      if (rec) {
        // The step's ticks are an add to the clock (src/sched/footprint.ts); the timers they made due fire now, and so
        // does the jump if the step left nothing runnable, so that their wakes belong to the step that caused them.
        if (ticks > 0) rec.add('clock');
        this.fireDue();
        this.jumpIfIdle(rec);
        if (heldBefore >= 0) {
          if (neededHart) rec.read('harts');
          if (this.hartsHeld() !== heldBefore) rec.write('harts');
        }
        fp = rec.end(t.tid, t.midSyscall === true);
      }
      if (this.strategy.observeStep) {
        try {
          this.strategy.observeStep(t, runnable!, fp);
        } catch (e) {
          if (e instanceof ReplayDivergence) return { kind: 'replay-diverged', steps: this.steps, message: e.message };
          throw e;
        }
      }
      if (t.state === 'exited' || this.anyExited()) {
        this.threads = this.threads.filter((x) => x.state !== 'exited');
      }
      this.afterStep?.();
    }
  }

  /** With footprints: when no thread can run after a step, the clock jumps to the next timer now, inside the step. */
  private jumpIfIdle(rec: FootprintRecorder): void {
    if (this.halted) return;
    let live = false;
    for (const x of this.threads) {
      if (x.state === 'runnable') return;
      if (x.state !== 'exited') live = true;
    }
    const next = live ? this.events.peekTime() : undefined;
    if (next === undefined || next > this.maxTime) return; // a deadlock, or the time budget: the run loop reports it
    rec.add('clock');
    this.clock.jumpTo(next);
    this.fireDue();
  }

  /** Runnable threads, counted up to 2 (the question is only whether there is a choice); the first goes to firstRunnable. */
  private countRunnable(): number {
    const ts = this.threads;
    let n = 0;
    for (let i = 0; i < ts.length; i++) {
      if (ts[i].state !== 'runnable') continue;
      if (n === 1) return 2;
      this.firstRunnable = ts[i];
      n = 1;
    }
    return n;
  }

  /** The runnable threads, in one list reused from step to step (a strategy reads it during its call only). */
  private runnableThreads(): SimThread[] {
    const runnable = this.runnableList;
    const ts = this.threads;
    let n = 0;
    for (let i = 0; i < ts.length; i++) if (ts[i].state === 'runnable') runnable[n++] = ts[i];
    // overwritten in place (emptying it first would drop its storage every step); setting the length is a runtime call
    if (runnable.length !== n) runnable.length = n;
    return runnable;
  }

  /** Wakes a sleeper for no reason, if the fault injector says so; true when it did. */
  private wakeSpuriously(): boolean {
    const blocked = this.threads.filter((t) => t.state === 'blocked');
    const i = this.spuriousWake!(blocked.length);
    if (i < 0) return false;
    this.wake(blocked[i], 'a spurious wakeup');
    return true;
  }

  private allHartsHeld(): boolean {
    return this.hartsHeld() >= this.harts;
  }

  private hartsHeld(): number {
    let held = 0;
    for (const t of this.threads) if (t.onHart) held++;
    return held;
  }

  /** Only idle kernel threads are left (their work queues are empty): the run is over. */
  private allIdle(): boolean {
    for (const t of this.threads) if (!t.idle) return false;
    return true;
  }

  private anyExited(): boolean {
    const ts = this.threads;
    for (let i = 0; i < ts.length; i++) if (ts[i].state === 'exited') return true;
    return false;
  }

  /** Live threads (blocked or runnable), for reports. */
  live(): readonly SimThread[] {
    return this.threads;
  }

  private fireDue(): void {
    for (;;) {
      const next = this.events.peekTime();
      if (next === undefined || next > this.clock.peek()) return;
      this.events.pop()!.fire();
    }
  }

  private limitEnd(limit: RunLimit, message: string): RunEnd {
    const tasks = this.threads.map((t) => ({
      tid: t.tid,
      label: t.label,
      where: t.where?.() ?? (t.state === 'blocked' ? `sleeps on ${t.waitingOn ?? '?'}` : 'runnable'),
    }));
    return { kind: 'limit', limit, steps: this.steps, message, tasks };
  }

  private sleepers(): Sleeper[] {
    return this.threads
      .filter((t) => t.state === 'blocked' && !t.idle)
      .map((t) => ({ tid: t.tid, label: t.label, waitingOn: t.waitingOn ?? '?' }));
  }
}
