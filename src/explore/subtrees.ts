// Splitting a search of the schedule tree (dfs, dpor: strategies that
// enumerate schedules rather than draw them from a seed) over shards. The
// tree's nodes are pick prefixes; the prefixes at depth d (or the shorter
// ones where the run ends sooner) are disjoint subtrees that together hold
// every schedule. Each shard takes every n-th prefix and runs the search
// under each of them as a fixed start (RunOptions.picks), so the shards
// explore disjoint parts of the tree and their union is the whole tree.
import type { RunOptions } from '../script/runner.ts';
import type { Scenario } from '../script/scenario.ts';
import { runSchedule } from './schedule.ts';
import type { Shard } from './sweep.ts';

/**
 * Every pick prefix of length `depth` (shorter where the program has fewer
 * choice points), in a fixed order. Costs one run per tree node above depth.
 */
export function subtreePrefixes(sc: Scenario, opts: RunOptions, depth: number): number[][] {
  let level: number[][] = [[]];
  const leaves: number[][] = [];
  for (let d = 0; d < depth; d++) {
    const next: number[][] = [];
    for (const prefix of level) {
      const point = runSchedule(sc, opts, prefix).points[prefix.length];
      if (!point) leaves.push(prefix);
      else for (const tid of point.runnable) next.push([...prefix, tid]);
    }
    level = next;
  }
  return [...leaves, ...level].sort(comparePrefixes);
}

function comparePrefixes(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The prefixes shard `index` of `total` explores: every total-th, starting at index-1. */
export function shardPrefixes(prefixes: readonly number[][], shard: Shard): number[][] {
  return prefixes.filter((_, i) => i % shard.total === shard.index - 1);
}

/** Whether a schedule (a run's picks) lies in the subtree under `prefix`. */
export function underPrefix(picks: readonly number[], prefix: readonly number[]): boolean {
  return prefix.every((p, i) => picks[i] === p) && (prefix.length <= picks.length);
}
