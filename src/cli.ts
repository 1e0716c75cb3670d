// The `unixsim` command line. Host I/O, wall-clock rates and exit codes live
// here, outside the simulation core.
//   exit 0: success; 1: a check failed or the run deadlocked (seed and
//   replay command printed); 2: bad usage or a bad scenario file.
//   `unixsim exec` exits with the guest's status instead (128 + signal when
//   killed, 125 when the run itself deadlocked or hit the step limit).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExecError, execImage } from './exec.ts';
import { importUserModule } from './load.ts';
import { plantedBugs } from './kernel/bugs.ts';
import { parseSeed, type Seed } from './sched/rng.ts';
import { renderChromeJson, renderText } from './sched/trace.ts';
import { STRATEGIES, runScenario, type RunOptions, type RunResult, type StrategyName } from './script/runner.ts';
import { scenarioProblem, type Scenario } from './script/scenario.ts';

/** The scenario `unixsim sweep` runs when given no file. */
export const DEFAULT_SCENARIO = 'scenarios/accept-storm.ts';

const USAGE = `usage:
  unixsim run FILE [--seed S] [--strategy random|rr|pct] [--trace text|json] [--trace-out PATH]
                   [--bug NAME]... [--picks T,T,...] [--check] [--kernel-preempt]
  unixsim sweep [FILE] --seeds N [--from S] [--strategy random|rr|pct] [--bug NAME]... [--check] [--kernel-preempt]
  unixsim replay FILE --seed S [--strategy ...] [--bug NAME]... [--picks T,T,...]
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
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { positional: [], bugs: [], check: false, preempt: false };
  const valued: Record<string, keyof Flags> = {
    '--seed': 'seed', '--seeds': 'seeds', '--from': 'from', '--strategy': 'strategy', '--trace': 'trace',
    '--trace-out': 'traceOut', '--picks': 'picks',
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
    mod = (await importUserModule(path)) as { default?: unknown };
  } catch (e) {
    // one line; a compile error's first line only announces the next ("Transform failed with 1 error:")
    const [first, second] = (e instanceof Error ? e.message : String(e)).split('\n');
    const msg = first.endsWith(':') && second ? `${first} ${second}` : first;
    throw new UsageError(`${file}: cannot load: ${msg}`);
  }
  const problem = scenarioProblem(mod.default);
  if (problem) throw new UsageError(`${file}: ${problem}`);
  return mod.default as Scenario;
}

function strategyOf(f: Flags): StrategyName {
  const s = f.strategy ?? 'random';
  if (!(STRATEGIES as readonly string[]).includes(s)) throw new UsageError(`unknown strategy "${s}" (random, rr or pct)`);
  return s as StrategyName;
}

function bugsOf(f: Flags): string[] {
  const known = plantedBugs();
  for (const b of f.bugs) if (!(b in known)) throw new UsageError(`unknown planted bug "${b}" (see: unixsim bugs)`);
  return f.bugs;
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
export function replayCommand(file: string, seed: Seed, strategy: StrategyName, bugs: readonly string[], picks?: readonly number[], preempt = false): string {
  const parts = ['npx unixsim replay', file, '--seed', JSON.stringify(seed).replace(/^"(.*)"$/, "'$1'")];
  if (strategy !== 'random') parts.push('--strategy', strategy);
  for (const b of bugs) parts.push('--bug', b);
  if (picks) parts.push('--picks', picks.join(','));
  if (preempt) parts.push('--kernel-preempt');
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
  out(`replay: ${replayCommand(file, r.seed, strategy, opts.bugs ?? [], opts.picks, opts.kernelPreemption)}`);
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

async function cmdSweep(f: Flags, out: (s: string) => void): Promise<number> {
  const file = f.positional[0] ?? DEFAULT_SCENARIO;
  const n = positiveInt(f.seeds, '--seeds');
  const from = f.from === undefined ? 1 : Number(f.from);
  if (!Number.isInteger(from)) throw new UsageError('--from must be an integer seed');
  const sc = await loadScenario(file);
  const strategy = strategyOf(f);
  const bugs = bugsOf(f);
  const hashes = new Set<string>();
  const failed: RunResult[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = runScenario(sc, { seed: from + i, strategy, bugs, checkInvariants: f.check || undefined, kernelPreemption: f.preempt || undefined });
    hashes.add(r.hash);
    if (r.failures.length) failed.push(r);
  }
  const secs = (performance.now() - t0) / 1000;
  out(`${sc.name}: ${n} runs (seeds ${from}..${from + n - 1}, ${strategy}${bugs.length ? `, bugs ${bugs.join(',')}` : ''})`);
  out(`  failures: ${failed.length}`);
  out(`  distinct interleavings: ${hashes.size}`);
  out(`  runs/s: ${(n / secs).toFixed(0)}`);
  for (const r of failed.slice(0, 10)) {
    out(`  seed ${r.seed}: ${r.failures[0].split('\n')[0]}`);
    out(`    replay: ${replayCommand(file, r.seed, strategy, bugs, undefined, f.preempt)}`);
  }
  if (failed.length > 10) out(`  ... and ${failed.length - 10} more`);
  return failed.length ? 1 : 0;
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
