// Property: programs that are deadlock-free by construction never deadlock: every sleeper whose condition holds is woken.
// Random socket programs (properties/lib/program.ts) under random and pct
// schedules, kernel invariants checked after every step. A failure prints
// the fast-check seed and path, the shrunk program and picks, and the exact
// replay command.
import { describe, expect, it } from 'vitest';
import { checkProperty, WAKER_LIVENESS } from './lib/properties.ts';

describe('waker-liveness', () => {
  it('programs that are deadlock-free by construction never deadlock: every sleeper whose condition holds is woken', () => {
    const { report } = checkProperty(WAKER_LIVENESS);
    expect(report, report ?? '').toBeNull();
  });
});
