// What recording a trace costs: the SCM_RIGHTS story run with and without
// recorded events, and the renderers over one recorded run. Without a trace
// only the hash is computed; the ratio shows what asking for one adds.
// Run: npm run bench trace
import type { BenchRow } from './row.ts';
import scmRights from '../scenarios/acceptance-scm-rights.ts';
import { renderPerfetto } from '../src/sched/perfetto.ts';
import { renderText } from '../src/sched/trace.ts';
import { runScenario } from '../src/script/runner.ts';

function runsPerSecond(recordText: boolean, runs: number): number {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) runScenario(scmRights, { seed: i + 1, recordText });
  return runs / ((performance.now() - t0) / 1000);
}

export function benchTrace(): BenchRow[] {
  const runs = 3000;
  runsPerSecond(false, 200); // warm up
  const plain = runsPerSecond(false, runs);
  const recorded = runsPerSecond(true, runs);
  const r = runScenario(scmRights, { seed: 1, recordText: true });
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) {
    renderText(r.events);
    renderPerfetto(r.events, r.labels);
  }
  const renders = 1000 / ((performance.now() - t0) / 1000);
  return [
    { name: 'scm-rights runs/s, no trace (baseline)', value: plain, unit: 'runs/s', note: `${runs} seeds` },
    { name: 'scm-rights runs/s, events recorded', value: recorded, unit: 'runs/s', note: `${(recorded / plain).toFixed(2)}x the baseline` },
    { name: 'text + Perfetto renders/s of one run', value: renders, unit: 'renders/s', note: `${r.events.length} events` },
  ];
}
