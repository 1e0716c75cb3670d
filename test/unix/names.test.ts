import { describe, expect, it } from 'vitest';
import { EADDRINUSE, EACCES, ECONNREFUSED, EINVAL, ENOENT, ENOTSOCK, EBADF, EPROTOTYPE } from '../../src/kernel/errno.ts';
import { S_IFMT, S_IFSOCK } from '../../src/kernel/abi.ts';
import { AF_UNIX, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM } from '../../src/unix/constants.ts';
import { autobindAddress } from '../../src/unix/address.ts';
import { logs, one, run, trace } from './helpers.ts';

const sockaddr = (path: string, len: number): Uint8Array => {
  const b = new Uint8Array(len);
  b[0] = AF_UNIX;
  for (let i = 0; i < path.length && 2 + i < len; i++) b[2 + i] = path.charCodeAt(i);
  return b;
};

describe('addresses, bind and name lookup', () => {
  it('an unbound socket has a 2-byte name', () => {
    const l = one(function* (sys) {
      const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('name', (yield* sys.getsockname(s)).addr);
      yield* sys.close(s);
    });
    expect(l.name).toEqual({ len: 2, family: AF_UNIX });
  });

  it('bind rejects short, foreign and oversized addresses with EINVAL', () => {
    const l = one(function* (sys) {
      const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('short', yield* sys.bind(s, { raw: Uint8Array.of(1) }));
      sys.log('family', yield* sys.bind(s, { raw: Uint8Array.of(2, 0, 0x41, 0) }));
      sys.log('len111', yield* sys.bind(s, { raw: sockaddr('/tmp/x', 111) }));
      sys.log('len129', yield* sys.bind(s, { raw: sockaddr('/tmp/x', 129) }));
      yield* sys.close(s);
    });
    expect(l).toMatchObject({ short: -EINVAL, family: -EINVAL, len111: -EINVAL, len129: -EINVAL });
  });

  it('an autobind name is a NUL and five lowercase hex digits, zero-padded, for every number (unix_autobind)', () => {
    // The run draws the number, and small ones are rare: the name's form is checked here for each size.
    for (const [n, digits] of [[0, '00000'], [0x1a, '0001a'], [0xbeef, '0beef'], [0xfffff, 'fffff']] as const) {
      const a = autobindAddress(n);
      expect(a.path).toBeNull();
      expect([...a.bytes]).toEqual([AF_UNIX, 0, 0, ...[...digits].map((c) => c.charCodeAt(0))]);
    }
  });

  it('autobind gives an 8-byte abstract name of five hex digits that others can connect to', () => {
    const l = one(function* (sys) {
      const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('bind', yield* sys.bind(s, { autobind: true }));
      const n = (yield* sys.getsockname(s)).addr!;
      sys.log('name', n);
      sys.log('again', yield* sys.bind(s, { autobind: true }));
      sys.log('same', (yield* sys.getsockname(s)).addr);
      yield* sys.listen(s, 1);
      const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('connect', yield* sys.connect(c, { abstract: n.abstract! }));
      const o = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('taken', yield* sys.bind(o, { abstract: n.abstract! }));
      for (const fd of [s, c, o]) yield* sys.close(fd);
    });
    const name = l.name as { len: number; abstract: string };
    expect(l.bind).toBe(0);
    expect(name.len).toBe(8);
    expect(name.abstract).toMatch(/^[0-9a-f]{5}$/);
    expect(l.again).toBe(0);
    expect(l.same).toEqual(l.name);
    expect(l.connect).toBe(0);
    expect(l.taken).toBe(-EADDRINUSE);
  });

  it('abstract and pathname names with the same text do not collide', () => {
    const l = one(function* (sys) {
      const a = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      const p = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('abs', yield* sys.bind(a, { abstract: '/tmp/same' }));
      sys.log('path', yield* sys.bind(p, '/tmp/same'));
      sys.log('absName', (yield* sys.getsockname(a)).addr);
      sys.log('pathName', (yield* sys.getsockname(p)).addr);
      yield* sys.close(a);
      yield* sys.close(p);
    });
    expect(l).toMatchObject({ abs: 0, path: 0 });
    expect(l.absName).toEqual({ len: 2 + 1 + 9, family: 1, abstract: '/tmp/same' });
    expect(l.pathName).toEqual({ len: 2 + 9 + 1, family: 1, path: '/tmp/same' });
  });

  it('abstract names differing in length or a trailing byte are distinct; connect with another length is refused', () => {
    const l = one(function* (sys) {
      const a = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      const b = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('a', yield* sys.bind(a, { abstract: 'name' }));
      sys.log('b', yield* sys.bind(b, { abstract: 'name\0' }));
      yield* sys.listen(a, 1);
      const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('c', yield* sys.connect(c, { abstract: 'nam' }));
      for (const fd of [a, b, c]) yield* sys.close(fd);
    });
    expect(l).toMatchObject({ a: 0, b: 0, c: -ECONNREFUSED });
  });

  it('the abstract namespace is keyed by name and type; the name is freed on close', () => {
    const l = one(function* (sys) {
      const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      const d = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
      const s2 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('s', yield* sys.bind(s, { abstract: 'x' }));
      sys.log('d', yield* sys.bind(d, { abstract: 'x' }));
      sys.log('s2', yield* sys.bind(s2, { abstract: 'x' }));
      yield* sys.listen(s, 1);
      const q = yield* sys.socket(AF_UNIX, SOCK_SEQPACKET);
      sys.log('otherType', yield* sys.connect(q, { abstract: 'x' }));
      yield* sys.close(s);
      sys.log('rebind', yield* sys.bind(s2, { abstract: 'x' }));
      for (const fd of [d, s2, q]) yield* sys.close(fd);
    });
    expect(l).toMatchObject({ s: 0, d: 0, s2: -EADDRINUSE, otherType: -ECONNREFUSED, rebind: 0 });
  });

  it('a pathname ends at the first NUL; getsockname reports 2+strlen+1', () => {
    const l = one(function* (sys) {
      const a = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      const b = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('a', yield* sys.bind(a, { raw: sockaddr('/tmp/p', 110) }));
      sys.log('name', (yield* sys.getsockname(a)).addr);
      sys.log('b', yield* sys.bind(b, { raw: sockaddr('/tmp/p\0a', 11) }));
      yield* sys.close(a);
      yield* sys.close(b);
    });
    expect(l.a).toBe(0);
    expect(l.name).toEqual({ len: 9, family: 1, path: '/tmp/p' });
    expect(l.b).toBe(-EADDRINUSE);
  });

  it('a 108-byte unterminated path binds and reports addrlen 111', () => {
    const path = '/tmp/' + 'x'.repeat(103);
    const l = one(function* (sys) {
      const a = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('bind', yield* sys.bind(a, { raw: sockaddr(path, 110) }));
      sys.log('name', (yield* sys.getsockname(a)).addr);
      yield* sys.close(a);
    });
    expect(l.bind).toBe(0);
    expect(l.name).toEqual({ len: 111, family: 1, path });
  });

  it('bind creates an S_IFSOCK file with mode 0777 & ~umask; a second bind is EINVAL or EADDRINUSE', () => {
    const l = one(function* (sys) {
      yield* sys.umask(0o022);
      const a = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.bind(a, '/tmp/s');
      const st = (yield* sys.stat('/tmp/s')).stat!;
      sys.log('type', st.mode & S_IFMT);
      sys.log('perm', st.mode & 0o777);
      sys.log('fstat', ((yield* sys.fstat(a)).stat!.mode));
      sys.log('again', yield* sys.bind(a, '/tmp/other'));
      sys.log('againSame', yield* sys.bind(a, '/tmp/s'));
      const b = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('dir', yield* sys.bind(b, '/tmp'));
      sys.log('noparent', yield* sys.bind(b, '/nope/s'));
      yield* sys.close(a);
      yield* sys.close(b);
    });
    expect(l).toMatchObject({ type: S_IFSOCK, perm: 0o755, fstat: S_IFSOCK | 0o777, again: -EINVAL, againSame: -EADDRINUSE, dir: -EADDRINUSE, noparent: -ENOENT });
  });

  it('fchmod before bind sets the socket inode mode: fstat shows it and bind creates the file with it & ~umask (item 18, found by the fidelity probe)', () => {
    const l = one(function* (sys) {
      yield* sys.umask(0o022);
      const a = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('fchmod', yield* sys.fchmod(a, 0o640));
      sys.log('fstat', (yield* sys.fstat(a)).stat!.mode);
      yield* sys.bind(a, '/tmp/s');
      sys.log('perm', (yield* sys.stat('/tmp/s')).stat!.mode & 0o7777);
      yield* sys.close(a);
    });
    expect(l).toMatchObject({ fchmod: 0, fstat: S_IFSOCK | 0o640, perm: 0o640 });
  });

  it('bind in a directory without write permission is EACCES; connect needs write permission on the socket file', () => {
    const r = run({
      processes: [
        {
          name: 'user',
          uid: 1000,
          gid: 1000,
          *program(sys) {
            yield* sys.umask(0o022);
            yield* sys.mkdir('/tmp/ro', 0o555);
            const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
            sys.log('ro', yield* sys.bind(s, '/tmp/ro/s'));
            sys.log('ok', yield* sys.bind(s, '/tmp/mine'));
            yield* sys.listen(s, 1);
            yield* sys.fchmod(s, 0o755);
            yield* sys.close(s);
            return 0;
          },
        },
      ],
    });
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r)).toMatchObject({ ro: -EACCES, ok: 0 });
  });

  it('closing a bound pathname socket leaves the file: connect is refused and bind is EADDRINUSE', () => {
    const l = one(function* (sys) {
      const a = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.bind(a, '/tmp/s');
      yield* sys.listen(a, 1);
      yield* sys.close(a);
      const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('connect', yield* sys.connect(c, '/tmp/s'));
      sys.log('bind', yield* sys.bind(c, '/tmp/s'));
      sys.log('missing', yield* sys.connect(c, '/tmp/none'));
      sys.log('notsock', yield* sys.connect(c, '/tmp'));
      yield* sys.close(c);
    });
    expect(l).toMatchObject({ connect: -ECONNREFUSED, bind: -EADDRINUSE, missing: -ENOENT, notsock: -ECONNREFUSED });
  });

  it('unlink removes the name but not the listener', () => {
    const l = one(function* (sys) {
      const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.bind(s, '/tmp/s');
      yield* sys.listen(s, 4);
      const c1 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('before', yield* sys.connect(c1, '/tmp/s'));
      sys.log('unlink', yield* sys.unlink('/tmp/s'));
      const c2 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('after', yield* sys.connect(c2, '/tmp/s'));
      sys.log('name', (yield* sys.getsockname(s)).addr);
      const a = yield* sys.accept(s);
      yield* sys.write(c1, 'still');
      sys.log('data', new TextDecoder().decode((yield* sys.read(a.ret, 10)).data));
      const s2 = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('rebind', yield* sys.bind(s2, '/tmp/s'));
      yield* sys.listen(s2, 1);
      sys.log('new', yield* sys.connect(c2, '/tmp/s'));
      for (const fd of [s, c1, c2, a.ret, s2]) yield* sys.close(fd);
    });
    expect(l).toMatchObject({ before: 0, unlink: 0, after: -ENOENT, data: 'still', rebind: 0, new: 0 });
    expect(l.name).toEqual({ len: 9, family: 1, path: '/tmp/s' });
  });

  it('connect to a pathname socket of another type is EPROTOTYPE', () => {
    const l = one(function* (sys) {
      const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      yield* sys.bind(s, '/tmp/s');
      yield* sys.listen(s, 1);
      const q = yield* sys.socket(AF_UNIX, SOCK_SEQPACKET);
      sys.log('r', yield* sys.connect(q, '/tmp/s'));
      yield* sys.close(s);
      yield* sys.close(q);
    });
    expect(l.r).toBe(-EPROTOTYPE);
  });

  it('socket calls on a non-socket fd are ENOTSOCK, on a bad fd EBADF', () => {
    const l = one(function* (sys) {
      sys.log('notsock', yield* sys.bind(1, '/tmp/x'));
      sys.log('listen', yield* sys.listen(0, 1));
      sys.log('badf', (yield* sys.getsockname(77)).ret);
      sys.log('badf2', yield* sys.shutdown(-1, 0));
    });
    expect(l).toMatchObject({ notsock: -ENOTSOCK, listen: -ENOTSOCK, badf: -EBADF, badf2: -EBADF });
  });
});
