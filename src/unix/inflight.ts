// In-flight files (SCM_RIGHTS) and their garbage collector, after
// net/unix/garbage.c (unix_inflight, unix_notinflight, unix_gc) and
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
// can ever receive them. The collector finds those cycles as Linux's
// unix_gc does: candidates are sockets whose every reference is in flight;
// a candidate referenced from outside the candidates' own queues is
// reachable, and so is everything queued on a reachable candidate; the
// rest is garbage, and the messages on garbage queues that carry candidates
// are purged, which drops the last references of the garbage sockets.
//
// Runs synchronously (as old kernels did, from unix_release_sock) whenever
// a socket's last non-in-flight reference goes, and atomically: Linux holds
// unix_gc_lock for the whole scan, and sendmsg's unix_inflight waits on it.
//
// Releasing files may release sockets, whose queues carry more files: all
// puts go through one FIFO (`putFiles`), drained iteratively by whoever
// started it, so the depth of a chain of sockets never becomes host stack
// depth and the order is deterministic.
import type { OpenFile } from '../kernel/file.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { Message, MessageQueue } from './queue.ts';
import type { Socket } from './socket.ts';

export { SCM_PLANTED_BUGS } from '../kernel/bugs.ts';


/** The files one message carries (struct scm_fp_list), with the user it is charged to. */
export class InflightRights {
  /** 'transit': built by a sender, not yet queued; 'queued': on a receive queue; 'gone': detached or freed */
  state: 'transit' | 'queued' | 'gone' = 'transit';
  /** the socket whose receive queue holds the message, once queued */
  on: Socket | null = null;

  constructor(
    readonly owner: Inflight,
    readonly files: OpenFile[],
    /** the sender's uid (fp->user), charged for ETOOMANYREFS */
    readonly uid: number,
  ) {}
}

/** Per-network-namespace in-flight accounting and the collector. */
export class Inflight {
  /** references held by live messages, per file (u->inflight, kept for every file) */
  readonly count = new Map<OpenFile, number>();
  /** the live rights that carry each in-flight file (for the collector's fast path) */
  private readonly carriers = new Map<OpenFile, Set<InflightRights>>();
  /** rights of messages being sent (between the reference taking and the queueing) */
  readonly transit = new Set<InflightRights>();
  /** in-flight references per sending uid (user->unix_inflight) */
  readonly perUser = new Map<number, number>();
  /** fds carried by live messages (the trace's counter) */
  fdsInFlight = 0;
  /** collections run, and sockets they reclaimed (for tests) */
  gcRuns = 0;
  gcFreed = 0;
  private readonly putQueue: OpenFile[] = [];
  /** sockets whose loss of a reference asked for a collection (only what they reach can have become garbage) */
  private gcFrom: OpenFile[] = [];
  /** a collection over every in-flight socket was asked for */
  private gcWanted = false;
  private busy = false;

  constructor(
    readonly k: Kernel,
    /** every socket that still exists (UnixNet.sockets) */
    private readonly sockets: ReadonlyMap<number, Socket>,
  ) {}

  /** In-flight references and the collector can reach any socket: no footprint models them (dpor). */
  private untracked(): void {
    this.k.sched.recorder?.global('SCM_RIGHTS in flight / unix_gc');
  }

  /** Files taken (references already held) become the rights of a message in transit (unix_attach_fds). */
  attach(files: OpenFile[], uid: number): InflightRights {
    this.untracked();
    const r = new InflightRights(this, files, uid);
    for (const f of files) {
      this.count.set(f, (this.count.get(f) ?? 0) + 1);
      let c = this.carriers.get(f);
      if (!c) this.carriers.set(f, (c = new Set()));
      c.add(r);
    }
    this.perUser.set(uid, (this.perUser.get(uid) ?? 0) + files.length);
    this.fdsInFlight += files.length;
    this.k.sched.trace.counter('fds in flight', this.fdsInFlight);
    this.transit.add(r);
    return r;
  }

  /** The message carrying r is now on a receive queue. */
  queued(r: InflightRights, on: Socket): void {
    this.transit.delete(r);
    r.state = 'queued';
    r.on = on;
    this.k.sched.trace.flowStart(r); // the trace's arrow from this send to the receive that takes the fds
  }

  /** A receiver takes the files (scm_recv): detach, and the trace's arrow from the sending call ends here. */
  received(r: InflightRights): OpenFile[] {
    this.k.sched.trace.flowEnd(r, 'fds');
    return this.detach(r);
  }

  /** unix_notinflight for each file: the references leave the message; the caller now owns them. */
  detach(r: InflightRights): OpenFile[] {
    this.untracked();
    if (r.state === 'gone') return [];
    this.transit.delete(r);
    r.state = 'gone';
    for (const f of r.files) {
      const n = (this.count.get(f) ?? 0) - 1;
      if (n < 0) throw new Error(`kernel bug: in-flight count of file ${f.id} went negative`);
      if (n === 0) this.count.delete(f);
      else this.count.set(f, n);
      const c = this.carriers.get(f); // a message may carry one file several times
      if (c) {
        c.delete(r);
        if (c.size === 0) this.carriers.delete(f);
      }
    }
    this.perUser.set(r.uid, (this.perUser.get(r.uid) ?? 0) - r.files.length);
    this.fdsInFlight -= r.files.length;
    this.k.sched.trace.counter('fds in flight', this.fdsInFlight);
    return r.files;
  }

  /** The message is freed unread (unix_destruct_scm): its references are dropped. */
  discard(r: InflightRights): void {
    this.putFiles(this.detach(r));
  }

  /** unix_peek_fds: fresh references to the files, for the peeker to install; the message keeps its own. */
  peek(r: InflightRights): OpenFile[] {
    this.untracked();
    if (this.k.bug('scm-peek-no-ref')) return [...r.files];
    return r.files.map((f) => f.get());
  }

  /** In-flight references of the files of sending user uid (too_many_unix_fds). */
  userInflight(uid: number): number {
    return this.perUser.get(uid) ?? 0;
  }

  /** Is any socket in flight? (unix_tot_inflight) */
  get anySocket(): boolean {
    for (const f of this.count.keys()) if (f.ops.kind === 'socket') return true;
    return false;
  }

  /** Drops references, iteratively: a released socket's queue adds its files to the same FIFO. */
  putFiles(files: readonly OpenFile[]): void {
    for (const f of files) this.putQueue.push(f);
    this.settle();
  }

  /** A socket file lost a reference: if only in-flight ones are left, it may now be garbage. */
  unref(f: OpenFile): void {
    if (this.count.has(f)) this.untracked();
    if (this.count.get(f) === f.refs && !this.plainlyReachable(f)) {
      this.gcFrom.push(f);
      this.settle();
    }
  }

  /**
   * A shortcut the collector does not need for correctness, only for speed:
   * f is reachable if a message carrying it is in transit or queued on a
   * socket that an fd (or anything but a message) still holds. When f is
   * reachable, so is everything it reaches, and since every earlier change
   * ran the collector, no other garbage can exist: no collection is needed.
   */
  private plainlyReachable(f: OpenFile): boolean {
    if (this.k.bug('gc-frees-reachable')) return false;
    for (const r of this.carriers.get(f) ?? []) {
      if (r.state === 'transit') return true;
      const sf = r.on?.file;
      if (!sf || r.on!.listener) continue; // an embryo's or a listener's queue: let the full scan decide
      if (sf.refs > (this.count.get(sf) ?? 0)) return true;
    }
    return false;
  }

  /** Runs the collector (after any puts in progress: never re-entered). */
  requestGc(): void {
    this.untracked();
    this.gcWanted = true;
    this.settle();
  }

  private settle(): void {
    if (this.busy) return;
    this.busy = true;
    try {
      for (;;) {
        const f = this.putQueue.shift();
        if (f) {
          f.put();
          continue;
        }
        if (!this.gcWanted && this.gcFrom.length === 0) break;
        const from = this.gcWanted || this.k.bug('gc-frees-reachable') ? null : this.gcFrom;
        this.gcWanted = false;
        this.gcFrom = [];
        this.collect(from);
      }
    } finally {
      this.busy = false;
    }
  }

  /** Is f a candidate: an open socket file all of whose references are in flight? */
  private isCandidate(f: OpenFile): boolean {
    return f.ops.kind === 'socket' && f.refs > 0 && f.refs === this.count.get(f);
  }

  /**
   * unix_gc. With `from`, only the candidates those sockets reach through
   * the files queued on them are examined: when a socket loses a reference,
   * only it and what it carries can have become unreachable (everything
   * else keeps the path it had, and an earlier collection left no other
   * garbage), so the cost follows the part of the in-flight graph that
   * changed, not every socket in flight (as Linux 6.10's collector only
   * revisits the components that changed). Without `from`, every
   * in-flight socket is examined.
   */
  private collect(from: readonly OpenFile[] | null): void {
    this.gcRuns++;
    const cand = new Map<OpenFile, Socket>();
    if (from === null) {
      for (const f of this.count.keys()) if (this.isCandidate(f)) cand.set(f, f.ops as Socket);
    } else {
      const work = from.filter((f) => this.isCandidate(f));
      for (const f of work) cand.set(f, f.ops as Socket);
      while (work.length) {
        for (const q of queuesOf(cand.get(work.pop()!)!)) {
          for (const m of q.msgs) {
            for (const g of m.rights?.files ?? []) {
              if (!cand.has(g) && this.isCandidate(g)) {
                cand.set(g, g.ops as Socket);
                work.push(g);
              }
            }
          }
        }
      }
    }
    if (cand.size === 0) return;
    if (this.k.bug('gc-frees-reachable')) return this.collectSkippingReachability(cand);
    // dec_inflight over the candidates' queues: references from inside the candidate set.
    const internal = new Map<OpenFile, number>();
    for (const s of cand.values()) {
      for (const q of queuesOf(s)) {
        for (const m of q.msgs) for (const g of m.rights?.files ?? []) if (cand.has(g)) internal.set(g, (internal.get(g) ?? 0) + 1);
      }
    }
    // Reachable: referenced from outside (an open socket's queue, a message in transit), and all they carry.
    const reachable = new Set<OpenFile>();
    const work: OpenFile[] = [];
    for (const f of cand.keys()) {
      if (f.refs > (internal.get(f) ?? 0)) {
        reachable.add(f);
        work.push(f);
      }
    }
    while (work.length) {
      const s = cand.get(work.pop()!)!;
      for (const q of queuesOf(s)) {
        for (const m of q.msgs) {
          for (const g of m.rights?.files ?? []) {
            if (cand.has(g) && !reachable.has(g)) {
              reachable.add(g);
              work.push(g);
            }
          }
        }
      }
    }
    const garbage = new Set([...cand.keys()].filter((f) => !reachable.has(f)));
    if (garbage.size === 0) return;
    // The hitlist: messages on garbage queues that carry a candidate (they form the cycles).
    const hit: [MessageQueue, Message][] = [];
    for (const f of garbage) {
      for (const q of queuesOf(cand.get(f)!)) {
        for (const m of q.msgs) if (m.rights?.files.some((g) => cand.has(g))) hit.push([q, m]);
      }
    }
    this.purge(garbage.size, hit);
  }

  /**
   * BUG (planted 'gc-frees-reachable'): no reachability pass, so every
   * candidate is garbage, and every message anywhere that carries one is
   * purged, even on a socket an fd still holds.
   */
  private collectSkippingReachability(cand: Map<OpenFile, Socket>): void {
    const hit: [MessageQueue, Message][] = [];
    for (const s of this.sockets.values()) {
      for (const q of queuesOf(s)) {
        for (const m of q.msgs) if (m.rights?.files.some((g) => cand.has(g))) hit.push([q, m]);
      }
    }
    this.purge(cand.size, hit);
  }

  /** Frees the hitlist's messages (unlinked first, so freeing one cannot disturb the scan of another). */
  private purge(freed: number, hit: [MessageQueue, Message][]): void {
    this.gcFreed += freed;
    for (const [q, m] of hit) q.unlink(m);
    for (const [q, m] of hit) q.free(m);
  }

  /** Every file a live message references, once per reference (for the kernel's refcount invariant). */
  *held(): IterableIterator<OpenFile> {
    for (const s of this.sockets.values()) {
      for (const m of s.recvQueue.msgs) if (m.rights) yield* m.rights.files;
    }
    for (const r of this.transit) yield* r.files;
  }

  /** The accounting agrees with the messages that exist. */
  check(): string | null {
    const recount = new Map<OpenFile, number>();
    for (const f of this.held()) recount.set(f, (recount.get(f) ?? 0) + 1);
    for (const [f, n] of this.count) {
      if (recount.get(f) !== n) return `file ${f.id} (${f.ops.describe(f)}) is counted in flight ${n} times but ${recount.get(f) ?? 0} messages carry it`;
    }
    for (const [f, n] of recount) if (!this.count.has(f)) return `file ${f.id} is carried by ${n} messages but not counted in flight`;
    for (const s of this.sockets.values()) {
      for (const m of s.recvQueue.msgs) {
        if (m.rights && m.rights.state !== 'queued') return `${s.describe()} holds a message whose rights are ${m.rights.state}`;
      }
    }
    for (const r of this.transit) if (r.state !== 'transit') return `rights in transit are ${r.state}`;
    if (this.putQueue.length) return `${this.putQueue.length} file references wait to be dropped between steps`;
    return null;
  }
}

/** A socket's queues: its own, and (a listener's) those of its pending connections (scan_children). */
function queuesOf(s: Socket): MessageQueue[] {
  const qs = [s.recvQueue];
  if (s.state === 'listening' && s.listener) for (const e of s.listener.pending) qs.push(e.recvQueue);
  return qs;
}
