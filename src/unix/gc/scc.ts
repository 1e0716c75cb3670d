// The collector of Linux >= 6.10 ("af_unix: Rework GC", net/unix/garbage.c:
// __unix_walk_scc, unix_walk_scc_fast, unix_vertex_dead, unix_scc_cyclic,
// unix_collect_skb), the kernel option `gc: 'scc'` and the default.
//
// Tarjan's algorithm groups the in-flight graph (graph.ts) into strongly
// connected components. A component is dead when none of its sockets is
// received by a socket outside it (every edge stays inside) and each one's
// file count equals its number of in-flight references (it was close()d):
// no fd can ever reach it again, and its receive queues are collected
// whole. A component that is alive but cyclic keeps
// unix_graph_maybe_cyclic set, so a later close runs a collection; with
// the flag clear, collections are skipped. While no edge changed since the
// last walk (unix_graph_grouped), the components found then are still
// true and only their liveness is rechecked (the fast path).
//
// The walk starts from the dirty vertices and the rest of their old
// components (graph.ts), not from every vertex as Linux does: a component
// nothing changed in cannot have died, so it is not rescanned.
//
// Linux holds unix_gc_lock for the walk, but close() and recv(MSG_PEEK)
// change file counts without it; between two vertices' checks another
// hart may run. CVE-2026-23394 is that race: MSG_PEEK duplicates a socket
// already judged dead, then a close makes its peer look dead too. The fix
// (unix_peek_fpl) bumps a sequence count that unix_scc_dead checks.
import type { KernelThread } from '../../kernel/kthread.ts';
import { PREEMPT, type KernelYield } from '../../kernel/syscall.ts';
import type { Inflight } from '../inflight.ts';
import type { Message, MessageQueue } from '../queue.ts';
import type { Socket } from '../socket.ts';
import type { InflightGraph, Vertex } from './graph.ts';

type Gen = Generator<KernelYield, void, void>;

export class SccCollector {
  readonly name = 'scc';
  constructor(private readonly inf: Inflight) {}

  /** __unix_gc, the work item. */
  *run(w: KernelThread): Gen {
    const inf = this.inf;
    const g = inf.graph;
    yield* inf.gcLock.acquire(w);
    const hit = inf.hitlist; // messages taken go there at once: the refcount invariant counts them
    try {
      if (!g.maybeCyclic && !inf.k.bug('gc-frees-reachable')) return; // skip_gc: no cycle can exist
      if (g.grouped) yield* this.walkFast(w, hit);
      else yield* this.walk(w, hit);
    } finally {
      inf.releaseGcLock(w);
    }
    inf.purgeHitlist();
  }

  /**
   * unix_walk_scc / __unix_walk_scc: Tarjan from the dirty vertices (and
   * the rest of their old components), each component judged as it is
   * finalised.
   */
  private *walk(w: KernelThread, hit: [MessageQueue, Message][]): Gen {
    const g = this.inf.graph;
    const walk = ++g.walks;
    // Linux's unix_add_edges waits for unix_gc_lock; the model's send publishes a message and its
    // edges in one step without it, so edges may appear while the walk waits at a scheduling point
    // (the walk's live edge iterators take them in; the graph then stays ungrouped).
    const changes = g.changes;
    const starts: Vertex[] = [];
    for (const v of g.takeDirty()) {
      if (v.scc) {
        g.cyclic.delete(v.scc);
        for (const o of v.scc) starts.push(o);
      }
      starts.push(v);
    }
    const stack: Vertex[] = [];
    const frames: { v: Vertex; edges: Iterator<import('./graph.ts').Edge> }[] = [];
    const visit = (v: Vertex): void => {
      v.walk = walk;
      v.index = v.low = g.nextIndex++;
      v.onStack = true;
      stack.push(v);
      frames.push({ v, edges: v.edges.values() });
    };
    for (const s of starts) {
      if (s.gone || s.walk === walk) continue;
      visit(s);
      while (frames.length) {
        const fr = frames[frames.length - 1];
        const it = fr.edges.next();
        if (!it.done) {
          const next = g.successor(it.value);
          if (!next) continue; // received by a socket not in flight
          if (next.walk !== walk) visit(next); // a tree edge: go deeper
          else if (next.onStack) fr.v.low = Math.min(fr.v.low, next.index); // a back or cross edge into this component
          continue; // else: already grouped into another component
        }
        frames.pop();
        const v = fr.v;
        const parent = frames[frames.length - 1];
        if (v.low === v.index) {
          // SCC finalised: everything above v on the stack.
          const scc = stack.splice(stack.lastIndexOf(v));
          for (const x of scc) {
            x.onStack = false;
            if (x.scc) g.cyclic.delete(x.scc);
            x.scc = scc;
            x.sccIndex = v.index;
          }
          yield* this.judge(w, scc, hit);
        }
        if (parent) parent.v.low = Math.min(parent.v.low, v.low);
      }
    }
    g.grouped = g.changes === changes;
    g.maybeCyclic = g.cyclic.size > 0 || g.dirty.length > 0 || !g.grouped;
  }

  /** unix_walk_scc_fast: no edge changed, so the old components stand; recheck those a close touched. */
  private *walkFast(w: KernelThread, hit: [MessageQueue, Message][]): Gen {
    const g = this.inf.graph;
    const seen = new Set<Vertex[]>();
    for (const v of g.takeDirty()) {
      if (v.gone || !v.scc || seen.has(v.scc)) continue;
      seen.add(v.scc);
      g.cyclic.delete(v.scc);
      yield* this.judge(w, v.scc, hit);
    }
    g.maybeCyclic = g.cyclic.size > 0 || g.dirty.length > 0;
  }

  /** Collects a dead component, or remembers a live cyclic one (unix_scc_cyclic). */
  private *judge(w: KernelThread, scc: Vertex[], hit: [MessageQueue, Message][]): Gen {
    const g = this.inf.graph;
    if (yield* this.sccDead(scc)) {
      for (const v of scc) yield* this.collect(w, v.socket, hit);
      if (this.inf.k.bug('gc-frees-reachable')) this.collectCarriers(scc, hit);
      this.inf.gcFreed += scc.length;
    } else if (cyclic(g, scc)) {
      g.cyclic.add(scc);
    }
  }

  /**
   * unix_scc_dead: every vertex dead. With the fix for CVE-2026-23394, a
   * MSG_PEEK during the check (the sequence count moved) defers the
   * component to the next collection.
   */
  private *sccDead(scc: Vertex[]): Generator<KernelYield, boolean, void> {
    const inf = this.inf;
    const seq = inf.peekSeq; // read_seqcount_begin(&unix_peek_seq)
    let dead = true;
    for (let i = 0; i < scc.length; i++) {
      if (i > 0) yield PREEMPT; // another hart may close or peek between two vertices
      if (!dead) continue;
      dead = inf.k.bug('gc-frees-reachable') ? vertexDeadByCountOnly(scc[i]) : vertexDead(inf.graph, scc[i]);
      if (scc.length > 1 || dead) inf.note(`__unix_gc: unix_vertex_dead(${scc[i].socket.describe()}) = ${dead}`);
    }
    if (!inf.k.bug('gc-peek-no-seqcount') && inf.peekSeq !== seq) {
      inf.note('__unix_gc: MSG_PEEK intervened, the component waits for the next collection');
      for (const v of scc) inf.graph.markDirty(v); // read_seqcount_retry: try again next time
      return false;
    }
    if (dead) inf.note(`__unix_gc: dead, purging the queues of ${scc.map((v) => v.socket.describe()).join(', ')}`);
    return dead;
  }

  /**
   * BUG (planted 'gc-frees-reachable'), with vertexDeadByCountOnly: every
   * message that carries a socket judged dead is purged wherever it is
   * queued, also on a socket an fd still holds.
   */
  private collectCarriers(scc: Vertex[], hit: [MessageQueue, Message][]): void {
    const dead = new Set(scc.map((v) => v.file));
    for (const s of this.inf.sockets.values()) {
      for (const m of [...s.recvQueue.msgs]) {
        if (!m.rights?.files.some((f) => dead.has(f))) continue;
        s.recvQueue.unlink(m);
        hit.push([s.recvQueue, m]);
      }
    }
  }

  /** unix_collect_skb for one socket: its whole receive queue (a listener's: its embryos'), under the queue lock. */
  private *collect(w: KernelThread, u: Socket, hit: [MessageQueue, Message][]): Gen {
    const inf = this.inf;
    yield* u.recvLock.acquire(w);
    try {
      inf.collecting(u);
      const queues = u.state === 'listening' ? (u.listener?.pending ?? []) : [u];
      for (const s of queues) {
        inf.dropOob(s); // unix_collect_queue: the dead socket's OOB skb
        for (const m of [...s.recvQueue.msgs]) {
          s.recvQueue.unlink(m);
          hit.push([s.recvQueue, m]);
        }
      }
    } finally {
      u.recvLock.release(w);
    }
  }
}

/** unix_vertex_dead: no receiver outside the component, and no reference but the in-flight ones. */
function vertexDead(g: InflightGraph, v: Vertex): boolean {
  for (const e of v.edges) {
    const next = g.successor(e);
    if (!next) return false; // received by a socket that is not in flight
    if (next.sccIndex !== v.sccIndex || next.scc !== v.scc) return false; // received by another component
  }
  return v.file.refs === v.outDegree; // not close()d: an fd (or a syscall, or a message in transit) holds it
}

/**
 * BUG (planted 'gc-frees-reachable'): no reachability test, only the file
 * count, so a closed socket whose fd is queued on a socket that is still
 * open is judged dead, and its queue purged.
 */
function vertexDeadByCountOnly(v: Vertex): boolean {
  return v.file.refs === v.outDegree;
}

/** unix_scc_cyclic: more than one vertex, or one that receives itself (a self-reference or an embryo-listener circle). */
function cyclic(g: InflightGraph, scc: Vertex[]): boolean {
  if (scc.length > 1) return true;
  const v = scc[0];
  for (const e of v.edges) if (g.successor(e) === v) return true;
  return false;
}
