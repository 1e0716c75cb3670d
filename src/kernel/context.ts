// The user side of a task, as the kernel sees it: something that runs
// until its next syscall (or exit, fault, preemption) and takes the
// previous syscall's result. A scripted generator and a RISC-V hart both
// implement it; the kernel never looks further inside.
import type { SigAction, SigInfo } from './signal.ts';
import type { Task } from './task.ts';

/** The registers of a pending syscall: number and six 64-bit arguments as Int32 halves. */
export class SyscallArgs {
  nr = 0;
  readonly lo = new Int32Array(6);
  readonly hi = new Int32Array(6);

  /** Sets registers from JS numbers (exact for safe integers, negatives sign-extended). */
  set(nr: number, args: readonly number[]): void {
    this.set6(nr, args[0] ?? 0, args[1] ?? 0, args[2] ?? 0, args[3] ?? 0, args[4] ?? 0, args[5] ?? 0);
  }

  /** The same with the six arguments given one by one (no list to allocate). */
  set6(nr: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): void {
    this.nr = nr;
    this.put(0, a0);
    this.put(1, a1);
    this.put(2, a2);
    this.put(3, a3);
    this.put(4, a4);
    this.put(5, a5);
  }

  private put(i: number, v: number): void {
    this.lo[i] = v | 0; // ToInt32 is exact modulo 2^32 for any safe integer
    // the high half: 0 for the usual small non-negative value, without the division
    this.hi[i] = v >= 0 && v < 4294967296 ? 0 : Math.floor(v / 4294967296) | 0;
  }
}

export type UserStop =
  /** stopped at a syscall; its registers are in `ctx.args` */
  | { kind: 'syscall' }
  /** the program ended without calling exit (a script returning): exit with this code */
  | { kind: 'exit'; code: number }
  /** a fault the kernel turns into a signal for this task */
  | { kind: 'fault'; signal: number; detail: string; oom?: boolean }
  /** the quantum ran out: a scheduling point in user mode */
  | { kind: 'preempt' }
  /** the host-side script itself failed (a scenario bug or a failed assertion) */
  | { kind: 'error'; message: string };

export interface UserContext {
  /** the pending syscall's registers (valid after a 'syscall' stop) */
  readonly args: SyscallArgs;
  /** virtual ticks the last `resume` spent in user mode */
  lastTicks: number;
  /**
   * Runs user code, given the last syscall's result (undefined at the start or after preemption), to its next stop.
   * A result of -ERESTARTSYS means: issue the same syscall again (it was interrupted and no handler asked for EINTR).
   */
  resume(result: number | undefined): UserStop;
  /** The child's user side for fork/clone: the same program state, seeing 0 from the syscall. */
  fork(child: Task): UserContext | number;
  /**
   * A thread's user side for clone with CLONE_VM: the same registers, sharing
   * this context's memory layout, resuming from the clone with 0 (sp = newsp
   * when nonzero, tp = tls when not null). Absent: threads are unsupported.
   */
  thread?(child: Task, sp: number, tls: number | null): UserContext;
  /** The task is gone (exit, or execve replaced this context): host resources it holds go back to the budget. */
  release?(): void;
  /** Where user code is now, for limit reports ("at pc 0x10234"). */
  where?(): string;
  /** The name for the child of the next fork, if the user side has a better one than the parent's. */
  childName?(): string;
  /** clone with a new stack: the child's stack pointer (harts only). */
  setStackPointer?(sp: number): void;
  /**
   * Arranges for a guest signal handler to run at the next resume; false if it cannot (the task is then killed).
   * `syscallResult` is the result of the syscall the task is returning from (undefined if none), so the
   * interrupted state saved for the handler's return includes it (-ERESTARTSYS: restart the syscall).
   */
  enterSignalHandler?(signo: number, action: SigAction, syscallResult: number | undefined, info: SigInfo): boolean;
}

/**
 * A program format execve can start besides ELF (Linux's binfmt handlers):
 * given the file's bytes, a maker of the new user side, or null when the
 * file is not of this format. The scenario runner registers one for
 * scripted programs.
 */
export interface Binfmt {
  recognize(image: Uint8Array): ((t: Task, argv: string[], envp: string[]) => UserContext) | null;
}
