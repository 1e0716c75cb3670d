// strace's decoding of syscall arguments and results, for the trace's
// events (only when the run records them; the trace hash never depends on
// this). Like strace, a decoder prints at entry what the call reads
// ("read(3, ") and at exit what it wrote ("\"hi\", 2"), so a call that
// sleeps can be shown as `<unfinished ...>` / `<... read resumed>`.
// Calls without a decoder of their own are shown from their argument
// kinds (syscall.ts). Name tables live in strace-names.ts.
import type { AddressSpace } from '../hw/memory.ts';
import { FD_NOTE_CLOSE, FD_NOTE_OPEN } from '../sched/trace.ts';
import { signalName } from './signal.ts';
import {
  ADDRESS_FAMILIES, CLONE_FLAGS, IOCTL_REQUESTS, IOC_DIRS, EPOLL_CREATE_FLAGS, EPOLL_EVENTS, EPOLL_OPS, ERRNO_TEXT, FCNTL_COMMANDS, FD_FLAGS,
  MSG_FLAGS, OPEN_ACCMODE, OPEN_FLAGS, POLL_EVENTS, RESTART_TEXT, SA_FLAGS, SCM_TYPES, SHUTDOWN_HOW, SIGPROCMASK_HOW,
  SOCK_FLAGS, EFD_FLAGS, SFD_FLAGS, TFD_FLAGS, TFD_SETTIME_FLAGS, CLOCK_IDS, SOCK_TYPES, SOCKET_LEVELS, SOCKET_OPTIONS, WAIT_OPTIONS, WAITID_TYPES, CLD_CODES, flagsOf, nameOf, type Names,
} from './strace-names.ts';
import { errnoName } from './errno.ts';
import type { SyscallDef } from './syscall.ts';
import type { Task } from './task.ts';
import { getI32, getI64, getU32, getU64, readCString } from './uaccess.ts';

/** strace's default -s: strings are shown up to 32 bytes, then "..." */
const MAX_STR = 32;
/** arrays (iovecs, cmsg fds, poll fds) are shown up to this many elements, then "..." */
const MAX_ELEMS = 32;

/** What a decoder sees: the task (its memory and fd table) and the decoded argument registers. */
export interface CallView {
  readonly t: Task;
  readonly a: readonly number[];
  readonly mm: AddressSpace;
  /** per-call scratch: what the entry saw that the exit needs (accept's addrlen, say) */
  saved: number[];
}

export interface Decoder {
  /** the arguments strace prints at entry, with ", " after the last when exit prints more */
  enter(c: CallView): string;
  /** the arguments printed at exit, after the entry's */
  exit?(c: CallView, ret: number): string;
  /** the result when it is more than the number ("0x2 (flags O_RDWR)") */
  result?(c: CallView, ret: number): string | undefined;
  /** the result is a new fd (shown with what it refers to, as strace -y does) */
  returnsFd?: boolean;
}

const DECODERS = new Map<string, Decoder>();

/** Adds (or replaces) the decoder for a syscall name. */
export function defineDecoder(name: string, d: Decoder): void {
  DECODERS.set(name, d);
}

export function decoderFor(def: SyscallDef): Decoder {
  return DECODERS.get(def.name) ?? kindDecoder(def);
}

/** The text after " = " for a finished call. */
export function callResult(d: Decoder, c: CallView, ret: number): string {
  const special = d.result?.(c, ret);
  if (special !== undefined) return special;
  return d.returnsFd && ret >= 0 ? fd(c, ret) : resultText(ret);
}

// ---- value printers ----

const hex = (v: number) => `0x${v.toString(16)}`;
const ptr = (v: number) => (v === 0 ? 'NULL' : hex(v));

/** strace's string quoting: C escapes, octal for other bytes, "..." after the quote when cut. */
export function quoteBytes(b: Uint8Array, full = b.length, max = MAX_STR): string {
  let s = '"';
  const n = Math.min(b.length, max);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x09) s += '\\t';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x0b) s += '\\v';
    else if (c === 0x0c) s += '\\f';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else {
      const next = i + 1 < n ? b[i + 1] : -1;
      // the shortest octal escape, unless a digit follows
      s += '\\' + (next >= 0x30 && next <= 0x37 ? c.toString(8).padStart(3, '0') : c.toString(8));
    }
  }
  return s + '"' + (full > max ? '...' : '');
}

function str(mm: AddressSpace, addr: number, len: number): string {
  if (len <= 0) return '""';
  const b = mm.read(addr, Math.min(len, MAX_STR));
  return b ? quoteBytes(b, len) : hex(addr);
}

function pathArg(mm: AddressSpace, addr: number): string {
  const s = readCString(mm, addr);
  return typeof s === 'string' ? quoteBytes(new TextEncoder().encode(s), Infinity, 4096).replace(/\.\.\.$/, '') : ptr(addr);
}

/** An fd, with what it refers to as an fd note (shown by the text renderer's fdPaths option, strace -yy). */
function fd(c: CallView, v: number): string {
  const f = v >= 0 ? c.t.fds.get(v) : undefined;
  if (!f) return String(v);
  return `${v}${FD_NOTE_OPEN}${f.ops.traceName?.(f) ?? f.ops.describe(f)}${FD_NOTE_CLOSE}`;
}

function dirfd(c: CallView, v: number): string {
  return v === -100 ? 'AT_FDCWD' : fd(c, v);
}

function named(table: Names, v: number): string {
  return nameOf(table, v) ?? String(v);
}

function sig(v: number): string {
  return v > 0 && v < 65 ? signalName(v) : String(v);
}

/** struct sockaddr_un as strace prints it: {sa_family=AF_UNIX, sun_path="/tmp/s"} or sun_path=@"abstract". */
export function sockaddr(mm: AddressSpace, addr: number, len: number): string {
  if (addr === 0) return 'NULL';
  if (len < 2) return hex(addr);
  const b = mm.read(addr, Math.min(len, 128));
  if (!b) return hex(addr);
  const family = b[0] | (b[1] << 8);
  const fam = nameOf(ADDRESS_FAMILIES, family) ?? String(family);
  if (family !== 1 || b.length === 2) return `{sa_family=${fam}}`;
  const path = b.subarray(2);
  if (path[0] === 0) return `{sa_family=AF_UNIX, sun_path=@${quoteBytes(path.subarray(1), path.length - 1, 108)}}`;
  const end = path.indexOf(0);
  const p = end < 0 ? path : path.subarray(0, end);
  return `{sa_family=AF_UNIX, sun_path=${quoteBytes(p, p.length, 108)}}`;
}

/** `[in => out]` (or `[in]` when unchanged) for a value-result length like accept's addrlen. */
function lenInOut(mm: AddressSpace, addr: number, before: number): string {
  if (addr === 0) return 'NULL';
  const after = getU32(mm, addr);
  if (after === null) return hex(addr);
  return after === before ? `[${after}]` : `[${before} => ${after}]`;
}

function oflags(v: number): string {
  const acc = nameOf(OPEN_ACCMODE, v & 3)!;
  const rest = flagsOf(OPEN_FLAGS, v & ~3, '');
  return rest ? `${acc}|${rest}` : acc;
}

function mode(v: number): string {
  return '0' + (v & 0o7777).toString(8).padStart(3, '0');
}

function sockType(v: number): string {
  const base = named(SOCK_TYPES, v & 0xf);
  const fl = flagsOf(SOCK_FLAGS, v & ~0xf, '');
  return fl ? `${base}|${fl}` : base;
}

/** iovec array: [{iov_base="...", iov_len=N}, ...]; `limit` caps the bytes shown over all elements (recvmsg: the result). */
function iovec(mm: AddressSpace, addr: number, n: number, limit: number | null): string {
  if (addr === 0) return 'NULL';
  const parts: string[] = [];
  let left = limit ?? Infinity;
  for (let i = 0; i < Math.min(n, MAX_ELEMS); i++) {
    const base = getU64(mm, addr + 16 * i);
    const len = getU64(mm, addr + 16 * i + 8);
    if (base === null || len === null) return hex(addr);
    const show = Math.min(len, left);
    left -= show;
    parts.push(`{iov_base=${limit !== null && show === 0 && len > 0 ? '""' : str(mm, base, show)}, iov_len=${len}}`);
  }
  return `[${parts.join(', ')}${n > MAX_ELEMS ? ', ...' : ''}]`;
}

/** The control buffer: [{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[4]}, ...]. */
function cmsgs(c: CallView, addr: number, len: number): string {
  const mm = c.mm;
  if (addr === 0 || len === 0) return 'NULL';
  const parts: string[] = [];
  let off = 0;
  while (off + 16 <= len && parts.length < MAX_ELEMS) {
    const clen = getU64(c.mm, addr + off);
    const level = getI32(mm, addr + off + 8);
    const type = getI32(mm, addr + off + 12);
    if (clen === null || level === null || type === null) return hex(addr);
    const lvl = named(SOCKET_LEVELS, level);
    const typ = level === 1 ? named(SCM_TYPES, type) : String(type);
    let data = '';
    const dlen = Math.min(clen, len - off) - 16;
    if (level === 1 && type === 1 && dlen >= 0) {
      const fds: string[] = [];
      for (let i = 0; i + 4 <= dlen; i += 4) fds.push(fd(c, getI32(mm, addr + off + 16 + i) ?? -1));
      data = `, cmsg_data=[${fds.join(', ')}]`;
    } else if (level === 1 && type === 2 && dlen >= 12) {
      data = `, cmsg_data={pid=${getI32(mm, addr + off + 16)}, uid=${getU32(mm, addr + off + 20)}, gid=${getU32(mm, addr + off + 24)}}`;
    }
    parts.push(`{cmsg_len=${clen}, cmsg_level=${lvl}, cmsg_type=${typ}${data}}`);
    if (clen < 16) break;
    off += (clen + 7) & ~7;
  }
  return `[${parts.join(', ')}]`;
}

/** struct msghdr; for recvmsg (`received` >= 0) the name and control as written back and the iov up to the bytes received. */
function msghdr(c: CallView, addr: number, received: number | null, namelenBefore = 0): string {
  const mm = c.mm;
  const name = getU64(mm, addr), namelen = getU32(mm, addr + 8);
  const iov = getU64(mm, addr + 16), iovlen = getU64(mm, addr + 24);
  const control = getU64(mm, addr + 32), controllen = getU64(mm, addr + 40);
  const flags = getI32(mm, addr + 48);
  if (name === null || namelen === null || iov === null || iovlen === null || control === null || controllen === null || flags === null) return hex(addr);
  const nameText = name === 0 ? 'NULL' : sockaddr(mm, name, namelen);
  const namelenText = received !== null && namelen !== namelenBefore ? `${namelenBefore} => ${namelen}` : String(namelen);
  return `{msg_name=${nameText}, msg_namelen=${namelenText}, msg_iov=${iovec(mm, iov, iovlen, received)}, msg_iovlen=${iovlen}, ` +
    `msg_control=${cmsgs(c, control, controllen)}, msg_controllen=${controllen}, msg_flags=${flagsOf(MSG_FLAGS, flags)}}`;
}

function timespec(mm: AddressSpace, addr: number): string {
  if (addr === 0) return 'NULL';
  const s = getU64(mm, addr), ns = getU64(mm, addr + 8);
  return s === null || ns === null ? hex(addr) : `{tv_sec=${s}, tv_nsec=${ns}}`;
}

function epollEvent(mm: AddressSpace, addr: number): string {
  const ev = getU32(mm, addr), lo = getU32(mm, addr + 8), hi = getU32(mm, addr + 12);
  if (ev === null || lo === null || hi === null) return hex(addr);
  const u64 = hi * 4294967296 + lo;
  return `{events=${flagsOf(EPOLL_EVENTS, ev)}, data={u32=${lo}, u64=${u64}}}`;
}

function sigset(mm: AddressSpace, addr: number): string {
  if (addr === 0) return 'NULL';
  const lo = getU32(mm, addr), hi = getU32(mm, addr + 4);
  if (lo === null || hi === null) return hex(addr);
  const names: string[] = [];
  for (let s = 1; s <= 64; s++) if ((s <= 32 ? lo >>> (s - 1) : hi >>> (s - 33)) & 1) names.push(signalName(s).replace(/^SIG/, ''));
  return `[${names.join(' ')}]`;
}

function sigaction(mm: AddressSpace, addr: number): string {
  if (addr === 0) return 'NULL';
  const h = getU64(mm, addr), fl = getU64(mm, addr + 8);
  if (h === null || fl === null) return hex(addr);
  const handler = h === 0 ? 'SIG_DFL' : h === 1 ? 'SIG_IGN' : hex(h);
  return `{sa_handler=${handler}, sa_mask=${sigset(mm, addr + 16)}, sa_flags=${flagsOf(SA_FLAGS, fl)}}`;
}

function waitStatus(mm: AddressSpace, addr: number): string {
  const s = getI32(mm, addr);
  if (s === null) return hex(addr);
  if ((s & 0x7f) === 0) return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${(s >> 8) & 0xff}}]`;
  return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${signalName(s & 0x7f)}${s & 0x80 ? ' && WCOREDUMP(s)' : ''}}]`;
}

function sockoptValue(c: CallView, level: number, name: number, addr: number, len: number): string {
  if (addr === 0) return 'NULL';
  if (level === 1 && name === 17 && len >= 12) {
    return `{pid=${getI32(c.mm, addr)}, uid=${getU32(c.mm, addr + 4)}, gid=${getU32(c.mm, addr + 8)}}`;
  }
  if (level === 1 && name === 13 && len >= 8) return `{l_onoff=${getI32(c.mm, addr)}, l_linger=${getI32(c.mm, addr + 4)}}`;
  if (level === 1 && (name === 20 || name === 21 || name === 66 || name === 67) && len >= 16) {
    return `{tv_sec=${getU64(c.mm, addr)}, tv_usec=${getU64(c.mm, addr + 8)}}`;
  }
  if (len === 4) {
    const v = getI32(c.mm, addr);
    return v === null ? hex(addr) : `[${v}]`;
  }
  return len > 0 ? str(c.mm, addr, len) : hex(addr);
}

function sockopt(level: number, name: number): string {
  return `${named(SOCKET_LEVELS, level)}, ${level === 1 ? named(SOCKET_OPTIONS, name) : String(name)}`;
}

// ---- results ----

/** The text after " = ": "3", "-1 EAGAIN (Resource temporarily unavailable)", "? ERESTARTSYS (To be restarted if SA_RESTART is set)". */
export function resultText(r: number): string {
  if (r < 0 && r > -4096) {
    const e = -r;
    const restart = RESTART_TEXT[e];
    if (restart) return `? ${restart[0]} (${restart[1]})`;
    const text = ERRNO_TEXT[e];
    return `-1 ${errnoName(e)}${text ? ` (${text})` : ''}`;
  }
  return String(r);
}

// ---- the decoders ----

/** A decoder from the argument kinds: input arguments at entry, output buffers (bufOut) at exit. */
function kindDecoder(def: SyscallDef): Decoder {
  const split = def.args.indexOf('bufOut');
  const show = (c: CallView, i: number, ret: number): string => {
    const v = c.a[i];
    switch (def.args[i]) {
      case 'fd': return v === -100 ? 'AT_FDCWD' : fd(c, v);
      case 'path': return pathArg(c.mm, v);
      case 'bufIn': return str(c.mm, v, c.a[i + 1]);
      case 'bufOut': return ret >= 0 ? str(c.mm, v, ret) : hex(v);
      case 'sockaddr': return sockaddr(c.mm, v, c.a[i + 1]);
      case 'ptr': return ptr(v);
      case 'hex': return hex(v);
      case 'oct': return mode(v);
      case 'sig': return sig(v);
      default: return String(v);
    }
  };
  const range = (c: CallView, from: number, to: number, ret: number) => {
    const parts: string[] = [];
    for (let i = from; i < to; i++) parts.push(show(c, i, ret));
    return parts.join(', ');
  };
  if (split < 0) return { enter: (c) => range(c, 0, def.args.length, 0) };
  return {
    enter: (c) => (split > 0 ? range(c, 0, split, 0) + ', ' : ''),
    exit: (c, ret) => range(c, split, def.args.length, ret),
  };
}

const d = defineDecoder;

d('socket', { enter: (c) => `${named(ADDRESS_FAMILIES, c.a[0])}, ${sockType(c.a[1])}, ${c.a[2]}`, returnsFd: true });
d('socketpair', {
  enter: (c) => `${named(ADDRESS_FAMILIES, c.a[0])}, ${sockType(c.a[1])}, ${c.a[2]}, `,
  exit: (c, ret) => {
    if (ret < 0) return hex(c.a[3]);
    return `[${fd(c, getI32(c.mm, c.a[3]) ?? -1)}, ${fd(c, getI32(c.mm, c.a[3] + 4) ?? -1)}]`;
  },
});
for (const name of ['bind', 'connect']) {
  d(name, { enter: (c) => `${fd(c, c.a[0])}, ${sockaddr(c.mm, c.a[1], c.a[2])}, ${c.a[2]}` });
}
d('listen', { enter: (c) => `${fd(c, c.a[0])}, ${c.a[1]}` });
d('shutdown', { enter: (c) => `${fd(c, c.a[0])}, ${named(SHUTDOWN_HOW, c.a[1])}` });

/** accept, accept4, getsockname, getpeername: the address and its value-result length at exit. */
function addrOut(withFlags: boolean, returnsFd = false): Decoder {
  return {
    returnsFd,
    enter: (c) => {
      c.saved[0] = c.a[2] ? (getU32(c.mm, c.a[2]) ?? 0) : 0;
      return `${fd(c, c.a[0])}, `;
    },
    exit: (c, ret) => {
      const [, addr, lenp] = c.a;
      const len = lenp ? getU32(c.mm, lenp) : null;
      const a = addr === 0 ? 'NULL' : ret < 0 || len === null ? hex(addr) : sockaddr(c.mm, addr, Math.min(len, c.saved[0]));
      const l = lenp === 0 ? 'NULL' : ret < 0 ? `[${c.saved[0]}]` : lenInOut(c.mm, lenp, c.saved[0]);
      return `${a}, ${l}` + (withFlags ? `, ${flagsOf(SOCK_FLAGS, c.a[3])}` : '');
    },
  };
}
d('accept', addrOut(false, true));
d('accept4', addrOut(true, true));
d('getsockname', addrOut(false));
d('getpeername', addrOut(false));

d('sendto', {
  enter: (c) => `${fd(c, c.a[0])}, ${str(c.mm, c.a[1], c.a[2])}, ${c.a[2]}, ${flagsOf(MSG_FLAGS, c.a[3])}, ` +
    `${sockaddr(c.mm, c.a[4], c.a[5])}, ${c.a[5]}`,
});
d('recvfrom', {
  enter: (c) => {
    c.saved[0] = c.a[5] ? (getU32(c.mm, c.a[5]) ?? 0) : 0;
    return `${fd(c, c.a[0])}, `;
  },
  exit: (c, ret) => {
    const [, buf, len, flags, addr, lenp] = c.a;
    const data = ret >= 0 ? str(c.mm, buf, ret) : hex(buf);
    const outLen = lenp ? getU32(c.mm, lenp) : null;
    const a = addr === 0 ? 'NULL' : ret < 0 || outLen === null ? hex(addr) : sockaddr(c.mm, addr, Math.min(outLen, c.saved[0]));
    const l = lenp === 0 ? 'NULL' : ret < 0 ? `[${c.saved[0]}]` : lenInOut(c.mm, lenp, c.saved[0]);
    return `${data}, ${len}, ${flagsOf(MSG_FLAGS, flags)}, ${a}, ${l}`;
  },
});
d('sendmsg', { enter: (c) => `${fd(c, c.a[0])}, ${msghdr(c, c.a[1], null)}, ${flagsOf(MSG_FLAGS, c.a[2])}` });
d('recvmsg', {
  enter: (c) => {
    c.saved[0] = getU32(c.mm, c.a[1] + 8) ?? 0;
    return `${fd(c, c.a[0])}, `;
  },
  exit: (c, ret) => `${ret >= 0 ? msghdr(c, c.a[1], ret, c.saved[0]) : hex(c.a[1])}, ${flagsOf(MSG_FLAGS, c.a[2])}`,
});
d('sendmmsg', { enter: (c) => `${fd(c, c.a[0])}, ${hex(c.a[1])}, ${c.a[2]}, ${flagsOf(MSG_FLAGS, c.a[3])}` });
d('recvmmsg', {
  enter: (c) => `${fd(c, c.a[0])}, `,
  exit: (c) => `${hex(c.a[1])}, ${c.a[2]}, ${flagsOf(MSG_FLAGS, c.a[3])}, ${timespec(c.mm, c.a[4])}`,
});
d('setsockopt', {
  enter: (c) => `${fd(c, c.a[0])}, ${sockopt(c.a[1], c.a[2])}, ${sockoptValue(c, c.a[1], c.a[2], c.a[3], c.a[4])}, ${c.a[4]}`,
});
d('getsockopt', {
  enter: (c) => {
    c.saved[0] = c.a[4] ? (getU32(c.mm, c.a[4]) ?? 0) : 0;
    return `${fd(c, c.a[0])}, ${sockopt(c.a[1], c.a[2])}, `;
  },
  exit: (c, ret) => {
    if (ret < 0) return `${ptr(c.a[3])}, ${c.a[4] ? `[${c.saved[0]}]` : 'NULL'}`;
    const len = c.a[4] ? (getU32(c.mm, c.a[4]) ?? 0) : 0;
    return `${sockoptValue(c, c.a[1], c.a[2], c.a[3], len)}, ${lenInOut(c.mm, c.a[4], c.saved[0])}`;
  },
});

d('read', {
  enter: (c) => `${fd(c, c.a[0])}, `,
  exit: (c, ret) => `${ret >= 0 ? str(c.mm, c.a[1], ret) : hex(c.a[1])}, ${c.a[2]}`,
});
d('pread64', {
  enter: (c) => `${fd(c, c.a[0])}, `,
  exit: (c, ret) => `${ret >= 0 ? str(c.mm, c.a[1], ret) : hex(c.a[1])}, ${c.a[2]}, ${c.a[3]}`,
});
d('write', { enter: (c) => `${fd(c, c.a[0])}, ${str(c.mm, c.a[1], c.a[2])}, ${c.a[2]}` });
d('pwrite64', { enter: (c) => `${fd(c, c.a[0])}, ${str(c.mm, c.a[1], c.a[2])}, ${c.a[2]}, ${c.a[3]}` });
d('writev', { enter: (c) => `${fd(c, c.a[0])}, ${iovec(c.mm, c.a[1], c.a[2], null)}, ${c.a[2]}` });
d('readv', {
  enter: (c) => `${fd(c, c.a[0])}, `,
  exit: (c, ret) => `${ret >= 0 ? iovec(c.mm, c.a[1], c.a[2], ret) : hex(c.a[1])}, ${c.a[2]}`,
});
/** a loff_t as strace prints it: unsigned */
const loff = (v: number): string => (v < 0 ? BigInt.asUintN(64, BigInt(v)).toString() : String(v));
d('sendfile', {
  enter: (c) => {
    c.saved[0] = c.a[2] === 0 ? 0 : (getI64(c.mm, c.a[2]) ?? NaN);
    return `${fd(c, c.a[0])}, ${fd(c, c.a[1])}, `;
  },
  // the offset before, and after it when bytes moved: [0] => [262144]
  exit: (c, ret) => {
    const offp = c.a[2];
    if (offp === 0) return `NULL, ${c.a[3]}`;
    if (Number.isNaN(c.saved[0])) return `${hex(offp)}, ${c.a[3]}`;
    const after = ret > 0 ? getI64(c.mm, offp) : null;
    return `[${loff(c.saved[0])}]${after !== null ? ` => [${loff(after)}]` : ''}, ${c.a[3]}`;
  },
});
d('eventfd2', { enter: (c) => `${c.a[0]}, ${flagsOf(EFD_FLAGS, c.a[1])}`, returnsFd: true });
/** struct itimerspec as strace prints it */
function itimerspec(mm: AddressSpace, addr: number): string {
  if (addr === 0) return 'NULL';
  const a = timespec(mm, addr), b = timespec(mm, addr + 16);
  return a.startsWith('{') && b.startsWith('{') ? `{it_interval=${a}, it_value=${b}}` : hex(addr);
}
d('timerfd_create', { enter: (c) => `${named(CLOCK_IDS, c.a[0])}, ${flagsOf(TFD_FLAGS, c.a[1])}`, returnsFd: true });
d('timerfd_settime', {
  enter: (c) => `${fd(c, c.a[0])}, ${flagsOf(TFD_SETTIME_FLAGS, c.a[1])}, ${itimerspec(c.mm, c.a[2])}, `,
  exit: (c, ret) => (c.a[3] === 0 ? 'NULL' : ret === 0 ? itimerspec(c.mm, c.a[3]) : hex(c.a[3])),
});
d('timerfd_gettime', {
  enter: (c) => `${fd(c, c.a[0])}, `,
  exit: (c, ret) => (ret === 0 ? itimerspec(c.mm, c.a[1]) : hex(c.a[1])),
});
d('signalfd4', { enter: (c) => `${c.a[0] | 0}, ${sigset(c.mm, c.a[1])}, ${c.a[2]}, ${flagsOf(SFD_FLAGS, c.a[3])}`, returnsFd: true });
d('close', { enter: (c) => fd(c, c.a[0]) });
d('dup', { enter: (c) => fd(c, c.a[0]), returnsFd: true });
d('dup3', { enter: (c) => `${fd(c, c.a[0])}, ${c.a[1]}, ${flagsOf(OPEN_FLAGS, c.a[2])}`, returnsFd: true });
d('pipe2', {
  enter: () => '',
  exit: (c, ret) => {
    const fds = ret < 0 ? hex(c.a[0]) : `[${fd(c, getI32(c.mm, c.a[0]) ?? -1)}, ${fd(c, getI32(c.mm, c.a[0] + 4) ?? -1)}]`;
    return `${fds}, ${flagsOf(OPEN_FLAGS, c.a[1])}`;
  },
});
d('openat', {
  enter: (c) => {
    const f = c.a[2];
    const m = f & 0o100 || (f & 0o20200000) === 0o20200000 ? `, ${mode(c.a[3])}` : '';
    return `${dirfd(c, c.a[0])}, ${pathArg(c.mm, c.a[1])}, ${oflags(f)}${m}`;
  },
  returnsFd: true,
});
d('unlinkat', { enter: (c) => `${dirfd(c, c.a[0])}, ${pathArg(c.mm, c.a[1])}, ${c.a[2] & 0x200 ? 'AT_REMOVEDIR' : '0'}` });
d('mkdirat', { enter: (c) => `${dirfd(c, c.a[0])}, ${pathArg(c.mm, c.a[1])}, ${mode(c.a[2])}` });
d('fcntl', {
  enter: (c) => {
    const cmd = c.a[1], arg = c.a[2];
    const base = `${fd(c, c.a[0])}, ${named(FCNTL_COMMANDS, cmd)}`;
    switch (cmd) {
      case 1: case 3: case 9: case 11: case 1025: case 1032: case 1034: return base;
      case 2: return `${base}, ${flagsOf(FD_FLAGS, arg)}`;
      case 4: return `${base}, ${oflags(arg & 0xffffffff)}`;
      case 0: case 1030: case 8: case 10: case 1031: return `${base}, ${arg | 0}`;
      default: return `${base}, ${hex(arg)}`;
    }
  },
  result: (c, ret) => {
    if (ret < 0) return undefined;
    if (c.a[1] === 1) return ret ? `${hex(ret)} (flags ${flagsOf(FD_FLAGS, ret)})` : '0';
    if (c.a[1] === 3) return `${hex(ret)} (flags ${oflags(ret)})`;
    if (c.a[1] === 0 || c.a[1] === 1030) return fd(c, ret);
    return undefined;
  },
});
// ioctl: a request strace names by its name, any other as _IOC(dir, type, nr, size); the argument as strace
// shows that request's: an int read at entry (FIONBIO, FIOASYNC) or written at exit (FIONREAD, TIOCOUTQ,
// SIOCATMARK), struct ifreq, nothing (FIOCLEX, FIONCLEX), else the raw value.
const hexOr0 = (v: number) => (v === 0 ? '0' : hex(v));
/** a request strace has no name for, as _IOC(dir, type, nr, size) */
function ioctlRequest(req: number): string {
  const dir = nameOf(IOC_DIRS, req >>> 30)!;
  return `_IOC(${dir}, ${hexOr0((req >>> 8) & 0xff)}, ${hexOr0(req & 0xff)}, ${hexOr0((req >>> 16) & 0x3fff)})`;
}
function intArg(mm: AddressSpace, addr: number): string {
  const v = getI32(mm, addr);
  return v === null ? hex(addr) : `[${v}]`;
}
/** requests whose argument is an int the call writes (printed at exit) */
const IOCTL_INT_OUT = new Set(['FIONREAD', 'TIOCOUTQ', 'SIOCATMARK']);
d('ioctl', {
  enter: (c) => {
    const req = c.a[1] >>> 0, arg = c.a[2];
    const name = nameOf(IOCTL_REQUESTS, req);
    const base = `${fd(c, c.a[0])}, ${name ?? ioctlRequest(req)}`;
    if (name === 'FIOCLEX' || name === 'FIONCLEX') return base;
    if (name === 'FIONBIO' || name === 'FIOASYNC') return `${base}, ${intArg(c.mm, arg)}`;
    if (name !== undefined && IOCTL_INT_OUT.has(name)) return `${base}, `;
    if (name === 'SIOCGIFINDEX') {
      const ifname = c.mm.read(arg, 16);
      if (!ifname) return `${base}, ${hex(arg)}`;
      const end = ifname.indexOf(0);
      return `${base}, {ifr_name=${quoteBytes(ifname.subarray(0, end < 0 ? 16 : end))}`;
    }
    return `${base}, ${hexOr0(arg)}`;
  },
  exit: (c, ret) => {
    const arg = c.a[2];
    const name = nameOf(IOCTL_REQUESTS, c.a[1] >>> 0);
    if (name !== undefined && IOCTL_INT_OUT.has(name)) return ret < 0 ? hex(arg) : intArg(c.mm, arg);
    if (name === 'SIOCGIFINDEX' && c.mm.read(arg, 16)) {
      const idx = ret < 0 ? null : getI32(c.mm, arg + 16);
      return idx === null ? '}' : `, ifr_ifindex=${idx}}`;
    }
    return '';
  },
});
d('epoll_create1', { enter: (c) => flagsOf(EPOLL_CREATE_FLAGS, c.a[0]), returnsFd: true });
d('epoll_ctl', {
  enter: (c) => `${fd(c, c.a[0])}, ${named(EPOLL_OPS, c.a[1])}, ${fd(c, c.a[2])}, ${c.a[3] ? epollEvent(c.mm, c.a[3]) : 'NULL'}`,
});
d('epoll_pwait', {
  enter: (c) => `${fd(c, c.a[0])}, `,
  exit: (c, ret) => {
    const evs: string[] = [];
    for (let i = 0; i < Math.min(ret, MAX_ELEMS); i++) evs.push(epollEvent(c.mm, c.a[1] + 16 * i));
    const list = ret >= 0 ? `[${evs.join(', ')}]` : hex(c.a[1]);
    return `${list}, ${c.a[2]}, ${c.a[3]}, ${sigset(c.mm, c.a[4])}, ${c.a[5]}`;
  },
});
function pollfds(c: CallView, revents: boolean): string {
  const [addr, n] = c.a;
  const parts: string[] = [];
  for (let i = 0; i < Math.min(n, MAX_ELEMS); i++) {
    const f = getI32(c.mm, addr + 8 * i);
    const ev = getU32(c.mm, addr + 8 * i + 4);
    if (f === null || ev === null) return hex(addr);
    const events = revents ? ev >>> 16 : ev & 0xffff;
    if (revents && !events) continue;
    parts.push(`{fd=${fd(c, f)}, ${revents ? 'revents' : 'events'}=${flagsOf(POLL_EVENTS, events)}}`);
  }
  return `[${parts.join(', ')}${n > MAX_ELEMS ? ', ...' : ''}]`;
}
d('ppoll', {
  enter: (c) => `${pollfds(c, false)}, ${c.a[1]}, ${timespec(c.mm, c.a[2])}, ${sigset(c.mm, c.a[3])}, ${c.a[4]}`,
  result: (c, ret) => (ret > 0 ? `${ret} (${pollfds(c, true)})` : ret === 0 ? '0 (Timeout)' : undefined),
});
d('clone', {
  enter: (c) => {
    const [flags, stack, ptid, tls, ctid] = c.a;
    const exitSig = flags & 0xff;
    const fl = flagsOf(CLONE_FLAGS, flags & ~0xff, '');
    const parts = [`child_stack=${ptr(stack)}`, `flags=${[fl, exitSig ? sig(exitSig) : ''].filter(Boolean).join('|') || '0'}`];
    if (flags & 0x100000) parts.push(`parent_tid=${ptr(ptid)}`);
    if (flags & 0x80000) parts.push(`tls=${ptr(tls)}`);
    if (flags & 0x1200000) parts.push(`child_tidptr=${ptr(ctid)}`);
    return parts.join(', ');
  },
});
d('unshare', { enter: (c) => flagsOf(CLONE_FLAGS, c.a[0]) });
d('wait4', {
  enter: (c) => `${c.a[0]}, `,
  exit: (c, ret) => `${c.a[1] === 0 ? 'NULL' : ret > 0 ? waitStatus(c.mm, c.a[1]) : hex(c.a[1])}, ${flagsOf(WAIT_OPTIONS, c.a[2])}, ${ptr(c.a[3])}`,
});
/** The SIGCHLD siginfo waitid filled in (riscv64 layout: the _sigchld union at 16, clock_t fields at 32 and 40); {} when none was reported. */
function childInfo(mm: AddressSpace, addr: number): string {
  const signo = getI32(mm, addr), code = getI32(mm, addr + 8), pid = getI32(mm, addr + 16), uid = getU32(mm, addr + 20);
  const status = getI32(mm, addr + 24), utime = getI64(mm, addr + 32), stime = getI64(mm, addr + 40);
  if (signo === null || code === null || pid === null || uid === null || status === null || utime === null || stime === null) return hex(addr);
  if (signo === 0) return '{}';
  const killed = code === 2 || code === 3;
  return `{si_signo=${sig(signo)}, si_code=${named(CLD_CODES, code)}, si_pid=${pid}, si_uid=${uid}, ` +
    `si_status=${killed ? sig(status) : status}, si_utime=${utime}, si_stime=${stime}}`;
}
d('waitid', {
  enter: (c) => `${named(WAITID_TYPES, c.a[0])}, ${c.a[0] === 3 ? fd(c, c.a[1] | 0) : c.a[1] | 0}, `,
  exit: (c, ret) => `${c.a[2] === 0 ? 'NULL' : ret === 0 ? childInfo(c.mm, c.a[2]) : hex(c.a[2])}, ${flagsOf(WAIT_OPTIONS, c.a[3])}, ${ptr(c.a[4])}`,
});
d('kill', { enter: (c) => `${c.a[0]}, ${sig(c.a[1])}` });
d('tgkill', { enter: (c) => `${c.a[0]}, ${c.a[1]}, ${sig(c.a[2])}` });
d('rt_sigaction', {
  enter: (c) => `${sig(c.a[0])}, ${sigaction(c.mm, c.a[1])}, `,
  exit: (c, ret) => `${ret === 0 ? sigaction(c.mm, c.a[2]) : ptr(c.a[2])}, ${c.a[3]}`,
});
d('rt_sigprocmask', {
  enter: (c) => `${named(SIGPROCMASK_HOW, c.a[0])}, ${sigset(c.mm, c.a[1])}, `,
  exit: (c, ret) => `${ret === 0 ? sigset(c.mm, c.a[2]) : ptr(c.a[2])}, ${c.a[3]}`,
});
d('nanosleep', { enter: (c) => `${timespec(c.mm, c.a[0])}, `, exit: (c) => ptr(c.a[1]) });
const FILE_TYPES: Names = [
  [0o140000, 'S_IFSOCK'], [0o120000, 'S_IFLNK'], [0o100000, 'S_IFREG'], [0o60000, 'S_IFBLK'], [0o40000, 'S_IFDIR'],
  [0o20000, 'S_IFCHR'], [0o10000, 'S_IFIFO'],
];

/** struct stat (asm-generic, riscv64's) as strace abbreviates it: {st_mode=S_IFREG|0644, st_size=33, ...}. */
function statBuf(mm: AddressSpace, addr: number): string {
  const m = getU32(mm, addr + 16), rdev = getU64(mm, addr + 32), size = getU64(mm, addr + 48);
  if (m === null || rdev === null || size === null) return hex(addr);
  const type = nameOf(FILE_TYPES, m & 0o170000) ?? hex(m & 0o170000);
  const perm = '0' + (m & 0o7777).toString(8).padStart(3, '0');
  const dev = (m & 0o170000) === 0o20000 || (m & 0o170000) === 0o60000;
  const major = Math.floor(rdev / 256) & 0xfff, minor = (rdev & 0xff) | (Math.floor(rdev / 0x100000) & ~0xff);
  return `{st_mode=${type}|${perm}, ${dev ? `st_rdev=makedev(0x${major.toString(16)}, 0x${minor.toString(16)})` : `st_size=${size}`}, ...}`;
}
const AT_FLAGS: Names = [[0x100, 'AT_SYMLINK_NOFOLLOW'], [0x200, 'AT_REMOVEDIR'], [0x400, 'AT_SYMLINK_FOLLOW'], [0x800, 'AT_NO_AUTOMOUNT'], [0x1000, 'AT_EMPTY_PATH']];
d('fstat', { enter: (c) => `${fd(c, c.a[0])}, `, exit: (c, ret) => (ret === 0 ? statBuf(c.mm, c.a[1]) : hex(c.a[1])) });
d('newfstatat', {
  enter: (c) => `${dirfd(c, c.a[0])}, ${pathArg(c.mm, c.a[1])}, `,
  exit: (c, ret) => `${ret === 0 ? statBuf(c.mm, c.a[2]) : hex(c.a[2])}, ${flagsOf(AT_FLAGS, c.a[3])}`,
});

d('execve', {
  enter: (c) => {
    const list = (addr: number, asVars: boolean): string => {
      if (addr === 0) return 'NULL';
      const items: string[] = [];
      for (let i = 0; i < 4096; i++) {
        const p = getU64(c.mm, addr + 8 * i);
        if (p === null) return hex(addr);
        if (p === 0) break;
        items.push(pathArg(c.mm, p));
      }
      return asVars ? `${hex(addr)} /* ${items.length} var${items.length === 1 ? '' : 's'} */` : `[${items.join(', ')}]`;
    };
    return `${pathArg(c.mm, c.a[0])}, ${list(c.a[1], false)}, ${list(c.a[2], true)}`;
  },
});
