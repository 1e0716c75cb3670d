// The collector of Linux before 6.10 (net/unix/garbage.c's unix_gc with
// scan_children, dec_inflight, inc_inflight, inc_inflight_move_tail), the
// kernel option `gc: 'mark-sweep'`.
//
// Candidates are the in-flight sockets whose every file reference is in
// flight (file_count == u->inflight). Every reference a candidate's queue
// holds to a candidate is subtracted from that candidate's u->inflight
// (dec_inflight); a candidate left with a positive count is referenced
// from outside, so it and everything its queue carries is restored
// (inc_inflight_move_tail, revisiting what is already restored); what is
// left is garbage, its counts are restored and the messages on its queues
// that carry candidates are purged (the hitlist).
//
// The counts it changes are the real ones (Inflight.count is u->inflight),
// so a scan that sees different children in two passes leaves a wrong
// count behind: CVE-2024-26923, below. Linux holds unix_gc_lock for the
// whole scan, but close() and recv(MSG_PEEK) change file counts and
// connect() queues embryos without it: the scheduling points between the
// phases, between the candidates selected and between the candidates each
// scan pass examines (scan_children takes and drops their queue locks) let
// other harts do that.
import type { OpenFile } from '../../kernel/file.ts';
import type { KernelThread } from '../../kernel/kthread.ts';
import { PREEMPT, type KernelYield } from '../../kernel/syscall.ts';
import type { Inflight } from '../inflight.ts';
import type { Message, MessageQueue } from '../queue.ts';
import type { Socket } from '../socket.ts';

type Gen = Generator<KernelYield, void, void>;

export class MarkSweepCollector {
  readonly name = 'mark-sweep';
  constructor(private readonly inf: Inflight) {}

  /** unix_gc, from the worker (Linux >= 6.9 ran it from unix_gc_work too; older kernels inside close). */
  *run(w: KernelThread): Gen {
    const inf = this.inf;
    const k = inf.k;
    yield* inf.gcLock.acquire(w);
    // Select candidates (gc_inflight_list order: the order sockets went in flight).
    const candidates = new Set<OpenFile>(); // gc_candidates, in list order (a re-added entry goes to the tail)
    const maybeCycle = new Set<OpenFile>(); // UNIX_GC_MAYBE_CYCLE
    let first = true;
    for (const f of [...inf.count.keys()]) {
      if (f.ops.kind !== 'socket') continue;
      if (!first) yield PREEMPT; // another hart may close or peek between two candidates
      first = false;
      if (f.refs <= 0 || f.refs !== inf.count.get(f)) continue;
      candidates.add(f);
      maybeCycle.add(f);
      const u = f.ops as Socket;
      inf.note(`unix_gc: candidate ${u.describe()} (every reference in flight)`);
      if (u.state === 'listening' && !k.bug('gc-connect-no-listener-lock')) {
        // The fix for CVE-2024-26923: a connect() still queueing an embryo on
        // this listener holds its unix_state_lock; wait for it, so both scans
        // below see the same embryos.
        yield* u.lock.acquire(w);
        u.lock.release(w);
      }
    }
    // UNIX_GC_CANDIDATE: what the scans count (cleared for those restored only after the restore pass).
    const flagged = new Set(candidates);
    inf.candidates = flagged;
    try {
      // Remove the internal references to the candidates' children. Each scan_children takes and drops
      // the scanned queues' locks, and between two candidates' scans another hart may connect() (below).
      let scanned = 0;
      for (const f of candidates) {
        if (scanned++) yield PREEMPT;
        this.scanChildren(f, (g) => this.dec(g), null);
      }
      inf.note(`unix_gc: dec_inflight over the children of ${candidates.size} candidate(s)`);
      yield PREEMPT;
      // Restore those referenced from outside, and all they reach.
      const notCycle: OpenFile[] = [];
      // BUG (planted 'gc-frees-reachable'): no restore pass, so every candidate is garbage.
      const skipRestore = k.bug('gc-frees-reachable');
      scanned = 0;
      for (const f of skipRestore ? [] : candidates) {
        if ((inf.count.get(f) ?? 0) > 0) {
          if (scanned++) yield PREEMPT;
          candidates.delete(f);
          notCycle.push(f);
          maybeCycle.delete(f);
          this.scanChildren(f, (g) => {
            this.inc(g);
            if (maybeCycle.has(g)) {
              candidates.delete(g); // list_move_tail: visited again even if passed over
              candidates.add(g);
            }
          }, null);
        }
      }
      if (notCycle.length) inf.note(`unix_gc: referenced from outside, restored: ${notCycle.map((f) => f.ops.describe(f)).join(', ')}`);
      yield PREEMPT;
      // What is left is garbage: restore its counts and take the messages that make the cycles.
      const hit = inf.hitlist; // messages taken go there at once: the refcount invariant counts them
      const garbage = [...candidates];
      if (garbage.length) inf.note(`unix_gc: garbage, purging their cycles: ${garbage.map((f) => f.ops.describe(f)).join(', ')}`);
      for (const f of garbage) inf.collecting(f.ops as Socket);
      // Every candidate is still flagged here, those restored too: a garbage queue's message that
      // carries a restored one gives back what the first pass took, before its purge drops it.
      for (const f of garbage) this.scanChildren(f, (g) => this.inc(g), hit);
      for (const f of notCycle) flagged.delete(f); // not_cycle_list back to gc_inflight_list
      for (const f of garbage) inf.dropOob(f.ops as Socket); // the dead socket's OOB skb reference
      inf.gcFreed += garbage.length;
    } finally {
      inf.candidates = null;
      inf.releaseGcLock(w);
    }
    inf.purgeHitlist();
  }

  private dec(f: OpenFile): void {
    this.inf.count.set(f, (this.inf.count.get(f) ?? 0) - 1);
  }

  private inc(f: OpenFile): void {
    this.inf.count.set(f, (this.inf.count.get(f) ?? 0) + 1);
  }

  /** scan_children: scan_inflight over the socket's queue, or a listener's embryos' queues. */
  private scanChildren(f: OpenFile, func: (g: OpenFile) => void, hit: [MessageQueue, Message][] | null): void {
    const u = f.ops as Socket;
    if (u.state !== 'listening') return this.scanInflight(u, func, hit);
    for (const e of u.listener?.pending ?? []) this.scanInflight(e, func, hit);
  }

  /** scan_inflight: for each message carrying candidates, func on each; a hit goes to the hitlist. */
  private scanInflight(x: Socket, func: (g: OpenFile) => void, hit: [MessageQueue, Message][] | null): void {
    const cand = this.inf.candidates!;
    const q = x.recvQueue;
    for (const m of [...q.msgs]) {
      if (!m.rights) continue;
      let found = false;
      for (const g of m.rights.files) {
        if (cand.has(g)) {
          found = true;
          func(g);
        }
      }
      if (found && hit) {
        if (m === q.oob) this.inf.dropOob(x);
        q.unlink(m);
        hit.push([q, m]);
      }
    }
  }
}
