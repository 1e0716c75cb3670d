// Bounded exhaustive search: every schedule with at most P preemptions
// (iterative context bounding, Musuvathi and Qadeer, PLDI 2007), by
// depth-first search over the choice points, re-running the program from
// the start with a prefix of picks each time.
//
// A preemption is a choice point where the thread that ran the previous step
// is still runnable and another is picked; switching away from a thread that
// blocked or exited is free. After the prefix a run continues without
// preempting (the last thread if it can run, else the lowest tid), so every
// run is one new schedule, and a pass ends when no choice point of any run
// has an untried alternative within the bound.
//
// Iterative: pass b explores every schedule with at most b preemptions, for
// b = 0, 1, ... P, so a bug is found with the fewest preemptions it needs
// (the point of context bounding: most bugs need one or two). Pass b re-runs
// the schedules of earlier passes on its way (a run is the only way to see
// the choice points below a prefix); `distinct` counts each schedule once.
//
// Fault points (src/kernel/faults.ts: --spurious-wakeups, --eintr,
// --short-io) are choice points too, between the picks in run order: their
// alternative 0 is "no fault", and every other one spends one of the fault
// budget F, as a preemption spends the bound. So "exhausted" covers every
// schedule with at most P preemptions and at most F faults.
//
// A fixed root prefix (`unixsim sweep --shard`, src/explore/subtrees.ts)
// confines the search to one subtree: the first choices follow the root
// and are never backtracked, every pass restarts from the root, and the
// root's preemptions count toward the bound (a root that needs more than
// the pass allows has no schedules in that pass).
import type { Explorer, ExploredRun } from '../explorer.ts';
import { ReplayDivergence, type Strategy } from '../strategy.ts';
import type { SimThread } from '../thread.ts';

interface Node {
  /** a thread pick, or a fault point's decision */
  kind: 'pick' | 'fault';
  /** runnable tids at this choice point, ascending (a fault point: its alternatives 0..n-1) */
  tids: number[];
  /** the thread that ran the step before (null at the first step) */
  last: number | null;
  /** preemptions used by the choices before this one */
  pre: number;
  /** faults taken before this one */
  faults: number;
  chosen: number;
  /** alternatives already run (including chosen) */
  tried: Set<number>;
}

/** Does picking `tid` at this node preempt the thread that ran before? */
function preempts(n: Pick<Node, 'tids' | 'last'>, tid: number): boolean {
  return n.last !== null && tid !== n.last && n.tids.includes(n.last);
}

/** Is alternative `x` of this node within the preemption bound and the fault budget? */
function fits(n: Node, x: number, pass: number, faultBudget: number): boolean {
  if (n.kind === 'fault') return n.faults + (x !== 0 ? 1 : 0) <= faultBudget;
  return n.pre + (preempts(n, x) ? 1 : 0) <= pass;
}

export class DfsExplorer implements Explorer {
  private nodes: Node[] = [];
  private prefix: number[] = [];
  private started = false;
  exhausted = false;
  /** runs handed out */
  schedules = 0;
  /** distinct schedules run (a schedule re-run by a later pass counts once) */
  distinct = 0;
  /** distinct schedules with at most b preemptions, for each pass b finished or in progress */
  readonly upTo: number[] = [];
  /** the bound of the current pass */
  private pass: number;
  private current: DfsRun | null = null;

  constructor(
    /** the preemption bound P (Infinity: every schedule, in one pass) */
    readonly bound = Infinity,
    /** picks of the first choice points, fixed: the subtree searched */
    readonly root: readonly number[] = [],
    /** F: faults a schedule may take at fault points (0: none; only with fault injection on) */
    readonly faultBudget = 0,
  ) {
    if (root.length > 0 && faultBudget > 0) throw new Error('dfs: a fixed root prefix does not combine with a fault budget');
    this.pass = bound === Infinity ? Infinity : 0;
    this.prefix = [...root];
  }

  get describe(): string {
    const parts = [this.bound === Infinity ? '' : `P=${this.bound}`, this.faultBudget > 0 ? `F=${this.faultBudget}` : ''].filter(Boolean);
    return parts.length ? `dfs(${parts.join(',')})` : 'dfs';
  }

  next(): Strategy | null {
    if (this.started) {
      let alt = this.backtrack();
      while (!alt && this.pass < this.bound) {
        // next pass: one more preemption allowed, from the top
        this.pass++;
        this.nodes = [];
        alt = [...this.root];
      }
      if (!alt) {
        this.exhausted = true;
        return null;
      }
      this.prefix = alt;
    }
    this.started = true;
    this.schedules++;
    this.current = new DfsRun(this.nodes, this.prefix, this.root.length, this.pass, this.faultBudget);
    return this.current;
  }

  finish(_run: ExploredRun): void {
    // new in this pass: exactly `pass` preemptions (fewer were all run by earlier passes)
    if (this.current && !this.current.overBound && (this.pass === Infinity || this.pass === 0 || this.current.preemptions === this.pass)) this.distinct++;
    if (this.pass !== Infinity) this.upTo[this.pass] = this.distinct;
  }

  /** The deepest choice point with an untried alternative within the bound: the new prefix, or null. */
  private backtrack(): number[] | null {
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i];
      for (const tid of n.tids) {
        if (n.tried.has(tid)) continue;
        if (!fits(n, tid, this.pass, this.faultBudget)) continue;
        n.tried.add(tid);
        n.chosen = tid;
        this.nodes.length = i + 1;
        return this.nodes.map((x) => x.chosen);
      }
    }
    return null;
  }
}

/** One run of the search: follows the prefix, then never preempts; records each choice point. */
class DfsRun implements Strategy {
  readonly describe = 'dfs';
  /** choice points so far, picks and fault points */
  private choice = 0;
  /** picks so far (the root counts picks only) */
  private picks = 0;
  private last: number | null = null;
  private pre = 0;
  private faults = 0;
  /** the root needed more preemptions than the pass allows: the run was cut short, not a schedule */
  overBound = false;

  constructor(
    private nodes: Node[],
    private readonly prefix: readonly number[],
    /** choice points [0, rootLength) are the fixed root: recorded with every alternative marked tried */
    private readonly rootLength: number,
    private readonly pass: number,
    private readonly faultBudget: number,
  ) {}

  fault(_kind: string, alternatives: number): number {
    // With the budget spent, "no fault" is the only alternative: not a choice point (the same on every re-run of a prefix).
    if (this.faults >= this.faultBudget) return 0;
    const i = this.choice++;
    let x = 0;
    if (i < this.prefix.length) {
      x = this.prefix[i];
      const n = this.nodes[i];
      if (!n || n.kind !== 'fault' || n.tids.length !== alternatives) {
        throw new ReplayDivergence(`dfs: the program is not deterministic: choice point ${i} is no longer the same fault point`);
      }
    } else {
      const alts = Array.from({ length: alternatives }, (_, a) => a);
      this.nodes.push({ kind: 'fault', tids: alts, last: null, pre: this.pre, faults: this.faults, chosen: 0, tried: new Set([0]) });
    }
    if (x !== 0) this.faults++;
    return x;
  }

  pick(runnable: readonly SimThread[], step: number): SimThread {
    const i = this.choice++;
    const p = this.picks++;
    const tids = runnable.map((t) => t.tid);
    let tid: number;
    if (i < this.prefix.length) {
      tid = this.prefix[i];
      const n = p < this.rootLength && !this.nodes[i] ? this.rootNode(i, tids, tid) : this.nodes[i];
      if (n.kind !== 'pick' || n.tids.join() !== tids.join() || !tids.includes(tid)) {
        throw new ReplayDivergence(`dfs: the program is not deterministic: choice point ${i} (step ${step}) had runnable ${n.tids.join(',')}, now ${tids.join(',')}`);
      }
    } else {
      tid = this.last !== null && tids.includes(this.last) ? this.last : tids[0];
      this.nodes.push({ kind: 'pick', tids, last: this.last, pre: this.pre, faults: this.faults, chosen: tid, tried: new Set([tid]) });
    }
    if (preempts({ tids, last: this.last }, tid)) this.pre++;
    if (p < this.rootLength && this.pre > this.pass) {
      this.overBound = true;
      throw new ReplayDivergence(`abandoned: the root prefix needs more than ${this.pass} preemptions`);
    }
    return runnable.find((t) => t.tid === tid)!;
  }

  /** A root choice point seen for the first time this pass: fixed, so nothing is left to try there. */
  private rootNode(i: number, tids: number[], tid: number): Node {
    const n: Node = { kind: 'pick', tids, last: this.last, pre: this.pre, faults: 0, chosen: tid, tried: new Set(tids) };
    this.nodes[i] = n;
    return n;
  }

  observeStep(ran: SimThread): void {
    this.last = ran.tid;
  }

  get preemptions(): number {
    return this.pre;
  }
}
