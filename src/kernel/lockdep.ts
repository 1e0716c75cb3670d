// A lock-order graph, as Linux's lockdep keeps one: every acquisition made
// while other locks are held adds an edge held -> taken, remembered with the
// chain that first made it (which task, in which syscall, holding what).
// An acquisition whose edge closes a cycle (A -> B recorded earlier, now B
// -> A) is a possible deadlock, reported with both chains even though this
// schedule did not deadlock: two harts running the two chains at once
// would. Taking a lock one already holds is reported too (recursive
// locking, an AA deadlock).
//
// Unlike Linux's lockdep, which keys the graph by lock class, this one keys
// it by lock instance: a run has few locks, and two sockets' u->lock are
// then distinct nodes, so a double lock that ignores unix_state_double_lock's
// ordering is caught without nesting annotations.
//
// It runs always (it only looks at the locks a task already holds) and the
// runner reports what it found as a run failure ("lockdep: ...").
import type { KernelLock } from './lock.ts';
import type { Task } from './task.ts';

/** One acquisition made holding another lock: the evidence behind an edge. */
export interface LockChainStep {
  /** the task's label, e.g. "pid 2 (client)" */
  task: string;
  /** the syscall it was in */
  syscall: string;
  /** the lock it took */
  took: string;
  /** the locks it held at the time, in acquisition order */
  holding: readonly string[];
  /** the scheduler step */
  step: number;
}

interface Edge {
  to: string;
  chain: LockChainStep;
}

export class Lockdep {
  /** held lock name -> locks taken while holding it (insertion-ordered) */
  private readonly after = new Map<string, Map<string, Edge>>();
  /** possible deadlocks found, each a multi-line report */
  readonly reports: string[] = [];
  /** pairs already reported, so one inversion is one report */
  private readonly reported = new Set<string>();

  constructor(private readonly stepNow: () => number) {}

  /** `t` is about to take `lock` (before it waits: the order is wrong whether or not it is contended). */
  acquire(t: Task, lock: KernelLock): void {
    const held = t.locksHeld;
    if (held.length === 0) return;
    // The usual nesting (u->iolock then u->lock, u->lock then the queue lock) once its edge is known: nothing to look up.
    if (held.length === 1 && lock.lockdepAfter === held[0]) return;
    if (held.includes(lock)) {
      this.report(`${lock.name}|${lock.name}`, [
        `lockdep: recursive locking of ${lock.kind} ${lock.name} (an AA deadlock)`,
        `  ${describeStep(this.chain(t, lock))}`,
      ]);
      return;
    }
    // An order seen before costs two lookups: the chain is built only for a new edge.
    for (const h of held) {
      let out = this.after.get(h.name);
      if (out?.has(lock.name)) continue;
      const now = this.chain(t, lock);
      const back = this.path(lock.name, h.name);
      if (back) {
        const pair = [h.name, lock.name].sort().join('|');
        this.report(pair, [
          `lockdep: possible circular locking dependency (ABBA deadlock) between ${h.name} and ${lock.name}`,
          `  ${describeStep(now)}`,
          ...back.map((e) => `  earlier, ${describeStep(e.chain)}`),
          `  two harts running these chains at once would each wait for the other's lock`,
        ]);
      }
      if (!out) this.after.set(h.name, (out = new Map()));
      out.set(lock.name, { to: lock.name, chain: now });
    }
    if (held.length === 1) lock.lockdepAfter = held[0]; // the edge held[0] -> lock is in the graph now
  }

  /** The acquisition `t` is making now, as evidence for an edge or a report. */
  private chain(t: Task, lock: KernelLock): LockChainStep {
    return {
      task: t.label,
      syscall: t.syscallName ?? '?',
      took: lock.name,
      holding: t.locksHeld.map((h) => h.name),
      step: this.stepNow(),
    };
  }

  release(_t: Task, _lock: KernelLock): void {
    // the graph keeps its edges: an order once seen is remembered for the whole run
  }

  /** A syscall ended holding locks ("lock held when returning to user space!"): reported, and the locks released. */
  returnedHolding(t: Task): void {
    const names = t.locksHeld.map((l) => l.name);
    this.report(`return|${t.syscallName}|${names.join(',')}`, [
      `lockdep: ${t.label} returned from ${t.syscallName ?? '?'}() holding ${names.join(', ')} (step ${this.stepNow()})`,
    ]);
    while (t.locksHeld.length > 0) t.locksHeld[t.locksHeld.length - 1].release(t);
  }

  /** A task went to sleep on a wait queue holding a spinlock ("scheduling while atomic"). */
  sleepsAtomic(t: Task, queue: string): void {
    const names = t.locksHeld.filter((l) => l.kind === 'spin').map((l) => l.name);
    this.report(`atomic|${t.syscallName}|${names.join(',')}`, [
      `lockdep: ${t.label} sleeps on ${queue} in ${t.syscallName ?? '?'}() holding spinlock ${names.join(', ')} (scheduling while atomic, step ${this.stepNow()})`,
    ]);
  }

  /** Edges of a path from `from` to `to` in the graph, or null (breadth first: the shortest). */
  private path(from: string, to: string): Edge[] | null {
    const via = new Map<string, { prev: string; edge: Edge } | null>([[from, null]]);
    const todo = [from];
    while (todo.length > 0) {
      const n = todo.shift()!;
      if (n === to) {
        const edges: Edge[] = [];
        for (let at = via.get(n); at; at = via.get(at.prev)) edges.unshift(at.edge);
        return edges;
      }
      for (const e of this.after.get(n)?.values() ?? []) {
        if (!via.has(e.to)) {
          via.set(e.to, { prev: n, edge: e });
          todo.push(e.to);
        }
      }
    }
    return null;
  }

  private report(pair: string, lines: string[]): void {
    if (this.reported.has(pair)) return;
    this.reported.add(pair);
    this.reports.push(lines.join('\n'));
  }
}

function describeStep(s: LockChainStep): string {
  return `${s.task} in ${s.syscall}() took ${s.took} while holding ${s.holding.join(', ')} (step ${s.step})`;
}
