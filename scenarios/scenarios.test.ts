// Every scenario under scenarios/: a sweep of seeds under the random and
// pct strategies must pass (the deadlock scenario must deadlock, with a
// report naming both sleepers and their queues), and every run must be
// deterministic: the same seed twice gives the same hash and the same text
// trace, and replaying the recorded picks gives the same hash again.
// The race stories get a longer sweep: 600 random and 150 pct seeds each by
// default, UNIXSIM_RACE_SEEDS=N random (and N/10 pct) for a deeper one.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../src/explore/run-flags.ts';
import { runScenario, type RunResult, type StrategyName } from '../src/script/runner.ts';
import { scenarioProblem, type Scenario } from '../src/script/scenario.ts';
import { renderText } from '../src/sched/trace.ts';
import { DfsExplorer } from '../src/sched/strategies/dfs.ts';
import { explore } from '../src/script/explore.ts';
import { sweepSeeds } from '../properties/lib/profile.ts';

const DIR = dirname(fileURLToPath(import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .sort();
/** Scenarios that must end in a deadlock (their failure is the point). */
const EXPECTED_DEADLOCK = new Set(['deadlock-pipes.ts']);

const SCENARIOS: [string, Scenario][] = [];
for (const f of FILES) {
  const mod = (await import(join(DIR, f))) as { default: unknown };
  const problem = scenarioProblem(mod.default);
  if (problem) throw new Error(`scenarios/${f}: ${problem}`);
  SCENARIOS.push([f, mod.default as Scenario]);
}

const QUICK = { random: sweepSeeds(200), pct: sweepSeeds(50) } as const;
const SLOW_RANDOM = Number(process.env.UNIXSIM_RACE_SEEDS ?? sweepSeeds(600));
const SLOW_PCT = Math.max(sweepSeeds(150), Math.floor(SLOW_RANDOM / 10));

/** Runs seeds from..n; returns the failing runs described with their replay commands (at most 5). */
function sweep(file: string, sc: Scenario, strategy: StrategyName, n: number, judge: (r: RunResult) => string | null, from = 1): string[] {
  const bad: string[] = [];
  for (let seed = from; seed <= n && bad.length < 5; seed++) {
    const r = runScenario(sc, { seed, strategy, checkInvariants: true });
    const why = judge(r);
    if (why) bad.push(`seed ${seed} (${strategy}): ${why}\n    replay: ${replayCommand(`scenarios/${file}`, { seed, strategy, checkInvariants: true })}`);
  }
  return bad;
}

const mustPass = (r: RunResult) => (r.failures.length ? r.failures.join('; ') : null);

/** The deadlock report must name both sleepers by pid and the pipe queue each sleeps on. */
export function deadlockReportProblem(r: RunResult): string | null {
  if (r.end.kind !== 'deadlock') return `expected a deadlock, the run ended ${r.end.kind}: ${r.failures.join('; ')}`;
  const note = (key: string) => r.kernel.notes.find((n) => n.key === key)?.value;
  const toChild = `pipe:[${String(note('toChild ino'))}] readers`;
  const toParent = `pipe:[${String(note('toParent ino'))}] readers`;
  const text = r.failures.join('\n');
  const want = [`pid 1 (parent) sleeps on ${toParent}`, `pid 2 (child) sleeps on ${toChild}`, 'deadlock'];
  const missing = want.filter((w) => !text.includes(w));
  return missing.length ? `report ${JSON.stringify(text)} lacks ${JSON.stringify(missing)}` : null;
}

describe.each(SCENARIOS)('scenarios/%s', (file, sc) => {
  const judge = EXPECTED_DEADLOCK.has(file) ? deadlockReportProblem : mustPass;
  const what = EXPECTED_DEADLOCK.has(file) ? 'deadlocks, naming both sleepers and queues,' : 'passes';

  it(`${what} under ${QUICK.random} random and ${QUICK.pct} pct seeds`, () => {
    const bad = [...sweep(file, sc, 'random', QUICK.random, judge), ...sweep(file, sc, 'pct', QUICK.pct, judge)];
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('is deterministic: same seed, same hash and text trace; replayed picks, same hash', () => {
    for (const seed of [1, 7, 'determinism']) {
      for (const strategy of ['random', 'pct'] as const) {
        const a = runScenario(sc, { seed, strategy, recordText: true });
        const b = runScenario(sc, { seed, strategy, recordText: true });
        expect(b.hash, `seed ${seed} ${strategy}`).toBe(a.hash);
        expect(renderText(b.events)).toBe(renderText(a.events));
        expect(b.picks).toEqual(a.picks);
        // a different seed's strategy after the recorded picks must not matter: the picks decide everything
        const c = runScenario(sc, { seed: `other-${seed}`, strategy, picks: a.picks });
        expect(c.hash, `replaying ${a.picks.length} picks of seed ${seed} ${strategy}`).toBe(a.hash);
        expect(c.failures).toEqual(a.failures);
      }
    }
  });
});

const RACES = SCENARIOS.filter(([f]) => f.startsWith('race-'));

describe.each(RACES)('race story scenarios/%s, long sweep', (file, sc) => {
  // seeds 1..QUICK ran in the quick sweep above already, with the same options
  it(`passes ${SLOW_RANDOM} random seeds and ${SLOW_PCT} pct seeds`, () => {
    const bad = [...sweep(file, sc, 'random', SLOW_RANDOM, mustPass, QUICK.random + 1), ...sweep(file, sc, 'pct', SLOW_PCT, mustPass, QUICK.pct + 1)];
    expect(bad, bad.join('\n')).toEqual([]);
  });
});

// The CVE gallery (scenarios/cve/): each planted variant fails on its
// recorded shrunk schedule, and the fixed kernel passes a few seeds and a
// small exhaustive search (bench/bugs measures how fast each strategy finds
// the variants; README has the table).
const CVE_DIR = join(DIR, 'cve');
const CVES: { file: string; bug: string; picks: number[]; failure: string }[] = [
  { file: 'cve-2021-0920.ts', bug: 'gc-peek-no-lock', picks: [4194304, 4194304, 1], failure: 'a live queue purged' },
  { file: 'cve-2026-23394.ts', bug: 'gc-peek-no-seqcount', picks: [4194304, 4194304, 1], failure: 'a live queue purged' },
  { file: 'cve-2024-26923.ts', bug: 'gc-connect-no-listener-lock', picks: [...Array(15).fill(2), ...Array(19).fill(4194304), 1], failure: 'is counted in flight' },
  { file: 'cve-2024-36972.ts', bug: 'oob-skb-no-queue-lock', picks: [1, 1, 4194304], failure: 'use of a released message' },
];

describe.each(CVES)('CVE gallery scenarios/cve/$file', ({ file, bug, picks, failure }) => {
  it(`--bug ${bug} fails on its shrunk schedule; the fixed kernel passes seeds and dfs at one preemption`, async () => {
    const sc = ((await import(join(CVE_DIR, file))) as { default: Scenario }).default;
    expect(scenarioProblem(sc)).toBeNull();
    const bad = runScenario(sc, { seed: 1, strategy: 'keep', picks, bugs: [bug] });
    expect(bad.failures.join('\n')).toContain(failure);
    // the fixed kernel on that same schedule: a fix taken out (a mutant of it) fails here, where a sweep seldom finds the window
    const fixed = runScenario(sc, { seed: 1, strategy: 'keep', picks });
    expect(fixed.failures).toEqual([]);
    const bad2 = [...sweep(`cve/${file}`, sc, 'random', 5, mustPass), ...sweep(`cve/${file}`, sc, 'pct', 3, mustPass)];
    expect(bad2, bad2.join('\n')).toEqual([]);
    const r = explore(sc, new DfsExplorer(1), { seed: 1, maxSchedules: 100 });
    expect(r.exhausted && !r.failure, r.failure?.failures.join('; ')).toBe(true);
  });
});
