// ppoll(2): wait until one of a set of fds is ready. As Linux's do_poll:
// compute every fd's readiness; if none is ready (and the timeout allows),
// register this task's waker on every file's poll queues, sleep, and then
// compute everything again, because a wake is only a hint that something
// changed (the data may already be gone, or the wake was for writers).
//
// Shared with epoll (src/kernel/epoll.ts): the POLL* bits, a file's
// readiness (`filePoll`) and the sleep on several queues (`sleepOnAny`).
import { sigmaskKey } from '../footprint.ts';
import { TICKS_PER_SECOND } from '../../sched/clock.ts';
import { WaitQueue } from '../../sched/waitqueue.ts';
import { EBADF, EFAULT, EINTR, EINVAL, ERESTARTSYS } from '../errno.ts';
import type { OpenFile } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import type { KernelYield, SyscallGen } from '../syscall.ts';
import type { Task } from '../task.ts';
import { getI64, StructWriter } from '../uaccess.ts';
import { bit } from '../signal.ts';
import { holdForCall } from '../fdget.ts';
import { SIGKILL, SIGSTOP } from '../abi.ts';

export const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
  POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200, POLLMSG = 0x400,
  POLLRDHUP = 0x2000;

/** Linux DEFAULT_POLLMASK: what a file without a poll method (a regular file) reports. */
export const DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

/** sizeof(struct pollfd): +0 i32 fd, +4 i16 events, +6 i16 revents */
export const POLLFD_SIZE = 8;

/** sizeof(sigset_t) as the kernel wants it in sigsetsize (64 signals) */
const SIGSET_SIZE = 8;

export { POLL_PLANTED_BUGS } from '../bugs.ts';


/** A file's current readiness (vfs_poll): its poll method, or DEFAULT_POLLMASK for files that have none. */
export function filePoll(f: OpenFile, t?: Task): number {
  return f.ops.poll ? f.ops.poll(f, t) : DEFAULT_POLLMASK;
}

/** The queues a poller of f must wait on (none for files that are always ready). */
export function fileQueues(f: OpenFile, t?: Task): WaitQueue[] {
  return f.ops.pollQueues ? f.ops.pollQueues(f, t) : [];
}

/**
 * Sleeps on every queue in qs at once until one of them wakes the task, the
 * virtual-time deadline passes (Infinity: never), or a signal arrives.
 * Returns 0 when woken, 1 when the deadline has passed, -ERESTARTSYS on a
 * signal. `label` names the sleep in traces and deadlock reports.
 */
export function* sleepOnAny(t: Task, qs: readonly WaitQueue[], deadline: number, label: string): Generator<KernelYield, number, void> {
  const k = t.kernel;
  const sched = k.sched;
  if (k.signalPending(t)) return -ERESTARTSYS;
  // an untimed wait never reads the clock (for dpor, a read of the time depends on every step)
  const timed = deadline !== Infinity;
  if (timed && sched.clock.now >= deadline) return 1;
  t.wakePending = false;
  for (const q of qs) q.add(t.waker);
  t.sleepsOn(qs);
  const timer = !timed ? null : sched.at(deadline, () => sched.wake(t, `timer@${deadline}`));
  try {
    // The yielded queue only names the sleep: the task's waker is on qs (and the timer).
    yield new WaitQueue(label);
  } finally {
    t.sleepingOn = null;
    if (!k.bug('sleep-keeps-waker')) for (const q of qs) q.remove(t.waker); // also when the task dies asleep
    if (timer) sched.events.cancel(timer);
  }
  if (k.signalPending(t)) return -ERESTARTSYS;
  return timed && sched.clock.now >= deadline ? 1 : 0;
}

/** Reads a struct timespec as ticks (1 tick = 1 ns): -EFAULT on a bad pointer, -EINVAL on a negative or unnormalised value. */
export function readTimespecTicks(t: Task, addr: number): number {
  const sec = getI64(t.mm, addr);
  const nsec = getI64(t.mm, addr + 8);
  if (sec === null || nsec === null) return -EFAULT;
  if (sec < 0 || nsec < 0 || nsec >= TICKS_PER_SECOND) return -EINVAL;
  return sec * TICKS_PER_SECOND + nsec;
}

export function writeTimespecTicks(t: Task, addr: number, ticks: number): boolean {
  const sec = Math.floor(ticks / TICKS_PER_SECOND);
  return t.mm.write(addr, new StructWriter(16).u64(0, sec).u64(8, ticks - sec * TICKS_PER_SECOND).bytes);
}

/** Reads a sigmask argument (ppoll, pselect6, epoll_pwait): the mask, null when none, or -EINVAL/-EFAULT. */
export function readSigmask(t: Task, sigmask: number, sigsetsize: number): bigint | null | number {
  if (sigmask === 0) return null;
  if (sigsetsize !== SIGSET_SIZE) return -EINVAL;
  const b = t.mm.read(sigmask, SIGSET_SIZE);
  return b ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) : -EFAULT;
}

/**
 * Runs a waiting call under a temporary signal mask (set_user_sigmask), then
 * restore_saved_sigmask_unless(interrupted): the old mask comes back at once,
 * unless the call failed with EINTR; then it comes back only after the signal
 * that interrupted it is delivered, so a signal the temporary mask let through
 * is handled, and one it let through is not lost.
 */
export function* withSigmask(t: Task, mask: bigint | null, body: SyscallGen): SyscallGen {
  if (mask === null) return yield* body;
  t.sig.savedMask = t.sig.blocked;
  t.kernel.sched.recorder?.write(sigmaskKey(t));
  t.sig.blocked = mask & ~(bit(SIGKILL) | bit(SIGSTOP));
  let r = -EINTR;
  try {
    r = yield* body;
  } finally {
    if (r !== -EINTR && t.sig.savedMask !== null) {
      t.kernel.sched.recorder?.write(sigmaskKey(t));
      t.sig.blocked = t.sig.savedMask;
      t.sig.savedMask = null;
    }
  }
  return r;
}

interface PollEntry {
  fd: number;
  /** requested events (the i16 as unsigned) */
  events: number;
  revents: number;
}

/** do_pollfd for every entry; returns how many have non-zero revents. */
function pollAll(t: Task, entries: PollEntry[]): number {
  let count = 0;
  for (const e of entries) {
    e.revents = 0;
    if (e.fd < 0) continue;
    const f = t.fds.get(e.fd);
    if (!f) e.revents = POLLNVAL;
    else e.revents = filePoll(f, t) & (e.events | POLLERR | POLLHUP);
    if (e.revents) count++;
  }
  return count;
}

/**
 * The files behind the polled fds, each once, in fd order, as the first pass
 * of do_poll/do_select finds them: the call holds each (poll_get_entry takes
 * a file reference per wait entry) until it returns, so a file closed by
 * another thread meanwhile stays alive and its wakeups still reach the call.
 */
function filesOf(t: Task, fds: readonly number[]): OpenFile[] {
  const files: OpenFile[] = [];
  for (const fd of fds) {
    const f = fd >= 0 ? t.fds.get(fd) : undefined;
    if (!f || files.includes(f)) continue;
    holdForCall(t, f);
    files.push(f);
  }
  return files;
}

/** The queues of the polled files, each once; and a label for the sleep. */
function queuesOf(t: Task, files: readonly OpenFile[], call: string): { qs: WaitQueue[]; label: string } {
  const qs: WaitQueue[] = [];
  const names: string[] = [];
  for (const f of files) {
    names.push(f.ops.describe(f));
    for (const q of fileQueues(f, t)) if (!qs.includes(q)) qs.push(q);
  }
  return { qs, label: `${call} [${names.join(', ')}]` };
}

/** A timeout argument: the virtual-time deadline, and where to write the time left (0: nowhere). */
interface Timeout {
  deadline: number;
  writeBack: number;
}

/** Reads a timespec timeout (NULL: wait for ever): -EFAULT/-EINVAL on a bad one. */
function readTimeout(t: Task, tmo: number): Timeout | number {
  if (tmo === 0) return { deadline: Infinity, writeBack: 0 };
  const ticks = readTimespecTicks(t, tmo);
  if (ticks < 0) return ticks;
  // A zero timeout never sleeps and gets no time written back (poll_select_finish skips {0,0}).
  return { deadline: t.kernel.sched.clock.now + ticks, writeBack: ticks === 0 ? 0 : tmo };
}

/**
 * The loop of do_poll and do_select: `check` computes readiness (how many
 * are ready); with none ready, a pending signal is -EINTR (-ERESTARTNOHAND:
 * a handler always sees EINTR), checked before the timeout, so even a zero
 * timeout reports it; otherwise sleep on every file's queues and check
 * again, because a wake is only a hint. Finally the time left is written
 * back (poll_select_finish; a fault there is ignored).
 */
function* waitReady(t: Task, check: () => number, fds: readonly number[], tmo: Timeout, call: string): SyscallGen {
  const k = t.kernel;
  let result: number;
  let files: OpenFile[] | null = null;
  for (;;) {
    const count = check();
    if (count === 0 && k.signalPending(t)) {
      result = -EINTR;
      break;
    }
    if (count > 0 || (tmo.deadline !== Infinity && k.sched.clock.now >= tmo.deadline)) {
      result = count;
      break;
    }
    files ??= filesOf(t, fds);
    const { qs, label } = queuesOf(t, files, call);
    const r = yield* sleepOnAny(t, qs, tmo.deadline, label);
    if (r === 0 && k.bug('poll-no-recheck')) {
      // BUG (planted): the wake is taken as proof of readiness; whatever is found is returned, even 0.
      result = check();
      break;
    }
  }
  if (tmo.writeBack !== 0) writeTimespecTicks(t, tmo.writeBack, Math.max(0, tmo.deadline - k.sched.clock.now));
  return result;
}

function* ppoll(t: Task, ufds: number, entries: PollEntry[], tmo: Timeout): SyscallGen {
  const result = yield* waitReady(t, () => pollAll(t, entries), entries.map((e) => e.fd), tmo, 'ppoll');
  // do_sys_poll copies every revents back, also on EINTR.
  for (let i = 0; i < entries.length; i++) {
    const b = new StructWriter(2).u16(0, entries[i].revents).bytes;
    if (!t.mm.write(ufds + i * POLLFD_SIZE + 6, b)) return -EFAULT;
  }
  return result;
}

export function registerPoll(k: Kernel): void {
  k.table.define(73, 'ppoll', ['ptr', 'uint', 'ptr', 'ptr', 'size'], (t, [ufds, nfds, tmo, sigmask, sigsetsize]) => {
    const timeout = readTimeout(t, tmo);
    if (typeof timeout === 'number') return timeout;
    const mask = readSigmask(t, sigmask, sigsetsize);
    if (typeof mask === 'number') return mask;
    if (nfds > t.fds.limit) return -EINVAL;
    const raw = nfds > 0 ? t.mm.read(ufds, nfds * POLLFD_SIZE) : new Uint8Array(0);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const entries: PollEntry[] = [];
    for (let i = 0; i < nfds; i++) {
      entries.push({ fd: v.getInt32(i * POLLFD_SIZE, true), events: v.getUint16(i * POLLFD_SIZE + 4, true), revents: 0 });
    }
    return withSigmask(t, mask, ppoll(t, ufds, entries, timeout));
  });
}

// pselect6(2) (glibc's select and pselect on riscv64): fd_set bitmaps over
// the same readiness and sleep as ppoll, as Linux's core_sys_select/do_select.
const POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
const POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
const POLLEX_SET = POLLPRI;

/** Reads an fd_set of n bits (whole 64-bit words, as the kernel copies them); null on a fault. */
function readFdSet(t: Task, addr: number, n: number): Uint8Array | null {
  const bytes = Math.ceil(n / 64) * 8;
  if (addr === 0) return new Uint8Array(bytes);
  return t.mm.read(addr, bytes);
}

function* pselect(
  t: Task, n: number, addrs: number[], sets: Uint8Array[], tmo: Timeout,
): SyscallGen {
  const masks = [POLLIN_SET, POLLOUT_SET, POLLEX_SET];
  const fds: number[] = [];
  for (let fd = 0; fd < n; fd++) {
    if (sets.some((s) => s[fd >> 3] & (1 << (fd & 7)))) {
      if (!t.fds.get(fd)) return -EBADF; // max_select_fd: a closed fd in any set fails the whole call
      fds.push(fd);
    }
  }
  const out = sets.map((s) => new Uint8Array(s.length));
  const check = (): number => {
    let count = 0;
    for (const o of out) o.fill(0);
    for (const fd of fds) {
      const f = t.fds.get(fd); // closed meanwhile by another thread: EPOLLNVAL, in no set (select_poll_one)
      const ready = f ? filePoll(f, t) : POLLNVAL;
      for (let i = 0; i < 3; i++) {
        if (sets[i][fd >> 3] & (1 << (fd & 7)) && ready & masks[i]) {
          out[i][fd >> 3] |= 1 << (fd & 7);
          count++;
        }
      }
    }
    return count;
  };
  const result = yield* waitReady(t, check, fds, tmo, 'pselect6');
  if (result < 0) return result; // the sets are not written back on EINTR
  for (let i = 0; i < 3; i++) if (addrs[i] !== 0 && !t.mm.write(addrs[i], out[i])) return -EFAULT;
  return result;
}

export function registerPselect(k: Kernel): void {
  // As sys_pselect6 and do_pselect check them: the sigmask argument block (get_sigset_argpack), the
  // timeout, the sigmask itself (set_user_sigmask), and only then nfds (core_sys_select).
  k.table.define(72, 'pselect6', ['int', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'], (t, [nfds, inp, outp, exp, tmo, sig]) => {
    let ss = 0, ssLen = 0;
    if (sig !== 0) {
      // The sixth argument points at { const sigset_t *ss; size_t ss_len }.
      const b = t.mm.read(sig, 16);
      if (!b) return -EFAULT;
      const v = new DataView(b.buffer, b.byteOffset, 16);
      ss = Number(v.getBigUint64(0, true));
      ssLen = Number(v.getBigUint64(8, true));
    }
    const timeout = readTimeout(t, tmo);
    if (typeof timeout === 'number') return timeout;
    const mask = readSigmask(t, ss, ssLen);
    if (typeof mask === 'number') return mask;
    if (nfds < 0) return -EINVAL;
    const n = Math.min(nfds, t.fds.limit);
    const addrs = [inp, outp, exp];
    const sets: Uint8Array[] = [];
    for (const a of addrs) {
      const s = readFdSet(t, a, n);
      if (!s) return -EFAULT;
      sets.push(s);
    }
    return withSigmask(t, mask, pselect(t, n, addrs, sets, timeout));
  });
}
