// Counting Mazurkiewicz traces among the schedules a dfs search runs: two
// schedules are one trace when they order every pair of dependent steps
// (src/sched/footprint.ts) alike. A trace is named by its Foata normal
// form (steps layered by their longest chain of dependent predecessors,
// each layer's threads sorted), which is the same for every schedule of
// the trace. The count is the floor for any sound partial-order reduction
// with these footprints: it must run one schedule of every trace.
import { dependent, type Footprint } from '../../src/sched/footprint.ts';
import type { Explorer, ExploredRun } from '../../src/sched/explorer.ts';
import type { Strategy } from '../../src/sched/strategy.ts';
import { abandoned, explore } from '../../src/script/explore.ts';
import type { Scenario } from '../../src/script/scenario.ts';
import type { DfsExplorer } from '../../src/sched/strategies/dfs.ts';

interface Step {
  tid: number;
  fp: Footprint;
}

/** The Foata normal form of a run's steps under footprint dependence. */
export function foata(steps: readonly Step[]): string {
  const level: number[] = [];
  for (let j = 0; j < steps.length; j++) {
    let l = 0;
    for (let i = 0; i < j; i++) {
      if (level[i] < l) continue;
      if (steps[i].tid === steps[j].tid || dependent(steps[i].fp, steps[j].fp)) l = level[i] + 1;
    }
    level.push(l);
  }
  const layers: number[][] = [];
  steps.forEach((s, i) => (layers[level[i]] ??= []).push(s.tid));
  return layers.map((l) => l.sort((a, b) => a - b).join(',')).join('|');
}

/** An explorer whose runs record footprints: `steps` holds the steps of the run in progress, or just finished. */
export class StepRecording<X extends Explorer = Explorer> implements Explorer {
  steps: Step[] = [];
  constructor(readonly x: X) {}

  get describe(): string {
    return this.x.describe;
  }

  get exhausted(): boolean {
    return this.x.exhausted;
  }

  next(): Strategy | null {
    const s = this.x.next();
    if (!s) return null;
    const steps: Step[] = (this.steps = []);
    return {
      describe: s.describe,
      wantsFootprints: true,
      pick: (r, step, prev) => s.pick(r, step, prev),
      fault: s.fault?.bind(s),
      observeStep(ran, runnable, fp) {
        steps.push({ tid: ran.tid, fp: fp! });
        s.observeStep?.(ran, runnable, fp);
      },
    };
  }

  finish(r: ExploredRun): void {
    this.x.finish(r);
  }
}

/** A dfs search whose runs record footprints; `traces[p]` collects the traces run by pass p. */
export class TraceCounting extends StepRecording<DfsExplorer> {
  readonly traces: Set<string>[] = [];

  override finish(r: ExploredRun): void {
    super.finish(r);
    const pass = this.x.bound === Infinity ? 0 : this.x.upTo.length - 1; // finish() has filled in this pass's entry
    (this.traces[pass] ??= new Set()).add(foata(this.steps));
  }

  /** distinct traces with at most p preemptions (every pass up to p) */
  upTo(p: number): number {
    const all = new Set<string>();
    for (let b = 0; b <= p; b++) for (const t of this.traces[b] ?? []) all.add(t);
    return all.size;
  }

  /** runs a bounded dpor needs at the least: every trace of each pass (passes re-run the earlier ones) */
  get floor(): number {
    return this.traces.reduce((n, t) => n + t.size, 0);
  }
}

/** Runs explorer `x` over scenario `sc` with footprints recorded: the traces of its complete runs (sleep-set blocked ones left out). */
export function traceSet(sc: Scenario, x: Explorer, maxSchedules = Infinity): { runs: number; exhausted: boolean; seen: Set<string> } {
  const seen = new Set<string>();
  const recording = new StepRecording(x);
  const r = explore(sc, recording, { seed: 1, maxSchedules, onRun: (run) => abandoned(run) || seen.add(foata(recording.steps)) });
  return { runs: r.schedules, exhausted: r.exhausted, seen };
}
