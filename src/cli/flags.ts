// The command line's words: the flags every command shares (the run flags
// come from src/explore/run-flags.ts, the table replay commands are written
// from), and the checks that turn a bad value into a one-line usage error.
// Kept apart from the commands so that parsing a command line loads no
// simulator code: `unixsim bugs` starts in about node's own time.
import { FlagError, applyRunFlag, runFlag, type RunSpec } from '../explore/run-flags.ts';

/** The scenario `unixsim sweep` runs when given no file. */
export const DEFAULT_SCENARIO = 'scenarios/accept-storm.ts';

/** A bad command line: printed as one line (and the usage), exit status 2. */
export class UsageError extends Error {}

export interface Flags {
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

export function parseFlags(argv: string[]): Flags {
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

export function positiveInt(v: string | undefined, name: string): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer`);
  return n;
}

export function nonNegativeInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a non-negative integer`);
  return n;
}

export function shrinkRunsOf(f: Flags): number | undefined {
  const n = f.shrinkRuns === undefined ? undefined : Number(f.shrinkRuns);
  if (n !== undefined && !(Number.isInteger(n) && n >= 0)) throw new UsageError('--shrink-runs must be a whole number');
  return n;
}

/** --trace: text (strace-like), perfetto (trace-event JSON; json is its old name), or none. */
export type TraceFormat = 'text' | 'perfetto';

export function traceFormatOf(v: string | undefined): TraceFormat | undefined {
  if (v === undefined) return undefined;
  if (v === 'text') return 'text';
  if (v === 'perfetto' || v === 'json') return 'perfetto';
  throw new UsageError(`--trace must be text or perfetto (json is an alias of perfetto)`);
}
