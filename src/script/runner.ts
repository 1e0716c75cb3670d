// Runs one scenario under one seed and strategy, and judges the result.
// Everything that varies between runs comes from the seed (through the
// strategy's generator) or the recorded picks; nothing else.
import { bootMachine } from '../machine.ts';
import type { ConsoleWrite } from '../kernel/console.ts';
import { FaultInjector, ReplayFaults, type FaultChooser, type FaultOptions } from '../kernel/faults.ts';
import { InvariantViolation, ROOT_CREDS, type GcKind, type Kernel, type KernelConfig } from '../kernel/kernel.ts';
import { Rng, type Seed } from '../sched/rng.ts';
import { Scheduler, describeRunEnd, type RunEnd } from '../sched/scheduler.ts';
import type { Strategy } from '../sched/strategy.ts';
import { PCT_DEFAULT_DEPTH, PctStrategy } from '../sched/strategies/pct.ts';
import { RandomStrategy } from '../sched/strategies/random.ts';
import { ReplayStrategy } from '../sched/strategies/replay.ts';
import { KeepCurrentStrategy } from '../sched/strategies/keep.ts';
import { RoundRobinStrategy } from '../sched/strategies/roundRobin.ts';
import type { TraceEvent } from '../sched/trace.ts';
import { ScriptContext } from './context.ts';
import { RunView } from './runview.ts';
import { installFiles } from './files.ts';
import { installScriptPrograms } from './binfmt.ts';
import type { Scenario } from './scenario.ts';
import { scriptWatch } from './watch.ts';

import { STRATEGIES, type StrategyName } from '../sched/strategy-names.ts';
export { STRATEGIES, type StrategyName };

export interface RunOptions {
  seed: Seed;
  strategy?: StrategyName;
  /** follow these picks (a recorded or shrunk schedule) instead of the strategy; the strategy continues after them */
  picks?: readonly number[];
  /** record the readable trace (slower) */
  recordText?: boolean;
  /** planted bugs to enable, in addition to the scenario's */
  bugs?: readonly string[];
  /** check kernel invariants after every step */
  checkInvariants?: boolean;
  /** with the invariants, check that every sleeper whose wait condition holds has been woken (src/kernel/wake-duty.ts) */
  checkWakeDuties?: boolean;
  maxSteps?: number;
  /** make the kernel's PREEMPT points and lock acquisitions scheduling points, the kernel preemptible */
  kernelPreemption?: boolean;
  /** harts running kernel code at once (the SMP model, src/kernel/lock.ts); more than 1 makes interleaving points scheduling points */
  harts?: number;
  /** the in-flight garbage collector (`--gc`): 'scc' (the default) or 'mark-sweep' (src/unix/gc/) */
  gc?: GcKind;
  /** PCT depth d (`--depth`, default 3) */
  pctDepth?: number;
  /**
   * PCT's k, the choice points of a run (`--pct-k`). When absent, runScenario
   * measures it with calibration runs (calibratePctK); a sweep measures it
   * once for all its seeds, and the replay command carries it.
   */
  pctK?: number;
  /** a strategy object for this run (an explorer's), used instead of `strategy` */
  schedule?: Strategy;
  /** record coverage tuples (RunResult.coverage); sweeps and the cov strategy turn it on */
  coverage?: boolean;
  /** fault injection (src/kernel/faults.ts): a sleeper woken without its condition */
  spuriousWakeups?: boolean;
  /** fault injection: interruptible sleeps interrupted as by a signal without SA_RESTART */
  eintr?: boolean;
  /** fault injection: pipe and stream reads return less than they could */
  shortIo?: boolean;
  /** fault decisions to replay, one per fault point (RunResult.faultPicks), instead of drawing them from the seed */
  faultPicks?: readonly number[];
  /** the run's memory budget in bytes (default 1 GiB; the scenario's kernel.memoryLimit otherwise) */
  memory?: number;
  /** stop after this many guest instructions (reported as the instruction limit) */
  maxInstructions?: number;
  /** stop once virtual time passes this many ticks (reported as the time limit) */
  maxTime?: number;
}

/** k when nothing measured it (`unixsim exec`, whose runs are too long to run twice). */
export const PCT_UNCALIBRATED_K = 1000;

/** Default instruction budget of a run: about a minute or two of emulation. */
export const DEFAULT_MAX_INSTRUCTIONS = 10_000_000_000;
/** Default virtual-time budget of a run: one virtual day (1 tick = 1 ns). */
export const DEFAULT_MAX_TIME = 86_400 * 1_000_000_000;

export interface RunResult {
  scenario: string;
  seed: Seed;
  strategy: string;
  end: RunEnd;
  /** empty when the run passed */
  failures: string[];
  /** fingerprint of the whole run: same seed and program, same hash */
  hash: string;
  picks: number[];
  steps: number;
  /** virtual ticks at the end */
  time: number;
  events: TraceEvent[];
  labels: ReadonlyMap<number, string>;
  kernel: Kernel;
  /** the decisions at fault points, when a strategy (dfs) or --fault-picks made them rather than the seed */
  faultPicks?: number[];
  /** the (syscall, object state, outcome) tuples the run reached */
  coverage?: ReadonlySet<string>;
  /** what the checks saw: exits, logs and the kernel's state at the end (view.state(), view.describeState()) */
  view: RunView;
}

export function makeStrategy(name: StrategyName, rng: Rng, opts: RunOptions): Strategy {
  switch (name) {
    case 'random':
      return new RandomStrategy(rng);
    case 'rr':
      return new RoundRobinStrategy();
    case 'pct':
      return new PctStrategy(rng, opts.pctDepth ?? PCT_DEFAULT_DEPTH, opts.pctK ?? PCT_UNCALIBRATED_K);
    case 'keep':
      return new KeepCurrentStrategy();
  }
}

/** In-process observers of one run (src/explore's shrinker); not part of what a run is, so not in RunOptions. */
export interface RunHooks {
  /** wraps the strategy the options describe (e.g. to record every choice point) */
  strategy?: (s: Strategy) => Strategy;
  /** sees the scheduler before the run starts */
  scheduler?: (s: Scheduler) => void;
  /** sees every console write as it happens (the CLI streams stdout with it) */
  output?: (w: ConsoleWrite) => void;
}

/** The run's fault-injection options, or null when none is on. */
export function faultsOf(opts: RunOptions): FaultOptions | null {
  if (!opts.spuriousWakeups && !opts.eintr && !opts.shortIo) return null;
  return { spuriousWakeups: opts.spuriousWakeups, eintr: opts.eintr, shortIo: opts.shortIo };
}

/** Who decides the fault points: recorded decisions, else the explorer's strategy, else (null) the seed. */
function faultChooser(opts: RunOptions, strategy: Strategy): FaultChooser | null {
  if (opts.faultPicks) return new ReplayFaults(opts.faultPicks);
  const decide = strategy.fault?.bind(strategy);
  return decide ? { decide } : null;
}

/** Calibrated k per scenario, kernel options and depth (a pure function of them, so memoising it changes nothing). */
const calibrated = new WeakMap<Scenario, Map<string, number>>();

/** Random runs that give PCT's calibration its first k. */
export const PCT_CALIBRATION_RANDOM_RUNS = 1;
/** At most this many PCT runs then raise k to the longest run seen so far... */
export const PCT_CALIBRATION_PCT_RUNS = 15;
/** ...stopping once this many in a row did not raise it. */
export const PCT_CALIBRATION_SETTLED = 6;

/**
 * PCT's k for a scenario: the most choice points of a few calibration runs,
 * with the same kernel options (so kernel preemption points and planted
 * bugs count). A random run gives a first k; then PCT runs at the run's
 * depth, each drawing its change points over the k so far, raise k to the
 * longest run seen so far, until PCT_CALIBRATION_SETTLED runs in a row
 * leave it where it is (at most PCT_CALIBRATION_PCT_RUNS). PCT's own runs
 * are what k must bound, and they can be twice as long as a random run: a
 * task that runs ahead leaves the others to block and be woken one by one
 * (race-two-acceptors: 9 choice points in one random run, 11 to 20 in PCT's).
 * The seeds are fixed, so k depends on the scenario, options and depth
 * only, never on which seeds a sweep, shard or worker runs: a k that kept
 * growing during a sweep would make a seed's run depend on the seeds before
 * it, which a shard starting later has not run. A sweep reports its longest
 * run instead (sweep-report.ts), so a user sees when a run outgrew k and
 * can pass a larger --pct-k.
 */
export function calibratePctK(sc: Scenario, opts: RunOptions): number {
  const depth = opts.pctDepth ?? PCT_DEFAULT_DEPTH;
  const key = JSON.stringify([opts.bugs ?? [], opts.kernelPreemption ?? false, opts.harts ?? 0, opts.gc ?? '', opts.checkInvariants ?? false, opts.checkWakeDuties ?? false, opts.maxSteps ?? 0, faultsOf(opts), depth]);
  let bySc = calibrated.get(sc);
  if (!bySc) calibrated.set(sc, (bySc = new Map()));
  let k = bySc.get(key);
  if (k === undefined) {
    const base: RunOptions = { ...opts, picks: undefined, recordText: false, schedule: undefined, coverage: false, faultPicks: undefined };
    let longest = 1;
    for (let i = 1; i <= PCT_CALIBRATION_RANDOM_RUNS; i++) {
      longest = Math.max(longest, runScenario(sc, { ...base, seed: `pct-calibration/random/${i}`, strategy: 'random' }).picks.length);
    }
    for (let i = 1, still = 0; i <= PCT_CALIBRATION_PCT_RUNS && still < PCT_CALIBRATION_SETTLED; i++) {
      const n = runScenario(sc, { ...base, seed: `pct-calibration/pct/${i}`, strategy: 'pct', pctDepth: depth, pctK: longest }).picks.length;
      still = n > longest ? 0 : still + 1;
      longest = Math.max(longest, n);
    }
    k = longest;
    bySc.set(key, k);
  }
  return k;
}

export function runScenario(sc: Scenario, opts: RunOptions, hooks: RunHooks = {}): RunResult {
  if ((opts.strategy ?? 'random') === 'pct' && opts.pctK === undefined && !opts.schedule) opts = { ...opts, pctK: calibratePctK(sc, opts) };
  // a sweep's watchdog names the seed of a stuck run; a replayed or explored schedule is not that seed's own run
  scriptWatch()?.run(opts.picks || opts.schedule ? `${String(opts.seed)} (replaying a schedule)` : opts.seed);
  const rng = new Rng(opts.seed);
  const schedRng = rng.fork('sched');
  const base = opts.schedule ?? makeStrategy(opts.strategy ?? 'random', schedRng, opts);
  const described = opts.picks ? new ReplayStrategy(opts.picks, base) : base;
  const strategy = hooks.strategy ? hooks.strategy(described) : described;
  const sched = new Scheduler({
    strategy, maxSteps: opts.maxSteps ?? sc.maxSteps ?? 100_000, recordText: opts.recordText,
    maxInstructions: opts.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS, maxTime: opts.maxTime ?? DEFAULT_MAX_TIME,
  });
  hooks.scheduler?.(sched);
  const config: Partial<KernelConfig> = {
    ...sc.kernel,
    bugs: [...(sc.kernel?.bugs ?? []), ...(opts.bugs ?? [])],
    checkInvariants: opts.checkInvariants ?? sc.kernel?.checkInvariants ?? false,
    checkWakeDuties: opts.checkWakeDuties ?? sc.kernel?.checkWakeDuties ?? false,
    kernelPreemption: opts.kernelPreemption ?? sc.kernel?.kernelPreemption ?? false,
    harts: opts.harts ?? sc.kernel?.harts ?? 1,
    gc: opts.gc ?? sc.kernel?.gc ?? 'scc',
    ...(opts.memory !== undefined ? { memoryLimit: opts.memory } : {}),
  };
  const failures: string[] = [];
  const { kernel: k, net } = bootMachine(sched, rng.fork('kernel'), config);
  if (opts.coverage) k.recordCoverage();
  if (hooks.output) k.console.sink = hooks.output;
  const faultOpts = faultsOf(opts);
  const faults = faultOpts ? new FaultInjector(faultOpts, rng.fork('faults'), faultChooser(opts, base)) : null;
  if (faults?.any) {
    k.faults = faults;
    if (opts.spuriousWakeups) sched.spuriousWake = (n) => faults.spuriousWake(n);
    // Drawn from one generator in step order, a fault depends on every step before it.
    if (sched.recorder && !faults.chosen) sched.recorder.everyStepGlobal = 'fault injection';
  }
  // A malformed scenario is refused before any run (scenarioProblem); this guards direct callers.
  const bad = installFiles(k.vfs, sc.files ?? {}) ?? installScriptPrograms(k, sc.programs ?? {});
  if (bad) throw new Error(`scenario ${sc.name}: ${bad}`);
  for (const p of sc.processes) {
    const creds = p.uid === undefined && p.gid === undefined ? ROOT_CREDS : credsOf(p.uid ?? 0, p.gid ?? 0);
    k.spawn(p.name, (t) => new ScriptContext(t, p.program), creds);
  }
  if (k.config.checkInvariants || k.config.checkWakeDuties) sched.afterStep = () => k.check();

  let end: RunEnd;
  try {
    end = sched.run();
  } catch (e) {
    end = { kind: 'exited', steps: sched.steps };
    if (e instanceof InvariantViolation) failures.push(`kernel invariant violated at step ${sched.steps}: ${e.message}`);
    else failures.push(`internal error at step ${sched.steps}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  const view = new RunView(end, k, net);
  if (failures.length === 0) failures.push(...judge(sc, end, k, view));
  // A possible deadlock the lock-order graph saw (lockdep.ts) is the cause of whatever else went wrong.
  failures.unshift(...k.lockdep.reports);
  return {
    scenario: sc.name,
    seed: opts.seed,
    strategy: described.describe,
    end,
    failures,
    hash: sched.trace.hash.hex(),
    picks: sched.trace.picks,
    steps: sched.steps,
    time: sched.clock.peek(),
    events: sched.trace.events,
    labels: sched.threadLabels(),
    kernel: k,
    view,
    coverage: k.coverage?.all(),
    ...(faults?.chosen ? { faultPicks: faults.decisions } : {}),
  };
}

function credsOf(uid: number, gid: number) {
  return { uid, gid, euid: uid, egid: gid, suid: uid, sgid: gid };
}

/** Everything a run must satisfy, in the order a reader wants to see failures. */
function judge(sc: Scenario, end: RunEnd, k: Kernel, view: RunView): string[] {
  const out: string[] = [];
  const ended = describeRunEnd(end);
  if (ended) out.push(ended);
  if (end.kind === 'exited' && k.files.live.size > 0) {
    const leaked = [...k.files.live.values()].map((f) => `${f.ops.describe(f)} (refs=${f.refs})`);
    out.push(`leak: ${leaked.length} open file(s) remain after every process exited: ${leaked.join(', ')}`);
  }
  for (const e of k.scriptErrors) out.push(`script error in pid ${e.pid}: ${e.message}`);
  if (sc.requireCleanExit !== false && end.kind === 'exited') {
    for (const e of k.exits) if (e.status !== 0) out.push(`${e.name} (pid ${e.pid}) ended with ${e.describe}`);
  }
  if (out.length === 0 || end.kind === 'exited') {
    for (const [name, check] of Object.entries(sc.checks ?? {})) {
      let r: boolean | string;
      try {
        r = check(view);
      } catch (e) {
        r = `threw ${e instanceof Error ? e.message : String(e)}`;
      }
      if (r !== true) out.push(`check "${name}" failed${typeof r === 'string' ? `: ${r}` : ''}`);
    }
  }
  return out;
}
