// The fd table against a model: one process runs a random sequence of
// pipe2, socketpair, dup, fcntl(F_DUPFD[_CLOEXEC]), dup3, close, F_GETFD/F_SETFD,
// setrlimit(RLIMIT_NOFILE) and "fill every free fd below n" (so that words
// of the open-fd bitmap fill up), and
// every result must be what a set-of-open-fds model predicts: a new fd is
// the lowest free one (at or above F_DUPFD's minimum; alloc_fd), EMFILE when
// that is at or above RLIMIT_NOFILE, EINVAL for F_DUPFD's minimum at or above
// it, EBADF for dup3 to an fd at or above it; dup and F_DUPFD clear
// FD_CLOEXEC, F_DUPFD_CLOEXEC and dup3(O_CLOEXEC) set it. A forked child sees
// the same table (dup_fd), with the same limit; execve closes the
// FD_CLOEXEC ones (do_close_on_exec). At the end the fds are probed: open or not, its
// FD_CLOEXEC, and which pipe end it is (fstat's inode, F_GETFL's access mode).
import fc from 'fast-check';
import { F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, FD_CLOEXEC, O_ACCMODE } from '../../src/kernel/abi.ts';
import { EBADF, EINVAL, EMFILE } from '../../src/kernel/errno.ts';
import { AF_UNIX, SOCK_STREAM } from '../../src/unix/constants.ts';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import { checkInvariants } from '../../src/kernel/invariants.ts';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario } from '../../src/script/scenario.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';

const RLIMIT_NOFILE = 7, O_CLOEXEC = 0o2000000;

export type Op =
  | { op: 'pipe' }
  | { op: 'socketpair' }
  | { op: 'dup'; fd: number }
  | { op: 'dupfd'; fd: number; min: number; cloexec: boolean }
  | { op: 'dup3'; fd: number; to: number; cloexec: boolean }
  | { op: 'close'; fd: number }
  | { op: 'setfd'; fd: number; on: boolean }
  | { op: 'limit'; n: number }
  | { op: 'fill'; below: number }
  | { op: 'fork' };

const fdNum = fc.oneof(fc.nat(9), fc.nat(40), fc.constantFrom(31, 32, 33, 63, 64, 65, 1023, 1024, 1025));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ op: 'pipe' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'socketpair' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('dup' as const), fd: fdNum }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('dupfd' as const), fd: fdNum, min: fdNum, cloexec: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('dup3' as const), fd: fdNum, to: fdNum, cloexec: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('close' as const), fd: fdNum }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('setfd' as const), fd: fdNum, on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('limit' as const), n: fc.constantFrom(3, 5, 8, 8, 12, 33, 64, 1024, 1100) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('fill' as const), below: fc.constantFrom(10, 32, 40, 64, 70) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'fork' as const }) },
);
const programArb = fc.array(opArb, { minLength: 5, maxLength: 30, size: 'max' }).map((ops): Op[] => [{ op: 'pipe' }, ...ops]);

/** What an fd holds: a pipe end or socket (its inode, and whether it is a pipe's write end) and FD_CLOEXEC. */
interface Slot { ino: number; writer: boolean; cloexec: boolean }

class Model {
  readonly open = new Map<number, Slot>();
  limit = 1024;
  /** every fd ever open (the probes look at these and at 0..65) */
  readonly used = new Set<number>();

  lowestFree(min: number): number {
    let fd = min;
    while (this.open.has(fd)) fd++;
    return fd;
  }

  put(fd: number, s: Slot): void {
    this.open.set(fd, s);
    this.used.add(fd);
  }

  /** A new fd as alloc_fd gives it: the lowest free at or above min, or -EMFILE. */
  alloc(min: number): number {
    const fd = this.lowestFree(min);
    return fd >= this.limit ? -EMFILE : fd;
  }
}

/** F_GETFD, fstat and F_GETFL of one fd: null when it is not open. */
function* probe(sys: Sys, fd: number): SysGen<Slot | null | string> {
  const fl = yield* sys.fcntl(fd, F_GETFD);
  if (fl === -EBADF) return null;
  if (fl < 0) return `F_GETFD(${fd}) returned ${fl}`;
  const st = yield* sys.fstat(fd);
  const acc = yield* sys.fcntl(fd, F_GETFL);
  if (st.ret !== 0 || !st.stat || acc < 0) return `fstat/F_GETFL of open fd ${fd} failed (${st.ret}, ${acc})`;
  return { ino: st.stat.ino, writer: (acc & O_ACCMODE) === 1, cloexec: (fl & FD_CLOEXEC) !== 0 };
}

const show = (s: Slot | null) => (s ? `inode ${s.ino}${s.writer ? ' write-only' : ''}${s.cloexec ? ' cloexec' : ''}` : 'closed');

/** Every fd up to 65 and every fd ever used (and the one after it), against the model; the first difference, or null. */
function* probeAll(sys: Sys, m: Model, who: string): SysGen<string | null> {
  const fds = new Set([...Array(66).keys(), ...[...m.used].flatMap((fd) => [fd, fd + 1])]);
  for (const fd of [...fds].sort((a, b) => a - b)) {
    const got = yield* probe(sys, fd);
    if (typeof got === 'string') return `${who}: ${got}`;
    const want = m.open.get(fd) ?? null;
    if (show(got) !== show(want)) return `${who}: fd ${fd} is ${show(got)}, model ${show(want)}`;
  }
  return null;
}

function* check(sys: Sys, ops: Op[], exec: boolean): SysGen<string | null> {
  const m = new Model();
  // what the process starts with (stdin, stdout, stderr, or nothing): taken as given
  for (let fd = 0; fd < 8; fd++) {
    const s = yield* probe(sys, fd);
    if (typeof s === 'string') return s;
    if (s) m.put(fd, s);
  }
  for (const [i, o] of ops.entries()) {
    const at = `op ${i} ${JSON.stringify(o)}`;
    const src = 'fd' in o ? m.open.get(o.fd) : undefined;
    switch (o.op) {
      case 'pipe':
      case 'socketpair': {
        const p = o.op === 'pipe' ? yield* sys.pipe() : yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        const r = m.alloc(0);
        // alloc_fd for each of the two fds (get_unused_fd_flags twice); EMFILE from either fails the call with no fd left behind
        const w = r < 0 ? r : (m.open.set(r, { ino: 0, writer: false, cloexec: false }), m.alloc(0));
        if (r >= 0) m.open.delete(r);
        if (r < 0 || w < 0) {
          if (p.ret !== -EMFILE) return `${at}: returned ${p.ret}, model EMFILE`;
          break;
        }
        if (p.ret !== 0 || p.fds[0] !== r || p.fds[1] !== w) return `${at}: gave ${p.ret} [${p.fds}], model [${r},${w}]`;
        for (const fd of [r, w]) {
          const s = yield* probe(sys, fd);
          if (!s || typeof s === 'string') return `${at}: fd ${fd} just made: ${s ?? 'not open'}`;
          if (s.writer !== (o.op === 'pipe' && fd === w)) return `${at}: fd ${fd} has the wrong access mode`;
          m.put(fd, s);
        }
        break;
      }
      case 'dup':
      case 'dupfd': {
        const min = o.op === 'dupfd' ? o.min : 0;
        const cloexec = o.op === 'dupfd' && o.cloexec;
        const got = o.op === 'dup' ? yield* sys.dup(o.fd) : yield* sys.fcntl(o.fd, o.cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, o.min);
        const want = !src ? -EBADF : min >= m.limit ? -EINVAL : m.alloc(min);
        if (got !== want) return `${at}: returned ${got}, model ${want}`;
        if (src && want >= 0) m.put(want, { ...src, cloexec });
        break;
      }
      case 'dup3': {
        const got = yield* sys.dup2(o.fd, o.to, o.cloexec);
        const want = o.fd === o.to ? -EINVAL : !src || o.to >= m.limit ? -EBADF : o.to;
        if (got !== want) return `${at}: dup3 returned ${got}, model ${want}`;
        if (src && want >= 0) m.put(o.to, { ...src, cloexec: o.cloexec });
        break;
      }
      case 'close': {
        const got = yield* sys.close(o.fd);
        const want = src ? 0 : -EBADF;
        if (got !== want) return `${at}: close returned ${got}, model ${want}`;
        m.open.delete(o.fd);
        break;
      }
      case 'setfd': {
        const got = yield* sys.fcntl(o.fd, F_SETFD, o.on ? FD_CLOEXEC : 0);
        const want = src ? 0 : -EBADF;
        if (got !== want) return `${at}: F_SETFD returned ${got}, model ${want}`;
        if (src) src.cloexec = o.on;
        const fl = yield* sys.fcntl(o.fd, F_GETFD);
        const wantFl = src ? (o.on ? FD_CLOEXEC : 0) : -EBADF;
        if (fl !== wantFl) return `${at}: F_GETFD then returned ${fl}, model ${wantFl}`;
        break;
      }
      case 'limit': {
        sys.scratch.reset();
        const b = new Uint8Array(16);
        const v = new DataView(b.buffer);
        v.setBigUint64(0, BigInt(o.n), true);
        v.setBigUint64(8, 1048576n, true);
        const got = yield* sys.syscall(164, RLIMIT_NOFILE, sys.scratch.put(b));
        if (got !== 0) return `${at}: setrlimit returned ${got}`;
        m.limit = o.n;
        break;
      }
      case 'fill': {
        const from = [...m.open.keys()][0];
        if (from === undefined) break;
        const src0 = m.open.get(from)!;
        for (let fd = m.lowestFree(0); fd < o.below && fd < m.limit; fd = m.lowestFree(fd)) {
          const got = yield* sys.fcntl(from, F_DUPFD, 0);
          if (got !== fd) return `${at}: F_DUPFD(${from}, 0) returned ${got}, model ${fd}`;
          m.put(fd, { ...src0, cloexec: false });
        }
        break;
      }
      case 'fork': {
        let seen: string | null = 'the child did not run';
        const pid = yield* sys.fork(function* (child) {
          seen = yield* probeAll(child, m, `${at}: the child`);
          if (seen) return 0;
          // the child's table has the parent's RLIMIT_NOFILE too
          const from = [...m.open.keys()][0];
          if (from === undefined) return 0;
          const got = yield* child.fcntl(from, F_DUPFD, 0);
          if (got !== m.alloc(0)) seen = `${at}: the child's F_DUPFD(${from}, 0) returned ${got}, model ${m.alloc(0)}`;
          return 0;
        });
        if (pid < 0) return `${at}: fork returned ${pid}`;
        yield* sys.wait(pid);
        if (seen) return seen;
        break;
      }
    }
  }
  // the kernel's reference counts, which it counts through FdTable.entries() (once: after every step triples the run's cost)
  const inv = checkInvariants(sys.ctx.task.kernel);
  if (inv) return `at the end: kernel invariant: ${inv}`;
  const end = yield* probeAll(sys, m, 'at the end');
  if (end || !exec) return end;
  // execve closes the FD_CLOEXEC fds (do_close_on_exec) and keeps the rest
  for (const [fd, s] of m.open) if (s.cloexec) m.open.delete(fd);
  PROBE.next = (img) => probeAll(img, m, 'after execve');
  const r = yield* sys.execve('/probe');
  return `execve returned ${r}`;
}

/** The program /bin/probe runs: set by the process before it execs (a run is single-threaded on the host). */
const PROBE: { next: (sys: Sys) => SysGen<string | null> } = { next: function* () { return 'nothing to probe'; } };

/** The property: one random program, run once (no scheduling choices). */
export function fdModelProperty(bugs: readonly PlantedBug[] = []) {
  return fc.property(programArb, fc.boolean(), (ops, exec) => {
    let problem: string | null = 'the program did not finish';
    const sc = defineScenario({
      name: 'fd-model',
      maxSteps: 50_000,
      processes: [{ name: 'model', *program(sys) { problem = yield* check(sys, ops, exec); return 0; } }],
      programs: { '/probe': function* (sys) { problem = yield* PROBE.next(sys); return 0; } },
    });
    const r = runScenario(sc, { seed: 1, bugs: [...bugs] });
    if (r.failures.length) throw new Error(r.failures.join('\n'));
    if (problem) throw new Error(problem);
  });
}
