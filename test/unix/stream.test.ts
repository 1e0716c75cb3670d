import { describe, expect, it } from 'vitest';
import { EAGAIN, ECONNRESET, EINVAL, EISCONN, ENOPROTOOPT, ENOTCONN, EOPNOTSUPP, EPIPE, EDOM } from '../../src/kernel/errno.ts';
import { SIGKILL, SIGPIPE } from '../../src/kernel/abi.ts';
import {
  AF_UNIX, FIONREAD, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_PEEK, MSG_WAITALL, POLLHUP, POLLIN, POLLOUT, POLLRDHUP,
  SHUT_RD, SHUT_RDWR, SHUT_WR, SO_DOMAIN, SO_PASSCRED, SO_PROTOCOL, SO_RCVBUF, SO_RCVTIMEO, SO_SNDBUF, SO_TYPE,
  SOCK_NONBLOCK, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM, SOL_SOCKET,
} from '../../src/unix/constants.ts';
import type { Socket } from '../../src/unix/socket.ts';
import type { Sys } from '../../src/script/sys.ts';
import { dec, logs, one, run, trace } from './helpers.ts';

function pollOf(sys: Sys, fd: number): number {
  return (sys.ctx.task.fds.get(fd)!.ops as Socket).poll();
}

describe('stream data, shutdown and close', () => {
  it('a stream has no boundaries and MSG_PEEK spans sends without consuming', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
      yield* sys.write(a, 'abc');
      yield* sys.write(a, 'def');
      sys.log('peek', dec((yield* sys.recv(b, 10, MSG_PEEK)).data));
      sys.log('fionread', new DataView((yield* sys.ioctlInt(b, FIONREAD)).data.buffer).getInt32(0, true));
      sys.log('part', dec((yield* sys.read(b, 2)).data));
      sys.log('rest', dec((yield* sys.read(b, 10)).data));
      sys.log('zero', (yield* sys.write(a, '')));
      sys.log('readZero', (yield* sys.read(b, 0)).ret);
      sys.log('recvZeroEmpty', (yield* sys.recv(b, 0, MSG_DONTWAIT)).ret);
      yield* sys.close(a);
      yield* sys.close(b);
    });
    expect(l).toMatchObject({ peek: 'abcdef', fionread: 6, part: 'ab', rest: 'cdef', zero: 0, readZero: 0, recvZeroEmpty: -EAGAIN });
  });

  it('short messages come back byte for byte across many slabs (more than 4 KiB of them, some queued across a slab change)', () => {
    // src/unix/skbdata.ts carves messages of up to 16 bytes out of shared 4 KiB slabs: 900 of them need at least two
    // slabs, and ten at a time stay queued while the next ones are carved.
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
      const sent: number[] = [];
      const got: number[] = [];
      for (let i = 0; i < 900; i++) {
        const m = Uint8Array.from({ length: 1 + (i % 16) }, (_, j) => (i * 31 + j * 7) & 0xff);
        sent.push(...m);
        yield* sys.write(a, m);
        if (i % 10 === 9) got.push(...(yield* sys.read(b, 200)).data);
      }
      sys.log('same', sent.length === got.length && sent.every((x, i) => x === got[i]));
      sys.log('bytes', got.length);
    });
    expect(l).toEqual({ same: true, bytes: 56 * 136 + 10 }); // 56 runs of 1..16 bytes, then 1..4
  });

  it('reads on the direct path (one hart) and through the generators (--kernel-preempt) agree: zero-length recv with data queued, reads across and into messages', () => {
    // A zero-length recv with data queued returns 0 and consumes nothing (unix_stream_read_generic reads no byte
    // of the first skb); with nothing queued it would sleep. The direct path hands such a read to the general one.
    const program = function* (sys: Sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
      yield* sys.write(a, 'abc');
      yield* sys.write(a, 'de');
      sys.log('recvZero', (yield* sys.recv(b, 0)).ret);
      sys.log('across', dec((yield* sys.read(b, 4)).data));
      sys.log('rest', dec((yield* sys.read(b, 10)).data));
      sys.log('empty', (yield* sys.recv(b, 10, MSG_DONTWAIT)).ret);
      yield* sys.close(a);
      sys.log('eof', (yield* sys.read(b, 10)).ret);
      yield* sys.close(b);
    };
    const want = { recvZero: 0, across: 'abcd', rest: 'e', empty: -EAGAIN, eof: 0 };
    expect(one(program)).toMatchObject(want);
    expect(one(program, { kernelPreemption: true })).toMatchObject(want);
  });

  it('a reader ended asleep on an empty queue is off its wait queue: woken by SIGKILL, or abandoned asleep (de_thread); without and with the generators', () => {
    // The direct path sleeps in a StreamDataWait object. A kill wakes it (finish_wait on the way out);
    // execve's de_thread abandons it asleep, which must finish_wait as a generator's finally does,
    // or the dead task's waker stays on the readers' queue.
    const readers = (sys: Sys, fd: number) => (sys.ctx.task.fds.get(fd)!.ops as Socket).recvQueue.readers.length;
    const program = (abandon: boolean) => function* (sys: Sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
      const child = yield* sys.fork(function* reader(sys) {
        yield* sys.read(b, 1);
        return 0;
      });
      const k = sys.ctx.task.kernel;
      const task = k.tasks.get(child)!;
      for (let i = 0; i < 1000 && task.state !== 'blocked'; i++) yield* sys.getpid();
      sys.log('asleep', readers(sys, b));
      if (abandon) k.killThreadNow(task);
      else yield* sys.kill(child, SIGKILL);
      sys.log('status', (yield* sys.wait(child)).status);
      sys.log('after', readers(sys, b));
      sys.log('write', yield* sys.write(a, 'x'));
      sys.log('read', dec((yield* sys.read(b, 1)).data));
      return 0;
    };
    const want = { asleep: 1, status: SIGKILL, after: 0, write: 1, read: 'x' };
    for (const abandon of [false, true]) {
      for (const kernelPreemption of [false, true]) {
        const r = run({ requireCleanExit: false, processes: [{ name: 'p', program: program(abandon) }], opts: { kernelPreemption } });
        expect(logs(r), trace(r)).toMatchObject(want);
      }
    }
  });

  it('peer close with its queue empty gives EOF forever; writes get EPIPE and SIGPIPE unless MSG_NOSIGNAL', () => {
    const r = run({
      requireCleanExit: false,
      processes: [
        {
          name: 'p',
          *program(sys) {
            const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
            yield* sys.write(a, 'last');
            yield* sys.close(a);
            sys.log('data', dec((yield* sys.read(b, 10)).data));
            sys.log('eof1', (yield* sys.read(b, 10)).ret);
            sys.log('eof2', (yield* sys.recv(b, 10, MSG_WAITALL)).ret);
            sys.log('poll', pollOf(sys, b));
            sys.log('nosig', yield* sys.send(b, 'x', MSG_NOSIGNAL));
            sys.log('peer', (yield* sys.getpeername(b)).ret);
            yield* sys.write(b, 'x'); // SIGPIPE kills
            sys.log('survived', true);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    const l = logs(r);
    expect(l).toMatchObject({ data: 'last', eof1: 0, eof2: 0, nosig: -EPIPE, peer: 0 });
    expect((l.poll as number) & (POLLHUP | POLLIN | POLLRDHUP)).toBe(POLLHUP | POLLIN | POLLRDHUP);
    expect(l.survived).toBeUndefined();
    expect(r.kernel.exits[0].status).toBe(SIGPIPE);
  });

  it('peer close with unread data: queued data, then ECONNRESET once, then 0 (seqpacket: ECONNRESET first)', () => {
    const l = one(function* (sys) {
      for (const type of [SOCK_STREAM, SOCK_SEQPACKET]) {
        const [a, b] = (yield* sys.socketpair(AF_UNIX, type)).fds;
        yield* sys.write(b, 'unread by a');
        yield* sys.write(a, 'for b');
        yield* sys.close(a);
        const rs: (number | string)[] = [];
        for (let i = 0; i < 3; i++) {
          const r = yield* sys.read(b, 100);
          rs.push(r.ret > 0 ? dec(r.data) : r.ret);
        }
        sys.log(`t${type}`, rs);
        yield* sys.close(b);
      }
    });
    expect(l[`t${SOCK_STREAM}`]).toEqual(['for b', -ECONNRESET, 0]);
    expect(l[`t${SOCK_SEQPACKET}`]).toEqual([-ECONNRESET, 'for b', 0]);
  });

  it('shutdown: SHUT_WR gives the peer EOF after the data; SHUT_RD makes the peer\'s writes EPIPE', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK)).fds;
      sys.log('bad', yield* sys.shutdown(a, 3));
      yield* sys.write(a, 'bye');
      sys.log('wr', yield* sys.shutdown(a, SHUT_WR));
      sys.log('aWrite', yield* sys.send(a, 'x', MSG_NOSIGNAL));
      sys.log('bRead', dec((yield* sys.read(b, 10)).data));
      sys.log('bEof', (yield* sys.read(b, 10)).ret);
      sys.log('bWrite', yield* sys.write(b, 'ok'));
      sys.log('aRead', dec((yield* sys.read(a, 10)).data));
      yield* sys.shutdown(b, SHUT_RD);
      sys.log('aWrite2', yield* sys.send(a, 'x', MSG_NOSIGNAL));
      sys.log('pollA', pollOf(sys, a) & (POLLHUP | POLLOUT));
      const u = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('unconnected', yield* sys.shutdown(u, SHUT_RDWR));
      for (const fd of [a, b, u]) yield* sys.close(fd);
    });
    expect(l).toMatchObject({ bad: -EINVAL, wr: 0, aWrite: -EPIPE, bRead: 'bye', bEof: 0, bWrite: 2, aRead: 'ok', aWrite2: -EPIPE, unconnected: 0 });
  });

  it('a blocked reader is woken by the peer\'s shutdown', () => {
    const r = run({
      processes: [
        {
          name: 'p',
          *program(sys) {
            const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
            const child = yield* sys.fork(function* (sys) {
              sys.log('read', (yield* sys.read(b, 10)).ret);
              return 0;
            });
            yield* sys.nanosleep(1_000_000);
            yield* sys.shutdown(a, SHUT_WR);
            yield* sys.wait(child);
            yield* sys.close(a);
            yield* sys.close(b);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r).read).toBe(0);
  });

  it('not connected: stream send is ENOTCONN, recv EINVAL; sendto with an address is EISCONN or EOPNOTSUPP', () => {
    const l = one(function* (sys) {
      const u = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('send', yield* sys.send(u, 'x'));
      sys.log('recv', (yield* sys.recv(u, 1)).ret);
      sys.log('sendtoU', yield* sys.sendto(u, 'x', 0, '/tmp/x'));
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
      sys.log('sendtoC', yield* sys.sendto(a, 'x', 0, '/tmp/x'));
      const q = yield* sys.socket(AF_UNIX, SOCK_SEQPACKET);
      sys.log('seqSend', yield* sys.send(q, 'x'));
      sys.log('seqRecv', (yield* sys.recv(q, 1)).ret);
      sys.log('oob', yield* sys.send(a, '', 1)); // MSG_OOB with nothing to send
      sys.log('oob1', yield* sys.send(a, 'x', 1)); // one OOB byte (CONFIG_AF_UNIX_OOB)
      for (const fd of [u, a, b, q]) yield* sys.close(fd);
    });
    expect(l).toMatchObject({ send: -ENOTCONN, recv: -EINVAL, sendtoU: -EOPNOTSUPP, sendtoC: -EISCONN, seqSend: -ENOTCONN, seqRecv: -ENOTCONN, oob: -EOPNOTSUPP, oob1: 1 });
  });

  it('flow control is charged to the sender: a nonblocking write fills the buffer, then EAGAIN; reading frees it', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK)).fds;
      yield* sys.setsockopt(a, SOL_SOCKET, SO_SNDBUF, 4096);
      sys.log('sndbuf', (yield* sys.getsockopt(a, SOL_SOCKET, SO_SNDBUF)).value);
      let total = 0;
      for (;;) {
        const r = yield* sys.write(a, new Uint8Array(3000));
        if (r < 0) {
          sys.log('full', r);
          break;
        }
        total += r;
      }
      sys.log('total', total);
      sys.log('pollout', pollOf(sys, a) & POLLOUT);
      yield* sys.readAll(b, total);
      sys.log('after', pollOf(sys, a) & POLLOUT);
      sys.log('again', yield* sys.write(a, 'x'));
      yield* sys.close(a);
      yield* sys.close(b);
    });
    expect(l.sndbuf).toBe(8192);
    expect(l.full).toBe(-EAGAIN);
    // each 3000-byte write is one skb charged its truesize, 4352 (3008+320 head bytes round up to kmalloc-4k,
    // plus the sk_buff): the second write overshoots 8192, so 6000 bytes are queued, as on Linux 6.18
    expect(l.total).toBe(6000);
    expect(l).toMatchObject({ pollout: 0, after: POLLOUT, again: 1 });
  });

  it('a blocking write larger than the buffer completes once the reader drains it', () => {
    const N = 50_000;
    const r = run({
      processes: [
        {
          name: 'p',
          *program(sys) {
            const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
            yield* sys.setsockopt(a, SOL_SOCKET, SO_SNDBUF, 4096);
            const child = yield* sys.fork(function* (sys) {
              const got = yield* sys.readAll(b, N);
              sys.log('got', got.ret);
              sys.log('ok', got.data.every((x, i) => x === (i & 0xff)));
              return 0;
            });
            const buf = new Uint8Array(N).map((_, i) => i & 0xff);
            sys.log('wrote', yield* sys.write(a, buf));
            yield* sys.wait(child);
            yield* sys.close(a);
            yield* sys.close(b);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r)).toMatchObject({ wrote: N, got: N, ok: true });
  });
});

describe('socket options', () => {
  it('SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_SNDBUF defaults and errors', () => {
    const l = one(function* (sys) {
      const s = yield* sys.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK);
      const r = yield* sys.socket(AF_UNIX, SOCK_RAW);
      sys.log('type', (yield* sys.getsockopt(s, SOL_SOCKET, SO_TYPE)).value);
      sys.log('raw', (yield* sys.getsockopt(r, SOL_SOCKET, SO_TYPE)).value);
      sys.log('domain', (yield* sys.getsockopt(s, SOL_SOCKET, SO_DOMAIN)).value);
      sys.log('proto', (yield* sys.getsockopt(s, SOL_SOCKET, SO_PROTOCOL)).value);
      sys.log('sndbuf', (yield* sys.getsockopt(s, SOL_SOCKET, SO_SNDBUF)).value);
      yield* sys.setsockopt(s, SOL_SOCKET, SO_SNDBUF, 1);
      sys.log('minSndbuf', (yield* sys.getsockopt(s, SOL_SOCKET, SO_SNDBUF)).value);
      yield* sys.setsockopt(s, SOL_SOCKET, SO_RCVBUF, 10000);
      sys.log('rcvbuf', (yield* sys.getsockopt(s, SOL_SOCKET, SO_RCVBUF)).value);
      sys.log('passcred0', (yield* sys.getsockopt(s, SOL_SOCKET, SO_PASSCRED)).value);
      yield* sys.setsockopt(s, SOL_SOCKET, SO_PASSCRED, 1);
      sys.log('passcred1', (yield* sys.getsockopt(s, SOL_SOCKET, SO_PASSCRED)).value);
      sys.log('unknown', (yield* sys.getsockopt(s, SOL_SOCKET, 9999)).ret);
      sys.log('setUnknown', yield* sys.setsockopt(s, SOL_SOCKET, SO_TYPE, 1));
      sys.log('level', (yield* sys.getsockopt(s, 6, SO_TYPE)).ret);
      sys.log('setLevel', yield* sys.setsockopt(s, 6, SO_TYPE, 1));
      sys.log('negLen', (yield* sys.getsockopt(s, SOL_SOCKET, SO_TYPE, -1)).ret);
      sys.log('short', yield* sys.setsockopt(s, SOL_SOCKET, SO_SNDBUF, new Uint8Array(2)));
      const tv = new Uint8Array(16);
      new DataView(tv.buffer).setBigInt64(8, 1_000_000n, true);
      sys.log('edom', yield* sys.setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, tv));
      yield* sys.close(s);
      yield* sys.close(r);
    });
    expect(l).toMatchObject({
      type: SOCK_SEQPACKET, raw: 2, domain: AF_UNIX, proto: 0, sndbuf: 212992, minSndbuf: 4608, rcvbuf: 20000,
      passcred0: 0, passcred1: 1, unknown: -ENOPROTOOPT, setUnknown: -ENOPROTOOPT, level: -EOPNOTSUPP,
      setLevel: -EOPNOTSUPP, negLen: -EINVAL, short: -EINVAL, edom: -EDOM,
    });
  });

  it('SO_RCVTIMEO expiry makes a blocking read EAGAIN', () => {
    const l = one(function* (sys) {
      const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
      const tv = new Uint8Array(16);
      new DataView(tv.buffer).setBigInt64(8, 1000n, true); // 1 ms
      yield* sys.setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, tv);
      sys.log('read', (yield* sys.read(b, 10)).ret);
      yield* sys.close(a);
      yield* sys.close(b);
    });
    expect(l.read).toBe(-EAGAIN);
  });
});
