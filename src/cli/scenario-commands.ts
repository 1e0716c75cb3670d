// The scenario commands: run, replay, sweep (seeds, dfs/dpor, cov) and
// merge. Loaded by src/cli.ts only when one of them is asked for.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { runPlan } from '../explore/pool.ts';
import { progressLine } from '../explore/progress.ts';
import { failureReport } from '../explore/report.ts';
import { replayCommand, type RunSpec } from '../explore/run-flags.ts';
import { shrinkFailure } from '../explore/shrink.ts';
import { exploreShard, mergeExploreShards, verdictOf, type ShardedExploreResult } from '../explore/subtree-search.ts';
import { sweepText } from '../explore/sweep-report.ts';
import { mergeSummaries, parseShard, summarise, type StuckSeed, type SweepPlan, type SweepProgress, type SweepSummary } from '../explore/sweep.ts';
import { Rng } from '../sched/rng.ts';
import { CovExplorer } from '../sched/strategies/cov.ts';
import { DfsExplorer } from '../sched/strategies/dfs.ts';
import { DporExplorer } from '../sched/strategies/dpor.ts';
import { explore } from '../script/explore.ts';
import { calibratePctK, runScenario, type RunOptions, type RunResult } from '../script/runner.ts';
import type { Scenario } from '../script/scenario.ts';
import { loadScenarioFile, ScenarioLoadError } from '../script/loader.ts';
import { DEFAULT_SCENARIO, UsageError, nonNegativeInt, positiveInt, shrinkRunsOf, traceFormatOf, type Flags } from './flags.ts';
import { checkTraceOut, renderTrace, writeTraceOut } from './trace-out.ts';

/** Loads a scenario module; throws UsageError with a one-line message naming the file (src/script/loader.ts). */
export async function loadScenario(file: string): Promise<Scenario> {
  try {
    return await loadScenarioFile(file);
  } catch (e) {
    if (e instanceof ScenarioLoadError) throw new UsageError(e.message);
    throw e;
  }
}

/** A passing run in one line; a failing one as the full report, its schedule shrunk. */
function report(file: string, sc: Scenario, r: RunResult, opts: RunOptions, out: (s: string) => void, shrinkRuns?: number): void {
  if (r.failures.length === 0) {
    out(`${r.scenario}: passed (seed ${r.seed}, ${r.strategy}, ${r.steps} steps, ${r.time} ticks, trace ${r.hash})`);
    return;
  }
  const shrunk = shrinkFailure(sc, opts, r, { maxRuns: shrinkRuns });
  for (const l of failureReport({ file, scenario: sc, opts, found: r, shrunk })) out(l);
}

/** Bytes in, whole lines out (UTF-8 split anywhere); `end` gives the last line even without its newline. */
function lineSink(line: (s: string) => void): { write(b: Uint8Array): void; end(): void } {
  const dec = new TextDecoder();
  let partial = '';
  return {
    write(b) {
      const lines = (partial + dec.decode(b, { stream: true })).split('\n');
      partial = lines.pop()!;
      for (const l of lines) line(l);
    },
    end() {
      partial += dec.decode();
      if (partial) line(partial);
      partial = '';
    },
  };
}

export async function cmdRun(f: Flags, forceText: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const file = f.positional[0];
  if (!file) throw new UsageError('missing scenario FILE');
  if (f.run.seed === undefined && forceText) throw new UsageError('replay needs --seed');
  const trace = traceFormatOf(f.trace ?? (forceText ? 'text' : undefined));
  checkTraceOut(f.traceOut);
  const sc = await loadScenario(file);
  const opts: RunOptions = { ...f.run, seed: f.run.seed ?? 1 };
  // A trace on stdout is all that goes there: the rest goes to stderr.
  const rest = trace && !f.traceOut ? err : out;
  // The programs' stdout reaches the user line by line as they write it, not when the run ends.
  const stdout = lineSink(rest);
  const r = runScenario(sc, { ...opts, recordText: trace !== undefined || undefined }, { output: (w) => w.stream === 'stdout' && stdout.write(w.bytes) });
  stdout.end();
  if (trace) {
    const meta = { seed: String(r.seed), strategy: r.strategy, replay: replayCommand(file, opts), hash: r.hash, scenario: r.scenario };
    const rendered = renderTrace(trace, r.events, r.labels, f, meta);
    if (f.traceOut) writeTraceOut(f.traceOut, rendered);
    else out(rendered.trimEnd());
  }
  const unknown = r.kernel.describeUnknownSyscalls();
  if (unknown) rest(`unknown syscalls (ENOSYS): ${unknown}`);
  report(file, sc, r, opts, rest, shrinkRunsOf(f));
  return r.failures.length ? 1 : 0;
}

/** How a sweep shows its progress (stderr): a redrawn bar on a TTY, a plain line every few seconds otherwise. */
export interface ProgressSink {
  tty: boolean;
  write(s: string): void;
}

/** `sweep --strategy dfs|dpor`: every schedule within the bound, or the first failure. */
async function cmdExplore(f: Flags, out: (s: string) => void): Promise<number> {
  const file = f.positional[0] ?? DEFAULT_SCENARIO;
  const sc = await loadScenario(file);
  const bound = f.preemptions === undefined ? Infinity : nonNegativeInt(f.preemptions, '--preemptions');
  const explorer = f.explorer === 'dpor' ? new DporExplorer(bound) : new DfsExplorer(bound);
  const opts = { ...f.run, seed: f.run.seed ?? 1, maxSchedules: f.maxSchedules === undefined ? undefined : positiveInt(f.maxSchedules, '--max-schedules') };
  if (f.shard !== undefined) {
    const shard = parseShard(f.shard);
    if (shard === null) throw new UsageError('--shard must be I/N with 1 <= I <= N');
    const r = exploreShard(sc, f.explorer === 'dpor' ? 'dpor' : 'dfs', bound, opts, shard, [JSON.stringify({ ...opts, bound: String(bound) })]);
    if (f.json) out(JSON.stringify({ ...r, file }));
    else for (const l of exploreShardText(r, file)) out(l);
    return verdictOf(r).failure ? 1 : 0;
  }
  const t0 = performance.now();
  const r = explore(sc, explorer, opts);
  const secs = (performance.now() - t0) / 1000;
  const within = bound === Infinity ? '' : ` with <= ${bound} preemption${bound === 1 ? '' : 's'}`;
  const bugs = opts.bugs ?? [];
  out(`${sc.name}: ${explorer.describe}${bugs.length ? `, bugs ${bugs.join(',')}` : ''}`);
  if (r.failure) {
    out(`  FAILED at schedule ${r.schedules}: ${r.failure.failures[0].split('\n')[0]}`);
    out(`    replay: ${replayCommand(file, { ...opts, strategy: undefined, picks: r.failure.picks })}`);
  } else if (r.capped) {
    out(`  stopped after ${r.schedules} schedules (--max-schedules ${opts.maxSchedules}): NOT exhausted, no failure so far`);
  } else {
    const distinct = explorer instanceof DfsExplorer ? explorer.distinct : r.schedules;
    out(`  exhausted: ${distinct} schedules${within}, all passed${distinct !== r.schedules ? ` (${r.schedules} runs: each pass re-runs the schedules of the passes before)` : ''}`);
  }
  out(`  schedules/s: ${(r.schedules / secs).toFixed(0)}`);
  return r.failure ? 1 : 0;
}

/** The text of a sharded (or merged) dfs/dpor search: per-subtree counts, then the verdict. */
function exploreShardText(r: ShardedExploreResult & { file?: string }, file = r.file ?? r.scenario): string[] {
  const v = verdictOf(r);
  const shards = r.shards.length === r.shards[0].total ? `all ${r.shards[0].total} shards` : `shard ${r.shards.map((s) => `${s.index}/${s.total}`).join(',')}`;
  const lines = [`${r.scenario}: ${r.explorer}, ${shards}: ${r.outcomes.length} of ${r.subtrees} subtrees (prefixes of depth ${r.depth})`];
  for (const o of r.outcomes) {
    const state = o.failure ? 'FAILED' : o.exhausted ? 'exhausted' : o.capped ? 'capped' : 'stopped';
    lines.push(`  subtree ${o.index} [${o.prefix.join(',')}]: ${o.schedules} schedules, ${state}`);
  }
  lines.push(`  total: ${v.schedules} schedules (${v.runs} runs)`);
  const opts = JSON.parse(r.flags[0] ?? '{}') as RunOptions;
  if (v.failure?.failure) {
    lines.push(`  FAILED in subtree ${v.failure.index}: ${v.failure.failure.message}`);
    lines.push(`    replay: ${replayCommand(file, { ...opts, maxSchedules: undefined, bound: undefined, strategy: undefined, picks: v.failure.failure.picks } as RunOptions)}`);
  } else if (v.exhausted) lines.push(`  exhausted: every subtree run to the end, all passed`);
  else if (r.outcomes.every((o) => o.exhausted)) lines.push(`  these subtrees exhausted, all passed (merge every shard's --json for the whole answer)`);
  else lines.push(`  NOT exhausted (--max-schedules stopped a subtree), no failure so far`);
  return lines;
}

/** Coverage lines of a sweep: new tuples per 1000 runs (in seed order) and the scenario's targets never reached. */
function coverageLines(sc: Scenario, perRun: readonly (Iterable<string> | null | undefined)[]): string[] {
  const seen = new Set<string>();
  const fresh: number[] = [];
  perRun.forEach((c, i) => {
    if (i % 1000 === 0) fresh.push(0);
    for (const t of c ?? []) {
      if (t.startsWith('wake ') || seen.has(t)) continue;
      seen.add(t);
      fresh[fresh.length - 1]++;
    }
  });
  const out = [`  coverage: ${seen.size} distinct (syscall, object state, outcome) tuples; new per 1000 runs: ${fresh.join(', ')}`];
  const missed = (sc.targets ?? []).filter((t) => !seen.has(t));
  if (sc.targets?.length) out.push(`  targets: ${sc.targets.length - missed.length} of ${sc.targets.length} reached${missed.length ? `; never reached: ${missed.join(', ')}` : ''}`);
  return out;
}

/** The sweep's determinism repeat: its first seed, run twice more, must give the same run (trace and logs). */
function determinismLine(sc: Scenario, opts: RunOptions): string | null {
  const a = runScenario(sc, opts);
  const b = runScenario(sc, opts);
  if (a.hash === b.hash && JSON.stringify(a.kernel.notes) === JSON.stringify(b.kernel.notes)) return null;
  return `  determinism: FAILED: seed ${opts.seed} run twice gave different runs (trace ${a.hash} vs ${b.hash}); state leaks between runs`;
}

/** `sweep --strategy cov`: coverage-guided runs, one after another (each depends on the corpus so far). */
async function cmdCov(f: Flags, out: (s: string) => void): Promise<number> {
  const file = f.positional[0] ?? DEFAULT_SCENARIO;
  const count = positiveInt(f.seeds, '--seeds');
  const from = f.from === undefined ? 1 : Number(f.from);
  if (!Number.isInteger(from)) throw new UsageError('--from must be an integer seed');
  const sc = await loadScenario(file);
  const cov = new CovExplorer(new Rng(`cov/${from}`));
  const hashes = new Set<string>();
  const perRun: (ReadonlySet<string> | undefined)[] = [];
  const failed: RunResult[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const r = runScenario(sc, { ...f.run, seed: from + i, coverage: true, schedule: cov.next() });
    hashes.add(r.hash);
    perRun.push(r.coverage);
    if (r.failures.length) failed.push(r);
    cov.finish({ failed: r.failures.length > 0, picks: r.picks, coverage: r.coverage });
  }
  const secs = (performance.now() - t0) / 1000;
  out(`${sc.name}: ${count} runs (seeds ${from}..${from + count - 1}, cov)`);
  out(`  failures: ${failed.length}`);
  out(`  distinct interleavings: ${hashes.size}; corpus: ${cov.corpus.length} schedules`);
  for (const l of coverageLines(sc, perRun)) out(l);
  out(`  runs/s: ${(count / secs).toFixed(0)}`);
  for (const r of failed.slice(0, 5)) {
    out(`  seed ${r.seed}: ${r.failures[0].split('\n')[0]}`);
    out(`    replay: ${replayCommand(file, { ...f.run, seed: r.seed, strategy: undefined, picks: r.picks })}`);
  }
  return failed.length ? 1 : 0;
}

export async function cmdSweep(f: Flags, out: (s: string) => void, progress: ProgressSink, stuck?: readonly StuckSeed[]): Promise<number> {
  if (f.explorer === 'dfs' || f.explorer === 'dpor') return cmdExplore(f, out);
  if (f.explorer === 'cov') return cmdCov(f, out);
  const file = f.positional[0] ?? DEFAULT_SCENARIO;
  const count = positiveInt(f.seeds, '--seeds');
  const from = f.from === undefined ? 1 : Number(f.from);
  if (!Number.isInteger(from)) throw new UsageError('--from must be an integer seed');
  if (f.run.seed !== undefined) throw new UsageError('sweep takes --from and --seeds, not --seed');
  const shard = f.shard === undefined ? undefined : parseShard(f.shard);
  if (shard === null) throw new UsageError('--shard must be I/N with 1 <= I <= N');
  const workers = f.workers === undefined ? undefined : positiveInt(f.workers, '--workers');
  const maxFailures = f.maxFailures === undefined ? undefined : positiveInt(f.maxFailures, '--max-failures');
  const shrinkRuns = shrinkRunsOf(f);
  const sc = await loadScenario(file);
  // Coverage is recorded (output only); PCT's k is measured once from the scenario, so every worker uses the same one.
  const spec: RunSpec = { ...f.run, coverage: true };
  if (spec.strategy === 'pct' && spec.pctK === undefined) spec.pctK = calibratePctK(sc, { ...spec, seed: from });
  const plan: SweepPlan = {
    file, spec, from, count, shard, stopAtFirst: f.stopAtFirst || undefined, maxFailures,
    shrink: shrinkRuns === undefined ? undefined : { maxRuns: shrinkRuns }, stuck,
  };

  const t0 = performance.now();
  let lastDraw = t0;
  const onProgress = (p: SweepProgress) => {
    const now = performance.now();
    if (progress.tty ? now - lastDraw < 100 : now - lastDraw < 5000) return;
    lastDraw = now;
    const line = progressLine(p, (now - t0) / 1000, progress.tty);
    progress.write(progress.tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
  const result = await runPlan(sc, plan, { workers, cores: availableParallelism(), seconds: () => performance.now() / 1000, onProgress });
  const { outcomes, stopped, threads } = result;
  const secs = (performance.now() - t0) / 1000;
  if (progress.tty && lastDraw !== t0) progress.write('\r\x1b[K');
  const summary = summarise(sc, plan, outcomes, stopped);
  // (not when that seed's run got stuck in a script: it would get stuck again)
  const stuckFirst = outcomes.some((o) => o.seed === from && o.failure?.kind === 'stuck');
  const nondeterministic = stuckFirst ? null : determinismLine(sc, { ...spec, seed: from });
  if (f.json) out(JSON.stringify(summary));
  else {
    const lines = sweepText(summary, { runsPerSec: outcomes.length / secs, threads, shard: f.shard });
    const at = lines.findIndex((l) => l.startsWith('  coverage:'));
    const extra = coverageLines(sc, outcomes.map((o) => o.coverage));
    if (nondeterministic) extra.push(nondeterministic);
    lines.splice(at >= 0 ? at : 4, at >= 0 ? 1 : 0, ...extra);
    for (const l of lines) out(l);
  }
  return summary.failures || nondeterministic ? 1 : 0;
}

export function cmdMerge(f: Flags, out: (s: string) => void): number {
  if (f.positional.length === 0) throw new UsageError('merge needs the JSON files of a sweep\'s shards');
  const parts: SweepSummary[] = [];
  const searches: ShardedExploreResult[] = [];
  for (const file of f.positional) {
    if (existsSync(file) && readFileSync(file, 'utf8').includes('"kind":"explore-shard"')) {
      searches.push(JSON.parse(readFileSync(file, 'utf8')) as ShardedExploreResult);
      continue;
    }
    if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
    try {
      parts.push(JSON.parse(readFileSync(file, 'utf8')) as SweepSummary);
    } catch (e) {
      throw new UsageError(`${file}: not a sweep --json result: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!Array.isArray(parts[parts.length - 1].hashes)) throw new UsageError(`${file}: not a sweep --json result`);
  }
  if (searches.length) {
    if (parts.length) throw new UsageError('cannot merge a dfs/dpor search with a seed sweep');
    let m: ShardedExploreResult;
    try {
      m = mergeExploreShards(searches);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
    if (f.json) out(JSON.stringify(m));
    else for (const l of exploreShardText(m)) out(l);
    return verdictOf(m).failure ? 1 : 0;
  }
  let merged: SweepSummary;
  try {
    merged = mergeSummaries(parts);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (f.json) out(JSON.stringify(merged));
  else for (const l of sweepText(merged)) out(l);
  return merged.failures ? 1 : 0;
}
