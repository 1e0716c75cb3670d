// An exhaustive search (dfs, dpor) split over shards (`unixsim sweep
// --strategy dfs|dpor --shard I/N`): the schedule tree is cut into the
// subtrees under the pick prefixes at a fixed depth (subtrees.ts), each
// shard runs the explorer under each of its prefixes as a fixed root, and
// `unixsim merge` puts the shards' results back together.
import { DfsExplorer } from '../sched/strategies/dfs.ts';
import { DporExplorer } from '../sched/strategies/dpor.ts';
import { explore, type ExploreOptions } from '../script/explore.ts';
import type { RunResult } from '../script/runner.ts';
import type { Scenario } from '../script/scenario.ts';
import { shardPrefixes, subtreePrefixes } from './subtrees.ts';
import type { Shard } from './sweep.ts';

/** Subtrees per shard the depth aims for (so shards get similar work), and the deepest cut tried. */
const SUBTREES_PER_SHARD = 4;
const MAX_DEPTH = 6;

export interface SubtreeOutcome {
  /** index in the full (unsharded) list of prefixes */
  index: number;
  prefix: number[];
  /** distinct schedules run (dfs: each once however many passes re-ran it) */
  schedules: number;
  runs: number;
  exhausted: boolean;
  capped: boolean;
  failure: { message: string; picks: number[] } | null;
}

export interface ShardedExploreResult {
  kind: 'explore-shard';
  scenario: string;
  explorer: string;
  /** the run flags that must match for shards to merge */
  flags: string[];
  depth: number;
  /** how many subtrees the whole tree was cut into */
  subtrees: number;
  shards: { index: number; total: number }[];
  outcomes: SubtreeOutcome[];
}

/** The smallest depth whose cut gives at least 4*N subtrees (capped): the same for every shard of a search. */
export function shardDepth(sc: Scenario, opts: ExploreOptions, total: number): { depth: number; prefixes: number[][] } {
  let prefixes = subtreePrefixes(sc, opts, 1);
  let depth = 1;
  while (depth < MAX_DEPTH && prefixes.length < SUBTREES_PER_SHARD * total) {
    const deeper = subtreePrefixes(sc, opts, depth + 1);
    if (deeper.length === prefixes.length) break; // the program has no choice points that deep
    prefixes = deeper;
    depth++;
  }
  return { depth, prefixes };
}

/** Runs this shard's subtrees; stops at the first failure (later subtrees of the shard are not run). */
export function exploreShard(
  sc: Scenario, kind: 'dfs' | 'dpor', bound: number, opts: ExploreOptions, shard: Shard, flags: string[],
): ShardedExploreResult {
  const { depth, prefixes } = shardDepth(sc, opts, shard.total);
  const mine = new Set(shardPrefixes(prefixes, shard));
  const outcomes: SubtreeOutcome[] = [];
  let describe = '';
  for (let index = 0; index < prefixes.length; index++) {
    const prefix = prefixes[index];
    if (!mine.has(prefix)) continue;
    const explorer = kind === 'dpor' ? new DporExplorer(bound, prefix) : new DfsExplorer(bound, prefix);
    describe = explorer.describe;
    const r = explore(sc, explorer, opts);
    outcomes.push({
      index, prefix, runs: r.schedules,
      schedules: explorer instanceof DfsExplorer ? explorer.distinct : r.schedules - explorer.sleepBlocked,
      exhausted: r.exhausted, capped: r.capped, failure: r.failure ? failureOf(r.failure) : null,
    });
    if (r.failure) break;
  }
  return {
    kind: 'explore-shard', scenario: sc.name, explorer: describe || kind, flags, depth, subtrees: prefixes.length,
    shards: [{ index: shard.index, total: shard.total }], outcomes,
  };
}

function failureOf(r: RunResult): { message: string; picks: number[] } {
  return { message: r.failures[0].split('\n')[0], picks: [...r.picks] };
}

/** The unsharded answer from every shard's result; throws on results that do not fit together. */
export function mergeExploreShards(parts: readonly ShardedExploreResult[]): ShardedExploreResult {
  const first = parts[0];
  const total = first.shards[0].total;
  const seen = new Set<number>();
  for (const p of parts) {
    if (p.scenario !== first.scenario || p.explorer !== first.explorer || p.flags.join(' ') !== first.flags.join(' ') || p.depth !== first.depth || p.subtrees !== first.subtrees) {
      throw new Error(`cannot merge a ${p.explorer} search of ${p.scenario} (${p.flags.join(' ')}) with a ${first.explorer} search of ${first.scenario} (${first.flags.join(' ')})`);
    }
    for (const s of p.shards) {
      if (s.total !== total) throw new Error(`cannot merge shard ${s.index}/${s.total} with shards of ${total}`);
      if (seen.has(s.index)) throw new Error(`shard ${s.index}/${total} appears twice`);
      seen.add(s.index);
    }
  }
  const missing = [...Array(total).keys()].map((i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new Error(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${total}`).join(', ')}`);
  const outcomes = parts.flatMap((p) => p.outcomes).sort((a, b) => a.index - b.index);
  return { ...first, shards: parts.flatMap((p) => p.shards).sort((a, b) => a.index - b.index), outcomes };
}

/** What a (merged or single-shard) result says, in the order a reader wants it. */
export interface ExploreVerdict {
  schedules: number;
  runs: number;
  /** every subtree of the tree was run to the end, none failed */
  exhausted: boolean;
  /** the failure in the lowest-numbered subtree */
  failure: SubtreeOutcome | null;
}

export function verdictOf(r: ShardedExploreResult): ExploreVerdict {
  const schedules = r.outcomes.reduce((n, o) => n + o.schedules, 0);
  const runs = r.outcomes.reduce((n, o) => n + o.runs, 0);
  const failure = r.outcomes.find((o) => o.failure) ?? null;
  const all = r.shards.length === r.shards[0].total && r.outcomes.length === r.subtrees;
  return { schedules, runs, failure, exhausted: !failure && all && r.outcomes.every((o) => o.exhausted) };
}
