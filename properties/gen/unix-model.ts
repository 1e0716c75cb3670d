// AF_UNIX sockets against a model: one process runs a random sequence of
// non-blocking calls on stream and datagram sockets bound to a few abstract
// names (socket, bind, listen with backlogs from -1 to above SOMAXCONN,
// connect, accept, send, sendto, recv, shutdown, close, poll, FIONREAD,
// SO_ERROR, SO_ACCEPTCONN), and every result, byte, sender and revents
// must equal what a model of unix(7) predicts:
// - a listener takes backlog+1 pending connections (unix_recvq_full:
//   pending > backlog), then a non-blocking connect is EAGAIN; listen()
//   again sets the new backlog; a negative or larger backlog is SOMAXCONN;
//   closing a listener resets its pending clients (POLLHUP, ECONNRESET);
// - a datagram receiver takes max_dgram_qlen+1 datagrams from a sender it
//   is not connected back to (unix_dgram_sendmsg), then EAGAIN, and the
//   sender's POLLOUT clears while its connected peer's queue is that full
//   (unix_dgram_poll); a receive frees a slot;
// - a stream peer's close is EOF after the queued data, ECONNRESET first
//   when the closer left data unread (unix_release_sock); shutdown is
//   mirrored onto a stream peer, not a datagram one;
// - reconnecting a datagram socket purges its queue, and the old peer, if
//   connected back, gets ECONNRESET (unix_dgram_disconnected).
// - SO_SNDBUF and SO_RCVBUF read back doubled, clamped to wmem_max/rmem_max
//   and at least SOCK_MIN_SNDBUF/SOCK_MIN_RCVBUF; a send finds room while
//   less than SO_SNDBUF is charged (else EAGAIN), POLLOUT while 3/4 is free;
// - an unbound SO_PASSCRED socket is autobound (five hex digits) by connect
//   and by a datagram send; a blocking accept with SO_RCVTIMEO returns a
//   pending connection, EINVAL after SHUT_RD, or EAGAIN when the time is up.
// Messages here are at most 128 bytes, each charged SKB_TRUESIZE(512) = 768
// to its sender until fully read (a 4608-byte buffer takes 6 of them).
// No scheduling is involved: this pins src/unix's state machine and limits.
import fc from 'fast-check';
import { FIONREAD } from '../../src/kernel/abi.ts';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario } from '../../src/script/scenario.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';

// Linux facts, stated here rather than imported, so that a change to the kernel's constants is noticed
const AF_UNIX = 1, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 0o4000, SOL_SOCKET = 1, SO_ERROR = 4, SO_ACCEPTCONN = 30;
const MSG_NOSIGNAL = 0x4000;
const EPERM = 1, EAGAIN = 11, EBADF = 9, EINVAL = 22, EPIPE = 32, EADDRINUSE = 98, ECONNRESET = 104, EISCONN = 106, ENOTCONN = 107;
const ECONNREFUSED = 111, EOPNOTSUPP = 95;
const POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLWRNORM = 0x100, POLLWRBAND = 0x200, POLLRDHUP = 0x2000;
const SO_SNDBUF = 7, SO_RCVBUF = 8, SOCK_MIN_SNDBUF = 4608, SOCK_MIN_RCVBUF = 2304, WMEM_MAX = 212992, RMEM_MAX = 212992;
const SO_PASSCRED = 16, SO_RCVTIMEO = 20, F_SETFL = 4;
/** unix_autobind's names: five hex digits in the abstract namespace */
const AUTOBIND = /^[0-9a-f]{5}$/;
const SOMAXCONN = 4096, MAX_DGRAM_QLEN = 10, SNDBUF = 212992, CHARGE = 768;
const NAMES = ['m0', 'm1', 'm2'];

type Kind = 'stream' | 'dgram';
type Op =
  | { op: 'socket'; kind: Kind }
  | { op: 'bind'; fd: number; name: number; addr: Addr }
  | { op: 'listen'; fd: number; backlog: number }
  | { op: 'connect'; fd: number; name: number; times: number; fresh: boolean; addr: Addr }
  | { op: 'accept'; fd: number }
  | { op: 'send'; fd: number; n: number; times: number }
  | { op: 'sendto'; fd: number; name: number; n: number; times: number; addr: Addr; oob: boolean }
  | { op: 'recv'; fd: number; n: number; flags: number }
  | { op: 'shutdown'; fd: number; how: number }
  | { op: 'close'; fd: number }
  | { op: 'fionread'; fd: number }
  | { op: 'sockopt'; fd: number; opt: number }
  | { op: 'setbuf'; fd: number; opt: number; value: number }
  | { op: 'autobind'; fd: number; name: number; send: boolean }
  | { op: 'getsockname'; fd: number }
  | { op: 'acceptWait'; fd: number }
  | { op: 'poll'; entries: { fd: number; events: number }[] };

/**
 * The address a bind, connect or sendto passes: the name, or a malformed one:
 * 1 byte (shorter than the family), AF_INET's family, AF_UNSPEC's (a datagram
 * connect's disconnect), 111 bytes (past sizeof(sockaddr_un)), 129 bytes (past
 * sizeof(sockaddr_storage)), or for bind the bare family (autobind).
 */
type Addr = 'name' | 'short' | 'inet' | 'unspec' | 'long' | 'huge' | 'bare';
const addrArb = fc.constantFrom<Addr>('name', 'name', 'name', 'name', 'name', 'name', 'short', 'inet', 'unspec', 'long', 'huge', 'bare');
function addrBytes(a: Addr, name: string): { raw: Uint8Array } | { abstract: string } {
  const raw = (n: number, family: number) => {
    const b = new Uint8Array(n).fill(0x61);
    b[0] = family;
    if (n > 1) b[1] = 0;
    return { raw: b };
  };
  switch (a) {
    case 'name': return { abstract: name };
    case 'short': return { raw: Uint8Array.of(AF_UNIX) };
    case 'inet': return raw(16, 2);
    case 'unspec': return raw(16, 0);
    case 'long': return raw(111, AF_UNIX);
    case 'huge': return raw(129, AF_UNIX);
    case 'bare': return raw(2, AF_UNIX);
  }
}
const MSG_OOB = 0x1, MSG_PEEK = 0x2, MSG_TRUNC = 0x20;

/** how many times a connect or send is made in a row: bursts reach the backlog and max_dgram_qlen */
const times = fc.constantFrom(1, 1, 1, 1, 3, 12);
const fdRef = fc.nat(11), nameRef = fc.nat(NAMES.length - 1), len = fc.integer({ min: 0, max: 128 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('socket' as const), kind: fc.constantFrom<Kind>('stream', 'dgram') }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('bind' as const), fd: fdRef, name: nameRef, addr: addrArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('listen' as const), fd: fdRef, backlog: fc.constantFrom(-1, 0, 0, 1, 1, 2, 3, SOMAXCONN, SOMAXCONN + 1) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('connect' as const), fd: fdRef, name: nameRef, times, fresh: fc.boolean(), addr: addrArb.filter((a) => a !== 'bare') }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('accept' as const), fd: fdRef }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('send' as const), fd: fdRef, n: len, times }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('sendto' as const), fd: fdRef, name: nameRef, n: len, times, addr: addrArb.filter((a) => a !== 'bare' && a !== 'unspec'), oob: fc.nat(9).map((x) => x === 0) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('recv' as const), fd: fdRef, n: fc.integer({ min: 1, max: 300 }), flags: fc.constantFrom(0, 0, 0, MSG_PEEK, MSG_TRUNC, MSG_PEEK | MSG_TRUNC, MSG_OOB) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('shutdown' as const), fd: fdRef, how: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('close' as const), fd: fdRef }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('fionread' as const), fd: fdRef }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sockopt' as const), fd: fdRef, opt: fc.constantFrom(SO_ERROR, SO_ACCEPTCONN, SO_SNDBUF, SO_RCVBUF) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('autobind' as const), fd: fdRef, name: nameRef, send: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('getsockname' as const), fd: fdRef }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('acceptWait' as const), fd: fdRef }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('setbuf' as const), fd: fdRef, opt: fc.constantFrom(SO_SNDBUF, SO_SNDBUF, SO_RCVBUF),
      value: fc.constantFrom(-1, 0, 1, 2000, 2304, 2305, 3000, 3072, 3072, 5000, 106496, 106497, 300000),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('poll' as const),
      entries: fc.array(fc.record({ fd: fdRef, events: fc.constantFrom(POLLIN, POLLOUT, POLLIN | POLLOUT, POLLRDHUP | POLLIN | POLLOUT) }), { minLength: 1, maxLength: 3 }),
    }),
  },
);
/**
 * A program: a stream listener on m0 and datagram sockets bound to m1 and
 * m2 first (so that most calls find something to talk to), then random calls.
 */
export const unixProgramArb = fc
  .tuple(fc.constantFrom(-1, 0, 1, 2, 3), fc.constantFrom('none', 'one-way', 'mutual'), fc.array(opArb, { minLength: 20, maxLength: 80, size: 'max' }))
  .map(([backlog, pairing, ops]): Op[] => [
    { op: 'socket', kind: 'stream' }, { op: 'bind', fd: 0, name: 0, addr: 'name' }, { op: 'listen', fd: 0, backlog },
    { op: 'socket', kind: 'dgram' }, { op: 'bind', fd: 1, name: 1, addr: 'name' },
    { op: 'socket', kind: 'dgram' }, { op: 'bind', fd: 2, name: 2, addr: 'name' },
    // the datagram sockets connected one way or to each other (then max_dgram_qlen does not apply between them)
    ...(pairing === 'none' ? [] : [{ op: 'connect' as const, fd: 1, name: 2, times: 1, fresh: false, addr: 'name' as const }]),
    ...(pairing === 'mutual' ? [{ op: 'connect' as const, fd: 2, name: 1, times: 1, fresh: false, addr: 'name' as const }] : []),
    ...ops,
  ]);

/** A queued message: its bytes, what of it was read, and the socket it is charged to. */
interface MMsg { data: Uint8Array; read: number; from: MSock }

class MSock {
  /** its address (an accepted socket has its listener's) */
  name: string | null = null;
  /** it bound `name` itself, so the name is taken while it lives */
  bound = false;
  state: 'unconnected' | 'listening' | 'connected' = 'unconnected';
  backlog = 0;
  readonly pending: MSock[] = [];
  peer: MSock | null = null;
  readonly q: MMsg[] = [];
  /** RCV_SHUTDOWN 1, SEND_SHUTDOWN 2 */
  shut = 0;
  err = 0;
  dead = false;
  /** a connection not yet accepted */
  embryo = false;
  /** messages of this socket's still queued somewhere (each charged CHARGE) */
  charged = 0;
  /** SO_SNDBUF and SO_RCVBUF as stored (doubled) */
  sndbuf = SNDBUF;
  rcvbuf = RMEM_MAX;
  constructor(readonly kind: Kind) {}

  /** unix_writable: 3/4 of the send buffer free; it reads sk_wmem_alloc, which is one more than what is charged */
  get writable(): boolean {
    return (this.charged * CHARGE + 1) * 4 <= this.sndbuf;
  }

  /** sock_alloc_send_pskb: a new skb may be charged while less than the buffer is */
  get hasRoom(): boolean {
    return this.charged * CHARGE < this.sndbuf;
  }

  get bytes(): number {
    return this.q.reduce((a, m) => a + m.data.length - m.read, 0);
  }
}

class Model {
  readonly open = new Map<number, MSock>();
  readonly seen: number[] = [];

  /** An open fd (in the order given), or now and then one closed since. */
  fd(ref: number): number | undefined {
    const open = this.seen.filter((fd) => this.open.has(fd));
    const closed = this.seen.filter((fd) => !this.open.has(fd));
    if (ref === 11 && closed.length) return closed[0];
    return open.length ? open[ref % open.length] : closed[0];
  }

  /** An open fd whose socket satisfies `p`, if any. */
  pick(ref: number, p: (s: MSock) => boolean): number | undefined {
    const fds = this.seen.filter((fd) => this.open.has(fd) && p(this.open.get(fd)!));
    return fds.length ? fds[ref % fds.length] : undefined;
  }

  give(fd: number, s: MSock): string | null {
    if (fd < 0) return `returned ${fd}`;
    if (this.open.has(fd)) return `fd ${fd} returned while still open`;
    this.open.set(fd, s);
    if (!this.seen.includes(fd)) this.seen.push(fd);
    return null;
  }

  /** The live socket of a type bound to an abstract name (unix_abstract_hash includes the type: each type has its own names). */
  bound(name: string, kind: Kind): MSock | undefined {
    for (const s of this.open.values()) if (s.bound && s.name === name && s.kind === kind) return s;
    return undefined;
  }

  free(m: MMsg): void {
    m.from.charged--;
  }

  purge(s: MSock): void {
    for (const m of s.q.splice(0)) this.free(m);
  }

  /** unix_release_sock */
  release(s: MSock): void {
    const wasListening = s.state === 'listening';
    s.dead = true;
    s.state = 'unconnected';
    s.shut = 3;
    const pair = s.peer;
    s.peer = null;
    if (pair && s.kind === 'stream') {
      pair.shut = 3;
      if (s.q.length || s.embryo) pair.err = ECONNRESET;
    }
    this.purge(s);
    if (wasListening) for (const e of s.pending.splice(0)) this.release(e);
  }

  /** unix_dgram_disconnected: s stopped talking to old */
  disconnected(s: MSock, old: MSock): void {
    if (!s.q.length) return;
    this.purge(s);
    if (!old.dead && old.peer === s) old.err = ECONNRESET;
  }

  /** unix_poll / unix_dgram_poll */
  mask(s: MSock): number {
    let m = s.err ? POLLERR : 0;
    if (s.shut === 3) m |= POLLHUP;
    if (s.shut & 1) m |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (s.state === 'listening' ? s.pending.length > 0 : s.q.length > 0) m |= POLLIN | POLLRDNORM;
    let writable = s.state !== 'listening' && s.writable;
    if (s.kind === 'stream') {
      if (s.state === 'unconnected') m |= POLLHUP;
    } else if (s.peer && s.peer !== s && s.peer.peer !== s && s.peer.q.length > MAX_DGRAM_QLEN) writable = false;
    if (writable) m |= POLLOUT | POLLWRNORM | POLLWRBAND;
    return m;
  }
}

let counter = 0;
/** n fresh bytes, different from every other message's (so a lost, repeated or misdelivered message shows) */
function payload(n: number): Uint8Array {
  const k = ++counter;
  return Uint8Array.from({ length: n }, (_, i) => (k * 37 + i * 11) & 0xff);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One datagram from s to r, after the receiver is found: the result, and the model updated. */
function dgramDeliver(m: Model, s: MSock, r: MSock, data: Uint8Array): number {
  if (r.peer !== null && r.peer !== s) return -EPERM; // unix_may_send
  if (r.shut & 1) return -EPIPE;
  if (r !== s && r.peer !== s && r.q.length > MAX_DGRAM_QLEN) return -EAGAIN;
  r.q.push({ data, read: 0, from: s });
  s.charged++;
  return data.length;
}

/** Runs the program against the kernel and the model; the first disagreement, or null. */
function* check(sys: Sys, ops: Op[]): SysGen<string | null> {
  const m = new Model();
  let last = 'the start';
  for (const [i, o] of ops.entries()) {
    // every open fd's readiness after the previous call: each state change shows at once
    const seen = yield* pollAll(sys, m, last);
    if (seen) return seen;
    const at = (last = `op ${i} ${JSON.stringify(o)}`);
    if (o.op === 'socket') {
      if (m.open.size >= 8) continue;
      const fd = yield* sys.socket(AF_UNIX, (o.kind === 'stream' ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK);
      const e = m.give(fd, new MSock(o.kind));
      if (e) return `${at}: socket ${e}`;
      continue;
    }
    if (o.op === 'poll') {
      const entries = o.entries.map((e) => ({ fd: m.fd(e.fd) ?? -1, events: e.events }));
      const want = entries.map((e) => {
        if (e.fd < 0) return 0;
        const s = m.open.get(e.fd);
        return s ? m.mask(s) & (e.events | POLLERR | POLLHUP) : POLLNVAL;
      });
      const got = yield* sys.poll(entries, 0);
      const count = want.filter((r) => r !== 0).length;
      if (got.ret !== count || want.some((r, j) => got.revents[j] !== r)) {
        return `${at} on fds ${JSON.stringify(entries)}: poll returned ${got.ret} revents ${JSON.stringify(got.revents.map(hex))}, model ${count} ${JSON.stringify(want.map(hex))}`;
      }
      continue;
    }
    // accept, recv and send mostly pick a socket where they can do something (else nothing much would be accepted or read)
    const useful = USEFUL[o.op];
    const prefer = useful && (o.op === 'connect' ? o.fd % 4 === 1 : o.fd % 4 !== 0);
    const fd = prefer ? m.pick(o.fd, useful) ?? m.fd(o.fd) : m.fd(o.fd);
    if (fd === undefined) continue;
    const s = m.open.get(fd);
    const result = (got: number, want: number) => (got === want ? null : `${at} on fd ${fd}: returned ${got}, model ${want}`);
    switch (o.op) {
      case 'bind': {
        const got = yield* sys.bind(fd, addrBytes(o.addr, NAMES[o.name]));
        // unix_bind: the bare family autobinds (0 when already bound); else unix_validate_addr, then the name
        let want: number;
        if (!s) want = -EBADF;
        else if (o.addr === 'bare') want = 0;
        else if (o.addr !== 'name') want = -EINVAL;
        else want = s.name !== null ? -EINVAL : m.bound(NAMES[o.name], s.kind) ? -EADDRINUSE : 0;
        if (got !== want) return result(got, want);
        if (want === 0 && !s!.name) {
          s!.name = o.addr === 'bare' ? '(autobind)' : NAMES[o.name];
          s!.bound = true;
        }
        break;
      }
      case 'listen': {
        const got = yield* sys.listen(fd, o.backlog);
        const want = !s ? -EBADF : s.kind === 'dgram' ? -EOPNOTSUPP : !s.name || s.state === 'connected' ? -EINVAL : 0;
        if (got !== want) return result(got, want);
        if (want === 0) {
          s!.state = 'listening';
          s!.backlog = o.backlog >>> 0 > SOMAXCONN ? SOMAXCONN : o.backlog;
        }
        break;
      }
      case 'connect': {
        for (let k = 0; k < o.times; k++) {
          // fd itself, or (fresh, and the rest of a burst) a new socket of the type the name was first bound with
          let c = fd, cs = s;
          if (k > 0 || o.fresh) {
            if (m.open.size >= 16) break;
            const kind = o.name === 0 ? 'stream' : 'dgram';
            c = yield* sys.socket(AF_UNIX, (kind === 'stream' ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK);
            const e = m.give(c, (cs = new MSock(kind)));
            if (e) return `${at}: socket ${e}`;
          }
          const got = yield* sys.connect(c, addrBytes(o.addr, NAMES[o.name]));
          const want = o.addr === 'name' ? connect(m, cs, NAMES[o.name]) : badConnect(m, cs, o.addr);
          if (got !== want) return `${at} (${k + 1} of ${o.times}) on fd ${c}: returned ${got}, model ${want}`;
        }
        break;
      }
      case 'accept': {
        const got = (yield* sys.accept(fd, SOCK_NONBLOCK)).ret;
        let want: number;
        if (!s) want = -EBADF;
        else if (s.kind === 'dgram') want = -EOPNOTSUPP;
        else if (s.state !== 'listening') want = -EINVAL;
        else if (!s.pending.length) want = -EAGAIN;
        else {
          if (got < 0) return `${at} on fd ${fd}: accept returned ${got}, model a new fd (${s.pending.length} pending)`;
          const e = s.pending.shift()!;
          e.embryo = false;
          const problem = m.give(got, e);
          if (problem) return `${at}: accept ${problem}`;
          break;
        }
        if (got !== want) return result(got, want);
        break;
      }
      case 'send':
      case 'sendto': {
        for (let k = 0; k < o.times; k++) {
          const data = payload(o.n);
          const oob = o.op === 'sendto' && o.oob && s?.kind === 'dgram';
          const flags = MSG_NOSIGNAL | (oob ? MSG_OOB : 0);
          const addr = o.op === 'sendto' ? o.addr : 'name';
          const got = o.op === 'send' ? yield* sys.send(fd, data, flags) : yield* sys.sendto(fd, data, flags, addrBytes(addr, NAMES[o.name]));
          let want: number;
          // no out-of-band data on datagrams; sendto's move_addr_to_kernel, then unix_dgram_sendmsg's unix_validate_addr
          if (!s) want = -EBADF;
          else if (addr === 'huge') want = -EINVAL;
          else if (oob) want = -EOPNOTSUPP;
          else if (addr !== 'name' && s.kind === 'dgram') want = -EINVAL;
          else want = send(m, s, data, o.op === 'sendto' ? NAMES[o.name] : null);
          if (got !== want) return `${at} (${k + 1} of ${o.times}) on fd ${fd}: returned ${got}, model ${want}`;
        }
        break;
      }
      case 'recv': {
        // MSG_TRUNC only on datagrams (the full length), MSG_OOB only on datagrams (EOPNOTSUPP)
        const flags = s?.kind === 'stream' ? o.flags & MSG_PEEK : o.flags;
        const got = s?.kind === 'dgram' ? yield* sys.recvfrom(fd, o.n, flags) : { ...(yield* sys.recv(fd, o.n, flags)), addr: null };
        const want = flags & MSG_OOB && s ? -EOPNOTSUPP : recv(m, s, o.n, flags);
        if (typeof want === 'number') {
          if (got.ret !== want) return result(got.ret, want);
          break;
        }
        if (got.ret !== want.ret) return `${at} on fd ${fd}: recv returned ${got.ret}, model ${want.ret}`;
        if (Buffer.compare(got.data, want.data) !== 0) return `${at} on fd ${fd}: recv returned other bytes than the model's ${want.data.length}`;
        const sender = got.addr?.abstract ?? null;
        if (want.from && !want.from.dead && (want.from.name === '(autobind)' ? sender === null || !AUTOBIND.test(sender) : sender !== want.from.name)) {
          return `${at} on fd ${fd}: recvfrom named the sender ${JSON.stringify(got.addr)}, model ${want.from.name}`;
        }
        break;
      }
      case 'shutdown': {
        const got = yield* sys.shutdown(fd, o.how);
        const want = !s ? -EBADF : o.how > 2 ? -EINVAL : 0;
        if (got !== want) return result(got, want);
        if (want === 0) {
          const mode = o.how + 1;
          s!.shut |= mode;
          // mirrored onto a stream peer: our SHUT_RD is its SHUT_WR and the other way round
          if (s!.kind === 'stream' && s!.peer) s!.peer.shut |= ((mode & 1) << 1) | ((mode & 2) >> 1);
        }
        break;
      }
      case 'close': {
        const got = yield* sys.close(fd);
        const want = s ? 0 : -EBADF;
        if (got !== want) return result(got, want);
        if (s) {
          m.open.delete(fd);
          m.release(s);
        }
        break;
      }
      case 'setbuf': {
        const got = yield* sys.setsockopt(fd, SOL_SOCKET, o.opt, o.value);
        const want = s ? 0 : -EBADF;
        if (got !== want) return result(got, want);
        // sock_setsockopt: clamped to wmem_max / rmem_max (compared as u32), doubled, at least the minimum
        if (s && o.opt === SO_SNDBUF) s.sndbuf = Math.max(Math.min(o.value >>> 0, WMEM_MAX) * 2, SOCK_MIN_SNDBUF);
        if (s && o.opt === SO_RCVBUF) s.rcvbuf = Math.max(Math.min(o.value >>> 0, RMEM_MAX) * 2, SOCK_MIN_RCVBUF);
        break;
      }
      case 'autobind': {
        // SO_PASSCRED on an unbound socket: connect, or a datagram send, binds it to an autobind name first
        // (unix_stream_connect, unix_dgram_connect, unix_dgram_sendmsg); SO_PASSCRED is cleared again after.
        if (!s) break;
        const on = yield* sys.setsockopt(fd, SOL_SOCKET, SO_PASSCRED, 1);
        if (on !== 0) return `${at}: setsockopt(SO_PASSCRED) returned ${on}`;
        const dgramSend = o.send && s.kind === 'dgram';
        const data = payload(1);
        const got = dgramSend ? yield* sys.sendto(fd, data, MSG_NOSIGNAL, { abstract: NAMES[o.name] }) : yield* sys.connect(fd, { abstract: NAMES[o.name] });
        const autobinds = !s.name && (!dgramSend || !(s.err || s.shut & 2));
        if (autobinds) {
          s.name = '(autobind)';
          s.bound = true;
        }
        const want = dgramSend ? send(m, s, data, NAMES[o.name]) : connect(m, s, NAMES[o.name]);
        const off = yield* sys.setsockopt(fd, SOL_SOCKET, SO_PASSCRED, 0);
        if (got !== want || off !== 0) return `${at} on fd ${fd}: returned ${got} (then ${off}), model ${want}`;
        break;
      }
      case 'getsockname': {
        const got = yield* sys.getsockname(fd);
        if (!s) {
          if (got.ret !== -EBADF) return result(got.ret, -EBADF);
          break;
        }
        const name = got.addr?.abstract ?? null;
        const ok = got.ret === 0 && (s.name === '(autobind)' ? name !== null && AUTOBIND.test(name) : name === s.name);
        if (!ok) return `${at} on fd ${fd}: getsockname returned ${got.ret} ${JSON.stringify(got.addr)}, model ${s.name}`;
        break;
      }
      case 'acceptWait': {
        // a blocking accept, with SO_RCVTIMEO 1 ms: a pending connection, EINVAL after SHUT_RD, or EAGAIN at the timeout
        if (!s) break;
        const tv = new Uint8Array(16);
        tv[8] = 1000 & 0xff;
        tv[9] = 1000 >> 8;
        const r1 = yield* sys.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv);
        const r2 = yield* sys.fcntl(fd, F_SETFL, 0);
        const got = (yield* sys.accept(fd, SOCK_NONBLOCK)).ret;
        const r3 = yield* sys.fcntl(fd, F_SETFL, SOCK_NONBLOCK);
        const r4 = yield* sys.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Uint8Array(16));
        if (r1 || r2 || r3 || r4) return `${at}: setting SO_RCVTIMEO or O_NONBLOCK returned ${[r1, r2, r3, r4]}`;
        let want: number;
        if (s.kind === 'dgram') want = -EOPNOTSUPP;
        else if (s.state !== 'listening') want = -EINVAL;
        else if (s.pending.length) {
          if (got < 0) return `${at} on fd ${fd}: accept returned ${got}, model a new fd`;
          const e = s.pending.shift()!;
          e.embryo = false;
          const problem = m.give(got, e);
          if (problem) return `${at}: accept ${problem}`;
          break;
        } else want = s.shut & 1 ? -EINVAL : -EAGAIN;
        if (got !== want) return result(got, want);
        break;
      }
      case 'fionread': {
        const got = yield* sys.ioctlInt(fd, FIONREAD);
        const n = new DataView(got.data.buffer, got.data.byteOffset).getInt32(0, true);
        const want = !s ? -EBADF : s.state === 'listening' ? -EINVAL : 0;
        // unix_inq_len: a stream's unread bytes, a datagram socket's first datagram's length
        const wantN = !s ? 0 : s.kind === 'stream' ? s.bytes : s.q.length ? s.q[0].data.length : 0;
        if (got.ret !== want || (want === 0 && n !== wantN)) return `${at} on fd ${fd}: FIONREAD returned ${got.ret} and ${n}, model ${want} and ${wantN}`;
        break;
      }
      case 'sockopt': {
        const got = yield* sys.getsockopt(fd, SOL_SOCKET, o.opt);
        const want = s ? 0 : -EBADF;
        const wantV = !s ? 0 : o.opt === SO_ERROR ? s.err : o.opt === SO_SNDBUF ? s.sndbuf : o.opt === SO_RCVBUF ? s.rcvbuf : s.state === 'listening' ? 1 : 0;
        if (got.ret !== want || (want === 0 && got.value !== wantV)) return `${at} on fd ${fd}: getsockopt returned ${got.ret} and ${got.value}, model ${want} and ${wantV}`;
        if (s && o.opt === SO_ERROR) s.err = 0;
        break;
      }
    }
  }
  return yield* pollAll(sys, m, last);
}

const USEFUL: Partial<Record<Op['op'], (s: MSock) => boolean>> = {
  accept: (s) => s.state === 'listening',
  recv: (s) => s.q.length > 0 || s.err !== 0 || (s.state === 'connected' && s.kind === 'stream'),
  send: (s) => s.peer !== null,
  acceptWait: (s) => s.state === 'listening',
  // listen on a socket with a name: the listener, or a connected socket (EINVAL)
  listen: (s) => s.name !== null && s.kind === 'stream',
  shutdown: (s) => s.state === 'listening',
  // a connect of an existing socket now and then reconnects a connected datagram socket (unix_dgram_disconnected)
  connect: (s) => s.kind === 'dgram' && s.peer !== null,
};

/** poll(2) of every open fd for POLLIN, POLLOUT and POLLRDHUP (POLLERR and POLLHUP always), against the model's masks. */
function* pollAll(sys: Sys, m: Model, after: string): SysGen<string | null> {
  const fds = m.seen.filter((fd) => m.open.has(fd));
  if (!fds.length) return null;
  const events = POLLIN | POLLOUT | POLLRDHUP;
  const got = yield* sys.poll(fds.map((fd) => ({ fd, events })), 0);
  const want = fds.map((fd) => m.mask(m.open.get(fd)!) & (events | POLLERR | POLLHUP));
  const bad = fds.findIndex((_, j) => got.revents[j] !== want[j]);
  return bad < 0 ? null : `after ${after}: fd ${fds[bad]} polls ${hex(got.revents[bad])}, model ${hex(want[bad])}`;
}

const hex = (x: number) => `0x${x.toString(16)}`;

/** unix_stream_connect / unix_dgram_connect, non-blocking. */
function connect(m: Model, s: MSock | undefined, name: string): number {
  if (!s) return -EBADF;
  const other = m.bound(name, s.kind);
  if (!other) return -ECONNREFUSED;
  if (s.kind === 'dgram') {
    if (other.peer !== null && other.peer !== s) return -EPERM;
    const old = s.peer;
    s.peer = other;
    s.state = 'connected';
    if (old && old !== other) m.disconnected(s, old);
    return 0;
  }
  if (other.state !== 'listening' || other.shut & 1) return -ECONNREFUSED;
  if (other.pending.length > other.backlog) return -EAGAIN;
  if (s.state === 'connected') return -EISCONN;
  if (s.state !== 'unconnected') return -EINVAL;
  const e = new MSock('stream');
  e.state = 'connected';
  e.peer = s;
  e.name = other.name;
  e.embryo = true;
  s.peer = e;
  s.state = 'connected';
  other.pending.push(e);
  return 0;
}

/** unix_stream_sendmsg / unix_dgram_sendmsg, non-blocking, MSG_NOSIGNAL. */
function send(m: Model, s: MSock | undefined, data: Uint8Array, to: string | null): number {
  if (!s) return -EBADF;
  if (s.kind === 'stream') {
    if (to !== null) return s.state === 'connected' ? -EISCONN : -EOPNOTSUPP;
    const other = s.peer;
    if (!other) return -ENOTCONN;
    if (s.shut & 2) return -EPIPE;
    if (data.length === 0) return 0;
    if (s.err) return -takeErr(s);
    if (!s.hasRoom) return -EAGAIN;
    if (other.dead || other.shut & 1) return -EPIPE;
    other.q.push({ data, read: 0, from: s });
    s.charged++;
    return data.length;
  }
  // unix_dgram_sendmsg allocates first (sock_alloc_send_pskb: the pending error, SHUT_WR, room), then finds the receiver
  if (s.err) return -takeErr(s);
  if (s.shut & 2) return -EPIPE;
  if (!s.hasRoom) return -EAGAIN;
  if (to === null && !s.peer) return -ENOTCONN;
  if (to !== null) {
    const r = m.bound(to, 'dgram');
    if (!r) return -ECONNREFUSED;
    return dgramDeliver(m, s, r, data);
  }
  const r = s.peer!;
  if (r.dead) {
    // the connected peer closed: ECONNREFUSED once, and s is unconnected
    s.peer = null;
    s.state = 'unconnected';
    m.disconnected(s, r);
    return -ECONNREFUSED;
  }
  return dgramDeliver(m, s, r, data);
}

function takeErr(s: MSock): number {
  const e = s.err;
  s.err = 0;
  return e;
}

/** unix_stream_read_generic / unix_dgram_recvmsg, non-blocking: -errno, or the bytes read and (datagrams) their sender. */
function recv(m: Model, s: MSock | undefined, n: number, flags: number): number | { ret: number; data: Uint8Array; from: MSock | null } {
  if (!s) return -EBADF;
  const peek = (flags & MSG_PEEK) !== 0;
  if (s.kind === 'dgram') {
    // one datagram, what does not fit discarded; MSG_TRUNC returns its full length; MSG_PEEK leaves it queued
    if (s.err) return -takeErr(s);
    const head = s.q[0];
    if (!head) return -EAGAIN;
    if (!peek) m.free(s.q.shift()!);
    const data = head.data.subarray(0, n);
    return { ret: flags & MSG_TRUNC ? head.data.length : data.length, data, from: head.from };
  }
  if (s.state !== 'connected') return -EINVAL;
  if (!s.q.length) {
    if (s.err) return -takeErr(s);
    return s.shut & 1 ? { ret: 0, data: new Uint8Array(0), from: null } : -EAGAIN;
  }
  // no boundaries: as much as fits, across messages (MSG_PEEK too, without consuming)
  const parts: Uint8Array[] = [];
  let left = n;
  for (let i = 0; left > 0 && i < s.q.length; ) {
    const h = s.q[i];
    const take = Math.min(left, h.data.length - h.read);
    parts.push(h.data.subarray(h.read, h.read + take));
    left -= take;
    if (peek) {
      i++;
      continue;
    }
    h.read += take;
    if (h.read === h.data.length) m.free(s.q.shift()!);
  }
  const data = concat(parts);
  return { ret: data.length, data, from: null };
}

/** connect with a malformed address (unix_stream_connect, unix_dgram_connect). */
function badConnect(m: Model, s: MSock | undefined, a: Addr): number {
  if (!s) return -EBADF;
  if (a === 'huge') return -EINVAL; // move_addr_to_kernel
  if (s.kind === 'stream' || a !== 'unspec') return -EINVAL; // unix_validate_addr
  // AF_UNSPEC: a datagram socket drops its peer (unix_dgram_disconnected when it had one)
  const old = s.peer;
  s.peer = null;
  s.state = 'unconnected';
  if (old) m.disconnected(s, old);
  return 0;
}

/** The property: one random program, run once (no scheduling choices). */
export function unixModelProperty(bugs: readonly PlantedBug[] = []) {
  return fc.property(unixProgramArb, (ops) => {
    let problem: string | null = 'the program did not finish';
    const sc = defineScenario({
      name: 'unix-model',
      processes: [{ name: 'model', *program(sys) { problem = yield* check(sys, ops); return 0; } }],
    });
    const r = runScenario(sc, { seed: 1, bugs: [...bugs], checkInvariants: true });
    if (r.failures.length) throw new Error(r.failures.join('\n'));
    if (problem) throw new Error(problem);
  });
}
