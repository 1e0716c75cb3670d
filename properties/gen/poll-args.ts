// ppoll(2) and pselect6(2) against their rules, one call per run: the
// arguments (timeout NULL, zero, short, long, unnormalised, negative or a bad
// pointer; sigmask none, empty, of a wrong size or a bad pointer, for
// pselect6 also a NULL sigset or a bad argument block; the fds ready, not
// ready, closed, fd -1, a regular file, a bad pointer, more than
// RLIMIT_NOFILE, or a negative nfds) and a SIGUSR1 that the call's sigmask
// lets through or holds back, or that is pending as the call begins.
// What Linux does, as checked with a native program on Linux 6.18:
//   - errors in the order sys_ppoll / sys_pselect6 meet them: for pselect6
//     the sigmask argument block (EFAULT), the timeout (EFAULT, EINVAL), the
//     sigmask (EINVAL for a size other than 8, EFAULT), nfds < 0 (EINVAL),
//     the sets (EFAULT), a closed fd in a set (EBADF); for ppoll the timeout,
//     the sigmask, nfds above RLIMIT_NOFILE (EINVAL), the pollfds (EFAULT);
//   - pollfds or fd sets that can be read but not written (a PROT_READ page):
//     the call waits as usual, then its copy-out fails with EFAULT, and
//     nothing is written; for ppoll also after a signal (do_sys_poll copies
//     the revents whatever do_poll returned; the old mask then comes back at
//     once, so a signal the call's mask let through stays pending), while
//     pselect6 keeps EINTR (core_sys_select copies the sets only on success);
//   - a ready fd returns at once, a closed one is POLLNVAL (counted), fd -1
//     is skipped with revents 0, a regular file is readable and writable
//     (DEFAULT_POLLMASK); a signal pending as it begins is EINTR at once
//     when nothing is ready, even with a zero timeout; otherwise the call sleeps until data comes
//     (a byte written after 20 ms), the timeout (0), or a signal the call's
//     mask lets through (EINTR at 10 ms; the handler runs once, then the old
//     mask is back); a signal the mask holds back is handled after the call;
//   - the time left is written back into the timespec (poll_select_finish),
//     0 after a timeout; pselect6 leaves the sets alone on EINTR.
import fc from 'fast-check';
import { SIGUSR1 } from '../../src/kernel/abi.ts';
import { EBADF, EFAULT, EINTR, EINVAL } from '../../src/kernel/errno.ts';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario } from '../../src/script/scenario.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';

const MS = 1_000_000;
/** how far from the model a time may be: a few syscalls' worth */
const SLACK = 50_000;
const POLLIN = 0x1, POLLOUT = 0x4, POLLNVAL = 0x20;
const BAD = 8; // an address no process maps

export interface Case {
  call: 'ppoll' | 'pselect';
  tmo: 'null' | 'zero' | 'short' | 'long' | 'badnsec' | 'negnsec' | 'neg' | 'fault';
  mask: 'none' | 'empty' | 'badsize' | 'fault' | 'nullss' | 'argfault';
  /** readonly: as notready, the pollfds or sets in a page mapped PROT_READ */
  fds: 'ready' | 'notready' | 'closed' | 'neg1' | 'fault' | 'toomany' | 'atlimit' | 'negn' | 'zero' | 'file' | 'readonly';
  /**
   * SIGUSR1 at 10 ms: none, blocked but let through by the call's mask, or unblocked but held
   * back by it; or 'pending': blocked, already pending as the call begins, let through by its mask
   */
  sig: 'none' | 'let-through' | 'held-back' | 'pending';
  seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    call: fc.constantFrom('ppoll' as const, 'pselect' as const),
    tmo: fc.constantFrom('null' as const, 'zero' as const, 'short' as const, 'long' as const, 'long' as const, 'badnsec' as const, 'negnsec' as const, 'neg' as const, 'fault' as const),
    mask: fc.constantFrom('none' as const, 'none' as const, 'empty' as const, 'badsize' as const, 'fault' as const, 'nullss' as const, 'argfault' as const),
    fds: fc.constantFrom('ready' as const, 'notready' as const, 'notready' as const, 'closed' as const, 'neg1' as const, 'fault' as const, 'toomany' as const, 'atlimit' as const, 'negn' as const, 'zero' as const, 'file' as const, 'readonly' as const),
    sig: fc.constantFrom('none' as const, 'none' as const, 'let-through' as const, 'held-back' as const, 'pending' as const),
    seed: fc.nat(),
  })
  .map((c): Case => {
    // no fds and no timeout: nothing but a signal would end it
    if (c.fds === 'zero' && (c.tmo === 'null' || c.tmo === 'long')) c = { ...c, tmo: 'short' };
    // a signal case needs a mask that works, or none (the process's own mask then holds during the call)
    if (c.sig !== 'none' && c.mask !== 'empty' && c.mask !== 'none' && c.mask !== 'nullss') c = { ...c, mask: 'empty' };
    // nfds above the limit is clamped by pselect6 (to max_fds in Linux, to RLIMIT_NOFILE here): not compared
    if (c.call === 'pselect' && (c.fds === 'toomany' || c.fds === 'atlimit')) c = { ...c, fds: 'notready' };
    return c;
  });

/** The first error Linux reports, or null. */
function error(c: Case): number | null {
  const tmo = c.tmo === 'fault' ? -EFAULT : c.tmo === 'badnsec' || c.tmo === 'negnsec' || c.tmo === 'neg' ? -EINVAL : 0;
  const mask = c.mask === 'badsize' ? -EINVAL : c.mask === 'fault' ? -EFAULT : 0;
  if (c.call === 'ppoll') {
    const fds = c.fds === 'toomany' || c.fds === 'negn' ? -EINVAL : c.fds === 'fault' ? -EFAULT : 0;
    return tmo || (c.mask === 'argfault' ? 0 : mask) || fds || null;
  }
  const arg = c.mask === 'argfault' ? -EFAULT : 0;
  const fds = c.fds === 'negn' ? -EINVAL : c.fds === 'fault' ? -EFAULT : c.fds === 'closed' ? -EBADF : 0;
  return arg || tmo || mask || fds || null;
}

/** No sigmask given (ppoll's NULL, pselect6's NULL sigset): the call leaves the process's mask alone. */
const noMask = (c: Case) => c.mask === 'none' || c.mask === 'nullss';

/** The result, when (ms after the call began) and the time left written back (ms; null: not compared). */
function model(c: Case): { ret: number; at: number; left: number | null } {
  const err = error(c);
  if (err !== null) return { ret: err, at: 0, left: null };
  // a regular file has no poll method: DEFAULT_POLLMASK, readable and writable (two fds' worth in select's sets)
  if (c.fds === 'file') return { ret: c.call === 'pselect' ? 2 : 1, at: 0, left: c.tmo === 'short' ? 5 : c.tmo === 'long' ? 1000 : null };
  const ready = c.fds === 'ready' || (c.call === 'ppoll' && c.fds === 'closed');
  const limit = c.tmo === 'zero' ? 0 : c.tmo === 'short' ? 5 : c.tmo === 'long' ? 1000 : Infinity;
  const left = (at: number) => (c.tmo === 'short' || c.tmo === 'long' ? limit - at : null);
  if (ready) return { ret: 1, at: 0, left: left(0) };
  // a signal pending as the call begins ends it at once when nothing is ready, whatever the timeout (do_poll);
  // with no sigmask the process's own holds: SIGUSR1 blocked (let-through, pending) or not (held-back)
  const own = noMask(c);
  const signalled = (c.sig === 'let-through' && !own) || (c.sig === 'held-back' && own) ? 10 : c.sig === 'pending' && !own ? 0 : Infinity;
  const data = c.fds === 'zero' ? Infinity : 20;
  const at = Math.min(limit, signalled, data);
  // readonly: the copy-out fails (ppoll's on EINTR too; pselect6 copies nothing then)
  const copied = (ret: number) => (c.fds === 'readonly' && (ret >= 0 || c.call === 'ppoll') ? -EFAULT : ret);
  if (at === signalled) return { ret: copied(-EINTR), at, left: left(at) };
  if (at === data) return { ret: copied(1), at, left: left(at) };
  return { ret: copied(0), at, left: left(at) };
}

interface Seen { ret?: number; took?: number; left?: number; revents?: number[]; sets?: number[]; handled: number }

function timespec(ms: number, nsec = 0): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(Math.floor(ms / 1000)), true);
  v.setBigInt64(8, BigInt(nsec || (ms % 1000) * MS), true);
  return b;
}

/** Puts b in the read-only page (PROT_READ for the call; poked in past its protection), or in scratch memory. */
function place(sys: Sys, ro: number, b: Uint8Array): number {
  if (ro === 0) return sys.scratch.put(b);
  sys.ctx.task.mm.poke(ro, b);
  return ro;
}

function* theCall(sys: Sys, c: Case, p: [number, number], file: number, ro: number, out: Seen): SysGen<void> {
  const t0 = yield* sys.now(); // first: now() uses the scratch memory too
  sys.scratch.reset();
  const s = sys.scratch;
  const tmo = c.tmo === 'null' ? 0 : c.tmo === 'fault' ? BAD
    : s.put(c.tmo === 'zero' ? timespec(0) : c.tmo === 'short' ? timespec(5) : c.tmo === 'long' ? timespec(1000)
      : c.tmo === 'badnsec' ? timespec(0, 1_000_000_000) : c.tmo === 'negnsec' ? timespec(0, -1) : timespec(-1000));
  const set = new Uint8Array(8); // sigset_t: the call's mask; SIGUSR1 in it when it is to be held back
  if (c.sig === 'held-back') set[(SIGUSR1 - 1) >> 3] = 1 << ((SIGUSR1 - 1) & 7);
  const maskAddr = c.mask === 'none' || c.mask === 'nullss' ? 0 : c.mask === 'fault' ? BAD : s.put(set);
  const maskSize = c.mask === 'badsize' ? 4 : 8;
  if (c.call === 'ppoll') {
    const entries = c.fds === 'ready' ? [[p[1], POLLOUT]] : c.fds === 'file' ? [[file, POLLIN | POLLOUT]] : c.fds === 'closed' ? [[40, POLLIN]] : c.fds === 'neg1' ? [[-1, POLLIN], [p[0], POLLIN]]
      : c.fds === 'zero' ? [] : c.fds === 'atlimit' ? [[p[0], POLLIN], ...Array.from({ length: 1023 }, () => [-1, 0])] : [[p[0], POLLIN]];
    const b = new Uint8Array(8 * Math.max(entries.length, 1));
    const v = new DataView(b.buffer);
    entries.forEach(([fd, ev], i) => {
      v.setInt32(8 * i, fd, true);
      v.setInt16(8 * i + 4, ev, true);
      v.setInt16(8 * i + 6, 0x77, true); // revents is written, whatever was there
    });
    const ufds = c.fds === 'fault' ? BAD : place(sys, ro, b);
    const nfds = c.fds === 'toomany' ? 1025 : c.fds === 'negn' ? 2 ** 32 - 1 : c.fds === 'fault' ? 1 : entries.length;
    out.ret = yield* sys.syscall(73, ufds, nfds, tmo, maskAddr, maskSize);
    if (c.fds !== 'fault') {
      const r = s.read(ufds, 8 * entries.length);
      out.revents = entries.map((_, i) => new DataView(r.buffer, r.byteOffset).getUint16(8 * i + 6, true));
      // atlimit: nfds exactly RLIMIT_NOFILE (allowed: EINVAL only above it); the 1023 entries of fd -1 read back 0
      if (c.fds === 'atlimit') out.revents = out.revents.some((x, i) => i > 0 && x !== 0) ? [-1] : out.revents.slice(0, 1);
    }
  } else {
    const fds = c.fds === 'file' ? [file, file, -1] : c.fds === 'ready' ? [-1, p[1], -1] : c.fds === 'closed' ? [40, -1, -1] : c.fds === 'neg1' ? [p[0], -1, p[0]]
      : c.fds === 'zero' ? [-1, -1, -1] : [p[0], -1, -1]; // readonly: the read set, in the read-only page
    const sets = fds.map((fd) => {
      const b = new Uint8Array(8);
      if (fd >= 0) b[fd >> 3] |= 1 << (fd & 7);
      return b;
    });
    const addrs = sets.map((b, i) => (c.fds === 'fault' && i === 0 ? BAD : i === 0 ? place(sys, ro, b) : s.put(b)));
    const block = new Uint8Array(16);
    new DataView(block.buffer).setBigUint64(0, BigInt(maskAddr), true);
    new DataView(block.buffer).setBigUint64(8, BigInt(maskSize), true);
    const sig = c.mask === 'none' ? 0 : c.mask === 'argfault' ? BAD : s.put(block);
    const nfds = c.fds === 'negn' ? -1 : c.fds === 'zero' ? 0 : 41;
    out.ret = yield* sys.syscall(72, nfds, addrs[0], addrs[1], addrs[2], tmo, sig);
    if (c.fds !== 'fault') out.sets = addrs.map((a) => (s.read(a, 8).some((x) => x !== 0) ? 1 : 0));
  }
  if (tmo > BAD) {
    const b = s.read(tmo, 16);
    const v = new DataView(b.buffer, b.byteOffset, 16);
    out.left = Number(v.getBigInt64(0, true)) * 1000 * MS + Number(v.getBigInt64(8, true));
  }
  out.took = (yield* sys.now()) - t0;
}

function scenario(c: Case, out: Seen) {
  return defineScenario({
    name: 'poll-args',
    processes: [
      {
        name: 'poller',
        *program(sys) {
          yield* sys.close(0); // the pipe's read end is fd 0 (a `fd > 0` for `fd >= 0` would skip it)
          const p = (yield* sys.pipe()).fds;
          const file = yield* sys.open('/tmp/poll-args', 0o102 /* O_RDWR | O_CREAT */);
          yield* sys.sigaction(SIGUSR1, () => void out.handled++, 0);
          if (c.sig === 'let-through' || c.sig === 'pending') {
            sys.scratch.reset();
            const set = new Uint8Array(8);
            set[(SIGUSR1 - 1) >> 3] = 1 << ((SIGUSR1 - 1) & 7);
            yield* sys.syscall(135, 0 /* SIG_BLOCK */, sys.scratch.put(set), 0, 8);
            if (c.sig === 'pending') yield* sys.kill(sys.pid, SIGUSR1);
          }
          const parent = sys.pid;
          const child = yield* sys.fork(function* (sys) {
            const t0 = yield* sys.now();
            if (c.sig !== 'none' && c.sig !== 'pending') {
              yield* sys.nanosleep(10 * MS);
              yield* sys.kill(parent, SIGUSR1);
            }
            yield* sys.nanosleep(t0 + 20 * MS - (yield* sys.now()));
            yield* sys.write(p[1], 'x');
            return 0;
          });
          let ro = 0;
          if (c.fds === 'readonly') {
            ro = yield* sys.syscall(222, 0, 4096, 3 /* PROT_READ | PROT_WRITE */, 0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */, -1, 0);
            yield* sys.syscall(226, ro, 4096, 1 /* PROT_READ */);
          }
          yield* theCall(sys, c, p, file, ro, out);
          while ((yield* sys.wait(child)).ret === -EINTR);
          return 0;
        },
      },
    ],
  });
}

/** The property: one case under its random schedule. */
export function pollArgsProperty(bugs: readonly PlantedBug[] = []) {
  return fc.property(caseArb, (c) => {
    const out: Seen = { handled: 0 };
    const r = runScenario(scenario(c, out), { seed: c.seed, bugs: [...bugs] });
    if (r.failures.length) throw new Error(r.failures.join('\n'));
    const want = model(c);
    const problem = (what: string) => new Error(`${what}: returned ${out.ret} after ${out.took} ns, left ${out.left}, revents ${out.revents}, sets ${out.sets}; model ${want.ret} after ${want.at} ms, left ${want.left} ms`);
    if (out.ret !== want.ret || out.took === undefined || Math.abs(out.took - want.at * MS) > SLACK) throw problem('result');
    if (want.left !== null && (out.left === undefined || Math.abs(out.left - want.left * MS) > SLACK)) throw problem('time left');
    // the handler: a signal let through runs it once it has interrupted the call (the old mask, blocking it, comes
    // back only after); one that came after the call stays blocked; one held back runs once the old mask is back
    // (with no sigmask: a signal the process blocks stays blocked, one it does not interrupts the call)
    const handled = c.sig === 'held-back' || ((c.sig === 'let-through' || c.sig === 'pending') && !noMask(c) && want.ret === -EINTR) ? 1 : 0;
    if (out.handled !== handled) throw problem(`handler ran ${out.handled} times, model ${handled}`);
    // read-only pollfds or sets: nothing written (revents as they were; the read set as asked)
    if (c.fds === 'readonly' && (out.revents ?? out.sets)!.join() !== (c.call === 'ppoll' ? '119' : '1,0,0')) throw problem('written to a read-only page');
    if (want.ret < 0 && want.ret !== -EINTR) return;
    if (c.call === 'ppoll' && out.revents) {
      const ready = want.ret > 0;
      const rev = c.fds === 'file' ? [POLLIN | POLLOUT] : c.fds === 'ready' ? [POLLOUT] : c.fds === 'closed' ? [POLLNVAL] : c.fds === 'neg1' ? [0, ready ? POLLIN : 0] : c.fds === 'zero' ? [] : [ready ? POLLIN : 0];
      if (rev.join() !== out.revents.join()) throw problem(`revents, model ${rev}`);
    }
    if (c.call === 'pselect' && out.sets) {
      // the sets hold the ready fds; on EINTR they are not written back (the fds asked for stay set)
      const asked = out.sets.map((_, i) => (i === 0 && c.fds !== 'ready' && c.fds !== 'zero') || (i === 1 && (c.fds === 'ready' || c.fds === 'file')) || (i === 2 && c.fds === 'neg1'));
      const want2 = asked.map((a, i) => (a && (want.ret === -EINTR || (want.ret > 0 && i !== 2)) ? 1 : 0));
      if (want2.join() !== out.sets.join()) throw problem(`sets, model ${want2}`);
    }
  });
}
