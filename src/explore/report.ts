// The failure report: what failed, the shrunk schedule told as a short
// story, the shrink figures, the end of the trace, and the one command that
// replays exactly the shrunk run. `unixsim run/replay/sweep` print it, and
// so can any test suite (it is exported from the package).
import { eventTexts, isForeignEvent, renderText, type TraceEvent } from '../sched/trace.ts';
import type { RunOptions } from '../script/runner.ts';
import { RunView } from '../script/runview.ts';
import type { Scenario } from '../script/scenario.ts';
import { replayCommand, type RunSpec } from './run-flags.ts';
import { isPreemption, type ChoicePoint, type JudgedRun } from './schedule.ts';
import type { ShrinkResult } from './shrink.ts';

/** A scenario run's own view (kernel state with its sockets), or one made for an exec run. */
function viewOf(run: JudgedRun): RunView {
  return (run as { view?: RunView }).view ?? new RunView(run.end, run.kernel);
}

/** Story lines before the rest is summarised. */
const STORY_LINES = 40;
/** Trace lines at the end of the report. */
const TAIL_LINES = 30;

/**
 * The run as numbered steps: one per stretch of consecutive events of one
 * process (wake-up notes left out), its calls joined, marked where the
 * schedule preempted a process that could have gone on.
 */
export function scheduleStory(events: readonly TraceEvent[], points: readonly ChoicePoint[], labels: ReadonlyMap<number, string>): string[] {
  // Where each preemption's first event is.
  const preempts = new Map<number, number>();
  for (const p of points) {
    if (!isPreemption(p)) continue;
    let i = p.eventIndex;
    while (i < events.length && (isForeignEvent(events[i]) || events[i].tid !== p.chosen)) i++;
    if (i < events.length) preempts.set(i, p.previous!);
  }
  const lines: string[] = [];
  const texts = eventTexts(events);
  let n = 0;
  for (let i = 0; i < events.length; ) {
    if (isForeignEvent(events[i])) {
      i++;
      continue;
    }
    const tid = events[i].tid;
    const start = i;
    const calls: string[] = [];
    while (i < events.length && (isForeignEvent(events[i]) || events[i].tid === tid) && (i === start || !preempts.has(i))) {
      const text = isForeignEvent(events[i]) ? null : texts[i];
      if (text !== null) calls.push(text);
      i++;
    }
    if (calls.length === 0) continue;
    n++;
    if (lines.length >= STORY_LINES) continue;
    const shown = calls.length > 3 ? [...calls.slice(0, 2), `... ${calls.length - 3} more ...`, calls[calls.length - 1]] : calls;
    const victim = preempts.get(start);
    const mark = victim === undefined ? '' : `   <- preempts ${labels.get(victim) ?? `pid ${victim}`}`;
    lines.push(`${n}. [${labels.get(tid) ?? `pid ${tid}`}] ${shown.join('; ')}${mark}`);
  }
  if (n > lines.length) lines.push(`... ${n - lines.length} more steps`);
  return lines;
}

export interface ReportInput {
  /** the scenario file as the user named it (for the replay command) */
  file: string;
  /** the scenario (its name and checks), or for a program (`unixsim exec`) its name */
  scenario: Scenario | { name: string; checks?: undefined };
  /** the options of the failing run */
  opts: RunOptions;
  /** the failing run as found */
  found: JudgedRun;
  /** the command that replays a run (default: `npx unixsim replay FILE ...`) */
  command?: (opts: RunSpec) => string;
  /** its shrunk schedule (src/explore/shrink.ts) */
  shrunk: ShrinkResult;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The full failure report, as lines. */
export function failureReport(input: ReportInput): string[] {
  const { file, scenario, opts, found, shrunk } = input;
  const command = input.command ?? ((o: RunSpec) => replayCommand(file, o as RunOptions));
  const run = shrunk.after.result;
  const out: string[] = [];
  out.push(`${scenario.name}: FAILED (seed ${found.seed}, ${found.strategy}, ${found.steps} steps, trace ${found.hash})`);
  for (const f of found.failures) out.push(`  ${f}`);
  out.push(`  found by: ${command(opts)}`);
  out.push(`  its picks (${found.picks.length}): ${found.picks.join(',') || '(none)'}`);
  const b = shrunk.before;
  const a = shrunk.after.figures;
  out.push(
    `schedule shrunk in ${plural(shrunk.runs, 'run')}: ${plural(b.preemptions, 'preemption')}, ${plural(b.switches, 'context switch').replace('switchs', 'switches')}, ${plural(b.picks, 'pick')}` +
      ` -> ${plural(a.preemptions, 'preemption')}, ${plural(a.switches, 'context switch').replace('switchs', 'switches')}, ${plural(a.length, 'pick')}`,
  );
  out.push(`shrunk run: ${run.failures[0]?.split('\n')[0] ?? 'passed'} (${run.steps} steps, trace ${run.hash})`);
  out.push('story:');
  for (const l of scheduleStory(run.events, shrunk.after.points, run.labels)) out.push(`  ${l}`);
  if (run.end.kind !== 'exited') {
    // A deadlock (or a run stopped at its step limit) hides the processes that did finish: show them.
    out.push('processes that finished:');
    if (run.kernel.exits.length === 0) out.push('  (none)');
    for (const e of run.kernel.exits) out.push(`  pid ${e.pid} (${e.name}): ${e.describe}`);
    const checks = Object.entries(scenario.checks ?? {});
    if (checks.length) {
      out.push('checks on the unfinished run:');
      const view = viewOf(run);
      for (const [name, check] of checks) {
        let r: boolean | string;
        try {
          r = check(view);
        } catch (e) {
          r = `threw ${e instanceof Error ? e.message : String(e)}`;
        }
        out.push(`  ${name}: ${r === true ? 'passes' : `fails${typeof r === 'string' ? `: ${r}` : ''}`}`);
      }
    }
  }
  const state = viewOf(run).describeState();
  if (state.length) {
    out.push('kernel state at the end (open files, sockets, fds in flight, tasks):');
    for (const l of state.slice(0, STORY_LINES)) out.push(`  ${l}`);
    if (state.length > STORY_LINES) out.push(`  ... ${state.length - STORY_LINES} more`);
  }
  const tail = renderText(run.events).trimEnd().split('\n');
  out.push(`last ${Math.min(TAIL_LINES, tail.length)} trace lines:`);
  for (const l of tail.slice(-TAIL_LINES)) out.push(`  ${l}`);
  out.push(`replay: ${command(shrunk.replay)}`);
  return out;
}
