// Three senders flood one slow datagram receiver past max_dgram_qlen
// (AF_UNIX-SEMANTICS item 93): the receiver's queue holds 11 datagrams from
// one-way senders and they send 12 while it sleeps, so whichever finds the
// queue full must wait for the receiver to read, and the read must wake it (unix_dgram_recvmsg wakes u->peer_wait;
// unix_wait_for_peer sleeps there). One sender uses sendto on an
// unconnected socket, one send on a connected socket, and one nonblocking
// sends that poll(POLLOUT) on EAGAIN (unix_dgram_poll clears POLLOUT while
// the peer's queue is full); which of them waits is the race. Every
// datagram arrives once, whole, and in each sender's order. Under the
// planted bug dgram-qlen-no-wake the waiting sender is never woken and the
// run deadlocks.
import { defineScenario } from '../src/script/scenario.ts';
import type { Sys, SysGen } from '../src/script/sys.ts';
import { AF_UNIX, MSG_DONTWAIT, POLLOUT, SOCK_DGRAM } from '../src/unix/constants.ts';

const PATH = '/tmp/sink';
const PER_SENDER = 4;
const SENDERS = ['sendto', 'connected', 'polling'] as const;
const EAGAIN = 11;

function payload(who: string, i: number): string {
  return `${who}:${i}:${'.'.repeat(i)}`;
}

function* sender(sys: Sys, who: (typeof SENDERS)[number]): SysGen<number> {
  const s = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
  if (who !== 'sendto') sys.log(`${who} connect`, yield* sys.connect(s, PATH));
  const results: number[] = [];
  for (let i = 0; i < PER_SENDER; i++) {
    const msg = payload(who, i);
    if (who === 'sendto') results.push(yield* sys.sendto(s, msg, 0, PATH));
    else if (who === 'connected') results.push(yield* sys.send(s, msg));
    else {
      for (;;) {
        const r = yield* sys.send(s, msg, MSG_DONTWAIT);
        if (r !== -EAGAIN) {
          results.push(r);
          break;
        }
        yield* sys.poll([{ fd: s, events: POLLOUT }]);
      }
    }
  }
  sys.log(`${who} sent`, results.every((r, i) => r === payload(who, i).length));
  yield* sys.close(s);
  return 0;
}

export default defineScenario({
  name: 'race-dgram-full-queue',
  description: 'three senders flood a slow datagram receiver past max_dgram_qlen; each read wakes them; all datagrams arrive in order',
  processes: [
    {
      name: 'sink',
      *program(sys) {
        const r = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
        sys.log('bind', yield* sys.bind(r, PATH));
        const kids: number[] = [];
        for (const who of SENDERS) kids.push(yield* sys.fork((sys) => sender(sys, who)));
        const got: string[] = [];
        for (let n = 0; n < SENDERS.length * PER_SENDER; n++) {
          yield* sys.nanosleep(20_000); // a slow consumer: the queue fills meanwhile
          const m = yield* sys.recv(r, 64);
          if (m.ret < 0) {
            sys.log('recv error', m.ret);
            break;
          }
          got.push(new TextDecoder().decode(m.data));
        }
        sys.log('received', got.length);
        const inOrder = SENDERS.every((who) => {
          const mine = got.filter((g) => g.startsWith(`${who}:`));
          return mine.length === PER_SENDER && mine.every((g, i) => g === payload(who, i));
        });
        sys.log('in order', inOrder);
        sys.log('nothing left', (yield* sys.recv(r, 64, MSG_DONTWAIT)).ret === -EAGAIN);
        for (const k of kids) sys.log('sender status', (yield* sys.wait(k)).status);
        yield* sys.close(r);
        return 0;
      },
    },
  ],
  checks: {
    'the receiver bound its name': (run) => run.log('bind') === 0,
    'the connected senders connected': (run) => run.log('connected connect') === 0 && run.log('polling connect') === 0,
    'every send returned its length': (run) =>
      SENDERS.every((w) => run.log(`${w} sent`) === true) || `sent ${JSON.stringify(SENDERS.map((w) => run.log(`${w} sent`)))}`,
    'every datagram arrived once, whole, in each sender order': (run) =>
      (run.log('received') === SENDERS.length * PER_SENDER && run.log('in order') === true && run.log('nothing left') === true) ||
      `received ${String(run.log('received'))}, in order ${String(run.log('in order'))}, recv error ${String(run.log('recv error'))}`,
    'every sender exited 0': (run) => JSON.stringify(run.logs('sender status')) === JSON.stringify([0, 0, 0]),
  },
});
