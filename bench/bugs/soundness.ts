// `tsx bench/bugs/soundness.ts [scenario ...]`: does dpor run a schedule of
// every Mazurkiewicz trace that dfs runs? For each scenario and each bound
// in BENCH_BOUNDS (default 0,1,2; "inf" for unbounded), dfs and dpor both
// run with footprints recorded, every complete run is named by its Foata
// normal form (bench/bugs/traces.ts), and the traces dfs reached that dpor
// never did are counted. A trace dpor skips means a footprint called two
// steps independent whose order changes what one of them does (as a put
// that only read its file did), or the search itself lost it.
import { DfsExplorer } from '../../src/sched/strategies/dfs.ts';
import { DporExplorer } from '../../src/sched/strategies/dpor.ts';
import { traceSet } from './traces.ts';
import { loadScenario, tableScenarios } from './scenario-files.ts';

const CAP = Number(process.env.BENCH_CAP ?? 20000);
const bounds = (process.env.BENCH_BOUNDS ?? '0,1,2').split(',').map((b) => (b === 'inf' ? Infinity : Number(b)));
const args = process.argv.slice(2);
const names = args.length ? args : tableScenarios();
console.log('| scenario | P | dfs runs | dfs traces | dpor runs | traces dpor missed |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const name of names) {
  const sc = await loadScenario(name);
  for (const p of bounds) {
    const d = traceSet(sc, new DfsExplorer(p), CAP);
    const x = traceSet(sc, new DporExplorer(p), CAP);
    const missed = [...d.seen].filter((t) => !x.seen.has(t)).length;
    const cap = (t: { runs: number; exhausted: boolean }) => `${t.exhausted ? '' : '>'}${t.runs}`;
    console.log(`| ${name} | ${p === Infinity ? 'inf' : p} | ${cap(d)} | ${d.seen.size} | ${cap(x)} | ${d.exhausted && x.exhausted ? missed : `${missed} (not exhausted)`} |`);
  }
}
