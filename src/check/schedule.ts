// A schedule as data, so that fast-check can generate and shrink it along
// with the program: a short list of preemptions, each "let `gap` choice
// points pass, then switch `shift` places along the runnable list". Between
// preemptions, and after the last one, the run continues deterministically:
// the task that ran last keeps running while it can, else the lowest tid.
// Shrinking therefore removes preemptions, moves them earlier and makes them
// smaller, and a schedule with no preemptions is the plain cooperative run.
import type { Strategy } from '../sched/strategy.ts';
import type { SimThread } from '../sched/thread.ts';

export interface Preemption {
  /** choice points that pass without a switch before this preemption */
  gap: number;
  /** how many places along the runnable list (in tid order, from the current task) to move; at least 1 */
  shift: number;
}

export type Schedule = readonly Preemption[];

/** Follows a Schedule; see the file comment. */
export class ScheduleStrategy implements Strategy {
  private last = -1;
  private point = 0;
  /** the choice point at which the next preemption falls */
  private nextAt: number;
  private next = 0;

  constructor(private readonly schedule: Schedule) {
    this.nextAt = schedule.length ? schedule[0].gap : Infinity;
  }

  get describe(): string {
    return `schedule(${this.schedule.length} preemptions)`;
  }

  pick(runnable: readonly SimThread[]): SimThread {
    let i = runnable.findIndex((t) => t.tid === this.last);
    if (i < 0) i = 0;
    if (this.point === this.nextAt) {
      i = (i + this.schedule[this.next].shift) % runnable.length;
      this.next++;
      this.nextAt = this.next < this.schedule.length ? this.point + 1 + this.schedule[this.next].gap : Infinity;
    }
    this.point++;
    this.last = runnable[i].tid;
    return runnable[i];
  }
}

/** "gap 3 shift 1, gap 0 shift 2" */
export function describeSchedule(s: Schedule): string {
  return s.length ? s.map((p) => `gap ${p.gap} shift ${p.shift}`).join(', ') : 'no preemptions';
}
