// The program CVE-2021-0920 and CVE-2026-23394 share: sk-A and sk-B form a
// cycle (each one's fd is queued on the other), sk-A is closed, so it can
// only be reached through sk-B's queue; the close wakes the collector.
// Meanwhile recv(sk-B, MSG_PEEK) duplicates sk-A's fd and sk-B is closed.
// Whatever the interleaving, the peeked fd keeps sk-A alive, and through
// sk-A's queue sk-B: nothing may be purged, and sk-A must still hold its
// message. The collector must see the peek (a lock barrier before 6.10, a
// sequence count after) or it judges sk-A dead before the peek and sk-B
// dead after the close.
//
// As on a busy system, two more sockets are in flight (open, queued on an
// unrelated pair) and went in flight between sk-A and sk-B: the
// mark-and-sweep collector examines them between its two candidates, with
// an interleaving point before each, so the window between sk-A and sk-B
// spans three points instead of one, as on real SMP hardware the whole
// scan is the window (reproducers keep many fds in flight for that). PCT
// finds gc-peek-no-lock in a median of 4 runs at d=3 this way, against 12
// with the window one point wide (and 16 before exit closed the fds; from
// the exact shares bench/bugs/pct-windows.ts computes).
// The SCC collector judges sk-A and sk-B inside their component, where the
// others are not, so they neither widen nor narrow its window. At the end
// the process exits instead of closing each fd: exit closes them in one
// step, one more collection instead of one per close, each of which adds
// choice points after the race (PCT's k: 21 -> 14 and 15 -> 11).
import type { Scenario } from '../../src/script/scenario.ts';
import { text } from '../../src/script/sys.ts';
import { AF_UNIX, MSG_DONTWAIT, MSG_PEEK, SOCK_STREAM } from '../../src/unix/constants.ts';

/** Other sockets in flight while the collector runs, as on a busy system (see the header). */
const BUSY = 2;

export function peekRace(name: string, description: string, gc: 'scc' | 'mark-sweep'): Scenario {
  return {
    name,
    description,
    kernel: { gc, harts: 2, checkInvariants: true },
    processes: [
      {
        name: 'p',
        *program(sys) {
          const [a, aPeer] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
          const [b, bPeer] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
          // sk-A's fd on sk-B's queue first: the collectors examine sk-A before sk-B
          sys.log('send A to B', yield* sys.sendmsg(bPeer, { data: 'y', fds: [a] }));
          // other sockets in flight, open and queued on an unrelated pair: never garbage, but examined in between
          const [c, cPeer] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
          const others: number[] = [];
          for (let i = 0; i < BUSY; i++) others.push(yield* sys.socket(AF_UNIX, SOCK_STREAM));
          sys.log('send the others', yield* sys.sendmsg(cPeer, { data: 'o', fds: others }));
          sys.log('send B to A', yield* sys.sendmsg(aPeer, { data: 'x', fds: [b] }));
          yield* sys.close(a); // sk-A now only in flight: the collector runs
          const peek = yield* sys.recvmsg(b, { n: 1, flags: MSG_PEEK });
          sys.log('peek', peek.ret);
          yield* sys.close(b);
          const a2 = peek.fds[0] ?? -1;
          // sk-A is alive (a2 holds it): its message, and sk-B's fd with it, must still be there
          const got = yield* sys.recvmsg(a2, { n: 1, flags: MSG_DONTWAIT });
          sys.log('recv on the peeked sk-A', got.ret > 0 ? text(got.data) : got.ret);
          // exit closes a2, aPeer, bPeer and what the recv got in one step: one more collection, not one per close
          return 0;
        },
      },
    ],
    checks: {
      'the peek got one byte and sk-A': (run) => run.log('peek') === 1 || `peek ${String(run.log('peek'))}`,
      "sk-A's queue was not purged: its message is still there": (run) =>
        run.log('recv on the peeked sk-A') === 'x' || `recv on the peeked sk-A returned ${JSON.stringify(run.log('recv on the peeked sk-A'))}`,
      'nothing is left: no open file, socket or fd in flight': (run) => run.describeState().length === 0 || run.describeState().join('; '),
    },
  };
}
