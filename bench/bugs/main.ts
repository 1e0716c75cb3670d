// `npm run bench:bugs`: how fast each strategy finds each planted bug, and
// how far bounded exhaustive search gets on the acceptance and race
// scenarios. Writes bench/results/bugs.md (and prints it).
//   random, pct d=1..3, cov   runs to first failure, median and 90th
//                             percentile over 20 base seeds (">N": not found
//                             within N runs for at least that share)
//   dfs P=0..2, dpor          schedules to first failure from seed 1
//                             ("exh N": exhausted after N without failing)
// BENCH_BUGS=a,b limits the bugs, BENCH_SCENARIOS=a,b the exhaustive table; BENCH_SEEDS, BENCH_CAP, BENCH_SCHEDULES and
// BENCH_EXHAUST_CAP change the effort; BENCH_PART=bugs|exhaust runs one table, BENCH_PART=search only the dfs and dpor
// columns of the bug table (what a footprint change can move).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plantedBugs, type PlantedBug } from '../../src/kernel/bugs.ts';
import { Rng } from '../../src/sched/rng.ts';
import { CovExplorer } from '../../src/sched/strategies/cov.ts';
import { DfsExplorer } from '../../src/sched/strategies/dfs.ts';
import { DporExplorer } from '../../src/sched/strategies/dpor.ts';
import { explore } from '../../src/script/explore.ts';
import { TraceCounting } from './traces.ts';
import { CASES, type Case } from './cases.ts';
import { calibratePctK, runScenario, type RunOptions, type RunResult } from '../../src/script/runner.ts';
import type { Scenario } from '../../src/script/scenario.ts';
import { loadScenario, tableScenarios } from './scenario-files.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SEEDS = Number(process.env.BENCH_SEEDS ?? 20);
const CAP = Number(process.env.BENCH_CAP ?? 300);
const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 5000);
/** runs per search in the exhaustive table */
const EXHAUST_CAP = Number(process.env.BENCH_EXHAUST_CAP ?? 10000);

/** Did this run show the bug? (for a determinism bug: does the same seed, run again, differ?) */
function failed(sc: Scenario, r: RunResult, opts: RunOptions, c: Case): boolean {
  if (r.failures.length) return true;
  if (!c.repeat) return false;
  const again = runScenario(sc, { ...opts, schedule: undefined, picks: r.picks });
  return again.hash !== r.hash || JSON.stringify(again.kernel.notes) !== JSON.stringify(r.kernel.notes);
}

/** Runs to the first failure from one base seed, or Infinity when none within CAP. */
function runsToFailure(sc: Scenario, c: Case, base: RunOptions, base0: number, strategy: string): number {
  const cov = strategy === 'cov' ? new CovExplorer(new Rng(`cov/${base0}`)) : null;
  for (let i = 1; i <= CAP; i++) {
    const opts: RunOptions = { ...base, seed: base0 * 100_003 + i, coverage: cov !== null || undefined, schedule: cov?.next() };
    const r = runScenario(sc, opts);
    if (failed(sc, r, opts, c)) return i;
    cov?.finish({ failed: false, picks: r.picks, coverage: r.coverage });
  }
  return Infinity;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const fmt = (x: number) => (x === Infinity ? `>${CAP}` : String(x));

function exhaustive(sc: Scenario, c: Case, bugs: string[], make: () => DfsExplorer | DporExplorer): string {
  const x = make();
  // dpor does not enumerate spurious wakeups (the CLI searches as dfs there)
  if (c.faults?.spuriousWakeups && x instanceof DporExplorer) return 'n/a';
  const r = explore(sc, x, { seed: 1, bugs, kernelPreemption: c.kernelPreemption, harts: c.harts, checkWakeDuties: c.checkWakeDuties, ...c.faults, maxSchedules: SCHEDULES });
  if (r.failure) return String(r.schedules);
  if (c.repeat && r.exhausted) return `exh ${r.schedules}*`;
  return r.exhausted ? `exh ${r.schedules}` : `>${SCHEDULES}`;
}

async function bugTable(lines: string[]): Promise<void> {
  const only = process.env.BENCH_BUGS?.split(',');
  lines.push('## Planted bugs: runs (schedules) to the first failure', '');
  lines.push(`Median / 90th percentile over ${SEEDS} base seeds, each capped at ${CAP} runs; dfs and dpor from seed 1, capped at ${SCHEDULES} runs ("exh N": the space was exhausted after N runs without a failure; bounded searches iterate the bound, so their runs include the earlier passes' re-runs). Under dfs and dpor, fault points are choice points with a budget of one fault per schedule (random, pct and cov draw faults from the seed); dpor does not enumerate spurious wakeups ("n/a"). PCT's bound is 1/(n·k^(d-1)): "bound" is the expected runs it guarantees, n·k^(d-1). k is calibrated per depth (the most choice points of a random run and up to 15 PCT runs at that depth, until six in a row add none), shown as d=1 / 2 / 3 where they differ.`, '');
  lines.push('| bug | scenario | n | k | random | pct d=1 | pct d=2 | pct d=3 | cov | pct bound d=1 / 2 / 3 | dfs P=0 | dfs P=1 | dfs P=2 | dpor P=2 | dpor |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [bug, c] of Object.entries(CASES) as [PlantedBug, Case][]) {
    if (only && !only.includes(bug)) continue;
    const sc = await loadScenario(c.scenario);
    const base: RunOptions = { seed: 0, bugs: [bug], kernelPreemption: c.kernelPreemption, harts: c.harts, checkWakeDuties: c.checkWakeDuties, ...c.faults };
    // k per depth: the calibration's PCT runs are at that depth (src/script/runner.ts)
    const ks = [1, 2, 3].map((d) => calibratePctK(sc, { ...base, pctDepth: d }));
    const probe = runScenario(sc, { ...base, seed: 1 });
    const n = probe.labels.size;
    const cells: string[] = [];
    for (const [strategy, depth] of [['random', 0], ['pct', 1], ['pct', 2], ['pct', 3], ['cov', 0]] as const) {
      const xs: number[] = [];
      for (let s = 1; s <= SEEDS; s++) {
        const opts: RunOptions = strategy === 'pct' ? { ...base, strategy, pctDepth: depth, pctK: ks[depth - 1] } : { ...base, strategy: 'random' };
        xs.push(runsToFailure(sc, c, opts, s, strategy));
      }
      cells.push(`${fmt(quantile(xs, 0.5))} / ${fmt(quantile(xs, 0.9))}`);
    }
    const bound = `${n} / ${n * ks[1]} / ${n * ks[2] * ks[2]}`;
    const k = ks[0] === ks[2] && ks[1] === ks[2] ? String(ks[2]) : ks.join(' / ');
    // fault points are choice points of dfs, with a budget of one fault per schedule
    const ex = [0, 1, 2].map((p) => exhaustive(sc, c, [bug], () => new DfsExplorer(p, [], c.faults ? 1 : 0)));
    ex.push(exhaustive(sc, c, [bug], () => new DporExplorer(2, [], c.faults ? 1 : 0)));
    ex.push(exhaustive(sc, c, [bug], () => new DporExplorer(Infinity, [], c.faults ? 1 : 0)));
    const flags = [c.kernelPreemption ? '--kernel-preempt' : '', c.harts ? `--harts ${c.harts}` : '', c.faults?.spuriousWakeups ? '--spurious-wakeups' : '', c.faults?.eintr ? '--eintr' : '', c.faults?.shortIo ? '--short-io' : '', c.checkWakeDuties ? '--check-wakes' : '', c.repeat ? '(repeat)' : ''].filter(Boolean).join(' ');
    lines.push(`| ${bug} | ${c.scenario}${flags ? ` ${flags}` : ''} | ${n} | ${k} | ${cells.join(' | ')} | ${bound} | ${ex.join(' | ')} |`);
    console.error(`${bug} done`);
  }
  lines.push('', '"*": a determinism bug; exhaustive search runs each schedule once and never repeats one, so it cannot see it.', '');
}

/** Only the exhaustive columns of the bug table (BENCH_PART=search): after a footprint change, the seeded columns cannot move. */
async function searchTable(lines: string[]): Promise<void> {
  const only = process.env.BENCH_BUGS?.split(',');
  lines.push('## Planted bugs: schedules to the first failure under dfs and dpor', '');
  lines.push('| bug | scenario | dfs P=0 | dfs P=1 | dfs P=2 | dpor P=2 | dpor |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const [bug, c] of Object.entries(CASES) as [PlantedBug, Case][]) {
    if (only && !only.includes(bug)) continue;
    const sc = await loadScenario(c.scenario);
    const ex = [0, 1, 2].map((p) => exhaustive(sc, c, [bug], () => new DfsExplorer(p, [], c.faults ? 1 : 0)));
    ex.push(exhaustive(sc, c, [bug], () => new DporExplorer(2, [], c.faults ? 1 : 0)));
    ex.push(exhaustive(sc, c, [bug], () => new DporExplorer(Infinity, [], c.faults ? 1 : 0)));
    lines.push(`| ${bug} | ${c.scenario} | ${ex.join(' | ')} |`);
    console.error(`${bug} done`);
  }
  lines.push('');
}

/** Bounded exhaustive search on the correct kernel: every acceptance and race scenario. */
async function exhaustTable(lines: string[]): Promise<void> {
  lines.push('## Bounded exhaustive search on the correct kernel', '');
  lines.push(`dfs: distinct schedules with at most P preemptions, exhausted (">N": the cap of ${EXHAUST_CAP} runs was reached first); "runs" counts every run, a bounded search re-running the schedules of its earlier passes (P = 0, 1, 2). dpor: runs until exhausted (re-runs and sleep-set-blocked runs included). "traces P=2": the Mazurkiewicz traces among dfs's schedules with at most 2 preemptions, under the footprints dpor uses (two schedules are one trace when they order every dependent pair of steps alike; bench/bugs/traces.ts); "dpor floor": the traces of each pass summed, the fewest runs a sound dpor with these footprints can make when it iterates the bound as dfs does. n is the number of tasks. The ratios compare runs with runs: dfs over dpor at P=2, and unbounded (every schedule).`, '');
  lines.push('| scenario | n | dfs P=0 | dfs P=1 | dfs P=2 | dfs P=2 runs | traces P=2 / dpor floor | dpor P=2 runs | dfs/dpor at P=2 | dfs (unbounded) | dpor (unbounded) | dfs/dpor unbounded |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const names = tableScenarios(true);
  const only = process.env.BENCH_SCENARIOS?.split(',');
  for (const name of names) {
    if (only && !only.includes(name)) continue;
    const sc = await loadScenario(name);
    const n = runScenario(sc, { seed: 1 }).labels.size;
    const cap = EXHAUST_CAP;
    const cell = (x: DfsExplorer | DporExplorer): [string, number, boolean] => {
      const r = explore(sc, x, { seed: 1, maxSchedules: cap });
      const tag = r.failure ? `FAIL@${r.schedules}` : r.exhausted ? String(r.schedules) : `>${cap}`;
      return [tag, r.schedules, r.exhausted];
    };
    const dfs = new DfsExplorer(2);
    // the same search, its runs observed with footprints: the traces among them (bench/bugs/traces.ts)
    const counted = new TraceCounting(dfs);
    const r = explore(sc, counted, { seed: 1, maxSchedules: cap });
    const traces = r.exhausted ? `${counted.upTo(2)} / ${counted.floor}` : '-';
    // a pass that did not finish is marked ">"
    const d = [0, 1, 2].map((b) => (r.failure ? `FAIL@${r.schedules}` : dfs.upTo[b] === undefined ? '-' : b < dfs.upTo.length - 1 || r.exhausted ? String(dfs.upTo[b]) : `>${dfs.upTo[b]}`));
    const p2 = cell(new DporExplorer(2));
    const un = cell(new DporExplorer());
    const ratio = r.exhausted && p2[2] ? (r.schedules / p2[1]).toFixed(1) + 'x' : p2[2] ? `>${(cap / p2[1]).toFixed(1)}x` : '-';
    // unbounded: only worth running dfs when dpor finished (else both are past the cap)
    const full = un[2] ? cell(new DfsExplorer()) : (['-', 0, false] as [string, number, boolean]);
    const ratioFull = !un[2] ? '-' : full[2] ? (full[1] / un[1]).toFixed(1) + 'x' : `>${(cap / un[1]).toFixed(1)}x`;
    lines.push(`| ${name} | ${n} | ${d.join(' | ')} | ${r.exhausted ? r.schedules : `>${cap}`} | ${traces} | ${p2[0]} | ${ratio} | ${full[0]} | ${un[0]} | ${ratioFull} |`);
    console.error(`${name} done`);
  }
  lines.push('');
}

const lines: string[] = ['# Bug-finding power (`npm run bench:bugs`)', ''];
if (process.env.BENCH_PART === 'search') await searchTable(lines);
else {
  if (process.env.BENCH_PART !== 'exhaust') await bugTable(lines);
  if (process.env.BENCH_PART !== 'bugs') await exhaustTable(lines);
}
const text = lines.join('\n');
if (!process.env.BENCH_BUGS && !process.env.BENCH_SCENARIOS && !process.env.BENCH_PART) writeFileSync(join(here, '../results/bugs.md'), text + '\n');
console.log(text);
void plantedBugs;
