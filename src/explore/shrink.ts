// Shrinking a failing schedule. Any failing run, whatever strategy found
// it, is first a pick list; candidates are edited pick lists replayed
// leniently (src/explore/schedule.ts) and kept only when they fail the same
// way (the same failure kind: the same check, or the same end) and are
// smaller in (preemptions, context switches, length), in that order, and
// never longer than the original. First the schedules with no choice, or
// one choice, off the fallback rule; then three passes, repeated until none
// helps:
//   1. remove a preemption: run the preempted thread instead, or stop the
//      list there and let the fallback (no preemption) finish the run, or
//      delay the switch by one choice point;
//   2. the same at every other pick the fallback would not have made
//      (fewer context switches);
//   3. delta debugging over the list: drop halves, quarters, ... single picks.
import type { RunOptions, RunResult } from '../script/runner.ts';
import { isPreemption, runSchedule, type JudgedRun, type ScheduleFigures, type ScheduledRun, type Subject } from './schedule.ts';
import { classifyFailure, type FailureKind } from './signature.ts';

/** Candidate runs a shrink may spend unless told otherwise. */
export const DEFAULT_SHRINK_RUNS = 400;

export interface ShrinkOptions {
  /** candidate runs allowed (default 400); the best schedule so far is returned when they run out */
  maxRuns?: number;
}

export interface ShrinkResult {
  failure: FailureKind;
  /** the original schedule: every pick the strategy made, and its figures */
  before: ScheduleFigures & { picks: number };
  /** the shrunk schedule, re-run with the text trace */
  after: ScheduledRun;
  /** options that replay the shrunk run exactly */
  replay: RunOptions;
  /** candidate runs spent */
  runs: number;
}

const smaller = (a: ScheduleFigures, b: ScheduleFigures) =>
  a.preemptions !== b.preemptions ? a.preemptions < b.preemptions
    : a.switches !== b.switches ? a.switches < b.switches
      : a.length < b.length;

/**
 * Shrinks the schedule of `failed` (a run of `sc`, a scenario or a
 * program, under `opts`). Throws if
 * the run did not fail. Deterministic: the same failing run gives the same
 * shrunk schedule.
 */
export function shrinkFailure(sc: Subject, opts: RunOptions, failed: Pick<RunResult, 'failures' | 'end' | 'picks'>, so: ShrinkOptions = {}): ShrinkResult {
  const failure = classifyFailure(failed);
  if (!failure) throw new Error('shrinkFailure: the run did not fail');
  const maxRuns = so.maxRuns ?? DEFAULT_SHRINK_RUNS;
  const limit = failed.picks.length;
  let runs = 0;

  const sameFailure = (r: JudgedRun) => classifyFailure(r)?.kind === failure.kind;
  const attempt = (picks: readonly number[]): ScheduledRun | null => {
    runs++;
    const c = runSchedule(sc, opts, picks);
    return sameFailure(c.result) ? c : null;
  };

  const original = runSchedule(sc, opts, failed.picks);
  runs++;
  let best = original;
  const before = { ...original.figures, length: limit, picks: limit };
  if (sameFailure(original.result)) {
    const better = (c: ScheduledRun | null): c is ScheduledRun => !!c && c.figures.length <= limit && smaller(c.figures, best.figures);
    const tryAll = (cands: Iterable<number[]>): boolean => {
      for (const picks of cands) {
        if (runs >= maxRuns) return false;
        const c = attempt(picks);
        if (better(c)) {
          best = c;
          return true;
        }
      }
      return false;
    };
    // Pass 1 and 2: points to straighten, preemptions first.
    function* straighten(onlyPreemptions: boolean): Generator<number[]> {
      const { points, picks } = best;
      for (let i = Math.min(points.length, picks.length) - 1; i >= 0; i--) {
        const p = points[i];
        if (p.chosen === p.fallback || isPreemption(p) !== onlyPreemptions) continue;
        const edited = picks.slice();
        edited[i] = p.fallback;
        yield edited;
        yield picks.slice(0, i);
        // or the same switch made one choice point later, where it may no longer preempt
        if (i + 1 < picks.length) yield [...picks.slice(0, i), p.fallback, ...picks.slice(i)];
      }
    }
    // Pass 3: ddmin-style chunk removal.
    function* drop(): Generator<number[]> {
      const picks = best.picks;
      for (let size = picks.length >> 1; size >= 1; size >>= 1) {
        for (let at = 0; at + size <= picks.length; at += size) yield [...picks.slice(0, at), ...picks.slice(at + size)];
      }
    }
    // Pass 0: no choice at all, else exactly one choice off the fallback (at
    // most one preemption), earliest first: the fewest preemptions a
    // schedule can have, found directly rather than approached greedily.
    function* oneChoice(): Generator<number[]> {
      yield [];
      const straight = runSchedule(sc, opts, []);
      runs++;
      for (let k = 0; k < straight.points.length; k++) {
        const p = straight.points[k];
        const prefix = straight.points.slice(0, k).map((q) => q.chosen);
        for (const t of p.runnable) if (t !== p.fallback) yield [...prefix, t];
      }
    }
    if (best.figures.preemptions > 1 || (best.figures.preemptions === 1 && best.figures.switches > 1)) tryAll(oneChoice());
    for (let progress = true; progress && runs < maxRuns; ) {
      progress = tryAll(straighten(true)) || tryAll(straighten(false)) || tryAll(drop());
    }
  }
  const after = runSchedule(sc, opts, best.picks, true);
  return { failure, before, after, replay: after.replay, runs };
}
