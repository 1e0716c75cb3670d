import { describe, expect, it } from 'vitest';
import { EAFNOSUPPORT, EAGAIN, EINVAL, EOPNOTSUPP, EPROTONOSUPPORT, ESOCKTNOSUPPORT } from '../../src/kernel/errno.ts';
import { AF_INET, AF_UNIX, SOCK_DGRAM, SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET, SOCK_STREAM, SOCK_NONBLOCK, MSG_DONTWAIT } from '../../src/unix/constants.ts';
import { dec, one } from './helpers.ts';

describe('socketpair and stream read/write', () => {
  it('bytes written on one end of a stream pair are read on the other, in order', () => {
    const l = one(function* (sys) {
      const p = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
      sys.log('ret', p.ret);
      sys.log('w1', yield* sys.write(p.fds[0], 'hello '));
      sys.log('w2', yield* sys.send(p.fds[0], 'world'));
      const r = yield* sys.read(p.fds[1], 100);
      sys.log('r', dec(r.data));
      yield* sys.write(p.fds[1], 'back');
      sys.log('back', dec((yield* sys.recv(p.fds[0], 10)).data));
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
    expect(l).toMatchObject({ ret: 0, w1: 6, w2: 5, r: 'hello world', back: 'back' });
  });
  it('socket() rejects other families, protocols and types with Linux errnos', () => {
    const l = one(function* (sys) {
      sys.log('inet', yield* sys.socket(AF_INET, SOCK_STREAM));
      sys.log('proto', yield* sys.socket(AF_UNIX, SOCK_STREAM, 2));
      sys.log('rdm', yield* sys.socket(AF_UNIX, SOCK_RDM));
      sys.log('big', yield* sys.socket(AF_UNIX, 11));
      sys.log('flags', yield* sys.socket(AF_UNIX, SOCK_STREAM | 0x100));
      sys.log('pairInet', (yield* sys.socketpair(AF_INET, SOCK_STREAM)).ret);
    });
    expect(l).toMatchObject({ inet: -EAFNOSUPPORT, proto: -EPROTONOSUPPORT, rdm: -ESOCKTNOSUPPORT, big: -EINVAL, flags: -EINVAL, pairInet: -EOPNOTSUPP });
  });
  it('nonblocking read of an empty pair is EAGAIN', () => {
    const l = one(function* (sys) {
      const p = yield* sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
      sys.log('r', (yield* sys.read(p.fds[0], 10)).ret);
      const q = yield* sys.socketpair(AF_UNIX, SOCK_SEQPACKET);
      sys.log('r2', (yield* sys.recv(q.fds[0], 10, MSG_DONTWAIT)).ret);
      for (const fd of [...p.fds, ...q.fds]) yield* sys.close(fd);
    });
    expect(l).toMatchObject({ r: -EAGAIN, r2: -EAGAIN });
  });
  void SOCK_DGRAM; void SOCK_RAW;
});
