// A run's schedule as data: at every choice point (two or more runnable
// threads) who could run, who ran before, and who was picked. From it come
// the figures shrinking minimises (preemptions, context switches, length)
// and the pick list a replay follows. A schedule is replayed "leniently":
// a pick that is not runnable (the program went another way) and every
// choice past the list's end fall back to keep-the-current-else-lowest-tid,
// so any edited list still names one run.
import type { Scheduler } from '../sched/scheduler.ts';
import { keepOrLowest } from '../sched/strategies/keep.ts';
import type { Strategy } from '../sched/strategy.ts';
import type { SimThread } from '../sched/thread.ts';
import { runScenario, type RunHooks, type RunOptions, type RunResult } from '../script/runner.ts';
import type { Scenario } from '../script/scenario.ts';

/** What shrinking needs of a run: how it was judged and what it recorded. */
export type JudgedRun = Pick<RunResult, 'failures' | 'end' | 'picks' | 'events' | 'labels' | 'hash' | 'steps' | 'kernel' | 'seed' | 'strategy'>;

/** Something to run under options and hooks: a scenario, or a program (`unixsim exec`). */
export type Subject = Scenario | ((opts: RunOptions, hooks: RunHooks) => JudgedRun);

function runSubject(subject: Subject, opts: RunOptions, hooks: RunHooks): JudgedRun {
  return typeof subject === 'function' ? subject(opts, hooks) : runScenario(subject, opts, hooks);
}

export interface ChoicePoint {
  /** runnable tids, in tid order */
  runnable: number[];
  /** the thread that ran the step before (null at the start) */
  previous: number | null;
  chosen: number;
  /** what keep-the-current-else-lowest would have picked */
  fallback: number;
  /** trace events recorded before the chosen thread's step (text runs only) */
  eventIndex: number;
}

export interface ScheduleFigures {
  /** choice points where a runnable thread was switched away from */
  preemptions: number;
  /** choice points where the picked thread is not the one that ran before */
  switches: number;
  /** picks left once the trailing ones the fallback would make anyway are dropped */
  length: number;
}

export const isPreemption = (p: ChoicePoint) => p.previous !== null && p.chosen !== p.previous && p.runnable.includes(p.previous);
const isSwitch = (p: ChoicePoint) => p.previous !== null && p.chosen !== p.previous;

/** The shortest pick list that, replayed with the fallback after it, makes the same choices. */
export function minimalPicks(points: readonly ChoicePoint[]): number[] {
  let n = points.length;
  while (n > 0 && points[n - 1].chosen === points[n - 1].fallback) n--;
  return points.slice(0, n).map((p) => p.chosen);
}

export function figuresOf(points: readonly ChoicePoint[]): ScheduleFigures {
  let preemptions = 0;
  let switches = 0;
  for (const p of points) {
    if (isPreemption(p)) preemptions++;
    if (isSwitch(p)) switches++;
  }
  return { preemptions, switches, length: minimalPicks(points).length };
}

/** Follows `picks` leniently and records every choice point. */
class LenientReplay implements Strategy {
  readonly points: ChoicePoint[] = [];
  sched: Scheduler | null = null;

  constructor(private readonly picks: readonly number[]) {}

  get describe(): string {
    return `replay(${this.picks.length} picks, then keep)`;
  }

  pick(runnable: readonly SimThread[], _step: number, previous?: SimThread | null): SimThread {
    const fallback = keepOrLowest(runnable, previous ?? null);
    const want = this.picks[this.points.length];
    const t = (want !== undefined && runnable.find((r) => r.tid === want)) || fallback;
    this.points.push({
      runnable: runnable.map((r) => r.tid),
      previous: previous?.tid ?? null,
      chosen: t.tid,
      fallback: fallback.tid,
      eventIndex: this.sched?.trace.events.length ?? 0,
    });
    return t;
  }
}

export interface ScheduledRun {
  result: JudgedRun;
  points: ChoicePoint[];
  figures: ScheduleFigures;
  /** the run's minimal pick list */
  picks: number[];
  /** options that replay exactly this run: the minimal picks, then the keep strategy */
  replay: RunOptions;
}

/** The options that replay a schedule exactly from the command line (`--picks L --strategy keep`). */
export function keepReplayOptions(opts: RunOptions, picks: readonly number[]): RunOptions {
  const { pctDepth: _unused, ...rest } = opts;
  return { ...rest, strategy: 'keep', picks: [...picks] };
}

/** Runs the scenario (or program) under `picks` (leniently) with everything else from `opts`. */
export function runSchedule(subject: Subject, opts: RunOptions, picks: readonly number[], recordText = false): ScheduledRun {
  const strategy = new LenientReplay(picks);
  const result = runSubject(subject, { ...opts, picks: undefined, recordText }, {
    strategy: () => strategy,
    scheduler: (s) => (strategy.sched = s),
  });
  const minimal = minimalPicks(strategy.points);
  return { result, points: strategy.points, figures: figuresOf(strategy.points), picks: minimal, replay: keepReplayOptions(opts, minimal) };
}
