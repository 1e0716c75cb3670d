// The before/after check of a change that must not change any run (a
// speed-up): records the trace hash, steps, virtual time and result of
// every scenario (scenarios/ and scenarios/cve/: seeds 1-3, random and pct,
// plain, --kernel-preempt and --harts 2; then spurious wakeups, EINTR, short
// I/O, all three, a string seed, and the invariant and wake-duty checks) and
// every guest program (guest/bin and the glibc test programs, built with
// riscv64-linux-gnu-gcc when it is installed: two seeds, both strategies,
// the three kernel modes, both engines), one line per run. It imports the
// simulator of the tree it is run from, so the same script records any
// checkout, e.g. a `git archive` of main unpacked beside this one:
//
//   (cd /tmp/main && npx tsx $OLDPWD/scripts/trace-hashes.ts /tmp/before.txt)
//   npx tsx scripts/trace-hashes.ts /tmp/after.txt && cmp /tmp/before.txt /tmp/after.txt
//
// Every line must be the same. It takes a few minutes (about 2,000 runs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
const out = process.argv[2];
if (!out) {
  console.error('usage: npx tsx scripts/trace-hashes.ts OUT (run from the root of the tree to record)');
  process.exit(2);
}
const load = (rel: string) => import(pathToFileURL(join(root, rel)).href);
const { runScenario } = await load('src/script/runner.ts');
const { execImage } = await load('src/exec.ts');

const MODES = [{ name: 'plain' }, { name: 'kp', kernelPreemption: true }, { name: 'h2', harts: 2 }];
const FAULTS = [
  { name: 'spurious', spuriousWakeups: true }, { name: 'eintr', eintr: true }, { name: 'shortio', shortIo: true },
  { name: 'all3', spuriousWakeups: true, eintr: true, shortIo: true }, { name: 'strseed' },
  { name: 'inv', checkInvariants: true, checkWakeDuties: true },
];
const lines: string[] = [];

/** One run's line: what must not change, or the one-line error it threw. */
function record(label: string, run: () => string): void {
  let line: string;
  try {
    line = run();
  } catch (e) {
    line = `THROW ${(e as Error).message.slice(0, 200)}`;
  }
  lines.push(`${label}: ${line}`);
}

const scenarioLine = (r: { hash: string; steps: number; time: number; end: { kind: string }; failures: string[] }) =>
  `${r.hash} steps=${r.steps} time=${r.time} end=${r.end.kind} fail=${JSON.stringify(r.failures).slice(0, 200)}`;

for (const dir of ['scenarios', 'scenarios/cve']) {
  for (const f of readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) {
    const sc = (await load(`${dir}/${f}`)).default;
    for (const strategy of ['random', 'pct']) {
      for (const seed of [1, 2, 3]) {
        for (const m of MODES) {
          record(`scenario ${dir}/${f} ${strategy} ${seed} ${m.name}`, () =>
            scenarioLine(runScenario(sc, { seed, strategy, kernelPreemption: m.kernelPreemption, harts: m.harts })));
        }
      }
    }
    for (const seed of [1, 2, 3]) {
      for (const { name, ...opts } of FAULTS) {
        record(`scenario ${dir}/${f} ${seed} ${name}`, () => scenarioLine(runScenario(sc, { seed: name === 'strseed' ? `s${seed}` : seed, ...opts })));
      }
    }
  }
}

// The guest programs: the committed ones, and the glibc test programs built afresh (never committed).
const programs = readdirSync(join(root, 'guest/bin')).sort().map((f) => join(root, 'guest/bin', f));
const built = mkdtempSync(join(tmpdir(), 'unixsim-hashes-'));
const glibcSrc = join(root, 'test/guest/glibc');
if (spawnSync('riscv64-linux-gnu-gcc', ['--version']).status === 0) {
  for (const c of readdirSync(glibcSrc).filter((f) => f.endsWith('.c')).sort()) {
    const exe = join(built, c.slice(0, -2));
    const r = spawnSync('riscv64-linux-gnu-gcc', ['-static', '-O2', '-o', exe, join(glibcSrc, c)]);
    if (r.status !== 0) throw new Error(`building ${c} failed:\n${r.stderr.toString()}`);
    programs.push(exe);
  }
} else {
  console.error('riscv64-linux-gnu-gcc not found: the glibc test programs are left out');
}
for (const p of programs) {
  const image = new Uint8Array(readFileSync(p));
  const name = p.split('/').pop()!;
  const args = name === 'pingpong' ? ['300'] : name === 'stdio' ? ['alpha', 'beta gamma'] : [];
  for (const strategy of ['random', 'pct']) {
    for (const seed of [1, 2]) {
      for (const m of MODES) {
        for (const jit of m.name === 'plain' ? [true, false] : [true]) {
          record(`guest ${name} ${strategy} ${seed} ${m.name} jit=${jit}`, () => {
            // the same path in every checkout: the guest sees it (argv[0], /proc/self/exe), so it is in the hash
            const r = execImage(`/guest/${name}`, image, { seed, strategy, args, kernelPreemption: m.kernelPreemption, harts: m.harts, jit, maxInstructions: 400_000_000 });
            return `${r.hash} steps=${r.steps} time=${r.time} status=${r.status} problem=${r.problem} out=${r.stdout.length}`;
          });
        }
      }
    }
  }
}
rmSync(built, { recursive: true, force: true });
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`${lines.length} runs -> ${out}`);
