// The user side of a scripted process: a TypeScript generator that yields
// at each syscall. The `sys` wrappers put the syscall's registers in
// `args` and yield SYSCALL; the kernel runs it and the result comes back
// as the value of that yield.
import type { Task } from '../kernel/task.ts';
import { SyscallArgs, type UserContext, type UserStop } from '../kernel/context.ts';
import { EINVAL, ERESTARTSYS } from '../kernel/errno.ts';
import { Sys } from './sys.ts';

/** The token a wrapper yields; anything else yielded is a script bug. */
export const SYSCALL = Symbol('syscall');
export type ScriptYield = typeof SYSCALL;

/** A scripted program: a generator function over the `sys` wrappers. Its return value is the exit code. */
export type Program = (sys: Sys) => Generator<ScriptYield, number | void, number>;

/** Ticks charged for the host code a script runs between two syscalls. */
const SCRIPT_TICKS = 10;

const SYSCALL_STOP: UserStop = { kind: 'syscall' };

export class ScriptContext implements UserContext {
  readonly args = new SyscallArgs();
  lastTicks = 0;
  readonly sys: Sys;
  /** set by sys.fork just before its clone: the program the child runs */
  childProgram: Program | null = null;
  private readonly gen: Generator<ScriptYield, number | void, number>;

  constructor(
    readonly task: Task,
    readonly program: Program,
  ) {
    this.sys = new Sys(this);
    this.gen = program(this.sys);
  }

  resume(result: number | undefined): UserStop {
    this.lastTicks = SCRIPT_TICKS;
    // Restart an interrupted syscall (SA_RESTART): the wrapper's registers are still in `args`.
    if (result === -ERESTARTSYS) return SYSCALL_STOP;
    let it: IteratorResult<ScriptYield, number | void>;
    try {
      it = this.gen.next(result as number);
    } catch (e) {
      return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
    }
    if (it.done) return { kind: 'exit', code: typeof it.value === 'number' ? it.value : 0 };
    if ((it.value as unknown) !== SYSCALL) {
      return { kind: 'error', message: `script yielded ${String(it.value as unknown)}; call syscalls as \`yield* sys.name(...)\`` };
    }
    return SYSCALL_STOP;
  }

  /** Script handlers run on the host at the return to user mode, like a guest handler would. */
  enterSignalHandler(signo: number): boolean {
    const h = this.sys.handlers.get(signo);
    if (!h) return false;
    h(signo);
    return true;
  }

  childName(): string {
    return this.childProgram?.name ?? '';
  }

  fork(child: Task): UserContext | number {
    const prog = this.childProgram;
    this.childProgram = null;
    // A generator cannot be copied, so a scripted fork names the program the child runs.
    if (!prog) return -EINVAL;
    const c = new ScriptContext(child, prog);
    for (const [sig, h] of this.sys.handlers) c.sys.handlers.set(sig, h);
    return c;
  }
}
