// Where a run's trace goes: the --trace-out path checked before the run,
// the rendering (strace-like text or Perfetto JSON), the file written after.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderPerfetto, type PerfettoMeta } from '../sched/perfetto.ts';
import { renderText, type TraceEvent } from '../sched/trace.ts';
import { UsageError, type Flags, type TraceFormat } from './flags.ts';

/** Refuses a --trace-out path the trace could not be written to, before the run (one line naming it). */
export function checkTraceOut(path: string | undefined): void {
  if (path === undefined) return;
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new UsageError(`${path}: no such directory (${dir})`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${path}: ${dir} is not a directory`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${path}: is a directory`);
}

/** Writes the trace file; a host error (permissions, a full disk) is a one-line usage error. */
export function writeTraceOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(`${path}: cannot write the trace: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

export function renderTrace(format: TraceFormat, events: TraceEvent[], labels: ReadonlyMap<number, string>, f: Flags, meta: PerfettoMeta): string {
  return format === 'text' ? renderText(events, { fdPaths: f.fdPaths }) : renderPerfetto(events, labels, meta) + '\n';
}
