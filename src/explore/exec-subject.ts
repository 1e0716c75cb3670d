// `unixsim exec` runs as something shrinking can re-run: a program image
// and its arguments, judged by whether the run itself failed (deadlock,
// step limit, kernel invariant), as the CLI reports it.
import { execImage, type ExecOptions } from '../exec.ts';
import type { RunHooks, RunOptions } from '../script/runner.ts';
import type { JudgedRun } from './schedule.ts';

/** The exec options a RunOptions stands for (the run flags exec shares with scenarios). */
export function execOptionsOf(opts: RunOptions, base: ExecOptions = {}): ExecOptions {
  return {
    ...base,
    seed: opts.seed,
    strategy: opts.strategy,
    pctDepth: opts.pctDepth,
    bugs: opts.bugs,
    picks: opts.picks,
    checkInvariants: opts.checkInvariants,
    checkWakeDuties: opts.checkWakeDuties,
    kernelPreemption: opts.kernelPreemption,
    harts: opts.harts,
    maxSteps: opts.maxSteps,
    recordText: opts.recordText,
    memory: opts.memory,
    maxInstructions: opts.maxInstructions,
    maxTime: opts.maxTime,
  };
}

/** A program to shrink: every run of it under options and hooks, judged. */
export function execSubject(path: string, image: Uint8Array, base: ExecOptions = {}) {
  return (opts: RunOptions, hooks: RunHooks): JudgedRun => {
    const r = execImage(path, image, execOptionsOf(opts, base), hooks);
    return { ...r, failures: r.problem ? [r.problem] : [], seed: opts.seed, strategy: opts.strategy ?? 'random' };
  };
}
