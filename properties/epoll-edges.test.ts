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
