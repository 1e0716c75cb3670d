// The socket syscalls (riscv64 numbers): argument checks in the order
// net/socket.c makes them, then the AF_UNIX operations.
import { O_NONBLOCK, O_RDWR } from '../kernel/abi.ts';
import {
  EAFNOSUPPORT, EAGAIN, EBADF, EFAULT, EINVAL, EMFILE, ENOTCONN, ENOTSOCK, EOPNOTSUPP, EPROTONOSUPPORT, ESOCKTNOSUPPORT,
} from '../kernel/errno.ts';
import { fdget, fdgetUnheld } from '../kernel/fdget.ts';
import { readTimespecTicks, writeTimespecTicks } from '../kernel/syscalls/poll.ts';
import type { OpenFile } from '../kernel/file.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { KernelYield, SyscallGen, SyscallResult } from '../kernel/syscall.ts';
import type { Task } from '../kernel/task.ts';
import { putU32, StructWriter } from '../kernel/uaccess.ts';
import { UIO_MAXIOV, UserIO } from '../kernel/userio.ts';
import { copyAddrIn, copyAddrOut, parseAddr, UNNAMED } from './address.ts';
import {
  AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, MSG_CMSG_CLOEXEC, MSG_CTRUNC, MSG_DONTWAIT, MSG_OOB, MSG_TRUNC, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_MAX,
  SCM_INQ, SOCK_NONBLOCK, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM, SOCK_TYPE_MASK, SOL_SOCKET,
} from './constants.ts';
import { ControlWriter, newScmRecv, parseControl, ZEROED_COOKIE_CREDS, type ScmSend } from './cmsg.ts';
import { dgramConnect } from './dgram.ts';
import { accept, connect, listen } from './listener.ts';
import { copyControlIn, copyNameIn, msgIov, readMsghdr, writeRecvResult } from './msghdr.ts';
import type { UnixNet } from './namespace.ts';
import { getsockopt, setsockopt } from './options.ts';
import { credOf, Socket } from './socket.ts';
import { connectPair, release, seqpacketSendCheck, shutdown, sockRecv, sockSend, type RecvFrom } from './stream.ts';

/** NPROTO: address families Linux knows the numbers of. */
const NPROTO = 46;
/** families Linux implements but this model does not: socketpair on them is EOPNOTSUPP, as on Linux */
const OTHER_FAMILIES = new Set([AF_INET, AF_INET6, AF_NETLINK, AF_PACKET]);

/**
 * The socket behind fd (sockfd_lookup_light): the file, held by the call
 * until it returns (fdget.ts), and the socket; or -EBADF / -ENOTSOCK.
 */
function sockFd(t: Task, fd: number): [OpenFile, Socket] | number {
  const f = t.kernel.bug('fdget-no-ref') ? fdgetUnheld(t, fd) : fdget(t, fd);
  if (!f) return -EBADF;
  if (!(f.ops instanceof Socket)) return -ENOTSOCK;
  return [f, f.ops];
}

/** Runs a result (value or generator) to completion, then maps it. */
function* then(r: SyscallResult, fn: (v: number) => SyscallResult): SyscallGen {
  const v = typeof r === 'number' ? r : yield* r;
  const out = fn(v);
  return typeof out === 'number' ? out : yield* out;
}

/**
 * Checks socket()/socketpair() arguments in Linux's order (__sys_socket,
 * __sock_create, unix_create); the AF_UNIX type to create, or -errno.
 */
function checkCreate(domain: number, type: number, protocol: number, pair: boolean): number {
  if (type & ~SOCK_TYPE_MASK & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
  const base = type & SOCK_TYPE_MASK;
  if (domain < 0 || domain >= NPROTO) return -EAFNOSUPPORT;
  if (base >= SOCK_MAX) return -EINVAL;
  if (domain !== AF_UNIX) return pair && OTHER_FAMILIES.has(domain) ? -EOPNOTSUPP : -EAFNOSUPPORT;
  if (protocol !== 0 && protocol !== AF_UNIX) return -EPROTONOSUPPORT;
  switch (base) {
    case SOCK_STREAM:
    case SOCK_SEQPACKET:
    case SOCK_DGRAM:
      return base;
    case SOCK_RAW:
      return SOCK_DGRAM; // unix_create: SOCK_RAW silently becomes SOCK_DGRAM
    default:
      return -ESOCKTNOSUPPORT;
  }
}

function openSocket(k: Kernel, s: Socket, nonblock: boolean, t: Task): OpenFile {
  const f = k.files.open(s, O_RDWR | (nonblock ? O_NONBLOCK : 0));
  s.file = f;
  // sock_alloc: the sockfs inode belongs to whoever made this file (socket, socketpair, accept)
  s.uid = t.creds.euid;
  s.gid = t.creds.egid;
  return f;
}

export function registerSocketCalls(k: Kernel, net: UnixNet): void {
  const d = k.table.define.bind(k.table);

  d(198, 'socket', ['int', 'hex', 'int'], (t, [domain, type, protocol]) => {
    const base = checkCreate(domain, type, protocol, false);
    if (base < 0) return base;
    const f = openSocket(k, net.newSocket(base, t.nsproxy.net), (type & SOCK_NONBLOCK) !== 0, t);
    const fd = t.fds.install(f, (type & SOCK_CLOEXEC) !== 0);
    if (fd < 0) f.put();
    return fd;
  });

  d(199, 'socketpair', ['int', 'hex', 'int', 'ptr'], (t, [domain, type, protocol, sv]) => {
    if (type & ~SOCK_TYPE_MASK & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
    // __sys_socketpair reserves both fds and writes them before creating the sockets.
    if (t.fds.freeCount() < 2) return -EMFILE;
    if (!t.mm.check(sv, 8, 2)) return -EFAULT;
    const base = checkCreate(domain, type, protocol, true);
    if (base < 0) return base;
    const a = net.newSocket(base, t.nsproxy.net);
    const b = net.newSocket(base, t.nsproxy.net);
    connectPair(a, b, credOf(t));
    const nonblock = (type & SOCK_NONBLOCK) !== 0;
    const cloexec = (type & SOCK_CLOEXEC) !== 0;
    const fa = openSocket(k, a, nonblock, t);
    const fb = openSocket(k, b, nonblock, t);
    const fd0 = t.fds.install(fa, cloexec);
    const fd1 = t.fds.install(fb, cloexec);
    putU32(t.mm, sv, fd0);
    putU32(t.mm, sv + 4, fd1);
    return 0;
  });

  d(200, 'bind', ['fd', 'sockaddr', 'int'], (t, [fd, uaddr, addrlen]) => {
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    const b = copyAddrIn(t.mm, uaddr, addrlen);
    if (typeof b === 'number') return b;
    const a = parseAddr(b, true);
    if (typeof a === 'number') return a;
    const sk = r[1];
    return sk.bindlock.withLock(t, () => net.bind(t, sk, a)); // u->bindlock (unix_bind_bsd, unix_bind_abstract, unix_autobind)
  });

  d(201, 'listen', ['fd', 'int'], (t, [fd, backlog]) => {
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    const sk = r[1];
    return sk.lock.withLock(t, () => listen(t, sk, backlog)); // unix_listen: unix_state_lock(sk)
  });

  d(203, 'connect', ['fd', 'sockaddr', 'int'], (t, [fd, uaddr, addrlen]) => {
    // __sys_connect: fdget, move_addr_to_kernel, then sock_from_file in __sys_connect_file, so a bad address on
    // an open fd that is no socket is EFAULT or EINVAL before ENOTSOCK (bind and sendto look the socket up first)
    const r = sockFd(t, fd);
    if (r === -EBADF) return r;
    const b = copyAddrIn(t.mm, uaddr, addrlen);
    if (typeof b === 'number') return b;
    if (typeof r === 'number') return r;
    const [f, s] = r;
    if (s.isDgram) return dgramConnect(t, s, b);
    // unix_stream_connect: family != AF_UNIX (AF_UNSPEC included) or addrlen <= 2 is EINVAL.
    const a = parseAddr(b, false);
    if (typeof a === 'number') return a;
    return connect(t, s, a, (f.flags & O_NONBLOCK) !== 0);
  });

  function* doAccept(t: Task, fd: number, uaddr: number, ulen: number, flags: number): SyscallGen {
    if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) return -EINVAL;
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    const [f, s] = r;
    // __sys_accept4 reserves the new fd before waiting.
    if (t.fds.freeCount() < 1) return -EMFILE;
    const e = yield* accept(t, s, (f.flags & O_NONBLOCK) !== 0);
    if (typeof e === 'number') return e;
    let owned = false;
    try {
      // unix_state_lock(tsk) to graft it (sock_graft: from here sends see a struct socket, and add
      // credentials only for its flags); the connection is off the queue but not yet in the fd table.
      // It took its SCM flags from the listener at connect; O_NONBLOCK is not inherited.
      yield* e.lock.acquire(t);
      owned = true;
      const nf = openSocket(k, e, (flags & SOCK_NONBLOCK) !== 0, t);
      e.lock.release(t);
      if (uaddr !== 0) {
        const err = copyAddrOut(t.mm, uaddr, ulen, e.peer?.addr?.bytes ?? UNNAMED.bytes);
        if (err) {
          nf.put();
          return err;
        }
      }
      const nfd = t.fds.install(nf, (flags & SOCK_CLOEXEC) !== 0);
      if (nfd < 0) nf.put();
      return nfd;
    } finally {
      if (!owned) release(e, false); // the task died at the preemption point
    }
  }

  d(202, 'accept', ['fd', 'ptr', 'ptr'], (t, [fd, uaddr, ulen]) => doAccept(t, fd, uaddr, ulen, 0));
  d(242, 'accept4', ['fd', 'ptr', 'ptr', 'hex'], (t, [fd, uaddr, ulen, flags]) => doAccept(t, fd, uaddr, ulen, flags));

  d(204, 'getsockname', ['fd', 'ptr', 'ptr'], (t, [fd, uaddr, ulen]) => {
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    return copyAddrOut(t.mm, uaddr, ulen, r[1].addr?.bytes ?? UNNAMED.bytes);
  });

  d(205, 'getpeername', ['fd', 'ptr', 'ptr'], (t, [fd, uaddr, ulen]) => {
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    // unix_getname(peer): the peer pointer survives the peer's close, as in Linux.
    const peer = r[1].peer;
    if (!peer) return -ENOTCONN;
    return copyAddrOut(t.mm, uaddr, ulen, peer.addr?.bytes ?? UNNAMED.bytes);
  });

  // __sys_sendto and __sys_recvfrom import the buffer (access_ok) before they look the fd up.
  d(206, 'sendto', ['fd', 'bufIn', 'size', 'hex', 'sockaddr', 'int'], (t, [fd, buf, len, flags, uaddr, addrlen]) => {
    const io = UserIO.buffer(t.mm, buf, len);
    if (typeof io === 'number') return io;
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    const [f, s] = r;
    let addr: Uint8Array | null = null;
    if (uaddr !== 0) {
      const b = copyAddrIn(t.mm, uaddr, addrlen);
      if (typeof b === 'number') return b;
      addr = b;
    }
    const noblock = (flags & MSG_DONTWAIT) !== 0 || (f.flags & O_NONBLOCK) !== 0;
    return sockSend(t, s, io, flags, noblock, addr);
  });

  d(207, 'recvfrom', ['fd', 'bufOut', 'size', 'hex', 'ptr', 'ptr'], (t, [fd, buf, len, flags, uaddr, ulen]) => {
    const io = UserIO.buffer(t.mm, buf, len);
    if (typeof io === 'number') return io;
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    const [f, s] = r;
    const noblock = (flags & MSG_DONTWAIT) !== 0 || (f.flags & O_NONBLOCK) !== 0;
    const out: RecvFrom = { from: null };
    return then(sockRecv(t, s, io, flags, noblock, out), (v) => {
      if (v < 0 || uaddr === 0) return v;
      // The sender's current name; an unbound sender (or no data) gives addrlen 0.
      const err = copyAddrOut(t.mm, uaddr, ulen, out.from?.addr?.bytes ?? null);
      return err || v;
    });
  });

  // sendmsg(2): ____sys_sendmsg's order: the header, the iovecs, the control
  // buffer, then the protocol (which parses the control data first, as
  // unix_stream_sendmsg's scm_send does).
  d(211, 'sendmsg', ['fd', 'ptr', 'hex'], (t, [fd, umsg, flags]) => sendOne(t, fd, umsg, flags, null));

  /** One sendmsg: the socket, the header at umsg, and the send; in a batch, whether data was left unsent. */
  function sendOne(t: Task, fd: number, umsg: number, flags: number, entry: Entry | null): SyscallResult {
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    const [f, s] = r;
    const h = readMsghdr(t.mm, umsg);
    if (typeof h === 'number') return h;
    const io = msgIov(t.mm, h);
    if (typeof io === 'number') return io;
    const ctl = copyControlIn(t.mm, h);
    if (typeof ctl === 'number') return ctl;
    const addr = copyNameIn(t.mm, h);
    if (typeof addr === 'number') return addr;
    // unix_seqpacket_sendmsg checks the error and the state before unix_dgram_sendmsg's scm_send
    const early = s.type === SOCK_SEQPACKET ? seqpacketSendCheck(s) : 0;
    if (early) return early;
    const scm = parseControl(t, ctl);
    if (typeof scm === 'number') return scm;
    const noblock = (flags & MSG_DONTWAIT) !== 0 || (f.flags & O_NONBLOCK) !== 0;
    const sent = sendWithScm(t, s, io, flags, noblock, addr, scm);
    if (entry === null) return sent;
    return then(sent, (v) => {
      entry.last = v >= 0 && v < io.total;
      return v;
    });
  }

  /** Runs the send, then drops the file references no message took (scm_destroy), also if the task dies. */
  function* sendWithScm(t: Task, s: Socket, io: UserIO, flags: number, noblock: boolean, addr: Uint8Array | null, scm: ScmSend): SyscallGen {
    try {
      const r = sockSend(t, s, io, flags, noblock, addr, scm);
      return typeof r === 'number' ? r : yield* r;
    } finally {
      if (scm.files) {
        const files = scm.files;
        scm.files = null;
        if (!k.bug('scm-send-no-ref')) net.inflight.putFiles(files);
      }
    }
  }

  // recvmsg(2): the data, then scm_recv (credentials before SCM_RIGHTS), then
  // msg_name, msg_flags and msg_controllen written back; on error the header is untouched.
  d(212, 'recvmsg', ['fd', 'ptr', 'hex'], (t, [fd, umsg, flags]) => recvOne(t, fd, umsg, flags, null));

  /** One recvmsg into the header at umsg; in a batch, whether it took out-of-band data. */
  function recvOne(t: Task, fd: number, umsg: number, flags: number, entry: Entry | null): SyscallResult {
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    const [f, s] = r;
    const h = readMsghdr(t.mm, umsg);
    if (typeof h === 'number') return h;
    const io = msgIov(t.mm, h);
    if (typeof io === 'number') return io;
    const noblock = (flags & MSG_DONTWAIT) !== 0 || (f.flags & O_NONBLOCK) !== 0;
    const out: RecvFrom = { from: null, scm: newScmRecv() };
    return then(sockRecv(t, s, io, flags, noblock, out), function* (v) {
      const scm = out.scm!;
      // unix_peek_fds on the mark-and-sweep kernels: take and drop unix_gc_lock before installing (CVE-2021-0920's fix)
      if (scm.files) yield* net.inflight.peekBarrier(t);
      if (v < 0) {
        if (scm.files) net.inflight.putFiles(scm.files);
        return v;
      }
      let msgFlags = flags & MSG_CMSG_CLOEXEC;
      if (scm.trunc) msgFlags |= MSG_TRUNC;
      if (out.oob) msgFlags |= MSG_OOB;
      if (entry !== null) entry.last = out.oob === true;
      const cw = new ControlWriter(t.mm, h.control, h.controllen);
      // scm_recv runs once a datagram was taken (which filled in its credentials or files), and after every
      // stream read, even one that read nothing (EOF), but an MSG_OOB one (unix_stream_recv_urg returns first)
      const scmRan = s.type === SOCK_STREAM ? !out.oob : scm.creds !== null || scm.files !== null;
      if (scmRan && h.control === 0) {
        // scm_recv without a control buffer: whatever would have gone there is lost
        if (s.mayPasscred || scm.files) cw.ctrunc = true;
        if (scm.files) net.inflight.putFiles(scm.files);
      } else if (scmRan) {
        // scm_recv after a stream read that took nothing (EOF) still sends credentials: the zeroed cookie's
        const creds = scm.creds ?? (s.type === SOCK_STREAM ? ZEROED_COOKIE_CREDS : null);
        if (s.passcred && creds) cw.putCreds(t, creds);
        if (scm.files) cw.detachFds(t, scm.files, (flags & MSG_CMSG_CLOEXEC) !== 0, (fs) => net.inflight.putFiles(fs));
        // scm_pidfd_recv, after the credentials and the files: a pidfd of the sender's process
        if (s.passpidfd && scm.creds && scm.creds.pid > 0) cw.putPidfd(t, scm.creds.pid);
      }
      // SO_INQ: unix_stream_read_generic ends with SCM_INQ, the bytes still queued (not after an OOB read)
      if (s.recvmsgInq && !out.oob) cw.put(SOL_SOCKET, SCM_INQ, new StructWriter(4).i32(0, s.inqLen).bytes);
      if (cw.ctrunc) {
        msgFlags |= MSG_CTRUNC;
        k.coverage?.add('recvmsg', 'socket/control-short', 'MSG_CTRUNC');
      }
      if (h.name !== 0) {
        // unix_copy_addr: the sender's current name, or namelen 0 (msg_namelen is at +8 of the header)
        const err = copyAddrOut(t.mm, h.name, umsg + 8, out.from?.addr?.bytes ?? null);
        if (err) return err;
      }
      return writeRecvResult(t.mm, umsg, msgFlags, cw.written) || v;
    });
  }

  // sendmmsg(2)/recvmmsg(2): struct mmsghdr is a msghdr (56 bytes) and its msg_len (u32 at +56), 64 bytes
  // each. As __sys_sendmmsg/do_recvmmsg do: at most UIO_MAXIOV entries; stop at the first error, which
  // is returned only if nothing was transferred; MSG_WAITFORONE makes every receive after the first
  // nonblocking.
  const MMSG_SIZE = 64;
  const MSG_WAITFORONE = 0x10000;
  const MSG_ERRQUEUE = 0x2000;

  /** What one entry of a batch reports besides its result: the batch ends after it. */
  interface Entry { last: boolean }

  /** Runs one() on each entry; the count, or the first error if there is none, and that error. */
  function* batch(
    t: Task, vec: number, vlen: number, one: (umsg: number, i: number, e: Entry) => SyscallResult, expired?: () => boolean,
  ): Generator<KernelYield, [number, number], void> {
    const n = Math.min(vlen >>> 0, UIO_MAXIOV);
    const e: Entry = { last: false };
    let done = 0;
    let err = 0;
    for (let i = 0; i < n; i++) {
      const r = one(vec + i * MMSG_SIZE, i, e);
      const v = typeof r === 'number' ? r : yield* r;
      if (v < 0) {
        err = v;
        break;
      }
      if (!putU32(t.mm, vec + i * MMSG_SIZE + 56, v)) {
        err = -EFAULT;
        break;
      }
      done++;
      if (e.last || expired?.()) break;
    }
    return [done > 0 ? done : err, err];
  }

  // __sys_sendmmsg: a message sent only in part (msg_data_left) ends the batch.
  d(269, 'sendmmsg', ['fd', 'ptr', 'uint', 'hex'], function* (t, [fd, vec, vlen, flags]) {
    const [v] = yield* batch(t, vec, vlen, (umsg, _i, e) => sendOne(t, fd, umsg, flags, e));
    return v;
  });
  // recvmmsg's timeout (do_recvmmsg) is looked at only after each datagram: once it has run out the
  // call returns what it has; the time left is written back. A bad timespec is EINVAL at once. A
  // message with MSG_OOB in its msg_flags ends the batch; an error after some messages (but EAGAIN)
  // is kept in sk_err for the next call or SO_ERROR, without a wake (do_recvmmsg sets it directly),
  // and a pending sk_err is returned before any message is taken.
  d(243, 'recvmmsg', ['fd', 'ptr', 'uint', 'hex', 'ptr'], function* (t, [fd, vec, vlen, flags, tmo]) {
    let end = -1;
    if (tmo !== 0) {
      const ticks = readTimespecTicks(t, tmo);
      if (ticks < 0) return ticks;
      end = k.sched.clock.now + ticks;
    }
    // do_recvmmsg: a pending error (sk_err) is the whole call's answer, taken before any message
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    if (!(flags & MSG_ERRQUEUE) && r[1].err) return -r[1].takeError();
    const expired = end < 0 ? undefined : () => k.sched.clock.now >= end;
    const each = (umsg: number, i: number, e: Entry) => recvOne(t, fd, umsg, i > 0 && flags & MSG_WAITFORONE ? flags | MSG_DONTWAIT : flags, e);
    const [v, err] = yield* batch(t, vec, vlen, each, expired);
    if (v > 0 && err < 0 && err !== -EAGAIN) r[1].err = -err;
    if (v <= 0 || end < 0) return v;
    return writeTimespecTicks(t, tmo, Math.max(0, end - k.sched.clock.now)) ? v : -EFAULT;
  });

  d(208, 'setsockopt', ['fd', 'int', 'int', 'ptr', 'int'], (t, [fd, level, opt, optval, optlen]) => {
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    return setsockopt(t, r[1], level, opt, optval, optlen);
  });

  d(209, 'getsockopt', ['fd', 'int', 'int', 'ptr', 'ptr'], (t, [fd, level, opt, optval, optlenp]) => {
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    return getsockopt(t, r[1], level, opt, optval, optlenp);
  });

  d(210, 'shutdown', ['fd', 'int'], (t, [fd, how]) => {
    const r = sockFd(t, fd);
    if (typeof r === 'number') return r;
    return shutdown(t, r[1], how);
  });
}
