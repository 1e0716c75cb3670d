// Edges that only some files give an edge-triggered epoll entry, each a
// fixed program whose answers a native program gave on Linux 6.18:
//   - eventfd wakes its one queue with a key (eventfd_write: EPOLLIN,
//     eventfd_read: EPOLLOUT), and ep_poll_callback drops a wake whose key
//     the entry did not ask for: an EPOLLOUT|EPOLLET entry does not fire
//     again after a write, an EPOLLIN|EPOLLET one not after a semaphore read
//     that leaves the counter readable; each fires after the other call;
//   - a FIFO with two writers and two readers: closing one of either side
//     wakes no one (pipe_release wakes only when a side's last end goes);
//   - epoll_wait into a buffer with room for one event before unmapped
//     memory, two entries ready: 1 (ep_send_events returns what it copied;
//     EFAULT only when it copied none), and the other entry stays ready.
// Nested instances (ep_loop_check): a loop, or a chain of more than
// EP_MAX_NESTS + 1 instances, is ELOOP, whichever end the chain grows from,
// when two chains are joined, around a diamond, and not counting an instance
// closed meanwhile (above or below).
// And a pipe's edges while a reader or a writer sleeps (fs/pipe.c), for an
// EPOLLIN|EPOLLET entry on the read end:
//   - pipe_write about to sleep for room wakes the readers only if this call
//     found the pipe empty (`was_empty`), and looks again after each sleep:
//     a writer of 70000 bytes into an empty pipe is an edge before it
//     sleeps, one into a pipe holding a byte is not (until its end); one of
//     3 x 65536 bytes is an edge at each of its three fills, and one woken
//     by a read that left the pipe far from empty is none;
//   - a zero-length write or read: no edge (nor SIGIO: pipe-model);
//   - pipe_read's wake_next_reader: a reader that slept and leaves bytes
//     behind wakes the readers' queue, an edge after the write's own (seen
//     whenever the write's edge was taken before the reader ran).
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/script/runner.ts';
import { defineScenario } from '../src/script/scenario.ts';
import type { Sys, SysGen } from '../src/script/sys.ts';

const IN = 0x1, OUT = 0x4, ET = 2 ** 31, ADD = 1;
const O_RDONLY = 0, O_WRONLY = 1, O_NONBLOCK = 0o4000, EFD_NONBLOCK = 0o4000, EFD_SEMAPHORE = 1;
const S_IFIFO = 0o10000, AT_FDCWD = -100;
const EVENTFD2 = 19, MKNODAT = 33, MMAP = 222, MUNMAP = 215, EFAULT = 14;
const PROT_RW = 3, MAP_PRIVATE_ANON = 0x22, PAGE = 4096, EVENT = 16;

/** Runs `body` in one scripted process and returns what it recorded. */
function run(body: (sys: Sys, log: (s: string) => void) => SysGen<void>): string[] {
  const seen: string[] = [];
  const sc = defineScenario({
    name: 'epoll-edges',
    processes: [{ name: 'edges', *program(sys) { yield* body(sys, (s) => seen.push(s)); return 0; } }],
  });
  const r = runScenario(sc, { seed: 1, checkInvariants: true });
  expect(r.failures).toEqual([]);
  return seen;
}

function* reported(sys: Sys, ep: number): SysGen<number> {
  return (yield* sys.epollWait(ep, 4, 0)).ret;
}

/** A new epoll instance with an EPOLLIN|EPOLLET entry for fd. */
function* edgeEntry(sys: Sys, fd: number): SysGen<number> {
  const ep = yield* sys.epollCreate(0);
  yield* sys.epollCtl(ep, ADD, fd, IN | ET);
  return ep;
}

const FIONREAD = 0x541b, MS = 1_000_000;

describe('nested epoll instances: loops and EP_MAX_NESTS (ep_loop_check)', () => {
  it('refuses a loop and a chain of more than five instances, built either way, joined, around a diamond or past a closed one', () => {
    const seen = run(function* (sys, log) {
      const e: number[] = [];
      let line = '';
      const add = function* (outer: number, inner: number) { line += ` ${yield* sys.epollCtl(e[outer], ADD, e[inner], IN)}`; };
      const fresh = function* (name: string) {
        if (line) log(line);
        for (const fd of e) if (fd >= 0) yield* sys.close(fd);
        for (let i = 0; i < 8; i++) e[i] = yield* sys.epollCreate(0);
        line = `${name}:`;
      };
      yield* fresh('up');
      for (let i = 0; i < 6; i++) yield* add(i + 1, i);
      yield* fresh('down');
      for (let i = 5; i >= 0; i--) yield* add(i + 1, i);
      yield* fresh('join');
      for (const [o, i] of [[1, 0], [2, 1], [5, 4], [4, 3], [3, 2], [6, 5]]) yield* add(o, i);
      yield* fresh('join2');
      for (const [o, i] of [[1, 0], [4, 3], [3, 2], [2, 1], [5, 4]]) yield* add(o, i);
      yield* fresh('loop');
      for (const [o, i] of [[1, 0], [0, 1], [2, 1], [0, 2], [2, 2]]) yield* add(o, i);
      yield* fresh('closed');
      for (const [o, i] of [[1, 0], [2, 1], [3, 2], [4, 3], [5, 4]]) yield* add(o, i);
      yield* sys.close(e[4]);
      e[4] = -1;
      yield* add(5, 3);
      yield* fresh('closedinner');
      for (const [o, i] of [[1, 0], [2, 1], [3, 2], [4, 3], [5, 4]]) yield* add(o, i);
      yield* sys.close(e[0]);
      e[0] = -1;
      yield* add(5, 4);
      yield* add(6, 5);
      yield* fresh('diamond');
      for (const [o, i] of [[1, 0], [2, 0], [3, 1], [3, 2], [4, 3], [5, 4], [6, 4]]) yield* add(o, i);
      // closing the outermost of a chain takes it off the chain above it for good (ep_free)
      yield* fresh('stale');
      for (const [o, i] of [[2, 1], [3, 2], [4, 3], [0, 5], [1, 0]]) yield* add(o, i);
      yield* sys.close(e[4]);
      e[4] = -1;
      yield* add(1, 0);
      // the deepest of several nested entries counts, not the first
      yield* fresh('wide');
      for (const [o, i] of [[3, 5], [3, 2], [2, 1], [1, 0], [4, 3], [6, 4]]) yield* add(o, i);
      yield* fresh('');
    });
    // ELOOP is -40, EINVAL (an instance into itself) -22; as a native program gave them on Linux 6.18
    expect(seen).toEqual([
      'up: 0 0 0 0 -40 0', 'down: 0 0 0 0 -40 0', 'join: 0 0 0 0 -40 0', 'join2: 0 0 0 0 -40', 'loop: 0 -40 0 -40 -22',
      'closed: 0 0 0 0 -40 0', 'closedinner: 0 0 0 0 -40 0 -40', 'diamond: 0 0 0 0 0 0 0',
      'stale: 0 0 0 0 -40 0', 'wide: 0 0 0 0 0 -40',
    ]);
  });
});

describe('epoll_create1 and epoll_pwait2 arguments', () => {
  it('EPOLL_CLOEXEC, fd 0, a NULL or short pwait2 timeout, maxevents up to EP_MAX_EVENTS (as Linux 6.18 natively)', () => {
    const seen = run(function* (sys, log) {
      yield* sys.close(0);
      const e0 = yield* sys.epollCreate(0);
      const e1 = yield* sys.epollCreate(0o2000000 /* EPOLL_CLOEXEC */);
      log(`e0 ${e0} cloexec ${yield* sys.fcntl(e0, 1 /* F_GETFD */)}, e1 cloexec ${yield* sys.fcntl(e1, 1)}`);
      const [r, w] = (yield* sys.pipe()).fds;
      yield* sys.epollCtl(e0, ADD, r, IN);
      yield* sys.epollCtl(e1, ADD, r, IN);
      yield* sys.write(w, 'x');
      sys.scratch.reset();
      const buf = sys.scratch.alloc(4 * EVENT);
      const ts = sys.scratch.put(new Uint8Array(new BigInt64Array([0n, 5_000_000n]).buffer));
      log(`wait e0 ${yield* reported(sys, e0)}, pwait2 NULL ${yield* sys.syscall(441, e1, buf, 4, 0, 0, 8)}`);
      const e2 = yield* sys.epollCreate(0);
      const t0 = yield* sys.now();
      const got = yield* sys.syscall(441, e2, buf, 4, ts, 0, 8);
      log(`pwait2 5 ms on nothing: ${got} after ${Math.round(((yield* sys.now()) - t0) / MS)} ms`);
      const max = Math.floor(0x7fffffff / EVENT); // EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event), 16 bytes on riscv64
      log(`maxevents ${yield* sys.syscall(22, e0, buf, max, 0, 0, 8)} ${yield* sys.syscall(22, e0, buf, max + 1, 0, 0, 8)}`);
    });
    expect(seen).toEqual(['e0 0 cloexec 0, e1 cloexec 1', 'wait e0 1, pwait2 NULL 1', 'pwait2 5 ms on nothing: 0 after 5 ms', 'maxevents 1 -22']);
  });
});

describe("a pipe's edges while a reader or a writer sleeps", () => {
  it('a writer about to sleep for room wakes the readers only if it found the pipe empty, at every fill', () => {
    const seen = run(function* (sys, log) {
      const waitFor = function* (ep: number, ms: number) { return (yield* sys.epollWait(ep, 1, ms)).ret; };
      // [bytes queued before, bytes the sleeping writer writes, the first read's size]
      for (const [before, total, first] of [[0, 70000, 65536], [1, 70000, 65536], [0, 3 * 65536, 65536], [0, 85536, 5000]]) {
        const [r, w] = (yield* sys.pipe()).fds;
        const ep = yield* edgeEntry(sys, r);
        if (before) yield* sys.write(w, 'x');
        yield* reported(sys, ep); // the entry's edge from ADD, if the pipe had data
        const child = yield* sys.fork(function* (sys) {
          yield* sys.write(w, new Uint8Array(total));
          return 0;
        });
        const edges: number[] = [];
        for (let left = before + total, n = first; left > 0; n = 65536) {
          edges.push(yield* waitFor(ep, 200));
          left -= (yield* sys.read(r, n)).ret;
        }
        yield* sys.wait(child);
        log(edges.join(' '));
        for (const fd of [r, w, ep]) yield* sys.close(fd);
      }
    });
    // the one-byte pipe: no edge while the writer sleeps (the 200 ms pass), one at its end; the last: woken by a
    // read of 5000 bytes that left the pipe far from empty, the writer refills it and sleeps again with no edge
    expect(seen).toEqual(['1 1', '0 1', '1 1 1', '1 0 1']);
  });

  it('a zero-length write or read is no edge (pipe_write and pipe_read return before anything)', () => {
    const seen = run(function* (sys, log) {
      const [r, w] = (yield* sys.pipe()).fds;
      const ep = yield* edgeEntry(sys, r);
      yield* sys.epollCtl(ep, ADD, w, OUT | ET);
      log(`${yield* reported(sys, ep)} ${yield* sys.write(w, '')} ${yield* reported(sys, ep)} ${(yield* sys.read(r, 0)).ret} ${yield* reported(sys, ep)}`);
      yield* sys.write(w, 'x');
      log(`${yield* reported(sys, ep)}`);
    });
    // the write end's entry fires at ADD; then nothing until a one-byte write (the read end's)
    expect(seen).toEqual(['1 0 0 0 0', '1']);
  });

  it('a reader that slept and leaves bytes behind is an edge (wake_next_reader)', () => {
    let taken = 0;
    for (let seed = 1; seed <= 3; seed++) {
      const seen: string[] = [];
      const sc = defineScenario({
        name: 'pipe-next-reader',
        processes: [{
          name: 'edges',
          *program(sys) {
            const [r, w] = (yield* sys.pipe()).fds;
            const ep = yield* edgeEntry(sys, r);
            const reader = yield* sys.fork(function* (sys) {
              yield* sys.read(r, 5);
              return 0;
            });
            yield* sys.nanosleep(20 * MS); // the reader is asleep
            yield* sys.write(w, '0123456789');
            const first = yield* reported(sys, ep);
            const queued = new DataView((yield* sys.ioctlInt(r, FIONREAD)).data.buffer).getInt32(0, true);
            yield* sys.wait(reader);
            seen.push(`${first} ${queued} ${yield* reported(sys, ep)}`);
            return 0;
          },
        }],
      });
      const res = runScenario(sc, { seed, checkInvariants: true });
      expect(res.failures).toEqual([]);
      // the write's edge taken before the reader ran (10 queued): the reader's wake is a second edge
      if (seen[0].startsWith('1 10 ')) {
        taken++;
        expect(seen[0]).toBe('1 10 1');
      } else expect(seen[0]).toMatch(/^1 5 [01]$/);
    }
    expect(taken, 'no seed took the write\'s edge before the reader ran').toBeGreaterThan(0);
  });
});

describe('edge-triggered epoll entries on eventfd and FIFO files', () => {
  it("eventfd: a wake for events an entry did not ask for is no edge (the wake's key)", () => {
    const seen = run(function* (sys, log) {
      const u64 = (v: number) => new Uint8Array(new BigUint64Array([BigInt(v)]).buffer);
      let ep = yield* sys.epollCreate(0);
      let e = yield* sys.syscall(EVENTFD2, 0, EFD_NONBLOCK);
      yield* sys.epollCtl(ep, ADD, e, OUT | ET);
      log(`out: ${yield* reported(sys, ep)} ${yield* reported(sys, ep)}`);
      yield* sys.write(e, u64(1));
      log(`after write ${yield* reported(sys, ep)}`);
      yield* sys.read(e, 8);
      log(`after read ${yield* reported(sys, ep)}`);
      yield* sys.close(e);
      yield* sys.close(ep);
      ep = yield* sys.epollCreate(0);
      e = yield* sys.syscall(EVENTFD2, 2, EFD_NONBLOCK | EFD_SEMAPHORE);
      yield* sys.epollCtl(ep, ADD, e, IN | ET);
      log(`in: ${yield* reported(sys, ep)} ${yield* reported(sys, ep)}`);
      yield* sys.read(e, 8);
      log(`after semaphore read ${yield* reported(sys, ep)}`);
      yield* sys.write(e, u64(1));
      log(`after write ${yield* reported(sys, ep)}`);
    });
    expect(seen).toEqual(['out: 1 0', 'after write 0', 'after read 1', 'in: 1 0', 'after semaphore read 0', 'after write 1']);
  });

  it('a FIFO: closing one of two writers, or one of two readers, is no edge', () => {
    const seen = run(function* (sys, log) {
      const path = sys.scratch.cstring('/tmp/epoll-edges-fifo');
      log(`mknod ${yield* sys.syscall(MKNODAT, AT_FDCWD, path, S_IFIFO | 0o600, 0)}`);
      const rd = yield* sys.open('/tmp/epoll-edges-fifo', O_RDONLY | O_NONBLOCK);
      const rd2 = yield* sys.open('/tmp/epoll-edges-fifo', O_RDONLY | O_NONBLOCK);
      const w1 = yield* sys.open('/tmp/epoll-edges-fifo', O_WRONLY | O_NONBLOCK);
      const w2 = yield* sys.open('/tmp/epoll-edges-fifo', O_WRONLY | O_NONBLOCK);
      const ep = yield* sys.epollCreate(0);
      yield* sys.write(w1, new Uint8Array(1));
      yield* sys.epollCtl(ep, ADD, rd, IN | ET);
      yield* sys.epollCtl(ep, ADD, w1, OUT | ET);
      log(`${yield* reported(sys, ep)} ${yield* reported(sys, ep)}`);
      yield* sys.close(w2);
      log(`after closing one of two writers ${yield* reported(sys, ep)}`);
      yield* sys.close(rd2);
      log(`after closing one of two readers ${yield* reported(sys, ep)}`);
    });
    expect(seen).toEqual(['mknod 0', '2 0', 'after closing one of two writers 0', 'after closing one of two readers 0']);
  });

  it('epoll_wait with room for one event before unmapped memory returns 1, and EFAULT with room for none', () => {
    const seen = run(function* (sys, log) {
      const m = yield* sys.syscall(MMAP, 0, 2 * PAGE, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
      yield* sys.syscall(MUNMAP, m + PAGE, PAGE);
      const ep = yield* sys.epollCreate(0);
      for (let i = 0; i < 2; i++) {
        const [r, w] = (yield* sys.pipe()).fds;
        yield* sys.write(w, 'x');
        yield* sys.epollCtl(ep, ADD, r, IN);
      }
      const one = yield* sys.syscall(22, ep, m + PAGE - EVENT, 4, 0, 0, 8);
      const then = (yield* sys.epollWait(ep, 4, 0)).ret;
      const none = yield* sys.syscall(22, ep, m + PAGE - EVENT / 2, 4, 0, 0, 8);
      log(`${one} ${then} ${none === -EFAULT ? 'EFAULT' : none} ${(yield* sys.epollWait(ep, 4, 0)).ret}`);
    });
    expect(seen).toEqual(['1 2 EFAULT 2']);
  });
});
