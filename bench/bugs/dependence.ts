// `tsx bench/bugs/dependence.ts [scenario ...]`: why dpor explores as many
// schedules as it does. For the first run of each scenario (dpor's first
// schedule, with footprints): its steps, the global ones by reason, and,
// for every pair of dependent steps of different threads, the key that
// makes them dependent (a global step is counted under "global: <why>").
// Then a full dpor P=2 search: runs, and races found.
import type { Footprint } from '../../src/sched/footprint.ts';
import { DporExplorer } from '../../src/sched/strategies/dpor.ts';
import { explore } from '../../src/script/explore.ts';
import { loadScenario, tableScenarios } from './scenario-files.ts';


/** The key that makes two footprints dependent (the first found), or null. */
function why(a: Footprint, b: Footprint): string | null {
  if (a.global) return `global: ${a.why}`;
  if (b.global) return `global: ${b.why}`;
  const norm = (k: string) => k.replace(/\d+/g, '#');
  const aAdds = a.adds ?? new Set(), bAdds = b.adds ?? new Set();
  for (const w of a.writes) if (b.writes.has(w) || b.reads.has(w) || bAdds.has(w)) return norm(w);
  for (const w of b.writes) if (a.reads.has(w) || aAdds.has(w)) return norm(w);
  for (const x of aAdds) if (b.reads.has(x)) return norm(x);
  for (const x of bAdds) if (a.reads.has(x)) return norm(x);
  return null;
}

interface Ev { tid: number; fp: Footprint }

const args = process.argv.slice(2);
const names = args.length ? args : tableScenarios();
for (const name of names) {
  const sc = await loadScenario(name);
  const x = new DporExplorer(2);
  let first: Ev[] | null = null;
  const finish = x.finish.bind(x);
  x.finish = (r) => {
    if (!first) first = ((x as unknown as { events: Ev[] }).events).map((e) => ({ tid: e.tid, fp: e.fp }));
    finish(r);
  };
  const r = explore(sc, x, { seed: 1, maxSchedules: process.env.SEARCH ? 10000 : 1 });
  const ev: Ev[] = first ?? [];
  const globals = new Map<string, number>();
  for (const e of ev) if (e.fp.global) globals.set(e.fp.why ?? '?', (globals.get(e.fp.why ?? '?') ?? 0) + 1);
  const pairs = new Map<string, number>();
  let dep = 0, total = 0;
  for (let j = 0; j < ev.length; j++) for (let i = 0; i < j; i++) {
    if (ev[i].tid === ev[j].tid) continue;
    total++;
    const k = why(ev[i].fp, ev[j].fp);
    if (k) { dep++; pairs.set(k, (pairs.get(k) ?? 0) + 1); }
  }
  // races of the first run: dependent steps of different threads not ordered through a step in between
  const hb: Set<number>[] = [];
  const races = new Map<string, number>();
  for (let j = 0; j < ev.length; j++) {
    const b = new Set<number>();
    const direct: number[] = [];
    for (let i = j - 1; i >= 0; i--) {
      if (b.has(i)) continue;
      if (ev[i].tid === ev[j].tid || why(ev[i].fp, ev[j].fp)) {
        if (ev[i].tid !== ev[j].tid) direct.push(i);
        b.add(i);
        for (const x of hb[i]) b.add(x);
      }
    }
    hb.push(b);
    for (const i of direct) {
      const k = why(ev[i].fp, ev[j].fp)!;
      races.set(k, (races.get(k) ?? 0) + 1);
    }
  }
  const threads = new Set(ev.map((e) => e.tid)).size;
  console.log(`## ${name}: ${ev.length} steps, ${threads} threads; dpor P=2 ${r.exhausted ? 'exhausted' : 'capped'} after ${r.schedules} runs (${x.sleepBlocked} sleep-blocked)`);
  console.log(`  global steps: ${[...globals].map(([w, c]) => `${c} × ${w}`).join('; ') || 'none'}`);
  console.log(`  races in the first run: ${[...races.values()].reduce((a, b) => a + b, 0)}; by key: ${[...races].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${k} ${c}`).join(', ')}`);
  console.log(`  dependent pairs of different threads: ${dep} of ${total}; by key: ${[...pairs].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, c]) => `${k} ${c}`).join(', ')}`);
}
