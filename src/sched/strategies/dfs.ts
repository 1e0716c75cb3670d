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
// A fixed root prefix (`unixsim sweep --shard`, src/explore/subtrees.ts)
// confines the search to one subtree: the first choices follow the root
// and are never backtracked, every pass restarts from the root, and the
// root's preemptions count toward the bound (a root that needs more than
// the pass allows has no schedules in that pass).
import type { Explorer, ExploredRun } from '../explorer.ts';
import { ReplayDivergence, type Strategy } from '../strategy.ts';
import type { SimThread } from '../thread.ts';

interface Node {
  /** runnable tids at this choice point, ascending */
  tids: number[];
  /** the thread that ran the step before (null at the first step) */
  last: number | null;
  /** preemptions used by the choices before this one */
  pre: number;
  chosen: number;
  /** alternatives already run (including chosen) */
  tried: Set<number>;
}

/** Does picking `tid` at this node preempt the thread that ran before? */
function preempts(n: Pick<Node, 'tids' | 'last'>, tid: number): boolean {
  return n.last !== null && tid !== n.last && n.tids.includes(n.last);
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
  ) {
    this.pass = bound === Infinity ? Infinity : 0;
    this.prefix = [...root];
  }

  get describe(): string {
    return this.bound === Infinity ? 'dfs' : `dfs(P=${this.bound})`;
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
    this.current = new DfsRun(this.nodes, this.prefix, this.root.length, this.pass);
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
        if (n.pre + (preempts(n, tid) ? 1 : 0) > this.pass) continue;
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
  private choice = 0;
  private last: number | null = null;
  private pre = 0;
  /** the root needed more preemptions than the pass allows: the run was cut short, not a schedule */
  overBound = false;

  constructor(
    private nodes: Node[],
    private readonly prefix: readonly number[],
    /** choice points [0, rootLength) are the fixed root: recorded with every alternative marked tried */
    private readonly rootLength: number,
    private readonly pass: number,
  ) {}

  pick(runnable: readonly SimThread[], step: number): SimThread {
    const i = this.choice++;
    const tids = runnable.map((t) => t.tid);
    let tid: number;
    if (i < this.prefix.length) {
      tid = this.prefix[i];
      const n = i < this.rootLength && !this.nodes[i] ? this.rootNode(i, tids, tid) : this.nodes[i];
      if (n.tids.join() !== tids.join() || !tids.includes(tid)) {
        throw new ReplayDivergence(`dfs: the program is not deterministic: choice point ${i} (step ${step}) had runnable ${n.tids.join(',')}, now ${tids.join(',')}`);
      }
    } else {
      tid = this.last !== null && tids.includes(this.last) ? this.last : tids[0];
      this.nodes.push({ tids, last: this.last, pre: this.pre, chosen: tid, tried: new Set([tid]) });
    }
    if (preempts({ tids, last: this.last }, tid)) this.pre++;
    if (i < this.rootLength && this.pre > this.pass) {
      this.overBound = true;
      throw new ReplayDivergence(`abandoned: the root prefix needs more than ${this.pass} preemptions`);
    }
    return runnable.find((t) => t.tid === tid)!;
  }

  /** A root choice point seen for the first time this pass: fixed, so nothing is left to try there. */
  private rootNode(i: number, tids: number[], tid: number): Node {
    const n: Node = { tids, last: this.last, pre: this.pre, chosen: tid, tried: new Set(tids) };
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
