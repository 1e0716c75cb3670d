// The AF_UNIX socket object: one per socket (struct unix_sock), and the
// FileOps an open file of it calls. Connection logic lives in listener.ts
// (listen/connect/accept), data transfer and teardown in stream.ts; this
// file holds the state they share and the generic file operations.
import { O_ASYNC, O_NONBLOCK, O_PATH, S_IFSOCK } from '../kernel/abi.ts';
import { EAGAIN, EFAULT, EINTR, EINVAL, ENODEV, ENOENT, ENOTTY, EOPNOTSUPP, EPERM, ERESTARTSYS } from '../kernel/errno.ts';
import { PathFile } from '../kernel/regular.ts';
import type { FileOps, OpenFile, StatInfo } from '../kernel/file.ts';
import type { KernelYield, SyscallResult } from '../kernel/syscall.ts';
import { sleepOn, sleepOnUntil } from '../kernel/wait.ts';
import type { Task } from '../kernel/task.ts';
import { putU32 } from '../kernel/uaccess.ts';
import type { UserIO } from '../kernel/userio.ts';
import type { Inode } from '../kernel/vfs.ts';
import { WaitQueue } from '../sched/waitqueue.ts';
import { KernelLock } from '../kernel/lock.ts';
import { POLL_IN, POLL_OUT, sendSigio } from '../kernel/fown.ts';
import type { UnixAddress } from './address.ts';
import {
  DATA_READY_KEY, FIONREAD, LOOPBACK_IFINDEX, MAX_DGRAM_QLEN, MAX_SCHEDULE_TIMEOUT, SIOCATMARK, SIOCGIFINDEX, SIOCOUTQ, SIOCUNIXFILE,
  SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM,
} from './constants.ts';
import { atMark } from './oob.ts';
import { dgramPoll, dgramPollQueues } from './dgram.ts';
import type { Backlog } from './listener.ts';
import type { UnixNet } from './namespace.ts';
import type { NetNamespace } from '../kernel/namespaces.ts';
import { MessageQueue, SendBuffer } from './queue.ts';
import { pollMask, release, sockRecv, sockSend } from './stream.ts';

/** sk_shutdown bits */
export const RCV_SHUTDOWN = 1, SEND_SHUTDOWN = 2, SHUTDOWN_MASK = 3;

/** sk_state: TCP_CLOSE, TCP_LISTEN, TCP_ESTABLISHED */
export type SockState = 'unconnected' | 'listening' | 'connected';

/** struct ucred as SO_PEERCRED reports it */
export interface Ucred {
  pid: number;
  uid: number;
  gid: number;
  /** the supplementary groups of a peer's credentials (sk_peer_cred, SO_PEERGROUPS); absent in SCM_CREDENTIALS */
  groups?: readonly number[];
}

export function credOf(t: Task): Ucred {
  return { pid: t.tgid, uid: t.creds.euid, gid: t.creds.egid, groups: t.creds.groups ?? [] };
}

/** A deadline `timeo` ticks from now (SO_RCVTIMEO/SO_SNDTIMEO; 0 = none); nonblocking callers never sleep. */
export function deadlineOf(t: Task, timeo: number): number {
  return timeo > 0 ? t.kernel.sched.clock.now + timeo : Infinity;
}

/**
 * Sleeps on q until woken (0), the deadline passes (-EAGAIN, as sock_rcvtimeo
 * expiry), or a signal (-ERESTARTSYS; -EINTR with a deadline). `unlock` drops
 * the caller's locks once it is on q (see sleepOn). Without a timeout it is
 * sleepOn itself, not a generator wrapped around it.
 */
export function sleepTimeo(t: Task, q: WaitQueue, deadline: number, unlock?: () => void): Generator<KernelYield, number, void> {
  return deadline === Infinity ? sleepOn(t, q, unlock) : sleepTimed(t, q, deadline, unlock);
}

function* sleepTimed(t: Task, q: WaitQueue, deadline: number, unlock?: () => void): Generator<KernelYield, number, void> {
  const r = yield* sleepOnUntil(t, q, deadline, unlock);
  // sock_intr_errno: with a timeout running, a signal is EINTR even after a SA_RESTART handler
  return r === 1 ? -EAGAIN : r === -ERESTARTSYS ? -EINTR : r;
}

export class Socket implements FileOps {
  readonly kind = 'socket';
  state: SockState = 'unconnected';
  /** bound name (for an accepted socket: a copy of the listener's, which it does not own) */
  addr: UnixAddress | null = null;
  /** the socket inode this socket bound (only the binder; cleared on close) */
  inode: Inode | null = null;
  /** u->path: the file it bound, or for an accepted socket its listener's; held even once unlinked (SIOCUNIXFILE) */
  pathInode: Inode | null = null;
  /** the socket inode's permission bits (0777; fchmod changes them before bind) */
  mode = 0o777;
  /** the other end of a connection (kept after the peer closes, as Linux does) */
  peer: Socket | null = null;
  /** RCV_SHUTDOWN | SEND_SHUTDOWN */
  shutdown = 0;
  /** pending error (sk_err), reported once by SO_ERROR or a read */
  err = 0;
  /** released: no file refers to it any more (SOCK_DEAD) */
  dead = false;
  /** SO_PASSCRED */
  passcred = false;
  /** SO_PASSPIDFD: received messages carry a pidfd of their sender (SCM_PIDFD) */
  passpidfd = false;
  /** SO_PASSRIGHTS (sk_scm_rights, Linux 6.16): off, a sender of SCM_RIGHTS to this socket gets EPERM */
  passrights = true;
  /** SO_INQ (u->recvmsg_inq, Linux 6.17; stream only): each recvmsg ends with SCM_INQ, the bytes left to read */
  recvmsgInq = false;
  /** sk_userlocks' buffer bits: SOCK_SNDBUF_LOCK / SOCK_RCVBUF_LOCK (SO_BUF_LOCK; no effect on AF_UNIX) */
  userlocks = 0;
  /** SO_PEERCRED: captured at connect / socketpair / listen */
  peercred: Ucred | null = null;
  /** SO_RCVTIMEO / SO_SNDTIMEO in ticks (ns) for the sleeps; 0 = wait forever */
  rcvtimeo = 0;
  sndtimeo = 0;
  /** the same timeouts in jiffies as Linux stores them (sk_rcvtimeo; MAX_SCHEDULE_TIMEOUT = none), for read-back */
  rcvtimeoJiffies = MAX_SCHEDULE_TIMEOUT;
  sndtimeoJiffies = MAX_SCHEDULE_TIMEOUT;
  /** SO_PEEK_OFF (sk_peek_off): where MSG_PEEK reads start and advance; -1 = off */
  peekOff = -1;
  /** SO_RCVLOWAT (sk_rcvlowat): the bytes a blocking stream read waits for */
  rcvlowat = 1;
  /** SO_LINGER: SOCK_LINGER and sk_lingertime in jiffies (stored and read back; AF_UNIX close never lingers) */
  linger = false;
  lingerJiffies = 0n;
  /** SO_RCVBUF as stored; no effect on AF_UNIX */
  rcvbuf: number;
  /** bytes FIONREAD counts beyond those queued: unread OOB bytes a plain read dropped, which Linux's inq_len keeps (oob.ts) */
  inqSkew = 0;
  /** SOCKWQ_ASYNC_NOSPACE: a writer found the send buffer full while O_ASYNC was on; the next write space sends POLL_OUT */
  asyncNoSpace = false;
  /** SOCKWQ_ASYNC_WAITDATA: a stream reader sleeps for data with O_ASYNC on; sk_data_ready then sends no SIGIO */
  asyncWaitData = false;
  /** other boolean/int SOL_SOCKET options that are stored only */
  readonly misc = new Map<number, number>();
  /** an embryo not yet accepted: the listener whose backlog holds it (unix_sk(sk)->listener, for the in-flight graph) */
  embryoOf: Socket | null = null;
  /** set while listening: pending connections and acceptors */
  listener: Backlog | null = null;
  /** the open file whose ops this socket is (null for embryos not yet accepted) */
  file: OpenFile | null = null;
  /** bytes this socket has queued anywhere, charged to its SO_SNDBUF */
  readonly sendBuf: SendBuffer;
  /** messages from the peer (for a listener: unused; pending connections are in `listener`) */
  readonly recvQueue: MessageQueue;
  /** connectors sleep here while this listener's backlog is full (u->peer_wait) */
  readonly peerWait: WaitQueue;
  /**
   * The socket's locks, as struct unix_sock and struct sock have them
   * (src/kernel/lock.ts). The syscalls take them where Linux does; close's
   * unix_release_sock, which cannot wait here, runs when they are free
   * (whenFree); ioctl and poll take none (nothing interleaves inside them).
   */
  /** u->lock, unix_state_lock: the socket's state, peer and shutdown bits */
  readonly lock: KernelLock;
  /** sk_receive_queue.lock: the receive queue (for a listener: its pending embryos) */
  readonly recvLock: KernelLock;
  /** u->iolock: one reader at a time (unix_stream_read_generic, unix_dgram_recvmsg) */
  readonly iolock: KernelLock;
  /** u->bindlock: one bind or autobind at a time */
  readonly bindlock: KernelLock;

  /** the sockfs inode's owner: the creator's fsuid/fsgid (sock_alloc) */
  uid = 0;
  gid = 0;

  constructor(
    readonly net: UnixNet,
    readonly id: number,
    /** SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET (SOCK_RAW already mapped to DGRAM) */
    readonly type: number,
    /** sockfs inode number */
    readonly ino: number,
    /** the network namespace it was created in (sock_net) */
    readonly netns: NetNamespace,
  ) {
    const name = `socket:[${ino}]`;
    this.sendBuf = new SendBuffer(name, net.k.memory, () => this.writeSpace());
    this.recvQueue = new MessageQueue(name, net.k.bug('read-register-once') ? 'register-once' : 'list');
    this.peerWait = new WaitQueue(`${name} peer_wait`);
    // unix_state_double_lock orders by address; the inode number stands for it.
    this.lock = new KernelLock(`${name} u->lock`, 'spin', { lockClass: '&u->lock', order: ino });
    this.recvLock = new KernelLock(`${name} sk_receive_queue.lock`, 'spin', { lockClass: '&sk->sk_receive_queue.lock', order: ino });
    this.iolock = new KernelLock(`${name} u->iolock`, 'mutex', { lockClass: '&u->iolock', order: ino });
    this.bindlock = new KernelLock(`${name} u->bindlock`, 'mutex', { lockClass: '&u->bindlock', order: ino });
    const trace = net.k.sched.trace;
    if (trace.recording) this.recvQueue.onChange = (q) => trace.counter(`${name} queued bytes`, q.bytes);
    this.rcvbuf = net.defaultRcvbuf;
    // What each queue's sleepers wait for (the wake-duty checker, src/kernel/wake-duty.ts, holds the kernel to it).
    this.recvQueue.readers.readyWhen(() => !this.recvQueue.empty || this.err !== 0 || (this.shutdown & RCV_SHUTDOWN) !== 0);
    this.sendBuf.writers.readyWhen(() => this.sendBuf.writable || this.err !== 0 || (this.shutdown & SEND_SHUTDOWN) !== 0);
    this.peerWait.readyWhen(() => this.peerWaitReady());
  }

  /**
   * u->peer_wait's condition: this socket died, or (a listener) its backlog
   * has a free slot, or (datagram) its receive queue is below max_dgram_qlen.
   * Linux wakes it on release, accept, a raised backlog and dgram receive.
   */
  private peerWaitReady(): boolean {
    if (this.dead) return true;
    if (this.isDgram) return this.recvQueue.length <= MAX_DGRAM_QLEN;
    return this.state === 'listening' && !this.listener!.full;
  }

  get connectionOriented(): boolean {
    return this.type === SOCK_STREAM || this.type === SOCK_SEQPACKET;
  }

  /** unix_inq_len of a stream or seqpacket socket: the bytes queued to be read (FIONREAD; a stream's SCM_INQ) */
  get inqLen(): number {
    return this.recvQueue.bytes + this.inqSkew;
  }

  /** unix_may_passcred: either option makes sends carry credentials (and an unbound sender autobind) */
  get mayPasscred(): boolean {
    return this.passcred || this.passpidfd;
  }

  get isDgram(): boolean {
    return this.type === SOCK_DGRAM;
  }

  /**
   * sk_data_ready (sock_def_readable): data or a connection has arrived;
   * the readers are woken and an O_ASYNC owner gets SIGIO, unless a stream
   * reader sleeps for data (SOCK_WAKE_WAITD in sock_wake_async).
   */
  dataReady(): void {
    this.recvQueue.readers.wakeAll(DATA_READY_KEY);
    if (!this.asyncWaitData) this.wakeAsync(POLL_IN);
  }

  /** SOCK_FASYNC: the socket's file has O_ASYNC on */
  private get asyncOn(): boolean {
    return this.file !== null && (this.file.flags & O_ASYNC) !== 0;
  }

  /** sk_set_bit / sk_clear_bit of SOCKWQ_ASYNC_WAITDATA, which change only under SOCK_FASYNC (unix_stream_data_wait) */
  setAsyncWaitData(on: boolean): void {
    if (this.asyncOn) this.asyncWaitData = on;
  }

  /** sock_alloc_send_pskb found no room: sk_set_bit(SOCKWQ_ASYNC_NOSPACE), only under SOCK_FASYNC */
  markNoSpace(): void {
    if (this.asyncOn) this.asyncNoSpace = true;
  }

  /** unix_write_space's sk_wake_async(SOCK_WAKE_SPACE): POLL_OUT once for a writer that found the buffer full */
  private writeSpace(): void {
    if (!this.asyncOn || !this.asyncNoSpace) return;
    this.asyncNoSpace = false;
    this.wakeAsync(POLL_OUT);
  }

  /** sock_fasync: nothing to keep here, since sk_wake_async looks at the file's O_ASYNC (fown.ts) */
  fasync(): void {}

  /** sk_wake_async: an O_ASYNC owner of this socket's file hears of an event (kill_fasync; fown.ts). */
  wakeAsync(reason: number): void {
    sendSigio(this.net.k, this.file, reason);
  }

  /** Wakes everyone who sleeps on this socket's state (sk_state_change): readers, writers, acceptors. */
  stateChanged(): void {
    this.recvQueue.readers.wakeAll();
    this.sendBuf.writers.wakeAll();
    this.listener?.acceptWait.wakeAll();
  }

  // ---- FileOps ----

  read(t: Task, f: OpenFile, io: UserIO): SyscallResult {
    // sock_read_iter: a zero-length read returns 0 before the protocol sees it.
    if (io.total === 0) return 0;
    return sockRecv(t, this, io, 0, (f.flags & O_NONBLOCK) !== 0, null);
  }

  write(t: Task, f: OpenFile, io: UserIO): SyscallResult {
    return sockSend(t, this, io, 0, (f.flags & O_NONBLOCK) !== 0, null);
  }

  /**
   * unix_ioctl: SIOCINQ/FIONREAD (unread bytes; EINVAL on a listener),
   * SIOCATMARK (stream: at the OOB mark; EOPNOTSUPP on the others), SIOCOUTQ (bytes charged),
   * SIOCUNIXFILE (a new fd for the bound file).
   */
  ioctl(t: Task, _f: OpenFile, req: number, arg: number): number {
    let v: number;
    if (req === SIOCUNIXFILE) return this.openBoundFile(t);
    if (req === SIOCGIFINDEX) {
      // sock_ioctl -> dev_ioctl on any socket: struct ifreq { char ifr_name[16]; int ifr_ifindex; }; only lo exists
      const b = t.mm.read(arg, 16);
      if (!b) return -EFAULT;
      const end = b.indexOf(0);
      const name = String.fromCharCode(...b.subarray(0, end < 0 ? 16 : end));
      if (name !== 'lo') return -ENODEV;
      return putU32(t.mm, arg + 16, LOOPBACK_IFINDEX) ? 0 : -EFAULT;
    }
    if (req === FIONREAD) {
      if (this.state === 'listening') return -EINVAL;
      v = this.isDgram ? (this.recvQueue.msgs[0]?.remaining ?? 0) : this.inqLen;
    } else if (req === SIOCATMARK) {
      if (this.type !== SOCK_STREAM) return -EOPNOTSUPP; // only a stream socket has an OOB mark
      // a listener's receive queue holds its pending connections' skbs, which have no data: a mark
      v = this.state === 'listening' ? Number(this.listener!.pending.length > 0) : atMark(this);
    } else if (req === SIOCOUTQ) {
      v = this.sendBuf.wmem;
    } else return -ENOTTY;
    return putU32(t.mm, arg, v) ? 0 : -EFAULT;
  }

  /**
   * unix_open_file: an O_PATH, close-on-exec fd of the file the socket is
   * bound to (an accepted socket: its listener's), even once it is
   * unlinked; CAP_NET_ADMIN only; ENOENT without a file (unbound, abstract).
   */
  private openBoundFile(t: Task): number {
    if (t.creds.euid !== 0) return -EPERM; // root holds every capability
    const inode = this.pathInode;
    const path = this.addr?.path;
    if (!inode || path == null) return -ENOENT;
    const f = t.kernel.files.open(new PathFile(inode, path), O_PATH, inode);
    const fd = t.fds.install(f, true);
    if (fd < 0) f.put();
    return fd;
  }

  poll(): number {
    return this.isDgram ? dgramPoll(this) : pollMask(this);
  }

  pollQueues(): WaitQueue[] {
    if (this.isDgram) return dgramPollQueues(this);
    const qs = [this.recvQueue.readers, this.sendBuf.writers];
    if (this.listener) qs.push(this.listener.acceptWait);
    return qs;
  }

  stat(): StatInfo {
    return { dev: 8, ino: this.ino, mode: S_IFSOCK | this.mode, nlink: 1, uid: this.uid, gid: this.gid, size: 0, blksize: 4096 };
  }

  /** fchown: the sockfs inode's owner (the caller checked chown_ok) */
  chown(_f: OpenFile, uid: number, gid: number): number {
    this.uid = uid;
    this.gid = gid;
    return 0;
  }

  /** fchmod: the sockfs inode's mode, which bind gives the socket file (& ~umask) */
  chmod(_f: OpenFile, mode: number): number {
    this.mode = mode & 0o7777;
    return 0;
  }

  /** sock_error: the pending error, read once and then cleared. */
  takeError(): number {
    const e = this.err;
    this.err = 0;
    return e;
  }

  messageFreed(): void {
    this.net.maybeFree(this);
  }

  /** A reference went and others remain: if they are all in flight, this socket may be garbage now. */
  unref(f: OpenFile): void {
    this.net.inflight.unref(f);
  }

  release(): void {
    this.file = null;
    release(this, false);
  }

  describe(): string {
    return `socket:[${this.ino}]`;
  }

  /** For coverage tuples: type/state, plus the conditions races turn on. */
  coverageState(): string {
    const type = this.type === SOCK_STREAM ? 'stream' : this.type === SOCK_DGRAM ? 'dgram' : 'seqpacket';
    let st = `${type}:${this.state}`;
    if (this.listener) st += this.listener.full ? '+full' : this.listener.pending.length ? '+pending' : '+empty';
    else if (this.state === 'connected') st += this.recvQueue.msgs.length ? '+data' : '+empty';
    if (this.peer?.dead) st += '+peer-closed';
    if (this.shutdown) st += `+shut${this.shutdown}`;
    if (this.err) st += '+error';
    return st;
  }

  /**
   * What an operation on this socket may reach (for dpor): the socket, its
   * peer, and a listener's pending connections with their clients, whose
   * state a close or an accept changes.
   */
  footprintKeys(): string[] {
    const keys = [`s:${this.ino}`];
    if (this.peer) keys.push(`s:${this.peer.ino}`);
    if (this.listener) {
      for (const e of this.listener.pending) {
        keys.push(`s:${e.ino}`);
        if (e.peer) keys.push(`s:${e.peer.ino}`);
      }
    }
    return keys;
  }

  /**
   * As strace -yy shows a unix socket: the protocol's name (Linux's
   * unix_stream_proto is "UNIX-STREAM", datagram and seqpacket sockets use
   * unix_dgram_proto, "UNIX"), the inode, ->the peer's inode, and the name.
   * A peer that is still an embryo in a listener's backlog has no inode yet
   * (sock_diag reports sock_i_ino, 0 before accept grafts a socket), so
   * strace shows no peer for a client until its connection is accepted.
   */
  traceName(): string {
    const proto = this.type === SOCK_STREAM ? 'UNIX-STREAM' : 'UNIX';
    const peer = this.peer && !this.peer.embryoOf ? `->${this.peer.ino}` : '';
    let name = '';
    if (this.addr) {
      const p = this.addr.bytes.subarray(2);
      const text = new TextDecoder().decode(p[0] === 0 ? p.subarray(1) : p.subarray(0, p.indexOf(0) < 0 ? p.length : p.indexOf(0)));
      name = `,${p[0] === 0 ? '@' : ''}${JSON.stringify(text)}`;
    }
    return `${proto}:[${this.ino}${peer}${name}]`;
  }
}
