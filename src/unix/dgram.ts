// Connectionless (SOCK_DGRAM) endpoints, after net/unix/af_unix.c's
// unix_dgram_connect, unix_dgram_sendmsg, unix_dgram_recvmsg,
// unix_dgram_poll and unix_dgram_disconnected (gVisor keeps the same
// concept in transport/connectionless.go).
//
// A datagram is one Message on the receiver's queue, kept whole: a read
// takes one message and discards what does not fit. It is charged to its
// sender's SO_SNDBUF from allocation until the receiver frees it, so a
// sender that waits for room in the receiver's queue has its datagram
// charged already (it is "in transit" until queued).
//
// `peer` is the default destination set by connect(); it says nothing about
// the other socket's peer. Two limits apply to a send: the sender's own
// SO_SNDBUF (it sleeps on its send buffer), and, unless the receiver is the
// sender or is connected back to it, the receiver's queue length
// (max_dgram_qlen: the sender sleeps on the receiver's peerWait, which every
// receive wakes, unix_wait_for_peer).
//
// sendmsg/recvmsg reach this file through sockSend/sockRecv (stream.ts) with
// their ancillary data: the parsed ScmSend whose files and credentials ride
// on the queued Message, and the RecvFrom cookie that a receive fills.
import type { OpenFile } from '../kernel/file.ts';
import type { Kernel } from '../kernel/kernel.ts';
import {
  EAGAIN, ECONNREFUSED, ECONNRESET, EFAULT, EINVAL, ENOTCONN, EOPNOTSUPP, EPERM, EPIPE,
} from '../kernel/errno.ts';
import type { KernelYield, SyscallGen } from '../kernel/syscall.ts';
import { doubleLock, doubleUnlock } from '../kernel/lock.ts';
import type { Task } from '../kernel/task.ts';
import type { UserIO } from '../kernel/userio.ts';
import type { WaitQueue } from '../sched/waitqueue.ts';
import { family, parseAddr, type ParsedAddr } from './address.ts';
import { NO_CREDS, type ScmSend } from './cmsg.ts';
import {
  AF_UNSPEC, MAX_DGRAM_QLEN, MSG_OOB, MSG_PEEK, MSG_TRUNC, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM,
  POLLWRBAND, POLLWRNORM, SOCK_SEQPACKET,
} from './constants.ts';
import type { UnixNet } from './namespace.ts';
import { Message } from './queue.ts';
import { dgramTruesize } from './truesize.ts';
import { deadlineOf, RCV_SHUTDOWN, SHUTDOWN_MASK, sleepTimeo, type Socket } from './socket.ts';
import { addCreds, allocMessage, enqueueLocked, freeUnqueued, refusesRights, type RecvFrom } from './stream.ts';

export { DGRAM_PLANTED_BUGS } from '../kernel/bugs.ts';


/** unix_recvq_full for a datagram receiver: more than max_dgram_qlen queued, so 11 fit and the 12th waits. */
function queueFull(r: Socket): boolean {
  return r.recvQueue.length > MAX_DGRAM_QLEN;
}

/** Does the max_dgram_qlen limit apply to s sending to r? Not to itself, nor when r is connected back to s. */
function qlenApplies(s: Socket, r: Socket): boolean {
  return r !== s && r.peer !== s;
}

/** unix_may_send: r accepts from s unless r is connected to a third socket. */
function maySend(s: Socket, r: Socket): boolean {
  return r.peer === null || r.peer === s;
}

/**
 * unix_dgram_disconnected: s stopped talking to `other`. Its own queue is
 * purged; if there was something in it and `other` is connected back, the
 * messages are lost "on a bidirectional pipe", so `other` gets a pending
 * ECONNRESET (unix_dgram_disconnected; nothing is reported when s's queue was empty).
 */
function disconnected(s: Socket, other: Socket): void {
  if (s.recvQueue.empty) return;
  s.recvQueue.purge();
  s.peerWait.wakeAll();
  if (!other.dead && other.peer === s) {
    other.err = ECONNRESET;
    other.stateChanged(); // sk_error_report
  }
}

// ---- connect ----

/**
 * unix_dgram_connect with the address bytes as copied in: sets (or, with
 * AF_UNSPEC, clears) the default destination. Connecting again, to itself,
 * or to the same peer is allowed (unix_dgram_connect); changing peer purges the own
 * receive queue (unix_dgram_disconnected).
 */
export function* dgramConnect(t: Task, s: Socket, b: Uint8Array): SyscallGen {
  if (b.length < 2) return -EINVAL; // offsetofend(struct sockaddr, sa_family)
  let other: Socket | null = null;
  if (family(b) !== AF_UNSPEC) {
    const a = parseAddr(b, false); // unix_validate_addr
    if (typeof a === 'number') return a;
    if (s.mayPasscred && !s.addr) {
      const err = yield* s.bindlock.withLock(t, () => s.net.autobind(s)); // unix_dgram_connect autobinds a SO_PASSCRED socket, not setsockopt
      if (err) return err;
    }
    for (;;) {
      const o = s.net.find(t, a, s.type, s.netns);
      if (typeof o === 'number') return o;
      if (s.net.k.bug('dgram-connect-lock-order')) yield* lockPeerFirst(t, s, o);
      else yield* doubleLock(t, s.lock, o.lock); // unix_state_double_lock(sk, other)
      if (o.dead) {
        doubleUnlock(t, s.lock, o.lock);
        continue; // "VFS overslept socket death. Retry."
      }
      if (!maySend(s, o)) {
        doubleUnlock(t, s.lock, o.lock);
        return -EPERM;
      }
      other = o;
      break;
    }
  } else {
    yield* s.lock.acquire(t); // unix_state_double_lock(sk, NULL)
  }
  const old = s.peer;
  s.peer = other;
  s.state = other ? 'connected' : 'unconnected';
  // unix_dgram_peer_wake_disconnect_wakeup: pollers re-evaluate POLLOUT against the new peer.
  s.stateChanged();
  doubleUnlock(t, s.lock, other?.lock ?? s.lock);
  if (old && old !== other) disconnected(s, old);
  return 0;
}

/**
 * BUG (planted 'dgram-connect-lock-order'): the peer's lock first, then our
 * own, whatever their order. Two sockets connecting to each other take the
 * pair in opposite orders: an ABBA deadlock on two harts, and a cycle in
 * the lock-order graph (lockdep.ts) on any schedule.
 */
function* lockPeerFirst(t: Task, s: Socket, other: Socket): Generator<KernelYield, void, void> {
  yield* other.lock.acquire(t);
  if (other !== s) yield* s.lock.acquire(t);
}

// ---- send ----

/**
 * unix_dgram_sendmsg: one datagram to `addr` (sendto's or msg_name's bytes;
 * null or empty: the connected peer). `scm` is the parsed control data: the
 * datagram takes its files (scm.files becomes null) and credentials; the
 * caller drops what is left. Returns the length sent or -errno.
 */
export function* dgramSend(
  t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, addr: Uint8Array | null, scm: ScmSend | null = null,
): SyscallGen {
  if (flags & MSG_OOB) return -EOPNOTSUPP; // unix_dgram_sendmsg: no out-of-band data on datagrams
  let target: ParsedAddr | null = null;
  if (addr && addr.length > 0) {
    const a = parseAddr(addr, false); // unix_validate_addr
    if (typeof a === 'number') return a;
    target = a;
  }
  const err = yield* autobindToPassCreds(t, s);
  if (err) return err;
  // A 0-byte datagram is still a message and carries its files; SHUT_WR is EPIPE, never SIGPIPE,
  // and comes before the receiver is looked up (sock_alloc_send_pskb, then unix_find_other or unix_peer_get).
  const m = yield* allocMessage(t, s, io, noblock, scm);
  if (typeof m === 'number') return m;
  let queued = false;
  try {
    const r = yield* deliver(t, s, m, target, noblock);
    queued = r >= 0;
    return r;
  } finally {
    // Not queued (an error, or the task died asleep): kfree_skb.
    if (!queued) freeUnqueued(s, m);
  }
}

/** unix_dgram_sendmsg: an unbound SO_PASSCRED (or SO_PASSPIDFD) sender is autobound, so the receiver sees a name. */
export function* autobindToPassCreds(t: Task, s: Socket): Generator<KernelYield, number, void> {
  if (!s.mayPasscred || s.addr) return 0;
  return yield* s.bindlock.withLock(t, () => s.net.autobind(s)); // unix_autobind
}

/** The part of unix_dgram_sendmsg from `restart:` on: find the receiver, check it, wait for room in its queue, enqueue. */
function* deliver(t: Task, s: Socket, m: Message, target: ParsedAddr | null, noblock: boolean): SyscallGen {
  const deadline = deadlineOf(t, s.sndtimeo);
  let other: Socket | null = target ? null : s.peer;
  if (!target && !other) return -ENOTCONN; // unix_peer_get: no address and no peer
  for (;;) {
    if (!other) {
      if (!target) return -ECONNRESET; // the peer went away under us
      const o = s.net.find(t, target, s.type, s.netns); // unix_find_other: a closed socket's path is ECONNREFUSED
      if (typeof o === 'number') return o;
      other = o;
    }
    yield* other.lock.acquire(t); // unix_state_lock(other)
    if (!maySend(s, other)) {
      other.lock.release(t);
      return -EPERM;
    }
    if (other.dead) {
      other.lock.release(t);
      yield* s.lock.acquire(t);
      if (s.peer === other) {
        // The connected peer closed: ECONNREFUSED once, and s is unconnected (the next send: ENOTCONN).
        s.peer = null;
        s.state = 'unconnected';
        s.stateChanged();
        s.lock.release(t);
        disconnected(s, other);
        return -ECONNREFUSED;
      }
      s.lock.release(t);
      other = null; // found by name and died since: look the name up again
      continue;
    }
    if (other.shutdown & RCV_SHUTDOWN) {
      other.lock.release(t);
      return -EPIPE; // the receiver did SHUT_RD (unix_dgram_sendmsg)
    }
    if (refusesRights(other, m)) {
      other.lock.release(t);
      return -EPERM; // before the queue limit: a full queue does not hide it
    }
    if (qlenApplies(s, other) && queueFull(other)) {
      // unix_wait_for_peer drops the lock and sleeps on the receiver's peer_wait until a receive (or its close) frees a slot.
      if (noblock) {
        // unix_state_double_lock(sk, other) to register for the peer's wakeup (unix_dgram_peer_wake_me),
        // and EAGAIN unless the queue drained meanwhile (then: restart).
        other.lock.release(t);
        yield* doubleLock(t, s.lock, other.lock);
        const still = s.peer !== other || queueFull(other);
        doubleUnlock(t, s.lock, other.lock);
        if (still) return -EAGAIN;
        continue;
      }
      const o = other;
      const err = yield* sleepTimeo(t, o.peerWait, deadline, () => o.lock.release(t));
      if (err) return err;
      continue;
    }
    addCreds(t, s, other, m);
    if (!(yield* enqueueLocked(t, other, m))) {
      other.lock.release(t);
      continue; // released while we waited for its queue lock: handled as a dead peer above
    }
    s.sendBuf.inTransit -= m.charge;
    if (m.rights) s.net.inflight.queued(m.rights, other);
    other.lock.release(t);
    other.dataReady();
    return m.length;
  }
}


// ---- receive ----

/**
 * __skb_try_recv_from_queue: the datagram a receive takes, and where in it
 * to start. A peek with SO_PEEK_OFF skips whole datagrams that lie before
 * the offset and starts inside the next, and passes over an empty datagram
 * that was peeked at before (skb->peeked, set by any peek: skb_set_peeked);
 * null when there is none.
 */
function peekAt(s: Socket, peek: boolean): { i: number; skip: number } | null {
  const msgs = s.recvQueue.msgs;
  const atOff = peek && s.peekOff >= 0;
  let off = atOff ? s.peekOff : 0;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (atOff && off >= m.length && (off > 0 || m.peeked)) {
      off -= m.length;
      continue;
    }
    if (peek && m.length === 0) m.peeked = true;
    return { i, skip: off };
  }
  return null;
}

/**
 * unix_dgram_recvmsg: one datagram per call. A short buffer gets the start
 * and the rest is discarded (MSG_TRUNC in the cookie; the MSG_TRUNC flag
 * returns the full length); MSG_PEEK leaves it queued.
 * `out` learns the sender (recvfrom's address: its current name)
 * and, for recvmsg, the credentials and files.
 */
export function* dgramRecv(t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null): SyscallGen {
  if (flags & MSG_OOB) return -EOPNOTSUPP;
  const q = s.recvQueue;
  const deadline = deadlineOf(t, s.rcvtimeo);
  const peek = (flags & MSG_PEEK) !== 0;
  let found: { i: number; skip: number } | null;
  for (;;) {
    yield* s.iolock.acquire(t); // mutex_lock(&u->iolock), held to the end of the receive
    // __skb_try_recv_datagram: the pending error first, then data (under the queue lock); __skb_wait_for_more_packets:
    // after SHUT_RD an empty queue reads 0 when blocking; a closed peer is no EOF.
    if (s.err) {
      s.iolock.release(t);
      return -s.takeError();
    }
    yield* s.recvLock.acquire(t);
    found = peekAt(s, peek);
    s.recvLock.release(t);
    if (found) break;
    s.iolock.release(t);
    // A seqpacket socket whose peer shut down reads 0 even when nonblocking.
    if (s.type === SOCK_SEQPACKET && s.shutdown & RCV_SHUTDOWN) return 0;
    if (noblock) return -EAGAIN;
    if (s.shutdown & RCV_SHUTDOWN) return 0;
    const err = yield* sleepTimeo(t, q.readers, deadline);
    if (err) return err;
  }
  const { i, skip } = found;
  const m = q.msgs[i];
  if (out) out.from = m.sender;
  const n = io.copyOutOf(m.bytes, m.offset + skip, m.offset + m.length);
  // skb_copy_datagram_msg failed (a hole in the buffer): out_free, no credentials, files or peek offset
  // move; the datagram, dequeued already unless peeked at, is freed with its files.
  const faulted = io.faulted;
  const len = m.length - skip;
  const scm = faulted ? undefined : out?.scm;
  if (scm) {
    if (n < len) scm.trunc = true;
    if (s.mayPasscred) scm.creds = m.creds ?? NO_CREDS;
  }
  if (peek) {
    if (s.peekOff >= 0 && !faulted) s.peekOff += n; // sk_peek_offset_fwd
    // unix_peek_fds: fresh references on every peek
    if (m.rights && scm) scm.files = s.net.inflight.peek(t, m.rights);
  } else {
    if (s.peekOff >= 0 && !faulted) s.peekOff = Math.max(s.peekOff - m.length, 0); // sk_peek_offset_bwd
    let taken: OpenFile[] | null = null;
    if (m.rights) {
      taken = yield* s.net.inflight.receive(t, m.rights); // the message holds the files until they are detached
      m.rights = null;
    }
    q.freeHead(); // uncharges the sender, which may wake its writers
    if (taken) {
      if (scm) scm.files = taken;
      else s.net.inflight.putFiles(taken); // read()/recv() close them
    }
  }
  // unix_dgram_recvmsg wakes u->peer_wait after every receive: senders waiting for a slot, and pollers of POLLOUT.
  if (!s.net.k.bug('dgram-qlen-no-wake')) s.peerWait.wakeAll();
  s.iolock.release(t);
  if (faulted) return -EFAULT;
  return flags & MSG_TRUNC ? len : n;
}

// ---- poll ----

/**
 * unix_dgram_poll. POLLOUT follows the own send buffer (unix_writable, not
 * SHUT_WR) and clears while the connected peer's queue is full,
 * unless the peer is connected back.
 */
export function dgramPoll(s: Socket): number {
  let m = 0;
  if (s.err) m |= POLLERR;
  if (s.shutdown & RCV_SHUTDOWN) m |= POLLRDHUP | POLLIN | POLLRDNORM;
  if (s.shutdown === SHUTDOWN_MASK) m |= POLLHUP;
  if (!s.recvQueue.empty) m |= POLLIN | POLLRDNORM;
  let writable = s.sendBuf.writable;
  const other = s.peer;
  if (writable && other && qlenApplies(s, other) && queueFull(other)) writable = false;
  if (writable) m |= POLLOUT | POLLWRNORM | POLLWRBAND;
  else s.markNoSpace(); // sk_set_bit(SOCKWQ_ASYNC_NOSPACE): an O_ASYNC owner hears of the room (unix_write_space)
  return m;
}

/** Where a poller waits: its own queues, and the peer's peer_wait for POLLOUT (unix_dgram_peer_wake_me). */
export function dgramPollQueues(s: Socket): WaitQueue[] {
  const qs = [s.recvQueue.readers, s.sendBuf.writers];
  if (s.peer) qs.push(s.peer.peerWait);
  return qs;
}

// ---- invariants ----

/**
 * Datagram accounting (checked with the kernel's invariants): every queued
 * datagram is charged exactly its skb truesize (dgramTruesize of its length); the messages a receiver holds
 * from senders the qlen limit applies to never exceed max_dgram_qlen + 1;
 * nothing is in transit beyond what the send buffer charges.
 */
export function checkDgram(net: UnixNet): string | null {
  for (const s of net.sockets.values()) {
    if (!s.isDgram) continue;
    if (s.sendBuf.inTransit < 0 || s.sendBuf.inTransit > s.sendBuf.wmem) {
      return `${s.describe()} has ${s.sendBuf.inTransit} bytes in transit but ${s.sendBuf.wmem} charged`;
    }
    let limited = 0;
    for (const m of s.recvQueue.msgs) {
      if (m.charge !== dgramTruesize(m.length) || m.consumed !== 0) {
        return `${s.describe()} holds a datagram of ${m.length} bytes charged ${m.charge}, ${m.consumed} consumed`;
      }
      const from = m.sender as Socket;
      if (from.type !== s.type) return `${s.describe()} holds a message from ${from.describe()} of another type`;
      if (qlenApplies(from, s)) limited++;
    }
    if (limited > MAX_DGRAM_QLEN + 1) {
      return `${s.describe()} holds ${limited} datagrams from unconnected senders, more than max_dgram_qlen ${MAX_DGRAM_QLEN} + 1`;
    }
    if (s.peer && !s.peer.isDgram) return `${s.describe()} is connected to ${s.peer.describe()} of another type`;
  }
  return null;
}

/** Registers the datagram invariants with a kernel (called from registerUnix). */
export function registerDgram(k: Kernel, net: UnixNet): void {
  k.checks.push(() => checkDgram(net));
}
