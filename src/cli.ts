// The `unixsim` command line. Host I/O, wall-clock rates and exit codes live
// here, outside the simulation core.
//   exit 0: success; 1: a check failed or the run deadlocked (seed and
//   replay command printed); 2: bad usage or a bad scenario file.
//   `unixsim exec` exits with the guest's status instead (128 + signal when
//   killed, 125 when the run itself deadlocked or hit the step limit).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { ExecError, execImage } from './exec.ts';
import { execOptionsOf, execSubject } from './explore/exec-subject.ts';
import { runPlan } from './explore/pool.ts';
import { progressLine } from './explore/progress.ts';
import { failureReport } from './explore/report.ts';
import { FlagError, RUN_FLAGS, applyRunFlag, execReplayCommand, runFlag, type RunSpec } from './explore/run-flags.ts';
import { shrinkFailure } from './explore/shrink.ts';
import { sweepText } from './explore/sweep-report.ts';
import { mergeSummaries, parseShard, summarise, type SweepPlan, type SweepProgress, type SweepSummary } from './explore/sweep.ts';
import { plantedBugs } from './kernel/bugs.ts';
import { renderChromeJson, renderText } from './sched/trace.ts';
import { runScenario, type RunOptions, type RunResult } from './script/runner.ts';
import type { Scenario } from './script/scenario.ts';
import { loadScenarioFile, ScenarioLoadError } from './script/loader.ts';

/** The scenario `unixsim sweep` runs when given no file. */
export const DEFAULT_SCENARIO = 'scenarios/accept-storm.ts';

/** The run flags' usage, from the table that parses them. */
const RUN_FLAGS_USAGE = RUN_FLAGS.map((r) => (r.arg ? `[${r.flag} ${r.arg}]${r.kind === 'list' ? '...' : ''}` : `[${r.flag}]`)).join(' ');

const USAGE = `usage:
  unixsim run FILE [RUN FLAGS] [--trace text|json] [--trace-out PATH] [--shrink-runs N]
  unixsim replay FILE --seed S [RUN FLAGS] [--shrink-runs N]   run with the text trace
  unixsim sweep [FILE] --seeds N [--from S] [RUN FLAGS but --seed] [--workers W] [--shard I/N]
                [--stop-at-first] [--max-failures N] [--shrink-runs N] [--json]
  unixsim merge FILE.json...  [--json]          combine the --json results of sweep shards
  unixsim exec ELF [RUN FLAGS] [--trace text|json] [--trace-out PATH] [--shrink-runs N] [-- ARGS...]
                                    run a static riscv64 Linux program (and what it forks) like qemu-riscv64
  unixsim bugs                      list the planted bugs
RUN FLAGS: ${RUN_FLAGS_USAGE}
FILE is a scenario module (see README: "Scenario files"); sweep defaults to ${DEFAULT_SCENARIO}.`;

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
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { positional: [], run: {}, stopAtFirst: false, json: false };
  const valued: Record<string, keyof Flags> = {
    '--seeds': 'seeds', '--from': 'from', '--trace': 'trace', '--trace-out': 'traceOut', '--workers': 'workers',
    '--shard': 'shard', '--max-failures': 'maxFailures', '--shrink-runs': 'shrinkRuns',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
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

/** A passing run in one line; a failing one as the full report, its schedule shrunk. */
function report(file: string, sc: Scenario, r: RunResult, opts: RunOptions, out: (s: string) => void, shrinkRuns?: number): void {
  if (r.failures.length === 0) {
    out(`${r.scenario}: passed (seed ${r.seed}, ${r.strategy}, ${r.steps} steps, ${r.time} ticks, trace ${r.hash})`);
    return;
  }
  const shrunk = shrinkFailure(sc, opts, r, { maxRuns: shrinkRuns });
  for (const l of failureReport({ file, scenario: sc, opts, found: r, shrunk })) out(l);
}

async function cmdRun(f: Flags, forceText: boolean, out: (s: string) => void): Promise<number> {
  const file = f.positional[0];
  if (!file) throw new UsageError('missing scenario FILE');
  if (f.run.seed === undefined && forceText) throw new UsageError('replay needs --seed');
  const trace = f.trace ?? (forceText ? 'text' : undefined);
  if (trace !== undefined && trace !== 'text' && trace !== 'json') throw new UsageError(`--trace must be text or json`);
  checkTraceOut(f.traceOut);
  const sc = await loadScenario(file);
  const opts: RunOptions = { ...f.run, seed: f.run.seed ?? 1 };
  const r = runScenario(sc, { ...opts, recordText: trace !== undefined || undefined });
  if (trace) {
    const rendered = trace === 'text' ? renderText(r.events) : renderChromeJson(r.events, r.labels) + '\n';
    if (f.traceOut) writeTraceOut(f.traceOut, rendered);
    else out(rendered.trimEnd());
  }
  const stdout = r.kernel.console.text('stdout');
  if (stdout && trace !== 'json') out(stdout.trimEnd());
  const unknown = r.kernel.describeUnknownSyscalls();
  if (unknown) out(`unknown syscalls (ENOSYS): ${unknown}`);
  report(file, sc, r, opts, out, shrinkRunsOf(f));
  return r.failures.length ? 1 : 0;
}

/** How a sweep shows its progress (stderr): a redrawn bar on a TTY, a plain line every few seconds otherwise. */
export interface ProgressSink {
  tty: boolean;
  write(s: string): void;
}

const HOST_PROGRESS: ProgressSink = { tty: !!process.stderr.isTTY, write: (s) => process.stderr.write(s) };

async function cmdSweep(f: Flags, out: (s: string) => void, progress: ProgressSink): Promise<number> {
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
  const plan: SweepPlan = {
    file, spec: f.run, from, count, shard, stopAtFirst: f.stopAtFirst || undefined, maxFailures,
    shrink: shrinkRuns === undefined ? undefined : { maxRuns: shrinkRuns },
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
  if (f.json) out(JSON.stringify(summary));
  else for (const l of sweepText(summary, { runsPerSec: outcomes.length / secs, threads, shard: f.shard })) out(l);
  return summary.failures ? 1 : 0;
}

function cmdMerge(f: Flags, out: (s: string) => void): number {
  if (f.positional.length === 0) throw new UsageError('merge needs the JSON files of a sweep\'s shards');
  const parts: SweepSummary[] = [];
  for (const file of f.positional) {
    if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
    try {
      parts.push(JSON.parse(readFileSync(file, 'utf8')) as SweepSummary);
    } catch (e) {
      throw new UsageError(`${file}: not a sweep --json result: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!Array.isArray(parts[parts.length - 1].hashes)) throw new UsageError(`${file}: not a sweep --json result`);
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
  const trace = f.trace;
  if (trace !== undefined && trace !== 'text' && trace !== 'json') throw new UsageError(`--trace must be text or json`);
  const opts: RunOptions = { ...f.run, seed: f.run.seed ?? 1 };
  checkExecFile(file, opts.memory);
  checkTraceOut(f.traceOut);
  const seed = opts.seed;
  const image = new Uint8Array(readFileSync(file));
  let r;
  try {
    r = execImage(file, image, execOptionsOf({ ...opts, recordText: trace !== undefined || undefined }, {
      args: guestArgs,
      // the guest's output reaches the user as it is written, not when the run ends
      output: (w) => (w.stream === 'stdout' ? io.stdout : io.stderr)(w.bytes),
    }));
  } catch (e) {
    if (e instanceof ExecError) throw new UsageError(e.message);
    throw e;
  }
  const enc = new TextEncoder();
  if (trace) {
    const rendered = trace === 'text' ? renderText(r.events) + '\n' : renderChromeJson(r.events, r.labels) + '\n';
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

let stdoutWatched = false;

/** The real command line: a reader that goes away (`| head`) ends the output quietly, not with an EPIPE stack trace. */
function quietOnClosedStdout(): void {
  if (stdoutWatched) return;
  stdoutWatched = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

export async function main(
  argv: string[],
  out?: (s: string) => void,
  io: GuestOutput = HOST_OUTPUT,
  progress: ProgressSink = HOST_PROGRESS,
): Promise<number> {
  const err = (s: string) => console.error(s);
  if (!out) {
    quietOnClosedStdout();
    out = (s) => console.log(s);
  }
  try {
    const [cmd, ...all] = argv;
    // `exec` passes everything after "--" to the guest
    const dashes = cmd === 'exec' ? all.indexOf('--') : -1;
    const rest = dashes >= 0 ? all.slice(0, dashes) : all;
    const f = parseFlags(rest);
    switch (cmd) {
      case 'exec':
        return cmdExec(f, dashes >= 0 ? all.slice(dashes + 1) : [], io);
      case 'run':
        return await cmdRun(f, false, out);
      case 'replay':
        return await cmdRun(f, true, out);
      case 'sweep':
        return await cmdSweep(f, out, progress);
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
