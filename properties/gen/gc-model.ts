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

const AF_UNIX = 1, SOCK_STREAM = 1, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000, MSG_PEEK = 2, POLLHUP = 0x10;
const F_SETFL = 4, O_NONBLOCK = 0o4000, ECONNREFUSED = -111, EAGAIN = -11;

type Op =
  | { op: 'pair' }
  | { op: 'send'; via: number; fds: number[] }
  | { op: 'recv'; fd: number }
  | { op: 'close'; fd: number }
  // the wider programs (gcWideProgramArb) also have:
  | { op: 'listen' }
  | { op: 'connect'; to: number }
  | { op: 'accept'; fd: number }
  | { op: 'peek'; fd: number }
  | { op: 'dup'; fd: number }
  | { op: 'pipe' };

const ref = fc.nat(15);
const sendArb = fc.record({ op: fc.constant('send' as const), via: ref, fds: fc.array(ref, { minLength: 1, maxLength: 2 }) });
const recvArb = fc.record({ op: fc.constant('recv' as const), fd: ref });
const closeArb = fc.record({ op: fc.constant('close' as const), fd: ref });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ op: 'pair' as const }) },
  { weight: 5, arbitrary: sendArb },
  { weight: 2, arbitrary: recvArb },
  { weight: 3, arbitrary: closeArb },
);
export const gcProgramArb = fc
  .array(opArb, { minLength: 10, maxLength: 50, size: 'max' })
  .map((ops): Op[] => [{ op: 'pair' }, { op: 'pair' }, ...ops]);

/**
 * The wider programs: also listeners (an fd sent to a connection not yet
 * accepted sits on the embryo's queue, reached through the listener:
 * unix_edge_successor; a listener released or collected releases its
 * embryos, whose peers see POLLHUP, and unbinds its name, so a later
 * connect is refused), accept, MSG_PEEK (fresh fds for the files a queued
 * message carries: unix_peek_fds), dup (two fds, one file) and pipes (files
 * in flight that are not sockets: no vertex, but carried through
 * collected queues). Every message carries at least one fd.
 */
const wideOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ op: 'pair' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'listen' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'pipe' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('connect' as const), to: ref }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('accept' as const), fd: ref }) },
  { weight: 6, arbitrary: sendArb },
  { weight: 2, arbitrary: recvArb },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('peek' as const), fd: ref }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('dup' as const), fd: ref }) },
  { weight: 4, arbitrary: closeArb },
);
export const gcWideProgramArb = fc
  .array(wideOpArb, { minLength: 10, maxLength: 60, size: 'max' })
  .map((ops): Op[] => [{ op: 'pair' }, { op: 'listen' }, { op: 'connect', to: 0 }, ...ops]);

type Kind = 'stream' | 'listener' | 'embryo' | 'pipe-r' | 'pipe-w';

interface MSock {
  id: number;
  kind: Kind;
  peer: MSock | null;
  q: MSock[][];
  fds: number;
  inflight: number;
  released: boolean;
  hup: boolean;
  /** a listener's connections not yet accepted, oldest first, and its abstract name */
  pending: MSock[];
  name: string;
}

const isSocket = (s: MSock): boolean => s.kind !== 'pipe-r' && s.kind !== 'pipe-w';

class Model {
  readonly socks: MSock[] = [];
  readonly fdOf = new Map<number, MSock>();
  private gcWanted = false;

  /** an open fd, in the order given (of those whose file passes `ok`) */
  fd(r: number, ok: (s: MSock) => boolean = () => true): number | undefined {
    const fds = [...this.fdOf.keys()].filter((fd) => ok(this.fdOf.get(fd)!));
    return fds.length ? fds[r % fds.length] : undefined;
  }

  newSock(kind: Kind = 'stream'): MSock {
    const s: MSock = { id: this.socks.length, kind, peer: null, q: [], fds: 0, inflight: 0, released: false, hup: false, pending: [], name: '' };
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
    return this.socks.reduce((a, s) => a + (s.released || !isSocket(s) ? 0 : s.inflight), 0);
  }

  /** a reference to s's file was dropped */
  put(s: MSock): void {
    if (s.released) return;
    if (s.fds + s.inflight === 0) this.release(s);
    else if (s.fds === 0) this.gcWanted = true; // every reference left is in flight: the simulator's own trigger
  }

  /**
   * unix_release_sock: a stream peer sees a full shutdown, the queue's files
   * lose a reference, a listener's embryos are released, the collector runs
   * if anything is in flight. A pipe's read end sees POLLHUP once its write
   * end is gone.
   */
  release(s: MSock): void {
    s.released = true;
    if (s.peer && !s.peer.released && s.kind !== 'pipe-r') s.peer.hup = true;
    for (const msg of s.q.splice(0)) for (const x of msg) {
      x.inflight--;
      this.put(x);
    }
    for (const e of s.pending.splice(0)) this.release(e);
    if (isSocket(s) && this.totInflight() > 0) this.gcWanted = true;
  }

  /** The collector, as often as it was asked: every live socket that no fd reaches, directly or through queued messages, is released. */
  collect(): void {
    while (this.gcWanted) {
      this.gcWanted = false;
      const reached = new Set<MSock>();
      const todo = this.socks.filter((s) => !s.released && s.fds > 0);
      for (const s of todo) reached.add(s);
      const visit = (q: MSock[][]) => {
        for (const msg of q) for (const x of msg) if (!reached.has(x)) {
          reached.add(x);
          todo.push(x);
        }
      };
      while (todo.length) {
        const s = todo.pop()!;
        visit(s.q);
        for (const e of s.pending) visit(e.q); // a listener reaches what its embryos hold
      }
      const dead = this.socks.filter((s) => !s.released && s.kind !== 'embryo' && !reached.has(s));
      // the hitlist: the dead sockets' queues (a listener's: its embryos') are taken first, then their files are put
      const carried = dead.flatMap((s) => [...s.q.splice(0), ...s.pending.flatMap((e) => e.q.splice(0))].flat());
      for (const s of dead) this.release(s);
      for (const x of carried) {
        x.inflight--;
        this.put(x);
      }
    }
  }
}

function* check(sys: Sys, ops: Op[]): SysGen<string | null> {
  const m = new Model();
  let pairs = 0, listeners = 0, pipes = 0, connects = 0;
  const stream = (s: MSock) => s.kind === 'stream';
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
      case 'pipe': {
        if (pipes === 2) continue;
        pipes++;
        const p = yield* sys.pipe();
        if (p.ret !== 0) return `${at}: pipe returned ${p.ret}`;
        const r = m.newSock('pipe-r'), w = m.newSock('pipe-w');
        r.peer = w;
        w.peer = r;
        const e = m.give(p.fds[0], r) ?? m.give(p.fds[1], w);
        if (e) return `${at}: ${e}`;
        break;
      }
      case 'listen': {
        if (listeners === 2) continue;
        const l = m.newSock('listener');
        l.name = `gc-model-${listeners++}`;
        const fd = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        const r = [yield* sys.bind(fd, { abstract: l.name }), yield* sys.listen(fd, 8), yield* sys.fcntl(fd, F_SETFL, O_NONBLOCK)];
        if (fd < 0 || r.some((x) => x !== 0)) return `${at}: socket, bind, listen, fcntl returned ${fd}, ${r}`;
        const e = m.give(fd, l);
        if (e) return `${at}: ${e}`;
        break;
      }
      case 'connect': {
        const ls = m.socks.filter((s) => s.kind === 'listener');
        if (!ls.length || connects === 6) continue;
        connects++;
        const l = ls[o.to % ls.length];
        const fd = yield* sys.socket(AF_UNIX, SOCK_STREAM);
        const got = yield* sys.connect(fd, { abstract: l.name });
        // a listener's name goes with its release (also by the collector); one in flight still listens
        const want = l.released ? ECONNREFUSED : 0;
        if (fd < 0 || got !== want) return `${at}: connect to ${l.released ? 'released' : 'live'} listener ${l.id} returned ${got}, model ${want}`;
        if (got !== 0) {
          const c = yield* sys.close(fd);
          if (c !== 0) return `${at}: close returned ${c}`;
          break;
        }
        const c = m.newSock(), e = m.newSock('embryo');
        c.peer = e;
        e.peer = c;
        l.pending.push(e);
        const err = m.give(fd, c);
        if (err) return `${at}: ${err}`;
        break;
      }
      case 'accept': {
        const fd = m.fd(o.fd, (s) => s.kind === 'listener');
        if (fd === undefined) continue;
        const l = m.fdOf.get(fd)!;
        const got = yield* sys.accept(fd);
        const e = l.pending.shift();
        if (e ? got.ret < 0 : got.ret !== EAGAIN) return `${at}: accept returned ${got.ret}, model ${e ? 'a connection' : 'EAGAIN'}`;
        if (e) {
          e.kind = 'stream';
          const err = m.give(got.ret, e);
          if (err) return `${at}: ${err}`;
        }
        break;
      }
      case 'dup': {
        const fd = m.fd(o.fd);
        if (fd === undefined) continue;
        const got = yield* sys.dup(fd);
        const e = m.give(got, m.fdOf.get(fd)!);
        if (e) return `${at}: dup returned ${got}: ${e}`;
        break;
      }
      case 'send': {
        const via = m.fd(o.via, stream);
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
      case 'recv':
      case 'peek': {
        const fd = m.fd(o.fd, stream);
        if (fd === undefined) continue;
        const s = m.fdOf.get(fd)!;
        const peek = o.op === 'peek';
        const got = yield* sys.recvmsg(fd, { n: 16, flags: MSG_DONTWAIT | (peek ? MSG_PEEK : 0) });
        const head = peek ? s.q[0] : s.q.shift();
        // one message per call: a stream read stops after a message that carries files
        // after the peer's release: EOF, or first the ECONNRESET of a peer released with unread data
        // (whether a collected socket's queue still holds it then is the kernel version's choice)
        const want = head ? 1 : s.hup ? (got.ret === -104 ? -104 : 0) : EAGAIN;
        if (got.ret !== want || got.fds.length !== (head?.length ?? 0)) {
          return `${at}: recvmsg on fd ${fd} returned ${got.ret} with ${got.fds.length} fds, model ${want} with ${head?.length ?? 0}`;
        }
        for (const [j, x] of (head ?? []).entries()) {
          if (!peek) x.inflight--; // a peek installs fresh references; the message keeps its own
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
        const graph = m.socks.map((x) => `${x.id} ${x.kind}${x.released ? ' released' : ''}: fds ${x.fds}, in flight ${x.inflight}, queue [${x.q.map((msg) => msg.map((y) => y.id).join('+')).join(' ')}]${x.pending.length ? `, embryos ${x.pending.map((e) => e.id)}` : ''}`);
        return `${at}: fd ${fd} (${s.kind} ${s.id}, peer ${s.peer?.id}) ${hup ? 'shows' : 'lacks'} POLLHUP, model ${s.hup ? 'hung up' : 'not'}\n  ${graph.join('\n  ')}`;
      }
    }
  }
  return null;
}

/** The property: one random program, run once, under the collector `gc`. */
export function gcModelProperty(gc: 'scc' | 'mark-sweep', bugs: readonly PlantedBug[] = [], wide = false) {
  return fc.property(wide ? gcWideProgramArb : gcProgramArb, (ops) => {
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
