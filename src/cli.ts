// The `unixsim` command line. Host I/O, wall-clock rates and exit codes live
// here, outside the simulation core.
//   exit 0: success; 1: a check failed or the run deadlocked (seed and
//   replay command printed); 2: bad usage or a bad scenario file.
//   `unixsim exec` exits with the guest's status instead (128 + signal when
//   killed, 125 when the run itself deadlocked or hit the step limit).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { quietOnClosedStdout } from './command.ts';
import { ExecError, execImage } from './exec.ts';
import { execOptionsOf, execSubject } from './explore/exec-subject.ts';
import { runPlan } from './explore/pool.ts';
import { progressLine } from './explore/progress.ts';
import { failureReport } from './explore/report.ts';
import { FlagError, RUN_FLAGS, applyRunFlag, execReplayCommand, replayCommand, runFlag, type RunSpec } from './explore/run-flags.ts';
import { shrinkFailure } from './explore/shrink.ts';
import { exploreShard, mergeExploreShards, verdictOf, type ShardedExploreResult } from './explore/subtree-search.ts';
import { sweepText } from './explore/sweep-report.ts';
import { mergeSummaries, parseShard, summarise, type StuckSeed, type SweepPlan, type SweepProgress, type SweepSummary } from './explore/sweep.ts';
import { plantedBugs } from './kernel/bugs.ts';
import { Rng } from './sched/rng.ts';
import { CovExplorer } from './sched/strategies/cov.ts';
import { DfsExplorer } from './sched/strategies/dfs.ts';
import { DporExplorer } from './sched/strategies/dpor.ts';
import { explore } from './script/explore.ts';
import { calibratePctK } from './script/runner.ts';
import { renderPerfetto, type PerfettoMeta } from './sched/perfetto.ts';
import { renderText, type TraceEvent } from './sched/trace.ts';
import { runScenario, type RunOptions, type RunResult } from './script/runner.ts';
import type { Scenario } from './script/scenario.ts';
import { loadScenarioFile, ScenarioLoadError } from './script/loader.ts';
import { EMULATOR_DEPENDENT, compareRuns, firstOutputDifference, parseQemuStrace, parseStraceLog, unixsimCalls } from './trace-diff.ts';

/** The scenario `unixsim sweep` runs when given no file. */
export const DEFAULT_SCENARIO = 'scenarios/accept-storm.ts';

/** The run flags' usage, from the table that parses them. */
const RUN_FLAGS_USAGE = RUN_FLAGS.map((r) => (r.arg ? `[${r.flag} ${r.arg}]${r.kind === 'list' ? '...' : ''}` : `[${r.flag}]`)).join(' ');

const USAGE = `usage:
  unixsim run FILE [RUN FLAGS] [--trace text|perfetto] [--trace-out PATH] [--fd-paths] [--shrink-runs N]
  unixsim replay FILE --seed S [RUN FLAGS] [--trace text|perfetto] [--fd-paths] [--shrink-runs N]   run with the text trace
  unixsim sweep [FILE] --seeds N [--from S] [RUN FLAGS but --seed] [--workers W] [--shard I/N]
                [--stop-at-first] [--max-failures N] [--shrink-runs N] [--json]
  unixsim sweep [FILE] --seeds N --strategy cov [RUN FLAGS]   coverage-guided: mutates schedules that reached new kernel states
  unixsim sweep [FILE] --strategy dfs|dpor [--preemptions P] [--max-schedules N] [--shard I/N] [--json] [RUN FLAGS]
                                    every schedule (with at most P preemptions), or the first failure
  unixsim merge FILE.json...  [--json]          combine the --json results of sweep shards
  unixsim exec ELF [RUN FLAGS] [--trace text|perfetto] [--trace-out PATH] [--fd-paths] [--shrink-runs N] [--no-jit] [-- ARGS...]
                                    run a static riscv64 Linux program (and what it forks) like qemu-riscv64
                                    (--no-jit or UNIXSIM_JIT=0: interpreter only, same results)
  unixsim diff ELF [--against LOG] [--seed S] [-- ARGS...]
                                    run under qemu-riscv64 -strace (real Linux) and unixsim; print the first
                                    call whose result differs (exit 0 when none); --against: a strace-format log
  unixsim bugs                      list the planted bugs
RUN FLAGS: ${RUN_FLAGS_USAGE}
FILE is a scenario module (see README: "Scenario files"); sweep defaults to ${DEFAULT_SCENARIO}.
UNIXSIM_WATCHDOG=S: run, replay and sweep stop a scripted program after S seconds without a system call (default 10; 0: never).`;

export class UsageError extends Error {}

interface Flags {
  positional: string[];
  /** every flag that changes a run (src/explore/run-flags.ts) */
  run: RunSpec;
  seeds?: string;
  from?: string;
  trace?: string;
  traceOut?: string;
  workers?: string;
  shard?: string;
  maxFailures?: string;
  shrinkRuns?: string;
  stopAtFirst: boolean;
  json: boolean;
  /** `--strategy dfs|dpor|cov`: a strategy over many runs (src/sched/explorer.ts) */
  explorer?: string;
  preemptions?: string;
  maxSchedules?: string;
  /** --fd-paths / -y: the text trace shows what each fd is (strace -yy) */
  fdPaths: boolean;
  /** diff --against LOG */
  against?: string;
  /** exec: interpreter only (does not change the run, so not a run flag) */
  noJit: boolean;
}

/** Strategies that span many runs; sweep runs them itself instead of seed by seed. */
const EXPLORERS = ['dfs', 'dpor', 'cov'];

function parseFlags(argv: string[]): Flags {
  const f: Flags = { positional: [], run: {}, stopAtFirst: false, json: false, fdPaths: false, noJit: false };
  const valued: Record<string, keyof Flags> = {
    '--seeds': 'seeds', '--from': 'from', '--trace': 'trace', '--trace-out': 'traceOut', '--workers': 'workers',
    '--shard': 'shard', '--max-failures': 'maxFailures', '--shrink-runs': 'shrinkRuns', '--against': 'against',
    '--preemptions': 'preemptions', '--max-schedules': 'maxSchedules',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (name === '--strategy' && EXPLORERS.includes(inline ?? argv[i + 1] ?? '')) {
      f.explorer = value();
      continue;
    }
    const rf = runFlag(name);
    if (rf) {
      try {
        applyRunFlag(f.run, rf, rf.kind === 'bool' ? undefined : value());
      } catch (e) {
        if (e instanceof FlagError) throw new UsageError(e.message);
        throw e;
      }
    } else if (name === '--stop-at-first') f.stopAtFirst = true;
    else if (name === '--json') f.json = true;
    else if (name === '--fd-paths' || name === '-y') f.fdPaths = true;
    else if (name === '--no-jit') f.noJit = true;
    else if (name in valued) (f as unknown as Record<string, string>)[valued[name]] = value();
    else if (name.startsWith('-')) throw new UsageError(`unknown option ${name}`);
    else f.positional.push(a);
  }
  return f;
}

/** Loads a scenario module; throws UsageError with a one-line message naming the file (src/script/loader.ts). */
export async function loadScenario(file: string): Promise<Scenario> {
  try {
    return await loadScenarioFile(file);
  } catch (e) {
    if (e instanceof ScenarioLoadError) throw new UsageError(e.message);
    throw e;
  }
}

function positiveInt(v: string | undefined, name: string): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer`);
  return n;
}

/** Refuses a --trace-out path the trace could not be written to, before the run (one line naming it). */
function checkTraceOut(path: string | undefined): void {
  if (path === undefined) return;
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new UsageError(`${path}: no such directory (${dir})`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${path}: ${dir} is not a directory`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${path}: is a directory`);
}

/** Writes the trace file; a host error (permissions, a full disk) is a one-line usage error. */
function writeTraceOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(`${path}: cannot write the trace: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/** Largest ELF `exec` agrees to read: bigger files are refused before reading (and could not fit a run's budget). */
export const EXEC_MAX_FILE = 256 * 1024 * 1024;

/** Refuses what `exec` cannot load before reading a byte: missing, not a regular file (a FIFO, /dev/zero), or too large. */
function checkExecFile(file: string, memory: number | undefined): void {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  const st = statSync(file);
  if (st.isDirectory()) throw new UsageError(`${file}: is a directory`);
  if (!st.isFile()) throw new UsageError(`${file}: not a regular file`);
  const limit = Math.min(EXEC_MAX_FILE, memory ?? EXEC_MAX_FILE);
  if (st.size > limit) throw new UsageError(`${file}: too large to run (${st.size} bytes; the limit is ${limit})`);
}

function shrinkRunsOf(f: Flags): number | undefined {
  const n = f.shrinkRuns === undefined ? undefined : Number(f.shrinkRuns);
  if (n !== undefined && !(Number.isInteger(n) && n >= 0)) throw new UsageError('--shrink-runs must be a whole number');
  return n;
}

/** --trace: text (strace-like), perfetto (trace-event JSON; json is its old name), or none. */
type TraceFormat = 'text' | 'perfetto';

function traceFormatOf(v: string | undefined): TraceFormat | undefined {
  if (v === undefined) return undefined;
  if (v === 'text') return 'text';
  if (v === 'perfetto' || v === 'json') return 'perfetto';
  throw new UsageError(`--trace must be text or perfetto (json is an alias of perfetto)`);
}

function renderTrace(format: TraceFormat, events: TraceEvent[], labels: ReadonlyMap<number, string>, f: Flags, meta: PerfettoMeta): string {
  return format === 'text' ? renderText(events, { fdPaths: f.fdPaths }) : renderPerfetto(events, labels, meta) + '\n';
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

async function cmdRun(f: Flags, forceText: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
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

const HOST_PROGRESS: ProgressSink = { tty: !!process.stderr.isTTY, write: (s) => process.stderr.write(s) };

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

function nonNegativeInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a non-negative integer`);
  return n;
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

async function cmdSweep(f: Flags, out: (s: string) => void, progress: ProgressSink, stuck?: readonly StuckSeed[]): Promise<number> {
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

function cmdMerge(f: Flags, out: (s: string) => void): number {
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

/** Where `unixsim exec` writes the guest's console output (raw bytes). */
export interface GuestOutput {
  stdout(bytes: Uint8Array): void;
  stderr(bytes: Uint8Array): void;
}

const HOST_OUTPUT: GuestOutput = {
  stdout: (b) => process.stdout.write(b),
  stderr: (b) => process.stderr.write(b),
};

/** Exit status of `unixsim exec` when the simulated run itself failed (deadlock, step limit). */
export const EXEC_RUN_FAILED = 125;

/** Candidate runs to shrink a failing `exec` run (a guest program run is slower than a script). */
const EXEC_SHRINK_RUNS = 60;

function cmdExec(f: Flags, guestArgs: string[], io: GuestOutput): number {
  const file = f.positional[0];
  if (!file) throw new UsageError('missing ELF file');
  if (f.positional.length > 1) throw new UsageError(`unexpected argument "${f.positional[1]}" (guest arguments go after --)`);
  const trace = traceFormatOf(f.trace);
  const opts: RunOptions = { ...f.run, seed: f.run.seed ?? 1 };
  checkExecFile(file, opts.memory);
  checkTraceOut(f.traceOut);
  const seed = opts.seed;
  const image = new Uint8Array(readFileSync(file));
  let r;
  try {
    r = execImage(file, image, execOptionsOf({ ...opts, recordText: trace !== undefined || undefined }, {
      args: guestArgs,
      jit: f.noJit ? false : undefined,
      // the guest's output reaches the user as it is written, not when the run ends
      output: (w) => (w.stream === 'stdout' ? io.stdout : io.stderr)(w.bytes),
    }));
  } catch (e) {
    if (e instanceof ExecError) throw new UsageError(e.message);
    throw e;
  }
  const enc = new TextEncoder();
  if (trace) {
    const meta = { seed: String(seed), strategy: f.run.strategy ?? 'random', replay: execReplayCommand(file, opts, guestArgs), hash: r.hash };
    const rendered = renderTrace(trace, r.events, r.labels, f, meta);
    if (f.traceOut) writeTraceOut(f.traceOut, rendered);
    else io.stderr(enc.encode(rendered));
  }
  const unknown = r.kernel.describeUnknownSyscalls();
  if (unknown) io.stderr(enc.encode(`unixsim: ${file}: unknown syscalls (ENOSYS): ${unknown}\n`));
  if (r.problem) {
    io.stderr(enc.encode(`unixsim: ${file}: ${r.problem} (seed ${seed}, trace ${r.hash})\n`));
    // A run stopped by a budget is not shrunk: every candidate would run to the budget again.
    if (r.end.kind === 'limit') return EXEC_RUN_FAILED;
    // Shrink it like a scenario's failure; a step-limit run is millions of steps, so only when asked.
    const budget = shrinkRunsOf(f) ?? (r.end.kind === 'step-limit' ? 0 : EXEC_SHRINK_RUNS);
    const subject = execSubject(file, image, { args: guestArgs });
    const found = subject({ ...opts, recordText: true }, {});
    const shrunk = shrinkFailure(subject, opts, found, { maxRuns: budget });
    const name = file.slice(file.lastIndexOf('/') + 1);
    const command = (o: RunSpec) => execReplayCommand(file, o, guestArgs);
    for (const l of failureReport({ file, scenario: { name }, opts, found, shrunk, command })) io.stderr(enc.encode(`${l}\n`));
    return EXEC_RUN_FAILED;
  }
  return r.status;
}

/**
 * `unixsim diff`: the program under real Linux (qemu-riscv64 -strace, or a
 * log given with --against) and under unixsim, compared call by call per
 * process (src/trace-diff.ts); also their stdout. 0: the same; 1: a difference.
 */
function cmdDiff(f: Flags, guestArgs: string[], out: (s: string) => void): number {
  const given = f.positional[0];
  if (!given) throw new UsageError('missing ELF file');
  if (!existsSync(given)) throw new UsageError(`${given}: no such file`);
  // both runs see the same absolute path (argv[0], /proc/self/exe)
  const file = resolve(given);
  let linuxLog: string;
  let linuxStdout: string | null = null;
  let source: string;
  if (f.against) {
    if (!existsSync(f.against)) throw new UsageError(`${f.against}: no such file`);
    linuxLog = readFileSync(f.against, 'utf8');
    source = f.against;
  } else {
    const q = spawnSync('qemu-riscv64', ['-strace', file, ...guestArgs], { maxBuffer: 1 << 28, timeout: 120_000 });
    if (q.error) throw new UsageError(`cannot run qemu-riscv64 (apt-get install qemu-user): ${q.error.message}`);
    linuxLog = q.stderr.toString();
    linuxStdout = q.stdout.toString();
    source = 'qemu-riscv64';
  }
  const opts: RunOptions = { ...f.run, seed: f.run.seed ?? 1 };
  let r;
  try {
    r = execImage(file, new Uint8Array(readFileSync(file)), execOptionsOf({ ...opts, recordText: true }, { args: guestArgs }));
  } catch (e) {
    if (e instanceof ExecError) throw new UsageError(e.message);
    throw e;
  }
  const linux = f.against ? parseStraceLog(linuxLog) : parseQemuStrace(linuxLog);
  const sim = unixsimCalls(r.events);
  if (linux.length === 0) throw new UsageError(`${source}: no syscall lines found (see README: "unixsim diff" for the format)`);
  const { difference: d, compared, unaligned } = compareRuns(linux, sim, !!f.against);
  if (d) {
    out(`${file}: first difference in process ${d.process}, call ${d.index} (${d.why}):`);
    out(`  linux:   ${d.linux ? `[pid ${d.linux.pid}] ${d.linux.line}` : '(no more calls)'}`);
    out(`  unixsim: ${d.unixsim ? `[pid ${d.unixsim.pid}] ${d.unixsim.line}` : '(no more calls)'}`);
    out(`  replay:  ${execReplayCommand(file, opts, guestArgs)} --trace text`);
    return 1;
  }
  const o = linuxStdout === null ? null : firstOutputDifference(linuxStdout, new TextDecoder().decode(r.stdout));
  if (o) {
    out(`${file}: the calls agree but stdout differs at line ${o.line}:`);
    out(`  linux:   ${o.linux}`);
    out(`  unixsim: ${o.unixsim}`);
    return 1;
  }
  const procs = new Set(sim.map((c) => c.pid)).size;
  out(`${file}: identical to ${source}: ${compared} calls compared in ${procs} process${procs === 1 ? '' : 'es'} (seed ${opts.seed})`);
  if (unaligned) out(`  ${unaligned} calls had no partner in the other run (${source}'s log interleaves concurrent processes)`);
  out(`  not compared (they depend on the emulator): ${[...EMULATOR_DEPENDENT].join(', ')}`);
  return 0;
}

export async function main(
  argv: string[],
  out?: (s: string) => void,
  io: GuestOutput = HOST_OUTPUT,
  progress: ProgressSink = HOST_PROGRESS,
  /** sweep: seeds a watchdog found stuck on an earlier attempt (src/command.ts), reported without running them */
  stuck?: readonly StuckSeed[],
): Promise<number> {
  const err = (s: string) => console.error(s);
  if (!out) {
    quietOnClosedStdout();
    out = (s) => console.log(s);
  }
  try {
    const [cmd, ...all] = argv;
    // `exec` passes everything after "--" to the guest
    const dashes = cmd === 'exec' || cmd === 'diff' ? all.indexOf('--') : -1;
    const rest = dashes >= 0 ? all.slice(0, dashes) : all;
    const f = parseFlags(rest);
    switch (cmd) {
      case 'exec':
        return cmdExec(f, dashes >= 0 ? all.slice(dashes + 1) : [], io);
      case 'diff':
        return cmdDiff(f, dashes >= 0 ? all.slice(dashes + 1) : [], out);
      case 'run':
        return await cmdRun(f, false, out, err);
      case 'replay':
        return await cmdRun(f, true, out, err);
      case 'sweep':
        return await cmdSweep(f, out, progress, stuck);
      case 'merge':
        return cmdMerge(f, out);
      case 'bugs':
        for (const [name, what] of Object.entries(plantedBugs())) out(`${name.padEnd(28)} ${what}`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`unixsim: ${e.message}`);
      if (!e.message.includes(':') || e.message.startsWith('unknown') || e.message.startsWith('missing')) err(USAGE);
      return 2;
    }
    throw e;
  }
}


/** The scenario file a command names (the watchdog's line names it: src/command.ts). */
export function scenarioFileOf(argv: string[]): string {
  try {
    return parseFlags(argv.slice(1)).positional[0] ?? DEFAULT_SCENARIO;
  } catch {
    return argv[1] ?? DEFAULT_SCENARIO;
  }
}
