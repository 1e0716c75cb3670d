// Signals and timers on virtual time, and capabilities:
//   setitimer/getitimer (ITIMER_REAL: SIGALRM to the process, glibc's alarm
//     is built on it), as kernel/time/itimer.c;
//   rt_sigpending and rt_sigtimedwait, as kernel/signal.c (do_sigpending,
//     do_sigtimedwait: the waited-for signals are unblocked while it sleeps);
//   capget/capset, as kernel/capability.c: root holds every capability,
//     others none, and capset may only drop (privilege checks elsewhere
//     still look at euid 0).
import { SIGALRM, SIGKILL, SIGSTOP } from '../abi.ts';
import { EAGAIN, EFAULT, EINTR, EINVAL, EPERM, ESRCH } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import type { TimerEvent } from '../../sched/events.ts';
import { bit, siginfoBytes } from '../signal.ts';
import { sigmaskKey } from '../footprint.ts';
import type { SyscallGen } from '../syscall.ts';
import type { Task } from '../task.ts';
import { taskByVpid, vpid } from '../namespaces.ts';
import { getI64, getU32, putU32, StructWriter } from '../uaccess.ts';
import { sleepOnUntil } from '../wait.ts';
import { readTimespecTicks } from './poll.ts';

const ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
const NS_PER_USEC = 1000, USEC_PER_SEC = 1_000_000;
const SIGSET_SIZE = 8;

/** One process's ITIMER_REAL: when it fires next (virtual ns) and its period (0: one shot). */
interface RealTimer {
  event: TimerEvent | null;
  expires: number;
  interval: number;
}

/** Reads a struct __kernel_old_itimerval {interval, value} of timevals as ns, or -errno. */
function readItimerval(t: Task, addr: number): { interval: number; value: number } | number {
  const f = [0, 8, 16, 24].map((o) => getI64(t.mm, addr + o));
  if (f.some((x) => x === null)) return -EFAULT;
  const [is, iu, vs, vu] = f as number[];
  if (iu < 0 || iu >= USEC_PER_SEC || vu < 0 || vu >= USEC_PER_SEC || is < 0 || vs < 0) return -EINVAL;
  return { interval: is * 1e9 + iu * NS_PER_USEC, value: vs * 1e9 + vu * NS_PER_USEC };
}

function writeItimerval(t: Task, addr: number, interval: number, value: number): boolean {
  const w = new StructWriter(32);
  const put = (off: number, ns: number) => {
    const sec = Math.floor(ns / 1e9);
    w.u64(off, sec).u64(off + 8, Math.floor((ns - sec * 1e9) / NS_PER_USEC));
  };
  put(0, interval);
  put(16, value);
  return t.mm.write(addr, w.bytes);
}

/** The capability sets of a task (41 capabilities, CAP_LAST_CAP 40), kept beside its euid. */
const CAP_FULL = (1n << 41n) - 1n;
interface Caps {
  euid: number;
  eff: bigint;
  prm: bigint;
  inh: bigint;
}
const _LINUX_CAPABILITY_VERSION_1 = 0x19980330, _LINUX_CAPABILITY_VERSION_2 = 0x20071026, _LINUX_CAPABILITY_VERSION_3 = 0x20080522;

export function registerSigtime(k: Kernel): void {
  const d = k.table.define.bind(k.table);
  const sched = k.sched;
  /** ITIMER_REAL by process (tgid) */
  const timers = new Map<number, RealTimer>();
  /** capabilities by task, once capset changed them (otherwise derived from euid) */
  const caps = new Map<number, Caps>();
  /** ITIMER_VIRTUAL/ITIMER_PROF: accepted and read back, never fired (no CPU-time accounting) */
  const cpuTimers = new Map<string, { interval: number; value: number }>();

  k.processHooks.push((pid) => {
    const tm = timers.get(pid);
    if (tm?.event && !k.tasks.get(pid)?.group.threads.length) {
      sched.events.cancel(tm.event);
      timers.delete(pid);
    }
  });

  function arm(pid: number, tm: RealTimer): void {
    if (tm.event) sched.events.cancel(tm.event);
    tm.event = null;
    if (tm.expires === 0) return;
    tm.event = sched.at(tm.expires, () => {
      tm.event = null;
      const leader = k.tasks.get(pid);
      if (!leader || leader.group.threads.length === 0) return;
      k.sendProcessSignal(leader, SIGALRM, 'SI_KERNEL'); // it_real_fn: SEND_SIG_PRIV
      if (tm.interval > 0) {
        tm.expires = sched.clock.now + tm.interval;
        arm(pid, tm);
      } else tm.expires = 0;
    });
  }

  /** Time left on a running ITIMER_REAL (at least 1 us while armed, as itimer_get_remtime). */
  const remaining = (tm: RealTimer | undefined): number =>
    !tm || tm.expires === 0 ? 0 : Math.max(tm.expires - sched.clock.now, NS_PER_USEC);

  d(102, 'getitimer', ['int', 'ptr'], (t, [which, value]) => {
    if (which === ITIMER_REAL) {
      const tm = timers.get(t.tgid);
      return writeItimerval(t, value, tm?.interval ?? 0, remaining(tm)) ? 0 : -EFAULT;
    }
    if (which !== ITIMER_VIRTUAL && which !== ITIMER_PROF) return -EINVAL;
    const c = cpuTimers.get(`${t.tgid}:${which}`);
    return writeItimerval(t, value, c?.interval ?? 0, c?.value ?? 0) ? 0 : -EFAULT;
  });

  d(103, 'setitimer', ['int', 'ptr', 'ptr'], (t, [which, value, ovalue]) => {
    let v = { interval: 0, value: 0 };
    if (value !== 0) {
      const r = readItimerval(t, value);
      if (typeof r === 'number') return r;
      v = r;
    }
    if (which === ITIMER_REAL) {
      const tm = timers.get(t.tgid) ?? { event: null, expires: 0, interval: 0 };
      if (ovalue !== 0 && !writeItimerval(t, ovalue, tm.interval, remaining(tm))) return -EFAULT;
      tm.interval = v.value === 0 ? 0 : v.interval;
      tm.expires = v.value === 0 ? 0 : sched.clock.now + v.value;
      timers.set(t.tgid, tm);
      arm(t.tgid, tm);
      return 0;
    }
    if (which !== ITIMER_VIRTUAL && which !== ITIMER_PROF) return -EINVAL;
    const key = `${t.tgid}:${which}`;
    const old = cpuTimers.get(key) ?? { interval: 0, value: 0 };
    if (ovalue !== 0 && !writeItimerval(t, ovalue, old.interval, old.value)) return -EFAULT;
    cpuTimers.set(key, v);
    return 0;
  });

  d(136, 'rt_sigpending', ['ptr', 'size'], (t, [set, size]) => {
    if (size > SIGSET_SIZE) return -EINVAL;
    // do_sigpending: the pending signals (thread and process) that are blocked
    const pend = (t.sig.pending | t.sig.shared.pending) & t.sig.blocked;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, pend, true);
    return t.mm.write(set, b.subarray(0, size)) ? 0 : -EFAULT;
  });

  d(137, 'rt_sigtimedwait', ['ptr', 'ptr', 'ptr', 'size'], (t, [uthese, uinfo, uts, size]) => {
    if (size !== SIGSET_SIZE) return -EINVAL;
    const raw = t.mm.read(uthese, 8);
    if (!raw) return -EFAULT;
    const mask = new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true) & ~(bit(SIGKILL) | bit(SIGSTOP));
    let deadline = Infinity;
    if (uts !== 0) {
      const ticks = readTimespecTicks(t, uts);
      if (ticks < 0) return ticks;
      deadline = sched.clock.now + ticks;
    }
    return sigtimedwait(t, mask, uinfo, deadline);
  });

  function* sigtimedwait(t: Task, mask: bigint, uinfo: number, deadline: number): SyscallGen {
    for (;;) {
      const sig = t.sig.pendingIn(mask);
      if (sig) {
        const info = t.sig.take(sig);
        const bytes = new Uint8Array(128);
        bytes.set(siginfoBytes(sig, info, vpid(t, info.pid)));
        if (uinfo !== 0 && !t.mm.write(uinfo, bytes)) return -EFAULT;
        return sig;
      }
      if (sched.clock.now >= deadline) return -EAGAIN;
      // The waited-for signals are unblocked for the sleep, so their arrival wakes it.
      const saved = t.sig.blocked;
      sched.recorder?.write(sigmaskKey(t));
      t.sig.realBlocked = saved;
      t.sig.blocked &= ~mask;
      let r: number;
      try {
        r = yield* sleepOnUntil(t, t.timerQueue, deadline);
      } finally {
        t.sig.blocked = saved;
        t.sig.realBlocked = 0n;
      }
      if (r < 0 && (t.sig.pendingIn(mask) === 0)) return -EINTR; // another signal: interrupted, never restarted
      // the timeout passed (also when it lies past KTIME_MAX, where the clock saturates and `deadline` is never reached)
      if (r === 1 && t.sig.pendingIn(mask) === 0) return -EAGAIN;
    }
  }





  const capsOf = (t: Task): Caps => {
    const c = caps.get(t.pid);
    if (c && c.euid === t.creds.euid) return c;
    const all = t.creds.euid === 0 ? CAP_FULL : 0n;
    return { euid: t.creds.euid, eff: all, prm: all, inh: 0n };
  };

  /** cap_validate_magic: the number of u32 words per set, or -EINVAL after writing back the preferred version. */
  function validate(t: Task, hdr: number): number {
    const v = getU32(t.mm, hdr);
    if (v === null) return -EFAULT;
    if (v === _LINUX_CAPABILITY_VERSION_1) return 1;
    if (v === _LINUX_CAPABILITY_VERSION_2 || v === _LINUX_CAPABILITY_VERSION_3) return 2;
    if (!putU32(t.mm, hdr, _LINUX_CAPABILITY_VERSION_3)) return -EFAULT;
    return -EINVAL;
  }

  d(90, 'capget', ['ptr', 'ptr'], (t, [hdr, data]) => {
    const words = validate(t, hdr);
    if (data === 0 || words < 0) return data === 0 && words === -EINVAL ? 0 : words;
    const pidw = getU32(t.mm, hdr + 4);
    if (pidw === null) return -EFAULT;
    const pid = pidw | 0;
    if (pid < 0) return -EINVAL;
    const target = pid === 0 ? t : taskByVpid(t, pid);
    if (!target || target.state === 'exited') return -ESRCH;
    const c = capsOf(target);
    const w = new StructWriter(12 * words);
    for (let i = 0; i < words; i++) {
      const part = (x: bigint) => Number((x >> BigInt(32 * i)) & 0xffffffffn);
      w.u32(12 * i, part(c.eff)).u32(12 * i + 4, part(c.prm)).u32(12 * i + 8, part(c.inh));
    }
    return t.mm.write(data, w.bytes) ? 0 : -EFAULT;
  });

  d(91, 'capset', ['ptr', 'ptr'], (t, [hdr, data]) => {
    const words = validate(t, hdr);
    if (words < 0) return words;
    const pidw = getU32(t.mm, hdr + 4);
    if (pidw === null) return -EFAULT;
    const pid = pidw | 0;
    if (pid !== 0 && pid !== vpid(t, t.pid)) return -EPERM; // only one's own capabilities
    const raw = t.mm.read(data, 12 * words);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    let eff = 0n, prm = 0n, inh = 0n;
    for (let i = 0; i < words; i++) {
      const sh = BigInt(32 * i);
      eff |= BigInt(v.getUint32(12 * i, true)) << sh;
      prm |= BigInt(v.getUint32(12 * i + 4, true)) << sh;
      inh |= BigInt(v.getUint32(12 * i + 8, true)) << sh;
    }
    if (words === 1) {
      // a v1 caller leaves the upper capabilities as they are
      const cur = capsOf(t);
      const hi = ~0xffffffffn;
      eff |= cur.eff & hi;
      prm |= cur.prm & hi;
      inh |= cur.inh & hi;
    }
    const cur = capsOf(t);
    // cap_capset: no new permitted ones, effective within permitted, inheritable within the old sets
    if (prm & ~cur.prm) return -EPERM;
    if (eff & ~prm) return -EPERM;
    if (inh & ~(cur.inh | cur.prm)) return -EPERM;
    caps.set(t.pid, { euid: t.creds.euid, eff: eff & CAP_FULL, prm: prm & CAP_FULL, inh: inh & CAP_FULL });
    return 0;
  });
}
