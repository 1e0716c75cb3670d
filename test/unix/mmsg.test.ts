import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario } from '../../src/script/scenario.ts';
import { text } from '../../src/script/sys.ts';
import type { Program } from '../../src/script/context.ts';
import { AF_UNIX, MSG_DONTWAIT, SOCK_DGRAM, SOCK_STREAM } from '../../src/unix/constants.ts';

function run(program: Program) {
  const r = runScenario(defineScenario({ name: 'mmsg', processes: [{ name: 'p', program }] }), { seed: 1, checkInvariants: true });
  expect(r.failures).toEqual([]);
  return r;
}

describe('sendmmsg and recvmmsg', () => {
  it('sendmmsg sends each datagram separately and stores each msg_len; recvmmsg receives them in order', () => {
    const r = run(function* (sys) {
      const sp = yield* sys.socketpair(AF_UNIX, SOCK_DGRAM);
      const s = yield* sys.sendmmsg(sp.fds[0], ['one', 'three', 'fives']);
      sys.log('sent', s);
      const got = yield* sys.recvmmsg(sp.fds[1], 4, 16, MSG_DONTWAIT);
      sys.log('recv', { ret: got.ret, messages: got.messages.map(text) });
      return 0;
    });
    const k = r.kernel;
    expect(k.notes.find((n) => n.key === 'sent')!.value).toEqual({ ret: 3, lens: [3, 5, 5] });
    // Three were queued; the fourth receive finds the queue empty: the count, not EAGAIN.
    expect(k.notes.find((n) => n.key === 'recv')!.value).toEqual({ ret: 3, messages: ['one', 'three', 'fives'] });
  });

  it('an error on the first message is returned as the error; nothing to receive is EAGAIN', () => {
    const r = run(function* (sys) {
      const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('unconnected', (yield* sys.sendmmsg(s, ['x'])).ret);
      const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
      sys.log('empty', (yield* sys.recvmmsg(sp.fds[1], 2, 8, MSG_DONTWAIT)).ret);
      sys.log('notsock', (yield* sys.sendmmsg(0, ['x'])).ret);
      return 0;
    });
    const log = (key: string) => r.kernel.notes.find((n) => n.key === key)!.value;
    expect(log('unconnected')).toBe(-107); // ENOTCONN
    expect(log('empty')).toBe(-11); // EAGAIN
    expect(log('notsock')).toBe(-88); // ENOTSOCK
  });

  it('MSG_WAITFORONE blocks for the first message only', () => {
    const r = run(function* (sys) {
      const sp = yield* sys.socketpair(AF_UNIX, SOCK_DGRAM);
      yield* sys.fork(function* writer(sys) {
        yield* sys.nanosleep(1000);
        yield* sys.send(sp.fds[0], 'late');
        return 0;
      });
      const got = yield* sys.recvmmsg(sp.fds[1], 3, 8, 0x10000 /* MSG_WAITFORONE */);
      sys.log('got', { ret: got.ret, messages: got.messages.map(text) });
      yield* sys.wait();
      return 0;
    });
    expect(r.kernel.notes.find((n) => n.key === 'got')!.value).toEqual({ ret: 1, messages: ['late'] });
  });
});
