// What a static glibc (or musl) binary asks of the kernel around main:
// set_tid_address, set_robust_list, rseq, prlimit64/getrlimit/setrlimit,
// getrandom, readlinkat of /proc/self/exe, uname, futex, sigaltstack and
// rt_sigreturn. Values that Linux randomises or takes from the machine
// come from the run's seed or are fixed, so runs stay reproducible.
import { procFdFile, resolvePath } from './fs.ts';
import type { OpenFile } from '../file.ts';
import type { Futexes } from '../futex.ts';
import { SIGSEGV } from '../abi.ts';
import { EFAULT, EINVAL, ENOENT, ENOMEM, ENOSYS, EPERM, ESRCH } from '../errno.ts';
import { HartContext, SS_DISABLE, SS_ONSTACK, STACK_LIMIT } from '../hartcontext.ts';
import type { Kernel } from '../kernel.ts';
import { altStackFlags, restoreFromFrame } from '../signalframe.ts';
import type { Task } from '../task.ts';
import { taskByVpid, vpid } from '../namespaces.ts';
import { fromLatin1, getU32, getU64, readCString, StructWriter } from '../uaccess.ts';

export const RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4, RLIMIT_RSS = 5,
  RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIM_NLIMITS = 16;
/** RLIM_INFINITY (~0UL); numbers stand for it as Infinity. */
const INF = Infinity;
/** Hard limit on open files (Linux's default fs.nr_open). */
const NOFILE_HARD = 1048576;
const MINSIGSTKSZ = 2048;

/** uname(2): a fixed, plausible Linux riscv64 machine. */
export const UTSNAME = {
  sysname: 'Linux', nodename: 'unixsim', release: '6.1.0-unixsim', version: '#1 SMP PREEMPT_DYNAMIC unixsim',
  machine: 'riscv64', domainname: '(none)',
};

const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10,
  FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;

/** Limits that are not stored elsewhere, as [soft, hard]; NOFILE lives in the fd table. */
function defaultLimit(resource: number): [number, number] {
  switch (resource) {
    case RLIMIT_STACK:
      return [STACK_LIMIT, INF];
    case RLIMIT_CORE:
      return [0, INF];
    case RLIMIT_NPROC:
      return [4096, 4096];
    case RLIMIT_MEMLOCK:
      return [8 * 1024 * 1024, 8 * 1024 * 1024];
    case 13: // RLIMIT_NICE
    case 14: // RLIMIT_RTPRIO
      return [0, 0];
    case 11: // RLIMIT_SIGPENDING
      return [4096, 4096];
    case 12: // RLIMIT_MSGQUEUE
      return [819200, 819200];
    default:
      return [INF, INF];
  }
}

function writeRlimit(t: Task, addr: number, [cur, max]: [number, number]): boolean {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, cur === INF ? 0xffffffffffffffffn : BigInt(cur), true);
  dv.setBigUint64(8, max === INF ? 0xffffffffffffffffn : BigInt(max), true);
  return t.mm.write(addr, b);
}

function readRlimit(t: Task, addr: number): [number, number] | null {
  const b = t.mm.read(addr, 16);
  if (!b) return null;
  const dv = new DataView(b.buffer);
  const v = (o: number): number => {
    const x = dv.getBigUint64(o, true);
    return x === 0xffffffffffffffffn ? INF : Number(x);
  };
  return [v(0), v(8)];
}

/** A task's limit; NOFILE lives in the fd table, the others in the guest's memory layout (fixed for scripts). */
export function getLimit(t: Task, resource: number): [number, number] {
  if (resource === RLIMIT_NOFILE) return [t.fds.limit, Math.max(NOFILE_HARD, t.fds.limit)];
  const set = t.ctx instanceof HartContext ? t.ctx.vm.rlimits.get(resource) : undefined;
  return set ?? defaultLimit(resource);
}

/** Sets `target`'s limit on behalf of `caller`: 0 or -errno (do_prlimit). */
function putLimit(caller: Task, target: Task, resource: number, [cur, max]: [number, number]): number {
  const t = target;
  if (cur > max) return -EINVAL;
  // Raising the hard limit needs CAP_SYS_RESOURCE in the caller.
  if (max > getLimit(t, resource)[1] && caller.creds.euid !== 0) return -EPERM;
  if (resource === RLIMIT_NOFILE) {
    if (max > NOFILE_HARD) return -EPERM;
    t.fds.limit = cur;
    return 0;
  }
  if (t.ctx instanceof HartContext) t.ctx.vm.rlimits.set(resource, [cur, max]);
  return 0;
}

function prlimit(k: Kernel, t: Task, pid: number, resource: number, newp: number, oldp: number): number {
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  const target = pid === 0 ? t : taskByVpid(t, pid);
  if (!target || target.state === 'exited') return -ESRCH;
  let next: [number, number] | null = null;
  if (newp) {
    next = readRlimit(t, newp);
    if (!next) return -EFAULT;
  }
  // check_prlimit_permission: another process's limits only with all its uids and gids, or CAP_SYS_RESOURCE
  if (target.group !== t.group && t.creds.euid !== 0) {
    const c = t.creds, o = target.creds;
    if (c.uid !== o.uid || c.uid !== o.euid || c.uid !== o.suid || c.gid !== o.gid || c.gid !== o.egid || c.gid !== o.sgid) return -EPERM;
  }
  if (oldp && !writeRlimit(t, oldp, getLimit(target, resource))) return -EFAULT;
  return next ? putLimit(t, target, resource, next) : 0;
}

/** The text of a /proc/<pid>/fd/N link: the file's path (" (deleted)" once unlinked), or its anonymous name. */
function fdLinkText(t: Task, f: OpenFile): string {
  const inode = f.inode;
  if (!inode) return f.ops.describe(f);
  const vfs = t.kernel.vfs;
  if (inode.isDir) return vfs.pathOf(inode);
  const dir = inode.parent;
  for (const [name, c] of dir.children ?? []) {
    if (c === inode) return (dir === vfs.root ? '' : vfs.pathOf(dir)) + '/' + name;
  }
  return (f.ops.describe(f).replace(/ \(O_PATH\)$/, '')) + ' (deleted)';
}

function readlinkat(t: Task, dirfd: number, pathAddr: number, buf: number, size: number): number {
  const path = readCString(t.mm, pathAddr);
  if (typeof path === 'number') return path;
  if (size <= 0) return -EINVAL;
  if (path === '/proc/self/exe' || path === `/proc/${t.tgid}/exe` || path === `/proc/thread-self/exe`) {
    if (!(t.ctx instanceof HartContext) || !t.ctx.vm.exePath) return -ENOENT;
    const bytes = new TextEncoder().encode(t.ctx.vm.exePath).subarray(0, size);
    return t.mm.write(buf, bytes) ? bytes.length : -EFAULT;
  }
  // /proc/<pid>/fd/N: what the fd refers to (proc_fd_link): a path, or socket:[ino], pipe:[ino], anon_inode:[...]
  const pf = procFdFile(t, path);
  if (pf !== null) {
    if (typeof pf === 'number') return pf;
    const bytes = fromLatin1(fdLinkText(t, pf)).subarray(0, size);
    return t.mm.write(buf, bytes) ? bytes.length : -EFAULT;
  }
  // do_readlinkat: the last component is not followed; anything but a symbolic link is EINVAL
  const l = resolvePath(t, dirfd, path, false);
  if (typeof l === 'number') return l;
  if (!l.inode) return -ENOENT;
  if (l.inode.target === null) return -EINVAL;
  const bytes = fromLatin1(l.inode.target).subarray(0, size);
  return t.mm.write(buf, bytes) ? bytes.length : -EFAULT;
}

function uname(t: Task, buf: number): number {
  const b = new Uint8Array(6 * 65);
  const f = UTSNAME;
  [f.sysname, f.nodename, f.release, f.version, f.machine, f.domainname].forEach((s, i) => b.set(fromLatin1(s).subarray(0, 64), 65 * i));
  return t.mm.write(buf, b) ? 0 : -EFAULT;
}

function getrandom(t: Task, buf: number, len: number, flags: number): number {
  if (flags & ~7) return -EINVAL;
  const n = Math.min(len, 33554431);
  // Check the whole buffer before drawing: a bad pointer must not cost (or consume) randomness.
  if (!t.mm.check(buf, n, 2 /* PROT_WRITE */)) return -EFAULT;
  t.mm.write(buf, t.kernel.rng.bytes(n));
  return n;
}

function futex(fx: Futexes, t: Task, uaddr: number, op: number, val: number, timeout: number, uaddr2: number, val3: number): number | ReturnType<Futexes['wait']> {
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  const realtime = (op & FUTEX_CLOCK_REALTIME) !== 0;
  switch (cmd) {
    case FUTEX_WAIT:
      return fx.wait(t, uaddr, val, timeout, false, false);
    case FUTEX_WAIT_BITSET:
      return fx.wait(t, uaddr, val, timeout, true, realtime);
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
      if (uaddr % 4 !== 0) return -EINVAL;
      return fx.wake(t.mm, uaddr, val < 0 ? 0x7fffffff : val);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
      // the timeout slot carries val2, the number to requeue (an int)
      return fx.requeue(t, uaddr, val, timeout | 0, uaddr2, cmd === FUTEX_CMP_REQUEUE ? val3 : null);
    default:
      return -ENOSYS;
  }
}

function sigaltstack(t: Task, ss: number, oss: number): number {
  if (!(t.ctx instanceof HartContext)) return -ENOSYS;
  const ctx = t.ctx;
  const alt = ctx.altStack;
  const flags = altStackFlags(ctx);
  if (ss) {
    const sp = getU64(t.mm, ss), fl = getU32(t.mm, ss + 8), size = getU64(t.mm, ss + 16);
    if (sp === null || fl === null || size === null) return -EFAULT;
    if (flags === SS_ONSTACK) return -EPERM;
    const mode = fl & ~0x80000000; // SS_AUTODISARM is accepted and ignored
    if (mode !== 0 && mode !== SS_DISABLE && mode !== SS_ONSTACK) return -EINVAL;
    if (oss && !writeStack(t, oss, alt.sp, flags, alt.size)) return -EFAULT;
    if (mode === SS_DISABLE) ctx.altStack = { sp: 0, size: 0, flags: SS_DISABLE };
    else {
      if (size < MINSIGSTKSZ) return -ENOMEM;
      ctx.altStack = { sp, size, flags: 0 };
    }
    return 0;
  }
  if (oss && !writeStack(t, oss, alt.sp, flags, alt.size)) return -EFAULT;
  return 0;
}

function writeStack(t: Task, addr: number, sp: number, flags: number, size: number): boolean {
  return t.mm.write(addr, new StructWriter(24).u64(0, sp).i32(8, flags).u64(16, size).bytes);
}

export function registerMisc(k: Kernel): void {
  const d = k.table.define.bind(k.table);
  const futexes = k.futexes;

  d(96, 'set_tid_address', ['ptr'], (t, [tidptr]) => {
    t.clearChildTid = tidptr;
    return vpid(t, t.tid); // the caller's tid as its pid namespace numbers it (libc caches it for tgkill)
  });
  d(99, 'set_robust_list', ['ptr', 'size'], (_t, [, len]) => (len === 24 ? 0 : -EINVAL));
  d(293, 'rseq', ['ptr', 'uint', 'hex', 'hex'], () => -ENOSYS);
  d(261, 'prlimit64', ['int', 'int', 'ptr', 'ptr'], (t, [pid, res, newp, oldp]) => prlimit(k, t, pid, res, newp, oldp));
  d(163, 'getrlimit', ['int', 'ptr'], (t, [res, oldp]) => prlimit(k, t, 0, res, 0, oldp));
  d(164, 'setrlimit', ['int', 'ptr'], (t, [res, newp]) => prlimit(k, t, 0, res, newp, 0));
  d(278, 'getrandom', ['ptr', 'size', 'hex'], (t, [buf, len, flags]) => getrandom(t, buf, len, flags));
  if (!k.table.get(78)) d(78, 'readlinkat', ['fd', 'path', 'ptr', 'size'], (t, [dirfd, path, buf, size]) => readlinkat(t, dirfd, path, buf, size));
  d(160, 'uname', ['ptr'], (t, [buf]) => uname(t, buf));
  d(98, 'futex', ['ptr', 'int', 'int', 'ptr', 'ptr', 'int'], (t, [uaddr, op, val, timeout, uaddr2, val3]) => futex(futexes, t, uaddr, op, val, timeout, uaddr2, val3));
  d(132, 'sigaltstack', ['ptr', 'ptr'], (t, [ss, oss]) => sigaltstack(t, ss, oss));
  d(139, 'rt_sigreturn', [], (t) => {
    if (!(t.ctx instanceof HartContext)) return -ENOSYS;
    if (!restoreFromFrame(t.ctx)) {
      k.faultTask(t, SIGSEGV, 'bad signal frame in rt_sigreturn');
      return -EFAULT;
    }
    return t.ctx.hart.getX(10);
  });
}
