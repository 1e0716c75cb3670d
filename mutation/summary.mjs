// Per-file and per-folder figures from Stryker JSON reports:
//   node mutation/summary.mjs reports/mutation/files/*.json
// A file in several reports counts from the last one given. Score as
// Stryker's: (killed + timeout) / (killed + timeout + survived + no coverage);
// compile and runtime errors are not mutants of the program.
// With --survivors, lists each survivor: file:line, mutator, replacement.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

const args = process.argv.slice(2);
const listSurvivors = args.includes('--survivors');
const files = new Map();
for (const path of args.filter((a) => !a.startsWith('--'))) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const [file, r] of Object.entries(report.files)) files.set(file, r.mutants);
}
const KINDS = ['Killed', 'Survived', 'Timeout', 'NoCoverage', 'CompileError', 'RuntimeError', 'Ignored'];
const count = (mutants) => Object.fromEntries(KINDS.map((k) => [k, mutants.filter((m) => m.status === k).length]));
const score = (c) => {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage;
  return valid ? `${((100 * (c.Killed + c.Timeout)) / valid).toFixed(1)}%` : 'n/a';
};
const row = (name, c) => `| ${name} | ${c.Killed} | ${c.Survived} | ${c.Timeout} | ${c.NoCoverage} | ${c.CompileError} | ${score(c)} |`;
console.log('| file | killed | survived | timeout | no coverage | compile errors | score |');
console.log('|---|---|---|---|---|---|---|');
const folders = new Map();
for (const [file, mutants] of [...files].sort()) {
  const c = count(mutants);
  console.log(row(file, c));
  const dir = dirname(file);
  const f = folders.get(dir) ?? Object.fromEntries(KINDS.map((k) => [k, 0]));
  for (const k of KINDS) f[k] += c[k];
  folders.set(dir, f);
}
for (const [dir, c] of folders) console.log(row(`**${dir}/** (files above)`, c));
if (listSurvivors) {
  for (const [file, mutants] of [...files].sort()) {
    for (const m of mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')) {
      console.log(`${m.status === 'NoCoverage' ? 'NOCOV ' : ''}${file}:${m.location.start.line} ${m.mutatorName}: ${JSON.stringify(m.replacement ?? '')}`);
    }
  }
}
