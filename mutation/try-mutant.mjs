// Applies one mutant from a Stryker JSON report to the working tree, runs the
// given test files on it (in the mutation profile), and restores the file:
//   node mutation/try-mutant.mjs reports/mutation/files/X.json <mutant id> properties/rng.test.ts ...
// Prints "killed" (the tests failed) or "survived". For checking that a new
// property kills a survivor without rerunning Stryker; the score still comes
// from Stryker's own (incremental) rerun.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const [reportPath, id, ...tests] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
let found = null;
for (const [file, r] of Object.entries(report.files)) {
  const m = r.mutants.find((x) => x.id === id);
  if (m) found = { file, m, source: r.source };
}
if (!found) throw new Error(`no mutant ${id} in ${reportPath}`);
const { file, m } = found;
const original = readFileSync(file, 'utf8');
if (original !== found.source) throw new Error(`${file} changed since the report: apply by hand`);
const lines = original.split('\n');
const offset = (pos) => lines.slice(0, pos.line - 1).reduce((n, l) => n + l.length + 1, 0) + pos.column - 1;
const mutated = original.slice(0, offset(m.location.start)) + m.replacement + original.slice(offset(m.location.end));
writeFileSync(file, mutated);
let verdict;
try {
  execFileSync('npx', ['vitest', 'run', '--bail', '1', ...tests], { env: { ...process.env, UNIXSIM_MUTATE: '1' }, stdio: 'ignore' });
  verdict = 'survived';
} catch {
  verdict = 'killed';
} finally {
  writeFileSync(file, original);
}
console.log(`${file}:${m.location.start.line} ${m.mutatorName} ${JSON.stringify(m.replacement)}: ${verdict}`);
