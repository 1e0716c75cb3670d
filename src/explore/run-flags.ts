// The command-line flags that change a run, in one table that both parses
// them (src/cli.ts) and writes them back (replayCommand). Every RunOptions
// field must say here how it is spelled or why it does not change the run,
// so a new option (a strategy parameter, a fault to inject) cannot be left
// out of the replay command: `RUN_OPTION_FLAGS` stops compiling instead.
import { parseBytes } from '../hw/budget.ts';
import { PAGE_SIZE } from '../hw/memory.ts';
import { isPlantedBug } from '../kernel/bugs.ts';
import { GC_KINDS, MAX_HARTS, type GcKind } from '../kernel/config-values.ts';
import { parseSeed, type Seed } from '../sched/rng.ts';
import { STRATEGIES, type StrategyName } from '../sched/strategy-names.ts';
import type { RunOptions } from '../script/runner.ts';

export type FlagKind = 'seed' | 'strategy' | 'gc' | 'int' | 'bool' | 'list' | 'picks' | 'decisions' | 'bytes' | 'duration';

export interface RunFlag {
  flag: string;
  kind: FlagKind;
  /** value words in the usage text */
  arg?: string;
}

/**
 * Why an option has no flag: it changes what is recorded, not what runs; or
 * it is an explorer's strategy object, whose runs record every pick (their
 * replay command carries --picks).
 */
type NotAFlag = 'output-only' | 'replayed-by-picks';

/** Each RunOptions field: its flag, or 'output-only'. */
export const RUN_OPTION_FLAGS = {
  seed: { flag: '--seed', kind: 'seed', arg: 'S' },
  strategy: { flag: '--strategy', kind: 'strategy', arg: STRATEGIES.join('|') },
  pctDepth: { flag: '--depth', kind: 'int', arg: 'D' },
  pctK: { flag: '--pct-k', kind: 'int', arg: 'K' },
  bugs: { flag: '--bug', kind: 'list', arg: 'NAME' },
  picks: { flag: '--picks', kind: 'picks', arg: 'T,T,...' },
  checkInvariants: { flag: '--check', kind: 'bool' },
  checkWakeDuties: { flag: '--check-wakes', kind: 'bool' },
  kernelPreemption: { flag: '--kernel-preempt', kind: 'bool' },
  harts: { flag: '--harts', kind: 'int', arg: 'N' },
  gc: { flag: '--gc', kind: 'gc', arg: GC_KINDS.join('|') },
  maxSteps: { flag: '--max-steps', kind: 'int', arg: 'N' },
  spuriousWakeups: { flag: '--spurious-wakeups', kind: 'bool' },
  eintr: { flag: '--eintr', kind: 'bool' },
  shortIo: { flag: '--short-io', kind: 'bool' },
  faultPicks: { flag: '--fault-picks', kind: 'decisions', arg: 'D,D,...' },
  memory: { flag: '--memory', kind: 'bytes', arg: 'SIZE' },
  maxInstructions: { flag: '--max-instructions', kind: 'int', arg: 'N' },
  maxTime: { flag: '--max-time', kind: 'duration', arg: 'DURATION' },
  recordText: 'output-only',
  coverage: 'output-only',
  schedule: 'replayed-by-picks',
} as const satisfies { [K in keyof Required<RunOptions>]: RunFlag | NotAFlag };

type FlaggedKey = { [K in keyof typeof RUN_OPTION_FLAGS]: (typeof RUN_OPTION_FLAGS)[K] extends RunFlag ? K : never }[keyof typeof RUN_OPTION_FLAGS];

/** The flagged options in table order. */
export const RUN_FLAGS: readonly (RunFlag & { key: FlaggedKey })[] = (Object.entries(RUN_OPTION_FLAGS) as [FlaggedKey, RunFlag | NotAFlag][])
  .filter((e): e is [FlaggedKey, RunFlag] => typeof e[1] !== 'string')
  .map(([key, f]) => ({ ...f, key }));

/** A bad flag value: the CLI prints it as a usage error. */
export class FlagError extends Error {}

/** The flags' part of RunOptions: everything but the seed may be absent. */
export type RunSpec = Omit<RunOptions, 'seed'> & { seed?: Seed };

/** Whether `name` (e.g. "--bug") is a run flag, and whether it takes a value. */
export function runFlag(name: string): (RunFlag & { key: FlaggedKey }) | undefined {
  return RUN_FLAGS.find((f) => f.flag === name);
}

/** Applies one run flag (with its value, if it takes one) to `spec`; throws FlagError on a bad value. */
export function applyRunFlag(spec: RunSpec, f: RunFlag & { key: FlaggedKey }, value: string | undefined): void {
  const s = spec as Record<string, unknown>;
  switch (f.kind) {
    case 'bool':
      s[f.key] = true;
      return;
    case 'seed':
      s[f.key] = parseSeed(value!);
      return;
    case 'gc':
      if (!(GC_KINDS as readonly string[]).includes(value!)) throw new FlagError(`unknown garbage collector "${value}" (${GC_KINDS.join(', ')})`);
      s[f.key] = value as GcKind;
      return;
    case 'strategy':
      if (!(STRATEGIES as readonly string[]).includes(value!)) throw new FlagError(`unknown strategy "${value}" (${STRATEGIES.join(', ')})`);
      s[f.key] = value as StrategyName;
      return;
    case 'int': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new FlagError(`${f.flag} must be a positive integer`);
      if (f.key === 'harts' && n > MAX_HARTS) throw new FlagError(`--harts must be at most ${MAX_HARTS}`);
      s[f.key] = n;
      return;
    }
    case 'list':
      if (f.key === 'bugs' && !isPlantedBug(value!)) throw new FlagError(`unknown planted bug "${value}" (see: unixsim bugs)`);
      s[f.key] = [...((s[f.key] as string[] | undefined) ?? []), value!];
      return;
    case 'picks': {
      const picks = value!.split(',').filter((p) => p.length).map(Number);
      if (picks.some((p) => !Number.isInteger(p) || p < 1)) throw new FlagError(`--picks must be a comma-separated list of pids`);
      s[f.key] = picks;
      return;
    }
    case 'decisions': {
      const ds = value!.split(',').filter((p) => p.length).map(Number);
      if (ds.some((d) => !Number.isInteger(d) || d < 0)) throw new FlagError(`${f.flag} must be a comma-separated list of non-negative integers`);
      s[f.key] = ds;
      return;
    }
    case 'bytes': {
      const n = parseBytes(value!);
      if (!(n >= PAGE_SIZE)) throw new FlagError(`${f.flag} must be a size such as 64M or 1G (at least 4k), not "${value}"`);
      s[f.key] = n;
      return;
    }
    case 'duration': {
      const n = parseDuration(value!);
      if (!(n >= 1)) throw new FlagError(`${f.flag} must be a virtual duration such as 10s, 500ms or 2m, not "${value}"`);
      s[f.key] = n;
      return;
    }
  }
}

/** "10s", "500ms", "2m", "1h", "250us", "100ns" or bare seconds, in ticks (1 tick = 1 ns of virtual time). */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ns|us|ms|s|m|h)?$/.exec(s.trim());
  if (!m) return NaN;
  const scale = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[(m[2] ?? 's') as 'ns' | 'us' | 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * scale);
}

/** A seed as the shell should see it: numbers bare, strings quoted. */
export function shellSeed(seed: Seed): string {
  return typeof seed === 'number' ? String(seed) : `'${seed.replace(/'/g, `'\\''`)}'`;
}

/** The flags that give exactly this run (defaults left out), as shell words. */
export function runArgs(opts: RunSpec): string[] {
  const out: string[] = [];
  for (const f of RUN_FLAGS) {
    const v = (opts as Record<string, unknown>)[f.key];
    if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue;
    switch (f.kind) {
      case 'bool':
        out.push(f.flag);
        break;
      case 'seed':
        out.push(f.flag, shellSeed(v as Seed));
        break;
      case 'strategy':
        if (v !== 'random') out.push(f.flag, String(v));
        break;
      case 'gc':
        if (v !== 'scc') out.push(f.flag, String(v));
        break;
      case 'int':
      case 'bytes':
        out.push(f.flag, String(v));
        break;
      case 'duration':
        out.push(f.flag, `${v}ns`);
        break;
      case 'list':
        for (const x of v as string[]) out.push(f.flag, x);
        break;
      case 'picks':
      case 'decisions':
        out.push(f.flag, (v as number[]).join(','));
        break;
    }
  }
  return out;
}

/** The exact command that reproduces a scenario run (its text trace included). */
export function replayCommand(file: string, opts: RunOptions): string {
  return ['npx unixsim replay', file, ...runArgs({ ...opts, seed: opts.seed })].join(' ');
}

/** The exact command that reproduces an `unixsim exec` run. */
export function execReplayCommand(file: string, opts: RunSpec, guestArgs: readonly string[] = []): string {
  const quote = (a: string) => (/^[\w./=:,+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const parts = ['npx unixsim exec', quote(file), ...runArgs(opts)];
  if (guestArgs.length) parts.push('--', ...guestArgs.map(quote));
  return parts.join(' ');
}

/** Splits a printed command back into words (the quoting runArgs and execReplayCommand produce). */
export function shellWords(cmd: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(cmd))) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]);
  return words;
}
