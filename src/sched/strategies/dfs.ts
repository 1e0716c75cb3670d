// Bounded exhaustive search: every schedule with at most P preemptions
// (iterative context bounding, Musuvathi and Qadeer, PLDI 2007), by
// depth-first search over the choice points, re-running the program from
// the start with a prefix of picks each time.
//
// A preemption is a choice point where the thread that ran the previous step
// is still runnable and another is picked; switching away from a thread that
// blocked or exited is free. After the prefix a run continues without
// preempting (the last thread if it can run, else the lowest tid), so every
// run is one new schedule, and the search ends when no choice point of any
// run has an untried alternative within the bound.
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
  /** schedules handed out */
  schedules = 0;

  constructor(
    /** the preemption bound P (Infinity: every schedule) */
    readonly bound = Infinity,
  ) {}

  get describe(): string {
    return this.bound === Infinity ? 'dfs' : `dfs(P=${this.bound})`;
  }

  next(): Strategy | null {
    if (this.started) {
      const alt = this.backtrack();
      if (!alt) {
        this.exhausted = true;
        return null;
      }
      this.prefix = alt;
    }
    this.started = true;
    this.schedules++;
    return new DfsRun(this.nodes, this.prefix);
  }

  finish(_run: ExploredRun): void {}

  /** The deepest choice point with an untried alternative within the bound: the new prefix, or null. */
  private backtrack(): number[] | null {
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i];
      for (const tid of n.tids) {
        if (n.tried.has(tid)) continue;
        if (n.pre + (preempts(n, tid) ? 1 : 0) > this.bound) continue;
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

  constructor(
    private readonly nodes: Node[],
    private readonly prefix: readonly number[],
  ) {}

  pick(runnable: readonly SimThread[], step: number): SimThread {
    const i = this.choice++;
    const tids = runnable.map((t) => t.tid);
    let tid: number;
    if (i < this.prefix.length) {
      tid = this.prefix[i];
      const n = this.nodes[i];
      if (n.tids.join() !== tids.join() || !tids.includes(tid)) {
        throw new ReplayDivergence(`dfs: the program is not deterministic: choice point ${i} (step ${step}) had runnable ${n.tids.join(',')}, now ${tids.join(',')}`);
      }
    } else {
      tid = this.last !== null && tids.includes(this.last) ? this.last : tids[0];
      this.nodes.push({ tids, last: this.last, pre: this.pre, chosen: tid, tried: new Set([tid]) });
    }
    if (preempts({ tids, last: this.last }, tid)) this.pre++;
    return runnable.find((t) => t.tid === tid)!;
  }

  observeStep(ran: SimThread): void {
    this.last = ran.tid;
  }
}
