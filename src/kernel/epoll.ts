// epoll (fs/eventpoll.c): an epoll instance is an open file holding an
// interest list of (file, fd) entries and a ready list. Each entry keeps a
// callback waker registered on its file's poll queues (ep_poll_callback):
// any wake of those queues puts the entry on the ready list and wakes one
// epoll_wait sleeper. epoll_wait re-polls every ready entry before
// reporting it (a wake is only a hint); a level-triggered entry goes back
// on the ready list after being reported, an edge-triggered one (EPOLLET)
// only when its file's queues are woken again, and a one-shot entry
// (EPOLLONESHOT) is disabled until EPOLL_CTL_MOD re-arms it.
//
// Entries hold no reference to their file, as in Linux: closing an fd
// leaves the entry while a dup of the file lives; the file's last put
// removes it (OpenFile.watchers, Linux eventpoll_release).
import { WaitQueue, Waker } from '../sched/waitqueue.ts';
import { O_CLOEXEC, O_RDWR } from './abi.ts';
import { EBADF, EEXIST, EFAULT, EINTR, EINVAL, ELOOP, ENOENT, EPERM } from './errno.ts';
import { fdget } from './fdget.ts';
import { touchFile } from './footprint.ts';
import type { FileOps, OpenFile, ReleaseWatcher, StatInfo } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { SyscallGen, SyscallResult } from './syscall.ts';
import { readSigmask, readTimespecTicks, withSigmask, fileQueues, filePoll, POLLIN, POLLRDNORM, sleepOnAny } from './syscalls/poll.ts';
import type { Task } from './task.ts';

export const EPOLLIN = 0x1, EPOLLPRI = 0x2, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDNORM = 0x40,
  EPOLLRDBAND = 0x80, EPOLLWRNORM = 0x100, EPOLLWRBAND = 0x200, EPOLLMSG = 0x400, EPOLLRDHUP = 0x2000;
export const EPOLLEXCLUSIVE = 2 ** 28, EPOLLWAKEUP = 2 ** 29, EPOLLONESHOT = 2 ** 30, EPOLLET = 2 ** 31;
export const EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
export const EPOLL_CLOEXEC = O_CLOEXEC;

/** Flags that are not events (Linux EP_PRIVATE_BITS): an entry with only these is disabled. */
const EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/** What may accompany EPOLLEXCLUSIVE (Linux EPOLLEXCLUSIVE_OK_BITS). */
const EPOLLEXCLUSIVE_OK_BITS = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
/** sizeof(struct epoll_event) on riscv64 (not packed): +0 u32 events, +8 u64 data */
export const EPOLL_EVENT_SIZE = 16;
/** Linux EP_MAX_EVENTS = INT_MAX / sizeof(struct epoll_event) */
const EP_MAX_EVENTS = Math.floor(0x7fffffff / EPOLL_EVENT_SIZE);

export { EPOLL_PLANTED_BUGS } from './bugs.ts';


/** One interest-list entry (struct epitem): keyed by (file, fd), no reference to the file. */
class EpollItem implements ReleaseWatcher {
  /** requested events plus EPOLLERR|EPOLLHUP and the private flags (u32) */
  events = 0;
  /** the user's epoll_data, copied verbatim (8 bytes) */
  data: Uint8Array = new Uint8Array(8);
  /** on the ready list (ep_is_linked) */
  linked = false;
  /** removed from the interest list: callbacks still in flight do nothing */
  removed = false;
  /** the file queues this entry's waker is registered on */
  readonly queues: WaitQueue[] = [];
  readonly waker: Waker;

  constructor(
    readonly ep: Epoll,
    readonly file: OpenFile,
    readonly fd: number,
    t: Task,
  ) {
    // The waker's owner is the task that added the entry; only the callback matters (ep_poll_callback).
    this.waker = new Waker(t, (_w, source, key) => ep.callback(this, source, key));
  }

  fileReleased(): void {
    this.ep.remove(this, true);
  }
}

export class Epoll implements FileOps {
  readonly kind = 'epoll';
  /** the interest list, in insertion order */
  readonly items: EpollItem[] = [];
  /** entries whose files were woken (or found ready), oldest first */
  ready: EpollItem[] = [];
  /** epoll_wait sleepers (ep->wq); one is woken per event */
  readonly wq: WaitQueue;
  /** pollers of the epoll fd itself, including enclosing epoll instances (ep->poll_wait) */
  readonly pollWait: WaitQueue;
  released = false;
  /** this instance's own open file (whose watchers are the epolls it is nested in) */
  file: OpenFile | null = null;

  constructor(
    readonly k: Kernel,
    readonly id: number,
    /** the kernel's live epoll instances (for the invariant check); this one leaves it on release */
    private readonly live: Set<Epoll>,
  ) {
    live.add(this);
    this.wq = new WaitQueue(`anon_inode:[eventpoll] #${id} waiters`);
    this.pollWait = new WaitQueue(`anon_inode:[eventpoll] #${id} pollers`);
  }

  find(file: OpenFile, fd: number): EpollItem | undefined {
    return this.items.find((i) => i.file === file && i.fd === fd);
  }

  /** ep_poll_callback: a queue of the entry's file was woken with poll key `key` (0: any event). */
  callback(item: EpollItem, source: WaitQueue, key = 0): void {
    // runs inside the step that woke the file: that step changes this instance's lists (dpor)
    this.k.sched.recorder?.write(this.key);
    if (item.removed) return;
    // Our WaitQueue drops every waker it wakes; an epoll entry stays registered until removed.
    source.add(item.waker);
    if (!(item.events & ~EP_PRIVATE_BITS)) return; // disabled one-shot entry
    if (key && !(key & item.events)) return; // a wakeup for events this entry did not ask for
    if (!item.linked) {
      item.linked = true;
      this.ready.push(item);
    }
    this.wq.wakeOne();
    this.pollWait.wakeAll();
  }

  /** ep_item_poll: the entry's current events, (re-)registering its waker on the file's queues. */
  itemPoll(item: EpollItem): number {
    // the entry's file is polled and its queues written without an fd lookup: recorded here (dpor)
    const rec = this.k.sched.recorder;
    touchFile(rec, item.file);
    // as Linux's ep_item_poll, the file is polled for the task running now (a signalfd's readiness is its)
    const current = (this.k.sched.current as Task | null) ?? undefined;
    for (const q of fileQueues(item.file, current)) {
      rec?.write(`q:${q.name}`);
      q.add(item.waker);
      if (!item.queues.includes(q)) item.queues.push(q);
    }
    return (filePoll(item.file, current) & item.events) >>> 0;
  }

  /** Puts a ready entry on the ready list and wakes waiters (end of ep_insert / ep_modify). */
  private queueIfReady(item: EpollItem): void {
    if (this.itemPoll(item) && !item.linked) {
      item.linked = true;
      this.ready.push(item);
      this.wq.wakeOne();
      this.pollWait.wakeAll();
    }
  }

  insert(t: Task, file: OpenFile, fd: number, events: number, data: Uint8Array): void {
    const item = new EpollItem(this, file, fd, t);
    item.events = (events | EPOLLERR | EPOLLHUP) >>> 0;
    item.data = data;
    this.items.push(item);
    (file.watchers ??= []).push(item);
    this.queueIfReady(item);
  }

  modify(item: EpollItem, events: number, data: Uint8Array): void {
    item.events = (events | EPOLLERR | EPOLLHUP) >>> 0;
    item.data = data;
    this.queueIfReady(item);
  }

  /** ep_remove: unregisters the entry's waker and drops it from both lists. */
  remove(item: EpollItem, fileGoing: boolean): void {
    const rec = this.k.sched.recorder;
    rec?.write(this.key);
    if (item.removed) return;
    item.removed = true;
    touchFile(rec, item.file);
    for (const q of item.queues) {
      rec?.write(`q:${q.name}`);
      q.remove(item.waker);
    }
    item.queues.length = 0;
    if (item.linked) {
      const i = this.ready.indexOf(item);
      if (i >= 0) this.ready.splice(i, 1);
      item.linked = false;
    }
    this.items.splice(this.items.indexOf(item), 1);
    if (!fileGoing && item.file.watchers) {
      const ws = item.file.watchers;
      ws.splice(ws.indexOf(item), 1);
      if (ws.length === 0) item.file.watchers = null;
    }
  }

  /**
   * ep_send_events: reports up to `max` ready entries to user memory at
   * `addr`; returns how many, or -EFAULT if the first copy faulted.
   */
  sendEvents(t: Task, addr: number, max: number): number {
    const tx = this.ready;
    this.ready = [];
    let res = 0;
    let i = 0;
    for (; i < tx.length && res < max; i++) {
      const item = tx[i];
      item.linked = false;
      const revents = this.itemPoll(item);
      if (!revents) continue;
      const b = new Uint8Array(EPOLL_EVENT_SIZE);
      new DataView(b.buffer).setUint32(0, revents, true);
      b.set(item.data, 8);
      if (!t.mm.write(addr + res * EPOLL_EVENT_SIZE, b)) {
        item.linked = true; // back to the front with the unprocessed rest
        if (!res) res = -EFAULT;
        break;
      }
      res++;
      if (item.events & EPOLLONESHOT) item.events = (item.events & EP_PRIVATE_BITS) >>> 0;
      else if (!(item.events & EPOLLET)) {
        // Level-triggered: stays ready until a poll finds nothing.
        item.linked = true;
        this.ready.push(item);
      } else if (this.k.bug('epoll-et-no-rearm')) {
        item.linked = true; // BUG (planted): off the list but still marked queued; the callback will skip it
      }
    }
    // ep_done_scan: what was not processed goes back in front; if anything is ready, pass the wake on.
    this.ready = tx.slice(i).concat(this.ready);
    if (this.ready.length) this.wq.wakeOne();
    return res;
  }

  /** Does a ready entry really have events? Drops those that do not (__ep_eventpoll_poll). */
  private anyReady(): boolean {
    for (let i = 0; i < this.ready.length; ) {
      const item = this.ready[i];
      if (this.itemPoll(item)) return true;
      item.linked = false;
      this.ready.splice(i, 1);
    }
    return false;
  }

  // ---- FileOps: the epoll fd itself is pollable (POLLIN while an event is ready) ----

  poll(): number {
    return this.anyReady() ? POLLIN | POLLRDNORM : 0;
  }

  pollQueues(): WaitQueue[] {
    return [this.pollWait];
  }

  stat(): StatInfo {
    // anon_inode: one inode for every anonymous file, mode 0600 with no type bits
    return { dev: 13, ino: 1, mode: 0o600, nlink: 1, uid: 0, gid: 0, size: 0, blksize: 4096 };
  }

  /** ep_free: the epoll file's last reference went; every entry is unhooked from its file. */
  release(): void {
    this.released = true;
    this.live.delete(this);
    while (this.items.length) this.remove(this.items[0], false);
    this.ready = [];
  }

  describe(): string {
    return 'anon_inode:[eventpoll]';
  }

  /**
   * The instance's footprint key (dpor): its interest and ready lists. A
   * step that looks the epoll fd up, wakes a watched file (the callback),
   * or walks a nest of instances touches it; the watched files are touched
   * where they are polled or unhooked (itemPoll, remove).
   */
  get key(): string {
    return `ep:${this.id}`;
  }

  footprintKeys(): string[] {
    return [this.key];
  }
}

/** How deep epoll instances may nest inside each other (fs/eventpoll.c EP_MAX_NESTS). */
export const EP_MAX_NESTS = 4;

/**
 * ep_loop_check: would adding epoll `to` to epoll `ep` close a loop, or make
 * a chain of nested epolls longer than EP_MAX_NESTS (counting both the depth
 * below `to` and the depth above `ep`)? As in Linux, each instance is
 * visited once per check (the `seen` marks play loop_check_gen and
 * loop_check_depth, shared by the downward and upward walks), and the
 * downward walk stops past EP_MAX_NESTS, so a diamond of thousands of
 * instances costs one visit each and a deep chain no deep recursion.
 */
export function epLoopCheck(ep: Epoll, to: Epoll): boolean {
  const seen = new Map<Epoll, number>();
  const depth = loopCheckProc(to, 0, ep, seen);
  if (depth > EP_MAX_NESTS) return true;
  return depth + 1 + upwardsDepth(ep, seen, 0) > EP_MAX_NESTS;
}

/** ep_loop_check_proc: the nesting depth below `ep` (EP_MAX_NESTS + 1 once it reaches `inserting` or is too deep). */
function loopCheckProc(ep: Epoll, depth: number, inserting: Epoll, seen: Map<Epoll, number>): number {
  const known = seen.get(ep);
  if (known !== undefined) return known;
  ep.k.sched.recorder?.read(ep.key);
  seen.set(ep, 0);
  let result = 0;
  for (const item of ep.items) {
    const sub = item.file.ops;
    if (!(sub instanceof Epoll)) continue;
    if (sub === inserting || depth > EP_MAX_NESTS) result = EP_MAX_NESTS + 1;
    else result = Math.max(result, loopCheckProc(sub, depth + 1, inserting, seen) + 1);
    if (result > EP_MAX_NESTS) break;
  }
  seen.set(ep, result);
  return result;
}

/** ep_get_upwards_depth_proc: how many epolls are stacked above `ep` (the instances watching its file). */
function upwardsDepth(ep: Epoll, seen: Map<Epoll, number>, depth: number): number {
  const known = seen.get(ep);
  if (known !== undefined) return known;
  const rec = ep.k.sched.recorder;
  rec?.read(ep.key);
  if (ep.file) rec?.read(`f:${ep.file.id}`); // its watchers
  seen.set(ep, 0);
  let result = 0;
  // The graph above was itself checked on every insert, so this walk is at most EP_MAX_NESTS deep.
  if (depth <= EP_MAX_NESTS) {
    for (const w of ep.file?.watchers ?? []) {
      if (w instanceof EpollItem && !w.removed) result = Math.max(result, upwardsDepth(w.ep, seen, depth + 1) + 1);
    }
  } else {
    result = EP_MAX_NESTS + 1;
  }
  seen.set(ep, result);
  return result;
}

function* epollWait(t: Task, ep: Epoll, addr: number, max: number, deadline: number): SyscallGen {
  const k = t.kernel;
  let timedOut = k.sched.clock.now >= deadline;
  let eavail = ep.ready.length > 0;
  for (;;) {
    if (eavail) {
      const res = ep.sendEvents(t, addr, max);
      if (res) return res;
    }
    if (timedOut) return 0;
    // epoll_wait is never restarted after a handler (signal(7)): EINTR.
    if (k.signalPending(t)) return -EINTR;
    if (ep.ready.length === 0) {
      const r = yield* sleepOnAny(t, [ep.wq], deadline, ep.wq.name);
      if (r === 1) timedOut = true;
    }
    eavail = true; // after any wake, look (and re-check) before giving up
  }
}

function readEvent(t: Task, addr: number): { events: number; data: Uint8Array } | null {
  const b = t.mm.read(addr, EPOLL_EVENT_SIZE);
  if (!b) return null;
  return { events: new DataView(b.buffer, b.byteOffset).getUint32(0, true), data: b.slice(8, 16) };
}

export function registerEpoll(k: Kernel): void {
  let nextId = 1;
  /** live epoll instances, in creation order (for the invariant check) */
  const live = new Set<Epoll>();

  k.table.define(20, 'epoll_create1', ['hex'], (t, [flags]) => {
    if (flags & ~EPOLL_CLOEXEC) return -EINVAL;
    k.sched.recorder?.write('alloc:epoll'); // the instance's number
    const f = k.files.open(new Epoll(k, nextId++, live), O_RDWR);
    (f.ops as Epoll).file = f;
    const fd = t.fds.install(f, (flags & EPOLL_CLOEXEC) !== 0);
    if (fd < 0) f.put();
    return fd;
  });

  k.table.define(21, 'epoll_ctl', ['fd', 'int', 'fd', 'ptr'], (t, [epfd, op, fd, uevent]) => {
    let ev: { events: number; data: Uint8Array } | null = null;
    if (op !== EPOLL_CTL_DEL) {
      ev = readEvent(t, uevent);
      if (!ev) return -EFAULT;
    }
    const f = t.fds.get(epfd);
    if (!f) return -EBADF;
    const tf = t.fds.get(fd);
    if (!tf) return -EBADF;
    if (!tf.ops.poll) return -EPERM; // file_can_poll: regular files and directories
    if (f === tf || !(f.ops instanceof Epoll)) return -EINVAL;
    const ep = f.ops;
    let events = ev ? ev.events & ~EPOLLWAKEUP : 0; // EPOLLWAKEUP needs CAP_BLOCK_SUSPEND; dropped silently
    if (ev && events & EPOLLEXCLUSIVE) {
      if (op === EPOLL_CTL_MOD) return -EINVAL;
      if (op === EPOLL_CTL_ADD && (tf.ops instanceof Epoll || events & ~EPOLLEXCLUSIVE_OK_BITS)) return -EINVAL;
    }
    events >>>= 0;
    if (op === EPOLL_CTL_ADD && tf.ops instanceof Epoll && epLoopCheck(ep, tf.ops)) return -ELOOP;
    const item = ep.find(tf, fd);
    switch (op) {
      case EPOLL_CTL_ADD:
        if (item) return -EEXIST;
        ep.insert(t, tf, fd, events, ev!.data);
        return 0;
      case EPOLL_CTL_DEL:
        if (!item) return -ENOENT;
        ep.remove(item, false);
        return 0;
      case EPOLL_CTL_MOD:
        if (!item) return -ENOENT;
        if (item.events & EPOLLEXCLUSIVE) return -EINVAL;
        ep.modify(item, events, ev!.data);
        return 0;
      default:
        return -EINVAL;
    }
  });

  /** do_epoll_pwait: the sigmask, then do_epoll_wait's checks, then the wait until `deadline`. */
  const epollPwait = (t: Task, epfd: number, events: number, max: number, deadline: number, sigmask: number, sigsetsize: number): SyscallResult => {
    const mask = readSigmask(t, sigmask, sigsetsize);
    if (typeof mask === 'number') return mask;
    if (max <= 0 || max > EP_MAX_EVENTS) return -EINVAL;
    const f = fdget(t, epfd);
    if (!f) return -EBADF;
    if (!(f.ops instanceof Epoll)) return -EINVAL;
    return withSigmask(t, mask, epollWait(t, f.ops, events, max, deadline));
  };

  k.table.define(22, 'epoll_pwait', ['fd', 'ptr', 'int', 'int', 'ptr', 'size'], (t, [epfd, events, max, timeout, sigmask, sigsetsize]) =>
    epollPwait(t, epfd, events, max, timeout < 0 ? Infinity : k.sched.clock.now + timeout * 1_000_000, sigmask, sigsetsize));

  // epoll_pwait2: the timeout as a timespec (NULL: none), read and checked before the sigmask
  k.table.define(441, 'epoll_pwait2', ['fd', 'ptr', 'int', 'ptr', 'ptr', 'size'], (t, [epfd, events, max, timeout, sigmask, sigsetsize]) => {
    const ticks = timeout === 0 ? Infinity : readTimespecTicks(t, timeout);
    if (ticks < 0) return ticks;
    return epollPwait(t, epfd, events, max, k.sched.clock.now + ticks, sigmask, sigsetsize);
  });

  k.checks.push(() => {
    for (const ep of live) {
      for (const item of ep.ready) {
        if (!item.linked || item.removed) return `epoll #${ep.id} has an entry for fd ${item.fd} on its ready list that is not queued`;
      }
      for (const item of ep.items) {
        if (item.file.refs <= 0) return `epoll #${ep.id} watches fd ${item.fd} (${item.file.ops.describe(item.file)}), a released file`;
        if (!item.file.watchers?.includes(item)) return `epoll #${ep.id} entry for fd ${item.fd} is not among its file's watchers`;
      }
    }
    return null;
  });
}
