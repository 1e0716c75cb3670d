import { describe, expect, it } from 'vitest';
import { defineScenario, describeRunEnd, plantedBugs, renderText, replayCommand, runScenario, unix } from '../src/index.ts';

describe('public API (src/index.ts)', () => {
  const sc = defineScenario({
    name: 'api-socketpair',
    processes: [
      {
        name: 'p',
        *program(sys) {
          const sp = yield* sys.socketpair(unix.AF_UNIX, unix.SOCK_STREAM);
          yield* sys.write(sp.fds[0], 'hello');
          const m = yield* sys.read(sp.fds[1], 16);
          sys.log('got', new TextDecoder().decode(m.data));
          yield* sys.close(sp.fds[0]);
          yield* sys.close(sp.fds[1]);
          return 0;
        },
      },
    ],
    checks: { 'data crossed the pair': (run) => run.log('got') === 'hello' },
  });

  it('defines, runs and renders a scenario, and reproduces it from its picks', () => {
    const r = runScenario(sc, { seed: 'api', recordText: true });
    expect(r.failures).toEqual([]);
    expect(describeRunEnd(r.end)).toBeNull();
    expect(renderText(r.events)).toMatch(/socketpair\(AF_UNIX, SOCK_STREAM, 0, \[3, 4\]\) = 0/);
    expect(runScenario(sc, { seed: 'other', picks: r.picks }).hash).toBe(r.hash);
  });

  it('exposes the planted bugs and the replay command', () => {
    expect(Object.keys(plantedBugs())).toContain('accept-single-waker');
    expect(replayCommand('s.ts', { seed: 5, strategy: 'pct', bugs: ['accept-single-waker'] })).toBe(
      'npx unixsim replay s.ts --seed 5 --strategy pct --bug accept-single-waker',
    );
  });
});
