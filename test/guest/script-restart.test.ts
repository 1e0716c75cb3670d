// SA_RESTART for scripted processes too: a read interrupted by a handled
// signal fails with EINTR without the flag and is issued again with it.
import { describe, expect, it } from 'vitest';
import { SIGUSR1 } from '../../src/kernel/abi.ts';
import { SA_RESTART } from '../../src/kernel/signal.ts';
import { runScenario } from '../../src/script/runner.ts';
import { defineScenario } from '../../src/script/scenario.ts';

function scenario(flags: number) {
  return defineScenario({
    name: `read interrupted by SIGUSR1 (flags ${flags})`,
    processes: [
      {
        name: 'reader',
        *program(sys) {
          let handled = 0;
          yield* sys.sigaction(SIGUSR1, () => handled++, flags);
          const { fds: [r, w] } = yield* sys.pipe();
          const pid = yield* sys.fork(function* (child) {
            yield* child.nanosleep(1_000_000);
            yield* child.kill(yield* child.getppid(), SIGUSR1);
            yield* child.nanosleep(1_000_000);
            yield* child.write(w, 'z');
            return 0;
          });
          const got = yield* sys.read(r, 1);
          sys.log('read', got.ret);
          sys.log('handled', handled);
          yield* sys.wait(pid);
          return 0;
        },
      },
    ],
  });
}

describe('scripted processes and SA_RESTART', () => {
  it('without SA_RESTART the interrupted read fails with EINTR', () => {
    const r = runScenario(scenario(0), { seed: 1 });
    expect(r.failures).toEqual([]);
    const notes = Object.fromEntries(r.kernel.notes.map((n) => [n.key, n.value]));
    expect(notes).toEqual({ read: -4, handled: 1 });
  });

  it('with SA_RESTART the read is issued again and returns the data', () => {
    const r = runScenario(scenario(SA_RESTART), { seed: 1 });
    expect(r.failures).toEqual([]);
    const notes = Object.fromEntries(r.kernel.notes.map((n) => [n.key, n.value]));
    expect(notes).toEqual({ read: 1, handled: 1 });
  });
});
