// Pipes against a model: one process runs a random sequence of non-blocking
// calls on up to three pipes (pipe2, write, read, close, dup, FIONREAD, poll
// and select with a zero timeout, including fds already closed and fd -1),
// and every result, every byte read and every revents must equal what a
// byte-queue model of pipe(7) predicts: capacity 65536, writes of at most
// PIPE_BUF bytes all or nothing (EAGAIN), larger ones partial; EOF once no
// writer remains, EPIPE once no reader does; a reader end polls POLLIN when
// data is queued and POLLHUP with no writers, a writer end POLLOUT with room
// for PIPE_BUF bytes and POLLERR with no readers; poll reports POLLERR and
// POLLHUP even when not asked for (pipe_poll, do_pollfd), POLLNVAL for a
// closed fd; select counts POLLHUP/POLLERR as readable, POLLERR as writable,
// and fails with EBADF when a set names a closed fd (max_select_fd).
// O_ASYNC (F_SETOWN to the process, F_SETFL) on either end: every read of at
// least one byte, whatever it returns, sends SIGIO to the owners of the
// write ends that have it, every such write to those of the read ends
// (pipe_read's and pipe_write's kill_fasync, on every call since Linux 5.12),
// and the close that leaves one side with no ends to both (pipe_release); a
// standard signal, so one handler run per call at most. fstat: S_IFIFO|0600,
// one link, size 0, blksize 4096, one inode per pipe (both ends). ioctl: any
// request but FIONREAD is ENOTTY, FIONREAD to a bad pointer EFAULT. pipe2:
// EINVAL for a flag it does not know, EFAULT for a bad fds pointer. Checked natively.
// Two things of the simulator's own are checked against the same model: the
// coverage tuple of every read and write (`read(pipe/full+no-writers)=ok`:
// the pipe's state before the call, empty, data or full (no room for PIPE_BUF
// bytes), and the call's outcome), which the cov strategy's guidance rests
// on, and, after every call, each pipe's stated wait conditions (readers: data
// or no writers; writers: room for PIPE_BUF bytes or no readers), which the
// wake-duty checker rests on.
// No scheduling is involved: this pins the pipe's and poll's arithmetic.
import fc from 'fast-check';
import { F_GETFD, F_SETFL, F_SETOWN, FD_CLOEXEC, FIONREAD, O_ASYNC, O_CLOEXEC, O_NONBLOCK, SIGIO, SIGPIPE } from '../../src/kernel/abi.ts';
import { EAGAIN, EBADF, EFAULT, EINVAL, ENOTTY, EPIPE, errnoName } from '../../src/kernel/errno.ts';
import { PipeEnd } from '../../src/kernel/pipe.ts';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario } from '../../src/script/scenario.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';

// pipe(7) and poll(2) facts, stated here rather than imported, so that a change to the kernel's constants is noticed
const CAPACITY = 65536, PIPE_BUF = 4096, S_IFIFO_0600 = 0o10600, TCGETS = 0x5401;
const POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLWRNORM = 0x100;
const SELECT_READ = POLLIN | POLLRDNORM | 0x80 | POLLHUP | POLLERR, SELECT_WRITE = POLLOUT | POLLWRNORM | 0x200 | POLLERR;

/** A byte count, or one relative to the pipe: its room less `leave` (write) or its queued bytes less `leave` (read). */
type Size = number | { leave: number };

/**
 * An fd is named by its index in the list of every fd the program has been
 * given (open or closed since); a read or write names one of the read or
 * write ends given, or with `any` one of all the fds.
 */
export type Op =
  | { op: 'pipe' }
  | { op: 'write'; fd: number; any: boolean; n: Size }
  | { op: 'read'; fd: number; any: boolean; n: Size }
  | { op: 'close'; fd: number }
  | { op: 'dup'; fd: number }
  | { op: 'fionread'; fd: number }
  | { op: 'async'; fd: number; on: boolean }
  | { op: 'fstat'; fd: number }
  | { op: 'ioctl'; fd: number; req: 'tcgets' | 'fionread-fault' }
  | { op: 'badpipe'; why: 'flags' | 'pointer' }
  | { op: 'poll'; entries: { fd: number; events: number }[] }
  | { op: 'select'; entries: { fd: number; read: boolean; write: boolean }[]; short: boolean };

const fdRef = fc.nat(15);
const anyFd = fc.nat(4).map((x) => x === 0);
const size = fc.oneof(
  fc.constantFrom(0, 1, PIPE_BUF - 1, PIPE_BUF, PIPE_BUF + 1, CAPACITY - 1, CAPACITY, CAPACITY + 5),
  fc.integer({ min: 1, max: 20_000 }),
  fc.record({ leave: fc.constantFrom(-1, 0, 1, 100, PIPE_BUF - 1, PIPE_BUF, PIPE_BUF + 1) }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ op: 'pipe' as const }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('write' as const), fd: fdRef, any: anyFd, n: size }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('read' as const), fd: fdRef, any: anyFd, n: size }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const), fd: fdRef }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('dup' as const), fd: fdRef }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('fionread' as const), fd: fdRef }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('async' as const), fd: fdRef, on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('fstat' as const), fd: fdRef }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ioctl' as const), fd: fdRef, req: fc.constantFrom('tcgets' as const, 'fionread-fault' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('badpipe' as const), why: fc.constantFrom('flags' as const, 'pointer' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('poll' as const),
      entries: fc.array(fc.record({ fd: fc.integer({ min: -1, max: 15 }), events: fc.constantFrom(0, POLLIN, POLLOUT, POLLIN | POLLOUT, POLLRDNORM | POLLWRNORM, POLLHUP | POLLERR) }), { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('select' as const),
      entries: fc.array(fc.record({ fd: fdRef, read: fc.boolean(), write: fc.boolean() }), { minLength: 1, maxLength: 3 }),
      short: fc.nat(3).map((x) => x === 0),
    }),
  },
);
// every program starts with a pipe; fast-check's default size would make most programs a handful of calls
const programArb = fc.array(opArb, { minLength: 10, maxLength: 50, size: 'max' }).map((ops): Op[] => [{ op: 'pipe' }, ...ops]);

/** The model's pipe and its open files (a dup shares the file). */
/** A pipe's stream is fixed in advance (stream); the model counts how much of it was written and read. */
interface MPipe { id: number; written: number; read: number; readers: number; writers: number; ino?: number }
const queued = (p: MPipe) => p.written - p.read;
interface MFile { pipe: MPipe; writer: boolean; refs: number; async?: boolean }

class Model {
  readonly open = new Map<number, MFile>();
  /** every fd the program has been given, in order (what an Op's fd index names) */
  readonly seen: number[] = [];
  /** the fds given as write ends */
  private readonly writeEnds = new Set<number>();

  fd(ref: number): number | undefined {
    return this.seen.length ? this.seen[ref % this.seen.length] : undefined;
  }

  /** One of the write ends (writer) or read ends given, or undefined if none was. */
  end(ref: number, writer: boolean): number | undefined {
    const fds = this.seen.filter((fd) => this.writeEnds.has(fd) === writer);
    return fds.length ? fds[ref % fds.length] : undefined;
  }

  give(fd: number, f: MFile): string | null {
    if (this.open.has(fd)) return `fd ${fd} returned while still open`;
    this.open.set(fd, f);
    if (!this.seen.includes(fd)) this.seen.push(fd);
    if (f.writer) this.writeEnds.add(fd);
    else this.writeEnds.delete(fd);
    return null;
  }

  /** Closes fd; returns the SIGIOs it sends (0 or 1: pipe_release tells both sides when one has no ends left). */
  close(fd: number): number {
    const f = this.open.get(fd)!;
    this.open.delete(fd);
    if (--f.refs > 0) return 0;
    f.async = false; // __fput drops it from the fasync list first
    if (f.writer) f.pipe.writers--;
    else f.pipe.readers--;
    const p = f.pipe;
    return (p.readers === 0) !== (p.writers === 0) && (this.async(p, true) || this.async(p, false)) ? 1 : 0;
  }

  /** Does an open end of p on that side (write ends if writer) have O_ASYNC? */
  async(p: MPipe, writer: boolean): boolean {
    return [...this.open.values()].some((f) => f.pipe === p && f.writer === writer && f.async);
  }

  /** pipe_poll */
  mask(f: MFile): number {
    const p = f.pipe;
    if (f.writer) return (CAPACITY - queued(p) >= PIPE_BUF ? POLLOUT | POLLWRNORM : 0) | (p.readers === 0 ? POLLERR : 0);
    return (queued(p) > 0 ? POLLIN | POLLRDNORM : 0) | (p.writers === 0 ? POLLHUP : 0);
  }
}

function bytes(n: Size, of: number): number {
  return typeof n === 'number' ? n : Math.max(0, of - n.leave);
}

/**
 * Pipe id's stream from byte `from` on: a pseudo-random sequence of period
 * P (a prime above any one write), so that a lost, repeated or reordered
 * block shows; the first pipe's starts at 0, the others elsewhere.
 */
const P = 100_003;
const BASE = (() => {
  const b = new Uint8Array(2 * P);
  let x = 12_345;
  for (let i = 0; i < P; i++) b[i] = b[i + P] = (x = (x * 1_103_515_245 + 12_345) >>> 0) >>> 24;
  return b;
})();

function stream(id: number, from: number, n: number): Uint8Array {
  const o = (from + id * 977) % P;
  return BASE.subarray(o, o + n);
}

/** pselect6 with a zero timeout over read and write sets; returns the result, the sets written back, and whether the bytes after them are intact. */
function* select(sys: Sys, nfds: number, rd: number[], wr: number[]): SysGen<{ ret: number; rd: number[]; wr: number[]; intact: boolean }> {
  sys.scratch.reset();
  const set = (fds: number[]) => {
    const b = new Uint8Array(Math.ceil(nfds / 64) * 8 || 8);
    for (const fd of fds) b[fd >> 3] |= 1 << (fd & 7);
    return b;
  };
  const r = sys.scratch.put(set(rd)), w = sys.scratch.put(set(wr)), ts = sys.scratch.put(new Uint8Array(16));
  const canary = sys.scratch.put(new Uint8Array(64).fill(0xa5)); // the kernel copies whole words of nfds bits, no more
  const ret = yield* sys.syscall(72, nfds, r, w, 0, ts, 0);
  const bits = (addr: number, fds: number[]) => {
    const b = sys.scratch.read(addr, 8);
    return fds.filter((fd) => b[fd >> 3] & (1 << (fd & 7)));
  };
  return { ret, rd: bits(r, rd), wr: bits(w, wr), intact: sys.scratch.read(canary, 64).every((x) => x === 0xa5) };
}

/** The coverage state of an end of p before a call (PipeEnd.coverageState's documented labels). */
function coverState(f: MFile): string {
  const p = f.pipe, q = queued(p);
  const st = q === 0 ? 'empty' : CAPACITY - q < PIPE_BUF ? 'full' : 'data';
  return st + (f.writer ? (p.readers === 0 ? '+no-readers' : '') : p.writers === 0 ? '+no-writers' : '');
}

/** A syscall's outcome as coverage names it: the errno, 0 or ok. */
const outcome = (ret: number) => (ret < 0 ? errnoName(-ret) : ret === 0 ? '0' : 'ok');

/** The first open fd whose pipe's wait conditions (WaitQueue.ready) disagree with the model, or null. */
function waitConditions(sys: Sys, m: Model): string | null {
  for (const [fd, f] of m.open) {
    const ops = sys.ctx.task.fds.get(fd)?.ops;
    if (!(ops instanceof PipeEnd)) return `fd ${fd} is no pipe end`;
    const p = f.pipe, readable = queued(p) > 0 || p.writers === 0, writable = CAPACITY - queued(p) >= PIPE_BUF || p.readers === 0;
    const got = [ops.pipe.readWait.ready?.(), ops.pipe.writeWait.ready?.()];
    if (got[0] !== readable || got[1] !== writable) return `fd ${fd}: the readers' and writers' wait conditions are ${got}, model ${readable},${writable}`;
  }
  return null;
}

/** Runs the program against the kernel and the model; the first disagreement, or null. */
function* check(sys: Sys, ops: Op[], tuples: Set<string>): SysGen<string | null> {
  const m = new Model();
  if ((yield* sys.sigaction(SIGPIPE, 'ignore')) !== 0) return 'sigaction(SIGPIPE, SIG_IGN) failed';
  let sigio = 0;
  if ((yield* sys.sigaction(SIGIO, () => void sigio++)) !== 0) return 'sigaction(SIGIO) failed';
  // fd 0 free, so that the first pipe's read end is fd 0 (the one fd a `< 0` turned `<= 0` would skip)
  yield* sys.close(0);
  let npipes = 0;
  for (const [i, o] of ops.entries()) {
    const at = `op ${i} ${JSON.stringify(o)}`;
    if (o.op === 'pipe') {
      if (npipes === 3) continue;
      npipes++;
      // every other pipe with O_CLOEXEC: both fds get FD_CLOEXEC (pipe2(2)), the others neither
      const cloexec = npipes % 2 === 0;
      const p = yield* sys.pipe(O_NONBLOCK | (cloexec ? O_CLOEXEC : 0));
      if (p.ret !== 0) return `${at}: pipe2 returned ${p.ret}`;
      for (const fd of p.fds) {
        const fl = yield* sys.fcntl(fd, F_GETFD);
        if (fl !== (cloexec ? FD_CLOEXEC : 0)) return `${at}: fd ${fd} of pipe2(${cloexec ? 'O_CLOEXEC' : '0'}) has F_GETFD ${fl}`;
      }
      const mp: MPipe = { id: npipes, written: 0, read: 0, readers: 1, writers: 1 };
      const e = m.give(p.fds[0], { pipe: mp, writer: false, refs: 1 }) ?? m.give(p.fds[1], { pipe: mp, writer: true, refs: 1 });
      if (e) return `${at}: ${e}`;
      continue;
    }
    if (o.op === 'badpipe') {
      sys.scratch.reset();
      const got = yield* sys.syscall(59, o.why === 'pointer' ? 8 : sys.scratch.alloc(8), o.why === 'flags' ? 1 : 0);
      const want = o.why === 'flags' ? -EINVAL : -EFAULT;
      if (got !== want) return `${at}: pipe2 returned ${got}, model ${want}`;
      continue;
    }
    if (o.op === 'poll') {
      const entries = o.entries.map((e) => ({ fd: e.fd < 0 ? -1 : m.fd(e.fd) ?? -1, events: e.events }));
      const want = entries.map((e) => {
        if (e.fd < 0) return 0;
        const f = m.open.get(e.fd);
        return f ? m.mask(f) & (e.events | POLLERR | POLLHUP) : POLLNVAL;
      });
      const got = yield* sys.poll(entries, 0);
      const count = want.filter((r) => r !== 0).length;
      if (got.ret !== count || want.some((r, j) => got.revents[j] !== r)) {
        return `${at} on fds ${JSON.stringify(entries)}: poll returned ${got.ret} revents ${JSON.stringify(got.revents)}, model ${count} ${JSON.stringify(want)}`;
      }
      continue;
    }
    if (o.op === 'select') {
      const es = o.entries.map((e) => ({ ...e, fd: m.fd(e.fd) })).filter((e): e is { fd: number; read: boolean; write: boolean } => e.fd !== undefined);
      if (!es.length) continue;
      const rd = [...new Set(es.filter((e) => e.read).map((e) => e.fd))], wr = [...new Set(es.filter((e) => e.write).map((e) => e.fd))];
      // short: nfds leaves the highest fd out; its bits are ignored, an fd closed among them too, and read back clear
      const nfds = Math.max(...es.map((e) => e.fd)) + (o.short ? 0 : 1);
      if (nfds === 0) continue; // no words at all: nothing is read or written back
      const got = yield* select(sys, nfds, rd, wr);
      const inside = (fd: number) => fd < nfds;
      const closed = [...rd, ...wr].some((fd) => inside(fd) && !m.open.has(fd));
      const wantR = closed ? [] : rd.filter((fd) => inside(fd) && m.mask(m.open.get(fd)!) & SELECT_READ);
      const wantW = closed ? [] : wr.filter((fd) => inside(fd) && m.mask(m.open.get(fd)!) & SELECT_WRITE);
      const want = closed ? -EBADF : wantR.length + wantW.length;
      if (!got.intact) return `${at}: select(nfds ${nfds}) wrote past its fd sets`;
      if (got.ret !== want || (!closed && (got.rd.join() !== wantR.join() || got.wr.join() !== wantW.join()))) {
        return `${at}: select(read ${rd}, write ${wr}) returned ${got.ret} read ${got.rd} write ${got.wr}, model ${want} read ${wantR} write ${wantW}`;
      }
      continue;
    }
    const fd = (o.op === 'write' || o.op === 'read') && !o.any ? m.end(o.fd, o.op === 'write') : m.fd(o.fd);
    if (fd === undefined) continue;
    const f = m.open.get(fd);
    const sigioBefore = sigio;
    let wantSigio = 0;
    switch (o.op) {
      case 'write': {
        const n = bytes(o.n, CAPACITY - (f ? queued(f.pipe) : 0));
        const data = stream(f?.pipe.id ?? 0, f?.pipe.written ?? 0, n);
        const state = f && coverState(f);
        const got = yield* sys.write(fd, data);
        let want: number;
        if (!f || !f.writer) want = -EBADF;
        else if (n === 0) want = 0;
        else if (f.pipe.readers === 0) want = -EPIPE;
        else {
          const room = CAPACITY - queued(f.pipe);
          want = n <= PIPE_BUF ? (room >= n ? n : -EAGAIN) : room > 0 ? Math.min(room, n) : -EAGAIN;
        }
        if (got !== want) return `${at} on fd ${fd}: write returned ${got}, model ${want}`;
        if (state) tuples.add(`write(pipe/${state})=${outcome(want)}`);
        if (f && want > 0) f.pipe.written += want;
        if (f?.writer && n > 0 && m.async(f.pipe, false)) wantSigio = 1;
        break;
      }
      case 'read': {
        const n = bytes(o.n, f ? queued(f.pipe) : 0);
        const state = f && coverState(f);
        const got = yield* sys.read(fd, n);
        let want: number;
        if (!f || f.writer) want = -EBADF;
        else if (n === 0) want = 0;
        else if (queued(f.pipe) === 0) want = f.pipe.writers === 0 ? 0 : -EAGAIN;
        else want = Math.min(n, queued(f.pipe));
        if (got.ret !== want) return `${at} on fd ${fd}: read returned ${got.ret}, model ${want}`;
        if (state) tuples.add(`read(pipe/${state})=${outcome(want)}`);
        if (f && want > 0) {
          const p = f.pipe;
          if (Buffer.compare(got.data, stream(p.id, p.read, want)) !== 0) return `${at} on fd ${fd}: the bytes read are not bytes ${p.read}..${p.read + want - 1} of the pipe's stream`;
          p.read += want;
        }
        if (f && !f.writer && n > 0 && m.async(f.pipe, true)) wantSigio = 1;
        break;
      }
      case 'close': {
        const got = yield* sys.close(fd);
        const want = f ? 0 : -EBADF;
        if (got !== want) return `${at}: close(${fd}) returned ${got}, model ${want}`;
        if (f) wantSigio = m.close(fd);
        break;
      }
      case 'dup': {
        const got = yield* sys.dup(fd);
        if (!f) {
          if (got !== -EBADF) return `${at}: dup(${fd}) of a closed fd returned ${got}`;
          break;
        }
        if (got < 0) return `${at}: dup(${fd}) returned ${got}`;
        f.refs++;
        const e = m.give(got, f);
        if (e) return `${at}: ${e}`;
        break;
      }
      case 'fionread': {
        const got = yield* sys.ioctlInt(fd, FIONREAD);
        const want = f ? 0 : -EBADF;
        const n = new DataView(got.data.buffer, got.data.byteOffset).getInt32(0, true);
        if (got.ret !== want || (f && n !== queued(f.pipe))) return `${at} on fd ${fd}: FIONREAD returned ${got.ret} and ${n}, model ${want} and ${f && queued(f.pipe)}`;
        break;
      }
      case 'fstat': {
        const st = yield* sys.fstat(fd);
        if (!f) {
          if (st.ret !== -EBADF) return `${at}: fstat(${fd}) of a closed fd returned ${st.ret}`;
          break;
        }
        const s = st.stat;
        if (st.ret !== 0 || !s) return `${at}: fstat(${fd}) returned ${st.ret}`;
        if (s.mode !== S_IFIFO_0600 || s.nlink !== 1 || s.size !== 0 || s.blksize !== 4096) return `${at}: fstat(${fd}) gave mode ${s.mode.toString(8)} nlink ${s.nlink} size ${s.size} blksize ${s.blksize}`;
        f.pipe.ino ??= s.ino;
        const other = [...m.open.values()].find((g) => g.pipe !== f.pipe && g.pipe.ino === s.ino);
        if (s.ino !== f.pipe.ino || other) return `${at}: fstat(${fd}) gave inode ${s.ino}: not its pipe's one inode`;
        break;
      }
      case 'ioctl': {
        sys.scratch.reset();
        const got = yield* sys.syscall(29, fd, o.req === 'tcgets' ? TCGETS : FIONREAD, o.req === 'tcgets' ? sys.scratch.alloc(64) : 8);
        const want = !f ? -EBADF : o.req === 'tcgets' ? -ENOTTY : -EFAULT;
        if (got !== want) return `${at}: ioctl(${fd}, ${o.req}) returned ${got}, model ${want}`;
        break;
      }
      case 'async': {
        // signals to this process (F_SETOWN), then O_ASYNC on or off for the open file (shared by its dups)
        const own = yield* sys.fcntl(fd, F_SETOWN, sys.pid);
        const fl = yield* sys.fcntl(fd, F_SETFL, O_NONBLOCK | (o.on ? O_ASYNC : 0));
        const want = f ? 0 : -EBADF;
        if (own !== want || fl !== want) return `${at}: F_SETOWN/F_SETFL(O_ASYNC) returned ${own}, ${fl}, model ${want}`;
        if (f) f.async = o.on;
        break;
      }
    }
    if (sigio - sigioBefore !== wantSigio) return `${at} on fd ${fd}: ${sigio - sigioBefore} SIGIO handled, model ${wantSigio}`;
    const cond = waitConditions(sys, m);
    if (cond) return `${at}: ${cond}`;
  }
  return null;
}

/** The property: one random program, run once (no scheduling choices). */
export function pipeModelProperty(bugs: readonly PlantedBug[] = []) {
  return fc.property(programArb, (ops) => {
    let problem: string | null = 'the program did not finish';
    const tuples = new Set<string>();
    const sc = defineScenario({
      name: 'pipe-model',
      processes: [{ name: 'model', *program(sys) { problem = yield* check(sys, ops, tuples); return 0; } }],
    });
    const r = runScenario(sc, { seed: 1, bugs: [...bugs], coverage: true });
    if (r.failures.length) throw new Error(r.failures.join('\n'));
    if (problem) throw new Error(problem);
    const missing = [...tuples].filter((t) => !r.coverage?.has(t));
    if (missing.length) throw new Error(`coverage tuples the model expects and the run did not record: ${missing.join(', ')}`);
  });
}
