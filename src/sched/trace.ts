// The record of a run: the strategy's picks, a hash over everything that
// happened, and (when asked for) a readable event log. The hash is always
// computed, from numbers only, so sweeps can count distinct interleavings
// without paying for text; the text log is built only when `recordText`.
import { TraceHash } from './hash.ts';

export type TraceKind = 'syscall' | 'block' | 'wake' | 'exit' | 'signal' | 'fault' | 'note' | 'spawn';

export interface TraceEvent {
  /** virtual time (ticks) when the event ended */
  time: number;
  /** virtual ticks the event spanned (syscalls: from first poll to completion) */
  dur: number;
  tid: number;
  kind: TraceKind;
  /** short name: the syscall name, "wake", "exit" ... */
  name: string;
  /** strace-like text without the "[pid N] " prefix */
  text: string;
}

/** Host bytes charged per kept event beyond its text. */
const EVENT_COST = 96;

export class Trace {
  /** tids picked at each choice point (two or more runnable threads) */
  readonly picks: number[] = [];
  readonly events: TraceEvent[] = [];
  readonly hash = new TraceHash();
  /** the run's memory budget (the kernel's): past it, further events are counted in `dropped`, not kept */
  memory: { charge(n: number): boolean } | null = null;
  /** events not kept because the memory budget was spent */
  dropped = 0;

  constructor(readonly recordText: boolean) {}

  pick(tid: number): void {
    this.picks.push(tid);
    this.hash.int(-1);
    this.hash.int(tid);
  }

  add(ev: TraceEvent): void {
    if (this.memory && !this.memory.charge(EVENT_COST + 2 * ev.text.length)) {
      this.dropped++;
      return;
    }
    this.events.push(ev);
  }
}

/** strace-like text: one line per event, "[pid N] ..." with the virtual time in front. */
export function renderText(events: readonly TraceEvent[]): string {
  const lines: string[] = [];
  for (const e of events) {
    const t = String(e.time).padStart(10);
    lines.push(`${t} [pid ${e.tid}] ${e.text}`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** Chrome trace-event JSON (opens in Perfetto or chrome://tracing); 1 tick = 1 ns. */
export function renderChromeJson(events: readonly TraceEvent[], labels: ReadonlyMap<number, string>): string {
  const out: object[] = [];
  for (const [tid, label] of labels) {
    out.push({ name: 'thread_name', ph: 'M', pid: 1, tid, args: { name: label } });
  }
  for (const e of events) {
    const ts = (e.time - e.dur) / 1000;
    if (e.kind === 'syscall' || e.kind === 'block') {
      out.push({ name: e.name, cat: e.kind, ph: 'X', ts, dur: Math.max(e.dur, 1) / 1000, pid: 1, tid: e.tid, args: { call: e.text } });
    } else {
      out.push({ name: e.name, cat: e.kind, ph: 'i', s: 't', ts, pid: 1, tid: e.tid, args: { detail: e.text } });
    }
  }
  return JSON.stringify({ traceEvents: out, displayTimeUnit: 'ns' });
}
