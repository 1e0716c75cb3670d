// The queues a connection is made of, as gVisor's transport/queue.go has
// them: a receive queue of messages (each with its byte boundary, so that
// ancillary data can later ride on a message) with a wait queue for
// readers, and a send buffer that charges queued messages to the sender's
// SO_SNDBUF, with a wait queue for writers. A message is charged what Linux
// charges its skb, the truesize (payload rounded up to the slab size or
// whole pages, plus the sk_buff and its shared info: see truesize.ts), not
// its length.
//
// Accounting rule (Linux's sk_wmem_alloc): a message is charged to its
// sender from enqueue until it is fully consumed or purged, not per byte
// read, so a partial read frees no send-buffer space.
import type { MemoryBudget } from '../hw/budget.ts';
import { WaitQueue, type WaitPolicy } from '../sched/waitqueue.ts';
import { WMEM_DEFAULT, WRITE_SPACE_KEY } from './constants.ts';
import type { InflightRights } from './inflight.ts';

/** Who sent a message: the socket whose send buffer it is charged to. */
export interface Sender {
  readonly sendBuf: SendBuffer;
  /** its current name, for recvfrom (a later bind shows up) */
  readonly addr: { readonly bytes: Uint8Array } | null;
  /** called after one of its messages was freed (a released socket may now be forgotten) */
  messageFreed(): void;
}

export class Message {
  /** bytes of this message already read (stream partial reads) */
  consumed = 0;

  constructor(
    /** where its bytes are: bytes[offset, offset + length) (its own array, or a slab tiny messages share: skbdata.ts) */
    readonly bytes: Uint8Array,
    readonly offset: number,
    readonly length: number,
    /** the sending socket; its send buffer is charged `charge` bytes (the skb truesize, truesize.ts) until the message is freed */
    readonly sender: Sender,
    readonly charge: number,
  ) {}

  get remaining(): number {
    return this.length - this.consumed;
  }

  /** in-flight files (SCM_RIGHTS); a stream read stops right after the message that carries them */
  rights: InflightRights | null = null;
  /** u->oob_skb holds a reference to this message (queue_oob takes it; the collector or the next queue_oob drops it) */
  oobRef = false;
  /** skb->peeked: a datagram of no bytes has been peeked at once; a peek at SO_PEEK_OFF passes over it from then on */
  peeked = false;
  /** sender credentials (SCM_CREDENTIALS, or added for SO_PASSCRED); null: none ({0, 65534, 65534} when reported) */
  creds: { pid: number; uid: number; gid: number } | null = null;
}

/** A socket's send-side accounting: the truesize charged by its messages queued anywhere. */
export class SendBuffer {
  /** bytes charged by this socket's live messages (Linux sk_wmem_alloc) */
  wmem = 0;
  /** of wmem, bytes charged to chunks being sent that are not yet on a queue */
  inTransit = 0;
  /** SO_SNDBUF as stored (already doubled) */
  sndbuf = WMEM_DEFAULT;
  /** writers sleep here while the buffer is full */
  readonly writers: WaitQueue;

  constructor(
    name: string,
    /** the run's memory budget: queued messages are host memory too */
    private readonly memory: MemoryBudget | null = null,
    /** the rest of sk_write_space once the buffer is writable again (the owner's SIGIO) */
    private readonly onWriteSpace: (() => void) | null = null,
  ) {
    this.writers = new WaitQueue(`${name} writers`);
  }

  /**
   * Linux unix_writable: POLLOUT (and the write-space wakeup) only once 3/4 of the buffer is free.
   * It reads sk_wmem_alloc itself, which counts one more than what is charged (sk_alloc starts it
   * at 1; SIOCOUTQ's sk_wmem_alloc_get takes that 1 off).
   */
  get writable(): boolean {
    return (this.wmem + 1) * 4 <= this.sndbuf;
  }

  /**
   * sock_alloc_send_pskb's test: a new chunk may be charged while wmem <
   * sndbuf (it may overshoot), and while the run's memory budget has room
   * (a sender waits for memory as sock_wait_for_wmem does; it may overshoot
   * the budget by one chunk, itself bounded by sndbuf).
   */
  get hasRoom(): boolean {
    return this.wmem < this.sndbuf && (this.memory === null || this.memory.used < this.memory.limit);
  }

  charge(n: number): void {
    this.wmem += n;
    if (this.memory && !this.memory.charge(n)) this.memory.release(-n);
  }

  /**
   * Frees n charged bytes. Like sock_wfree -> unix_write_space, wakes writers
   * only when the buffer has become writable.
   */
  uncharge(n: number): void {
    this.wmem -= n;
    this.memory?.release(n);
    if (this.wmem < 0) throw new Error(`kernel bug: send buffer charge went negative (${this.wmem})`);
    if (this.writable) {
      this.writers.wakeAll(WRITE_SPACE_KEY);
      this.onWriteSpace?.();
    }
  }
}

/** A socket's receive queue: messages from its peer, oldest first. */
export class MessageQueue {
  readonly msgs: Message[] = [];
  /** unread bytes over all messages */
  bytes = 0;
  /** the out-of-band byte's message (u->oob_skb, stream only): one per socket, a later one replaces it */
  oob: Message | null = null;
  /** readers sleep here while the queue is empty */
  readonly readers: WaitQueue;
  /** told after `bytes` changed (the trace's queued-bytes counter; set only while a trace is recorded) */
  onChange: ((q: MessageQueue) => void) | null = null;

  constructor(name: string, policy: WaitPolicy = 'list') {
    this.readers = new WaitQueue(`${name} readers`, policy);
  }

  get length(): number {
    return this.msgs.length;
  }

  get empty(): boolean {
    return this.msgs.length === 0;
  }

  /** Appends a message already charged to its sender. The caller wakes `readers`. */
  enqueue(m: Message): void {
    this.msgs.push(m);
    this.bytes += m.remaining;
    this.onChange?.(this);
  }

  /** Notes that n bytes of m were read, leaving it queued even when nothing remains (an OOB mark). */
  consumeInPlace(m: Message, n: number): void {
    m.consumed += n;
    this.bytes -= n;
    this.onChange?.(this);
  }

  /** Drops the head message whole (datagram semantics: the unread rest is discarded). */
  freeHead(): void {
    const m = this.msgs.shift()!;
    this.bytes -= m.remaining;
    if (m === this.oob) this.oob = null;
    this.onChange?.(this);
    this.free(m);
  }

  /** Takes the message at index i off the queue and frees it (kfree_skb of an skb read or skipped in place). */
  freeAt(i: number): void {
    const m = this.msgs[i];
    this.unlink(m);
    this.free(m);
  }

  /** Takes m off the queue without freeing it (the garbage collector's hitlist). */
  unlink(m: Message): void {
    const i = this.msgs.indexOf(m);
    if (i < 0) throw new Error('kernel bug: unlinking a message that is not queued');
    if (i === 0) this.msgs.shift(); // the usual case (the head read), and cheaper than splice
    else this.msgs.splice(i, 1);
    this.bytes -= m.remaining;
    if (m === this.oob) this.oob = null;
    this.onChange?.(this);
  }

  /** Frees a message that is off the queue: uncharges its sender and drops the files it still carries (kfree_skb). */
  free(m: Message): void {
    m.sender.sendBuf.uncharge(m.charge);
    m.sender.messageFreed();
    if (m.rights) m.rights.owner.discard(m.rights);
  }

  /** Frees every message (the owning socket is closing), uncharging each sender. */
  purge(): void {
    while (this.msgs.length) this.freeHead();
  }
}
