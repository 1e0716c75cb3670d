// The failure message checkScenario throws: the failing check, the schedule,
// the end of the trace, and how to replay it. Kept behind one function so the
// explorer's shared report (src/explore/) can take its place.
import { renderText, type TraceEvent } from '../sched/trace.ts';

export interface FailureReportInput {
  title: string;
  /** the scenario's name (a generated one names its program) */
  scenario: string;
  failures: readonly string[];
  /** what the schedule was, in words */
  schedule: string;
  picks: readonly number[];
  /** the failing run's trace hash (a replay must give the same) */
  hash: string;
  events: readonly TraceEvent[];
  replay: readonly string[];
}

const TAIL = 30;

/** How many times the picks switch away from the task picked before. */
export function switches(picks: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < picks.length; i++) if (picks[i] !== picks[i - 1]) n++;
  return n;
}

export function failureReport(r: FailureReportInput): string {
  const lines = [r.title, `scenario: ${r.scenario}`];
  for (const f of r.failures) lines.push(`  ${f.split('\n').join('\n  ')}`);
  lines.push(`schedule: ${r.schedule}; ${r.picks.length} picks, ${switches(r.picks)} of them to another task than the pick before; trace ${r.hash}`);
  lines.push(`  picks: ${r.picks.join(',') || '(none)'}`);
  const trace = renderText(r.events).trimEnd().split('\n');
  lines.push(`trace (last ${Math.min(TAIL, trace.length)} of ${trace.length} lines):`);
  for (const l of trace.slice(-TAIL)) lines.push(`  ${l}`);
  lines.push('replay:');
  for (const c of r.replay) lines.push(`  ${c}`);
  return lines.join('\n');
}
