// The record of a run: the strategy's picks, a hash over everything that
// happened, and (when asked for) a list of structured events. The hash is
// always computed, from numbers only, so sweeps can count distinct
// interleavings without paying for events; the events are recorded only when
// `recording` (every method below but pick() returns at once otherwise).
//
// The kernel emits events to this tracer; renderers (the strace-like text
// below, Perfetto JSON in perfetto.ts, `unixsim diff`) read the same events.
// A syscall is several events sharing one call id: enter (arguments decoded
// at entry), perhaps block / wake / resume, then exit (arguments decoded at
// exit, and the result).
import { TraceHash } from './hash.ts';
import { KTHREAD_TID_BASE } from './thread.ts';

/**
 * Inside decoded argument text an fd may carry what it refers to, between
 * these two characters: `3\u0001UNIX-STREAM:[20000->20001]\u0002`. The text
 * renderer shows it as strace -yy does (`3<UNIX-STREAM:[...]>`) or drops it.
 */
export const FD_NOTE_OPEN = '\u0001', FD_NOTE_CLOSE = '\u0002';

interface Base {
  /** virtual time (ticks) */
  time: number;
  tid: number;
}

/** A syscall starts: `args` is what strace prints at entry ("3, " for read, everything for write). */
export interface EnterEvent extends Base {
  kind: 'enter';
  call: number;
  name: string;
  args: string;
}

/** The call sleeps on a wait queue (named after the object and who waits there). */
export interface BlockEvent extends Base {
  kind: 'block';
  call: number;
  on: string;
}

/** A sleeping thread is made runnable by `by` (0: a timer or the harness) during its call `byCall` (-1: outside a syscall). */
export interface WakeEvent extends Base {
  kind: 'wake';
  /** the woken thread's call */
  call: number;
  by: number;
  byCall: number;
  /** the waker's call as "sendmsg(3, ...)", or '' */
  byWhat: string;
  /** the queue it slept on */
  via: string;
}

/** A woken call runs again (the scheduler picked it). */
export interface ResumeEvent extends Base {
  kind: 'resume';
  call: number;
}

/** A syscall ends: `args` is the rest strace prints at exit, `result` the text after " = " ("4", "-1 EAGAIN (...)", "?"). */
export interface ExitEvent extends Base {
  kind: 'exit';
  call: number;
  name: string;
  args: string;
  result: string;
  /** the raw result, or null when the thread ended inside the call ("= ?") */
  ret: number | null;
}

/** A signal is delivered (taken on the way back to user mode). */
export interface SignalEvent extends Base {
  kind: 'signal';
  signo: number;
  /** "SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=2, si_uid=0}" */
  text: string;
}

/** A process (tid === tgid) or a thread starts. */
export interface StartEvent extends Base {
  kind: 'start';
  tgid: number;
  /** the process that forked it, or the thread that created it (0 for the first) */
  parent: number;
  label: string;
}

/** A thread ends; `process` when it was the last of its process ("exited with 0", "killed by SIGPIPE"). */
export interface EndEvent extends Base {
  kind: 'end';
  tgid: number;
  process: boolean;
  text: string;
}

/** An fd is installed in or removed from the fd table of `tid`'s process. */
export interface FdEvent extends Base {
  kind: 'fd';
  op: 'install' | 'close';
  fd: number;
  what: string;
}

/** A counter changed: bytes queued on a socket, a listener's backlog, fds in flight. */
export interface CounterEvent extends Base {
  kind: 'counter';
  track: string;
  value: number;
}

/** Something sent by one call reached another: fds (sendmsg -> recvmsg), a connection (connect -> accept). */
export interface FlowEvent extends Base {
  kind: 'flow';
  what: 'fds' | 'connection';
  call: number;
  from: number;
  fromCall: number;
  fromTime: number;
}

/** Free text: a script's sys.log, a fault, a script error. */
export interface NoteEvent extends Base {
  kind: 'note';
  text: string;
}

export type TraceEvent =
  | EnterEvent | BlockEvent | WakeEvent | ResumeEvent | ExitEvent | SignalEvent | StartEvent | EndEvent | FdEvent
  | CounterEvent | FlowEvent | NoteEvent;

/** Host bytes charged per kept event beyond its text. */
const EVENT_COST = 96;

/** The characters of an event's text fields (what keeping it costs beyond EVENT_COST, two bytes each). */
function textLength(ev: TraceEvent): number {
  switch (ev.kind) {
    case 'enter': return ev.name.length + ev.args.length;
    case 'exit': return ev.args.length + ev.result.length;
    case 'block': return ev.on.length;
    case 'wake': return ev.byWhat.length + ev.via.length;
    case 'signal': case 'end': case 'note': return ev.text.length;
    case 'start': return ev.label.length;
    case 'fd': return ev.what.length;
    case 'counter': return ev.track.length;
    default: return 0;
  }
}

interface OpenCall {
  id: number;
  name: string;
  /** "name(first-arg, ...)" for wake lines */
  short: string;
  blocked: boolean;
}

export class Trace {
  /** tids picked at each choice point (two or more runnable threads) */
  readonly picks: number[] = [];
  readonly events: TraceEvent[] = [];
  readonly hash = new TraceHash();
  /** the thread being stepped (0 between steps, when timers fire); set by the scheduler */
  running = 0;
  private nextCall = 1;
  private readonly open = new Map<number, OpenCall>();
  /** the call a thread died in, for the wakes its exit causes (its parent's wait4) */
  private readonly diedIn = new Map<number, string>();
  private readonly counters = new Map<string, number>();
  private readonly flows = new Map<object, { tid: number; call: number; time: number }>();

  /** the run's memory budget (the kernel's): past it, further events are counted in `dropped`, not kept */
  memory: { charge(n: number): boolean } | null = null;
  /** events not kept because the memory budget was spent */
  dropped = 0;

  /** Every event goes through here, charged to the run's memory budget. */
  private push(ev: TraceEvent): void {
    if (this.memory && !this.memory.charge(EVENT_COST + 2 * textLength(ev))) {
      this.dropped++;
      return;
    }
    this.events.push(ev);
  }

  constructor(
    readonly recording: boolean,
    /** the run's virtual clock, for events recorded from deep inside the kernel (flows) */
    private readonly clock: { peek(): number } = { peek: () => 0 },
  ) {}

  /** Old name of `recording`. */
  get recordText(): boolean {
    return this.recording;
  }

  pick(tid: number): void {
    this.picks.push(tid);
    // int32 hashes a 32-bit value exactly as int() does, without its division
    this.hash.int32(-1);
    this.hash.int32(tid);
  }

  /** The call `tid` is in, or -1. */
  callOf(tid: number): number {
    return this.open.get(tid)?.id ?? -1;
  }

  enter(time: number, tid: number, name: string, args: string): void {
    if (!this.recording) return;
    const id = this.nextCall++;
    const first = args.split(', ')[0].replace(/\u0001[^\u0002]*\u0002/g, '');
    this.open.set(tid, { id, name, short: `${name}(${first}${first && args.length > first.length ? ', ...' : ''})`, blocked: false });
    this.push({ kind: 'enter', time, tid, call: id, name, args });
  }

  block(time: number, tid: number, on: string): void {
    const c = this.recording ? this.open.get(tid) : undefined;
    if (!c) return;
    c.blocked = true;
    this.push({ kind: 'block', time, tid, call: c.id, on });
  }

  wake(time: number, tid: number, via: string): void {
    if (!this.recording) return;
    const by = this.running === tid ? 0 : this.running;
    const waker = by ? this.open.get(by) : undefined;
    this.push({
      kind: 'wake', time, tid, call: this.callOf(tid), by, byCall: waker ? waker.id : -1,
      byWhat: waker ? waker.short : (by && this.diedIn.get(by)) || '', via,
    });
  }

  /** A call resumes after a step in which it was parked; only a call that blocked reports it. */
  resume(time: number, tid: number): void {
    const c = this.recording ? this.open.get(tid) : undefined;
    if (!c || !c.blocked) return;
    c.blocked = false;
    this.push({ kind: 'resume', time, tid, call: c.id });
  }

  exit(time: number, tid: number, args: string, result: string, ret: number | null): void {
    const c = this.recording ? this.open.get(tid) : undefined;
    if (!c) return;
    this.open.delete(tid);
    if (ret === null) this.diedIn.set(tid, c.short);
    this.push({ kind: 'exit', time, tid, call: c.id, name: c.name, args, result, ret });
  }

  /** Is `tid` inside a call the tracer has seen enter? */
  inCall(tid: number): boolean {
    return this.open.has(tid);
  }

  signal(time: number, tid: number, signo: number, text: string): void {
    if (this.recording) this.push({ kind: 'signal', time, tid, signo, text });
  }

  start(time: number, tid: number, tgid: number, parent: number, label: string): void {
    if (this.recording) this.push({ kind: 'start', time, tid, tgid, parent, label });
  }

  end(time: number, tid: number, tgid: number, process: boolean, text: string): void {
    if (this.recording) this.push({ kind: 'end', time, tid, tgid, process, text });
  }

  fd(time: number, tid: number, op: 'install' | 'close', fd: number, what: string): void {
    if (this.recording) this.push({ kind: 'fd', time, tid, op, fd, what });
  }

  /** Records a counter's value (now) when it changed. */
  counter(track: string, value: number): void {
    if (!this.recording || this.counters.get(track) === value) return;
    this.counters.set(track, value);
    this.push({ kind: 'counter', time: this.clock.peek(), tid: this.running, track, value });
  }

  /** The running call sent `key` (the rights of a message, a pending connection) on its way to another call. */
  flowStart(key: object): void {
    if (!this.recording || !this.running) return;
    this.flows.set(key, { tid: this.running, call: this.callOf(this.running), time: this.clock.peek() });
  }

  /** The running call received `key`: a flow from the call that sent it. */
  flowEnd(key: object, what: FlowEvent['what']): void {
    if (!this.recording) return;
    const from = this.flows.get(key);
    if (!from || !this.running) return;
    this.flows.delete(key);
    this.push({ kind: 'flow', time: this.clock.peek(), tid: this.running, call: this.callOf(this.running), what, from: from.tid, fromCall: from.call, fromTime: from.time });
  }

  note(time: number, tid: number, text: string): void {
    if (this.recording) this.push({ kind: 'note', time, tid, text });
  }
}

/**
 * Each event's text for a one-line-per-step summary, aligned with `events`:
 * a finished call as its whole strace line, a call that went to sleep as
 * `read(3, ...) <blocks on pipe:[1] readers>`, signals, exits and notes as the
 * text trace shows them; null for events that are not a thread's own doing
 * in that step (entries, resumptions, fd changes, counters, flows, wakes,
 * starts).
 */
export function eventTexts(events: readonly TraceEvent[], fdPaths = false): (string | null)[] {
  const entry = new Map<number, string>();
  return events.map((e) => {
    switch (e.kind) {
      case 'enter':
        entry.set(e.call, `${e.name}(${showFdNotes(e.args, fdPaths)}`);
        return null;
      case 'block': {
        const call = entry.get(e.call) ?? '?(';
        return `${call.endsWith(', ') ? `${call}...` : call}) <blocks on ${e.on}>`;
      }
      case 'exit':
        return `${entry.get(e.call) ?? `${e.name}(`}${showFdNotes(e.args, fdPaths)}) = ${showFdNotes(e.result, fdPaths)}`;
      case 'signal':
        return `--- ${e.text} ---`;
      case 'end':
        return `+++ ${e.text} +++`;
      case 'note':
        return e.text;
      default:
        return null;
    }
  });
}

/** Events about another thread than the one whose step emitted them (a wake is the sleeper's, a start the child's). */
export function isForeignEvent(e: TraceEvent): boolean {
  return e.kind === 'wake' || e.kind === 'start';
}

// ---- the strace-like text renderer ----

export interface TextOptions {
  /** prefix each line with the virtual time (default true) */
  time?: boolean;
  /** show what each fd refers to, as strace -yy: 3<UNIX-STREAM:[20000->20001]>, 4</tmp/motd> (default false) */
  fdPaths?: boolean;
  /** add the unixsim extension lines "--- woken by ... ---" (default true) */
  wakes?: boolean;
}

/** The decoded argument text with fd notes shown as strace -yy does, or dropped. */
export function showFdNotes(s: string, fdPaths: boolean): string {
  if (!s.includes(FD_NOTE_OPEN)) return s;
  return fdPaths ? s.replace(/\u0001([^\u0002]*)\u0002/g, '<$1>') : s.replace(/\u0001[^\u0002]*\u0002/g, '');
}

/**
 * strace -f text, one line per call, signal and exit, each as
 * "TIME [pid TID] ...". A call interrupted by another thread's line is split
 * as strace splits it: `read(3,  <unfinished ...>` and later
 * `<... read resumed>"hi", 2) = 2`. A wake line (a unixsim extension) comes
 * right after the line of the call that woke the sleeper:
 * `--- woken by [pid 1] sendmsg(3, ...) via socket:[20001] readers ---`.
 */
export function renderText(events: readonly TraceEvent[], opts: TextOptions = {}): string {
  const lines = renderLines(events, opts).map((l) => l.text);
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** One rendered line of the text trace: the thread it is about and its text (with the prefix). */
export interface TextLine {
  time: number;
  tid: number;
  text: string;
}

/** The text trace as lines, each with its thread (for reports that group or number them). */
export function renderLines(events: readonly TraceEvent[], opts: TextOptions = {}): TextLine[] {
  const showTime = opts.time ?? true;
  const fdPaths = opts.fdPaths ?? false;
  const wakes = opts.wakes ?? true;
  const lines: TextLine[] = [];
  /** the call whose line is printed up to its entry arguments, waiting for its exit */
  let openCall = -1;
  const names = new Map<number, string>();
  const deferred = new Map<number, WakeEvent[]>();
  const exited = new Set<number>();

  const prefix = (time: number, tid: number) => (showTime ? `${String(time).padStart(10)} ` : '') + `[pid ${tid}] `;
  const newLine = (time: number, tid: number, text: string) => {
    if (openCall >= 0) {
      lines[lines.length - 1].text += ' <unfinished ...>';
      openCall = -1;
    }
    lines.push({ time, tid, text: prefix(time, tid) + text });
  };
  const wakeLine = (w: WakeEvent) => {
    const who = w.by ? `by [pid ${w.by}] ${w.byWhat ? w.byWhat + ' ' : ''}` : '';
    newLine(w.time, w.tid, `--- woken ${who}via ${w.via} ---`);
  };
  const flush = (call: number) => {
    const ws = deferred.get(call);
    if (!ws) return;
    deferred.delete(call);
    for (const w of ws) wakeLine(w);
  };

  for (const e of events) {
    if (e.tid >= KTHREAD_TID_BASE) continue; // a kernel thread makes no syscalls: strace shows nothing of it
    switch (e.kind) {
      case 'enter':
        names.set(e.call, e.name);
        newLine(e.time, e.tid, `${e.name}(${showFdNotes(e.args, fdPaths)}`);
        openCall = e.call;
        break;
      case 'exit': {
        const rest = `${showFdNotes(e.args, fdPaths)}) = ${showFdNotes(e.result, fdPaths)}`;
        if (openCall === e.call) {
          lines[lines.length - 1].text += rest;
          openCall = -1;
        } else {
          newLine(e.time, e.tid, `<... ${e.name} resumed>${rest}`);
        }
        exited.add(e.call);
        flush(e.call);
        break;
      }
      case 'block':
        flush(e.call);
        break;
      case 'wake':
        if (!wakes) break;
        if (e.byCall >= 0 && !exited.has(e.byCall)) {
          const ws = deferred.get(e.byCall);
          if (ws) ws.push(e);
          else deferred.set(e.byCall, [e]);
        } else wakeLine(e);
        break;
      case 'signal':
        newLine(e.time, e.tid, `--- ${e.text} ---`);
        break;
      case 'end':
        newLine(e.time, e.tid, `+++ ${e.text} +++`);
        break;
      case 'note':
        newLine(e.time, e.tid, e.text);
        break;
      case 'start':
      case 'resume':
      case 'fd':
      case 'counter':
      case 'flow':
        break;
    }
  }
  for (const ws of deferred.values()) for (const w of ws) wakeLine(w);
  // a call still in progress when the run ended (a deadlock, the step limit)
  if (openCall >= 0) lines[lines.length - 1].text += ' <unfinished ...>';
  return lines;
}
