// SCM_RIGHTS over sendmsg/recvmsg: AF_UNIX-SEMANTICS items 104-121, and the
// msghdr argument checks. Every run checks the kernel's reference-count
// invariants after each step and fails on any open file left at the end.
import { describe, expect, it } from 'vitest';
import { F_GETFD, FD_CLOEXEC, O_RDONLY, O_RDWR, SEEK_CUR } from '../../src/kernel/abi.ts';
import { EBADF, EFAULT, EINVAL, EMSGSIZE, ETOOMANYREFS } from '../../src/kernel/errno.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';
import {
  AF_UNIX, MSG_CMSG_CLOEXEC, MSG_CTRUNC, MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC, SOCK_SEQPACKET, SOCK_STREAM,
} from '../../src/unix/constants.ts';
import { CMSG_LEN, CMSG_SPACE } from '../../src/unix/cmsg.ts';
import { runScenario } from '../../src/script/runner.ts';
import { dec, logs, one, trace } from './helpers.ts';

const FILES = { '/tmp/a': 'aaaaaaaaaaaaaaaaaaaa', '/tmp/b': 'bbbbbbbbbb' };

/** Runs one process with /tmp/a and /tmp/b present. */
function withFiles(program: (sys: Sys) => SysGen<void>, uid?: number): Record<string, unknown> {
  const r = runWith(program, uid);
  expect(r.failures, trace(r)).toEqual([]);
  return logs(r);
}

function runWith(program: (sys: Sys) => SysGen<void>, uid?: number) {
  return runScenario(
    { name: 'scm-test', processes: [{ name: 'p', program, uid, gid: uid }], files: FILES },
    { seed: 1, checkInvariants: true, recordText: true },
  );
}

/** A cmsghdr with arbitrary fields (for malformed control data). */
function rawCmsg(len: number, level: number, type: number, data: number[] = [], pad = 0): Uint8Array {
  const b = new Uint8Array(16 + 4 * data.length + pad);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(len), true);
  v.setInt32(8, level, true);
  v.setInt32(12, type, true);
  data.forEach((d, i) => v.setInt32(16 + 4 * i, d, true));
  return b;
}

function* pair(sys: Sys, type = SOCK_STREAM): SysGen<[number, number]> {
  const p = yield* sys.socketpair(AF_UNIX, type);
  return p.fds;
}

function* setNofile(sys: Sys, n: number): SysGen<number> {
  sys.scratch.reset();
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(n), true);
  v.setBigUint64(8, BigInt(n), true);
  return yield* sys.syscall(164, 7 /* RLIMIT_NOFILE */, sys.scratch.put(b));
}

describe('SCM_RIGHTS', () => {
  it('the receiver gets new fds for the same open files, at its lowest free fds in array order (104)', () => {
    const l = withFiles(function* (sys) {
      const [a, b] = yield* pair(sys);
      const fa = yield* sys.open('/tmp/a', O_RDONLY);
      const fb = yield* sys.open('/tmp/b', O_RDONLY);
      const pp = yield* sys.pipe();
      yield* sys.close(1); // a hole below: the first received fd takes it
      sys.log('send', yield* sys.sendmsg(a, { data: 'x', fds: [fb, fa, pp.fds[1]] }));
      const m = yield* sys.recvmsg(b);
      sys.log('recv', [m.ret, m.fds, m.flags, m.controlLen]);
      yield* sys.read(m.fds[1], 5);
      sys.log('shared offset', yield* sys.lseek(fa, 0, SEEK_CUR));
      sys.log('received b reads b', dec((yield* sys.read(m.fds[0], 3)).data));
      sys.log('pipe through received end', yield* sys.write(m.fds[2], 'p'));
      sys.log('pipe read', dec((yield* sys.read(pp.fds[0], 1)).data));
    });
    expect(l.send).toBe(1);
    // fds 3,4 pair; 5 a; 6 b; 7,8 pipe; 1 closed -> 1, 9, 10
    expect(l.recv).toEqual([1, [1, 9, 10], 0, CMSG_SPACE(12)]);
    expect(l).toMatchObject({ 'shared offset': 5, 'received b reads b': 'bbb', 'pipe through received end': 1, 'pipe read': 'p' });
  });

  it('received fds have FD_CLOEXEC clear; MSG_CMSG_CLOEXEC sets it and is echoed in msg_flags (105)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      const p = yield* sys.pipe(0o2000000 /* O_CLOEXEC */);
      sys.log('sender cloexec', yield* sys.fcntl(p.fds[0], F_GETFD));
      yield* sys.sendmsg(a, { data: 'x', fds: [p.fds[0]] });
      const m1 = yield* sys.recvmsg(b);
      sys.log('plain', [yield* sys.fcntl(m1.fds[0], F_GETFD), m1.flags]);
      yield* sys.sendmsg(a, { data: 'y', fds: [p.fds[0]] });
      const m2 = yield* sys.recvmsg(b, { flags: MSG_CMSG_CLOEXEC });
      sys.log('cloexec', [yield* sys.fcntl(m2.fds[0], F_GETFD), m2.flags]);
    });
    expect(l['sender cloexec']).toBe(FD_CLOEXEC);
    expect(l.plain).toEqual([0, 0]);
    expect(l.cloexec).toEqual([FD_CLOEXEC, MSG_CMSG_CLOEXEC]);
  });

  it('253 fds pass; 254, also summed over two headers, is EINVAL (106)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      const fds: number[] = [];
      for (let i = 0; i < 254; i++) fds.push(yield* sys.dup(0));
      sys.log('254', yield* sys.sendmsg(a, { data: 'x', fds }));
      const split = new Uint8Array([...rawCmsg(CMSG_LEN(4 * 100), 1, 1, fds.slice(0, 100))]);
      sys.log('154+100', yield* sys.sendmsg(a, { data: 'x', fds: fds.slice(0, 154), rawControl: split }));
      sys.log('253', yield* sys.sendmsg(a, { data: 'x', fds: fds.slice(0, 253) }));
      const m = yield* sys.recvmsg(b);
      sys.log('got', [m.ret, m.fds.length, m.flags]);
    });
    expect(l).toMatchObject({ 254: -EINVAL, '154+100': -EINVAL, 253: 1, got: [1, 253, 0] });
  });

  it('a bad fd makes the whole send EBADF and keeps no reference (107)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      sys.log('minus one', yield* sys.sendmsg(a, { data: 'x', fds: [0, -1] }));
      sys.log('closed', yield* sys.sendmsg(a, { data: 'x', fds: [1, 2, 77] }));
      sys.log('nothing queued', (yield* sys.recvmsg(b, { flags: MSG_DONTWAIT })).ret);
    });
    expect(l).toMatchObject({ 'minus one': -EBADF, closed: -EBADF, 'nothing queued': -11 });
  });

  it('malformed control data is EINVAL; other levels are skipped; controllen < 16 is ignored (108, 109)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      sys.log('short len', yield* sys.sendmsg(a, { data: 'x', rawControl: rawCmsg(15, 1, 1, [0]) }));
      sys.log('past end', yield* sys.sendmsg(a, { data: 'x', rawControl: rawCmsg(24, 1, 1, [0]) }));
      sys.log('unknown type', yield* sys.sendmsg(a, { data: 'x', rawControl: rawCmsg(20, 1, 9, [0], 4) }));
      sys.log('other level', yield* sys.sendmsg(a, { data: 'x', rawControl: rawCmsg(20, 6, 9, [0], 4) }));
      sys.log('tiny buffer', yield* sys.sendmsg(a, { data: 'y', rawControl: new Uint8Array(15).fill(0xff) }));
      sys.log('zero fds', yield* sys.sendmsg(a, { data: 'z', rawControl: rawCmsg(16, 1, 1) }));
      const m = yield* sys.recvmsg(b);
      sys.log('coalesced', [dec(m.data), m.fds.length, m.controlLen]);
    });
    expect(l).toMatchObject({ 'short len': -EINVAL, 'past end': -EINVAL, 'unknown type': -EINVAL, 'other level': 1, 'tiny buffer': 1, 'zero fds': 1 });
    expect(l.coalesced).toEqual(['xyz', 0, 0]);
  });

  it('an unprivileged sender with more files in flight than RLIMIT_NOFILE gets ETOOMANYREFS (110)', () => {
    const r = runWith(function* (sys) {
      const [a, b] = yield* pair(sys);
      yield* setNofile(sys, 8);
      const got: number[] = [];
      for (let i = 0; i < 10; i++) got.push(yield* sys.sendmsg(a, { data: 'x', fds: [0] }));
      sys.log('sends', got);
      yield* sys.close(b);
    }, 1000);
    expect(r.failures, trace(r)).toEqual([]);
    expect(logs(r).sends).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, -ETOOMANYREFS]);
  });

  it('control buffer of 16, 17 or NULL: data returned, msg_controllen 0, MSG_CTRUNC, fds closed (111)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      const out: unknown[] = [];
      for (const len of [16, 17, 0]) {
        const p = yield* sys.pipe();
        yield* sys.sendmsg(a, { data: 'x', fds: [p.fds[1]] });
        yield* sys.close(p.fds[1]);
        const m = yield* sys.recvmsg(b, { controlLen: len });
        // the in-flight write end was closed: the pipe reads EOF
        const eof = (yield* sys.read(p.fds[0], 1)).ret;
        out.push([len, m.ret, m.controlLen, m.flags, eof]);
        yield* sys.close(p.fds[0]);
      }
      sys.log('out', out);
    });
    expect(l.out).toEqual([16, 17, 0].map((len) => [len, 1, 0, MSG_CTRUNC, 0]));
  });

  it('3 fds into 24 bytes: 2 installed, cmsg_len 24, MSG_CTRUNC; 1 fd into 20: installed, no MSG_CTRUNC (112, 113)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      yield* sys.sendmsg(a, { data: 'x', fds: [0, 1, 2] });
      const m = yield* sys.recvmsg(b, { controlLen: 24 });
      const len = Number(new DataView(m.rawControl.buffer, m.rawControl.byteOffset).getBigUint64(0, true));
      sys.log('three', [m.fds, len, m.controlLen, m.flags]);
      yield* sys.sendmsg(a, { data: 'y', fds: [0] });
      const n = yield* sys.recvmsg(b, { controlLen: 20 });
      sys.log('one', [n.fds.length, n.controlLen, n.flags]);
      sys.log('space', (yield* sys.recvmsg(b, { flags: MSG_DONTWAIT })).ret);
    });
    expect(l.three).toEqual([[5, 6], 24, 24, MSG_CTRUNC]);
    expect(l.one).toEqual([1, 20, 0]);
  });

  it('a full fd table: recvmsg still succeeds, the fds that do not fit are closed, MSG_CTRUNC (114)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      yield* sys.sendmsg(a, { data: 'x', fds: [0, 1, 2] });
      yield* setNofile(sys, 6); // 0-4 used: one free
      const m = yield* sys.recvmsg(b);
      sys.log('got', [m.ret, m.fds, m.flags]);
    });
    expect(l.got).toEqual([1, [5], MSG_CTRUNC]);
  });

  it('read() and recv() of a message carrying fds return the data and close the fds (115)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      const p = yield* sys.pipe();
      yield* sys.sendmsg(a, { data: 'ab', fds: [p.fds[1]] });
      yield* sys.sendmsg(a, { data: 'cd', fds: [p.fds[1]] });
      yield* sys.close(p.fds[1]);
      sys.log('read', dec((yield* sys.read(b, 10)).data));
      sys.log('recv', dec((yield* sys.recv(b, 10)).data));
      sys.log('pipe eof', (yield* sys.read(p.fds[0], 1)).ret);
      yield* sys.write(a, 'ok');
      sys.log('socket still works', dec((yield* sys.read(b, 10)).data));
    });
    expect(l).toMatchObject({ read: 'ab', recv: 'cd', 'pipe eof': 0, 'socket still works': 'ok' });
  });

  it('stream: a 0-byte sendmsg with fds returns 0 and drops them; seqpacket delivers them (116)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      sys.log('stream', yield* sys.sendmsg(a, { fds: [0] }));
      sys.log('stream nothing queued', (yield* sys.recvmsg(b, { flags: MSG_DONTWAIT })).ret);
      const [c, d] = yield* pair(sys, SOCK_SEQPACKET);
      sys.log('seqpacket', yield* sys.sendmsg(c, { fds: [0] }));
      const m = yield* sys.recvmsg(d);
      sys.log('seqpacket got', [m.ret, m.fds.length]);
    });
    expect(l).toMatchObject({ stream: 0, 'stream nothing queued': -11, seqpacket: 0, 'seqpacket got': [0, 1] });
  });

  it('stream barrier: sends of 4, 1+fd, 4 -> recvmsg(20) gets 5 bytes and the fd, then 4 (117)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      yield* sys.write(a, 'abcd');
      yield* sys.sendmsg(a, { data: 'e', fds: [0] });
      yield* sys.write(a, 'fghi');
      const m1 = yield* sys.recvmsg(b, { n: 20 });
      const m2 = yield* sys.recvmsg(b, { n: 20 });
      sys.log('m1', [dec(m1.data), m1.fds.length]);
      sys.log('m2', [dec(m2.data), m2.fds.length]);
    });
    expect(l).toMatchObject({ m1: ['abcde', 1], m2: ['fghi', 0] });
  });

  it('the first partial read takes the fds: read(10) of 20 closes them, then 10 bytes and no cmsg (118)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      const p = yield* sys.pipe();
      yield* sys.sendmsg(a, { data: '0123456789abcdefghij', fds: [p.fds[1]] });
      yield* sys.close(p.fds[1]);
      sys.log('read', dec((yield* sys.read(b, 10)).data));
      const m = yield* sys.recvmsg(b, { n: 20 });
      sys.log('rest', [dec(m.data), m.fds.length, m.controlLen]);
      sys.log('pipe eof', (yield* sys.read(p.fds[0], 1)).ret);
    });
    expect(l).toMatchObject({ read: '0123456789', rest: ['abcdefghij', 0, 0], 'pipe eof': 0 });
  });

  it('MSG_PEEK installs fresh duplicates on every peek; the real receive installs them again (120)', () => {
    const l = withFiles(function* (sys) {
      const [a, b] = yield* pair(sys);
      const f = yield* sys.open('/tmp/a', O_RDWR);
      yield* sys.sendmsg(a, { data: 'x', fds: [f] });
      const p1 = yield* sys.recvmsg(b, { flags: MSG_PEEK });
      const p2 = yield* sys.recvmsg(b, { flags: MSG_PEEK });
      const r = yield* sys.recvmsg(b);
      sys.log('fds', [p1.fds, p2.fds, r.fds]);
      yield* sys.lseek(p1.fds[0], 7, 0);
      sys.log('same description', yield* sys.lseek(r.fds[0], 0, SEEK_CUR));
      sys.log('data', [dec(p1.data), dec(p2.data), dec(r.data)]);
    });
    expect(l.fds).toEqual([[6], [7], [8]]);
    expect(l).toMatchObject({ 'same description': 7, data: ['x', 'x', 'x'] });
  });

  it('a 0-byte recvmsg with control space delivers the fd; the stream byte stays; seqpacket consumes with MSG_TRUNC (121)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      yield* sys.sendmsg(a, { data: 'x', fds: [0] });
      const m0 = yield* sys.recvmsg(b, { n: 0 });
      const m1 = yield* sys.recvmsg(b, { n: 10 });
      sys.log('stream', [m0.ret, m0.fds.length, m1.ret, dec(m1.data), m1.fds.length]);
      const [c, d] = yield* pair(sys, SOCK_SEQPACKET);
      yield* sys.sendmsg(c, { data: 'yz', fds: [0] });
      const s0 = yield* sys.recvmsg(d, { n: 0 });
      sys.log('seqpacket', [s0.ret, s0.fds.length, s0.flags, (yield* sys.recvmsg(d, { flags: MSG_DONTWAIT })).ret]);
    });
    expect(l.stream).toEqual([0, 1, 1, 'x', 0]);
    expect(l.seqpacket).toEqual([0, 1, MSG_TRUNC, -11]);
  });

  it('iovecs scatter and gather; msghdr faults are EFAULT and iovlen > 1024 is EMSGSIZE', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      sys.log('gather', yield* sys.sendmsg(a, { data: ['ab', 'cde', '', 'f'] }));
      const m = yield* sys.recvmsg(b, { n: [1, 2, 10] });
      sys.log('scatter', [m.ret, dec(m.data)]);
      sys.log('bad header', yield* sys.syscall(211, a, 0xdead0000, 0));
      sys.log('bad header recv', yield* sys.syscall(212, b, 0xdead0000, 0));
      // a header whose control pointer is unmapped
      sys.scratch.reset();
      const h = new Uint8Array(56);
      const v = new DataView(h.buffer);
      v.setBigUint64(32, 0xdead0000n, true);
      v.setBigUint64(40, 24n, true);
      sys.log('bad control', yield* sys.syscall(211, a, sys.scratch.put(h), 0));
      v.setBigUint64(24, 1025n, true);
      sys.log('iovlen', yield* sys.syscall(211, a, sys.scratch.put(h), 0));
      v.setBigUint64(24, 1n, true);
      v.setBigUint64(16, 0xdead0000n, true);
      sys.log('bad iov', yield* sys.syscall(212, b, sys.scratch.put(h), 0));
    });
    expect(l).toMatchObject({ gather: 6, scatter: [6, 'abcdef'], 'bad header': -EFAULT, 'bad header recv': -EFAULT, 'bad control': -EFAULT, iovlen: -EMSGSIZE, 'bad iov': -EFAULT });
  });

  it('CMSG macros match the LP64 table', () => {
    expect([CMSG_LEN(4), CMSG_SPACE(4), CMSG_LEN(8), CMSG_SPACE(8), CMSG_LEN(12), CMSG_SPACE(12), CMSG_LEN(1012), CMSG_SPACE(1012)]).toEqual([
      20, 24, 24, 24, 28, 32, 1028, 1032,
    ]);
  });
});
