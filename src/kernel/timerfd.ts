// timerfd (fs/timerfd.c): a timer on virtual time behind a file. When it
// expires its tick count goes up and readers are woken; read(2) returns
// the count (8 bytes) and clears it, sleeping while it is 0. A periodic
// timer is not re-armed at each period: as Linux's hrtimer_forward_now, a
// read or timerfd_gettime after an expiry counts the periods that passed
// and arms the next one, so an unread 1 ms timer costs nothing per period.
import { O_CLOEXEC, O_NONBLOCK, O_RDWR } from './abi.ts';
import { EAGAIN, EBADF, EFAULT, EINVAL } from './errno.ts';
import type { FileOps, OpenFile, StatInfo } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { SyscallGen } from './syscall.ts';
import { REALTIME_EPOCH_SECONDS } from './syscalls/proc.ts';
import { POLLIN, POLLRDNORM, readTimespecTicks } from './syscalls/poll.ts';
import type { Task } from './task.ts';
import { StructWriter } from './uaccess.ts';
import type { UserIO } from './userio.ts';
import { sleepOn } from './wait.ts';
import type { TimerEvent } from '../sched/events.ts';
import { TICKS_PER_SECOND } from '../sched/clock.ts';
import { WaitQueue } from '../sched/waitqueue.ts';

const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9;
const TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;
const REALTIME_BASE = REALTIME_EPOCH_SECONDS * TICKS_PER_SECOND;

export class TimerFd implements FileOps {
  readonly kind = 'timerfd';
  readonly wait: WaitQueue;
  /** armed, and when it expires next, in virtual ns (in the past for an absolute time already gone) */
  private armed = false;
  private expires = 0;
  private interval = 0;
  /** expirations not yet read */
  private ticks = 0;
  /** the last expiry has not been forwarded past yet (ctx->expired) */
  private expired = false;
  private event: TimerEvent | null = null;

  constructor(
    private readonly k: Kernel,
    readonly clock: number,
    id: number,
  ) {
    this.wait = new WaitQueue(`timerfd:[${id}]`);
  }

  private get realtime(): boolean {
    return this.clock === CLOCK_REALTIME || this.clock === CLOCK_REALTIME_ALARM;
  }

  private arm(): void {
    if (this.event) this.k.sched.events.cancel(this.event);
    this.event = null;
    if (!this.armed) return;
    // a time already passed expires at once
    this.event = this.k.sched.at(Math.max(this.expires, this.k.sched.clock.now), () => {
      // timerfd_tmrproc
      this.event = null;
      this.expired = true;
      this.ticks++;
      this.wait.wakeAll(POLLIN);
    });
  }

  /** hrtimer_forward_now after an expiry of a periodic timer: the periods that passed since, and the next one armed. */
  private forward(): void {
    if (!this.expired || this.interval === 0) return;
    const now = this.k.sched.clock.now;
    const periods = Math.floor((now - this.expires) / this.interval) + 1;
    this.ticks += periods - 1;
    this.expires += periods * this.interval;
    this.expired = false;
    this.arm();
  }

  /** The time left and the interval, as timerfd_gettime reports them (0 left once a one-shot timer has fired). */
  current(): [number, number] {
    this.forward();
    const now = this.k.sched.clock.now;
    return [this.armed && this.expires > now ? this.expires - now : 0, this.interval];
  }

  /** timerfd_setup: a new value (ns: relative, or absolute on the timer's clock) and interval; the count starts again. */
  set(value: number, interval: number, absolute: boolean): void {
    this.ticks = 0;
    this.expired = false;
    this.armed = value !== 0;
    this.interval = this.armed ? interval : 0;
    this.expires = absolute ? value - (this.realtime ? REALTIME_BASE : 0) : this.k.sched.clock.now + value;
    this.arm();
  }

  *read(t: Task, f: OpenFile, io: UserIO): SyscallGen {
    if (io.total < 8) return -EINVAL;
    while (this.ticks === 0) {
      if (f.flags & O_NONBLOCK) return -EAGAIN;
      const err = yield* sleepOn(t, this.wait);
      if (err) return err;
    }
    this.forward();
    const n = this.ticks;
    this.ticks = 0;
    this.expired = false;
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
    return io.copyOut(bytes) === 8 ? 8 : -EFAULT;
  }

  poll(): number {
    return this.ticks > 0 ? POLLIN | POLLRDNORM : 0;
  }

  pollQueues(): WaitQueue[] {
    return [this.wait];
  }

  release(): void {
    if (this.event) this.k.sched.events.cancel(this.event);
    this.event = null;
  }

  stat(): StatInfo {
    return { dev: 14, ino: 1, mode: 0o600, nlink: 1, uid: 0, gid: 0, size: 0, blksize: 4096 };
  }

  describe(): string {
    return 'anon_inode:[timerfd]';
  }
}

/** struct itimerspec {it_interval, it_value} at addr, in ns, or -errno. */
function readItimerspec(t: Task, addr: number): { interval: number; value: number } | number {
  const interval = readTimespecTicks(t, addr);
  if (interval < 0) return interval;
  const value = readTimespecTicks(t, addr + 16);
  if (value < 0) return value;
  return { interval, value };
}

function writeItimerspec(t: Task, addr: number, left: number, interval: number): boolean {
  const w = new StructWriter(32);
  const put = (off: number, ns: number) => {
    const sec = Math.floor(ns / TICKS_PER_SECOND);
    w.u64(off, sec).u64(off + 8, ns - sec * TICKS_PER_SECOND);
  };
  put(0, interval);
  put(16, left);
  return t.mm.write(addr, w.bytes);
}

/** timerfd_fget: EBADF for no file, EINVAL for a file that is not a timerfd. */
function timerOf(t: Task, fd: number): TimerFd | number {
  const f = t.fds.get(fd);
  if (!f) return -EBADF;
  return f.ops instanceof TimerFd ? f.ops : -EINVAL;
}

export function registerTimerfd(k: Kernel): void {
  let nextId = 0;
  const d = k.table.define.bind(k.table);
  d(85, 'timerfd_create', ['int', 'hex'], (t, [clock, flags]) => {
    if (flags & ~(O_CLOEXEC | O_NONBLOCK)) return -EINVAL;
    if (![CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM].includes(clock)) return -EINVAL;
    const f = k.files.open(new TimerFd(k, clock, nextId++), O_RDWR | (flags & O_NONBLOCK));
    const fd = t.fds.install(f, (flags & O_CLOEXEC) !== 0);
    if (fd < 0) f.put();
    return fd;
  });
  d(86, 'timerfd_settime', ['fd', 'hex', 'ptr', 'ptr'], (t, [fd, flags, newValue, oldValue]) => {
    const v = readItimerspec(t, newValue);
    if (typeof v === 'number') return v;
    if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) return -EINVAL;
    const tf = timerOf(t, fd);
    if (typeof tf === 'number') return tf;
    // TFD_TIMER_CANCEL_ON_SET: nothing here sets the wall clock, so nothing ever cancels
    const [left, interval] = tf.current();
    tf.set(v.value, v.interval, (flags & TFD_TIMER_ABSTIME) !== 0);
    if (oldValue !== 0 && !writeItimerspec(t, oldValue, left, interval)) return -EFAULT;
    return 0;
  });
  d(87, 'timerfd_gettime', ['fd', 'ptr'], (t, [fd, cur]) => {
    const tf = timerOf(t, fd);
    if (typeof tf === 'number') return tf;
    const [left, interval] = tf.current();
    return writeItimerspec(t, cur, left, interval) ? 0 : -EFAULT;
  });
}
