// The in-flight graph, after Linux >= 6.10's net/unix/garbage.c
// (unix_vertex, unix_edge, unix_add_edges, unix_del_edges,
// unix_update_edges): a vertex for each socket whose file is in flight, and
// an edge for each in-flight reference to it, from the socket carried (the
// predecessor) to the socket whose receive queue holds the message (the
// successor). A message queued on an embryo (a connection not yet accepted)
// is reached through the listener, so such an edge's successor is the
// listener's vertex (unix_edge_successor).
//
// Both collectors read it: the SCC collector walks it, and everything
// keeps unix_tot_inflight and the flags that let a collection be skipped
// (unix_graph_maybe_cyclic) or take the fast path (unix_graph_grouped).
// All changes happen under unix_gc_lock (src/unix/gc/worker.ts).
//
// One addition of the model's: `dirty` lists the vertices whose strongly
// connected component may have changed since the last walk (an endpoint of
// an edge added or removed, a socket that lost a file reference). Linux
// revisits every vertex at every collection; the model walks only from the
// dirty ones (and the rest of their old components), so a collection's cost
// follows what changed, not every socket in flight.
import type { OpenFile } from '../../kernel/file.ts';
import type { InflightRights } from '../inflight.ts';
import type { Socket } from '../socket.ts';

/** struct unix_edge: one in-flight reference to `pred`'s file, queued on `receiver`. */
export class Edge {
  constructor(
    readonly pred: Vertex,
    readonly receiver: Socket,
  ) {}
}

/** struct unix_vertex: a socket whose file is in flight. */
export class Vertex {
  /** its in-flight references (out_degree is their number) */
  readonly edges = new Set<Edge>();
  /** Tarjan's state in the walk numbered `walk`: index, low link (scc_index), on the stack */
  walk = 0;
  index = 0;
  low = 0;
  onStack = false;
  /** its strongly connected component as the last walk grouped it (unix_vertex's scc_entry list) */
  scc: Vertex[] | null = null;
  /** the component's number (the low link it was grouped with): unique over every walk of the run */
  sccIndex = 0;
  dirty = false;
  /** removed from the graph (its last in-flight reference went) */
  gone = false;

  constructor(
    readonly file: OpenFile,
    readonly socket: Socket,
  ) {}

  get outDegree(): number {
    return this.edges.size;
  }
}

export class InflightGraph {
  /** u->vertex for every socket file in flight */
  readonly vertices = new Map<OpenFile, Vertex>();
  /** unix_tot_inflight: in-flight references to AF_UNIX sockets */
  totInflight = 0;
  /** unix_graph_maybe_cyclic: a cycle may exist (an edge into an in-flight socket was added or removed, or the last walk left a cyclic component) */
  maybeCyclic = false;
  /** unix_graph_grouped: no edge changed since the last walk, whose components are still true */
  grouped = false;
  /** vertices whose component may have changed since the last walk (see the header) */
  dirty: Vertex[] = [];
  /** components the last walks found alive and cyclic (unix_scc_cyclic): while any is left, a later close may make one dead */
  readonly cyclic = new Set<Vertex[]>();
  /** edge changes that concern cycles so far (a walk that saw one happen meanwhile leaves the graph ungrouped) */
  changes = 0;
  /** walks so far, and the Tarjan index counter (never reset, so component numbers of different walks never alias) */
  walks = 0;
  nextIndex = 1;

  /** unix_edge_successor: the receiver's vertex (an embryo's listener's), or null when it is not in flight. */
  successor(e: Edge): Vertex | null {
    const r = e.receiver;
    const s = r.embryoOf ?? r;
    return s.file ? (this.vertices.get(s.file) ?? null) : null;
  }

  markDirty(v: Vertex | null): void {
    if (v && !v.dirty) {
      v.dirty = true;
      this.dirty.push(v);
    }
  }

  /** unix_update_graph: an edge into an in-flight socket changed: a cycle may have formed or broken. */
  private update(succ: Vertex | null): void {
    if (!succ) return;
    this.maybeCyclic = true;
    this.grouped = false;
    this.changes++;
    this.markDirty(succ);
  }

  /** unix_add_edges: the message carrying r is queued on `receiver` (scm_stat_add). */
  addEdges(r: InflightRights, receiver: Socket): void {
    for (const f of r.files) {
      if (f.ops.kind !== 'socket') continue;
      let v = this.vertices.get(f);
      if (!v) {
        v = new Vertex(f, f.ops as Socket);
        this.vertices.set(f, v);
        this.grouped = false;
        this.changes++;
      }
      const e = new Edge(v, receiver);
      v.edges.add(e);
      r.edges.push(e);
      this.markDirty(v);
      this.update(this.successor(e));
      this.totInflight++;
    }
  }

  /** unix_del_edges: the message's references leave flight (received, or freed; `dead`: freed by the collector, fpl->dead). */
  delEdges(r: InflightRights): void {
    for (const e of r.edges) {
      const v = e.pred;
      if (!r.dead) this.update(this.successor(e));
      v.edges.delete(e);
      this.markDirty(v);
      if (v.edges.size === 0) {
        v.gone = true;
        this.vertices.delete(v.file);
        this.cyclic.delete(v.scc!);
      }
      this.totInflight--;
    }
    r.edges.length = 0;
  }

  /**
   * unix_update_edges: an embryo is accepted, so what is queued on it is no
   * longer reached through the listener. Only matters when in-flight
   * sockets are queued on it (scm_stat.nr_unix_fds).
   */
  embryoAccepted(embryo: Socket, listener: Socket): void {
    let any = false;
    for (const m of embryo.recvQueue.msgs) {
      for (const e of m.rights?.edges ?? []) {
        any = true;
        this.markDirty(e.pred);
      }
    }
    if (any) this.update(listener.file ? (this.vertices.get(listener.file) ?? null) : null);
  }

  /** A socket file in flight lost a reference (a close, a dropped peek): its component may be dead now. */
  fileDropped(f: OpenFile): void {
    this.markDirty(this.vertices.get(f) ?? null);
  }

  /** Takes the dirty list (the walk's start), clearing the marks. */
  takeDirty(): Vertex[] {
    const d = this.dirty;
    this.dirty = [];
    for (const v of d) v.dirty = false;
    return d;
  }
}
