// SCM_CREDENTIALS (items 122-126) and the in-flight garbage collector
// (item 128): cycles of sockets sent over themselves are reclaimed once no
// fd table reaches them; nothing reachable is ever collected.
import { describe, expect, it } from 'vitest';
import { EINVAL, EPERM, ESRCH } from '../../src/kernel/errno.ts';
import { runScenario } from '../../src/script/runner.ts';
import type { ProcessSpec } from '../../src/script/scenario.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';
import { AF_UNIX, MSG_CTRUNC, MSG_DONTWAIT, SO_PASSCRED, SO_PEERCRED, SOCK_SEQPACKET, SOCK_STREAM, SOL_SOCKET } from '../../src/unix/constants.ts';
import { CMSG_LEN } from '../../src/unix/cmsg.ts';
import { dec, logs, one, trace } from './helpers.ts';

function runProcs(processes: ProcessSpec[]) {
  const r = runScenario({ name: 'scm-test', processes }, { seed: 1, checkInvariants: true, recordText: true });
  expect(r.failures, trace(r)).toEqual([]);
  return { l: logs(r), k: r.kernel };
}

function* pair(sys: Sys, type = SOCK_STREAM): SysGen<[number, number]> {
  return (yield* sys.socketpair(AF_UNIX, type)).fds;
}

/** Open files right now (host view, for the collector tests). */
const liveFiles = (sys: Sys): number => sys.ctx.task.kernel.files.live.size;

/** The collector is a kernel thread (as Linux >= 6.10's unix_gc_work): a short sleep lets it run. */
function* settle(sys: Sys): SysGen<void> {
  yield* sys.nanosleep(1000);
}

describe('SCM_CREDENTIALS', () => {
  it('cmsg_len must be 28; a non-root sender may claim only its own pid/uid/gid; root gets ESRCH for a missing pid (122)', () => {
    const { l } = runProcs([
      {
        name: 'user',
        uid: 1000,
        gid: 100,
        *program(sys) {
          const [a] = yield* pair(sys);
          const pid = sys.pid;
          const raw = new Uint8Array(32);
          const v = new DataView(raw.buffer);
          v.setBigUint64(0, 32n, true);
          v.setInt32(8, 1, true);
          v.setInt32(12, 2, true);
          sys.log('len 32', yield* sys.sendmsg(a, { data: 'x', rawControl: raw }));
          sys.log('own', yield* sys.sendmsg(a, { data: 'x', creds: { pid, uid: 1000, gid: 100 } }));
          sys.log('other pid', yield* sys.sendmsg(a, { data: 'x', creds: { pid: pid + 1, uid: 1000, gid: 100 } }));
          sys.log('other uid', yield* sys.sendmsg(a, { data: 'x', creds: { pid, uid: 0, gid: 100 } }));
          sys.log('other gid', yield* sys.sendmsg(a, { data: 'x', creds: { pid, uid: 1000, gid: 0 } }));
          sys.log('invalid uid', yield* sys.sendmsg(a, { data: 'x', creds: { pid, uid: -1, gid: 100 } }));
        },
      },
      {
        name: 'root',
        *program(sys) {
          const [a] = yield* pair(sys);
          sys.log('root other ids', yield* sys.sendmsg(a, { data: 'x', creds: { pid: sys.pid, uid: 5, gid: 6 } }));
          sys.log('root missing pid', yield* sys.sendmsg(a, { data: 'x', creds: { pid: 4242, uid: 5, gid: 6 } }));
        },
      },
    ]);
    expect(l).toMatchObject({
      'len 32': -EINVAL, own: 1, 'other pid': -EPERM, 'other uid': -EPERM, 'other gid': -EPERM, 'invalid uid': -EINVAL,
      'root other ids': 1, 'root missing pid': -ESRCH,
    });
  });

  it("credentials reach only a receiver with SO_PASSCRED, before SCM_RIGHTS: given, the sender's real ids, or {0,65534,65534} (123)", () => {
    const { l } = runProcs([
      {
        name: 'p',
        uid: 1000,
        gid: 100,
        *program(sys) {
          const [a, b] = yield* pair(sys, SOCK_SEQPACKET);
          yield* sys.sendmsg(a, { data: 'none', fds: [0] });
          sys.log('no passcred', (yield* sys.recvmsg(b)).creds);
          // neither end had SO_PASSCRED at send time
          yield* sys.sendmsg(a, { data: 'late', fds: [0] });
          yield* sys.setsockopt(b, SOL_SOCKET, SO_PASSCRED, 1);
          const m = yield* sys.recvmsg(b);
          const v = new DataView(m.rawControl.buffer, m.rawControl.byteOffset);
          sys.log('nobody', [m.creds, v.getInt32(12, true), m.fds.length]);
          // the receiver has it now: the sender's real ids are added
          yield* sys.sendmsg(a, { data: 'real', fds: [0] });
          sys.log('real', (yield* sys.recvmsg(b)).creds);
          sys.log('given', yield* sys.sendmsg(a, { data: 'given', creds: { pid: sys.pid, uid: 1000, gid: 100 } }));
          sys.log('given creds', (yield* sys.recvmsg(b)).creds);
          sys.log('pid', sys.pid);
        },
      },
    ]);
    const pid = l.pid as number;
    expect(l['no passcred']).toBeNull();
    expect(l.nobody).toEqual([{ pid: 0, uid: 65534, gid: 65534 }, 2 /* SCM_CREDENTIALS first */, 1]);
    expect(l.real).toEqual({ pid, uid: 1000, gid: 100 });
    expect(l['given creds']).toEqual({ pid, uid: 1000, gid: 100 });
  });

  it('stream with SO_PASSCRED: one recv never merges bytes with different credentials (124)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      yield* sys.setsockopt(b, SOL_SOCKET, SO_PASSCRED, 1);
      yield* sys.write(a, 'me');
      yield* sys.sendmsg(a, { data: 'you', creds: { pid: sys.pid, uid: 7, gid: 7 } });
      yield* sys.write(a, 'me');
      const r: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const m = yield* sys.recvmsg(b, { n: 100 });
        r.push([dec(m.data), m.creds?.uid]);
      }
      sys.log('reads', r);
      yield* sys.setsockopt(b, SOL_SOCKET, SO_PASSCRED, 0);
      yield* sys.write(a, 'x');
      yield* sys.sendmsg(a, { data: 'y', creds: { pid: sys.pid, uid: 7, gid: 7 } });
      sys.log('without passcred', dec((yield* sys.recvmsg(b, { n: 100 })).data));
    });
    expect(l.reads).toEqual([['me', 0], ['you', 7], ['me', 0]]);
    expect(l['without passcred']).toBe('xy');
  });

  it('credential truncation: 20 -> cmsg_len 20 and MSG_CTRUNC; 16 -> cmsg_len 16; 8 -> msg_controllen 0; NULL -> MSG_CTRUNC (125, 126)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys, SOCK_SEQPACKET);
      yield* sys.setsockopt(b, SOL_SOCKET, SO_PASSCRED, 1);
      const out: unknown[] = [];
      for (const len of [20, 16, 8, 0]) {
        yield* sys.send(a, 'x');
        const m = yield* sys.recvmsg(b, { controlLen: len });
        const cmsgLen = m.rawControl.length >= 8 ? Number(new DataView(m.rawControl.buffer, m.rawControl.byteOffset).getBigUint64(0, true)) : null;
        out.push([len, m.controlLen, cmsgLen, m.flags]);
      }
      sys.log('out', out);
    });
    expect(l.out).toEqual([
      [20, 20, 20, MSG_CTRUNC],
      [16, 16, 16, MSG_CTRUNC],
      [8, 0, null, MSG_CTRUNC],
      [0, 0, null, MSG_CTRUNC],
    ]);
    void CMSG_LEN;
  });

  it('SO_PEERCRED is unchanged by credential passing (127)', () => {
    const l = one(function* (sys) {
      const [a, b] = yield* pair(sys);
      yield* sys.sendmsg(a, { data: 'x', creds: { pid: sys.pid, uid: 9, gid: 9 } });
      const pc = yield* sys.getsockopt(b, SOL_SOCKET, SO_PEERCRED, 12);
      const v = new DataView(pc.data.buffer, pc.data.byteOffset);
      sys.log('peercred', [v.getInt32(0, true) === sys.pid, v.getUint32(4, true), v.getUint32(8, true)]);
    });
    expect(l.peercred).toEqual([true, 0, 0]);
  });
});

describe('in-flight garbage collector (128)', () => {
  it('a socket sent over itself is reclaimed when its last fd closes', () => {
    const l = one(function* (sys) {
      const before = liveFiles(sys);
      const [a, b] = yield* pair(sys);
      yield* sys.sendmsg(b, { data: 'x', fds: [a] }); // a's own queue now holds a
      yield* sys.close(a);
      yield* settle(sys);
      sys.log('a still alive (b reaches it? no: only its own queue)', liveFiles(sys) - before);
      yield* sys.close(b);
      yield* settle(sys);
      sys.log('after', liveFiles(sys) - before);
    });
    // after close(a): a is garbage (only its own queue holds it); b is open
    expect(l['a still alive (b reaches it? no: only its own queue)']).toBe(1);
    expect(l.after).toBe(0);
  });

  it('A over B and B over A, both closed: the cycle is reclaimed', () => {
    const l = one(function* (sys) {
      const before = liveFiles(sys);
      const [a1, a2] = yield* pair(sys);
      const [b1, b2] = yield* pair(sys);
      yield* sys.sendmsg(a2, { data: 'x', fds: [b1, b2] }); // into a1's queue
      yield* sys.sendmsg(b2, { data: 'y', fds: [a1, a2] }); // into b1's queue
      for (const fd of [a1, a2, b1, b2]) yield* sys.close(fd);
      yield* settle(sys);
      sys.log('left', liveFiles(sys) - before);
    });
    expect(l.left).toBe(0);
  });

  it('a triangle with a regular file and a pipe in flight is reclaimed, and the pipe sees EOF', () => {
    const l = one(function* (sys) {
      const p = yield* sys.pipe();
      const [a1, a2] = yield* pair(sys);
      const [b1, b2] = yield* pair(sys);
      const [c1, c2] = yield* pair(sys, SOCK_SEQPACKET);
      yield* sys.sendmsg(a2, { data: 'x', fds: [b1, p.fds[1]] });
      yield* sys.sendmsg(b2, { data: 'y', fds: [c1] });
      yield* sys.sendmsg(c2, { data: 'z', fds: [a1] });
      for (const fd of [a1, a2, b1, b2, c1, c2, p.fds[1]]) yield* sys.close(fd);
      sys.log('pipe eof', (yield* sys.read(p.fds[0], 1)).ret);
    });
    expect(l['pipe eof']).toBe(0);
  });

  it('nothing reachable is collected: a socket held only in flight on an open socket can still be received and used', () => {
    const l = one(function* (sys) {
      const [a1, a2] = yield* pair(sys);
      const [q1, q2] = yield* pair(sys);
      yield* sys.sendmsg(a2, { data: 'self', fds: [a1] }); // a1 carries itself
      yield* sys.write(a2, 'more');
      yield* sys.sendmsg(q1, { data: 'q', fds: [a1] }); // and q2's queue carries a1
      yield* sys.close(a1);
      const m = yield* sys.recvmsg(q2);
      const got = m.fds[0];
      const first = yield* sys.recvmsg(got);
      sys.log('received a1 still has its queue', [dec(first.data), first.fds.length]);
      yield* sys.close(first.fds[0]);
      sys.log('then', dec((yield* sys.recv(got, 10, MSG_DONTWAIT)).data));
    });
    expect(l['received a1 still has its queue']).toEqual(['self', 1]);
    expect(l.then).toBe('more');
  });

  it('a long chain of sockets in flight is released iteratively, without deep host recursion', () => {
    const N = 3000;
    const l = one(function* (sys) {
      const before = liveFiles(sys);
      let [prev1, prev2] = yield* pair(sys);
      const [first] = [prev1];
      for (let i = 0; i < N; i++) {
        const [s1, s2] = yield* pair(sys);
        yield* sys.sendmsg(s2, { data: 'c', fds: [prev1, prev2] }); // s1's queue holds the previous pair
        yield* sys.close(prev1);
        yield* sys.close(prev2);
        [prev1, prev2] = [s1, s2];
      }
      void first;
      yield* sys.close(prev1);
      yield* sys.close(prev2);
      sys.log('left', liveFiles(sys) - before);
    }, { maxSteps: 50_000, checkInvariants: false });
    expect(l.left).toBe(0);
  });
});
