// `tsx bench/bugs/classes.ts [scenario ...]`: how far partial-order
// reduction could go with the footprints as they are. Runs dfs P=2 (every
// schedule with at most 2 preemptions) with footprints recorded, and counts
// the distinct Mazurkiewicz traces among those schedules (two schedules are
// one trace when they order every dependent pair of steps alike; the key is
// the trace's Foata normal form). A sound dpor that runs passes P = 0, 1, 2
// must run at least one schedule per trace of each pass: the sum over the
// passes is its floor, printed beside dfs's runs.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dependent, type Footprint } from '../../src/sched/footprint.ts';
import type { Strategy } from '../../src/sched/strategy.ts';
import { DfsExplorer } from '../../src/sched/strategies/dfs.ts';
import { DporExplorer } from '../../src/sched/strategies/dpor.ts';
import { explore } from '../../src/script/explore.ts';
import type { Scenario } from '../../src/script/scenario.ts';
import type { Explorer } from '../../src/sched/explorer.ts';

const here = dirname(fileURLToPath(import.meta.url));
const scenarioDir = join(here, '../../scenarios');
const CAP = Number(process.env.CLASSES_CAP ?? 10000);

/** The Foata normal form of a run's steps under footprint dependence. */
function foata(steps: { tid: number; fp: Footprint }[]): string {
  const level: number[] = [];
  for (let j = 0; j < steps.length; j++) {
    let l = 0;
    for (let i = 0; i < j; i++) {
      if (level[i] < l) continue;
      if (steps[i].tid === steps[j].tid || dependent(steps[i].fp, steps[j].fp)) l = level[i] + 1;
    }
    level.push(l);
  }
  const byLevel: number[][] = [];
  steps.forEach((s, i) => (byLevel[level[i]] ??= []).push(s.tid));
  return byLevel.map((l) => l.sort((a, b) => a - b).join(',')).join('|');
}

/** dfs's runs, each observed with footprints. */
class Observed implements Explorer {
  steps: { tid: number; fp: Footprint }[] = [];
  constructor(readonly x: DfsExplorer) {}
  get describe() { return this.x.describe; }
  get exhausted() { return this.x.exhausted; }
  next(): Strategy | null {
    const s = this.x.next();
    if (!s) return null;
    this.steps = [];
    const steps = this.steps;
    return {
      describe: s.describe,
      wantsFootprints: true,
      pick: (r, step, prev) => s.pick(r, step, prev),
      fault: s.fault?.bind(s),
      observeStep(ran, runnable, fp) {
        steps.push({ tid: ran.tid, fp: fp! });
        s.observeStep?.(ran, runnable, null);
      },
    };
  }
  finish(r: Parameters<Explorer['finish']>[0]): void { this.x.finish(r); }
}

const args = process.argv.slice(2);
const names = args.length ? args : readdirSync(scenarioDir).filter((f) => /^(acceptance|race)-.*\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, '')).sort();
console.log('| scenario | dfs P=2 runs | traces P=0 / 1 / 2 | dpor floor (sum) | best ratio | dpor P=2 runs |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const name of names) {
  const sc = ((await import(pathToFileURL(join(scenarioDir, `${name}.ts`)).href)) as { default: Scenario }).default;
  const perPass: number[] = [];
  let runs = 0, capped = false;
  for (const p of [0, 1, 2]) {
    const dfs = new DfsExplorer(p);
    const o = new Observed(dfs);
    const keys = new Set<string>();
    const r = explore(sc, o, { seed: 1, maxSchedules: CAP, onRun: () => keys.add(foata(o.steps)) });
    perPass.push(keys.size);
    if (p === 2) { runs = r.schedules; capped = !r.exhausted; }
  }
  const floor = perPass.reduce((a, b) => a + b, 0);
  const d = explore(sc, new DporExplorer(2), { seed: 1, maxSchedules: CAP });
  console.log(`| ${name} | ${capped ? '>' : ''}${runs} | ${perPass.join(' / ')} | ${floor} | ${(runs / floor).toFixed(1)}x | ${d.exhausted ? '' : '>'}${d.schedules} |`);
}
