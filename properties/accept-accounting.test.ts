// Property: every connect ends once: accepted by exactly one acceptor, refused, or reset.
// Random socket programs (properties/lib/program.ts) under random and pct
// schedules, kernel invariants checked after every step. A failure prints
// the fast-check seed and path, the shrunk program and picks, and the exact
// replay command.
import { describe, expect, it } from 'vitest';
import { checkProperty, ACCEPT_ACCOUNTING } from './lib/properties.ts';

describe('accept-accounting', () => {
  it('every connect ends once: accepted by exactly one acceptor, refused, or reset', () => {
    const { report } = checkProperty(ACCEPT_ACCOUNTING);
    expect(report, report ?? '').toBeNull();
  });
});
