// The in-flight collector against a reachability model: one process makes
// stream socketpairs, passes their fds over one another (SCM_RIGHTS), takes
// some back (recvmsg) and closes fds, on random fd graphs; after every call
// (and a millisecond's sleep, so the collector's worker runs) the POLLHUP of
// every open fd must be what the model predicts. The model knows Linux's
// rules, not the collector's algorithm:
// - a socket is released when its file has no reference left, neither an
//   fd nor an in-flight copy; its peer then sees a full shutdown (POLLHUP),
//   and what its receive queue carried loses that reference;
// - a release while sockets are in flight runs the collector
//   (unix_release_sock -> unix_gc), which releases every socket that no fd
//   reaches: a socket is reached when an fd refers to it, or when it is
//   carried by a message queued on a reached socket, however many hops away.
// Closing an fd whose file is still in flight releases nothing; on Linux the
// garbage it leaves waits for the next release anywhere in the system. The
// simulator stands for those releases (a closed run has none) by running the
// collector also when a file loses its last reference that is not in flight
// (src/unix/inflight.ts): so here no garbage outlives the call that made it.
import fc from 'fast-check';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario } from '../../src/script/scenario.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';

const AF_UNIX = 1, SOCK_STREAM = 1, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000, POLLHUP = 0x10;

type Op =
  | { op: 'pair' }
  | { op: 'send'; via: number; fds: number[] }
  | { op: 'recv'; fd: number }
  | { op: 'close'; fd: number };

const ref = fc.nat(15);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ op: 'pair' as const }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('send' as const), via: ref, fds: fc.array(ref, { minLength: 1, maxLength: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('recv' as const), fd: ref }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('close' as const), fd: ref }) },
);
export const gcProgramArb = fc
  .array(opArb, { minLength: 10, maxLength: 50, size: 'max' })
  .map((ops): Op[] => [{ op: 'pair' }, { op: 'pair' }, ...ops]);

interface MSock { id: number; peer: MSock | null; q: MSock[][]; fds: number; inflight: number; released: boolean; hup: boolean }

class Model {
  readonly socks: MSock[] = [];
  readonly fdOf = new Map<number, MSock>();
  private gcWanted = false;

  /** an open fd, in the order given */
  fd(r: number): number | undefined {
    const fds = [...this.fdOf.keys()];
    return fds.length ? fds[r % fds.length] : undefined;
  }

  newSock(): MSock {
    const s: MSock = { id: this.socks.length, peer: null, q: [], fds: 0, inflight: 0, released: false, hup: false };
    this.socks.push(s);
    return s;
  }

  give(fd: number, s: MSock): string | null {
    if (fd < 0 || this.fdOf.has(fd)) return `fd ${fd} given while open`;
    this.fdOf.set(fd, s);
    s.fds++;
    return null;
  }

  totInflight(): number {
    return this.socks.reduce((a, s) => a + (s.released ? 0 : s.inflight), 0);
  }

  /** a reference to s's file was dropped */
  put(s: MSock): void {
    if (s.released) return;
    if (s.fds + s.inflight === 0) this.release(s);
    else if (s.fds === 0) this.gcWanted = true; // every reference left is in flight: the simulator's own trigger
  }

  /** unix_release_sock: the peer sees a full shutdown, the queue's files lose a reference, the collector runs if anything is in flight */
  release(s: MSock): void {
    s.released = true;
    if (s.peer && !s.peer.released) s.peer.hup = true;
    for (const msg of s.q.splice(0)) for (const x of msg) {
      x.inflight--;
      this.put(x);
    }
    if (this.totInflight() > 0) this.gcWanted = true;
  }

  /** The collector, as often as it was asked: every live socket that no fd reaches, directly or through queued messages, is released. */
  collect(): void {
    while (this.gcWanted) {
      this.gcWanted = false;
      const reached = new Set<MSock>();
      const todo = this.socks.filter((s) => !s.released && s.fds > 0);
      for (const s of todo) reached.add(s);
      while (todo.length) for (const msg of todo.pop()!.q) for (const x of msg) if (!reached.has(x)) {
        reached.add(x);
        todo.push(x);
      }
      const dead = this.socks.filter((s) => !s.released && !reached.has(s));
      // the hitlist: the dead sockets' queues are taken first, then their files are put
      const carried = dead.flatMap((s) => s.q.splice(0).flat());
      for (const s of dead) s.released = true;
      for (const s of dead) if (s.peer && !s.peer.released) s.peer.hup = true;
      for (const x of carried) {
        x.inflight--;
        this.put(x);
      }
      if (dead.length && this.totInflight() > 0) this.gcWanted = true;
    }
  }
}

function* check(sys: Sys, ops: Op[]): SysGen<string | null> {
  const m = new Model();
  let pairs = 0;
  for (const [i, o] of ops.entries()) {
    const at = `op ${i} ${JSON.stringify(o)}`;
    switch (o.op) {
      case 'pair': {
        if (pairs === 5) continue;
        pairs++;
        const p = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        if (p.ret !== 0) return `${at}: socketpair returned ${p.ret}`;
        const a = m.newSock(), b = m.newSock();
        a.peer = b;
        b.peer = a;
        const e = m.give(p.fds[0], a) ?? m.give(p.fds[1], b);
        if (e) return `${at}: ${e}`;
        break;
      }
      case 'send': {
        const via = m.fd(o.via);
        if (via === undefined) continue;
        const fds = o.fds.map((r) => m.fd(r)!);
        const got = yield* sys.sendmsg(via, { data: 'x', fds }, MSG_DONTWAIT | MSG_NOSIGNAL);
        const s = m.fdOf.get(via)!;
        const to = s.peer!;
        const want = to.released || s.hup ? -32 : 1; // EPIPE once the peer is gone
        if (got !== want) return `${at}: sendmsg on fd ${via} with fds ${fds} returned ${got}, model ${want}`;
        if (want === 1) {
          const carried = fds.map((fd) => m.fdOf.get(fd)!);
          for (const x of carried) x.inflight++;
          to.q.push(carried);
        }
        break;
      }
      case 'recv': {
        const fd = m.fd(o.fd);
        if (fd === undefined) continue;
        const s = m.fdOf.get(fd)!;
        const got = yield* sys.recvmsg(fd, { n: 16, flags: MSG_DONTWAIT });
        const head = s.q.shift();
        // one message per call: a stream read stops after a message that carries files
        // after the peer's release: EOF, or first the ECONNRESET of a peer released with unread data
        // (whether a collected socket's queue still holds it then is the kernel version's choice)
        const want = head ? 1 : s.hup ? (got.ret === -104 ? -104 : 0) : -11;
        if (got.ret !== want || got.fds.length !== (head?.length ?? 0)) {
          return `${at}: recvmsg on fd ${fd} returned ${got.ret} with ${got.fds.length} fds, model ${want} with ${head?.length ?? 0}`;
        }
        for (const [j, x] of (head ?? []).entries()) {
          x.inflight--;
          const e = m.give(got.fds[j], x);
          if (e) return `${at}: ${e}`;
        }
        break;
      }
      case 'close': {
        const fd = m.fd(o.fd);
        if (fd === undefined) continue;
        const got = yield* sys.close(fd);
        if (got !== 0) return `${at}: close(${fd}) returned ${got}`;
        const s = m.fdOf.get(fd)!;
        m.fdOf.delete(fd);
        s.fds--;
        m.put(s);
        m.collect();
        break;
      }
    }
    yield* sys.nanosleep(1_000_000); // the collector's worker runs now
    const fds = [...m.fdOf.keys()];
    if (!fds.length) continue;
    const got = yield* sys.poll(fds.map((fd) => ({ fd, events: 0 })), 0);
    for (const [j, fd] of fds.entries()) {
      const s = m.fdOf.get(fd)!;
      const hup = (got.revents[j] & POLLHUP) !== 0;
      if (hup !== s.hup) {
        const graph = m.socks.map((x) => `${x.id}${x.released ? ' released' : ''}: fds ${x.fds}, in flight ${x.inflight}, queue [${x.q.map((msg) => msg.map((y) => y.id).join('+')).join(' ')}]`);
        return `${at}: fd ${fd} (socket ${s.id}, peer ${s.peer?.id}) ${hup ? 'shows' : 'lacks'} POLLHUP, model ${s.hup ? 'hung up' : 'not'}\n  ${graph.join('\n  ')}`;
      }
    }
  }
  return null;
}

/** The property: one random program, run once, under the collector `gc`. */
export function gcModelProperty(gc: 'scc' | 'mark-sweep', bugs: readonly PlantedBug[] = []) {
  return fc.property(gcProgramArb, (ops) => {
    let problem: string | null = 'the program did not finish';
    const sc = defineScenario({
      name: 'gc-model',
      processes: [{ name: 'model', *program(sys) { problem = yield* check(sys, ops); return 0; } }],
    });
    const r = runScenario(sc, { seed: 1, gc, bugs: [...bugs], checkInvariants: true });
    if (r.failures.length) throw new Error(r.failures.join('\n'));
    if (problem) throw new Error(problem);
  });
}
