// The user side of a guest ELF process: a RISC-V hart. `resume` hands the
// previous syscall's result to the guest (a0, pc past the ecall), runs the
// hart until its next ecall, fault or the end of its quantum, and charges
// the instructions it retired as virtual ticks. Nothing a guest does may
// throw on the host: a hart exception becomes a fault (SIGILL) for the task.
//
// The per-process memory layout (brk, mmap area, growable stack, the
// sigreturn trampoline page, the exe path, the alternate signal stack)
// lives in GuestVm beside the hart: only guests have one.
import { Hart } from '../hw/hart.ts';
import { AddressSpace, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, USER_TOP } from '../hw/memory.ts';
import { Cause, type StopReason } from '../hw/stop.ts';
import { Timer } from '../hw/timer.ts';
import { SIGBUS, SIGILL, SIGKILL, SIGSEGV, SIGTRAP } from './abi.ts';
import { SyscallArgs, type UserContext, type UserStop } from './context.ts';
import { ERESTARTSYS } from './errno.ts';
import type { SigAction, SigInfo } from './signal.ts';
import { enterGuestHandler } from './signalframe.ts';
import type { Task } from './task.ts';
import type { Inode } from './vfs.ts';

/** Instructions a guest runs before the timer preempts it (a scheduling point in user mode). */
export const QUANTUM_TICKS = 100_000;

/** One fixed page per process holding `li a7, 139; ecall`: a handler returns through it (riscv64 has no SA_RESTORER). */
export const TRAMPOLINE_ADDR = USER_TOP - PAGE_SIZE;
const TRAMPOLINE_CODE = [0x08b00893, 0x00000073];

/** Top of the initial stack: a guard gap below the trampoline page. */
export const STACK_TOP = USER_TOP - 16 * PAGE_SIZE;
/** Pages mapped for the stack at exec; it grows on demand down to RLIMIT_STACK. */
export const INITIAL_STACK_SIZE = 128 * 1024;
/** RLIMIT_STACK soft limit (Linux's default 8 MiB). */
export const STACK_LIMIT = 8 * 1024 * 1024;
/** Top of the mmap area (Linux: TASK_SIZE minus a 128 MiB gap when the stack limit is small; no randomisation). */
export const MMAP_BASE = USER_TOP - 128 * 1024 * 1024;
/** Lowest address mmap places anything at (vm.mmap_min_addr). */
export const MMAP_MIN_ADDR = 0x10000;

export const SS_ONSTACK = 1, SS_DISABLE = 2;

/** The alternate signal stack (sigaltstack). */
export interface AltStack {
  sp: number;
  size: number;
  /** 0 when set, SS_DISABLE when not */
  flags: number;
}

/** A process's memory layout, beside its address space. */
export class GuestVm {
  /** start of the heap (end of the loaded image) */
  brkStart = 0;
  /** current program break (unaligned, as the guest set it) */
  brk = 0;
  stackTop = STACK_TOP;
  /** lowest mapped stack address; faults just below it grow the stack */
  stackBottom = STACK_TOP;
  /** path of the running executable (readlink of /proc/self/exe) */
  exePath = '';
  /** the executable's inode: what /proc/self/exe opens and execs, even once unlinked or renamed (proc_exe_link) */
  exeInode: Inode | null = null;
  /** resource limits set by the program (getrlimit reports defaults for the rest), [soft, hard] */
  rlimits = new Map<number, [number, number]>();

  clone(): GuestVm {
    const v = new GuestVm();
    Object.assign(v, this);
    v.rlimits = new Map(this.rlimits);
    return v;
  }

  /** Maps stack pages down to addr if it lies in the growable region; true if it did. */
  growStack(mm: AddressSpace, addr: number): boolean {
    if (!(addr < this.stackBottom && addr >= this.stackTop - STACK_LIMIT)) return false;
    const base = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
    if (mm.anyMapped(base, this.stackBottom - base)) return false; // something else lives there
    if (!mm.map(base, this.stackBottom - base, PROT_READ | PROT_WRITE)) return false;
    this.stackBottom = base;
    return true;
  }
}

/** Maps the sigreturn trampoline page into a fresh address space. */
export function mapTrampoline(mm: AddressSpace): void {
  mm.map(TRAMPOLINE_ADDR, PAGE_SIZE, PROT_READ | PROT_EXEC);
  const code = new Uint8Array(8);
  const dv = new DataView(code.buffer);
  TRAMPOLINE_CODE.forEach((w, i) => dv.setUint32(4 * i, w, true));
  mm.poke(TRAMPOLINE_ADDR, code);
}

const SYSCALL_STOP: UserStop = { kind: 'syscall' };
const PREEMPT_STOP: UserStop = { kind: 'preempt' };
const FAULT_SIGNALS = { SIGILL, SIGSEGV, SIGBUS, SIGTRAP } as const;
const CAUSE_NAMES: Record<number, string> = {
  [Cause.INSTRUCTION_MISALIGNED]: 'instruction address misaligned', [Cause.ILLEGAL_INSTRUCTION]: 'illegal instruction',
  [Cause.BREAKPOINT]: 'breakpoint', [Cause.LOAD_MISALIGNED]: 'misaligned load', [Cause.STORE_MISALIGNED]: 'misaligned store',
  [Cause.INSTRUCTION_PAGE_FAULT]: 'instruction page fault', [Cause.LOAD_PAGE_FAULT]: 'load page fault',
  [Cause.STORE_PAGE_FAULT]: 'store page fault',
};

const hex = (n: number): string => `0x${n.toString(16)}`;

export class HartContext implements UserContext {
  readonly args = new SyscallArgs();
  lastTicks = 0;
  /**
   * The kernel already set the registers the guest resumes with (a fresh
   * exec, rt_sigreturn, a signal frame that took the syscall's result):
   * the next `resume` ignores its result.
   */
  registersFinal = true;
  /** the alternate signal stack (sigaltstack): per thread */
  altStack: AltStack = { sp: 0, size: 0, flags: SS_DISABLE };
  /** the last fault, for the siginfo of its signal */
  lastFault: { signo: number; addr: number; cause: number; code: number } | null = null;

  constructor(
    readonly task: Task,
    readonly hart: Hart,
    readonly vm: GuestVm,
  ) {}

  /** A context for a fresh program: pc at entry, sp at the initial stack, everything else zero. */
  static fresh(task: Task, mm: AddressSpace, vm: GuestVm, entry: number, sp: number): HartContext {
    const hart = new Hart(mm, new Timer());
    hart.jit = task.kernel.config.jit;
    hart.pc = entry;
    hart.setX(2, sp);
    return new HartContext(task, hart, vm);
  }

  resume(result: number | undefined): UserStop {
    const h = this.hart;
    this.lastTicks = 0;
    if (this.registersFinal) this.registersFinal = false;
    else if (result !== undefined && result !== -ERESTARTSYS) {
      // -ERESTARTSYS: leave pc at the ecall and a0 untouched, so the syscall is issued again
      h.setX(10, result);
      h.pc += 4;
    }
    const clock = this.task.kernel.sched.clock;
    const timer = h.timer;
    timer.mtime = clock.now;
    timer.armIn(QUANTUM_TICKS);
    let ticks = 0;
    for (;;) {
      const before = h.instret;
      let stop: StopReason;
      try {
        if (h.space !== this.task.mm) h.space = this.task.mm;
        this.task.mm.oom = false; // only a fault of this run of user code may invoke the OOM rule
        stop = h.run(QUANTUM_TICKS - ticks);
      } catch (e) {
        ticks += h.instret - before;
        this.lastTicks = ticks;
        return { kind: 'fault', signal: SIGILL, detail: `hart error at pc ${hex(h.pc)}: ${e instanceof Error ? e.message : String(e)}` };
      }
      const retired = h.instret - before;
      ticks += retired;
      this.lastTicks = ticks;
      this.task.kernel.sched.instructions += retired;
      switch (stop.kind) {
        case 'ecall': {
          const a = this.args;
          a.nr = h.getXLo(17);
          if (h.getXHi(17) !== 0) a.nr = -1; // no such syscall: ENOSYS
          for (let i = 0; i < 6; i++) {
            a.lo[i] = h.getXLo(10 + i);
            a.hi[i] = h.getXHi(10 + i);
          }
          return SYSCALL_STOP;
        }
        case 'budget':
        case 'timer':
          return PREEMPT_STOP;
        case 'fault': {
          // A fault just below the stack grows it, as Linux's grows-down stack VMA does.
          const memFault = stop.cause === Cause.LOAD_PAGE_FAULT || stop.cause === Cause.STORE_PAGE_FAULT
            || stop.cause === Cause.INSTRUCTION_PAGE_FAULT;
          const mm = this.task.mm;
          if (mm.oom) {
            // The page exists but no frame could be had: the OOM rule kills the process (Linux's pagefault_out_of_memory).
            mm.oom = false;
            return { kind: 'fault', signal: SIGKILL, detail: `out of memory at pc ${hex(h.pc)}, address ${hex(stop.addr)}: the run's memory budget is spent`, oom: true };
          }
          // a file mapping's page past the end of its file: SIGBUS with BUS_ADRERR (2)
          const bus = memFault && mm.busAt(stop.addr);
          if (!bus && stop.signal === 'SIGSEGV' && memFault && this.vm.growStack(mm, stop.addr)) continue;
          const signo = bus ? SIGBUS : FAULT_SIGNALS[stop.signal];
          // si_code: SEGV_ACCERR (2) when the page is mapped but forbids the access, else SEGV_MAPERR (1)
          const code = bus || (signo === SIGSEGV && memFault && mm.isMapped(stop.addr)) ? 2 : 1;
          this.lastFault = { signo, addr: stop.addr, cause: stop.cause, code };
          const what = CAUSE_NAMES[stop.cause] ?? `cause ${stop.cause}`;
          return { kind: 'fault', signal: signo, detail: `${what} at pc ${hex(h.pc)}, address ${hex(stop.addr)}` };
        }
      }
    }
  }

  fork(child: Task): UserContext {
    // The child resumes at the same ecall; its first resume gets 0 as the result.
    const c = new HartContext(child, this.hart.clone(child.mm), this.vm.clone());
    c.altStack = { ...this.altStack };
    // The parent's pages are now copy-on-write: drop its hart's cached page
    // translations, or its stores would go straight into the shared frames.
    this.hart.space = this.task.mm;
    c.registersFinal = false;
    c.args.nr = this.args.nr;
    c.args.lo.set(this.args.lo);
    c.args.hi.set(this.args.hi);
    return c;
  }

  /**
   * A new thread (clone with CLONE_VM): the same registers and memory layout
   * (GuestVm: brk, limits, exe path are the process's), resuming at the
   * clone's return with a0 = 0, sp = newsp when given and tp = tls when
   * CLONE_SETTLS; no alternate signal stack (Linux clears it for CLONE_VM).
   */
  thread(child: Task, sp: number, tls: number | null): UserContext {
    const h = this.hart.clone(child.mm);
    const c = new HartContext(child, h, this.vm);
    if (sp) h.setX(2, sp);
    if (tls !== null) h.setX(4, tls);
    h.setX(10, 0);
    h.pc += 4;
    c.registersFinal = true;
    c.args.nr = this.args.nr;
    c.args.lo.set(this.args.lo);
    c.args.hi.set(this.args.hi);
    return c;
  }

  release(): void {
    this.hart.release();
  }

  where(): string {
    return `at pc ${hex(this.hart.pc)}`;
  }

  setStackPointer(sp: number): void {
    this.hart.setX(2, sp);
  }

  enterSignalHandler(signo: number, action: SigAction, syscallResult: number | undefined, info: SigInfo): boolean {
    if (!this.registersFinal && syscallResult !== undefined) {
      if (syscallResult !== -ERESTARTSYS) {
        this.hart.setX(10, syscallResult);
        this.hart.pc += 4;
      }
      this.registersFinal = true;
    }
    const ok = enterGuestHandler(this, signo, action, info);
    this.registersFinal = true;
    return ok;
  }
}
