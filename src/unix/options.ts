// getsockopt/setsockopt at SOL_SOCKET (net/core/sock.c sk_getsockopt /
// sk_setsockopt, with AF_UNIX's SO_PEERCRED and SO_PASSCRED).
import type { AddressSpace } from '../hw/memory.ts';
import { EDOM, EFAULT, EINVAL, ENOPROTOOPT, EOPNOTSUPP } from '../kernel/errno.ts';
import { copyFromUser, copyToUser, getI32, putU32, StructWriter } from '../kernel/uaccess.ts';
import {
  AF_UNIX, RMEM_MAX, SO_ACCEPTCONN, SO_BROADCAST, SO_DEBUG, SO_DOMAIN, SO_DONTROUTE, SO_ERROR, SO_KEEPALIVE,
  SO_OOBINLINE, SO_PASSCRED, SO_PEERCRED, SO_PRIORITY, SO_PROTOCOL, SO_RCVBUF, SO_RCVLOWAT, SO_RCVTIMEO,
  SO_REUSEADDR, SO_REUSEPORT, SO_SNDBUF, SO_SNDLOWAT, SO_SNDTIMEO, SO_TYPE, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF,
  SOL_SOCKET, UCRED_SIZE, WMEM_MAX,
} from './constants.ts';
import type { Socket } from './socket.ts';

/** Options that are only stored and read back, with their defaults. */
const STORED: ReadonlyMap<number, number> = new Map([
  [SO_DEBUG, 0], [SO_REUSEADDR, 0], [SO_DONTROUTE, 0], [SO_BROADCAST, 0], [SO_KEEPALIVE, 0], [SO_OOBINLINE, 0],
  [SO_PRIORITY, 0], [SO_REUSEPORT, 0], [SO_RCVLOWAT, 1], [SO_SNDLOWAT, 1],
]);

const NS_PER_SEC = 1e9;

function int32(v: number): Uint8Array {
  return new StructWriter(4).i32(0, v).bytes;
}

/** struct __kernel_old_timeval (riscv64 SO_RCVTIMEO/SO_SNDTIMEO are the _OLD variants): 16 bytes. */
function timeval(ticks: number): Uint8Array {
  const sec = Math.floor(ticks / NS_PER_SEC);
  return new StructWriter(16).u64(0, sec).u64(8, Math.floor((ticks - sec * NS_PER_SEC) / 1000)).bytes;
}

export function getsockopt(mm: AddressSpace, s: Socket, level: number, opt: number, optval: number, optlenp: number): number {
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
      // sock_error: reported once, then cleared (item 130)
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
      // No peer credentials yet: {0, -1, -1}, not an error (item 127).
      const c = s.peercred ?? { pid: 0, uid: -1, gid: -1 };
      v = new StructWriter(UCRED_SIZE).i32(0, c.pid).u32(4, c.uid).u32(8, c.gid).bytes;
      break;
    }
    case SO_RCVTIMEO:
      v = timeval(s.rcvtimeo);
      break;
    case SO_SNDTIMEO:
      v = timeval(s.sndtimeo);
      break;
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

export function setsockopt(mm: AddressSpace, s: Socket, level: number, opt: number, optval: number, optlen: number): number {
  if (optlen < 0) return -EINVAL;
  if (level !== SOL_SOCKET) return -EOPNOTSUPP;
  if (opt === SO_RCVTIMEO || opt === SO_SNDTIMEO) {
    // sock_set_timeout
    if (optlen < 16) return -EINVAL;
    const b = copyFromUser(mm, optval, 16);
    if (!b) return -EFAULT;
    const dv = new DataView(b.buffer, b.byteOffset);
    const sec = Number(dv.getBigInt64(0, true));
    const usec = Number(dv.getBigInt64(8, true));
    if (usec < 0 || usec >= 1_000_000) return -EDOM;
    // {0,0} means no timeout; a negative time means "expire at once" (one tick here).
    const ticks = sec < 0 ? 1 : sec * NS_PER_SEC + usec * 1000;
    if (opt === SO_RCVTIMEO) s.rcvtimeo = ticks;
    else s.sndtimeo = ticks;
    return 0;
  }
  if (optlen < 4) return -EINVAL;
  const val = getI32(mm, optval);
  if (val === null) return -EFAULT;
  switch (opt) {
    case SO_SNDBUF: {
      // Stored doubled, clamped to wmem_max first (compared as u32), at least SOCK_MIN_SNDBUF (item 69).
      const v = Math.min(val >>> 0, WMEM_MAX);
      s.sendBuf.sndbuf = Math.max(v * 2, SOCK_MIN_SNDBUF);
      // sk_write_space: a larger buffer may unblock writers (item 70).
      s.sendBuf.writers.wakeAll();
      return 0;
    }
    case SO_RCVBUF: {
      const v = Math.min(val >>> 0, RMEM_MAX);
      s.rcvbuf = Math.max(v * 2, SOCK_MIN_RCVBUF);
      return 0;
    }
    case SO_PASSCRED:
      s.passcred = val !== 0;
      return 0;
    default:
      if (!STORED.has(opt)) return -ENOPROTOOPT; // includes the read-only SO_TYPE, SO_ERROR, SO_PEERCRED ...
      s.misc.set(opt, opt === SO_PRIORITY || opt === SO_RCVLOWAT || opt === SO_SNDLOWAT ? val : val ? 1 : 0);
      return 0;
  }
}
