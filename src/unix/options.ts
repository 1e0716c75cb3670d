// getsockopt/setsockopt at SOL_SOCKET (net/core/sock.c sk_getsockopt /
// sk_setsockopt, with AF_UNIX's SO_PEERCRED and SO_PASSCRED).
import type { AddressSpace } from '../hw/memory.ts';
import { EACCES, EDOM, EFAULT, EINVAL, ENODATA, ENOPROTOOPT, EOPNOTSUPP, EPERM, ERANGE } from '../kernel/errno.ts';
import type { Task } from '../kernel/task.ts';
import { vpid } from '../kernel/namespaces.ts';
import { copyFromUser, copyToUser, getI32, putU32, StructWriter } from '../kernel/uaccess.ts';
import {
  AF_UNIX, HZ, MAX_SCHEDULE_TIMEOUT, RMEM_MAX, SO_ACCEPTCONN, SO_BROADCAST, SO_BSDCOMPAT, SO_BUSY_POLL, SO_DEBUG, SO_DOMAIN,
  SO_BUF_LOCK, SO_DONTROUTE, SO_ERROR, SO_INQ, SO_KEEPALIVE, SO_LINGER, SO_MARK, SO_NETNS_COOKIE, SO_NO_CHECK, SO_OOBINLINE,
  SO_PASSCRED, SO_PASSPIDFD, SO_PASSRIGHTS, SO_PASSSEC, SO_PEERPIDFD, SO_PEEK_OFF, SO_PEERCRED, SO_PEERGROUPS, SO_PRIORITY,
  SO_PROTOCOL, SO_RCVBUF, SO_RCVBUFFORCE, SO_RCVLOWAT, SO_RCVMARK, SO_RCVPRIORITY, SO_RCVTIMEO, SO_RESERVE_MEM, SO_RXQ_OVFL, SO_REUSEADDR,
  SO_REUSEPORT, SO_SNDBUF, SO_SNDBUFFORCE, SO_SNDLOWAT, SO_SNDTIMEO, SO_TIMESTAMP, SO_TIMESTAMPNS, SO_TXREHASH, SO_TYPE,
  SO_ZEROCOPY, SOCK_BUF_LOCK_MASK, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF, SOCK_RCVBUF_LOCK, SOCK_SNDBUF_LOCK, SOCK_STREAM,
  SOL_SOCKET, UCRED_SIZE, WMEM_MAX,
} from './constants.ts';
import type { Socket } from './socket.ts';

/** Options that are only stored and read back, with their defaults. */
const STORED: ReadonlyMap<number, number> = new Map([
  [SO_DEBUG, 0], [SO_REUSEADDR, 0], [SO_DONTROUTE, 0], [SO_BROADCAST, 0], [SO_KEEPALIVE, 0], [SO_OOBINLINE, 0],
  [SO_PRIORITY, 0], [SO_REUSEPORT, 0], [SO_PASSSEC, 0], [SO_NO_CHECK, 0], [SO_MARK, 0], [SO_BUSY_POLL, 0],
  // SOCK_RCVMARK and SOCK_RCVPRIORITY: AF_UNIX receives carry neither SO_MARK nor SO_PRIORITY cmsgs
  [SO_RCVMARK, 0], [SO_RCVPRIORITY, 0],
  // SOCK_RXQ_OVFL: unix_dgram_recvmsg reports no drop count (it calls no sock_recv_drops)
  [SO_RXQ_OVFL, 0],
]);
/** Of those, the ones kept as integers (the rest are booleans) */
const INT_VALUED = new Set([SO_PRIORITY, SO_MARK, SO_BUSY_POLL]);

/** SO_TIMESTAMP and SO_TIMESTAMPNS (the _OLD variants on riscv64): SOCK_RCVTSTAMP and SOCK_RCVTSTAMPNS in `misc` */
const RCVTSTAMP = -1, RCVTSTAMPNS = -2;

const USEC_PER_SEC = 1_000_000n;
/** ticks (ns) per jiffy */
const NS_PER_JIFFY = 1_000_000_000n / HZ;

/** sock_set_timeout: a struct timeval in jiffies, as Linux stores it (0: expire at once; MAX_SCHEDULE_TIMEOUT: never). */
function timeoutJiffies(sec: bigint, usec: bigint): bigint {
  if (sec < 0n) return 0n;
  if ((sec === 0n && usec === 0n) || sec >= MAX_SCHEDULE_TIMEOUT / HZ - 1n) return MAX_SCHEDULE_TIMEOUT;
  const per = USEC_PER_SEC / HZ;
  return sec * HZ + (usec + per - 1n) / per;
}

/** sock_get_timeout: jiffies back to a struct timeval ({0,0} for none). */
function timevalOfJiffies(j: bigint): Uint8Array {
  if (j === MAX_SCHEDULE_TIMEOUT) return new StructWriter(16).u64(0, 0).u64(8, 0).bytes;
  const sec = j / HZ;
  const usec = ((j % HZ) * USEC_PER_SEC) / HZ;
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, sec, true);
  v.setBigInt64(8, usec, true);
  return b;
}

/** The ticks a sleep waits for a timeout of j jiffies: 0 = for ever; an immediate expiry waits one tick. */
function ticksOfJiffies(j: bigint): number {
  if (j === MAX_SCHEDULE_TIMEOUT) return 0;
  if (j === 0n) return 1;
  return Number(j * NS_PER_JIFFY);
}

function int32(v: number): Uint8Array {
  return new StructWriter(4).i32(0, v).bytes;
}


export function getsockopt(t: Task, s: Socket, level: number, opt: number, optval: number, optlenp: number): number {
  const mm = t.mm;
  if (level !== SOL_SOCKET) return -EOPNOTSUPP; // AF_UNIX has no protocol-level options
  const len = getI32(mm, optlenp);
  if (len === null) return -EFAULT;
  if (len < 0) return -EINVAL;
  let v: Uint8Array;
  switch (opt) {
    case SO_TYPE:
      v = int32(s.type);
      break;
    case SO_DOMAIN:
      v = int32(AF_UNIX);
      break;
    case SO_PROTOCOL:
      v = int32(0);
      break;
    case SO_ACCEPTCONN:
      v = int32(s.state === 'listening' ? 1 : 0);
      break;
    case SO_ERROR: {
      // sock_error: reported once, then cleared
      v = int32(s.err);
      s.err = 0;
      break;
    }
    case SO_SNDBUF:
      v = int32(s.sendBuf.sndbuf);
      break;
    case SO_RCVBUF:
      v = int32(s.rcvbuf);
      break;
    case SO_PASSCRED:
      v = int32(s.passcred ? 1 : 0);
      break;
    case SO_PEERCRED: {
      // No peer credentials yet: {0, -1, -1}, not an error.
      const c = s.peercred ?? { pid: 0, uid: -1, gid: -1 };
      // cred_to_ucred: the pid as the caller's pid namespace numbers it, 0 when not visible there
      v = new StructWriter(UCRED_SIZE).i32(0, vpid(t, c.pid)).u32(4, c.uid).u32(8, c.gid).bytes;
      break;
    }
    case SO_RCVTIMEO:
      v = timevalOfJiffies(s.rcvtimeoJiffies);
      break;
    case SO_SNDTIMEO:
      v = timevalOfJiffies(s.sndtimeoJiffies);
      break;
    case SO_PEEK_OFF:
      v = int32(s.peekOff);
      break;
    case SO_PASSPIDFD:
      v = int32(s.passpidfd ? 1 : 0);
      break;
    case SO_PEERPIDFD:
      return peerPidfd(t, s, len, optval, optlenp);
    case SO_PEERGROUPS: {
      // the peer's supplementary groups (sk_get_peer_cred): ERANGE, with the length needed, when they do not fit
      if (!s.peercred) return -ENODATA;
      const groups = s.peercred.groups ?? [];
      const need = 4 * groups.length;
      if (len < need) return putU32(mm, optlenp, need) ? -ERANGE : -EFAULT;
      const w = new StructWriter(need);
      groups.forEach((g, i) => w.u32(4 * i, g));
      if (need > 0 && !copyToUser(mm, optval, w.bytes)) return -EFAULT;
      return putU32(mm, optlenp, need) ? 0 : -EFAULT;
    }
    case SO_RCVLOWAT:
      v = int32(s.rcvlowat);
      break;
    case SO_SNDLOWAT:
      v = int32(1);
      break;
    case SO_BSDCOMPAT:
      v = int32(0); // sk_getsockopt: a no-op option that reads as 0
      break;
    case SO_LINGER: {
      // struct linger { int l_onoff; int l_linger; }: l_linger is sk_lingertime / HZ, cut to an int
      v = new StructWriter(8).i32(0, s.linger ? 1 : 0).i32(4, Number(BigInt.asIntN(32, s.lingerJiffies / HZ))).bytes;
      break;
    }
    case SO_TIMESTAMP:
      v = int32(s.misc.get(RCVTSTAMP) && !s.misc.get(RCVTSTAMPNS) ? 1 : 0);
      break;
    case SO_TIMESTAMPNS:
      v = int32(s.misc.get(RCVTSTAMPNS) ? 1 : 0);
      break;
    case SO_ZEROCOPY:
      v = int32(0);
      break;
    case SO_PASSRIGHTS:
      v = int32(s.passrights ? 1 : 0);
      break;
    case SO_BUF_LOCK:
      v = int32(s.userlocks & SOCK_BUF_LOCK_MASK);
      break;
    case SO_RESERVE_MEM:
      v = int32(0); // sk_reserved_mem: nothing can be reserved on AF_UNIX (see setsockopt)
      break;
    case SO_TXREHASH:
      return -EOPNOTSUPP; // TCP only
    case SO_NETNS_COOKIE: {
      // net->net_cookie, a u64 and nothing shorter or longer; numbered from 1 for the initial namespace
      if (len !== 8) return -EINVAL;
      v = new StructWriter(8).u64(0, s.netns.id + 1).bytes;
      break;
    }
    default: {
      const d = STORED.get(opt);
      if (d === undefined) return -ENOPROTOOPT;
      v = int32(s.misc.get(opt) ?? d);
    }
  }
  // Copy what fits; report how much was copied.
  const n = Math.min(len, v.length);
  if (n > 0 && !copyToUser(mm, optval, v.subarray(0, n))) return -EFAULT;
  return putU32(mm, optlenp, n) ? 0 : -EFAULT;
}

/**
 * SO_PEERPIDFD: installs a pidfd (O_CLOEXEC) of the peer's process as
 * SO_PEERCRED names it, and copies at most an int of its number; ENODATA
 * without a peer.
 */
function peerPidfd(t: Task, s: Socket, len: number, optval: number, optlenp: number): number {
  const n = Math.min(len, 4);
  const pid = s.peercred?.pid ?? 0;
  if (pid <= 0) return -ENODATA;
  const f = t.kernel.pidfds!.open(pid);
  const fd = t.fds.install(f, true);
  if (fd < 0) {
    f.put();
    return fd;
  }
  if ((n > 0 && !copyToUser(t.mm, optval, int32(fd).subarray(0, n))) || !putU32(t.mm, optlenp, n)) {
    t.fds.remove(fd)!.put();
    return -EFAULT;
  }
  return 0;
}

export function setsockopt(t: Task, s: Socket, level: number, opt: number, optval: number, optlen: number): number {
  const mm = t.mm;
  if (optlen < 0) return -EINVAL;
  if (level !== SOL_SOCKET) return -EOPNOTSUPP;
  if (opt === SO_RCVTIMEO || opt === SO_SNDTIMEO) {
    // sock_set_timeout: kept in jiffies (HZ 250) as Linux keeps it, so it reads back rounded as there
    if (optlen < 16) return -EINVAL;
    const b = copyFromUser(mm, optval, 16);
    if (!b) return -EFAULT;
    const dv = new DataView(b.buffer, b.byteOffset);
    const sec = dv.getBigInt64(0, true);
    const usec = dv.getBigInt64(8, true);
    if (usec < 0n || usec >= USEC_PER_SEC) return -EDOM;
    const j = timeoutJiffies(sec, usec);
    if (opt === SO_RCVTIMEO) {
      s.rcvtimeoJiffies = j;
      s.rcvtimeo = ticksOfJiffies(j);
    } else {
      s.sndtimeoJiffies = j;
      s.sndtimeo = ticksOfJiffies(j);
    }
    return 0;
  }
  if (opt === SO_LINGER) {
    if (optlen < 8) return -EINVAL;
    const b = copyFromUser(mm, optval, 8);
    if (!b) return -EFAULT;
    const dv = new DataView(b.buffer, b.byteOffset);
    if (dv.getInt32(0, true) === 0) {
      s.linger = false; // sk_lingertime is left as it was
    } else {
      const sec = BigInt.asUintN(64, BigInt(dv.getInt32(4, true))); // (unsigned long) of the int
      s.lingerJiffies = sec >= MAX_SCHEDULE_TIMEOUT / HZ ? MAX_SCHEDULE_TIMEOUT : sec * HZ;
      s.linger = true;
    }
    return 0;
  }
  if (optlen < 4) return -EINVAL;
  const val = getI32(mm, optval);
  if (val === null) return -EFAULT;
  const privileged = t.creds.euid === 0; // CAP_NET_ADMIN / CAP_NET_RAW: root holds every capability
  switch (opt) {
    case SO_SNDBUFFORCE: {
      // no wmem_max clamp, but CAP_NET_ADMIN; a negative value counts as 0
      if (!privileged) return -EPERM;
      const v = Math.min(Math.max(val, 0), 0x3fffffff);
      s.sendBuf.sndbuf = Math.max(v * 2, SOCK_MIN_SNDBUF);
      s.userlocks |= SOCK_SNDBUF_LOCK;
      s.sendBuf.writers.wakeAll();
      return 0;
    }
    case SO_RCVBUFFORCE: {
      if (!privileged) return -EPERM;
      const v = Math.min(Math.max(val, 0), 0x3fffffff);
      s.rcvbuf = Math.max(v * 2, SOCK_MIN_RCVBUF);
      s.userlocks |= SOCK_RCVBUF_LOCK;
      return 0;
    }
    case SO_PEEK_OFF:
      s.peekOff = val; // unix_set_peek_off: any value; a negative one turns it off
      return 0;
    case SO_RCVLOWAT:
      s.rcvlowat = val < 0 ? 0x7fffffff : val || 1;
      return 0;
    case SO_MARK:
      if (!privileged) return -EPERM;
      break;
    case SO_DEBUG:
      // sk_setsockopt: turning it on needs CAP_NET_ADMIN, and the refusal is EACCES (turning it off is anyone's)
      if (val && !privileged) return -EACCES;
      break;
    case SO_PRIORITY:
      // sk_set_prio_allowed: TC_PRIO_BESTEFFORT (0) to TC_PRIO_INTERACTIVE (6) for anyone, the rest with CAP_NET_RAW or CAP_NET_ADMIN
      if ((val < 0 || val > 6) && !privileged) return -EPERM;
      break;
    case SO_BUSY_POLL:
      // sk_setsockopt (6.x): any non-negative value, raised or not, with no CAP_NET_ADMIN check (older
      // kernels wanted it to raise sk_ll_usec; the running Linux 6.18 lets a user do so)
      if (val < 0) return -EINVAL;
      break;
    case SO_TIMESTAMP:
    case SO_TIMESTAMPNS:
      // sock_set_timestamp: enabling one picks the format; disabling either turns both off
      if (val) {
        s.misc.set(RCVTSTAMP, 1);
        s.misc.set(RCVTSTAMPNS, opt === SO_TIMESTAMPNS ? 1 : 0);
      } else {
        s.misc.set(RCVTSTAMP, 0);
        s.misc.set(RCVTSTAMPNS, 0);
      }
      return 0;
    case SO_ZEROCOPY:
      return -EOPNOTSUPP; // only TCP, UDP and RDS sockets take it
    case SO_PASSRIGHTS:
      s.passrights = val !== 0;
      return 0;
    case SO_INQ:
      // Linux 6.17: stream sockets only (ENOPROTOOPT for the others), and a boolean that is 0 or 1; it cannot be read back
      if (s.type !== SOCK_STREAM) return -ENOPROTOOPT;
      if (optlen !== 4) return -EINVAL; // unix_setsockopt: exactly an int, not at least one
      if (val !== 0 && val !== 1) return -EINVAL;
      s.recvmsgInq = val === 1;
      return 0;
    case SO_BUF_LOCK:
      if (val & ~SOCK_BUF_LOCK_MASK) return -EINVAL;
      s.userlocks = (s.userlocks & ~SOCK_BUF_LOCK_MASK) | val;
      return 0;
    case SO_RESERVE_MEM:
      // sock_reserve_memory: AF_UNIX has no memory accounting to reserve from
      return val < 0 ? -EINVAL : -EOPNOTSUPP;
    case SO_TXREHASH:
      return -EOPNOTSUPP;
    case SO_BSDCOMPAT:
      return 0; // sk_setsockopt takes it and does nothing
    case SO_REUSEPORT:
      // sk_setsockopt (Linux 6.12 on): only inet sockets may turn it on; turning it off is stored
      if (val) return -EOPNOTSUPP;
      break;
  }
  switch (opt) {
    case SO_SNDBUF: {
      // Stored doubled, clamped to wmem_max first (compared as u32), at least SOCK_MIN_SNDBUF.
      const v = Math.min(val >>> 0, WMEM_MAX);
      s.sendBuf.sndbuf = Math.max(v * 2, SOCK_MIN_SNDBUF);
      s.userlocks |= SOCK_SNDBUF_LOCK; // __sock_set_sndbuf
      // sk_write_space: a larger buffer may unblock writers.
      s.sendBuf.writers.wakeAll();
      return 0;
    }
    case SO_RCVBUF: {
      const v = Math.min(val >>> 0, RMEM_MAX);
      s.rcvbuf = Math.max(v * 2, SOCK_MIN_RCVBUF);
      s.userlocks |= SOCK_RCVBUF_LOCK; // __sock_set_rcvbuf
      return 0;
    }
    case SO_PASSCRED:
      s.passcred = val !== 0;
      return 0;
    case SO_PASSPIDFD:
      s.passpidfd = val !== 0;
      return 0;
    default:
      if (!STORED.has(opt)) return -ENOPROTOOPT; // includes the read-only SO_TYPE, SO_ERROR, SO_PEERCRED ...
      s.misc.set(opt, INT_VALUED.has(opt) ? val : val ? 1 : 0);
      return 0;
  }
}
