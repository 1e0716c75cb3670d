// Property: every byte written is read once, in order, or is accounted for by a close or reset.
// Random socket programs (properties/lib/program.ts) under random and pct
// schedules, kernel invariants checked after every step. A failure prints
// the fast-check seed and path, the shrunk program and picks, and the exact
// replay command.
import { describe, expect, it } from 'vitest';
import { checkProperty, STREAM_INTEGRITY } from './lib/properties.ts';

describe('stream-integrity', () => {
  it('every byte written is read once, in order, or is accounted for by a close or reset', () => {
    const { report } = checkProperty(STREAM_INTEGRITY);
    expect(report, report ?? '').toBeNull();
  });
});
