// The user side of a scripted process: a TypeScript generator that yields
// at each syscall. The `sys` wrappers put the syscall's registers in
// `args` and yield SYSCALL; the kernel runs it and the result comes back
// as the value of that yield.
import type { Task } from '../kernel/task.ts';
import { SyscallArgs, type UserContext, type UserStop } from '../kernel/context.ts';
import { EINVAL, ERESTARTSYS } from '../kernel/errno.ts';
import { Sys } from './sys.ts';
import { ScriptProcess, type PendingChild } from './process.ts';
import { describeScriptError } from './errors.ts';
import { scriptWatch } from './watch.ts';

/**
 * The token a wrapper yields; anything else yielded is a script bug. An
 * object type rather than a unique symbol, so that a helper generator's
 * inferred type (`function* helper(sys: Sys) { ... }`) keeps it and fits
 * `Program` without a `SysGen<T>` annotation.
 */
export interface SyscallToken {
  readonly syscall: true;
}
export const SYSCALL: SyscallToken = Object.freeze({ syscall: true });
export type ScriptYield = SyscallToken;

/** A scripted program: a generator function over the `sys` wrappers. Its return value is the exit code. */
export type Program = (sys: Sys) => Generator<ScriptYield, number | void, number>;

/** Ticks charged for the host code a script runs between two syscalls. */
const SCRIPT_TICKS = 10;

const SYSCALL_STOP: UserStop = { kind: 'syscall' };

const NR_EXIT = 93;

export interface ScriptStart {
  /** argv and envp (execve'd scripts; a scenario's processes get their name as argv[0]) */
  argv?: string[];
  envp?: string[];
  /** the process's shared user-side state; a new process when absent */
  proc?: ScriptProcess;
  /** where this thread's scratch memory starts (threads other than the first) */
  scratchBase?: number;
  /** a thread other than the first: returning from the program is exit(2) of this thread, not of the process */
  thread?: boolean;
}

/**
 * Calls the program for its generator. A program that throws when called,
 * or returns something else (not a generator function), becomes a
 * generator that fails at its first step, so the error is the task's and
 * names the program, instead of escaping into the kernel.
 */
function startProgram(program: Program, sys: Sys): Generator<ScriptYield, number | void, number> {
  const name = program.name ? ` "${program.name}"` : '';
  let g: unknown;
  try {
    g = program(sys);
  } catch (e) {
    const message = `program${name} threw when called: ${describeScriptError(e)}`;
    return (function* () { throw new ScriptStartError(message); })();
  }
  if (!g || typeof (g as Generator).next !== 'function') {
    const message = `program${name} is not a generator function (it returned ${g === undefined ? 'undefined' : typeof g})`;
    return (function* () { throw new ScriptStartError(message); })();
  }
  return g as Generator<ScriptYield, number | void, number>;
}

class ScriptStartError extends Error {}

export class ScriptContext implements UserContext {
  readonly args = new SyscallArgs();
  lastTicks = 0;
  readonly sys: Sys;
  /** what the threads of this process share: signal handlers, join records */
  readonly proc: ScriptProcess;
  /** set by sys.fork / sys.thread just before their clone: what the child runs */
  pendingChild: PendingChild | null = null;
  readonly argv: string[];
  readonly envp: string[];
  private readonly isThread: boolean;
  private readonly gen: Generator<ScriptYield, number | void, number>;
  private finished = false;

  constructor(
    readonly task: Task,
    readonly program: Program,
    start: ScriptStart = {},
  ) {
    this.proc = start.proc ?? new ScriptProcess();
    this.isThread = start.thread ?? false;
    this.argv = start.argv ?? [task.name];
    this.envp = start.envp ?? [];
    this.sys = new Sys(this, start.scratchBase);
    this.gen = startProgram(program, this.sys);
  }

  resume(result: number | undefined): UserStop {
    this.lastTicks = SCRIPT_TICKS;
    // Restart an interrupted syscall (SA_RESTART): the wrapper's registers are still in `args`.
    if (result === -ERESTARTSYS) return SYSCALL_STOP;
    if (this.finished) return this.threadExit(0);
    let it: IteratorResult<ScriptYield, number | void>;
    const watch = scriptWatch();
    watch?.enter(this.task.name);
    try {
      it = this.gen.next(result as number);
    } catch (e) {
      return { kind: 'error', message: e instanceof ScriptStartError ? e.message : describeScriptError(e) };
    } finally {
      watch?.leave();
    }
    if (it.done) {
      const code = typeof it.value === 'number' ? it.value : 0;
      if (!this.isThread) return { kind: 'exit', code };
      // A thread's function returning is pthread's exit of that thread only (start_thread: __exit_thread).
      this.finished = true;
      this.proc.threadReturned(this.task.pid, it.value);
      return this.threadExit(code);
    }
    if (it.value !== SYSCALL) {
      return { kind: 'error', message: `script yielded ${String(it.value as unknown)}; call syscalls as \`yield* sys.name(...)\`` };
    }
    return SYSCALL_STOP;
  }

  private threadExit(code: number): UserStop {
    this.args.set(NR_EXIT, [code]);
    return SYSCALL_STOP;
  }

  /** Script handlers run on the host at the return to user mode, like a guest handler would, given this thread's `sys`. */
  enterSignalHandler(signo: number): boolean {
    const h = this.proc.handlers.get(signo);
    if (!h) return false;
    const watch = scriptWatch();
    watch?.enter(this.task.name);
    try {
      h(signo, this.sys);
    } finally {
      watch?.leave();
    }
    return true;
  }

  childName(): string {
    const c = this.pendingChild;
    return c ? (c.name ?? c.program.name) : '';
  }

  /** fork: a new process running the program sys.fork named; signal handlers are inherited (a copy). */
  fork(child: Task): UserContext | number {
    const c = this.pendingChild;
    this.pendingChild = null;
    // A generator cannot be copied, so a scripted fork names the program the child runs.
    if (!c || c.kind !== 'fork') return -EINVAL;
    return new ScriptContext(child, c.program, { proc: this.proc.forked(), argv: [child.name], envp: this.envp });
  }

  /**
   * clone with CLONE_VM: a thread running the program sys.thread named, in
   * its own scratch region. Present only while sys.thread is cloning: a
   * raw clone(CLONE_VM) from a script has no entry point for the new
   * thread, so the kernel answers it ENOSYS, as for any user side that
   * cannot make threads.
   */
  get thread(): ((child: Task) => UserContext) | undefined {
    return this.pendingChild?.kind === 'thread' ? (child) => this.makeThread(child) : undefined;
  }

  private makeThread(child: Task): UserContext {
    const c = this.pendingChild;
    this.pendingChild = null;
    if (!c || c.kind !== 'thread') throw new Error('makeThread without sys.thread');
    return new ScriptContext(child, c.program, { proc: this.proc, thread: true, scratchBase: c.scratchBase, argv: this.argv, envp: this.envp });
  }
}
