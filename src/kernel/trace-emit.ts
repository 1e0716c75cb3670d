// What the kernel tells the run's tracer (src/sched/trace.ts) about a
// syscall and a signal, when the run records its trace: a call's entry with
// its arguments decoded as strace shows them at entry, its exit with the
// rest and the result, the fds it installed or closed; a signal's siginfo
// from generation to delivery. Kernel code calls these only after checking
// `trace.recording`, so a run without a trace pays nothing here.
import { decodeArg, type SyscallDef } from './syscall.ts';
import type { OpenFile } from './file.ts';
import type { Kernel } from './kernel.ts';
import { signalName } from './signal.ts';
import { callResult, decoderFor, resultText, type CallView } from './strace.ts';
import type { Task } from './task.ts';

/** Calls that install or remove fds: the trace compares the fd table before and after them (fd events). */
const FD_TABLE_CALLS = new Set([
  'openat', 'close', 'dup', 'dup3', 'fcntl', 'pipe2', 'socket', 'socketpair', 'accept', 'accept4', 'recvmsg', 'recvmmsg',
  'epoll_create1', 'execve', 'close_range', 'read', 'recvfrom',
]);

/** The entry event. `def` is undefined for a syscall number the kernel does not implement. */
export function traceEnter(k: Kernel, t: Task, def: SyscallDef | undefined): void {
  const view: CallView = { t, a: t.argv.slice(), mm: t.mm, saved: [] };
  let name: string, args: string;
  if (def) {
    name = def.name;
    t.traceView = { view, def };
    args = decoderFor(def).enter(view);
  } else {
    const a = t.ctx.args;
    name = `syscall_${a.nr}`;
    t.traceView = null;
    args = [0, 1, 2, 3, 4, 5].map((i) => {
      const v = decodeArg('long', a.lo[i], a.hi[i]);
      return v === 0 ? '0' : v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
    }).join(', ');
  }
  t.traceFds = FD_TABLE_CALLS.has(name) ? new Map(t.fds.entries()) : null;
  k.sched.trace.enter(k.sched.clock.peek(), t.pid, name, args);
}

/** The exit event (at the start of the step that completed the call), then the fd changes the call made. */
export function traceExit(k: Kernel, t: Task, result: number): void {
  const tr = k.sched.trace;
  if (!tr.inCall(t.pid)) return;
  const time = k.sched.clock.peek();
  const tv = t.traceView;
  const dec = tv ? decoderFor(tv.def) : undefined;
  const args = tv && dec?.exit ? dec.exit(tv.view, result) : '';
  const res = tv && dec ? callResult(dec, tv.view, result) : resultText(result);
  tr.exit(time, t.pid, args, res, result);
  t.traceView = null;
  const before = t.traceFds;
  t.traceFds = null;
  if (!before) return;
  const now = new Map(t.fds.entries());
  const name = (f: OpenFile) => f.ops.traceName?.(f) ?? f.ops.describe(f);
  for (const [fd, f] of before) if (now.get(fd) !== f) tr.fd(time, t.pid, 'close', fd, name(f));
  for (const [fd, f] of now) if (before.get(fd) !== f) tr.fd(time, t.pid, 'install', fd, name(f));
}

/** A call that will not return (its thread is ending inside it): strace's "= ?", before the exit line. */
export function traceUnfinished(k: Kernel, t: Task): void {
  const tr = k.sched.trace;
  if (!tr.recording || !tr.inCall(t.pid)) return;
  tr.exit(k.sched.clock.peek(), t.pid, '', '?', null);
  t.traceView = null;
  t.traceFds = null;
}

/** siginfo of generated signals until they are delivered ("tid:signo" for a thread, "g<tgid>:signo" for a process). */
export class SignalTrace {
  private readonly pending = new Map<string, string>();

  constructor(private readonly k: Kernel) {}

  /** The siginfo strace prints for a signal the running task (or the kernel) generates now: "SIGPIPE {si_signo=...}". */
  info(signo: number, code: string): string {
    const from = this.k.tasks.get(this.k.sched.trace.running);
    const name = signalName(signo);
    // a kernel-sent signal (SEND_SIG_PRIV) names no sender
    if (code === 'SI_KERNEL') return `${name} {si_signo=${name}, si_code=SI_KERNEL}`;
    return `${name} {si_signo=${name}, si_code=${code}, si_pid=${from?.tgid ?? 0}, si_uid=${from?.creds.uid ?? 0}}`;
  }

  /** Remembers a generated signal until delivery; one discarded as ignored is shown now (strace, a ptracer, sees those too). */
  sent(key: string, tid: number, signo: number, ignored: boolean, text: string): void {
    if (ignored) this.k.sched.trace.signal(this.k.sched.clock.peek(), tid, signo, text);
    else this.pending.set(`${key}:${signo}`, text);
  }

  /** The delivery line for a signal `t` takes now. */
  delivered(t: Task, signo: number): void {
    const own = `${t.pid}:${signo}`, shared = `g${t.tgid}:${signo}`;
    const key = this.pending.has(own) ? own : shared;
    const text = this.pending.get(key) ?? `${signalName(signo)} {si_signo=${signalName(signo)}}`;
    this.pending.delete(key);
    this.k.sched.trace.signal(this.k.sched.clock.peek(), t.pid, signo, text);
  }
}

/** strace's exit line text for a wait status: "exited with 0", "killed by SIGPIPE". */
export function straceExit(status: number): string {
  const sig = status & 0x7f;
  return sig === 0 ? `exited with ${(status >> 8) & 0xff}` : `killed by ${signalName(sig)}${status & 0x80 ? ' (core dumped)' : ''}`;
}

/** The siginfo of a synchronous fault, from the hart's description ("... at pc 0x10, address 0x0"). */
export function faultInfo(signo: number, detail: string): string {
  const name = signalName(signo);
  const addr = /address (0x[0-9a-f]+)/.exec(detail)?.[1] ?? /pc (0x[0-9a-f]+)/.exec(detail)?.[1];
  const code = { SIGSEGV: 'SEGV_MAPERR', SIGBUS: 'BUS_ADRERR', SIGILL: 'ILL_ILLOPC', SIGTRAP: 'TRAP_BRKPT' }[name] ?? 'SI_KERNEL';
  return `${name} {si_signo=${name}, si_code=${code}${addr ? `, si_addr=${addr}` : ''}}`;
}
