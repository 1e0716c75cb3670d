// Dynamic partial-order reduction with source sets and sleep sets
// (Abdulla, Aronis, Jonsson and Sagonas, "Optimal dynamic partial order
// reduction", POPL 2014, Algorithm 1), over syscall-level steps, by
// re-execution like dfs.
//
// Every step records what it read and wrote (src/sched/footprint.ts). After
// each run the explorer builds happens-before over the run's steps (same
// thread, or dependent footprints) and, for every race e < e' (dependent
// steps of different threads with nothing in between ordering them), makes
// sure that from the state before e some thread that can start the
// reordered sequence notdep(e).e' is tried: one of its "initials". Sleep
// sets skip the alternatives already known to lead to equivalent runs: a
// run that can only continue with sleeping threads is abandoned.
//
// When an initial cannot run at that state (it was blocked), every runnable
// thread there is added instead, which is always sound.
//
// With a preemption bound P the search covers every trace that some
// schedule within P reaches, as dfs --preemptions P does, with fewer runs.
// Plain DPOR pruned by the bound does not (Coons, Musuvathi and McKinley,
// "Bounded partial-order reduction", OOPSLA 2013): swapping two commuting
// steps can change how many preemptions a schedule needs, so the bound makes
// steps dependent that the footprints call independent. Two changes make up
// for it in a bounded pass:
//   - sleep sets only where the bound cannot tell: a thread tried at a
//     state sleeps in the runs that take another thread there only if that
//     thread preempted it or its own step stopped it (it slept or exited).
//     Then taking it first costs no more preemptions than taking it after
//     steps that commute with it (a step changes whether another thread can
//     run only by writing its task or the harts it needs), so its runs
//     from here were covered within the bound; otherwise taking it first
//     can cost one more (switching back from it), and it stays awake;
//   - a race's initials are tried both before its first step (when that fits
//     the bound) and where the run last switched to that step's thread: taking
//     another thread at a switch costs no more than the switch did, so the
//     second always fits.
// properties/dpor-races.test.ts checks this against dfs's traces within P on
// random programs of two and three threads. Like dfs, a bounded search runs
// passes with bounds 0, 1, ... P, so it finds a bug with the fewest
// preemptions first.
//
// Fault points inside a step (--eintr, --short-io: src/kernel/faults.ts)
// are the step's own nondeterminism: every decision vector of a step, within
// the fault budget F, is tried from the state before it, before any other
// thread is, as dfs does; and a step with a fault point counts as global, so
// no sleep set carries it past another step. (--spurious-wakeups changes
// which threads can run before a step is chosen: the CLI searches with dfs.)
//
// A fixed root prefix (`unixsim sweep --shard`) confines the search to one
// subtree: this is DPOR of the program that starts in the state after the
// root, which is complete for that subtree. The root is given in choice
// points (pick calls, as src/explore/schedule.ts numbers them), while the
// search works in steps (every step, runnable alone or not); the first run
// of a pass finds the step where the root ends. No state before it is ever
// backtracked (races whose reversal point lies in the root are ignored),
// sleep sets start empty after it, and its preemptions count toward P.
import { dependent, type Footprint } from '../footprint.ts';
import type { Explorer, ExploredRun } from '../explorer.ts';
import { ReplayDivergence, type Strategy } from '../strategy.ts';
import type { SimThread } from '../thread.ts';

interface Event {
  tid: number;
  fp: Footprint;
  /** runnable tids before the step, ascending */
  enabled: number[];
  /** the thread that ran the step before */
  last: number | null;
  /** preemptions used before this step */
  pre: number;
  /** decisions at the step's fault points, and how many alternatives each had */
  faults: number[];
  alts: number[];
  /** faults taken before this step */
  faultsBefore: number;
}

interface State {
  /** threads to try from this state (the source set so far) */
  backtrack: Set<number>;
  /** threads tried from here, with the footprint of the step each took */
  done: Map<number, Footprint>;
  /** sleep set on arrival: threads whose step from here leads only to runs already covered */
  sleep: Map<number, Footprint>;
  /** threads whose step from here left them unable to run (they slept or exited) */
  stopped: Set<number>;
}

/** The message that marks a run as cut short by its sleep set (see explore.ts: abandoned). */
export const SLEEP_BLOCKED = 'abandoned: every runnable thread is in the sleep set';

function preempts(enabled: readonly number[], last: number | null, tid: number): boolean {
  return last !== null && tid !== last && enabled.includes(last);
}

export class DporExplorer implements Explorer {
  private events: Event[] = [];
  private states: State[] = [];
  /** the step index where the next run departs from the last one, and the thread it takes there */
  private branch = -1;
  private prefix: number[] = [];
  /** fault decisions of the prefix's steps, by step */
  private prefixFaults: number[][] = [];
  private started = false;
  exhausted = false;
  /** runs handed out */
  schedules = 0;
  /** runs abandoned because every runnable thread slept */
  sleepBlocked = 0;

  /** the bound of the current pass */
  limit: number;

  /** steps taken by the root (Infinity until a run of this pass has followed all of it) */
  rootSteps: number;

  constructor(
    readonly bound = Infinity,
    /** picks of the first choice points, fixed: the subtree searched */
    readonly root: readonly number[] = [],
    /** F: faults a schedule may take at fault points (0: none; only with fault injection on) */
    readonly faultBudget = 0,
  ) {
    if (root.length > 0 && faultBudget > 0) throw new Error('dpor: a fixed root prefix does not combine with a fault budget');
    this.limit = bound === Infinity ? Infinity : 0;
    this.rootSteps = root.length === 0 ? 0 : Infinity;
  }

  get describe(): string {
    const parts = [this.bound === Infinity ? '' : `P=${this.bound}`, this.faultBudget > 0 ? `F=${this.faultBudget}` : ''].filter(Boolean);
    return parts.length ? `dpor(${parts.join(',')})` : 'dpor';
  }

  next(): Strategy | null {
    if (this.started) {
      let more = this.backtrack();
      while (!more && this.limit < this.bound) {
        // next pass, one more preemption allowed, from the top
        this.limit++;
        this.events = [];
        this.states = [];
        this.prefix = [];
        this.prefixFaults = [];
        this.branch = -1;
        this.rootSteps = this.root.length === 0 ? 0 : Infinity;
        more = true;
      }
      if (!more) {
        this.exhausted = true;
        return null;
      }
    }
    this.started = true;
    this.schedules++;
    return new DporRun(this, this.prefix, this.prefixFaults);
  }

  finish(_run: ExploredRun): void {
    this.addBacktrackPoints();
  }

  // ---- used by the run ----

  eventAt(i: number): Event | undefined {
    return this.events[i];
  }

  stateAt(i: number): State | undefined {
    return this.states[i];
  }

  record(i: number, ev: Event, arrivalSleep: Map<number, Footprint>): Map<number, Footprint> {
    if (i < this.branch) {
      const old = this.events[i];
      if (!old || old.tid !== ev.tid || old.enabled.join() !== ev.enabled.join()) {
        throw new ReplayDivergence(`dpor: the program is not deterministic at step ${i}`);
      }
      return this.states[i + 1]?.sleep ?? new Map();
    }
    this.events[i] = ev;
    const before = this.states[i - 1], prev = this.events[i - 1];
    if (before && prev && !ev.enabled.includes(prev.tid)) before.stopped.add(prev.tid);
    let st = this.states[i];
    if (i > this.branch || !st) {
      st = { backtrack: new Set([ev.tid]), done: new Map(), sleep: arrivalSleep, stopped: new Set() };
      this.states[i] = st;
    }
    st.done.set(ev.tid, ev.fp);
    st.backtrack.add(ev.tid);
    const next = new Map<number, Footprint>();
    // Sleep set passed on: what slept here (and, at the branch, the threads already tried here) and commutes with this step.
    const passOn = (tid: number, fp: Footprint) => {
      if (tid !== ev.tid && !dependent(fp, ev.fp)) next.set(tid, fp);
    };
    for (const [tid, fp] of st.sleep) passOn(tid, fp);
    if (i === this.branch) for (const [tid, fp] of st.done) if (this.limit === Infinity || this.sleepFitsBound(tid, ev, st)) passOn(tid, fp);
    return next;
  }

  /**
   * May thread `tid`, tried from this state before, sleep in a bounded pass's runs that take `ev` here?
   * Only when taking it first never costs more preemptions than taking it later, after steps that commute
   * with it: when `ev` preempted it (it ran the step before), or its own step from here stopped it (it slept
   * or exited), so switching back from it is free. Otherwise a run that takes it later may fit the bound
   * while its equivalent run from here, already covered, did not.
   */
  private sleepFitsBound(tid: number, ev: Event, st: State): boolean {
    return ev.last === tid || st.stopped.has(tid);
  }

  // ---- between runs ----

  /** The deepest state with a thread left to try: sets the next prefix; false when none is left. */
  private backtrack(): boolean {
    for (let i = Math.min(this.states.length, this.events.length) - 1; i >= this.rootSteps; i--) {
      const st = this.states[i];
      const ev = this.events[i];
      const variant = this.nextVariant(ev);
      if (variant) {
        // the same thread from the same state, with other fault decisions
        this.setPrefix(i, ev.tid, variant);
        return true;
      }
      for (const tid of [...st.backtrack].sort((a, b) => a - b)) {
        if (st.done.has(tid) || st.sleep.has(tid) || !ev.enabled.includes(tid)) continue;
        if (ev.pre + (preempts(ev.enabled, ev.last, tid) ? 1 : 0) > this.limit) continue;
        this.setPrefix(i, tid, []);
        return true;
      }
    }
    return false;
  }

  /** The next run follows the events before step i, then takes `tid` at i with these fault decisions. */
  private setPrefix(i: number, tid: number, faults: number[]): void {
    this.prefix = [...this.events.slice(0, i).map((e) => e.tid), tid];
    this.prefixFaults = [...this.events.slice(0, i).map((e) => e.faults), faults];
    this.branch = i;
    this.events.length = i;
    this.states.length = i + 1;
  }

  /** The step's next decision vector within the fault budget (depth first, like dfs), or null. */
  private nextVariant(ev: Event): number[] | null {
    for (let j = ev.faults.length - 1; j >= 0; j--) {
      if (ev.faults[j] + 1 >= ev.alts[j]) continue;
      let taken = ev.faultsBefore + 1;
      for (let x = 0; x < j; x++) if (ev.faults[x] !== 0) taken++;
      if (taken > this.faultBudget) continue;
      return [...ev.faults.slice(0, j), ev.faults[j] + 1];
    }
    return null;
  }

  /** Race analysis over the run just finished (happens-before as bitsets over step indices). */
  private addBacktrackPoints(): void {
    const ev = this.events;
    const n = ev.length;
    const words = (n + 31) >>> 5;
    const hb: Uint32Array[] = [];
    const has = (b: Uint32Array, i: number) => (b[i >>> 5] & (1 << (i & 31))) !== 0;
    const direct: number[][] = [];
    for (let j = 0; j < n; j++) {
      const b = new Uint32Array(words);
      const preds: number[] = [];
      let sameThreadSeen = false;
      for (let i = j - 1; i >= 0; i--) {
        const same = ev[i].tid === ev[j].tid;
        if (same && sameThreadSeen) continue; // the latest step of the same thread already carries the earlier ones
        if (same || dependent(ev[i].fp, ev[j].fp)) {
          if (same) sameThreadSeen = true;
          else preds.push(i);
          b[i >>> 5] |= 1 << (i & 31);
          const bi = hb[i];
          for (let w = 0; w < words; w++) b[w] |= bi[w];
        }
      }
      hb.push(b);
      direct.push(preds);
    }
    for (let j = 0; j < n; j++) {
      if (direct[j].length === 0) continue;
      // events that reach j through some step in between
      const via = new Uint32Array(words);
      for (let k = 0; k < j; k++) if (has(hb[j], k)) for (let w = 0; w < words; w++) via[w] |= hb[k][w];
      for (const i of direct[j]) {
        if (has(via, i)) continue; // not a race: ordered through another step
        this.reverse(i, j, hb);
      }
    }
  }

  /**
   * Adds `threads` to the backtrack set of the state where the run last
   * switched to the thread of step i (or the search's first state). Taking
   * another thread there costs no more preemptions than the switch the run
   * made, so it always fits the bound.
   */
  private tryAtBlockStart(i: number, threads: readonly number[]): void {
    const ev = this.events;
    let k = i;
    while (k > this.rootSteps && ev[k - 1].tid === ev[i].tid) k--;
    for (const q of threads) if (q !== ev[k].tid && ev[k].enabled.includes(q)) this.states[k]?.backtrack.add(q);
  }

  /** Makes sure the state before step i tries a thread that can start notdep(i).j. */
  private reverse(i: number, j: number, hb: Uint32Array[]): void {
    const ev = this.events;
    const st = this.states[i];
    if (!st || i < this.rootSteps) return; // the reversal point is inside the fixed root
    const has = (b: Uint32Array, x: number) => (b[x >>> 5] & (1 << (x & 31))) !== 0;
    const v: number[] = [];
    for (let k = i + 1; k < j; k++) if (!has(hb[k], i)) v.push(k);
    v.push(j);
    const initials = new Set<number>();
    const seen = new Set<number>();
    for (let a = 0; a < v.length; a++) {
      const k = v[a];
      if (seen.has(ev[k].tid)) continue;
      seen.add(ev[k].tid);
      let first = true;
      for (let b = 0; b < a; b++) if (has(hb[k], v[b])) first = false;
      if (first) initials.add(ev[k].tid);
    }
    const here = ev[i];
    const fits = (q: number) => here.pre + (preempts(here.enabled, here.last, q) ? 1 : 0) <= this.limit;
    const enabled = [...initials].filter((q) => here.enabled.includes(q));
    // Bounded: the initials are also tried where the block of steps holding
    // step i began (see the header: within a bound, steps do not commute freely).
    if (this.limit !== Infinity) this.tryAtBlockStart(i, enabled.length ? enabled : here.enabled);
    for (const q of initials) if (st.backtrack.has(q)) return;
    const candidates = enabled.filter(fits);
    const awake = candidates.filter((q) => !st.sleep.has(q));
    if (awake.length) st.backtrack.add(awake[0]);
    else if (candidates.length) st.backtrack.add(candidates[0]);
    else if (!enabled.length) for (const q of here.enabled) if (fits(q)) st.backtrack.add(q); // an initial is blocked here: try everything
  }
}

/** One run: follows the prefix, then prefers the last thread, never a sleeping one. */
class DporRun implements Strategy {
  readonly describe = 'dpor';
  readonly wantsFootprints = true;
  private last: number | null = null;
  private pre = 0;
  /** faults taken so far, and the decisions of the step in progress */
  private faultsTaken = 0;
  private stepFaults: number[] = [];
  private stepAlts: number[] = [];
  private sleep = new Map<number, Footprint>();
  private steps = 0;
  /** pick calls so far: the root is indexed by them */
  private choice = 0;

  constructor(
    private readonly x: DporExplorer,
    private readonly prefix: readonly number[],
    private readonly prefixFaults: readonly (readonly number[])[],
  ) {}

  fault(kind: string, alternatives: number): number {
    // With the budget spent, "no fault" is the only alternative: not a fault point (the same on every re-run of a prefix).
    if (this.faultsTaken >= this.x.faultBudget) return 0;
    if (kind === 'spurious-wakeup') throw new Error('dpor does not enumerate spurious wakeups (they change which threads can run before a step): use dfs');
    const d = this.prefixFaults[this.steps]?.[this.stepFaults.length] ?? 0;
    this.stepFaults.push(d);
    this.stepAlts.push(alternatives);
    if (d !== 0) this.faultsTaken++;
    return d;
  }

  pick(runnable: readonly SimThread[], step: number): SimThread {
    let tid: number;
    const c = this.choice++;
    if (step < this.prefix.length) {
      tid = this.prefix[step];
    } else if (c < this.x.root.length) {
      tid = this.x.root[c];
      if (this.pre + (preempts(runnable.map((r) => r.tid), this.last, tid) ? 1 : 0) > this.x.limit) {
        throw new ReplayDivergence(`abandoned: the root prefix needs more than ${this.x.limit} preemptions`);
      }
      if (c === this.x.root.length - 1) this.x.rootSteps = step + 1;
    } else {
      const bound = this.x.limit;
      const ok = runnable.filter(
        (t) => !this.sleep.has(t.tid) && this.pre + (preempts(runnable.map((r) => r.tid), this.last, t.tid) ? 1 : 0) <= bound,
      );
      if (ok.length === 0) {
        this.x.sleepBlocked++;
        throw new ReplayDivergence(SLEEP_BLOCKED);
      }
      tid = (ok.find((t) => t.tid === this.last) ?? ok[0]).tid;
    }
    const t = runnable.find((r) => r.tid === tid);
    if (!t) throw new ReplayDivergence(`dpor: the program is not deterministic at step ${step}: ${tid} cannot run`);
    return t;
  }

  observeStep(ran: SimThread, runnable: readonly SimThread[], fp: Footprint | null): void {
    const i = this.steps++;
    const enabled = runnable.map((r) => r.tid);
    if (i < this.prefix.length && this.prefix[i] !== ran.tid) {
      throw new ReplayDivergence(`dpor: the program is not deterministic at step ${i}`);
    }
    // A thread that ran alone (no choice point, so pick did not see it) while in the sleep set:
    // every run from here is equivalent to one already explored, as when every runnable thread sleeps.
    if (i >= this.prefix.length && this.sleep.has(ran.tid)) {
      this.x.sleepBlocked++;
      throw new ReplayDivergence(SLEEP_BLOCKED);
    }
    const faults = this.stepFaults, alts = this.stepAlts;
    this.stepFaults = [];
    this.stepAlts = [];
    const taken = faults.filter((d) => d !== 0).length;
    // a step with a fault point has variants: dependent with everything, so that no sleep set carries it past another step
    const footprint: Footprint = faults.length ? { ...fp!, global: true, why: 'a fault point' } : fp!;
    const ev: Event = { tid: ran.tid, fp: footprint, enabled, last: this.last, pre: this.pre, faults, alts, faultsBefore: this.faultsTaken - taken };
    if (preempts(enabled, this.last, ran.tid)) this.pre++;
    this.last = ran.tid;
    this.sleep = this.x.record(i, ev, this.sleep);
  }
}
