// A child sends its parent SIGUSR1 at once while the parent goes into a
// 10 ms nanosleep. Whatever the interleaving, the signal is handled
// either before the sleep begins (the sleep then runs its 10 ms and
// returns 0) or ends the sleep with EINTR at once: an interruptible sleep
// checks signal_pending before it sleeps, because a signal that arrived
// first has already sent its wake. The planted bug
// sleep-ignores-pending-signal skips that check, and the sleep runs its
// full 10 ms before it notices the signal.
import { EINTR } from '../src/kernel/errno.ts';
import { SIGUSR1 } from '../src/kernel/abi.ts';
import { defineScenario } from '../src/script/scenario.ts';

const SLEEP_NS = 10_000_000;

export default defineScenario({
  name: 'signal-pending-at-sleep',
  description: 'a signal that arrives as a sleep begins ends it at once (or was handled before it)',
  processes: [
    {
      name: 'sleeper',
      *program(sys) {
        let asleep = false;
        let early = false;
        yield* sys.sigaction(SIGUSR1, () => {
          if (!asleep) early = true;
        });
        const parent = sys.pid;
        const child = yield* sys.fork(function* (sys) {
          yield* sys.kill(parent, SIGUSR1);
          return 0;
        });
        const t0 = yield* sys.now();
        asleep = true;
        const r = yield* sys.nanosleep(SLEEP_NS);
        const took = (yield* sys.now()) - t0;
        sys.log('outcome', early ? `handled before the sleep; slept ${r === 0 && took >= SLEEP_NS ? 'in full' : `${took} ns, returned ${r}`}` : r === -EINTR && took < SLEEP_NS / 10 ? 'EINTR at once' : `returned ${r} after ${took} ns`);
        while ((yield* sys.wait(child)).ret === -EINTR);
        return 0;
      },
    },
  ],
  checks: {
    'the signal was handled before the sleep, or ended it at once': (run) => {
      const o = String(run.log('outcome'));
      return o === 'EINTR at once' || o === 'handled before the sleep; slept in full' || o;
    },
  },
});
