// `tsx bench/bugs/pct-windows.ts BUG [DEPTH]`: PCT's exact chance of finding a
// planted bug, and where its change points must land. A PCT run is fixed by
// two random draws only: the priority order of the tasks (by order of first
// appearance) and the d-1 change points in 1..k. This enumerates both (n!
// orders times k·(k-1)·... points), runs each once, and prints the share
// that fail (PCT's per-run probability, to compare with 1/(n·k^(d-1))) and,
// for the failing ones, the choice points the change points fell on: which
// task was picked there and what it was doing (syscall, inside it or not,
// locks held, a kernel thread).
//   SCENARIO=name    another scenario than the bug's bench case (bench/bugs/cases.ts)
//   PCT_K=k          this k instead of the calibrated one
//   TOP=n            print the n most common landing places (default 30)
//   LIST=order       also list every choice point of one run, e.g. LIST=201
//   POINTS=a,b       ... with these change points
// The enumeration is n!·k^(d-1) runs: fine for n <= 3 and d <= 3.
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import type { Task } from '../../src/kernel/task.ts';
import { Rng } from '../../src/sched/rng.ts';
import { PctStrategy } from '../../src/sched/strategies/pct.ts';
import type { Strategy } from '../../src/sched/strategy.ts';
import type { SimThread } from '../../src/sched/thread.ts';
import { calibratePctK, runScenario, type RunOptions } from '../../src/script/runner.ts';
import type { Scenario } from '../../src/script/scenario.ts';
import { CASES } from './cases.ts';

/** PCT (src/sched/strategies/pct.ts) with its two draws given, noting what the task picked at each change point was doing. */
export class FixedPct implements Strategy {
  private readonly pct: PctStrategy;
  private choices = 0;
  /** what the picked task was doing at each change point, in change-point order */
  readonly landed: string[] = [];
  /** every choice point, when asked for */
  log: string[] | null = null;

  constructor(
    /** rank of the i-th task to appear: larger runs first */
    private readonly order: readonly number[],
    private readonly changePoints: readonly number[],
    depth: number,
  ) {
    this.pct = new PctStrategy(new Rng('unused'), depth, Math.max(1, ...changePoints), { order, changePoints });
  }

  get describe(): string {
    return `pct-fixed(${this.order.join('')}; ${this.changePoints.join(',')})`;
  }

  pick(runnable: readonly SimThread[]): SimThread {
    const best = this.pct.pick(runnable);
    this.choices++;
    this.log?.push(`#${this.choices} ${describeTask(best, runnable)}`);
    if (this.changePoints.includes(this.choices)) this.landed.push(`#${this.choices} ${describeTask(best, runnable)}`);
    return best;
  }
}

function describeTask(t: SimThread, runnable: readonly SimThread[]): string {
  const task = t as unknown as Task;
  const sys = task.syscallName;
  const locks = task.locksHeld?.map((l) => l.name) ?? [];
  const others = runnable.filter((x) => x !== t).map((x) => x.tid).join(',');
  return `${t.label}${sys ? ` ${t.midSyscall ? 'inside' : 'entering'} ${sys}` : ''}${locks.length ? ` holding ${locks.join(',')}` : ''} [also runnable: ${others}]`;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  return out;
}

function pointSets(k: number, m: number): number[][] {
  if (m === 0) return [[]];
  const out: number[][] = [];
  for (const rest of pointSets(k, m - 1)) for (let p = 1; p <= k; p++) if (!rest.includes(p)) out.push([...rest, p]);
  return out;
}

export interface WindowReport {
  k: number;
  n: number;
  runs: number;
  failed: number;
  /** failing runs by where their change points landed */
  where: Map<string, number>;
  /** choice points of the run of each priority order without change points */
  lengths: Map<string, number>;
}

/** Every (priority order, change points) of PCT at `depth` on one scenario and options. */
export function pctWindows(sc: Scenario, base: RunOptions, depth: number, kGiven?: number): WindowReport {
  const k = kGiven ?? calibratePctK(sc, base);
  const n = runScenario(sc, { ...base, seed: 1 }).labels.size;
  const report: WindowReport = { k, n, runs: 0, failed: 0, where: new Map(), lengths: new Map() };
  for (const order of permutations(n)) {
    report.lengths.set(order.join(''), runScenario(sc, { ...base, seed: 1, schedule: new FixedPct(order, [], depth) }).picks.length);
    for (const points of pointSets(k, Math.min(depth - 1, k))) {
      const s = new FixedPct(order, points, depth);
      const r = runScenario(sc, { ...base, seed: 1, schedule: s });
      report.runs++;
      if (r.failures.length === 0) continue;
      report.failed++;
      const key = `order ${order.join('')}: ${s.landed.join(' / ') || '(no change point reached)'}`;
      report.where.set(key, (report.where.get(key) ?? 0) + 1);
    }
  }
  return report;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bug = process.argv[2] as PlantedBug;
  const depth = Number(process.argv[3] ?? 2);
  const c = CASES[bug];
  if (!c) throw new Error(`no bench case for ${bug}`);
  const here = dirname(fileURLToPath(import.meta.url));
  const sc = ((await import(pathToFileURL(join(here, '../../scenarios', `${process.env.SCENARIO ?? c.scenario}.ts`)).href)) as { default: Scenario }).default;
  const base: RunOptions = { seed: 1, bugs: [bug], kernelPreemption: c.kernelPreemption, harts: c.harts, checkWakeDuties: c.checkWakeDuties, ...c.faults };
  const r = pctWindows(sc, base, depth, process.env.PCT_K ? Number(process.env.PCT_K) : undefined);
  const bound = r.n * r.k ** (depth - 1);
  console.log(`${bug} on ${process.env.SCENARIO ?? c.scenario}, pct d=${depth}: n=${r.n} k=${r.k}; ${r.failed} of ${r.runs} (order, change points) fail: p = ${(r.failed / r.runs).toFixed(4)} (bound 1/${bound} = ${(1 / bound).toFixed(4)}; median runs ~ ${r.failed ? Math.ceil(Math.log(0.5) / Math.log(1 - r.failed / r.runs)) : 'inf'})`);
  console.log(`  choice points per priority order without change points: ${[...r.lengths].map(([o, l]) => `${o}: ${l}`).join(', ')}`);
  if (process.env.LIST) {
    const s = new FixedPct(process.env.LIST.split('').map(Number), process.env.POINTS ? process.env.POINTS.split(',').map(Number) : [], depth);
    s.log = [];
    const run = runScenario(sc, { ...base, seed: 1, schedule: s });
    console.log(`  order ${process.env.LIST}, points ${process.env.POINTS ?? '-'}: ${run.failures.length ? 'FAILS' : 'passes'}`);
    for (const l of s.log) console.log(`    ${l}`);
  }
  for (const [w, count] of [...r.where].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 30))) console.log(`  ${count}x ${w}`);
}
