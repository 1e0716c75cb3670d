// Out-of-band data on stream sockets (CONFIG_AF_UNIX_OOB, Linux >= 5.15),
// after net/unix/af_unix.c: queue_oob, unix_stream_recv_urg, manage_oob,
// SIOCATMARK in unix_ioctl, EPOLLPRI in unix_poll, sk_send_sigurg.
//
// send(MSG_OOB) of n bytes sends n-1 bytes as usual and the last byte as a
// message of its own, which becomes the receiver's OOB message (a later one
// replaces it; the earlier byte then reads as ordinary data). That message
// stays in the receive queue at its place, the mark:
//   - recv(MSG_OOB) reads its byte (EINVAL when there is none or with
//     SO_OOBINLINE) and leaves it in the queue fully consumed, as a
//     zero-length mark that ordinary reads stop at and then drop;
//   - an ordinary read stops before the mark once it has read something;
//     reaching it first, it drops the unread OOB byte (SO_OOBINLINE: reads
//     it as data) and goes on; a peek skips it.
import { EFAULT, EINVAL } from '../kernel/errno.ts';
import { PREEMPT, type KernelYield } from '../kernel/syscall.ts';
import type { Task } from '../kernel/task.ts';
import type { UserIO } from '../kernel/userio.ts';
import { SO_OOBINLINE } from './constants.ts';
import type { Message } from './queue.ts';
import type { RecvFrom } from './stream.ts';
import type { Socket } from './socket.ts';

/**
 * queue_oob's end: the new message replaces u->oob_skb (which holds a
 * reference on it; the old one's is dropped) and is queued, both under the
 * receiver's receive-queue lock, which the collector holds while it takes
 * a dead socket's queue and OOB skb (the fix for CVE-2024-36972, "af_unix:
 * Update unix_sk(sk)->oob_skb under sk_receive_queue lock.").
 */
export function* queueOob(t: Task, other: Socket, m: Message): Generator<KernelYield, boolean, void> {
  if (other.net.k.bug('oob-skb-no-queue-lock')) return yield* queueOobUnlocked(t, other, m);
  yield* other.recvLock.acquire(t);
  try {
    if (other.dead) return false; // released while we waited (the caller frees m)
    const q = other.recvQueue;
    if (q.oob) other.net.inflight.dropOobRef(q.oob, 'queue_oob');
    q.oob = m; // WRITE_ONCE(ousk->oob_skb, skb)
    m.oobRef = true;
    q.enqueue(m);
    return true;
  } finally {
    other.recvLock.release(t);
  }
}

/**
 * BUG (planted 'oob-skb-no-queue-lock', CVE-2024-36972): the old OOB skb
 * is read and its reference dropped under unix_state_lock only. The
 * collector, holding the receive-queue lock, can drop the same reference
 * in between (collecting the dead receiver), so it is dropped twice.
 */
function* queueOobUnlocked(t: Task, other: Socket, m: Message): Generator<KernelYield, boolean, void> {
  const q = other.recvQueue;
  const old = q.oob;
  yield PREEMPT; // another hart runs between the read and consume_skb
  if (old) other.net.inflight.dropOobRef(old, 'queue_oob');
  yield* other.recvLock.acquire(t);
  const alive = !other.dead;
  if (alive) {
    q.oob = m;
    m.oobRef = true;
    q.enqueue(m);
  }
  other.recvLock.release(t);
  return alive;
}

/** SOCK_URGINLINE (SO_OOBINLINE): the OOB byte is read in line, never by MSG_OOB. */
export function oobInline(s: Socket): boolean {
  return (s.misc.get(SO_OOBINLINE) ?? 0) !== 0;
}

/**
 * unix_stream_recv_urg: recv(MSG_OOB) reads the OOB byte without waiting;
 * MSG_PEEK leaves it. Reading it leaves its message as a consumed mark, and
 * drops a consumed mark just before it.
 */
export function recvUrg(s: Socket, io: UserIO, peek: boolean, out: RecvFrom | null): number {
  const q = s.recvQueue;
  const m = q.oob;
  if (oobInline(s) || !m) return -EINVAL;
  if (!peek) {
    q.oob = null;
    const i = q.msgs.indexOf(m);
    if (i > 0 && q.msgs[i - 1].remaining === 0) q.freeAt(i - 1);
  }
  // unix_stream_read_actor copies what fits: a zero-length buffer still reads the byte, and the call returns 1
  io.copyOutOf(m.bytes, m.offset + m.consumed, m.offset + m.consumed + 1);
  if (!peek) q.consumeInPlace(m, 1);
  if (io.faulted) return -EFAULT; // a hole in the buffer: the byte is consumed all the same
  if (out) out.oob = true;
  return 1;
}

/** manage_oob's lockless fast path: message i is unread ordinary data, nothing to manage. */
export function oobFastPath(s: Socket, i: number): boolean {
  const m = s.recvQueue.msgs[i];
  return m.remaining > 0 && m !== s.recvQueue.oob;
}

/**
 * manage_oob: what an ordinary read does at message index i of the queue,
 * having copied `copied` bytes so far, under the queue lock. Returns the
 * index of the message to read from, or -1 to stop: at the mark once
 * something was read, or at the end of the queue. Consumed marks and an
 * unread OOB byte it drops are unlinked and put on `hitlist`, which the
 * caller frees once it has dropped the lock (consume_skb, kfree_skb).
 */
export function manageOob(s: Socket, i: number, peek: boolean, copied: number, hitlist: Message[]): number {
  const q = s.recvQueue;
  const m = q.msgs[i];
  if (m.remaining > 0 && m !== q.oob) return i;
  if (m.remaining === 0) {
    if (copied && (!q.oob || m === q.oob)) return -1;
    if (peek) i++;
    else unlinkTo(q, i, hitlist); // the mark; i now indexes the next message
    if (i >= q.msgs.length) return -1;
  }
  const n = q.msgs[i];
  if (n !== q.oob) return i;
  if (copied) return -1;
  if (!peek) {
    q.oob = null;
    if (!oobInline(s)) {
      // The unread OOB byte is dropped; Linux's inq_len (FIONREAD) keeps counting it.
      unlinkTo(q, i, hitlist);
      s.inqSkew++;
      return q.msgs.length > 0 ? 0 : -1;
    }
  } else if (!oobInline(s)) {
    i++;
    return i < q.msgs.length ? i : -1;
  }
  return i;
}

function unlinkTo(q: Socket['recvQueue'], i: number, hitlist: Message[]): void {
  const m = q.msgs[i];
  q.unlink(m);
  hitlist.push(m);
}

/** SIOCATMARK: the next byte read would be the OOB byte (or a consumed mark with no later OOB byte but the next message). */
export function atMark(s: Socket): number {
  const q = s.recvQueue;
  const head = q.msgs[0];
  if (!head) return 0;
  if (head === q.oob) return 1;
  return head.remaining === 0 && (!q.oob || q.msgs[1] === q.oob) ? 1 : 0;
}
