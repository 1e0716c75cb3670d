// A sweep summary as text: what ran (strategy, flags, seeds), the counts,
// and each failure group with its smallest seed and shrunk schedule. The
// first groups get the full failure report; the rest a few lines each.
import type { SweepSummary } from './sweep.ts';

/** Groups shown with their full failure report. */
const FULL_REPORTS = 2;

/** The sweep's PCT k (`--pct-k K` among its flags), or null when it is not a pct sweep. */
function pctK(flags: readonly string[]): number | null {
  const i = flags.indexOf('--pct-k');
  return i >= 0 ? Number(flags[i + 1]) : null;
}

export function sweepText(s: SweepSummary, extra: { runsPerSec?: number; threads?: string; shard?: string } = {}): string[] {
  const out: string[] = [];
  const seeds = s.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}..${b}`)).join(', ') || 'none';
  const bugs = s.flags.filter((_, i, a) => a[i - 1] === '--bug');
  const what = [s.strategy, bugs.length ? `bugs ${bugs.join(',')}` : null].filter(Boolean).join(', ');
  out.push(`${s.scenario}: ${s.runs} runs (seeds ${seeds}, ${what})`);
  out.push(`  flags: ${s.flags.length ? s.flags.join(' ') : '(none: random strategy, no bugs, no checks, no faults)'}`);
  if (extra.shard || extra.threads) out.push(`  ran on: ${[extra.shard ? `shard ${extra.shard}` : null, extra.threads].filter(Boolean).join(', ')}`);
  out.push(`  failures: ${s.failures}${s.groups.length ? ` in ${s.groups.length} group${s.groups.length === 1 ? '' : 's'}` : ''}`);
  out.push(`  distinct interleavings: ${s.hashes.length}`);
  if (s.coverage) out.push(`  coverage: ${s.coverage.length} distinct tuples`);
  const k = pctK(s.flags);
  if (k !== null) {
    // k is fixed for the whole sweep (every shard and worker draws over the same one): say when a run outgrew it
    const past = s.longestRun > k ? `: longer than k, so no change point fell past choice point ${k}; --pct-k ${s.longestRun} draws over all of it` : '';
    out.push(`  pct: k=${k}, longest run ${s.longestRun} choice points${past}`);
  }
  if (extra.runsPerSec !== undefined) out.push(`  runs/s: ${extra.runsPerSec.toFixed(0)}`);
  if (s.stoppedAt !== null) out.push(`  stopped after seed ${s.stoppedAt} (failure limit reached)`);
  s.groups.forEach((g, i) => {
    out.push('');
    out.push(`group ${i + 1}: ${g.signature}`);
    out.push(`  ${g.count} failing run${g.count === 1 ? '' : 's'}; smallest seed ${g.smallestSeed}${g.count > 1 ? ` (seeds ${g.seeds.slice(0, 8).join(', ')}${g.seeds.length > 8 ? ', ...' : ''})` : ''}`);
    out.push(`  seed ${g.smallestSeed}: ${g.message}`);
    out.push(`    replay: ${g.replay}`);
    if (!g.shrunk) return;
    if (i < FULL_REPORTS) {
      for (const l of g.shrunk.report) out.push(`  ${l}`);
    } else {
      const b = g.shrunk.before;
      const a = g.shrunk.after;
      out.push(`  shrunk: ${b.preemptions} preemptions, ${b.picks} picks -> ${a.preemptions} preemptions, ${a.picks} picks`);
      out.push(`    replay: ${g.shrunk.replay}`);
    }
  });
  return out;
}
