// epoll against a model: one process runs a random sequence of non-blocking
// calls on up to two pipes and up to four epoll instances (epoll_create1,
// epoll_ctl ADD/MOD/DEL with level-triggered, EPOLLET, EPOLLONESHOT and
// EPOLLEXCLUSIVE entries, epoll_pwait with a zero timeout, write, read,
// close and dup of any fd, poll of an epoll fd), and every result must be
// what epoll(7) and epoll_ctl(2) say:
//   - epoll_ctl: EBADF for a closed fd, EINVAL for an epfd that is no epoll
//     or the same file as fd, for EPOLLEXCLUSIVE with EPOLL_CTL_MOD, on an
//     epoll fd or with events beyond EPOLLIN|OUT|ERR|HUP|WAKEUP|ET, and for
//     MOD of an exclusive entry; EEXIST, ENOENT; ELOOP when an epoll fd added
//     to another would close a loop or nest epolls more than 4 deep
//     (fs/eventpoll.c ep_loop_check, EP_MAX_NESTS);
//   - an entry is keyed by (file, fd): closing its fd leaves it while a dup of
//     the file lives, the file's last close removes it (eventpoll_release);
//   - epoll_wait reports at most maxevents entries (EINVAL for maxevents <= 0,
//     or an fd that is no epoll), each once, with revents = the file's poll
//     mask & (events | EPOLLERR | EPOLLHUP) and the data of its last ADD/MOD;
//     a level-triggered entry is reported while its file is ready, a one-shot
//     entry once, then not until EPOLL_CTL_MOD re-arms it, an edge-triggered
//     one after ADD/MOD finds it ready or new data arrives (a write to its
//     pipe), and not again until then;
//   - an epoll fd polls POLLIN while one of its entries would be reported;
//   - bad arguments: epoll_ctl's event at a bad address is EFAULT before
//     anything else (not read for EPOLL_CTL_DEL); epoll_wait's events at a bad
//     address is EFAULT once there is an entry to report (0 when none, and
//     nothing is consumed), maxevents above EP_MAX_EVENTS EINVAL; epoll_pwait
//     with a sigset size other than 8 EINVAL before anything else;
//     epoll_pwait2 with a bad timespec EFAULT or EINVAL, a zero one as
//     timeout 0; epoll_create1(EPOLL_CLOEXEC) sets FD_CLOEXEC. Checked natively.
//   - the edges pipe.c gives (fs/pipe.c, checked natively on Linux 6.18): a
//     write wakes the readers' queue, whatever it returns (EAGAIN too), and
//     never the writers'; a read wakes the writers' queue only if the pipe was
//     full (was_full), never the readers'; the last close of one side, the
//     other still open, wakes both;
//   - a regular file cannot be watched: EPERM from ADD, MOD and DEL
//     (file_can_poll), before the epfd's EINVAL.
// Where a scan may have dropped an edge-triggered entry (it was queued while
// its file was not ready) or a nested instance's readiness changed below it,
// the model accepts either. No scheduling: one run per program.
import fc from 'fast-check';
import { SIGPIPE } from '../../src/kernel/abi.ts';
import { EAGAIN, EBADF, EEXIST, EFAULT, EINVAL, ELOOP, ENOENT, EPERM, EPIPE } from '../../src/kernel/errno.ts';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario } from '../../src/script/scenario.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';

// epoll(7), poll(2) and pipe(7) facts, stated here rather than imported
const CAPACITY = 65536, PIPE_BUF = 4096, O_NONBLOCK = 0o4000;
const IN = 0x1, OUT = 0x4, ERR = 0x8, HUP = 0x10, RDNORM = 0x40, WRNORM = 0x100;
const WAKEUP = 2 ** 29, ONESHOT = 2 ** 30, ET = 2 ** 31, EXCLUSIVE = 2 ** 28;
const PRIVATE = WAKEUP | ONESHOT | ET | EXCLUSIVE;
const EXCLUSIVE_OK = IN | OUT | ERR | HUP | WAKEUP | ET | EXCLUSIVE;
const ADD = 1, DEL = 2, MOD = 3;
const MAX_NESTS = 4;
const BAD = 8; // an address no process maps
const O_RDWR_CREAT = 0o102;

export type Op =
  | { op: 'pipe' }
  | { op: 'epoll'; badFlags: boolean }
  | { op: 'write'; fd: number; n: number | 'fill' }
  | { op: 'read'; fd: number; n: number | 'all' }
  | { op: 'close'; fd: number }
  | { op: 'dup'; fd: number }
  | { op: 'ctl'; ctl: number; ep: number; fd: number; events: number }
  | { op: 'wait'; ep: number; max: number }
  | { op: 'poll'; ep: number }
  | { op: 'bad'; ep: number; fd: number; how: 'ctl-fault' | 'del-fault' | 'wait-fault' | 'max-huge' | 'sigsetsize' | 'pwait2-zero' | 'pwait2-nsec' | 'pwait2-fault' }
  | { op: 'cloexec' };

const ref = fc.nat(15);
const eventsArb = fc.constantFrom(
  IN | ET, IN | RDNORM | ET, IN, OUT, IN | OUT, IN | RDNORM, 0, ERR | HUP, IN | ET, OUT | ET, IN | OUT | ET, IN | ONESHOT, OUT | ONESHOT,
  IN | ET | ONESHOT, IN | EXCLUSIVE, OUT | ET | EXCLUSIVE, IN | RDNORM | EXCLUSIVE, IN | WAKEUP, EXCLUSIVE,
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ op: 'pipe' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('epoll' as const), badFlags: fc.nat(7).map((x) => x === 0) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('write' as const), fd: ref, n: fc.oneof(fc.constantFrom('fill' as const), fc.integer({ min: 1, max: 100 })) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('read' as const), fd: ref, n: fc.oneof(fc.constantFrom('all' as const), fc.integer({ min: 1, max: 100 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const), fd: ref }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('dup' as const), fd: ref }) },
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant('ctl' as const), ctl: fc.constantFrom(ADD, ADD, ADD, MOD, MOD, DEL, 0, 4), ep: ref, fd: ref, events: eventsArb }),
  },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('wait' as const), ep: ref, max: fc.constantFrom(1, 2, 8, 8, 8, 0, -1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('poll' as const), ep: ref }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('bad' as const), ep: ref, fd: ref,
      how: fc.constantFrom('ctl-fault' as const, 'del-fault' as const, 'wait-fault' as const, 'max-huge' as const, 'sigsetsize' as const, 'pwait2-zero' as const, 'pwait2-nsec' as const, 'pwait2-fault' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'cloexec' as const }) },
);
const programArb = fc
  .array(opArb, { minLength: 30, maxLength: 100, size: 'max' })
  .map((ops): Op[] => [{ op: 'pipe' }, { op: 'epoll', badFlags: false }, ...ops]);

/** What makes the entries on pipe p fire again (an edge): its readers' queue woken, its writers', or both. */
function wake(m: Model, p: MPipe, readers: boolean, writers: boolean): void {
  for (const ep of m.epolls) {
    for (const i of ep.items) if (i.file.pipe === p && (i.file.writer ? writers : readers)) i.edge = 'yes';
  }
  m.nested();
}

interface MPipe { queued: number; readers: number; writers: number }
/** An open file: a pipe end, an epoll instance or a regular file; `refs` counts the fds naming it. */
interface MFile { id: number; refs: number; pipe?: MPipe; writer?: boolean; ep?: MEpoll; regular?: boolean }
/** An edge-triggered entry's pending edge: certainly there, certainly not, or either (Linux leaves it open). */
type Edge = 'yes' | 'no' | 'maybe';
interface MItem { file: MFile; fd: number; events: number; data: number; edge: Edge }
interface MEpoll { items: MItem[] }

/** A mask or "either": null where the model cannot say. */
type Maybe = number | null;

class Model {
  readonly open = new Map<number, MFile>();
  readonly seen: number[] = [];
  private nextId = 1;
  readonly epolls: MEpoll[] = [];

  fd(r: number): number | undefined {
    return this.seen.length ? this.seen[r % this.seen.length] : undefined;
  }

  /** An fd naming an epoll file if one is open (r picks which), else fd(r). */
  epfd(r: number): number | undefined {
    const eps = this.seen.filter((fd) => this.open.get(fd)?.ep);
    return eps.length && r % 4 !== 0 ? eps[r % eps.length] : this.fd(r);
  }

  /** Mostly an open pipe end (a write end if `writer`, a read end if not, either if undefined), else fd(r). */
  end(r: number, writer?: boolean): number | undefined {
    const ends = this.seen.filter((fd) => {
      const f = this.open.get(fd);
      return f?.pipe && (writer === undefined || f.writer === writer);
    });
    return ends.length && r % 4 !== 0 ? ends[r % ends.length] : this.fd(r);
  }

  file(init: Omit<MFile, 'id' | 'refs'>): MFile {
    return { id: this.nextId++, refs: 0, ...init };
  }

  give(fd: number, f: MFile): void {
    f.refs++;
    this.open.set(fd, f);
    if (!this.seen.includes(fd)) this.seen.push(fd);
  }

  close(fd: number): void {
    const f = this.open.get(fd)!;
    this.open.delete(fd);
    if (--f.refs > 0) return;
    // the file's last reference: its entries go (eventpoll_release), an epoll instance drops its own
    for (const ep of this.epolls) ep.items = ep.items.filter((i) => i.file !== f);
    if (f.ep) {
      f.ep.items = [];
      this.epolls.splice(this.epolls.indexOf(f.ep), 1);
    }
    if (f.pipe) {
      const p = f.pipe;
      if (f.writer) p.writers--;
      else p.readers--;
      // pipe_release: the last reader or writer gone, the other side still open, wakes both queues
      if ((p.readers === 0) !== (p.writers === 0)) wake(this, p, true, true);
    }
    this.nested();
  }

  /** pipe_poll, or the epoll file's POLLIN; null when it depends on an edge the model cannot know. */
  mask(f: MFile): Maybe {
    const p = f.pipe;
    if (p) {
      if (f.writer) return (CAPACITY - p.queued >= PIPE_BUF ? OUT | WRNORM : 0) | (p.readers === 0 ? ERR : 0);
      return (p.queued > 0 ? IN | RDNORM : 0) | (p.writers === 0 ? HUP : 0);
    }
    let unknown = false;
    for (const i of f.ep!.items) {
      const r = this.reportable(i);
      if (r === null) unknown = true;
      else if (r) return IN | RDNORM;
    }
    return unknown ? null : 0;
  }

  /** What the entry would report now (0: nothing), or null when the model cannot say. */
  reportable(i: MItem): Maybe {
    if (!(i.events & ~PRIVATE)) return 0; // a disarmed one-shot entry, or one with no events
    const m = this.mask(i.file);
    if (m === null) return null;
    const r = (m & i.events) >>> 0;
    if (!r || !(i.events & ET)) return r;
    return i.edge === 'yes' ? r : i.edge === 'no' ? 0 : null;
  }

  /** An edge-triggered entry on an epoll file may see any change below it. */
  nested(): void {
    for (const ep of this.epolls) for (const i of ep.items) if (i.file.ep && i.edge === 'no') i.edge = 'maybe';
  }

  /**
   * After every call: an edge-triggered entry whose file is not ready may have
   * been dropped from the ready list by a scan (ep_send_events, or a poll of
   * its epoll fd); whether it is queued again depends on a later wake.
   */
  settle(): void {
    for (const ep of this.epolls) {
      for (const i of ep.items) {
        if (!(i.events & ET) || i.edge !== 'yes') continue;
        const mk = this.mask(i.file);
        if (mk !== null && !((mk & i.events) >>> 0)) i.edge = 'maybe';
      }
    }
  }

  /** Edges below `from` (the longest chain of epoll entries), or Infinity if `target` is among them. */
  depthBelow(from: MEpoll, target: MEpoll): number {
    let d = 0;
    for (const i of from.items) {
      if (!i.file.ep) continue;
      if (i.file.ep === target) return Infinity;
      d = Math.max(d, this.depthBelow(i.file.ep, target) + 1);
    }
    return d;
  }

  /** Edges above `ep`: the longest chain of epoll instances watching it. */
  depthAbove(ep: MEpoll): number {
    let d = 0;
    for (const up of this.epolls) if (up.items.some((i) => i.file.ep === ep)) d = Math.max(d, this.depthAbove(up) + 1);
    return d;
  }
}

/** Runs the program against the kernel and the model; the first disagreement, or null. */
function* check(sys: Sys, ops: Op[]): SysGen<string | null> {
  const m = new Model();
  if ((yield* sys.sigaction(SIGPIPE, 'ignore')) !== 0) return 'sigaction(SIGPIPE, SIG_IGN) failed';
  const reg = yield* sys.open('/tmp/epoll-model', O_RDWR_CREAT);
  if (reg < 0) return `open of a regular file returned ${reg}`;
  m.give(reg, m.file({ regular: true }));
  let pipes = 0, data = 1;
  for (const [n, o] of ops.entries()) {
    const at = `op ${n} ${JSON.stringify(o)}`;
    switch (o.op) {
      case 'pipe': {
        if (pipes === 2) break;
        pipes++;
        const p = yield* sys.pipe(O_NONBLOCK);
        if (p.ret !== 0) return `${at}: pipe2 returned ${p.ret}`;
        const mp: MPipe = { queued: 0, readers: 0, writers: 0 };
        mp.readers = mp.writers = 1;
        m.give(p.fds[0], m.file({ pipe: mp, writer: false }));
        m.give(p.fds[1], m.file({ pipe: mp, writer: true }));
        break;
      }
      case 'epoll': {
        if (!o.badFlags && m.epolls.length === 4) break;
        const fd = yield* sys.epollCreate(o.badFlags ? 1 : 0);
        if (o.badFlags) {
          if (fd !== -EINVAL) return `${at}: epoll_create1(1) returned ${fd}, model EINVAL`;
          break;
        }
        if (fd < 0) return `${at}: epoll_create1 returned ${fd}`;
        const ep: MEpoll = { items: [] };
        m.epolls.push(ep);
        m.give(fd, m.file({ ep }));
        break;
      }
      case 'write': {
        const fd = m.end(o.fd, true);
        if (fd === undefined) break;
        const f = m.open.get(fd);
        const p = f?.pipe;
        const len = o.n === 'fill' ? (p ? CAPACITY - p.queued : 1) : o.n;
        if (len === 0) break;
        if (f?.regular) break;
        const got = yield* sys.write(fd, new Uint8Array(len));
        const want = !p || !f.writer ? (f?.ep ? -EINVAL : -EBADF) : p.readers === 0 ? -EPIPE : CAPACITY - p.queued >= len ? len : -EAGAIN;
        if (got !== want) return `${at} on fd ${fd}: write returned ${got}, model ${want}`;
        if (p && f.writer) {
          if (want > 0) p.queued += want;
          // pipe_write ends waking the readers' queue whatever it returns (once the pipe was polled: poll_usage)
          wake(m, p, true, false);
        }
        break;
      }
      case 'read': {
        const fd = m.end(o.fd, false);
        if (fd === undefined) break;
        const f = m.open.get(fd);
        const p = f?.pipe;
        const len = o.n === 'all' ? Math.max(1, p?.queued ?? 1) : o.n;
        if (f?.regular) break;
        const wasFull = p ? CAPACITY - p.queued < PIPE_BUF : false;
        const got = yield* sys.read(fd, len);
        const want = !p || f.writer ? (f?.ep ? -EINVAL : -EBADF) : p.queued ? Math.min(len, p.queued) : p.writers ? -EAGAIN : 0;
        if (got.ret !== want) return `${at} on fd ${fd}: read returned ${got.ret}, model ${want}`;
        if (p && want > 0) {
          p.queued -= want;
          // pipe_read wakes the writers' queue only if the pipe was full, and (not having slept) not the readers'
          if (wasFull) wake(m, p, false, true);
        }
        break;
      }
      case 'close': {
        const fd = m.fd(o.fd);
        if (fd === undefined) break;
        const got = yield* sys.close(fd);
        const want = m.open.has(fd) ? 0 : -EBADF;
        if (got !== want) return `${at}: close(${fd}) returned ${got}, model ${want}`;
        if (want === 0) m.close(fd);
        break;
      }
      case 'dup': {
        const fd = m.fd(o.fd);
        if (fd === undefined) break;
        const got = yield* sys.dup(fd);
        const f = m.open.get(fd);
        if (!f) {
          if (got !== -EBADF) return `${at}: dup(${fd}) of a closed fd returned ${got}`;
          break;
        }
        if (got < 0 || m.open.has(got)) return `${at}: dup(${fd}) returned ${got}`;
        m.give(got, f);
        break;
      }
      case 'ctl': {
        const epfd = m.epfd(o.ep), fd = o.fd % 3 ? m.end(o.fd) : m.fd(o.fd);
        if (epfd === undefined || fd === undefined) break;
        const ef = m.open.get(epfd), tf = m.open.get(fd);
        const ep = ef?.ep;
        const item = ep && tf ? ep.items.find((i) => i.file === tf && i.fd === fd) : undefined;
        const events = (o.events & ~WAKEUP) >>> 0; // EPOLLWAKEUP without CAP_BLOCK_SUSPEND is dropped
        let want: number;
        if (!ef || !tf) want = -EBADF;
        else if (tf.regular) want = -EPERM;
        else if (!ep || ef === tf) want = -EINVAL;
        else if (o.ctl !== DEL && events & EXCLUSIVE && (o.ctl === MOD || (o.ctl === ADD && (tf.ep || events & ~EXCLUSIVE_OK)))) want = -EINVAL;
        else if (o.ctl === ADD && tf.ep && (m.depthBelow(tf.ep, ep) > MAX_NESTS || m.depthBelow(tf.ep, ep) + 1 + m.depthAbove(ep) > MAX_NESTS)) want = -ELOOP;
        else if (o.ctl === ADD) want = item ? -EEXIST : 0;
        else if (o.ctl === DEL) want = item ? 0 : -ENOENT;
        else if (o.ctl === MOD) want = !item ? -ENOENT : item.events & EXCLUSIVE ? -EINVAL : 0;
        else want = -EINVAL;
        const tag = data++;
        const got = yield* sys.epollCtl(epfd, o.ctl, fd, o.events, tag);
        if (got !== want) return `${at}: epoll_ctl(${epfd}, ${o.ctl}, ${fd}) returned ${got}, model ${want}`;
        if (want !== 0) break;
        if (o.ctl === DEL) {
          ep!.items.splice(ep!.items.indexOf(item!), 1);
          m.nested();
          break;
        }
        const it = item ?? { file: tf!, fd, events: 0, data: 0, edge: 'no' as Edge };
        it.events = (events | ERR | HUP) >>> 0;
        it.data = tag;
        // ep_insert / ep_modify queue the entry if its file is ready now
        const now = m.mask(tf!);
        const ready = now === null ? null : (now & it.events) >>> 0;
        it.edge = ready === null ? 'maybe' : ready ? 'yes' : it.edge === 'no' ? 'no' : 'maybe';
        if (!item) ep!.items.push(it);
        m.nested();
        break;
      }
      case 'wait': {
        const epfd = m.epfd(o.ep);
        if (epfd === undefined) break;
        const f = m.open.get(epfd);
        const got = yield* sys.epollWait(epfd, o.max, 0);
        const want = o.max <= 0 ? -EINVAL : !f ? -EBADF : !f.ep ? -EINVAL : null;
        if (want !== null || got.ret < 0) {
          if (got.ret !== want) return `${at}: epoll_wait(${epfd}, max ${o.max}) returned ${got.ret}, model ${want ?? 'no error'}`;
          break;
        }
        const ep = f!.ep!;
        const sure: MItem[] = [], either: MItem[] = [];
        for (const i of ep.items) {
          const r = m.reportable(i);
          if (r === null) either.push(i);
          else if (r) sure.push(i);
        }
        const shown = `epoll_wait(${epfd}, max ${o.max}) returned ${got.ret} ${JSON.stringify(got.events)}; model: ${sure.map((i) => i.data)} and maybe ${either.map((i) => i.data)}`;
        if (got.ret > o.max || got.ret < Math.min(o.max, sure.length)) return `${at}: ${shown}`;
        const reported = new Set<MItem>();
        for (const e of got.events) {
          const i = [...sure, ...either].find((x) => x.data === e.data);
          if (!i || reported.has(i)) return `${at}: ${shown} (entry ${e.data} not reportable, or twice)`;
          reported.add(i);
          const mask = m.mask(i.file);
          if (mask !== null && e.events !== ((mask & i.events) >>> 0)) return `${at}: ${shown} (entry ${e.data}: revents ${e.events}, model ${(mask & i.events) >>> 0})`;
        }
        if (o.max >= sure.length + either.length && sure.some((i) => !reported.has(i))) return `${at}: ${shown} (a ready entry not reported)`;
        for (const i of ep.items) {
          if (reported.has(i)) {
            if (i.events & ONESHOT) i.events = (i.events & PRIVATE) >>> 0; // disarmed until EPOLL_CTL_MOD
            if (i.events & ET) i.edge = 'no';
          } else if (i.events & ET && i.edge === 'yes' && m.reportable(i) === 0) i.edge = 'maybe';
        }
        m.nested();
        break;
      }
      case 'cloexec': {
        if (m.epolls.length === 4) break;
        const fd = yield* sys.epollCreate(0o2000000);
        const fl = fd < 0 ? fd : yield* sys.fcntl(fd, 1 /* F_GETFD */);
        if (fd < 0 || fl !== 1) return `${at}: epoll_create1(EPOLL_CLOEXEC) gave fd ${fd} with F_GETFD ${fl}`;
        const ep: MEpoll = { items: [] };
        m.epolls.push(ep);
        m.give(fd, m.file({ ep }));
        break;
      }
      case 'bad': {
        const epfd = m.epfd(o.ep), fd = m.end(o.fd);
        if (epfd === undefined || fd === undefined) break;
        const ef = m.open.get(epfd), tf = m.open.get(fd);
        const ep = ef?.ep;
        sys.scratch.reset();
        const buf = sys.scratch.alloc(16 * 8);
        let got: number, want: number | null;
        const waitErr = !ef ? -EBADF : !ep ? -EINVAL : 0;
        switch (o.how) {
          case 'ctl-fault':
            got = yield* sys.syscall(21, epfd, ADD, fd, BAD);
            want = -EFAULT;
            break;
          case 'del-fault': {
            got = yield* sys.syscall(21, epfd, DEL, fd, BAD);
            const item = ep && tf ? ep.items.find((i) => i.file === tf && i.fd === fd) : undefined;
            want = !ef || !tf ? -EBADF : tf.regular ? -EPERM : !ep || ef === tf ? -EINVAL : item ? 0 : -ENOENT;
            if (got === 0 && item) {
              ep!.items.splice(ep!.items.indexOf(item), 1);
              m.nested();
            }
            break;
          }
          case 'wait-fault': {
            got = yield* sys.syscall(22, epfd, BAD, 4, 0, 0, 8);
            if (waitErr) want = waitErr;
            else {
              const r = ep!.items.map((i) => m.reportable(i));
              want = r.some((x) => x) ? -EFAULT : r.some((x) => x === null) ? null : 0;
              if (want === null && got !== 0 && got !== -EFAULT) return `${at}: epoll_wait to a bad address returned ${got}`;
            }
            break;
          }
          case 'max-huge':
            got = yield* sys.syscall(22, epfd, buf, 2 ** 28, 0, 0, 8); // above EP_MAX_EVENTS (INT_MAX / 16 on riscv64, / 12 on x86-64)
            want = -EINVAL;
            break;
          case 'sigsetsize':
            got = yield* sys.syscall(22, epfd, buf, 8, 0, sys.scratch.put(new Uint8Array(8)), 4); // only the size is wrong
            want = -EINVAL;
            break;
          default: {
            const tb = new Uint8Array(16);
            if (o.how === 'pwait2-nsec') new DataView(tb.buffer).setBigInt64(8, 1_000_000_000n, true);
            const ts = o.how === 'pwait2-fault' ? BAD : sys.scratch.put(tb);
            got = yield* sys.syscall(441, epfd, buf, 8, ts, 0, 8);
            want = o.how === 'pwait2-fault' ? -EFAULT : o.how === 'pwait2-nsec' ? -EINVAL : waitErr || null;
            if (want === null) {
              // a zero timeout: epoll_wait(..., 0) itself; the reported entries are checked by the 'wait' op's rules
              const sure = ep!.items.filter((i) => m.reportable(i));
              if (got < Math.min(8, sure.length) || got > 8) return `${at}: epoll_pwait2 with a zero timeout returned ${got}, model at least ${sure.length}`;
              for (let k = 0; k < got; k++) {
                const b = sys.scratch.read(buf + 16 * k + 8, 8);
                const tag = Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true));
                const i = ep!.items.find((x) => x.data === tag);
                if (!i) return `${at}: epoll_pwait2 reported data ${tag}, no entry's`;
                if (i.events & ONESHOT) i.events = (i.events & PRIVATE) >>> 0;
                if (i.events & ET) i.edge = 'no';
              }
              for (const i of ep!.items) if (i.events & ET && i.edge === 'yes' && !m.reportable(i)) i.edge = 'maybe';
              m.nested();
            }
          }
        }
        if (want !== null && got !== want) return `${at}: ${o.how} on epfd ${epfd} fd ${fd} returned ${got}, model ${want}`;
        break;
      }
      case 'poll': {
        const epfd = m.epfd(o.ep);
        if (epfd === undefined) break;
        const f = m.open.get(epfd);
        if (!f?.ep) break;
        const want = m.mask(f);
        const got = yield* sys.poll([{ fd: epfd, events: IN | OUT | RDNORM }], 0);
        if (want !== null && got.revents[0] !== want) return `${at}: poll of epoll fd ${epfd}: revents ${got.revents[0]}, model ${want}`;
        break;
      }
    }
    m.settle();
  }
  return null;
}

/** The property: one random program, run once (no scheduling choices), with the kernel's invariant checks. */
export function epollModelProperty(bugs: readonly PlantedBug[] = []) {
  return fc.property(programArb, (ops) => {
    let problem: string | null = 'the program did not finish';
    const sc = defineScenario({
      name: 'epoll-model',
      processes: [{ name: 'model', *program(sys) { problem = yield* check(sys, ops); return 0; } }],
    });
    const r = runScenario(sc, { seed: 1, bugs: [...bugs], checkInvariants: true });
    if (r.failures.length) throw new Error(r.failures.join('\n'));
    if (problem) throw new Error(problem);
  });
}
