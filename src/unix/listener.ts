// Listening sockets: the backlog of pending (connected, not yet accepted)
// connections, connect, and accept, after net/unix/af_unix.c's
// unix_listen, unix_stream_connect and unix_accept.
//
// A connect creates the server-side socket at once (an "embryo" whose
// peer is the client), links the two, and queues the embryo on the
// listener; accept hands the embryo out as a new file. So a client may
// write before it is accepted, and closing the listener resets
// the clients still pending (unix_release_sock; see release in stream.ts).
import { POLL_IN } from '../kernel/fown.ts';
import { EAGAIN, ECONNREFUSED, EINVAL, EISCONN, EOPNOTSUPP } from '../kernel/errno.ts';
import type { KernelYield, SyscallGen } from '../kernel/syscall.ts';
import type { Task } from '../kernel/task.ts';
import { WaitQueue } from '../sched/waitqueue.ts';
import type { ParsedAddr } from './address.ts';
import { SOMAXCONN } from './constants.ts';
import { credOf, deadlineOf, RCV_SHUTDOWN, sleepTimeo, type Socket } from './socket.ts';

export class Backlog {
  /** connected embryos waiting for accept, oldest first */
  readonly pending: Socket[] = [];
  /** listen()'s backlog argument after clamping (sk_max_ack_backlog) */
  backlog = 0;
  /** largest backlog ever set: pending may exceed backlog+1 only after listen() lowered it */
  peak = 0;
  /** acceptors sleep here while nothing is pending */
  readonly acceptWait: WaitQueue;

  constructor(owner: Socket, singleSlot: boolean) {
    // acceptors wait for a pending connection, or for the listener's shutdown(SHUT_RD) or close
    this.acceptWait = new WaitQueue(`${owner.describe()} acceptors`, singleSlot ? 'single-slot' : 'list').readyWhen(
      () => this.pending.length > 0 || owner.state !== 'listening' || (owner.shutdown & RCV_SHUTDOWN) !== 0,
    );
  }

  /** unix_recvq_full: full when pending > backlog, so backlog+1 connections fit. */
  get full(): boolean {
    return this.pending.length > this.backlog;
  }
}

/** unix_listen. */
export function listen(t: Task, s: Socket, backlog: number): number {
  if (!s.connectionOriented) return -EOPNOTSUPP;
  if (!s.addr) return -EINVAL;
  if (s.state !== 'unconnected' && s.state !== 'listening') return -EINVAL;
  // __sys_listen compares as unsigned, so a negative backlog becomes somaxconn.
  if (backlog >>> 0 > SOMAXCONN) backlog = SOMAXCONN;
  const bl = (s.listener ??= new Backlog(s, s.net.k.bug('accept-single-waker')));
  // Raising the backlog frees slots: wake connectors sleeping on a full queue.
  if (backlog > bl.backlog) s.peerWait.wakeAll();
  bl.backlog = backlog;
  bl.peak = Math.max(bl.peak, backlog);
  s.state = 'listening';
  s.peercred = credOf(t);
  return 0;
}

/** unix_stream_connect: 0 or -errno. */
export function* connect(t: Task, s: Socket, a: ParsedAddr, noblock: boolean): SyscallGen {
  const net = s.net;
  // An unbound SO_PASSCRED socket is autobound here, not at setsockopt.
  if (s.mayPasscred && !s.addr) {
    const err = yield* s.bindlock.withLock(t, () => net.autobind(s)); // unix_autobind
    if (err) return err;
  }
  const deadline = deadlineOf(t, s.sndtimeo);
  for (;;) {
    const other = net.find(t, a, s.type, s.netns);
    if (typeof other === 'number') return other;
    const r = yield* other.lock.withLock(t, () => connectLocked(t, s, other, noblock, deadline));
    if (r !== RESTART) return r;
  }
}

/** unix_stream_connect's "goto restart": look the name up again. */
const RESTART = 1;

/** unix_stream_connect from unix_state_lock(other) on: 0, -errno, or RESTART. The caller holds other's lock. */
function* connectLocked(t: Task, s: Socket, other: Socket, noblock: boolean, deadline: number): Generator<KernelYield, number, void> {
  const net = s.net;
  if (other.dead) return RESTART; // "VFS overslept socket death. Retry."
  if (other.state !== 'listening' || other.shutdown & RCV_SHUTDOWN) return -ECONNREFUSED;
  const bl = other.listener!;
  if (bl.full) {
    // Never EINPROGRESS for AF_UNIX; a blocking connect waits
    // for accept, a raised backlog or the listener's close, then looks
    // the name up again (unix_wait_for_peer drops other's lock to sleep; goto restart).
    net.k.coverage?.add('connect', 'listener/full', noblock ? 'EAGAIN' : 'sleeps');
    if (noblock) return -EAGAIN;
    const err = yield* sleepTimeo(t, other.peerWait, deadline, () => other.lock.release(t));
    return err || RESTART;
  }
  // The target lookup comes before our own state check.
  if (s.state === 'connected') return -EISCONN;
  if (s.state !== 'unconnected') return -EINVAL;
  // unix_state_lock_nested(sk), and sk's state checked again under it (a concurrent connect on sk).
  yield* s.lock.acquire(t);
  if (s.state !== 'unconnected') {
    const err = s.state === 'connected' ? -EISCONN : -EINVAL;
    s.lock.release(t);
    return err;
  }
  {
    const embryo = net.newSocket(s.type, s.netns);
    embryo.state = 'connected';
    embryo.peer = s;
    embryo.addr = other.addr;
    embryo.pathInode = other.pathInode; // newu->path = otheru->path
    embryo.peercred = credOf(t); // the accepted socket sees the client's creds at connect
    embryo.embryoOf = other;
    // Linux 6.16: the new socket takes the listener's SCM flags now (sk_scm_recv_flags), not at accept
    embryo.passcred = other.passcred;
    embryo.passpidfd = other.passpidfd;
    embryo.passrights = other.passrights;
    s.peer = embryo;
    s.state = 'connected';
    s.peercred = other.peercred; // copy_peercred: the listener's creds from listen()
    s.lock.release(t);
    // "take ten and send info to listening sock": the embryo goes on the listener's queue under its lock.
    yield* other.recvLock.acquire(t);
    bl.pending.push(embryo);
    other.recvLock.release(t);
    const trace = t.kernel.sched.trace;
    trace.flowStart(embryo); // the trace's arrow from this connect to the accept that takes it
    trace.counter(`${other.describe()} backlog`, bl.pending.length);
    bl.acceptWait.wakeAll(); // sk_data_ready on the listener
    other.wakeAsync(POLL_IN);
    return 0;
  }
}

/** unix_accept up to the dequeue: the embryo, or -errno. The caller installs it (and releases it on failure). */
export function* accept(t: Task, s: Socket, noblock: boolean): Generator<KernelYield, Socket | number, void> {
  if (!s.connectionOriented) return -EOPNOTSUPP;
  if (s.state !== 'listening') return -EINVAL;
  const bl = s.listener!;
  const deadline = deadlineOf(t, s.rcvtimeo);
  for (;;) {
    // skb_recv_datagram: the head is unlinked under the listener's queue lock.
    yield* s.recvLock.acquire(t);
    const head = bl.pending[0];
    if (head) {
      if (s.net.k.bug('accept-double-dequeue')) {
        // BUG (planted): the head was peeked before the queue lock is
        // dropped, and unlinked after it is taken again without checking
        // it is still the head; two acceptors can both return it (and a later one is lost).
        s.recvLock.release(t);
        yield* s.recvLock.acquire(t);
        bl.pending.shift();
      } else {
        bl.pending.shift();
      }
      s.recvLock.release(t);
      // unix_update_edges: what is queued on the embryo is no longer reached through the listener.
      s.net.inflight.graph.embryoAccepted(head, s);
      head.embryoOf = null;
      t.kernel.sched.trace.flowEnd(head, 'connection');
      t.kernel.sched.trace.counter(`${s.describe()} backlog`, bl.pending.length);
      // A slot freed: wake connectors sleeping on a full backlog (unix_accept wakes peer_wait).
      s.peerWait.wakeAll();
      return head;
    }
    s.recvLock.release(t);
    // After shutdown(SHUT_RD) an empty queue is EINVAL, or EAGAIN when nonblocking.
    if (noblock) return -EAGAIN;
    if (s.shutdown & RCV_SHUTDOWN) return -EINVAL;
    const err = yield* sleepTimeo(t, bl.acceptWait, deadline);
    if (err) return err;
    if (s.state !== 'listening') {
      s.net.k.coverage?.add('accept', 'listener/closed-while-waiting', 'EINVAL');
      return -EINVAL;
    }
  }
}
