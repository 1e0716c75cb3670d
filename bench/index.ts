// `npm run bench`: runs every bench/*.ts module's exported `bench*`
// functions and prints their rows. Figures are rates, and ratios against a
// baseline measured in the same run, never pass/fail thresholds.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { BenchRow } from './row.ts';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && (!only || f.startsWith(only)))
  .sort();

for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as Record<string, unknown>;
  for (const [name, fn] of Object.entries(mod)) {
    if (!name.startsWith('bench') || typeof fn !== 'function') continue;
    const rows = (await (fn as () => BenchRow[] | Promise<BenchRow[]>)()) ?? [];
    for (const r of Array.isArray(rows) ? rows : [rows]) {
      const v = r.value >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toFixed(2);
      console.log(`${r.name.padEnd(48)} ${v.padStart(14)} ${r.unit}${r.note ? `   (${r.note})` : ''}`);
    }
  }
}
