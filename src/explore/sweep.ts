// A sweep: one scenario under a range of seeds with the same run flags,
// judged run by run, then summarised: failures grouped by signature, each
// group's smallest failing seed shrunk, distinct interleavings (trace
// hashes) and coverage counted. The summary depends only on the plan, never
// on how many workers ran it or in which order their results came back:
// outcomes are stored by seed and read in seed order, and stopping early
// (`stopAtFirst`, `maxFailures`) cuts at a seed, not at a moment.
// Sharding splits the seed range; `mergeSummaries` puts shards back
// together into exactly the summary of the whole range.
import type { Seed } from '../sched/rng.ts';
import { runScenario, type RunOptions, type RunResult } from '../script/runner.ts';
import type { Scenario } from '../script/scenario.ts';
import { failureReport } from './report.ts';
import { replayCommand, runArgs, type RunSpec } from './run-flags.ts';
import { DEFAULT_SHRINK_RUNS, shrinkFailure, type ShrinkOptions } from './shrink.ts';
import { classifyFailure, type FailureKind } from './signature.ts';
import { stuckMessage } from './watchdog.ts';

/** What one run contributes to a sweep. */
export interface RunOutcome {
  seed: number;
  hash: string;
  failure: FailureKind | null;
  /** coverage tuples the run reached, when the runner records any */
  coverage: string[] | null;
  /** the run's choice points (picks among two or more runnable tasks): PCT's k must be at least the longest */
  choicePoints?: number;
}

/** Where a sweep's share lies: shard `index` (1-based) of `total`. */
export interface Shard {
  index: number;
  total: number;
}

export interface SweepPlan {
  /** the scenario file as the user named it (replay commands name it) */
  file: string;
  /** every run flag but the seed: strategy and its parameters, bugs, checks, faults */
  spec: RunSpec;
  /** first seed and number of seeds of the whole sweep (before sharding) */
  from: number;
  count: number;
  shard?: Shard;
  /** stop at the first failing seed */
  stopAtFirst?: boolean;
  /** stop at the Nth failing seed */
  maxFailures?: number;
  /** shrink budget per failure group (maxRuns 0: no shrinking) */
  shrink?: ShrinkOptions;
  /** seeds whose runs a watchdog found stuck in a script (src/command.ts): reported, never run again */
  stuck?: readonly StuckSeed[];
}

/** A seed whose run the watchdog abandoned: its program `name` made no system call for `secs` seconds. */
export interface StuckSeed {
  seed: number;
  name: string;
  secs: number;
}

/** The outcome of a run the watchdog abandoned: a failure of its own kind, reported like any other. */
export function stuckOutcome(s: StuckSeed): RunOutcome {
  return { seed: s.seed, hash: 'stuck', failure: { kind: 'stuck', signature: `stuck: program '${s.name}'`, message: stuckMessage(s) }, coverage: null };
}

export interface ShrunkGroup {
  failure: string;
  before: { preemptions: number; switches: number; picks: number };
  after: { preemptions: number; switches: number; picks: number };
  picks: number[];
  runs: number;
  replay: string;
  /** the full failure report of the shrunk run */
  report: string[];
}

export interface FailureGroup {
  signature: string;
  kind: string;
  count: number;
  smallestSeed: number;
  /** the first failure line of the smallest seed's run */
  message: string;
  /** replays the smallest failing seed as found */
  replay: string;
  /** failing seeds, ascending */
  seeds: number[];
  shrunk: ShrunkGroup | null;
}

export interface SweepSummary {
  scenario: string;
  file: string;
  /** the strategy name and every run flag, as the command line spells them */
  strategy: string;
  flags: string[];
  /** candidate runs allowed to shrink each group (0: not shrunk) */
  shrinkRuns: number;
  /** the seed ranges run: [first, last] inclusive, ascending */
  ranges: [number, number][];
  runs: number;
  failures: number;
  /** distinct trace hashes, sorted */
  hashes: string[];
  /** distinct coverage tuples, sorted (null when the runner records none) */
  coverage: string[] | null;
  groups: FailureGroup[];
  /** set when the sweep stopped early: the seed it stopped after */
  stoppedAt: number | null;
  /** the most choice points of any run kept (0 when none was counted) */
  longestRun: number;
}

/** The seeds of one shard: contiguous, every seed in exactly one shard. */
export function shardRange(from: number, count: number, shard?: Shard): { from: number; count: number } {
  if (!shard) return { from, count };
  const lo = Math.floor(((shard.index - 1) * count) / shard.total);
  const hi = Math.floor((shard.index * count) / shard.total);
  return { from: from + lo, count: hi - lo };
}

/** Parses "i/n" (1 <= i <= n); null when malformed. */
export function parseShard(text: string): Shard | null {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) return null;
  const index = Number(m[1]);
  const total = Number(m[2]);
  return index >= 1 && total >= 1 && index <= total ? { index, total } : null;
}

export function runOptions(spec: RunSpec, seed: Seed): RunOptions {
  return { ...spec, seed };
}

function coverageOf(r: RunResult): string[] | null {
  // The coverage recorder (when present) hangs its tuples on the result.
  const c = (r as { coverage?: Iterable<string> }).coverage;
  return c ? [...c] : null;
}

export function outcomeOf(r: RunResult, seed: number): RunOutcome {
  return { seed, hash: r.hash, failure: classifyFailure(r), coverage: coverageOf(r), choicePoints: r.picks.length };
}

/** Runs seeds [from, from+count) in this thread. */
export function runSeeds(sc: Scenario, spec: RunSpec, from: number, count: number, stuck: readonly StuckSeed[] = []): RunOutcome[] {
  const out: RunOutcome[] = [];
  for (let s = from; s < from + count; s++) {
    const known = stuck.find((k) => k.seed === s);
    out.push(known ? stuckOutcome(known) : outcomeOf(runScenario(sc, runOptions(spec, s)), s));
  }
  return out;
}

/**
 * Where a sweep with these stop rules ends, given outcomes in seed order
 * (undefined = not run yet): the number of leading outcomes it keeps, or
 * null while that is not decided.
 */
export function cutoff(outcomes: readonly (RunOutcome | undefined)[], plan: Pick<SweepPlan, 'stopAtFirst' | 'maxFailures'>): number | null {
  const limit = plan.stopAtFirst ? 1 : plan.maxFailures;
  let failures = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i];
    if (o === undefined) return null;
    if (o.failure && limit !== undefined && ++failures >= limit) return i + 1;
  }
  return outcomes.length;
}

/** Groups, shrinks and counts the kept outcomes (in seed order). */
export function summarise(sc: Scenario, plan: SweepPlan, outcomes: readonly RunOutcome[], stopped: boolean): SweepSummary {
  const hashes = new Set<string>();
  let coverage: Set<string> | null = null;
  const groups = new Map<string, FailureGroup>();
  let failures = 0;
  let longestRun = 0;
  for (const o of outcomes) {
    longestRun = Math.max(longestRun, o.choicePoints ?? 0);
    // a run the watchdog abandoned (pool.ts) has no trace, and shrinking it would only get stuck again
    if (o.failure?.kind !== 'stuck') hashes.add(o.hash);
    if (o.coverage) {
      coverage ??= new Set();
      for (const c of o.coverage) coverage.add(c);
    }
    if (!o.failure) continue;
    failures++;
    const g = groups.get(o.failure.signature);
    if (g) {
      g.count++;
      g.seeds.push(o.seed);
      continue;
    }
    groups.set(o.failure.signature, {
      signature: o.failure.signature,
      kind: o.failure.kind,
      count: 1,
      smallestSeed: o.seed,
      message: o.failure.message,
      replay: replayCommand(plan.file, runOptions(plan.spec, o.seed)),
      seeds: [o.seed],
      shrunk: null,
    });
  }
  const shrinkRuns = plan.shrink?.maxRuns ?? DEFAULT_SHRINK_RUNS;
  if (shrinkRuns > 0) for (const g of groups.values()) if (g.kind !== 'stuck') g.shrunk = shrinkGroup(sc, plan, g.smallestSeed);
  const range = shardRange(plan.from, plan.count, plan.shard);
  const last = outcomes.length ? outcomes[outcomes.length - 1].seed : range.from - 1;
  return {
    scenario: sc.name,
    file: plan.file,
    strategy: plan.spec.strategy ?? 'random',
    flags: runArgs(plan.spec),
    shrinkRuns,
    ranges: outcomes.length ? [[range.from, last]] : [],
    runs: outcomes.length,
    failures,
    hashes: [...hashes].sort(),
    coverage: coverage ? [...coverage].sort() : null,
    groups: sortGroups([...groups.values()]),
    stoppedAt: stopped ? last : null,
    longestRun,
  };
}

const sortGroups = (gs: FailureGroup[]) => gs.sort((a, b) => a.smallestSeed - b.smallestSeed || (a.signature < b.signature ? -1 : 1));

function shrinkGroup(sc: Scenario, plan: SweepPlan, seed: number): ShrunkGroup {
  const opts = runOptions(plan.spec, seed);
  const found = runScenario(sc, { ...opts, recordText: true });
  const s = shrinkFailure(sc, opts, found, plan.shrink);
  const a = s.after.figures;
  return {
    failure: s.after.result.failures[0]?.split('\n')[0] ?? '',
    before: { preemptions: s.before.preemptions, switches: s.before.switches, picks: s.before.picks },
    after: { preemptions: a.preemptions, switches: a.switches, picks: a.length },
    picks: s.after.picks,
    runs: s.runs,
    replay: replayCommand(plan.file, s.replay),
    report: failureReport({ file: plan.file, scenario: sc, opts, found, shrunk: s }),
  };
}

export interface SweepProgress {
  done: number;
  failures: number;
  total: number;
}

/** Runs outcomes for a plan's seeds, in chunks, on some executor; see runSweep. */
export type ChunkRunner = (from: number, count: number) => Promise<RunOutcome[]>;

/**
 * Runs the plan: chunks of seeds go to `runners` (one per worker) as they
 * free up, and to the `later` runners too once they arrive (workers started
 * mid-sweep; it need never resolve); nothing past a
 * decided cut-off is started. Returns the kept outcomes in seed order and
 * whether the sweep stopped early.
 */
export async function collect(
  plan: SweepPlan,
  runners: readonly ChunkRunner[],
  onProgress?: (p: SweepProgress) => void,
  later?: Promise<readonly ChunkRunner[]>,
): Promise<{ outcomes: RunOutcome[]; stopped: boolean }> {
  const { from, count } = shardRange(plan.from, plan.count, plan.shard);
  const outcomes: (RunOutcome | undefined)[] = new Array(count).fill(undefined);
  const chunk = Math.max(1, Math.min(50, Math.ceil(count / (Math.max(runners.length, later ? 2 : 1) * 8))));
  let next = 0;
  let done = 0;
  let failures = 0;
  let cut: number | null = null;
  async function drive(run: ChunkRunner): Promise<void> {
    while (next < count && (cut === null || next < cut)) {
      const at = next;
      const n = Math.min(chunk, count - at);
      next += n;
      const got = await run(from + at, n);
      for (let i = 0; i < n; i++) outcomes[at + i] = got[i];
      done += n;
      failures += got.filter((o) => o.failure).length;
      cut = bound(outcomes, plan);
      onProgress?.({ done, failures, total: count });
    }
  }
  // Runners that arrive late join while chunks are left; once none are, only their chunks in flight are awaited.
  const joined: Promise<void>[] = [];
  void later?.then((rs) => {
    for (const r of rs) joined.push(drive(r));
  });
  await Promise.all(runners.map(drive));
  await Promise.all(joined);
  const keep = cutoff(outcomes, plan) ?? count;
  return { outcomes: outcomes.slice(0, keep) as RunOutcome[], stopped: keep < count };
}

/**
 * A bound on the cut-off from the failures seen so far: the sweep cannot
 * keep anything past its limit-th known failure (unknown seeds before it
 * can only bring the cut earlier), so no chunk past it need start.
 */
function bound(outcomes: readonly (RunOutcome | undefined)[], plan: SweepPlan): number | null {
  const limit = plan.stopAtFirst ? 1 : plan.maxFailures;
  if (limit === undefined) return null;
  let failures = 0;
  for (let i = 0; i < outcomes.length; i++) if (outcomes[i]?.failure && ++failures >= limit) return i + 1;
  return null;
}

/**
 * Combines the summaries of shards of one sweep (same scenario, flags and
 * shrink budget) into the summary of the whole: ranges joined, hashes and
 * coverage united, groups merged by signature (counts added, the smallest
 * seed's shrunk schedule kept).
 */
export function mergeSummaries(parts: readonly SweepSummary[]): SweepSummary {
  if (parts.length === 0) throw new Error('nothing to merge');
  const first = parts[0];
  for (const p of parts) {
    if (p.scenario !== first.scenario || p.flags.join(' ') !== first.flags.join(' ') || p.shrinkRuns !== first.shrinkRuns) {
      throw new Error(`cannot merge a sweep of ${p.scenario} (${p.flags.join(' ')}) with one of ${first.scenario} (${first.flags.join(' ')})`);
    }
  }
  const hashes = new Set<string>();
  let coverage: Set<string> | null = null;
  const groups = new Map<string, FailureGroup>();
  const ranges: [number, number][] = [];
  let runs = 0;
  let failures = 0;
  let stoppedAt: number | null = null;
  let longestRun = 0;
  for (const p of parts) {
    longestRun = Math.max(longestRun, p.longestRun ?? 0);
    for (const h of p.hashes) hashes.add(h);
    if (p.coverage) {
      coverage ??= new Set();
      for (const c of p.coverage) coverage.add(c);
    }
    ranges.push(...p.ranges);
    runs += p.runs;
    failures += p.failures;
    if (p.stoppedAt !== null) stoppedAt = Math.max(stoppedAt ?? p.stoppedAt, p.stoppedAt);
    for (const g of p.groups) {
      const have = groups.get(g.signature);
      if (!have) {
        groups.set(g.signature, { ...g, seeds: [...g.seeds] });
        continue;
      }
      have.count += g.count;
      have.seeds = [...have.seeds, ...g.seeds].sort((a, b) => a - b);
      if (g.smallestSeed < have.smallestSeed) Object.assign(have, { ...g, count: have.count, seeds: have.seeds });
    }
  }
  return {
    ...first,
    ranges: joinRanges(ranges),
    runs,
    failures,
    hashes: [...hashes].sort(),
    coverage: coverage ? [...coverage].sort() : null,
    groups: sortGroups([...groups.values()]),
    stoppedAt,
    longestRun,
  };
}

function joinRanges(rs: [number, number][]): [number, number][] {
  const sorted = rs.map((r) => [...r] as [number, number]).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    // The same seed twice would be counted twice: these are not shards of one sweep.
    if (last && r[0] <= last[1]) throw new Error(`the results overlap (seeds ${r[0]}..${Math.min(r[1], last[1])} appear twice)`);
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}
