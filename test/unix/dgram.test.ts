// SOCK_DGRAM behaviour (AF_UNIX-SEMANTICS section C, items 75-95, and the
// datagram parts of 1, 12, 28, 29, 39, 100-103, 133), after Linux's
// unix_dgram_* in net/unix/af_unix.c.
import { describe, expect, it } from 'vitest';
import {
  EAGAIN, ECONNREFUSED, ECONNRESET, EINVAL, EMSGSIZE, ENOENT, ENOTCONN, EOPNOTSUPP, EPERM, EPIPE, EPROTOTYPE,
} from '../../src/kernel/errno.ts';
import { runScenario } from '../../src/script/runner.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';
import {
  AF_UNIX, FIONREAD, MSG_DONTWAIT, MSG_OOB, MSG_PEEK, MSG_TRUNC, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM,
  POLLWRBAND, POLLWRNORM, SHUT_RD, SHUT_RDWR, SHUT_WR, SO_ERROR, SO_PASSCRED, SO_PEERCRED, SO_RCVTIMEO, SO_SNDBUF, SO_SNDTIMEO,
  SO_TYPE, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_RAW, SOCK_STREAM, SOL_SOCKET, MSG_CTRUNC,
} from '../../src/unix/constants.ts';
import { checkDgram, DGRAM_PLANTED_BUGS } from '../../src/unix/dgram.ts';
import type { Socket } from '../../src/unix/socket.ts';
import fullQueue from '../../scenarios/race-dgram-full-queue.ts';
import { dec, logs, one, run, trace } from './helpers.ts';

const OUT = POLLOUT | POLLWRNORM | POLLWRBAND;

function sockOf(sys: Sys, fd: number): Socket {
  return sys.ctx.task.fds.get(fd)!.ops as Socket;
}

function pollOf(sys: Sys, fd: number): number {
  return sockOf(sys, fd).poll();
}

function* fionread(sys: Sys, fd: number): SysGen<number> {
  const r = yield* sys.ioctlInt(fd, FIONREAD);
  return r.ret < 0 ? r.ret : new DataView(r.data.buffer, r.data.byteOffset).getInt32(0, true);
}

/** struct timeval of ms milliseconds, for SO_RCVTIMEO/SO_SNDTIMEO */
function timeval(ms: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(Math.floor(ms / 1000)), true);
  v.setBigInt64(8, BigInt((ms % 1000) * 1000), true);
  return b;
}

function* dgramAt(sys: Sys, path: string): SysGen<number> {
  const s = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
  yield* sys.bind(s, path);
  return s;
}

describe('datagram data path', () => {
  it('keeps boundaries; a short buffer truncates and discards the rest; MSG_TRUNC returns the full length (75, 76)', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
      sys.log('s1', yield* sys.send(a, 'a'.repeat(20)));
      sys.log('s2', yield* sys.send(a, 'b'.repeat(20)));
      sys.log('fionread', yield* fionread(sys, b)); // item 133: the first datagram only
      sys.log('r1', (yield* sys.recv(b, 40)).ret);
      sys.log('r2', dec((yield* sys.recv(b, 40)).data));
      yield* sys.send(a, 'hello world');
      const short = yield* sys.recv(b, 5);
      sys.log('short', [short.ret, dec(short.data)]);
      yield* sys.send(a, 'next');
      sys.log('afterShort', dec((yield* sys.recv(b, 40)).data));
      yield* sys.send(a, 'hello world');
      const t = yield* sys.recv(b, 5, MSG_TRUNC);
      sys.log('trunc', [t.ret, dec(t.data)]);
      yield* sys.send(a, 'hello world');
      const m = yield* sys.recvmsg(b, { n: 4 });
      sys.log('msgTrunc', [m.ret, (m.flags & MSG_TRUNC) !== 0]);
      yield* sys.send(a, 'fits');
      const f = yield* sys.recvmsg(b, { n: 40 });
      sys.log('msgFits', [f.ret, f.flags]);
      sys.log('empty', (yield* sys.recv(b, 10, MSG_DONTWAIT)).ret);
      sys.log('fionreadEmpty', yield* fionread(sys, b));
    });
    expect(l).toMatchObject({
      s1: 20, s2: 20, fionread: 20, r1: 20, r2: 'b'.repeat(20), short: [5, 'hello'], afterShort: 'next', trunc: [11, 'hello'],
      msgTrunc: [4, true], msgFits: [4, 0], empty: -EAGAIN, fionreadEmpty: 0,
    });
  });

  it('MSG_PEEK returns the same datagram, never two; PEEK|TRUNC with no buffer gives the size (77, 78)', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
      yield* sys.send(a, 'first');
      yield* sys.send(a, 'second');
      sys.log('p1', dec((yield* sys.recv(b, 40, MSG_PEEK)).data));
      sys.log('p2', dec((yield* sys.recv(b, 40, MSG_PEEK)).data));
      sys.log('size', (yield* sys.recv(b, 0, MSG_PEEK | MSG_TRUNC)).ret);
      sys.log('r1', dec((yield* sys.recv(b, 40)).data));
      sys.log('r2', dec((yield* sys.recv(b, 40)).data));
      sys.log('peekEmpty', (yield* sys.recv(b, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT)).ret);
    });
    expect(l).toMatchObject({ p1: 'first', p2: 'first', size: 5, r1: 'first', r2: 'second', peekEmpty: -EAGAIN });
  });

  it('zero-length datagrams are sent and consumed; a 0-byte recv of a datagram truncates and consumes it (79)', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
      sys.log('sendZero', yield* sys.send(a, ''));
      sys.log('writeZero', yield* sys.write(a, ''));
      sys.log('fionread', yield* fionread(sys, b));
      sys.log('recvZero', (yield* sys.recv(b, 10)).ret);
      sys.log('readZero', (yield* sys.read(b, 10)).ret);
      sys.log('drained', (yield* sys.recv(b, 10, MSG_DONTWAIT)).ret);
      yield* sys.send(a, 'data');
      const peek = yield* sys.recvmsg(b, { n: 0, flags: MSG_PEEK });
      sys.log('peekZeroBuf', [peek.ret, (peek.flags & MSG_TRUNC) !== 0]);
      const m = yield* sys.recvmsg(b, { n: 0 });
      sys.log('zeroBuf', [m.ret, (m.flags & MSG_TRUNC) !== 0]);
      sys.log('consumed', (yield* sys.recv(b, 10, MSG_DONTWAIT)).ret);
      // read(fd, buf, 0) returns 0 before the protocol sees it: nothing is consumed
      yield* sys.send(a, 'kept');
      sys.log('read0', (yield* sys.read(b, 0)).ret);
      sys.log('kept', dec((yield* sys.read(b, 10)).data));
    });
    expect(l).toMatchObject({
      sendZero: 0, writeZero: 0, fionread: 0, recvZero: 0, readZero: 0, drained: -EAGAIN, peekZeroBuf: [0, true],
      zeroBuf: [0, true], consumed: -EAGAIN, read0: 0, kept: 'kept',
    });
  });

  it('a datagram longer than sndbuf-32 is EMSGSIZE; SO_SNDBUF limits what is queued (80)', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
      sys.log('over', yield* sys.send(a, new Uint8Array(212961)));
      sys.log('max', yield* sys.send(a, new Uint8Array(212960)));
      sys.log('got', (yield* sys.recv(b, 300000)).ret);
      yield* sys.setsockopt(a, SOL_SOCKET, SO_SNDBUF, 1); // SOCK_MIN_SNDBUF 4608
      sys.log('smallOver', yield* sys.send(a, new Uint8Array(4577)));
      sys.log('d1', yield* sys.send(a, new Uint8Array(4000), MSG_DONTWAIT));
      // d1 is charged its skb truesize, 8448 (a 4096+320-byte head rounds up to kmalloc-8k): the buffer is full
      sys.log('d2', yield* sys.send(a, new Uint8Array(4000), MSG_DONTWAIT));
      yield* sys.recv(b, 4000);
      sys.log('d3', yield* sys.send(a, new Uint8Array(10), MSG_DONTWAIT)); // wmem 0 < 4608; charged 768
      sys.log('d4', yield* sys.send(a, new Uint8Array(4000), MSG_DONTWAIT)); // wmem 768 < 4608: may overshoot
      sys.log('d5', yield* sys.send(a, new Uint8Array(10), MSG_DONTWAIT));
    });
    // as Linux 6.18 does (checked natively)
    expect(l).toMatchObject({
      over: -EMSGSIZE, max: 212960, got: 212960, smallOver: -EMSGSIZE, d1: 4000, d2: -EAGAIN, d3: 10, d4: 4000, d5: -EAGAIN,
    });
  });

  it('read() and write() work as recv and send; MSG_OOB is EOPNOTSUPP; listen and accept are EOPNOTSUPP (29, 39, 74)', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
      sys.log('write', yield* sys.write(a, 'one'));
      yield* sys.write(a, 'two');
      sys.log('read', dec((yield* sys.read(b, 10)).data));
      sys.log('readv', dec((yield* sys.readv(b, [1, 1, 10])).data));
      sys.log('oobSend', yield* sys.send(a, 'x', MSG_OOB));
      sys.log('oobRecv', (yield* sys.recv(b, 1, MSG_OOB)).ret);
      const d = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
      sys.log('listenUnbound', yield* sys.listen(d, 1));
      yield* sys.bind(d, '/tmp/d');
      sys.log('listen', yield* sys.listen(d, 1));
      sys.log('accept', (yield* sys.accept(d)).ret);
      const raw = yield* sys.socket(AF_UNIX, SOCK_RAW);
      sys.log('rawType', (yield* sys.getsockopt(raw, SOL_SOCKET, SO_TYPE)).value);
    });
    expect(l).toMatchObject({
      write: 3, read: 'one', readv: 'two', oobSend: -EOPNOTSUPP, oobRecv: -EOPNOTSUPP, listenUnbound: -EOPNOTSUPP,
      listen: -EOPNOTSUPP, accept: -EOPNOTSUPP, rawType: SOCK_DGRAM,
    });
  });
});

describe('datagram addressing', () => {
  it('send without an address on an unconnected socket is ENOTCONN; sendto errors come from the name lookup (81, 90, 12)', () => {
    const l = one(function* (sys) {
      const u = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
      sys.log('noAddr', yield* sys.send(u, 'x'));
      sys.log('write', yield* sys.write(u, 'x'));
      sys.log('missing', yield* sys.sendto(u, 'x', 0, '/tmp/nope'));
      sys.log('shortAddr', yield* sys.sendto(u, 'x', 0, { autobind: true }));
      sys.log('abstractNobody', yield* sys.sendto(u, 'x', 0, { abstract: 'nobody' }));
      const st = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.bind(st, '/tmp/stream');
      sys.log('streamPath', yield* sys.sendto(u, 'x', 0, '/tmp/stream'));
      const sa = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.bind(sa, { abstract: 'shared' });
      const da = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
      sys.log('sameAbstract', yield* sys.bind(da, { abstract: 'shared' }));
      sys.log('toAbstract', yield* sys.sendto(u, 'y', 0, { abstract: 'shared' }));
      sys.log('gotAbstract', dec((yield* sys.recv(da, 10)).data));
      const d = yield* dgramAt(sys, '/tmp/d');
      sys.log('live', yield* sys.sendto(u, 'x', 0, '/tmp/d'));
      yield* sys.close(d);
      sys.log('closedPath', yield* sys.sendto(u, 'x', 0, '/tmp/d'));
    });
    expect(l).toMatchObject({
      noAddr: -ENOTCONN, write: -ENOTCONN, missing: -ENOENT, shortAddr: -EINVAL, abstractNobody: -ECONNREFUSED,
      streamPath: -EPROTOTYPE, sameAbstract: 0, toAbstract: 1, gotAbstract: 'y', live: 1, closedPath: -ECONNREFUSED,
    });
  });

  it('recvfrom reports the sender: addrlen 0 when unbound, its exact name when bound, autobound with SO_PASSCRED (82, 83, 28)', () => {
    const l = one(function* (sys) {
      const r = yield* dgramAt(sys, '/tmp/r');
      const unbound = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
      yield* sys.sendto(unbound, 'u', 0, '/tmp/r');
      sys.log('fromUnbound', (yield* sys.recvfrom(r, 10)).addr);
      const named = yield* dgramAt(sys, '/tmp/named');
      yield* sys.sendto(named, 'n', 0, '/tmp/r');
      sys.log('fromNamed', (yield* sys.recvfrom(r, 10)).addr);
      const abs = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
      yield* sys.bind(abs, { abstract: 'ab\0c' });
      yield* sys.sendto(abs, 'a', 0, '/tmp/r');
      sys.log('fromAbstract', (yield* sys.recvfrom(r, 10)).addr);
      const pc = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
      yield* sys.setsockopt(pc, SOL_SOCKET, SO_PASSCRED, 1);
      sys.log('notYet', (yield* sys.getsockname(pc)).addr!.len); // not bound by setsockopt
      yield* sys.sendto(pc, 'p', 0, '/tmp/r');
      const from = (yield* sys.recvfrom(r, 10)).addr!;
      sys.log('fromPasscred', [from.len, from.abstract?.length]);
      sys.log('ownName', (yield* sys.getsockname(pc)).addr);
      // the sender's name at receive time: a datagram from a socket that closed still names it
      yield* sys.sendto(named, 'late', 0, '/tmp/r');
      yield* sys.close(named);
      sys.log('fromClosed', (yield* sys.recvfrom(r, 10)).addr);
    });
    expect(l.fromUnbound).toEqual({ len: 0, family: 0 });
    expect(l.fromNamed).toEqual({ len: 13, family: AF_UNIX, path: '/tmp/named' });
    expect(l.fromAbstract).toEqual({ len: 7, family: AF_UNIX, abstract: 'ab\0c' });
    expect(l.notYet).toBe(2);
    expect(l.fromPasscred).toEqual([8, 5]);
    expect((l.ownName as { len: number }).len).toBe(8);
    expect(l.fromClosed).toEqual({ len: 13, family: AF_UNIX, path: '/tmp/named' });
  });

  it('connect sets the default peer; reconnecting, connecting to itself and AF_UNSPEC are allowed (84, 85)', () => {
    const l = one(function* (sys) {
      const a = yield* dgramAt(sys, '/tmp/a');
      const b = yield* dgramAt(sys, '/tmp/b');
      sys.log('noPeer', (yield* sys.getpeername(a)).ret);
      sys.log('connect', yield* sys.connect(a, '/tmp/b'));
      sys.log('again', yield* sys.connect(a, '/tmp/b'));
      sys.log('peer', (yield* sys.getpeername(a)).addr);
      sys.log('send', yield* sys.send(a, 'to b'));
      sys.log('got', dec((yield* sys.recv(b, 10)).data));
      // sendto another address while connected is allowed; the address wins
      const c = yield* dgramAt(sys, '/tmp/c');
      sys.log('sendtoOther', yield* sys.sendto(a, 'to c', 0, '/tmp/c'));
      sys.log('gotC', dec((yield* sys.recv(c, 10)).data));
      sys.log('unspec', yield* sys.connect(a, { raw: Uint8Array.of(0, 0) }));
      sys.log('afterUnspec', (yield* sys.getpeername(a)).ret);
      sys.log('sendAfter', yield* sys.send(a, 'x'));
      sys.log('unspecAgain', yield* sys.connect(a, { raw: Uint8Array.of(0, 0, 1, 2) }));
      sys.log('tooShort', yield* sys.connect(a, { raw: Uint8Array.of(0) }));
      sys.log('badFamily', yield* sys.connect(a, { raw: Uint8Array.of(2, 0, 0x41, 0) }));
      sys.log('self', yield* sys.connect(a, '/tmp/a'));
      sys.log('selfSend', yield* sys.send(a, 'me'));
      sys.log('selfGot', dec((yield* sys.recv(a, 10)).data));
    });
    expect(l).toMatchObject({
      noPeer: -ENOTCONN, connect: 0, again: 0, send: 4, got: 'to b', sendtoOther: 4, gotC: 'to c', unspec: 0,
      afterUnspec: -ENOTCONN, sendAfter: -ENOTCONN, unspecAgain: 0, tooShort: -EINVAL, badFamily: -EINVAL, self: 0,
      selfSend: 2, selfGot: 'me',
    });
    expect(l.peer).toEqual({ len: 9, family: AF_UNIX, path: '/tmp/b' });
  });

  it('reconnecting purges the own queue; an old peer connected back gets ECONNRESET only if something was lost (86)', () => {
    const l = one(function* (sys) {
      const a = yield* dgramAt(sys, '/tmp/a');
      const b = yield* dgramAt(sys, '/tmp/b');
      const c = yield* dgramAt(sys, '/tmp/c');
      yield* sys.connect(a, '/tmp/b');
      yield* sys.connect(b, '/tmp/a');
      yield* sys.send(b, 'lost');
      yield* sys.connect(a, '/tmp/c');
      sys.log('purged', (yield* sys.recv(a, 10, MSG_DONTWAIT)).ret);
      sys.log('bPoll', pollOf(sys, b));
      sys.log('bErr', (yield* sys.getsockopt(b, SOL_SOCKET, SO_ERROR)).value);
      sys.log('bErrOnce', (yield* sys.getsockopt(b, SOL_SOCKET, SO_ERROR)).value);
      // a pending error is what the next send or receive reports
      yield* sys.connect(a, '/tmp/b');
      yield* sys.send(b, 'lost again');
      yield* sys.connect(a, { raw: Uint8Array.of(0, 0) });
      sys.log('bSend', yield* sys.send(b, 'x'));
      sys.log('bSendAfter', yield* sys.send(b, 'x'));
      // queue empty when switching: nothing is reported
      yield* sys.recv(a, 10, MSG_DONTWAIT);
      yield* sys.connect(a, '/tmp/b');
      yield* sys.connect(a, '/tmp/c');
      sys.log('quietErr', (yield* sys.getsockopt(b, SOL_SOCKET, SO_ERROR)).value);
      // c was not connected back to a: its state is untouched
      yield* sys.send(c, 'x');
    });
    expect(l).toMatchObject({ purged: -EAGAIN, bErr: ECONNRESET, bErrOnce: 0, bSend: -ECONNRESET, bSendAfter: 1, quietErr: 0 });
    expect((l.bPoll as number) & 0x8).toBe(0x8); // POLLERR
  });

  it('sending or connecting to a socket connected to a third is EPERM (87)', () => {
    const l = one(function* (sys) {
      const a = yield* dgramAt(sys, '/tmp/a');
      const b = yield* dgramAt(sys, '/tmp/b');
      const c = yield* dgramAt(sys, '/tmp/c');
      yield* sys.connect(b, '/tmp/c');
      sys.log('sendto', yield* sys.sendto(a, 'x', 0, '/tmp/b'));
      sys.log('connect', yield* sys.connect(a, '/tmp/b'));
      sys.log('fromC', yield* sys.sendto(c, 'x', 0, '/tmp/b'));
      yield* sys.connect(a, '/tmp/c');
      yield* sys.connect(c, '/tmp/b'); // c connects elsewhere: a may no longer send to c
      sys.log('stale', yield* sys.send(a, 'x'));
    });
    expect(l).toMatchObject({ sendto: -EPERM, connect: -EPERM, fromC: 1, stale: -EPERM });
  });
});

describe('datagram peers closing and shutting down', () => {
  it('a closed connected peer: ECONNREFUSED once (no SIGPIPE) and unconnected, then ENOTCONN; reads EAGAIN (88, 103)', () => {
    const r = run({
      processes: [
        {
          name: 'p',
          *program(sys) {
            const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK)).fds;
            yield* sys.send(b, 'queued for a');
            yield* sys.send(a, 'never read');
            yield* sys.close(b);
            sys.log('peerStill', (yield* sys.getpeername(a)).ret);
            sys.log('send1', yield* sys.send(a, 'x'));
            sys.log('send2', yield* sys.send(a, 'x'));
            sys.log('write', yield* sys.write(a, 'x'));
            // unix_dgram_disconnected: the refused send also purged a's own queue
            sys.log('read', (yield* sys.read(a, 10)).ret);
            sys.log('peerAfter', (yield* sys.getpeername(a)).ret);
            sys.log('survived', true);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r)).toMatchObject({ peerStill: 0, send1: -ECONNREFUSED, send2: -ENOTCONN, write: -ENOTCONN, read: -EAGAIN, peerAfter: -ENOTCONN, survived: true });
  });

  it('a reader whose peer closed keeps waiting: no EOF; a later datagram from elsewhere wakes it (89)', () => {
    const r = run({
      processes: [
        {
          name: 'p',
          *program(sys) {
            const a = yield* dgramAt(sys, '/tmp/a');
            const b = yield* dgramAt(sys, '/tmp/b');
            yield* sys.connect(a, '/tmp/b');
            yield* sys.connect(b, '/tmp/a');
            yield* sys.close(b);
            sys.log('nonblock', (yield* sys.recv(a, 10, MSG_DONTWAIT)).ret);
            yield* sys.setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, timeval(5));
            sys.log('timedOut', (yield* sys.recv(a, 10)).ret);
            yield* sys.setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, timeval(0));
            yield* sys.connect(a, { raw: Uint8Array.of(0, 0) });
            const child = yield* sys.fork(function* (sys) {
              const m = yield* sys.recv(a, 10);
              sys.log('woken', dec(m.data));
              return 0;
            });
            yield* sys.nanosleep(1_000_000);
            const c = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
            yield* sys.sendto(c, 'late', 0, '/tmp/a');
            sys.log('child', (yield* sys.wait(child)).status);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r)).toMatchObject({ nonblock: -EAGAIN, timedOut: -EAGAIN, woken: 'late', child: 0 });
  });

  it('SHUT_WR: own sends EPIPE without SIGPIPE, the receiver is unaffected; POLLOUT stays (91, 94)', () => {
    const r = run({
      processes: [
        {
          name: 'p',
          *program(sys) {
            const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
            yield* sys.send(a, 'before');
            sys.log('shut', yield* sys.shutdown(a, SHUT_WR));
            sys.log('send', yield* sys.send(a, 'x'));
            sys.log('write', yield* sys.write(a, 'x'));
            sys.log('poll', pollOf(sys, a));
            sys.log('bGot', dec((yield* sys.recv(b, 10)).data));
            sys.log('bSend', yield* sys.send(b, 'back'));
            sys.log('aGot', dec((yield* sys.recv(a, 10)).data));
            sys.log('bPoll', pollOf(sys, b));
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r)).toMatchObject({ shut: 0, send: -EPIPE, write: -EPIPE, poll: OUT, bGot: 'before', bSend: 4, aGot: 'back', bPoll: OUT });
  });

  it('SHUT_RD: senders get EPIPE; its own empty recv is EAGAIN nonblocking and 0 blocking (92)', () => {
    const l = one(function* (sys) {
      const r = yield* dgramAt(sys, '/tmp/r');
      const s = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
      yield* sys.sendto(s, 'queued', 0, '/tmp/r');
      yield* sys.shutdown(r, SHUT_RD);
      sys.log('send', yield* sys.sendto(s, 'x', 0, '/tmp/r'));
      sys.log('queued', dec((yield* sys.recv(r, 10)).data));
      sys.log('nonblock', (yield* sys.recv(r, 10, MSG_DONTWAIT)).ret);
      sys.log('block', (yield* sys.recv(r, 10)).ret);
      sys.log('poll', pollOf(sys, r));
    });
    expect(l).toMatchObject({ send: -EPIPE, queued: 'queued', nonblock: -EAGAIN, block: 0, poll: POLLIN | POLLRDNORM | POLLRDHUP | OUT });
  });

  it('after its own SHUT_RDWR a socket polls IN|OUT|RDHUP|HUP; the bound peer sees nothing new (95)', () => {
    const l = one(function* (sys) {
      const a = yield* dgramAt(sys, '/tmp/a');
      const b = yield* dgramAt(sys, '/tmp/b');
      yield* sys.connect(a, '/tmp/b');
      sys.log('fresh', pollOf(sys, a));
      yield* sys.shutdown(a, SHUT_RDWR);
      sys.log('a', pollOf(sys, a));
      sys.log('b', pollOf(sys, b));
      const pr = yield* sys.poll([{ fd: a, events: POLLIN | POLLOUT | POLLRDHUP }], 0);
      sys.log('revents', pr.revents[0]);
    });
    expect(l).toMatchObject({
      fresh: OUT,
      a: POLLIN | POLLRDNORM | POLLRDHUP | POLLHUP | OUT,
      b: OUT,
      revents: POLLIN | POLLOUT | POLLRDHUP | POLLHUP,
    });
  });
});

describe('max_dgram_qlen and POLLOUT', () => {
  it('11 datagrams queue to an unconnected receiver, the 12th is EAGAIN; mutual pairs and self-sends are not limited (93)', () => {
    const l = one(function* (sys) {
      const r = yield* dgramAt(sys, '/tmp/r');
      const s = yield* dgramAt(sys, '/tmp/s');
      const res: number[] = [];
      for (let i = 0; i < 12; i++) res.push(yield* sys.sendto(s, `m${i}`, MSG_DONTWAIT, '/tmp/r'));
      sys.log('oneWay', res);
      // r connected back to s: the limit no longer applies
      yield* sys.connect(r, '/tmp/s');
      sys.log('connectedBack', yield* sys.sendto(s, 'more', MSG_DONTWAIT, '/tmp/r'));
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
      let pair = 0;
      for (let i = 0; i < 50; i++) if ((yield* sys.send(a, 'x', MSG_DONTWAIT)) === 1) pair++;
      sys.log('pair', pair);
      let self = 0;
      for (let i = 0; i < 20; i++) if ((yield* sys.sendto(s, 'x', MSG_DONTWAIT, '/tmp/s')) === 1) self++;
      sys.log('self', self);
      void b;
    });
    expect(l.oneWay).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, -EAGAIN]);
    expect(l).toMatchObject({ connectedBack: 4, pair: 50, self: 20 });
  });

  it('a blocked 12th sender wakes when the receiver reads; SO_SNDTIMEO expiry is EAGAIN (93, unix_wait_for_peer)', () => {
    const r = run({
      processes: [
        {
          name: 'p',
          *program(sys) {
            const rcv = yield* dgramAt(sys, '/tmp/r');
            const s = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
            for (let i = 0; i < 11; i++) yield* sys.sendto(s, 'x', 0, '/tmp/r');
            const child = yield* sys.fork(function* (sys) {
              const t0 = yield* sys.now();
              sys.log('blocked send', yield* sys.sendto(s, 'twelfth', 0, '/tmp/r'));
              sys.log('waited', (yield* sys.now()) - t0 >= 1_000_000);
              return 0;
            });
            yield* sys.nanosleep(1_000_000);
            sys.log('read', (yield* sys.recv(rcv, 10)).ret);
            sys.log('child', (yield* sys.wait(child)).status);
            yield* sys.setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, timeval(2));
            sys.log('timed out', yield* sys.sendto(s, 'x', 0, '/tmp/r'));
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r)).toMatchObject({ 'blocked send': 7, waited: true, read: 1, child: 0, 'timed out': -EAGAIN });
  });

  it("a sender blocked on a full queue gets ECONNREFUSED when the receiver closes", () => {
    const r = run({
      processes: [
        {
          name: 'p',
          *program(sys) {
            const rcv = yield* dgramAt(sys, '/tmp/r');
            const s = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
            yield* sys.connect(s, '/tmp/r');
            for (let i = 0; i < 11; i++) yield* sys.send(s, 'x');
            const child = yield* sys.fork(function* (sys) {
              yield* sys.close(rcv); // the parent's close must be the last reference
              sys.log('blocked send', yield* sys.send(s, 'x'));
              return 0;
            });
            yield* sys.nanosleep(1_000_000);
            yield* sys.close(rcv);
            sys.log('child', (yield* sys.wait(child)).status);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r)).toMatchObject({ 'blocked send': -ECONNREFUSED, child: 0 });
  });

  it('POLLOUT of a one-way connected socket clears while the peer queue is full; a poller wakes on the read (94)', () => {
    const r = run({
      processes: [
        {
          name: 'p',
          *program(sys) {
            const rcv = yield* dgramAt(sys, '/tmp/r');
            const s = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
            yield* sys.connect(s, '/tmp/r');
            for (let i = 0; i < 11; i++) yield* sys.send(s, 'x');
            sys.log('full', pollOf(sys, s) & POLLOUT);
            sys.log('eagain', yield* sys.send(s, 'x', MSG_DONTWAIT));
            const child = yield* sys.fork(function* (sys) {
              const p = yield* sys.poll([{ fd: s, events: POLLOUT }]);
              sys.log('poller', [p.ret, p.revents[0]]);
              return 0;
            });
            yield* sys.nanosleep(1_000_000);
            yield* sys.recv(rcv, 10);
            sys.log('child', (yield* sys.wait(child)).status);
            sys.log('again', pollOf(sys, s) & POLLOUT);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r)).toMatchObject({ full: 0, eagain: -EAGAIN, poller: [1, POLLOUT], child: 0, again: POLLOUT });
  });
});

describe('datagram socketpairs and ancillary data', () => {
  it('socketpair(DGRAM): unnamed ends, SO_PEERCRED of the creator, SOCK_RAW pairs are DGRAM (100-102)', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
      sys.log('name', (yield* sys.getsockname(a)).addr!.len);
      sys.log('peer', (yield* sys.getpeername(b)).addr!.len);
      const pc = (yield* sys.getsockopt(b, SOL_SOCKET, SO_PEERCRED, 12)).data;
      const v = new DataView(pc.buffer, pc.byteOffset);
      sys.log('peercred', [v.getInt32(0, true), v.getUint32(4, true), v.getUint32(8, true)]);
      sys.log('pid', yield* sys.getpid());
      const [c] = (yield* sys.socketpair(AF_UNIX, SOCK_RAW)).fds;
      sys.log('rawType', (yield* sys.getsockopt(c, SOL_SOCKET, SO_TYPE)).value);
      sys.log('bindLater', yield* sys.bind(a, '/tmp/pa'));
      yield* sys.send(a, 'named');
      sys.log('from', (yield* sys.recvfrom(b, 10)).addr);
    });
    expect(l).toMatchObject({ name: 2, peer: 2, rawType: SOCK_DGRAM, bindLater: 0 });
    expect(l.peercred).toEqual([l.pid, 0, 0]);
    expect(l.from).toEqual({ len: 10, family: AF_UNIX, path: '/tmp/pa' });
  });

  it('sendmsg/recvmsg: SCM_RIGHTS on a datagram (also a 0-byte one), credentials with SO_PASSCRED, msg_name (116, 121, 123)', () => {
    const l = one(function* (sys) {
      const r = yield* dgramAt(sys, '/tmp/r');
      const s = yield* dgramAt(sys, '/tmp/s');
      const p = yield* sys.pipe();
      sys.log('send', yield* sys.sendmsg(s, { data: 'with fd', fds: [p.fds[0]], name: '/tmp/r' }));
      sys.log('zero', yield* sys.sendmsg(s, { data: '', fds: [p.fds[1]], name: '/tmp/r' }));
      const m1 = yield* sys.recvmsg(r, { n: 3 });
      sys.log('m1', [m1.ret, dec(m1.data), m1.fds.length, (m1.flags & MSG_TRUNC) !== 0]);
      const m2 = yield* sys.recvmsg(r);
      sys.log('m2', [m2.ret, m2.fds.length]);
      // the received fds are the pipe: write into one, read from the other
      yield* sys.write(m2.fds[0], 'pipe');
      sys.log('pipe', dec((yield* sys.read(m1.fds[0], 10)).data));
      yield* sys.setsockopt(r, SOL_SOCKET, SO_PASSCRED, 1);
      yield* sys.sendto(s, 'c', 0, '/tmp/r');
      const m3 = yield* sys.recvmsg(r);
      sys.log('creds', m3.creds);
      sys.log('pid', yield* sys.getpid());
      // a datagram read by recv() closes its fds; one dropped with a closing receiver too
      yield* sys.sendmsg(s, { data: 'x', fds: [p.fds[0]], name: '/tmp/r' });
      sys.log('plainRecv', (yield* sys.recv(r, 10)).ret);
      yield* sys.sendmsg(s, { data: 'y', fds: [p.fds[0]], name: '/tmp/r' });
      const m4 = yield* sys.recvmsg(r, { controlLen: 0 });
      sys.log('noControl', [m4.ret, (m4.flags & MSG_CTRUNC) !== 0]);
      yield* sys.sendmsg(s, { data: 'z', fds: [p.fds[0]], name: '/tmp/r' });
      yield* sys.close(r);
    });
    expect(l).toMatchObject({ send: 7, zero: 0, m1: [3, 'wit', 1, true], m2: [0, 1], pipe: 'pipe', plainRecv: 1, noControl: [1, true] });
    expect(l.creds).toMatchObject({ pid: l.pid });
  });
});

describe('datagram invariants and the planted bug', () => {
  it('checkDgram reports broken accounting', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
      yield* sys.send(a, 'abc');
      const sa = sockOf(sys, a);
      const sb = sockOf(sys, b);
      sys.log('clean', checkDgram(sa.net));
      sa.sendBuf.inTransit = -1;
      sys.log('transit', checkDgram(sa.net));
      sa.sendBuf.inTransit = 0;
      sb.recvQueue.msgs[0].consumed = 1;
      sys.log('consumed', checkDgram(sa.net));
      sb.recvQueue.msgs[0].consumed = 0;
      yield* sys.recv(b, 10);
    });
    expect(l.clean).toBeNull();
    expect(String(l.transit)).toMatch(/in transit/);
    expect(String(l.consumed)).toMatch(/consumed/);
  });

  it('dgram-qlen-no-wake deadlocks race-dgram-full-queue under some seed; the correct kernel passes the same seeds', () => {
    // The correct kernel's long sweep of this scenario (600 random and 150 pct seeds, invariants on) is in
    // scenarios/scenarios.test.ts; here it must pass every seed up to the one that deadlocked with the bug.
    expect(Object.keys(DGRAM_PLANTED_BUGS)).toEqual(['dgram-qlen-no-wake']);
    const strategyOf = (seed: number) => (seed % 2 ? 'random' : 'pct') as 'random' | 'pct';
    let found = 0, why = '';
    for (let seed = 1; seed <= 200 && !found; seed++) {
      const r = runScenario(fullQueue, { seed, strategy: strategyOf(seed), bugs: ['dgram-qlen-no-wake'], checkInvariants: true });
      if (r.end.kind === 'deadlock') [found, why] = [seed, r.failures.join('; ')];
    }
    expect(found, 'no seed deadlocked with the bug').toBeGreaterThan(0);
    expect(why).toMatch(/peer_wait/);
    const bad: string[] = [];
    for (let seed = 1; seed <= found; seed++) {
      const r = runScenario(fullQueue, { seed, strategy: strategyOf(seed), checkInvariants: true });
      if (r.failures.length) bad.push(`seed ${seed} ${strategyOf(seed)}: ${r.failures.join('; ')}`);
    }
    expect(bad).toEqual([]);
  });
});
