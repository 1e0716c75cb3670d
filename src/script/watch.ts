// Which scripted program this thread is running, for a host watchdog. A
// script's generator runs on the host between two system calls, and a loop
// without one cannot be preempted from inside the thread: only a watcher on
// another thread (the CLI's, src/explore/watchdog.ts) can see that the same
// program has been running for too long and stop the whole thread. The
// simulation only writes here (it never reads what it wrote), so a watch
// changes nothing about a run; without one installed these calls do nothing.

/** What a watcher records: a script's code starts or stops running, a run starts. */
export interface ScriptWatch {
  /** the program of task `name` resumes (its generator or a signal handler runs on the host) */
  enter(name: string): void;
  /** ...and has reached its next system call (or ended) */
  leave(): void;
  /** a run with this seed starts (a sweep's worker reports the seed of a run that never came back) */
  run(seed: string | number): void;
}

let watch: ScriptWatch | null = null;

/** Installs (or, with null, removes) this thread's watcher. */
export function setScriptWatch(w: ScriptWatch | null): void {
  watch = w;
}

/** This thread's watcher, or null (the common case: nothing to do). */
export function scriptWatch(): ScriptWatch | null {
  return watch;
}
