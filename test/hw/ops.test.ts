// The hart's dispatch switch uses numeric case labels (fast jump table); each
// is annotated with its op name. This pins the labels to ops.ts.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Op } from '../../src/hw/ops.ts';

describe('op numbering', () => {
  it('every annotated case label in hart.ts matches its name in ops.ts', () => {
    const src = readFileSync(join(import.meta.dirname, '../../src/hw/hart.ts'), 'utf8');
    const table = Op as Record<string, number>;
    let checked = 0;
    for (const m of src.matchAll(/((?:case \d+: )+)[^\n]*\/\/ ([A-Z0-9_ ]+)$/gm)) {
      const numbers = [...m[1].matchAll(/case (\d+):/g)].map((x) => Number(x[1]));
      const names = m[2].trim().split(/\s+/);
      expect(numbers.length, m[0]).toBe(names.length);
      numbers.forEach((n, k) => expect(table[names[k]], `${names[k]} in: ${m[0]}`).toBe(n));
      checked += numbers.length;
    }
    expect(checked).toBeGreaterThan(70);
  });
});
