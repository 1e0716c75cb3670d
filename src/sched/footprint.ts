// Step footprints: which kernel objects one step read and wrote, for
// partial-order reduction (dpor). Objects are named by stable strings
// ("q:pipe:[1001] readers", "f:7", "t:3", "s:20003"): a name is a pure
// function of the run's prefix, so footprints from different runs of the
// same prefix compare correctly, and two objects that happen to share a
// name only make steps look dependent, never independent.
//
// Soundness comes first. Two steps are independent only when neither
// writes what the other touches, and neither adds to what the other reads
// or writes: an add is a commutative update (a counter going up), so two
// adds to the same object commute with each other and with nothing else.
// Virtual time is such a counter: every step adds its ticks to "clock", a
// step that reads the time (a deadline, clock_gettime, a hart's mtime)
// reads it, and arming, cancelling or firing a timer writes "timers". A step that did something the recording
// hooks do not cover (a syscall without a footprint model, time, timers,
// memory shared between threads) is marked global: dependent with every
// other step. A handler that slept or was preempted keeps the objects it
// reached in locals, so a step that resumes a syscall inherits everything
// the earlier steps of that syscall recorded.

export interface Footprint {
  readonly reads: ReadonlySet<string>;
  readonly writes: ReadonlySet<string>;
  /** commutative updates (the clock's ticks); absent: none */
  readonly adds?: ReadonlySet<string>;
  /** touched something unrecorded: dependent with everything */
  readonly global: boolean;
  /** why it is global (for reports and tests) */
  readonly why?: string;
}

interface Building {
  reads: Set<string>;
  writes: Set<string>;
  adds: Set<string>;
  global: boolean;
  why?: string;
}

export class FootprintRecorder {
  private cur: Building | null = null;
  /** footprints of syscalls still in progress (the thread slept or was preempted), by tid */
  private readonly inProgress = new Map<number, Building>();
  /** set when every step must count as global (fault injection draws from one generator in step order) */
  everyStepGlobal: string | null = null;

  /** Starts recording the step of thread `tid`. */
  begin(tid: number): void {
    const carried = this.inProgress.get(tid);
    this.cur = carried
      ? { reads: new Set(carried.reads), writes: new Set(carried.writes), adds: new Set(carried.adds), global: carried.global, why: carried.why }
      : { reads: new Set(), writes: new Set(), adds: new Set(), global: false };
    this.cur.writes.add(`t:${tid}`);
    if (this.everyStepGlobal) this.global(this.everyStepGlobal);
  }

  /** Ends the step; `midSyscall` keeps its footprint for the step that resumes the same syscall. */
  end(tid: number, midSyscall: boolean): Footprint {
    const fp = this.cur!;
    this.cur = null;
    if (midSyscall) this.inProgress.set(tid, fp);
    else this.inProgress.delete(tid);
    return fp;
  }

  /** Is a step being recorded? (setup and timer callbacks between steps are not steps) */
  get active(): boolean {
    return this.cur !== null;
  }

  read(key: string): void {
    this.cur?.reads.add(key);
  }

  write(key: string): void {
    this.cur?.writes.add(key);
  }

  /** A commutative update of `key` (see the top of this file). */
  add(key: string): void {
    this.cur?.adds.add(key);
  }

  /** The step did something without a footprint model: dependent with every step. */
  global(why: string): void {
    if (this.cur && !this.cur.global) {
      this.cur.global = true;
      this.cur.why = why;
    }
  }
}

const NONE: ReadonlySet<string> = new Set();

/** May the two steps not commute? (true unless neither writes what the other touches, nor adds to what it reads or writes) */
export function dependent(a: Footprint, b: Footprint): boolean {
  if (a.global || b.global) return true;
  const aAdds = a.adds ?? NONE, bAdds = b.adds ?? NONE;
  for (const w of a.writes) if (b.writes.has(w) || b.reads.has(w) || bAdds.has(w)) return true;
  for (const w of b.writes) if (a.reads.has(w) || aAdds.has(w)) return true;
  for (const x of aAdds) if (b.reads.has(x)) return true;
  for (const x of bAdds) if (a.reads.has(x)) return true;
  return false;
}
