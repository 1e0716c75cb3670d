// The trace as Chrome trace-event JSON, which ui.perfetto.dev and
// chrome://tracing open: one process track per simulated process (pid =
// tgid) with one thread track per thread (tid), each syscall one slice from
// entry to return (so the time a call slept is its length, with a nested
// "blocked on ..." slice for the sleep), flow arrows from the call that woke
// a sleeper to the woken call, from a sendmsg to the recvmsg that received
// its fds and from a connect to the accept that took it, and counter tracks
// (bytes queued per socket, backlogs, fds in flight) on a "kernel" process
// (pid 0). 1 tick of virtual time = 1 ns.
import { SYSCALL_TICKS } from './clock.ts';
import { showFdNotes, type TraceEvent } from './trace.ts';

export interface PerfettoMeta {
  seed?: string | number;
  strategy?: string;
  /** the command that reproduces the run */
  replay?: string;
  hash?: string;
  [key: string]: unknown;
}

/** The pid Perfetto shows the kernel's counter tracks under. */
export const KERNEL_PID = 0;

const us = (ticks: number) => ticks / 1000;

interface Slice {
  tid: number;
  call: number;
  name: string;
  start: number;
  args: string;
  blockedAt: number | null;
  on: string;
}

/** Renders events as a trace-event JSON document (an object with traceEvents, displayTimeUnit and metadata). */
export function renderPerfetto(events: readonly TraceEvent[], labels: ReadonlyMap<number, string>, meta: PerfettoMeta = {}): string {
  const out: Record<string, unknown>[] = [];
  const tgidOf = new Map<number, number>();
  for (const e of events) if (e.kind === 'start') tgidOf.set(e.tid, e.tgid);
  const pidOf = (tid: number) => tgidOf.get(tid) ?? tid;

  // names: a process track per tgid, a thread track per tid
  const processes = new Set<number>();
  for (const [tid, label] of labels) {
    const pid = pidOf(tid);
    if (!processes.has(pid)) {
      processes.add(pid);
      out.push({ ph: 'M', name: 'process_name', pid, tid: pid, args: { name: labels.get(pid) ?? `pid ${pid}` } });
      out.push({ ph: 'M', name: 'process_sort_index', pid, tid: pid, args: { sort_index: pid } });
    }
    out.push({ ph: 'M', name: 'thread_name', pid, tid, args: { name: label } });
  }
  const kernelName = `kernel (seed ${meta.seed ?? '?'}${meta.strategy ? `, ${meta.strategy}` : ''})`;
  out.push({ ph: 'M', name: 'process_name', pid: KERNEL_PID, tid: KERNEL_PID, args: { name: kernelName } });

  const open = new Map<number, Slice>();
  /** where each call's slice is, for binding flows */
  const span = new Map<number, { pid: number; tid: number; start: number; end: number }>();
  const wakes: { by: number; byCall: number; time: number; tid: number; call: number; via: string }[] = [];
  const resumes = new Map<number, number[]>();
  const flows: { what: string; fromCall: number; fromTime: number; call: number; time: number }[] = [];
  let last = 0;

  const close = (s: Slice, end: number, args: string, result: string) => {
    const pid = pidOf(s.tid);
    const res = showFdNotes(result, true);
    const line = `${s.name}(${showFdNotes(s.args + args, true)}) = ${res}`;
    out.push({ ph: 'X', name: s.name, cat: 'syscall', ts: us(s.start), dur: us(end - s.start), pid, tid: s.tid, args: { call: line, result: res } });
    span.set(s.call, { pid, tid: s.tid, start: s.start, end });
  };

  for (const e of events) {
    last = Math.max(last, e.time);
    switch (e.kind) {
      case 'enter':
        open.set(e.tid, { tid: e.tid, call: e.call, name: e.name, start: e.time, args: e.args, blockedAt: null, on: '' });
        break;
      case 'block': {
        const s = open.get(e.tid);
        if (s) {
          s.blockedAt = e.time;
          s.on = e.on;
        }
        break;
      }
      case 'resume': {
        const s = open.get(e.tid);
        if (s && s.blockedAt !== null) {
          out.push({ ph: 'X', name: `blocked on ${s.on}`, cat: 'block', ts: us(s.blockedAt), dur: us(e.time - s.blockedAt), pid: pidOf(e.tid), tid: e.tid, args: { on: s.on } });
          s.blockedAt = null;
        }
        const r = resumes.get(e.call);
        if (r) r.push(e.time);
        else resumes.set(e.call, [e.time]);
        break;
      }
      case 'exit': {
        const s = open.get(e.tid);
        if (!s) break;
        open.delete(e.tid);
        if (s.blockedAt !== null) {
          out.push({ ph: 'X', name: `blocked on ${s.on}`, cat: 'block', ts: us(s.blockedAt), dur: us(e.time - s.blockedAt), pid: pidOf(e.tid), tid: e.tid, args: { on: s.on } });
        }
        // a call costs SYSCALL_TICKS of the step that completes it (none when its thread died in it)
        close(s, e.time + (e.ret === null ? 0 : SYSCALL_TICKS), e.args, e.result);
        break;
      }
      case 'wake':
        if (e.byCall >= 0 && e.call >= 0) wakes.push({ by: e.by, byCall: e.byCall, time: e.time, tid: e.tid, call: e.call, via: e.via });
        break;
      case 'flow':
        if (e.fromCall >= 0 && e.call >= 0) flows.push({ what: e.what, fromCall: e.fromCall, fromTime: e.fromTime, call: e.call, time: e.time });
        break;
      case 'counter':
        out.push({ ph: 'C', name: e.track, ts: us(e.time), pid: KERNEL_PID, tid: KERNEL_PID, args: { value: e.value } });
        break;
      case 'signal':
        out.push({ ph: 'i', s: 't', name: e.text.split(' ')[0], cat: 'signal', ts: us(e.time), pid: pidOf(e.tid), tid: e.tid, args: { siginfo: e.text } });
        break;
      case 'start':
        out.push({ ph: 'i', s: 't', name: 'start', cat: 'process', ts: us(e.time), pid: pidOf(e.tid), tid: e.tid, args: { label: e.label, parent: e.parent } });
        break;
      case 'end':
        out.push({ ph: 'i', s: e.process ? 'p' : 't', name: e.text, cat: 'process', ts: us(e.time), pid: pidOf(e.tid), tid: e.tid, args: {} });
        break;
      case 'fd':
        out.push({ ph: 'i', s: 't', name: `${e.op} fd ${e.fd}`, cat: 'fd', ts: us(e.time), pid: pidOf(e.tid), tid: e.tid, args: { fd: e.fd, file: e.what } });
        break;
      case 'note':
        out.push({ ph: 'i', s: 't', name: e.text.slice(0, 40), cat: 'note', ts: us(e.time), pid: pidOf(e.tid), tid: e.tid, args: { text: e.text } });
        break;
    }
  }
  // calls still in progress when the run ended (a deadlock, the step limit) close at the last event
  for (const s of open.values()) close(s, Math.max(last, s.start), '', '? (unfinished when the run ended)');

  // flow arrows, each bound to the slices of both calls (a point inside each)
  let id = 1;
  const inside = (c: { start: number; end: number }, t: number) => Math.min(Math.max(t, c.start), c.end);
  const arrow = (name: string, fromCall: number, fromTime: number, toCall: number, toTime: number, args: object) => {
    const a = span.get(fromCall), b = span.get(toCall);
    if (!a || !b) return;
    const fid = id++;
    out.push({ ph: 's', id: fid, name, cat: 'flow', ts: us(inside(a, fromTime)), pid: a.pid, tid: a.tid, args });
    out.push({ ph: 'f', bp: 'e', id: fid, name, cat: 'flow', ts: us(inside(b, toTime)), pid: b.pid, tid: b.tid, args });
  };
  for (const w of wakes) {
    // the woken call resumes at its first resume after the wake
    const r = (resumes.get(w.call) ?? []).find((t) => t >= w.time) ?? w.time;
    arrow('wake', w.byCall, w.time, w.call, r, { via: w.via });
  }
  for (const f of flows) arrow(f.what === 'fds' ? 'fds passed' : 'connection accepted', f.fromCall, f.fromTime, f.call, f.time, {});

  return JSON.stringify({ traceEvents: out, displayTimeUnit: 'ns', metadata: { ...meta, tool: 'unixsim', time_unit: '1 tick = 1 ns' } });
}

/** The old name of renderPerfetto (`--trace json`). */
export const renderChromeJson = renderPerfetto;
