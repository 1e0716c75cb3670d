// In-flight files (SCM_RIGHTS) and the state their garbage collector works
// on, after net/unix/garbage.c (unix_inflight, unix_notinflight,
// unix_add_edges, unix_del_edges, unix_gc, wait_for_unix_gc) and
// net/unix/af_unix.c (unix_attach_fds, unix_detach_fds, unix_peek_fds).
//
// A message that carries files holds one reference to each (file.get() at
// send). The references leave the message when it is received (they move
// to the receiver's fd table, or are closed when they cannot be installed),
// or when the message is freed unread: the receiving socket closed, or the
// collector purged it.
//
// Sockets can carry each other (A over itself, A over B and B over A): once
// no fd table reaches them, their references are all in flight and no one
// can ever receive them. The collector (src/unix/gc/) runs in a kernel
// thread (gc/worker.ts), woken as Linux wakes it: when a socket is
// released while sockets are in flight (unix_release_sock), and at sendmsg
// when too many are in flight (wait_for_unix_gc). The model also wakes it
// when a socket in flight loses its last other reference, standing for the
// releases a real system's other sockets make all the time: a closed run
// has none, and its garbage would otherwise outlive it (it asks only while
// the graph may hold a cycle, unix_graph_maybe_cyclic: no cycle, no garbage).
//
// unix_gc_lock (`gcLock`) orders the collector against the changes of the
// in-flight accounting: a receive takes it; a message freed by a
// synchronous path (close) while the collector holds it is set aside and
// freed when the collector drops the lock, as a task spinning on it would.
// A send publishes its message and the message's graph edges in one step
// without it (Linux's unix_add_edges takes it): the collectors tolerate
// edges that appear while they wait at a scheduling point.
//
// Releasing files may release sockets, whose queues carry more files: all
// puts go through one FIFO (`putFiles`), drained iteratively by whoever
// started it, so the depth of a chain of sockets never becomes host stack
// depth and the order is deterministic.
import type { OpenFile } from '../kernel/file.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { KernelThread } from '../kernel/kthread.ts';
import { KernelLock } from '../kernel/lock.ts';
import type { KernelYield } from '../kernel/syscall.ts';
import type { Task } from '../kernel/task.ts';
import { WaitQueue } from '../sched/waitqueue.ts';
import { type Edge, InflightGraph } from './gc/graph.ts';
import { startGcWorker } from './gc/worker.ts';
import type { Message, MessageQueue } from './queue.ts';
import type { Socket } from './socket.ts';

export { SCM_PLANTED_BUGS } from '../kernel/bugs.ts';

/** UNIX_INFLIGHT_TRIGGER_GC: past this many sockets in flight, sendmsg starts a collection. */
export const UNIX_INFLIGHT_TRIGGER_GC = 16000;
/** UNIX_INFLIGHT_SANE_USER (SCM_MAX_FD * 8): a sender with more files in flight waits for a running collection. */
export const UNIX_INFLIGHT_SANE_USER = 253 * 8;

/** The files one message carries (struct scm_fp_list), with the user it is charged to. */
export class InflightRights {
  /** 'transit': built by a sender, not yet queued; 'queued': on a receive queue (or the collector's hitlist); 'gone': detached or freed */
  state: 'transit' | 'queued' | 'gone' = 'transit';
  /** the socket whose receive queue holds the message, once queued */
  on: Socket | null = null;
  /** its edges in the in-flight graph (one per socket file), while queued */
  readonly edges: Edge[] = [];
  /** fpl->dead: freed by the collector (its edges' removal does not disturb the graph's flags) */
  dead = false;

  constructor(
    readonly owner: Inflight,
    readonly files: OpenFile[],
    /** the sender's uid (fp->user), charged for ETOOMANYREFS */
    readonly uid: number,
  ) {}
}

/** Per-network-namespace in-flight accounting and the collector's state. */
export class Inflight {
  /** references held by live messages, per file (u->inflight; the mark-and-sweep collector changes it while it scans) */
  readonly count = new Map<OpenFile, number>();
  /** rights of messages being sent (between the reference taking and the queueing) */
  readonly transit = new Set<InflightRights>();
  /** in-flight references per sending uid (user->unix_inflight) */
  readonly perUser = new Map<number, number>();
  /** the in-flight graph (unix_vertex, unix_edge) */
  readonly graph = new InflightGraph();
  /** unix_gc_lock */
  readonly gcLock = new KernelLock('unix_gc_lock', 'spin');
  /** fds carried by live messages (the trace's counter) */
  fdsInFlight = 0;
  /** collections run, and sockets they reclaimed (for tests) */
  gcRuns = 0;
  gcFreed = 0;
  /** gc_in_progress: a collection is queued or running */
  gcInProgress = false;
  /** the work is queued (unix_gc_work pending) */
  gcQueued = false;
  /** unix_peek_seq: bumped by MSG_PEEK during a collection (the fix for CVE-2026-23394) */
  peekSeq = 0;
  /** messages the collector took off queues and has not freed yet (its hitlist), with the queue each came from */
  readonly hitlist: [MessageQueue, Message][] = [];
  /** the mark-and-sweep collector's candidates while it runs (UNIX_GC_CANDIDATE) */
  candidates: Set<OpenFile> | null = null;
  /** what the collector did that it must not: frees of reachable sockets, uses of released messages */
  readonly violations: string[] = [];
  /** senders waiting for a collection to finish (flush_work) */
  readonly gcDoneWait: WaitQueue;
  private worker: KernelThread | null = null;
  /** rights of messages freed while the collector held unix_gc_lock, dropped when it lets go */
  private readonly deferred: InflightRights[] = [];
  /** files a MSG_PEEK duplicated and has not installed yet (waiting at unix_gc_lock, CVE-2021-0920's fix) */
  private readonly peeking = new Map<Task, OpenFile[]>();
  /** files a stream reader detached and holds while it takes u->lock again (relock) */
  private readonly receiving = new Map<Task, OpenFile[]>();
  private readonly putQueue: OpenFile[] = [];
  private busy = false;

  constructor(
    readonly k: Kernel,
    /** every socket that still exists (UnixNet.sockets) */
    readonly sockets: ReadonlyMap<number, Socket>,
  ) {
    this.gcDoneWait = new WaitQueue('unix_gc_work done').readyWhen(() => !this.gcInProgress);
  }

  /** In-flight references and the collector can reach any socket: no footprint models them (dpor). */
  private untracked(): void {
    this.k.sched.recorder?.global('SCM_RIGHTS in flight / unix_gc');
  }

  /** Files taken (references already held) become the rights of a message in transit (unix_attach_fds, unix_inflight). */
  attach(files: OpenFile[], uid: number): InflightRights {
    this.untracked();
    const r = new InflightRights(this, files, uid);
    for (const f of files) this.count.set(f, (this.count.get(f) ?? 0) + 1);
    this.perUser.set(uid, (this.perUser.get(uid) ?? 0) + files.length);
    this.fdsInFlight += files.length;
    this.k.sched.trace.counter('fds in flight', this.fdsInFlight);
    this.transit.add(r);
    return r;
  }

  /** The message carrying r is now on `on`'s receive queue (scm_stat_add, unix_add_edges). */
  queued(r: InflightRights, on: Socket): void {
    this.transit.delete(r);
    r.state = 'queued';
    r.on = on;
    this.graph.addEdges(r, on);
    this.k.sched.trace.flowStart(r); // the trace's arrow from this send to the receive that takes the fds
  }

  /** A receiver takes the files (unix_detach_fds, under unix_gc_lock): the trace's arrow from the sending call ends here. */
  *receive(t: Task, r: InflightRights): Generator<KernelYield, OpenFile[], void> {
    yield* this.gcLock.acquire(t);
    try {
      this.k.sched.trace.flowEnd(r, 'fds');
      return this.detach(r);
    } finally {
      this.gcLock.release(t);
    }
  }

  /** unix_notinflight for each file and unix_del_edges: the references leave the message; the caller now owns them. */
  detach(r: InflightRights): OpenFile[] {
    this.untracked();
    if (r.state === 'gone') return [];
    this.transit.delete(r);
    r.state = 'gone';
    this.graph.delEdges(r);
    for (const f of r.files) {
      const n = (this.count.get(f) ?? 0) - 1;
      if (n < 0) throw new Error(`kernel bug: in-flight count of file ${f.id} went negative`);
      if (n === 0) this.count.delete(f);
      else this.count.set(f, n);
    }
    this.perUser.set(r.uid, (this.perUser.get(r.uid) ?? 0) - r.files.length);
    this.fdsInFlight -= r.files.length;
    this.k.sched.trace.counter('fds in flight', this.fdsInFlight);
    return r.files;
  }

  /** The message is freed unread (unix_destruct_scm): its references are dropped (later, while the collector holds unix_gc_lock). */
  discard(r: InflightRights): void {
    if (this.gcLock.owner !== null && r.state !== 'gone') {
      this.deferred.push(r);
      return;
    }
    this.putFiles(this.detach(r));
  }

  /**
   * unix_peek_fds: fresh references to the files, for the peeker to
   * install; the message keeps its own. What else it does depends on the
   * collector: see peekNeedsBarrier and the SCC collector's sequence count.
   */
  peek(t: Task, r: InflightRights): OpenFile[] {
    this.untracked();
    const files = this.k.bug('scm-peek-no-ref') ? [...r.files] : r.files.map((f) => f.get());
    if (this.k.config.gc === 'scc') {
      // unix_peek_fpl: a collection in progress must not trust a file count it read before this peek.
      if (this.gcInProgress && !this.k.bug('gc-peek-no-seqcount') && files.some((f) => f.ops.kind === 'socket')) this.peekSeq++;
    } else if (!this.k.bug('gc-peek-no-lock')) {
      this.peeking.set(t, files);
    }
    return files;
  }

  /**
   * The mark-and-sweep kernels' fix for CVE-2021-0920 ("af_unix: fix
   * garbage collect vs MSG_PEEK"): after taking the references and before
   * installing them, take and drop unix_gc_lock, so a collection runs
   * wholly before the peek or wholly after it.
   */
  *peekBarrier(t: Task): Generator<KernelYield, void, void> {
    if (!this.peeking.has(t)) return;
    try {
      yield* this.gcLock.acquire(t);
      this.gcLock.release(t);
    } finally {
      this.peeking.delete(t);
    }
  }

  /**
   * A stream reader takes u->lock again after unix_detach_fds (which it
   * ran without it): the files it detached are its own meanwhile (scm->fp),
   * counted by the refcount invariant while it waits.
   */
  *relock(t: Task, files: OpenFile[], lock: KernelLock): Generator<KernelYield, void, void> {
    if (lock.acquireNow(t)) return;
    this.receiving.set(t, files);
    try {
      yield* lock.acquire(t);
    } finally {
      this.receiving.delete(t);
    }
  }

  /** In-flight references of the files of sending user uid (too_many_unix_fds). */
  userInflight(uid: number): number {
    return this.perUser.get(uid) ?? 0;
  }

  /** Is any socket in flight? (unix_tot_inflight) */
  get anySocket(): boolean {
    return this.graph.totInflight > 0;
  }

  /** Drops references, iteratively: a released socket's queue adds its files to the same FIFO. */
  putFiles(files: readonly OpenFile[]): void {
    for (const f of files) this.putQueue.push(f);
    if (this.busy) return;
    this.busy = true;
    try {
      for (let f = this.putQueue.shift(); f; f = this.putQueue.shift()) f.put();
    } finally {
      this.busy = false;
    }
  }

  /** A socket file lost a reference and others remain: if only in-flight ones are left, it may be garbage now. */
  unref(f: OpenFile): void {
    const n = this.count.get(f);
    if (n === undefined) return;
    this.untracked();
    this.graph.fileDropped(f);
    // The model's own trigger (see the header), only while a cycle may exist: garbage needs one
    // (the planted gc-frees-reachable skips that shortcut with the rest of the reachability test).
    if (n === f.refs && (this.graph.maybeCyclic || this.k.bug('gc-frees-reachable'))) this.requestGc();
  }

  /** unix_release_sock: a socket was released; if sockets are in flight, run the collector. */
  released(): void {
    if (this.graph.totInflight > 0) this.requestGc();
  }

  /**
   * wait_for_unix_gc at sendmsg: past UNIX_INFLIGHT_TRIGGER_GC sockets in
   * flight a collection starts; a sender of sockets whose user has more
   * than UNIX_INFLIGHT_SANE_USER files in flight waits for a running one
   * (flush_work). Null when the sender need not wait.
   */
  beforeSend(t: Task, files: readonly OpenFile[] | null): Generator<KernelYield, void, void> | null {
    if (this.graph.totInflight > UNIX_INFLIGHT_TRIGGER_GC && !this.gcInProgress) this.requestGc();
    if (!files?.some((f) => f.ops.kind === 'socket') || this.userInflight(t.creds.uid) < UNIX_INFLIGHT_SANE_USER) return null;
    if (!this.gcInProgress) return null;
    return this.flushGc(t);
  }

  private *flushGc(t: Task): Generator<KernelYield, void, void> {
    while (this.gcInProgress) {
      t.wakePending = false;
      this.gcDoneWait.add(t.waker);
      try {
        yield this.gcDoneWait; // flush_work is uninterruptible
      } finally {
        this.gcDoneWait.remove(t.waker);
      }
    }
  }

  /** A line on the collector's track (Perfetto, failure stories; never the strace text). */
  note(text: string): void {
    const trace = this.k.sched.trace;
    if (trace.recording && this.worker) trace.note(this.k.sched.clock.peek(), this.worker.pid, text);
  }

  /** unix_gc: mark a collection in progress and queue the work. */
  requestGc(): void {
    this.untracked();
    this.gcInProgress = true;
    this.gcQueued = true;
    (this.worker ??= startGcWorker(this)).wakeWork();
  }

  /** The worker finished with nothing queued: gc_in_progress = false, flush_work returns. */
  gcDone(): void {
    this.gcInProgress = false;
    this.gcDoneWait.wakeAll();
  }

  /** The collector drops unix_gc_lock: the frees that waited for it happen now. */
  releaseGcLock(w: KernelThread): void {
    this.gcLock.release(w);
    while (this.deferred.length && this.gcLock.owner === null) this.discard(this.deferred.shift()!);
  }

  /** Frees the hitlist's messages: their files are dropped (fpl->dead: the graph is not told they changed). */
  purgeHitlist(): void {
    const hit = this.hitlist.splice(0);
    for (const [, m] of hit) if (m.rights) m.rights.dead = true;
    for (const [q, m] of hit) q.free(m);
  }

  /** unix_collect_queue's OOB part: the dead socket's u->oob_skb reference is dropped (kfree_skb) and cleared. */
  dropOob(s: Socket): void {
    const q = s.recvQueue;
    if (!q.oob) return;
    this.dropOobRef(q.oob, 'the collector');
    q.oob = null;
  }

  /** The reference u->oob_skb holds on its message goes; dropping it twice is a use of a released message. */
  dropOobRef(m: Message, by: string): void {
    if (!m.oobRef) {
      this.violations.push(`use of a released message: ${by} dropped the OOB skb reference of a message whose reference was already dropped (double kfree_skb of u->oob_skb)`);
      return;
    }
    m.oobRef = false;
  }

  /**
   * The collector is about to purge `u`'s queue: an oracle for the
   * property that it frees nothing reachable. A socket is reachable when a
   * reference that no queued message holds (an fd, a syscall, a message in
   * transit) reaches it, directly or through the queues of reachable
   * sockets. Computed only while invariants are checked (tests).
   */
  collecting(u: Socket): void {
    if (!this.k.config.checkInvariants || !u.file) return;
    const internal = new Map<OpenFile, number>();
    const note = (m: Message) => {
      for (const f of m.rights?.files ?? []) internal.set(f, (internal.get(f) ?? 0) + 1);
    };
    for (const s of this.sockets.values()) for (const m of s.recvQueue.msgs) note(m);
    for (const [, m] of this.hitlist) note(m);
    for (const r of this.deferred) for (const f of r.files) internal.set(f, (internal.get(f) ?? 0) + 1);
    const reachable = new Set<OpenFile>();
    const work: OpenFile[] = [];
    for (const s of this.sockets.values()) {
      const f = s.file;
      if (f && f.refs > (internal.get(f) ?? 0)) {
        reachable.add(f);
        work.push(f);
      }
    }
    while (work.length) {
      const s = work.pop()!.ops as Socket;
      const queues = s.state === 'listening' ? [s, ...(s.listener?.pending ?? [])] : [s];
      for (const x of queues) {
        for (const m of x.recvQueue.msgs) {
          for (const g of m.rights?.files ?? []) {
            if (g.ops.kind === 'socket' && !reachable.has(g)) {
              reachable.add(g);
              work.push(g);
            }
          }
        }
      }
    }
    if (reachable.has(u.file)) {
      this.violations.push(`the collector purges the receive queue of ${u.describe()}, which is reachable (refs ${u.file.refs}, ${internal.get(u.file) ?? 0} of them in flight): a live queue purged`);
    }
  }

  /** Every file a live message references, once per reference (for the kernel's refcount invariant). */
  *held(): IterableIterator<OpenFile> {
    for (const s of this.sockets.values()) {
      for (const m of s.recvQueue.msgs) if (m.rights) yield* m.rights.files;
    }
    for (const [, m] of this.hitlist) if (m.rights) yield* m.rights.files;
    for (const r of this.transit) yield* r.files;
    for (const r of this.deferred) yield* r.files;
    for (const fs of this.peeking.values()) yield* fs;
    for (const fs of this.receiving.values()) yield* fs;
  }

  /** The accounting agrees with the messages that exist, and the collector did nothing it must not. */
  check(): string | null {
    if (this.violations.length) return this.violations[0];
    if (this.candidates) return null; // the mark-and-sweep collector is between its passes: u->inflight is its scratch
    const recount = new Map<OpenFile, number>();
    for (const s of this.sockets.values()) for (const m of s.recvQueue.msgs) if (m.rights) for (const f of m.rights.files) recount.set(f, (recount.get(f) ?? 0) + 1);
    for (const rs of [this.transit, this.deferred]) for (const r of rs) for (const f of r.files) recount.set(f, (recount.get(f) ?? 0) + 1);
    for (const [, m] of this.hitlist) if (m.rights) for (const f of m.rights.files) recount.set(f, (recount.get(f) ?? 0) + 1);
    for (const [f, n] of this.count) {
      if (recount.get(f) !== n) return `file ${f.id} (${f.ops.describe(f)}) is counted in flight ${n} times but ${recount.get(f) ?? 0} messages carry it`;
    }
    for (const [f, n] of recount) if (!this.count.has(f)) return `file ${f.id} is carried by ${n} messages but not counted in flight`;
    for (const s of this.sockets.values()) {
      for (const m of s.recvQueue.msgs) {
        if (m.rights && m.rights.state !== 'queued') return `${s.describe()} holds a message whose rights are ${m.rights.state}`;
      }
      const oob = s.recvQueue.oob;
      if (oob && !s.recvQueue.msgs.includes(oob)) return `use of a released message: ${s.describe()}'s u->oob_skb points to a message that is not on its queue`;
    }
    for (const r of this.transit) if (r.state !== 'transit') return `rights in transit are ${r.state}`;
    if (this.putQueue.length) return `${this.putQueue.length} file references wait to be dropped between steps`;
    return null;
  }
}
