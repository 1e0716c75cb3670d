// Connected stream and seqpacket endpoints: send, receive, shutdown, poll
// and release, after net/unix/af_unix.c (unix_stream_sendmsg,
// unix_stream_read_generic, unix_seqpacket_*/unix_dgram_* for seqpacket,
// unix_shutdown, unix_poll, unix_release_sock).
//
// Data written on A is queued on B's receive queue and charged to A's send
// buffer until B consumes it; so a writer sleeps on its own send buffer and
// a reader on its own receive queue.
import { POLL_HUP, POLL_IN, POLL_PRI, sendSigio } from '../kernel/fown.ts';
import { SIGPIPE, SIGURG } from '../kernel/abi.ts';
import { EAGAIN, ECONNRESET, EFAULT, EINVAL, EISCONN, EMSGSIZE, ENOTCONN, EOPNOTSUPP, EPERM, EPIPE, ERESTARTSYS, ETOOMANYREFS } from '../kernel/errno.ts';
import type { OpenFile } from '../kernel/file.ts';
import { PREEMPT, settle, type KernelYield, type SyscallGen, type SyscallResult } from '../kernel/syscall.ts';
import type { Task } from '../kernel/task.ts';
import type { UserIO } from '../kernel/userio.ts';
import { finishWait, prepareToWait } from '../kernel/wait.ts';
import {
  MSG_NOSIGNAL, MSG_OOB, MSG_PEEK, MSG_TRUNC, MSG_WAITALL, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLPRI, POLLRDHUP,
  POLLRDNORM, POLLWRBAND, POLLWRNORM, SOCK_SEQPACKET,
} from './constants.ts';
import { NO_CREDS, type ScmRecv, type ScmSend } from './cmsg.ts';
import { autobindToPassCreds, dgramRecv, dgramSend } from './dgram.ts';
import type { InflightRights } from './inflight.ts';
import { Message, type Sender } from './queue.ts';
import { dgramTruesize, streamSkbLen, streamSkbSize, streamTruesize } from './truesize.ts';
import { manageOob, oobFastPath, queueOob, recvUrg } from './oob.ts';
import { sendSigurg } from '../kernel/fown.ts';
import {
  deadlineOf, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, sleepTimeo, type Socket, type Ucred,
} from './socket.ts';

/** Where a receive reports whose message it read (for recvfrom's address), and, for recvmsg, its ancillary data. */
export interface RecvFrom {
  from: Sender | null;
  /** recvmsg's cookie; without one (read, recv, recvfrom) files the read takes are closed */
  scm?: ScmRecv;
  /** set when the data read was the OOB byte (recvmsg reports MSG_OOB in msg_flags) */
  oob?: boolean;
}


/** Links two fresh sockets as a connected pair (unix_socketpair). */
export function connectPair(a: Socket, b: Socket, cred: Ucred): void {
  a.peer = b;
  b.peer = a;
  a.state = b.state = 'connected';
  a.peercred = { ...cred };
  b.peercred = { ...cred };
}

// ---- send ----

/**
 * sendmsg for a socket; `addr` is sendto's address bytes (null or empty:
 * none); `scm` is the parsed control data, whose files a message takes
 * (setting scm.files to null); the caller drops what is left (scm_destroy).
 */
export function sockSend(
  t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, addr: Uint8Array | null, scm: ScmSend | null = null,
): SyscallResult {
  // wait_for_unix_gc, at the top of unix_stream_sendmsg and unix_dgram_sendmsg
  const wait = s.net.inflight.beforeSend(t, scm?.files ?? null);
  if (wait) return afterGc(wait, () => protoSend(t, s, io, flags, noblock, addr, scm));
  return protoSend(t, s, io, flags, noblock, addr, scm);
}

function* afterGc(wait: Generator<KernelYield, void, void>, send: () => SyscallResult): SyscallGen {
  yield* wait;
  return yield* settle(send());
}

function protoSend(t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, addr: Uint8Array | null, scm: ScmSend | null): SyscallResult {
  if (s.isDgram) return dgramSend(t, s, io, flags, noblock, addr, scm);
  if (s.type === SOCK_SEQPACKET) return seqpacketSend(t, s, io, flags, noblock, scm);
  return streamSend(t, s, io, flags, noblock, addr, scm);
}

/**
 * unix_attach_fds: the message takes the send's file references
 * (ETOOMANYREFS when the sending user already has more files in flight than
 * its RLIMIT_NOFILE and is not privileged, too_many_unix_fds).
 */
export function attachRights(t: Task, s: Socket, scm: ScmSend | null): InflightRights | null | number {
  if (!scm?.files) return null;
  const inflight = s.net.inflight;
  if (t.creds.euid !== 0 && inflight.userInflight(t.creds.uid) > t.fds.limit) return -ETOOMANYREFS;
  const r = inflight.attach(scm.files, t.creds.uid);
  scm.files = null;
  return r;
}

/**
 * unix_maybe_add_creds: a message without SCM_CREDENTIALS gets the sender's
 * if either end has SO_PASSCRED or SO_PASSPIDFD, or the receiver is a
 * connection not accepted yet (!other->sk_socket, Linux 6.16: the acceptor
 * may turn SO_PASSCRED on before it reads).
 */
export function addCreds(t: Task, s: Socket, other: Socket, m: Message): void {
  if (!m.creds && (s.mayPasscred || other.mayPasscred || other.file === null)) m.creds = { pid: t.tgid, uid: t.creds.uid, gid: t.creds.gid };
}

/** The receiver turned SO_PASSRIGHTS off: a message carrying files is refused (unix_stream_sendmsg, unix_dgram_sendmsg, queue_oob). */
export function refusesRights(other: Socket, m: Message): boolean {
  return m.rights !== null && !other.passrights;
}

/**
 * skb_copy_datagram_from_iter met a hole in the send's buffer: the skb is
 * freed (kfree_skb, before anything was charged here), and with it the
 * files unix_scm_to_skb gave it. -EFAULT: a stream send returns what its
 * earlier skbs sent.
 */
function copyFault(s: Socket, rights: InflightRights | null): number {
  if (rights) s.net.inflight.discard(rights);
  return -EFAULT;
}

/** A message that did not reach a queue is freed: its rights go back. */
function dropRights(s: Socket, m: Message): void {
  if (m.rights) s.net.inflight.discard(m.rights);
  m.rights = null;
}

/** unix_stream_sendmsg's pipe_err: EPIPE, and SIGPIPE unless MSG_NOSIGNAL or something was sent. */
function pipeErr(t: Task, sent: number, flags: number): number {
  if (sent === 0 && !(flags & MSG_NOSIGNAL)) t.kernel.sendSignal(t, SIGPIPE);
  return sent || -EPIPE;
}

/**
 * unix_stream_sendmsg. Without the SMP model a send that finds room for
 * every chunk runs straight through and returns its result (the direct
 * path: no generator); the first time it would sleep, or meet a lock it
 * cannot take at once, it hands the rest to streamSendLoop. Both make the
 * same checks in the same order, so a run is the same either way.
 */
function streamSend(
  t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, addr: Uint8Array | null, scm: ScmSend | null,
): SyscallResult {
  const k = s.net.k;
  // MSG_OOB: the last byte goes out of band (queue_oob), the rest as usual; nothing to send is EOPNOTSUPP.
  const oob = (flags & MSG_OOB) !== 0;
  if (oob && io.remaining === 0) return -EOPNOTSUPP;
  if (addr && addr.length > 0) return s.state === 'connected' ? -EISCONN : -EOPNOTSUPP;
  const other = s.peer;
  if (!other) return -ENOTCONN;
  if (s.shutdown & SEND_SHUTDOWN) return pipeErr(t, 0, flags);
  if (oob || k.smp || k.bug('stream-wake-before-queue')) return streamSendLoop(t, s, other, io, flags, noblock, scm, 0);
  let sent = 0;
  while (io.remaining > 0) {
    // sock_alloc_send_pskb: pending error, own shutdown (-EPIPE to out_err: no SIGPIPE), then room (wmem < sndbuf).
    if (s.err) return takenError(s, sent);
    if (s.shutdown & SEND_SHUTDOWN) return sent || -EPIPE;
    if (!s.sendBuf.hasRoom || other.lock.owner !== null || other.recvLock.owner !== null) {
      return streamSendLoop(t, s, other, io, flags, noblock, scm, sent);
    }
    const size = streamSkbLen(io.remaining, s.sendBuf.sndbuf);
    const r = queueChunkNow(t, s, other, io, size, streamTruesize(size), scm);
    if (r >= 0 && !k.bug('stream-write-no-wake')) other.dataReady(); // sk_data_ready
    if (r < 0) return r === -EPIPE ? pipeErr(t, sent, flags) : sent || r;
    sent += size;
  }
  return sent;
}

/** sock_error clears the pending error even when the call returns the bytes it moved before it. */
function takenError(s: Socket, done: number): number {
  const err = s.takeError();
  return done || -err;
}

/**
 * unix_stream_sendmsg's loop over skbs from `sent` bytes on, sleeping for send-buffer room; then the OOB byte.
 * Each skb's sock_alloc_send_pskb takes SO_SNDTIMEO afresh (sock_sndtimeo): the timeout bounds one skb's
 * wait, not the call's.
 */
function* streamSendLoop(
  t: Task, s: Socket, other: Socket, io: UserIO, flags: number, noblock: boolean, scm: ScmSend | null, sent: number,
): SyscallGen {
  const k = s.net.k;
  const oob = (flags & MSG_OOB) !== 0;
  const reserve = oob ? 1 : 0;
  let deadline = deadlineOf(t, s.sndtimeo);
  while (io.remaining > reserve) {
    // sock_alloc_send_pskb: pending error, own shutdown, then room (wmem < sndbuf). Its -EPIPE (a SHUT_WR
    // or the peer's SHUT_RD or close while this send slept) goes to out_err, not out_pipe: no SIGPIPE.
    if (s.err) return takenError(s, sent);
    if (s.shutdown & SEND_SHUTDOWN) return sent || -EPIPE;
    if (!s.sendBuf.hasRoom) {
      s.markNoSpace();
      if (noblock) return sent || -EAGAIN;
      const err = yield* sleepTimeo(t, s.sendBuf.writers, deadline);
      // unix_stream_sendmsg: "return sent ? : err"; the planted bug forgets what it sent.
      if (err) return s.net.k.bug('stream-send-eintr-drops-count') ? err : sent || err;
      continue;
    }
    // A large write is split into skbs of at most half the buffer (unix_stream_sendmsg),
    // each charged its truesize (src/unix/truesize.ts).
    const { size, truesize } = streamSkbSize(io.remaining - reserve, s.sendBuf.sndbuf);
    const send = k.bug('stream-wake-before-queue') ? sendChunkWakeFirst : sendChunk;
    const r = yield* send(t, s, other, io, size, truesize, scm);
    if (r < 0) return r === -EPIPE ? pipeErr(t, sent, flags) : sent || r;
    sent += size;
    deadline = deadlineOf(t, s.sndtimeo); // the next skb's own sock_alloc_send_pskb
  }
  if (oob) {
    const r = yield* sendOob(t, s, other, io, noblock, scm);
    if (r < 0) return sent || r; // queue_oob's errors skip pipe_err: EPIPE without SIGPIPE
    sent++;
  }
  return sent;
}

/** One skb of a stream send, queued on the peer, then sk_data_ready: the peer's readers are woken once it is there. */
function* sendChunk(
  t: Task, s: Socket, other: Socket, io: UserIO, size: number, truesize: number, scm: ScmSend | null,
): Generator<KernelYield, number, void> {
  const r = yield* queueChunk(t, s, other, io, size, truesize, scm);
  if (r >= 0 && !s.net.k.bug('stream-write-no-wake')) other.dataReady();
  return r;
}

/**
 * BUG (planted 'stream-wake-before-queue'): sk_data_ready is called before
 * the skb is queued, with unix_state_lock(other) (an interleaving point on
 * SMP) in between. A reader woken on another hart re-checks an empty queue
 * and sleeps again; the data then arrives with nobody left to wake it.
 */
function* sendChunkWakeFirst(
  t: Task, s: Socket, other: Socket, io: UserIO, size: number, truesize: number, scm: ScmSend | null,
): Generator<KernelYield, number, void> {
  other.dataReady();
  return yield* queueChunk(t, s, other, io, size, truesize, scm);
}

/** The skb of one send: its bytes, the files it carries (unix_scm_to_skb) and its credentials, charged to the sender; or -errno. */
function chunkMessage(t: Task, s: Socket, io: UserIO, size: number, truesize: number, scm: ScmSend | null): Message | number {
  const rights = attachRights(t, s, scm);
  if (typeof rights === 'number') return rights;
  const n = Math.min(size, io.remaining);
  const skb = s.net.skbData;
  skb.fill(io, n);
  if (io.faulted) return copyFault(s, rights);
  const m = new Message(skb.buf, skb.at, n, s, truesize);
  m.rights = rights;
  m.creds = scm?.creds ?? null;
  s.sendBuf.charge(truesize);
  return m;
}

/**
 * One skb of a stream send: takes the send's files if no earlier chunk did
 * (unix_scm_to_skb) and its credentials, is charged to the
 * sender, and is queued on the peer unless it is dead or shut for reading
 * (-EPIPE). The caller wakes the peer's readers.
 */
function* queueChunk(
  t: Task, s: Socket, other: Socket, io: UserIO, size: number, truesize: number, scm: ScmSend | null, isOob = false,
): Generator<KernelYield, number, void> {
  const m = chunkMessage(t, s, io, size, truesize, scm);
  if (typeof m === 'number') return m;
  s.sendBuf.inTransit += truesize;
  let queued = false;
  try {
    yield* other.lock.acquire(t); // unix_state_lock(other)
    if (other.dead || other.shutdown & RCV_SHUTDOWN) {
      other.lock.release(t);
      return -EPIPE; // out_pipe: the skb is freed below
    }
    if (refusesRights(other, m)) {
      other.lock.release(t);
      return -EPERM; // out_unlock: the skb is freed below
    }
    addCreds(t, s, other, m);
    // skb_queue_tail (queue_oob: with u->oob_skb) under the receive-queue lock
    if (!(isOob ? yield* queueOob(t, other, m) : yield* enqueueLocked(t, other, m))) {
      // released while we waited for its queue lock (the model's close takes no lock; the collector frees sockets too)
      other.lock.release(t);
      return -EPIPE;
    }
    s.sendBuf.inTransit -= truesize; // queued: charged as the peer's message now
    if (m.rights) s.net.inflight.queued(m.rights, other);
    queued = true;
    other.lock.release(t);
  } finally {
    if (!queued) {
      // EPIPE, or the task died at an interleaving point: kfree_skb
      s.sendBuf.inTransit -= truesize;
      s.sendBuf.uncharge(truesize);
      dropRights(s, m);
    }
  }
  return size;
}

/**
 * queueChunk on the direct path: the caller checked that both of the
 * peer's locks can be taken at once (acquireNow), so nothing here waits or
 * is an interleaving point, and no task can die half way.
 */
function queueChunkNow(t: Task, s: Socket, other: Socket, io: UserIO, size: number, truesize: number, scm: ScmSend | null): number {
  const m = chunkMessage(t, s, io, size, truesize, scm);
  if (typeof m === 'number') return m;
  other.lock.acquireNow(t); // unix_state_lock(other)
  const err = other.dead || other.shutdown & RCV_SHUTDOWN ? -EPIPE : refusesRights(other, m) ? -EPERM : 0;
  if (err) {
    other.lock.release(t);
    s.sendBuf.uncharge(truesize); // out_pipe / out_unlock: kfree_skb
    dropRights(s, m);
    return err;
  }
  addCreds(t, s, other, m);
  other.recvLock.acquireNow(t); // skb_queue_tail under the receive-queue lock
  other.recvQueue.enqueue(m);
  other.recvLock.release(t);
  if (m.rights) s.net.inflight.queued(m.rights, other);
  other.lock.release(t);
  return size;
}

/** skb_queue_tail: queues m under other's receive-queue lock; false if other was released meanwhile. */
export function* enqueueLocked(t: Task, other: Socket, m: Message): Generator<KernelYield, boolean, void> {
  yield* other.recvLock.acquire(t);
  const alive = !other.dead;
  if (alive) other.recvQueue.enqueue(m);
  other.recvLock.release(t);
  return alive;
}

/**
 * queue_oob: the last byte of a MSG_OOB send as a message of its own, after
 * waiting for send-buffer room like any skb (sock_alloc_send_skb, with its
 * own SO_SNDTIMEO), which becomes the peer's OOB byte; SIGURG goes to the
 * owner of the peer's file.
 */
function* sendOob(
  t: Task, s: Socket, other: Socket, io: UserIO, noblock: boolean, scm: ScmSend | null,
): Generator<KernelYield, number, void> {
  const room = yield* waitSendRoom(t, s, noblock, deadlineOf(t, s.sndtimeo));
  if (room < 0) return room;
  const r = yield* queueChunk(t, s, other, io, 1, streamTruesize(1), scm, true);
  if (r < 0) return r;
  // sk_send_sigurg: send_sigurg to the file's owner, then sk_wake_async(SOCK_WAKE_URG, POLL_PRI), whose
  // kill_fasync(SIGURG) reaches an O_ASYNC file only when it has an F_SETSIG signal
  sendSigurg(s.net.k, other.file, SIGURG);
  if (other.file?.fown && other.file.sigioSignal) sendSigio(s.net.k, other.file, POLL_PRI);
  if (!s.net.k.bug('stream-write-no-wake')) other.dataReady();
  return r;
}

/**
 * sock_alloc_send_pskb's wait for one skb: the pending error, own SHUT_WR
 * (EPIPE, never SIGPIPE), then room in the send buffer, sleeping on its
 * writers unless nonblocking. 0 once there is room, else -errno.
 */
function* waitSendRoom(t: Task, s: Socket, noblock: boolean, deadline: number): Generator<KernelYield, number, void> {
  for (;;) {
    if (s.err) return -s.takeError();
    if (s.shutdown & SEND_SHUTDOWN) return -EPIPE;
    if (s.sendBuf.hasRoom) return 0;
    s.markNoSpace();
    if (noblock) return -EAGAIN;
    const err = yield* sleepTimeo(t, s.sendBuf.writers, deadline);
    if (err) return err;
  }
}

/**
 * sock_alloc_send_pskb + unix_scm_to_skb for one datagram or seqpacket
 * message: EMSGSIZE above sndbuf-32, then the pending error, own
 * SHUT_WR (EPIPE, never SIGPIPE) and room in the send buffer, waiting for
 * room unless nonblocking. Returns the message charged to `s` at its
 * truesize and counted in transit (the caller queues it or frees it with
 * freeUnqueued), or -errno.
 */
export function* allocMessage(
  t: Task, s: Socket, io: UserIO, noblock: boolean, scm: ScmSend | null,
): Generator<KernelYield, Message | number, void> {
  const len = io.remaining;
  if (len > s.sendBuf.sndbuf - 32) return -EMSGSIZE;
  const room = yield* waitSendRoom(t, s, noblock, deadlineOf(t, s.sndtimeo));
  if (room < 0) return room;
  const rights = attachRights(t, s, scm);
  if (typeof rights === 'number') return rights;
  const truesize = dgramTruesize(len); // what the send buffer is charged (truesize.ts)
  const skb = s.net.skbData;
  skb.fill(io, len);
  if (io.faulted) return copyFault(s, rights);
  const m = new Message(skb.buf, skb.at, len, s, truesize);
  m.rights = rights;
  m.creds = scm?.creds ?? null;
  s.sendBuf.charge(truesize);
  s.sendBuf.inTransit += truesize;
  return m;
}

/** kfree_skb of a message from allocMessage that never reached a queue: uncharge it and drop its files. */
export function freeUnqueued(s: Socket, m: Message): void {
  s.sendBuf.inTransit -= m.charge;
  s.sendBuf.uncharge(m.charge);
  dropRights(s, m);
  s.messageFreed();
}

/**
 * unix_seqpacket_sendmsg's own checks, before unix_dgram_sendmsg and so before
 * its scm_send: the pending error (sock_error), then the state. sendmsg runs
 * them before it parses the control data.
 */
export function seqpacketSendCheck(s: Socket): number {
  const pending = s.takeError();
  if (pending) return -pending;
  return s.state !== 'connected' ? -ENOTCONN : 0; // the address, if any, is ignored
}

/** unix_seqpacket_sendmsg -> unix_dgram_sendmsg on a connected socket: one message, kept whole. */
function* seqpacketSend(t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, scm: ScmSend | null): SyscallGen {
  // for send and sendto; after sendmsg's own call (before its control data) it finds nothing new
  const check = seqpacketSendCheck(s);
  if (check) return check;
  if (flags & MSG_OOB) return -EOPNOTSUPP;
  const err = yield* autobindToPassCreds(t, s);
  if (err) return err;
  const other = s.peer!;
  // Seqpacket reports EPIPE without SIGPIPE; a 0-byte message carries its files.
  const m = yield* allocMessage(t, s, io, noblock, scm);
  if (typeof m === 'number') return m;
  let queued = false;
  try {
    yield* other.lock.acquire(t); // unix_dgram_sendmsg: unix_state_lock(other)
    if (other.dead || other.shutdown & RCV_SHUTDOWN) {
      other.lock.release(t);
      return -EPIPE;
    }
    if (refusesRights(other, m)) {
      other.lock.release(t);
      return -EPERM;
    }
    addCreds(t, s, other, m);
    if (!(yield* enqueueLocked(t, other, m))) {
      other.lock.release(t);
      return -EPIPE;
    }
    s.sendBuf.inTransit -= m.charge;
    if (m.rights) s.net.inflight.queued(m.rights, other);
    queued = true;
    other.lock.release(t);
  } finally {
    if (!queued) freeUnqueued(s, m); // an error, or the task died at the interleaving point
  }
  if (!s.net.k.bug('stream-write-no-wake')) other.dataReady();
  return m.length;
}

// ---- receive ----

/** recvmsg for a socket; `out` (if given) learns which socket sent the data read. */
export function sockRecv(t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null): SyscallResult {
  if (s.isDgram) return dgramRecv(t, s, io, flags, noblock, out);
  if (s.type === SOCK_SEQPACKET) return seqpacketRecv(t, s, io, flags, noblock, out);
  return streamRecv(t, s, io, flags, noblock, out);
}

/**
 * unix_stream_read_generic: no boundaries; MSG_PEEK spans messages;
 * MSG_WAITALL waits for the whole buffer; reads stop at the OOB mark and
 * MSG_OOB reads the OOB byte (oob.ts). Without the SMP model a read of
 * plain queued data runs straight through and returns its result (the
 * direct path, streamReadNow); a read that must sleep gets a generator.
 */
function streamRecv(t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null): SyscallResult {
  if (s.state !== 'connected') return -EINVAL; // unconnected or listening
  const k = t.kernel;
  if (flags & MSG_OOB || k.smp || k.faults || s.iolock.owner !== null || s.lock.owner !== null) {
    return streamRecvLocking(t, s, io, flags, noblock, out);
  }
  // "Lock the socket to prevent queue disordering": one reader at a time, and u->lock
  // while it looks at the queue. Both are dropped to sleep (unix_stream_data_wait).
  s.iolock.acquireNow(t);
  s.lock.acquireNow(t);
  const target = readTarget(s, io, flags);
  const deadline = deadlineOf(t, s.rcvtimeo);
  const r = streamReadNow(s, io, flags, noblock, out, target);
  if (r === READ_GENERAL) return streamRecvHeld(t, s, io, flags, noblock, out, target, deadline);
  if (r === READ_SLEEPS) return streamRecvSleep(t, s, io, flags, noblock, out, target, deadline);
  s.lock.release(t);
  s.iolock.release(t);
  return r;
}

/** sock_rcvlowat: MSG_WAITALL wants the whole buffer, otherwise SO_RCVLOWAT bytes (at most the buffer), at least one. */
function readTarget(s: Socket, io: UserIO, flags: number): number {
  return Math.max(flags & MSG_WAITALL ? io.total : Math.min(s.rcvlowat, io.total), 1);
}

/** The general read, taking u->iolock and u->lock (interleaving points under the SMP model), and dropping what is still held. */
function* streamRecvLocking(t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null): SyscallGen {
  const peek = (flags & MSG_PEEK) !== 0;
  if (flags & MSG_OOB) {
    // unix_stream_recv_urg: u->iolock, u->lock, and the queue lock around oob_skb
    yield* s.iolock.acquire(t);
    yield* s.lock.acquire(t);
    yield* s.recvLock.acquire(t);
    const r = recvUrg(s, io, peek, out);
    s.recvLock.release(t);
    s.lock.release(t);
    s.iolock.release(t);
    return r;
  }
  yield* s.iolock.acquire(t);
  yield* s.lock.acquire(t);
  return yield* streamRecvHeld(t, s, io, flags, noblock, out, readTarget(s, io, flags), deadlineOf(t, s.rcvtimeo));
}

/** streamReadLocked for a caller that took u->iolock and u->lock; whatever is still held at the end is dropped. */
function* streamRecvHeld(
  t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null, target: number, deadline: number,
): SyscallGen {
  try {
    return yield* streamReadLocked(t, s, io, flags, noblock, out, target, deadline);
  } finally {
    if (s.lock.owner === t) s.lock.release(t);
    if (s.iolock.owner === t) s.iolock.release(t);
  }
}

/** What streamReadNow says when it cannot finish the read itself (it has then changed nothing). */
const READ_GENERAL = -1000001; // something streamReadLocked must handle: a peek, files, an OOB byte, credentials, a partial wait
const READ_SLEEPS = -1000002; // nothing queued: unix_stream_data_wait

/**
 * The direct path of unix_stream_read_generic, holding u->iolock and
 * u->lock, with nothing copied yet: reads plain queued messages (no files,
 * no OOB byte, no credentials to keep apart) exactly as streamReadLocked
 * would, returns what streamReadLocked returns on an empty queue, and says
 * READ_SLEEPS where it would sleep. Anything else is READ_GENERAL, before
 * anything changed, which is streamReadLocked's starting point too.
 */
function streamReadNow(s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null, target: number): number {
  const q = s.recvQueue;
  if (flags & MSG_PEEK || q.oob || s.mayPasscred || io.total === 0 || s.net.k.bug('stream-partial-read-drops-rest')) return READ_GENERAL;
  const msgs = q.msgs;
  let avail = 0;
  for (let i = 0; i < msgs.length && avail < io.total; i++) {
    const m = msgs[i];
    if (m.rights || m.remaining === 0) return READ_GENERAL; // files stop a read; a consumed mark is manage_oob's
    avail += m.remaining;
  }
  if (avail === 0) {
    // Queued data first, then the pending error once, then EOF.
    if (s.err) return -s.takeError();
    if (s.shutdown & RCV_SHUTDOWN) return 0;
    if (noblock) return -EAGAIN;
    return READ_SLEEPS;
  }
  if (avail < target) return READ_GENERAL; // it would read some and wait for the rest
  if (out) out.from = msgs[0].sender;
  let copied = 0;
  for (;;) {
    const m = msgs[0];
    const n = io.copyOutOf(m.bytes, m.offset + m.consumed, m.offset + m.length);
    if (io.faulted) return copied || -EFAULT; // the actor failed: this skb stays queued whole
    copied += n;
    if (s.peekOff >= 0) s.peekOff = Math.max(s.peekOff - n, 0); // sk_peek_offset_bwd
    q.consumeInPlace(m, n);
    if (m.remaining > 0) break; // the buffer is full
    q.freeAt(0); // fully read: freed, which wakes its writer
    if (io.remaining === 0 || msgs.length === 0) break;
  }
  return copied;
}

/**
 * unix_stream_data_wait, entered holding u->iolock and u->lock: on the
 * queue first, then the locks go (a wake from a close they held up is not
 * lost); SOCKWQ_ASYNC_WAITDATA is set while it sleeps. Returns with the
 * locks dropped: 0 once woken, or -errno.
 */
function* dataWait(t: Task, s: Socket, deadline: number): Generator<KernelYield, number, void> {
  try {
    return yield* sleepTimeo(t, s.recvQueue.readers, deadline, () => {
      s.setAsyncWaitData(true);
      s.lock.release(t);
      s.iolock.release(t);
    });
  } finally {
    s.setAsyncWaitData(false);
  }
}

/**
 * The direct path's sleep (unix_stream_data_wait), holding both locks with
 * nothing read; then the read again. Without a timeout it is a
 * StreamDataWait (no generator); with one, streamRecvWait.
 */
function streamRecvSleep(
  t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null, target: number, deadline: number,
): SyscallResult {
  if (deadline !== Infinity) return streamRecvWait(t, s, io, flags, noblock, out, target, deadline);
  const w = new StreamDataWait(t, s, io, flags, noblock, out, target);
  const err = w.sleep();
  return err || w;
}

/** unix_stream_data_wait with a timeout (SO_RCVTIMEO), then the read again (streamRecvAgain). */
function* streamRecvWait(
  t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null, target: number, deadline: number,
): SyscallGen {
  const err = yield* dataWait(t, s, deadline);
  if (err) return err;
  return yield* streamRecvAgain(t, s, io, flags, noblock, out, target, deadline);
}

/** After a wake, with no lock held: u->iolock and u->lock again, then the read, sleeping again while the queue is empty. */
function* streamRecvAgain(
  t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null, target: number, deadline: number,
): SyscallGen {
  for (;;) {
    // taken at once when they can be (a yield* of an acquisition costs more than the rest of this loop)
    if (!s.iolock.acquireNow(t)) yield* s.iolock.acquire(t);
    if (!s.lock.acquireNow(t)) yield* s.lock.acquire(t);
    const r = streamReadNow(s, io, flags, noblock, out, target);
    if (r === READ_GENERAL) return yield* streamRecvHeld(t, s, io, flags, noblock, out, target, deadline);
    if (r !== READ_SLEEPS) {
      s.lock.release(t);
      s.iolock.release(t);
      return r;
    }
    const err = yield* dataWait(t, s, deadline);
    if (err) return err;
  }
}

/**
 * unix_stream_data_wait without a timeout on the direct path, as a small
 * object the task resumes rather than a generator (a generator's frame was
 * most of what a sleeping read allocated). It is the same loop:
 *
 *   for (;;) {
 *     prepare_to_wait(readers); drop u->lock and u->iolock;   sleep()
 *     schedule();                                              next() yields the queue
 *     finish_wait(readers); a pending signal ends the read;    next() once woken
 *     take both locks again; read; done unless nothing came.
 *   }
 *
 * A lock that is not free at once, or a read that needs the general path,
 * hands the rest to a generator (streamRecvAgain, streamRecvHeld).
 */
class StreamDataWait implements SyscallGen {
  /** yielded the queue and not woken yet: finish_wait is owed */
  private asleep = false;
  /** the generator the rest of the read was handed to */
  private rest: SyscallGen | null = null;
  /** what next() returns to sleep: always the same queue, so one object */
  private readonly sleeping: IteratorResult<KernelYield, number>;

  constructor(
    private readonly t: Task, private readonly s: Socket, private readonly io: UserIO, private readonly flags: number,
    private readonly noblock: boolean, private readonly out: RecvFrom | null, private readonly target: number,
  ) {
    this.sleeping = { done: false, value: s.recvQueue.readers };
  }

  /** prepare_to_wait, then the locks go (a wake from a close they held up is not lost): 0, or the error to return. */
  sleep(): number {
    const { t, s } = this;
    const err = prepareToWait(t, s.recvQueue.readers);
    if (!err) s.setAsyncWaitData(true);
    s.lock.release(t);
    s.iolock.release(t);
    return err;
  }

  /** finish_wait (woken, or abandoned asleep). */
  private wakeUp(): void {
    this.asleep = false;
    finishWait(this.t, this.s.recvQueue.readers);
    this.s.setAsyncWaitData(false);
  }

  next(): IteratorResult<KernelYield, number> {
    if (this.rest) return this.rest.next();
    const { t, s } = this;
    if (!this.asleep) {
      this.asleep = true;
      return this.sleeping;
    }
    this.wakeUp();
    if (t.kernel.signalPending(t)) return { done: true, value: -ERESTARTSYS };
    if (s.iolock.owner !== null || s.lock.owner !== null) return this.handOver(streamRecvAgain(t, s, this.io, this.flags, this.noblock, this.out, this.target, Infinity));
    s.iolock.acquireNow(t);
    s.lock.acquireNow(t);
    const r = streamReadNow(s, this.io, this.flags, this.noblock, this.out, this.target);
    if (r === READ_GENERAL) return this.handOver(streamRecvHeld(t, s, this.io, this.flags, this.noblock, this.out, this.target, Infinity));
    if (r === READ_SLEEPS) {
      const err = this.sleep();
      if (err) return { done: true, value: err };
      this.asleep = true;
      return this.sleeping;
    }
    s.lock.release(t);
    s.iolock.release(t);
    return { done: true, value: r };
  }

  private handOver(rest: SyscallGen): IteratorResult<KernelYield, number> {
    this.rest = rest;
    return rest.next();
  }

  /** The task is abandoned (it died asleep): what the generator's finally would do. */
  return(value: number): IteratorResult<KernelYield, number> {
    if (this.rest) return this.rest.return(value);
    if (this.asleep) this.wakeUp();
    return { done: true, value };
  }

  throw(e: unknown): IteratorResult<KernelYield, number> {
    if (this.rest) return this.rest.throw(e);
    if (this.asleep) this.wakeUp();
    throw e;
  }

  [Symbol.iterator](): this {
    return this;
  }

  [Symbol.dispose](): void {
    this.return(0);
  }
}

/** unix_stream_read_generic from mutex_lock(&u->iolock) on; the caller holds u->iolock and u->lock and drops what is still held. */
function* streamReadLocked(
  t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null, target: number, deadline: number,
): SyscallGen {
  const peek = (flags & MSG_PEEK) !== 0;
  const q = s.recvQueue;
  const scm = out?.scm;
  // --short-io: unix_stream_read_generic may return after any chunk; without MSG_WAITALL a reader must cope.
  const limit = flags & MSG_WAITALL || !t.kernel.faults ? Infinity : t.kernel.faults.shortRead(io.total);
  let copied = 0;
  /** the credentials of the first message read, once the reader wants credentials (SO_PASSCRED) */
  let creds: Message['creds'] | undefined;
  redo: while (true) {
    /** bytes to skip before reading: the peek offset (SO_PEEK_OFF), for MSG_PEEK only */
    let skip = peek ? Math.max(s.peekOff, 0) : 0;
    let i = 0;
    /** i was reached by the skip loop, which walks on with skb_peek_next and no manage_oob */
    let skipped = false;
    for (;;) {
      // again: the message at i, past consumed marks and the OOB byte (manage_oob)
      if (i < q.msgs.length && !skipped) {
        if (!oobFastPath(s, i)) {
          // manage_oob's slow path runs under the queue lock; what it drops is freed after
          yield* s.recvLock.acquire(t);
          const hitlist: Message[] = [];
          if (i < q.msgs.length) i = manageOob(s, i, peek, copied, hitlist); // the collector may have purged meanwhile
          s.recvLock.release(t);
          for (const x of hitlist) q.free(x);
        }
        if (i < 0 && copied) break redo;
      }
      skipped = false;
      const m = i >= 0 ? q.msgs[i] : undefined;
      if (!m) {
        if (copied >= target) break redo;
        // Queued data first, then the pending error once, then EOF.
        if (s.err) return takenError(s, copied);
        if (s.shutdown & RCV_SHUTDOWN) break redo;
        if (noblock) {
          if (copied === 0) return -EAGAIN;
          break redo;
        }
        const err = yield* dataWait(t, s, deadline);
        if (err) return copied || err;
        yield* s.iolock.acquire(t);
        yield* s.lock.acquire(t);
        continue redo;
      }
      if (skip >= m.remaining) {
        // unix_stream_read_generic's `while (skip >= unix_skb_len(skb))`: a peek at an offset walks past
        // consumed marks and the OOB byte as they are, so it can read the OOB byte in line (Linux's answer)
        skip -= m.remaining;
        i++;
        skipped = true;
        continue;
      }
      // Never glue messages with different credentials for a reader that receives them.
      if (creds !== undefined) {
        if (!sameCreds(creds, m.creds)) break redo;
      } else if (s.mayPasscred) {
        creds = m.creds;
        if (scm) scm.creds = m.creds ?? NO_CREDS;
      }
      if (out && copied === 0) out.from = m.sender;
      const start = m.consumed + skip;
      const end = limit === Infinity ? m.length : Math.min(m.length, start + (limit - copied));
      const n = io.copyOutOf(m.bytes, m.offset + start, m.offset + end);
      if (io.faulted) return copied || -EFAULT; // the actor failed: this skb stays queued whole
      copied += n;
      const rights = m.rights;
      if (peek) {
        if (s.peekOff >= 0) s.peekOff += n; // sk_peek_offset_fwd
        // unix_peek_fds: fresh references on every peek; a peek stops after them too
        if (rights) {
          if (scm) scm.files = s.net.inflight.peek(t, rights);
          break redo;
        }
        // unix_stream_read_generic peeks on to the next skb even with the buffer full (chunks of 0 bytes):
        // it stops at the end of the queue, at the OOB byte, at other credentials or after a message's files
        skip = 0;
        i++;
        if (i >= q.msgs.length || copied >= limit) break redo;
        continue;
      }
      if (s.peekOff >= 0) s.peekOff = Math.max(s.peekOff - n, 0); // sk_peek_offset_bwd
      // The first read of a message, however short, takes its files (unix_detach_fds).
      let taken: OpenFile[] | null = null;
      if (rights) {
        // unix_stream_read_generic has dropped unix_state_lock before recv_actor and unix_detach_fds: the
        // detach takes unix_gc_lock under u->iolock alone (the collector takes a listener's u->lock under
        // unix_gc_lock, and connect() a client's under its listener's, so u->lock -> unix_gc_lock would
        // close a cycle)
        s.lock.release(t);
        taken = yield* s.net.inflight.receive(t, rights); // the message holds the files until they are detached
        m.rights = null;
        yield* s.net.inflight.relock(t, taken, s.lock);
      }
      q.consumeInPlace(m, n);
      if (m.remaining > 0) {
        if (s.net.k.bug('stream-partial-read-drops-rest')) dropRest(q, i);
        if (taken) {
          if (scm) scm.files = taken;
          else s.net.inflight.putFiles(taken);
        }
        break redo; // the buffer is full (or --short-io's limit was reached)
      }
      q.freeAt(i); // fully read: freed, which wakes its writer
      if (taken) {
        // a read(2) or recv(2) has nowhere to put them: closed
        if (scm) scm.files = taken;
        else s.net.inflight.putFiles(taken);
        break redo; // the stream barrier: never read past a message that carried files
      }
      if (io.remaining === 0 || copied >= limit) break redo;
      i = 0;
    }
  }
  return copied;
}

/** BUG (planted 'stream-partial-read-drops-rest'): a read that took part of a message frees all of it. */
function dropRest(q: Socket['recvQueue'], i: number): void {
  const m = q.msgs[i];
  q.consumeInPlace(m, m.remaining);
  q.freeAt(i);
}

function sameCreds(a: Message['creds'], b: Message['creds']): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.pid === b.pid && a.uid === b.uid && a.gid === b.gid;
}

/** unix_seqpacket_recvmsg -> unix_dgram_recvmsg: one message per call; the rest of a long one is lost. */
function seqpacketRecv(t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, out: RecvFrom | null): SyscallResult {
  if (s.state !== 'connected') return -ENOTCONN;
  return dgramRecv(t, s, io, flags, noblock, out);
}

// ---- shutdown, poll, release ----

/** unix_shutdown: SHUT_RD/WR/RDWR on this end, mirrored onto a stream/seqpacket peer. */
export function* shutdown(t: Task, s: Socket, how: number): SyscallGen {
  if (how < 0 || how > 2) return -EINVAL;
  const mode = (how + 1) & SHUTDOWN_MASK;
  yield* s.lock.acquire(t);
  s.shutdown |= mode;
  const other = s.peer;
  s.lock.release(t);
  s.stateChanged();
  if (other && s.connectionOriented) {
    let peerMode = 0;
    if (mode & RCV_SHUTDOWN) peerMode |= SEND_SHUTDOWN;
    if (mode & SEND_SHUTDOWN) peerMode |= RCV_SHUTDOWN;
    yield* other.lock.acquire(t);
    other.shutdown |= peerMode;
    other.lock.release(t);
    other.stateChanged();
    if (peerMode === SHUTDOWN_MASK) other.wakeAsync(POLL_HUP);
    else if (peerMode & RCV_SHUTDOWN) other.wakeAsync(POLL_IN);
  }
  return 0;
}

/** unix_poll. */
export function pollMask(s: Socket): number {
  let m = 0;
  if (s.err) m |= POLLERR;
  if (s.shutdown === SHUTDOWN_MASK) m |= POLLHUP;
  if (s.shutdown & RCV_SHUTDOWN) m |= POLLRDHUP | POLLIN | POLLRDNORM;
  const readable = s.state === 'listening' ? s.listener!.pending.length > 0 : !s.recvQueue.empty;
  if (readable) m |= POLLIN | POLLRDNORM;
  if (s.recvQueue.oob) m |= POLLPRI; // an OOB byte is waiting (oob.ts)
  if (s.connectionOriented && s.state === 'unconnected') m |= POLLHUP;
  // unix_writable: never for a listener; else only while 3/4 of the send buffer is free.
  if (s.state !== 'listening' && s.sendBuf.writable) m |= POLLOUT | POLLWRNORM | POLLWRBAND;
  return m;
}

/**
 * unix_release_sock: the last file reference is gone (or, `embryo`, a
 * pending connection is thrown away with its listener). The peer sees a
 * full shutdown, and ECONNRESET if this end still had unread data or was
 * never accepted; a listener resets every pending connection.
 */
/**
 * unix_release_sock's test for unread data that the close throws away: a first skb with nothing left
 * to read (a consumed OOB byte, an empty seqpacket message) does not count, what comes after it does.
 */
function dropsUnread(s: Socket): boolean {
  const msgs = s.recvQueue.msgs;
  return msgs.length > 1 || (msgs.length === 1 && msgs[0].remaining > 0);
}

export function release(s: Socket, embryo: boolean): void {
  if (s.dead) return;
  // It takes u->lock, the peer's u->lock and the queue lock in turn. A task on another hart that
  // holds one is inside its critical section: the release waits for it, as spin_lock would.
  const busy = [s.lock, s.recvLock, s.connectionOriented ? s.peer?.lock : undefined].find((l) => l && l.owner !== null);
  if (busy) {
    busy.whenFree(() => release(s, embryo), s.net.k.sched.recorder);
    return;
  }
  const net = s.net;
  net.unbind(s);
  const wasListening = s.state === 'listening';
  s.state = 'unconnected';
  s.shutdown = SHUTDOWN_MASK;
  s.dead = true;
  const skpair = s.peer;
  s.peer = null;
  // Connectors sleeping on a full backlog must see the listener is gone (they get ECONNREFUSED).
  if (!(wasListening && net.k.bug('close-no-wake-connectors'))) s.peerWait.wakeAll();
  if (skpair && s.connectionOriented) {
    skpair.shutdown = SHUTDOWN_MASK;
    if (dropsUnread(s) || embryo) skpair.err = ECONNRESET;
    skpair.stateChanged();
    skpair.wakeAsync(POLL_HUP);
  }
  // Unread data is dropped, which frees its senders' buffer space (and wakes them)
  // and closes the files in flight on it (possibly releasing more sockets: see inflight.ts).
  if (net.k.bug('close-forgets-inflight')) for (const m of s.recvQueue.msgs) m.rights = null;
  s.recvQueue.purge();
  if (wasListening) {
    const pending = s.listener!.pending.splice(0);
    for (const e of pending) release(e, true);
  }
  s.stateChanged();
  net.maybeFree(s);
  net.inflight.released(); // unix_release_sock: "if (READ_ONCE(unix_tot_inflight)) unix_gc();"
}

