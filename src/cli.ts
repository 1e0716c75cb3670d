// The `unixsim` command line. Host I/O, wall-clock rates and exit codes live
// here, outside the simulation core.
//   exit 0: success; 1: a check failed or the run deadlocked (seed and
//   replay command printed); 2: bad usage or a bad scenario file.
//   `unixsim exec` exits with the guest's status instead (128 + signal when
//   killed, 125 when the run itself deadlocked or hit the step limit).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ExecError, execImage } from './exec.ts';
import { plantedBugs } from './kernel/bugs.ts';
import { faultFlags, type FaultOptions } from './kernel/faults.ts';
import { parseSeed, Rng, type Seed } from './sched/rng.ts';
import { renderChromeJson, renderText } from './sched/trace.ts';
import { PCT_DEFAULT_DEPTH } from './sched/strategies/pct.ts';
import { CovExplorer } from './sched/strategies/cov.ts';
import { DfsExplorer } from './sched/strategies/dfs.ts';
import { DporExplorer } from './sched/strategies/dpor.ts';
import { explore } from './script/explore.ts';
import { STRATEGIES, calibratePctK, runScenario, type RunOptions, type RunResult, type StrategyName } from './script/runner.ts';
import { scenarioProblem, type Scenario } from './script/scenario.ts';

/** The scenario `unixsim sweep` runs when given no file. */
export const DEFAULT_SCENARIO = 'scenarios/accept-storm.ts';

const USAGE = `usage:
  unixsim run FILE [--seed S] [--strategy random|rr|pct] [--trace text|json] [--trace-out PATH]
                   [--bug NAME]... [--picks T,T,...] [--check] [--kernel-preempt] [--depth D] [--pct-k K]
  unixsim sweep [FILE] --seeds N [--from S] [--strategy random|rr|pct] [--bug NAME]... [--check] [--kernel-preempt]
                   [--depth D] [--pct-k K]
  unixsim sweep [FILE] --seeds N --strategy cov ...   coverage-guided: mutates schedules that reached new kernel states
  unixsim sweep [FILE] --strategy dfs|dpor [--preemptions P] [--max-schedules N] [--seed S] [--bug NAME]...
                   [--check] [--kernel-preempt]   every schedule (with at most P preemptions), or the first failure
  unixsim replay FILE --seed S [--strategy ...] [--bug NAME]... [--picks T,T,...]
  fault injection, on run, sweep and replay with any strategy: [--spurious-wakeups] [--eintr] [--short-io]
  unixsim exec ELF [-- ARGS...] [--seed S] [--strategy random|rr|pct] [--trace text|json] [--trace-out PATH]
                   [--check] [--kernel-preempt]
                                    run a static riscv64 Linux program (and what it forks) like qemu-riscv64
  unixsim bugs                      list the planted bugs
FILE is a scenario module (see README: "Scenario files"); sweep defaults to ${DEFAULT_SCENARIO}.`;

export class UsageError extends Error {}

interface Flags {
  positional: string[];
  seed?: string;
  seeds?: string;
  from?: string;
  strategy?: string;
  trace?: string;
  traceOut?: string;
  bugs: string[];
  picks?: string;
  check: boolean;
  preempt: boolean;
  depth?: string;
  pctK?: string;
  preemptions?: string;
  maxSchedules?: string;
  faults: FaultOptions;
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { positional: [], bugs: [], check: false, preempt: false, faults: {} };
  const valued: Record<string, keyof Flags> = {
    '--seed': 'seed', '--seeds': 'seeds', '--from': 'from', '--strategy': 'strategy', '--trace': 'trace',
    '--trace-out': 'traceOut', '--picks': 'picks', '--depth': 'depth', '--pct-k': 'pctK',
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
    if (name === '--bug') f.bugs.push(value());
    else if (name === '--check') f.check = true;
    else if (name === '--kernel-preempt') f.preempt = true;
    else if (name === '--spurious-wakeups') f.faults.spuriousWakeups = true;
    else if (name === '--eintr') f.faults.eintr = true;
    else if (name === '--short-io') f.faults.shortIo = true;
    else if (name in valued) (f as unknown as Record<string, string>)[valued[name]] = value();
    else if (name.startsWith('-')) throw new UsageError(`unknown option ${name}`);
    else f.positional.push(a);
  }
  return f;
}

/** Loads a scenario module; throws UsageError with a one-line message naming the file. */
export async function loadScenario(file: string): Promise<Scenario> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`${file}: no such file`);
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(path).href);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new UsageError(`${file}: cannot load: ${msg}`);
  }
  const problem = scenarioProblem(mod.default);
  if (problem) throw new UsageError(`${file}: ${problem}`);
  return mod.default as Scenario;
}

function strategyOf(f: Flags): StrategyName {
  const s = f.strategy ?? 'random';
  if (!(STRATEGIES as readonly string[]).includes(s)) throw new UsageError(`unknown strategy "${s}" (random, rr or pct; sweep also takes cov, dfs and dpor)`);
  return s as StrategyName;
}

function bugsOf(f: Flags): string[] {
  const known = plantedBugs();
  for (const b of f.bugs) if (!(b in known)) throw new UsageError(`unknown planted bug "${b}" (see: unixsim bugs)`);
  return f.bugs;
}

/** --spurious-wakeups, --eintr, --short-io (undefined when none is given) */
function faultsOf(f: Flags): FaultOptions | undefined {
  return Object.keys(f.faults).length ? f.faults : undefined;
}

/** PCT's --depth and --pct-k (k is measured when absent). */
function pctOf(f: Flags): Pick<RunOptions, 'pctDepth' | 'pctK'> {
  return {
    pctDepth: f.depth === undefined ? undefined : positiveInt(f.depth, '--depth'),
    pctK: f.pctK === undefined ? undefined : positiveInt(f.pctK, '--pct-k'),
  };
}

/** The flags beyond seed, strategy, bugs, picks and preemption that a replay must repeat. */
export function extraFlags(opts: RunOptions): string[] {
  const out: string[] = faultFlags(opts.faults);
  if (opts.strategy === 'pct') {
    if (opts.pctDepth !== undefined) out.push('--depth', String(opts.pctDepth));
    if (opts.pctK !== undefined) out.push('--pct-k', String(opts.pctK));
  }
  return out;
}

function picksOf(f: Flags): number[] | undefined {
  if (f.picks === undefined) return undefined;
  const picks = f.picks.split(',').filter((s) => s.length).map(Number);
  if (picks.some((p) => !Number.isInteger(p) || p < 1)) throw new UsageError(`--picks must be a comma-separated list of pids`);
  return picks;
}

function positiveInt(v: string | undefined, name: string): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer`);
  return n;
}

/** The exact command that reproduces a run. */
export function replayCommand(file: string, seed: Seed, strategy: StrategyName, bugs: readonly string[], picks?: readonly number[], preempt = false, more: readonly string[] = []): string {
  const parts = ['npx unixsim replay', file, '--seed', JSON.stringify(seed).replace(/^"(.*)"$/, "'$1'")];
  if (strategy !== 'random') parts.push('--strategy', strategy);
  for (const b of bugs) parts.push('--bug', b);
  if (picks) parts.push('--picks', picks.join(','));
  if (preempt) parts.push('--kernel-preempt');
  parts.push(...more);
  return parts.join(' ');
}

function report(file: string, r: RunResult, opts: RunOptions, out: (s: string) => void): void {
  const strategy = opts.strategy ?? 'random';
  if (r.failures.length === 0) {
    out(`${r.scenario}: passed (seed ${r.seed}, ${r.strategy}, ${r.steps} steps, ${r.time} ticks, trace ${r.hash})`);
    return;
  }
  out(`${r.scenario}: FAILED (seed ${r.seed}, ${r.strategy}, ${r.steps} steps, trace ${r.hash})`);
  for (const f of r.failures) out(`  ${f}`);
  out(`replay: ${replayCommand(file, r.seed, strategy, opts.bugs ?? [], opts.picks, opts.kernelPreemption, extraFlags(opts))}`);
}

async function cmdRun(f: Flags, forceText: boolean, out: (s: string) => void): Promise<number> {
  const file = f.positional[0];
  if (!file) throw new UsageError('missing scenario FILE');
  if (f.seed === undefined && forceText) throw new UsageError('replay needs --seed');
  const trace = f.trace ?? (forceText ? 'text' : undefined);
  if (trace !== undefined && trace !== 'text' && trace !== 'json') throw new UsageError(`--trace must be text or json`);
  const sc = await loadScenario(file);
  const opts: RunOptions = {
    seed: parseSeed(f.seed ?? '1'),
    strategy: strategyOf(f),
    bugs: bugsOf(f),
    picks: picksOf(f),
    recordText: trace !== undefined,
    checkInvariants: f.check || undefined,
    kernelPreemption: f.preempt || undefined,
    faults: faultsOf(f),
    ...pctOf(f),
  };
  const r = runScenario(sc, opts);
  if (trace) {
    const rendered = trace === 'text' ? renderText(r.events) : renderChromeJson(r.events, r.labels) + '\n';
    if (f.traceOut) writeFileSync(f.traceOut, rendered);
    else out(rendered.trimEnd());
  }
  const stdout = r.kernel.console.text('stdout');
  if (stdout && trace !== 'json') out(stdout.trimEnd());
  const unknown = r.kernel.describeUnknownSyscalls();
  if (unknown) out(`unknown syscalls (ENOSYS): ${unknown}`);
  report(file, r, opts, out);
  return r.failures.length ? 1 : 0;
}

/** `sweep --strategy dfs|dpor`: every schedule within the bound, or the first failure. */
async function cmdExplore(f: Flags, out: (s: string) => void): Promise<number> {
  const file = f.positional[0] ?? DEFAULT_SCENARIO;
  const sc = await loadScenario(file);
  const bound = f.preemptions === undefined ? Infinity : nonNegativeInt(f.preemptions, '--preemptions');
  const explorer = f.strategy === 'dpor' ? new DporExplorer(bound) : new DfsExplorer(bound);
  const seed = parseSeed(f.seed ?? '1');
  const opts = { seed, bugs: bugsOf(f), checkInvariants: f.check || undefined, kernelPreemption: f.preempt || undefined, faults: faultsOf(f),
    maxSchedules: f.maxSchedules === undefined ? undefined : positiveInt(f.maxSchedules, '--max-schedules') };
  const t0 = performance.now();
  const r = explore(sc, explorer, opts);
  const secs = (performance.now() - t0) / 1000;
  const within = bound === Infinity ? '' : ` with <= ${bound} preemption${bound === 1 ? '' : 's'}`;
  out(`${sc.name}: ${explorer.describe}${opts.bugs.length ? `, bugs ${opts.bugs.join(',')}` : ''}`);
  if (r.failure) {
    out(`  FAILED at schedule ${r.schedules}: ${r.failure.failures[0].split('\n')[0]}`);
    out(`    replay: ${replayCommand(file, seed, 'random', opts.bugs, r.failure.picks, f.preempt, faultFlags(opts.faults))}`);
  } else if (r.capped) {
    out(`  stopped after ${r.schedules} schedules (--max-schedules ${opts.maxSchedules}): NOT exhausted, no failure so far`);
  } else {
    const distinct = explorer instanceof DfsExplorer ? explorer.distinct : r.schedules;
    out(`  exhausted: ${distinct} schedules${within}, all passed${distinct !== r.schedules ? ` (${r.schedules} runs: each pass re-runs the schedules of the passes before)` : ''}`);
  }
  out(`  schedules/s: ${(r.schedules / secs).toFixed(0)}`);
  return r.failure ? 1 : 0;
}

function nonNegativeInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a non-negative integer`);
  return n;
}

async function cmdSweep(f: Flags, out: (s: string) => void): Promise<number> {
  if (f.strategy === 'dfs' || f.strategy === 'dpor') return cmdExplore(f, out);
  const file = f.positional[0] ?? DEFAULT_SCENARIO;
  const n = positiveInt(f.seeds, '--seeds');
  const from = f.from === undefined ? 1 : Number(f.from);
  if (!Number.isInteger(from)) throw new UsageError('--from must be an integer seed');
  const sc = await loadScenario(file);
  const cov = f.strategy === 'cov' ? new CovExplorer(new Rng(`cov/${from}`)) : null;
  const strategy = cov ? 'random' : strategyOf(f);
  const bugs = bugsOf(f);
  const hashes = new Set<string>();
  const tuples = new Set<string>();
  const newPer1000: number[] = [];
  const failed: { r: RunResult; opts: RunOptions }[] = [];
  const t0 = performance.now();
  const base: RunOptions = {
    seed: from, strategy, bugs, checkInvariants: f.check || undefined, kernelPreemption: f.preempt || undefined, faults: faultsOf(f), ...pctOf(f),
  };
  // PCT's k: the calibration run's choice points, raised to the longest run seen so far.
  let k = strategy === 'pct' ? (base.pctK ?? calibratePctK(sc, base)) : undefined;
  for (let i = 0; i < n; i++) {
    const opts: RunOptions = { ...base, seed: from + i, pctK: k, coverage: true, schedule: cov?.next() };
    const r = runScenario(sc, opts);
    hashes.add(r.hash);
    if (r.failures.length) failed.push({ r, opts: cov ? { ...opts, picks: r.picks } : opts });
    cov?.finish({ failed: r.failures.length > 0, picks: r.picks, coverage: r.coverage });
    if (i % 1000 === 0) newPer1000.push(0);
    for (const c of r.coverage ?? []) {
      if (c.startsWith('wake ') || tuples.has(c)) continue;
      tuples.add(c);
      newPer1000[newPer1000.length - 1]++;
    }
    if (k !== undefined && base.pctK === undefined && r.picks.length > k) k = r.picks.length;
  }
  // Determinism: the first seed, run again after all the others, must be the same run (same trace and logs).
  const first = runScenario(sc, { ...base, pctK: k ?? base.pctK, schedule: undefined });
  const again = runScenario(sc, { ...base, pctK: k ?? base.pctK, schedule: undefined });
  const sameRun = (a: RunResult, b: RunResult) => a.hash === b.hash && JSON.stringify(a.kernel.notes) === JSON.stringify(b.kernel.notes);
  const secs = (performance.now() - t0) / 1000;
  const described = cov ? 'cov' : strategy === 'pct' ? `pct(d=${base.pctDepth ?? PCT_DEFAULT_DEPTH},k=${k})` : strategy;
  out(`${sc.name}: ${n} runs (seeds ${from}..${from + n - 1}, ${described}${bugs.length ? `, bugs ${bugs.join(',')}` : ''})`);
  const deterministic = sameRun(first, again);
  out(`  failures: ${failed.length}${deterministic ? '' : ' (and the run is not deterministic)'}`);
  if (!deterministic) out(`  determinism: FAILED: seed ${from} run twice gave different runs (trace ${first.hash} vs ${again.hash}); state leaks between runs`);
  out(`  distinct interleavings: ${hashes.size}`);
  out(`  coverage: ${tuples.size} distinct (syscall, object state, outcome) tuples; new per 1000 runs: ${newPer1000.join(', ')}`);
  const missed = (sc.targets ?? []).filter((t) => !tuples.has(t));
  if (sc.targets?.length) out(`  targets: ${sc.targets.length - missed.length} of ${sc.targets.length} reached${missed.length ? `; never reached: ${missed.join(', ')}` : ''}`);
  out(`  runs/s: ${(n / secs).toFixed(0)}`);
  for (const { r, opts } of failed.slice(0, 10)) {
    out(`  seed ${r.seed}: ${r.failures[0].split('\n')[0]}`);
    out(`    replay: ${replayCommand(file, r.seed, strategy, bugs, opts.picks, f.preempt, extraFlags(opts))}`);
  }
  if (failed.length > 10) out(`  ... and ${failed.length - 10} more`);
  return failed.length || !deterministic ? 1 : 0;
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

function cmdExec(f: Flags, guestArgs: string[], io: GuestOutput): number {
  const file = f.positional[0];
  if (!file) throw new UsageError('missing ELF file');
  if (f.positional.length > 1) throw new UsageError(`unexpected argument "${f.positional[1]}" (guest arguments go after --)`);
  const trace = f.trace;
  if (trace !== undefined && trace !== 'text' && trace !== 'json') throw new UsageError(`--trace must be text or json`);
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  if (statSync(file).isDirectory()) throw new UsageError(`${file}: is a directory`);
  const seed = parseSeed(f.seed ?? '1');
  let r;
  try {
    r = execImage(file, new Uint8Array(readFileSync(file)), {
      seed, strategy: strategyOf(f), args: guestArgs, recordText: trace !== undefined,
      checkInvariants: f.check || undefined, kernelPreemption: f.preempt || undefined,
    });
  } catch (e) {
    if (e instanceof ExecError) throw new UsageError(e.message);
    throw e;
  }
  for (const w of r.output) (w.stream === 'stdout' ? io.stdout : io.stderr)(w.bytes);
  const enc = new TextEncoder();
  if (trace) {
    const rendered = trace === 'text' ? renderText(r.events) + '\n' : renderChromeJson(r.events, r.labels) + '\n';
    if (f.traceOut) writeFileSync(f.traceOut, rendered);
    else io.stderr(enc.encode(rendered));
  }
  const unknown = r.kernel.describeUnknownSyscalls();
  if (unknown) io.stderr(enc.encode(`unixsim: ${file}: unknown syscalls (ENOSYS): ${unknown}\n`));
  if (r.problem) {
    io.stderr(enc.encode(`unixsim: ${file}: ${r.problem} (seed ${seed}, trace ${r.hash})\n`));
    return EXEC_RUN_FAILED;
  }
  return r.status;
}

export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s), io: GuestOutput = HOST_OUTPUT): Promise<number> {
  const err = (s: string) => console.error(s);
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
        return await cmdSweep(f, out);
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
