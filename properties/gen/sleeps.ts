// Timed and interrupted sleeps against their rules: a process waits in one of
// nanosleep(d), recv with SO_RCVTIMEO d, a blocking recv, or poll with
// timeout d, while another process, after e, sends it a byte, a SIGUSR1
// (handler with or without SA_RESTART), or nothing, and later always a
// rescue byte so that every run ends. What the wait returns, and when in
// virtual time, must follow Linux:
//   - a sleep with a deadline ends at the deadline (0; EAGAIN for
//     SO_RCVTIMEO, sock_rcvtimeo; 0 ready for poll) unless something
//     comes first;
//   - data that comes first ends recv and poll at once;
//   - a signal that comes first ends nanosleep (restart_block: never
//     restarted), poll (ERESTARTNOHAND) and a recv with a timeout
//     (sock_intr_errno) with EINTR, SA_RESTART or not; a recv without a
//     timeout restarts after a SA_RESTART handler (ERESTARTSYS) and fails
//     with EINTR after one without.
// A signal sent at once ('signal-now') races with the start of the wait: if
// it is handled before the wait begins, the wait is undisturbed; if it is
// still pending when the wait begins, it counts as coming first (an
// interruptible sleep checks signal_pending before it sleeps).
// Random schedules decide the order of everything else.
import fc from 'fast-check';
import { SIGUSR1 } from '../../src/kernel/abi.ts';
import { EAGAIN, EINTR } from '../../src/kernel/errno.ts';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import { SA_RESTART } from '../../src/kernel/signal.ts';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario } from '../../src/script/scenario.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';
import { AF_UNIX, SO_RCVTIMEO, SOCK_STREAM, SOL_SOCKET } from '../../src/unix/constants.ts';

const MS = 1_000_000; // ticks (ns) per millisecond
/** how far from the model's time a wait may end: a few syscalls' worth, far below the 8 ms between events */
const SLACK = 50_000;
const POLLIN = 0x1;

interface Case {
  wait: 'nanosleep' | 'recv-timeo' | 'recv' | 'poll';
  /** the wait's timeout (ms; a multiple of 4, one jiffy at HZ=250, so that SO_RCVTIMEO stores it exactly) */
  d: number;
  event: 'data' | 'signal' | 'signal-now' | 'none';
  /** when the other process acts (ms) */
  e: number;
  restart: boolean;
  seed: number;
}

/** the rescue byte, after everything else (ms) */
const RESCUE = 200;

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    wait: fc.constantFrom('nanosleep' as const, 'recv-timeo' as const, 'recv' as const, 'poll' as const),
    d: fc.integer({ min: 1, max: 20 }).map((j) => 4 * j),
    event: fc.constantFrom('data' as const, 'signal' as const, 'signal-now' as const, 'none' as const),
    e: fc.integer({ min: 1, max: 20 }).map((j) => 4 * j),
    restart: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map((c) => (c.event === 'signal-now' ? { ...c, e: 0 } : c))
  .filter((c) => Math.abs(c.d - c.e) >= 8 || c.event === 'signal-now');

/** What one run saw: the wait's result and duration, and the handler's runs (early: one ran before the wait began). */
interface Seen { ret?: number; took?: number; handled: number; waiting: boolean; early: boolean }

/** What the wait returns and when (ms after it began); `early`: the signal was handled before it began. */
function model(c: Case, early: boolean): { ret: number; at: number } {
  const timed = c.wait !== 'recv';
  const event = c.event === 'signal-now' ? (early ? 'none' : 'signal') : c.event;
  const first = event !== 'none' && (!timed || c.e < c.d) ? event : 'timeout';
  if (first === 'timeout') {
    if (!timed) return { ret: 1, at: RESCUE };
    return { ret: c.wait === 'recv-timeo' ? -EAGAIN : 0, at: c.d };
  }
  if (first === 'data') return c.wait === 'nanosleep' ? { ret: 0, at: c.d } : { ret: 1, at: c.e };
  // a signal first
  if (c.wait === 'recv' && c.restart) return { ret: 1, at: RESCUE };
  return { ret: -EINTR, at: c.e };
}

function* theWait(sys: Sys, c: Case, fd: number): SysGen<number> {
  switch (c.wait) {
    case 'nanosleep':
      return yield* sys.nanosleep(c.d * MS);
    case 'recv-timeo':
    case 'recv':
      return (yield* sys.recv(fd, 16)).ret;
    case 'poll': {
      const p = yield* sys.poll([{ fd, events: POLLIN }], c.d);
      return p.ret === 1 && p.revents[0] !== POLLIN ? -1000 - p.revents[0] : p.ret;
    }
  }
}

function scenario(c: Case, out: Seen) {
  return defineScenario({
    name: 'sleep-timeouts',
    processes: [
      {
        name: 'waiter',
        *program(sys) {
          const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
          const handler = () => {
            out.handled++;
            if (!out.waiting) out.early = true;
          };
          yield* sys.sigaction(SIGUSR1, handler, c.restart ? SA_RESTART : 0);
          if (c.wait === 'recv-timeo') {
            const tv = new Uint8Array(16);
            new DataView(tv.buffer).setBigInt64(8, BigInt(c.d * 1000), true);
            yield* sys.setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, tv);
          }
          const parent = sys.pid;
          const child = yield* sys.fork(function* (sys) {
            const t0 = yield* sys.now();
            if (c.e > 0) yield* sys.nanosleep(c.e * MS);
            if (c.event === 'data') yield* sys.write(b, 'x');
            if (c.event === 'signal' || c.event === 'signal-now') yield* sys.kill(parent, SIGUSR1);
            yield* sys.nanosleep(t0 + RESCUE * MS - (yield* sys.now()));
            yield* sys.write(b, 'r');
            return 0;
          });
          const t0 = yield* sys.now();
          out.waiting = true;
          out.ret = yield* theWait(sys, c, a);
          out.took = (yield* sys.now()) - t0;
          while ((yield* sys.wait(child)).ret === -EINTR);
          return 0;
        },
      },
    ],
  });
}

/** The property: one case under its random schedule. */
export function sleepProperty(bugs: readonly PlantedBug[]) {
  return fc.property(caseArb, (c) => {
    const out: Seen = { handled: 0, waiting: false, early: false };
    const r = runScenario(scenario(c, out), { seed: c.seed, bugs: [...bugs], checkWakeDuties: true });
    if (r.failures.length) throw new Error(r.failures.join('\n'));
    const want = model(c, out.early);
    const at = want.at * MS;
    if (out.ret !== want.ret || out.took === undefined || Math.abs(out.took - at) > SLACK) {
      throw new Error(`returned ${out.ret} after ${out.took} ns; model ${want.ret} after ${at} ns`);
    }
    const signals = c.event === 'signal' || c.event === 'signal-now' ? 1 : 0;
    if (out.handled !== signals) throw new Error(`the handler ran ${out.handled} times, model ${signals}`);
  });
}
