import { describe, expect, it } from 'vitest';
import {
  EAGAIN, ECONNREFUSED, ECONNRESET, EINVAL, EISCONN, ENOTCONN, EOPNOTSUPP, EPIPE, EPROTOTYPE,
} from '../../src/kernel/errno.ts';
import {
  AF_UNIX, MSG_DONTWAIT, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, SHUT_RD, SO_ACCEPTCONN, SO_ERROR,
  SO_PEERCRED, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_SEQPACKET, SOCK_STREAM, SOL_SOCKET,
} from '../../src/unix/constants.ts';
import type { Socket } from '../../src/unix/socket.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';
import { dec, logs, one, run, trace } from './helpers.ts';

/** A listener on /tmp/l with the given backlog. */
function* listener(sys: Sys, backlog: number, type = SOCK_STREAM): SysGen<number> {
  const s = yield* sys.socket(AF_UNIX, type);
  yield* sys.bind(s, '/tmp/l');
  yield* sys.listen(s, backlog);
  return s;
}

/** The poll mask of fd, read from the kernel's file (there is no ppoll wrapper yet). */
function pollOf(sys: Sys, fd: number): number {
  const f = sys.ctx.task.fds.get(fd)!;
  return (f.ops as Socket).poll();
}

describe('listen, connect and accept', () => {
  it('backlog+1 connections may be pending', () => {
    const l = one(function* (sys) {
      const s = yield* listener(sys, 0);
      const c1 = yield* sys.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
      const c2 = yield* sys.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
      sys.log('c1', yield* sys.connect(c1, '/tmp/l'));
      sys.log('c2', yield* sys.connect(c2, '/tmp/l'));
      sys.log('write', yield* sys.write(c2, 'x'));
      yield* sys.listen(s, 1);
      sys.log('c2again', yield* sys.connect(c2, '/tmp/l'));
      for (const fd of [s, c1, c2]) yield* sys.close(fd);
    });
    expect(l).toMatchObject({ c1: 0, c2: -EAGAIN, write: -ENOTCONN, c2again: 0 });
  });

  it('connect blocks while the backlog is full and completes when accept frees a slot', () => {
    const r = run({
      processes: [
        {
          name: 'server',
          *program(sys) {
            const s = yield* listener(sys, 0);
            const c1 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
            yield* sys.connect(c1, '/tmp/l');
            const child = yield* sys.fork(function* (sys) {
              const c2 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
              const r = yield* sys.connect(c2, '/tmp/l');
              sys.log('c2', r);
              yield* sys.close(c2);
              return 0;
            });
            yield* sys.nanosleep(1_000_000);
            sys.log('accepting', true);
            const a = yield* sys.accept(s);
            const b = yield* sys.accept(s);
            yield* sys.wait(child);
            for (const fd of [s, c1, a.ret, b.ret]) yield* sys.close(fd);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    const keys = r.kernel.notes.map((n) => n.key);
    expect(keys.indexOf('accepting')).toBeLessThan(keys.indexOf('c2'));
    expect(logs(r).c2).toBe(0);
    expect(r.events.some((e) => e.kind === 'block' && /^socket:\[\d+\] peer_wait$/.test(e.on))).toBe(true);
    expect(trace(r)).toMatch(/connect\(5, \{sa_family=AF_UNIX, sun_path="\/tmp\/l"\}, 9 <unfinished \.\.\.>/);
    expect(trace(r)).toMatch(/--- woken by \[pid 1\] accept\(3, \.\.\.\) via socket:\[\d+\] peer_wait ---/);
  });

  it('a blocked connect is refused when the listener closes', () => {
    const r = run({
      processes: [
        {
          name: 'server',
          *program(sys) {
            const s = yield* listener(sys, 0);
            const c1 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
            yield* sys.connect(c1, '/tmp/l');
            const child = yield* sys.fork(function* (sys) {
              yield* sys.close(s);
              const c2 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
              sys.log('c2', yield* sys.connect(c2, '/tmp/l'));
              yield* sys.close(c2);
              return 0;
            });
            yield* sys.nanosleep(1_000_000);
            yield* sys.close(s);
            // the pending client was reset (item 47)
            sys.log('poll', pollOf(sys, c1));
            sys.log('read1', (yield* sys.read(c1, 10)).ret);
            sys.log('read2', (yield* sys.read(c1, 10)).ret);
            sys.log('write', yield* sys.send(c1, 'x', 0x4000 /* MSG_NOSIGNAL */));
            yield* sys.wait(child);
            yield* sys.close(c1);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    const l = logs(r);
    expect(l).toMatchObject({ c2: -ECONNREFUSED, read1: -ECONNRESET, read2: 0, write: -EPIPE });
    const want = POLLERR | POLLHUP | POLLIN | POLLRDHUP | POLLOUT;
    expect((l.poll as number) & want).toBe(want);
  });

  it('a client may write before it is accepted; the accepted socket reads it', () => {
    const l = one(function* (sys) {
      const s = yield* listener(sys, 1);
      const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.bind(c, { abstract: 'client' });
      sys.log('connect', yield* sys.connect(c, '/tmp/l'));
      sys.log('write', yield* sys.write(c, 'early'));
      sys.log('pollListener', pollOf(sys, s) & (POLLIN | POLLOUT));
      const a = yield* sys.accept(s);
      sys.log('peerAddr', a.addr);
      sys.log('data', dec((yield* sys.read(a.ret, 10)).data));
      sys.log('acceptedName', (yield* sys.getsockname(a.ret)).addr);
      sys.log('clientPeer', (yield* sys.getpeername(c)).addr);
      sys.log('listenerPeer', (yield* sys.getpeername(s)).ret);
      for (const fd of [s, c, a.ret]) yield* sys.close(fd);
    });
    expect(l).toMatchObject({ connect: 0, write: 5, pollListener: POLLIN, data: 'early', listenerPeer: -ENOTCONN });
    expect(l.peerAddr).toEqual({ len: 9, family: 1, abstract: 'client' });
    expect(l.acceptedName).toEqual({ len: 9, family: 1, path: '/tmp/l' });
    expect(l.clientPeer).toEqual({ len: 9, family: 1, path: '/tmp/l' });
  });

  it('connect and accept errors follow the socket state', () => {
    const l = one(function* (sys) {
      const u = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('listenUnbound', yield* sys.listen(u, 1));
      sys.log('acceptUnbound', (yield* sys.accept(u)).ret);
      const d = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
      sys.log('listenDgram', yield* sys.listen(d, 1));
      yield* sys.bind(u, '/tmp/b');
      sys.log('refusedNotListening', yield* sys.connect(d, '/tmp/b'));
      const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('refused', yield* sys.connect(c, '/tmp/b'));
      sys.log('acceptNotListening', (yield* sys.accept(u)).ret);
      const s = yield* listener(sys, 4);
      sys.log('self', yield* sys.connect(s, '/tmp/l'));
      sys.log('c', yield* sys.connect(c, '/tmp/l'));
      sys.log('isconn', yield* sys.connect(c, '/tmp/l'));
      sys.log('listenConnected', yield* sys.listen(c, 1));
      sys.log('unspec', yield* sys.connect(u, { raw: Uint8Array.of(0, 0, 0x41, 0) }));
      sys.log('short', yield* sys.connect(u, { autobind: true }));
      sys.log('badflags', (yield* sys.accept(s, 0x1)).ret);
      const a = yield* sys.accept(s, SOCK_NONBLOCK | SOCK_CLOEXEC);
      sys.log('fdflags', yield* sys.fcntl(a.ret, 1));
      yield* sys.shutdown(s, SHUT_RD);
      sys.log('afterShutRd', (yield* sys.accept(s)).ret);
      const c2 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('connectShutRd', yield* sys.connect(c2, '/tmp/l'));
      sys.log('acceptconn', (yield* sys.getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN)).value);
      for (const fd of [u, d, c, s, a.ret, c2]) yield* sys.close(fd);
    });
    expect(l).toMatchObject({
      listenUnbound: -EINVAL, acceptUnbound: -EINVAL, listenDgram: -EOPNOTSUPP, refusedNotListening: -EPROTOTYPE,
      refused: -ECONNREFUSED, acceptNotListening: -EINVAL, self: -EINVAL, c: 0, isconn: -EISCONN, listenConnected: -EINVAL,
      unspec: -EINVAL, short: -EINVAL, badflags: -EINVAL, fdflags: 1, afterShutRd: -EINVAL, connectShutRd: -ECONNREFUSED,
      acceptconn: 1,
    });
  });

  it('nonblocking accept on an empty queue is EAGAIN, also after SHUT_RD', () => {
    const l = one(function* (sys) {
      const s = yield* sys.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
      yield* sys.bind(s, '/tmp/n');
      yield* sys.listen(s, 1);
      sys.log('empty', (yield* sys.accept(s)).ret);
      yield* sys.shutdown(s, SHUT_RD);
      sys.log('shut', (yield* sys.accept(s)).ret);
      yield* sys.close(s);
    });
    expect(l).toMatchObject({ empty: -EAGAIN, shut: -EAGAIN });
  });

  it('a blocked accept wakes with EINVAL when the listener is shut down for reading', () => {
    const r = run({
      processes: [
        {
          name: 'server',
          *program(sys) {
            const s = yield* listener(sys, 1);
            const child = yield* sys.fork(function* (sys) {
              sys.log('accept', (yield* sys.accept(s)).ret);
              yield* sys.close(s);
              return 0;
            });
            yield* sys.nanosleep(1_000_000);
            yield* sys.shutdown(s, SHUT_RD);
            yield* sys.wait(child);
            yield* sys.close(s);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r).accept).toBe(-EINVAL);
  });

  it('SO_PEERCRED: the client sees the listener creds, the accepted socket the client creds', () => {
    const r = run({
      processes: [
        {
          name: 'server',
          *program(sys) {
            const s = yield* listener(sys, 1);
            const child = yield* sys.fork(function* (sys) {
              yield* sys.close(s);
              const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
              const un = yield* sys.getsockopt(c, SOL_SOCKET, SO_PEERCRED, 12);
              sys.log('unconnected', Array.from(new Int32Array(un.data.slice().buffer)));
              yield* sys.connect(c, '/tmp/l');
              const pc = yield* sys.getsockopt(c, SOL_SOCKET, SO_PEERCRED, 12);
              sys.log('clientSees', pc.value);
              sys.log('me', sys.pid);
              yield* sys.close(c);
              return 0;
            });
            const a = yield* sys.accept(s);
            const pc = yield* sys.getsockopt(a.ret, SOL_SOCKET, SO_PEERCRED, 12);
            sys.log('serverSees', pc.value);
            sys.log('len', pc.data.length);
            sys.log('server', sys.pid);
            yield* sys.wait(child);
            yield* sys.close(a.ret);
            yield* sys.close(s);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    const l = logs(r);
    expect(l.clientSees).toBe(l.server);
    expect(l.serverSees).toBe(l.me);
    expect(l.len).toBe(12);
    expect(l.unconnected).toEqual([0, -1, -1]);
  });

  it('seqpacket connections keep message boundaries', () => {
    const l = one(function* (sys) {
      const s = yield* listener(sys, 1, SOCK_SEQPACKET);
      const c = yield* sys.socket(AF_UNIX, SOCK_SEQPACKET);
      yield* sys.connect(c, '/tmp/l');
      const a = yield* sys.accept(s);
      yield* sys.send(c, 'first');
      yield* sys.send(c, 'second');
      yield* sys.send(c, '');
      sys.log('r1', dec((yield* sys.recv(a.ret, 100)).data));
      sys.log('trunc', (yield* sys.recv(a.ret, 3, 0x20 /* MSG_TRUNC */)).ret);
      sys.log('zero', (yield* sys.recv(a.ret, 100)).ret);
      sys.log('empty', (yield* sys.recv(a.ret, 100, MSG_DONTWAIT)).ret);
      sys.log('sendUnconnected', yield* sys.send(s, 'x'));
      yield* sys.close(c);
      sys.log('eof', (yield* sys.recv(a.ret, 100)).ret);
      sys.log('epipe', yield* sys.send(a.ret, 'x'));
      for (const fd of [s, a.ret]) yield* sys.close(fd);
    });
    expect(l).toMatchObject({ r1: 'first', trunc: 6, zero: 0, empty: -EAGAIN, sendUnconnected: -ENOTCONN, eof: 0, epipe: -EPIPE });
  });

  it('SO_ERROR reports a reset once and clears it', () => {
    const l = one(function* (sys) {
      const s = yield* listener(sys, 1);
      const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.connect(c, '/tmp/l');
      yield* sys.close(s);
      sys.log('e1', (yield* sys.getsockopt(c, SOL_SOCKET, SO_ERROR)).value);
      sys.log('e2', (yield* sys.getsockopt(c, SOL_SOCKET, SO_ERROR)).value);
      yield* sys.close(c);
    });
    expect(l).toMatchObject({ e1: ECONNRESET, e2: 0 });
  });
});
