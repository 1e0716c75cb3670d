import { describe, expect, it } from 'vitest';
import { Timer } from '../../src/hw/timer.ts';

describe('timer', () => {
  it('has no deadline until armed, then counts down to it', () => {
    const t = new Timer();
    expect(t.remaining()).toBe(Infinity);
    t.advance(10);
    t.armIn(5);
    expect(t.mtimecmp).toBe(15);
    t.advance(7);
    expect(t.remaining()).toBe(0);
  });
});
