// `tsx bench/bugs/classes.ts [scenario ...]`: how far partial-order
// reduction could go with the footprints as they are. Runs dfs P=2 with
// footprints recorded and counts the Mazurkiewicz traces among its
// schedules (bench/bugs/traces.ts), beside dpor P=2's runs. The exhaustive
// table of `npm run bench:bugs` has the same columns; this is the quick look.
import { DfsExplorer } from '../../src/sched/strategies/dfs.ts';
import { DporExplorer } from '../../src/sched/strategies/dpor.ts';
import { explore } from '../../src/script/explore.ts';
import { TraceCounting } from './traces.ts';
import { loadScenario, tableScenarios } from './scenario-files.ts';

const CAP = Number(process.env.CLASSES_CAP ?? 10000);

const args = process.argv.slice(2);
const names = args.length ? args : tableScenarios();
console.log('| scenario | dfs P=2 runs | traces P=0 / 1 / 2 | dpor floor | dfs / floor | dpor P=2 runs |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const name of names) {
  const sc = await loadScenario(name);
  const counted = new TraceCounting(new DfsExplorer(2));
  const r = explore(sc, counted, { seed: 1, maxSchedules: CAP });
  const d = explore(sc, new DporExplorer(2), { seed: 1, maxSchedules: CAP });
  const per = [0, 1, 2].map((p) => counted.upTo(p)).join(' / ');
  console.log(`| ${name} | ${r.exhausted ? '' : '>'}${r.schedules} | ${per} | ${counted.floor} | ${(r.schedules / counted.floor).toFixed(1)}x | ${d.exhausted ? '' : '>'}${d.schedules} |`);
}
