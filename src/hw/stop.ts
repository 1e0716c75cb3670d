// Why `Hart.run` returned: the trap interface between the hart and the kernel.

export type FaultSignal = 'SIGILL' | 'SIGSEGV' | 'SIGBUS' | 'SIGTRAP';

export type StopReason =
  | { readonly kind: 'ecall' }
  | { readonly kind: 'budget' }
  | { readonly kind: 'timer' }
  | { readonly kind: 'fault'; readonly signal: FaultSignal; readonly addr: number; readonly cause: number };

/** RISC-V exception cause codes (privileged spec, mcause), reported with faults. */
export const Cause = {
  INSTRUCTION_MISALIGNED: 0,
  ILLEGAL_INSTRUCTION: 2,
  BREAKPOINT: 3,
  LOAD_MISALIGNED: 4,
  STORE_MISALIGNED: 6,
  INSTRUCTION_PAGE_FAULT: 12,
  LOAD_PAGE_FAULT: 13,
  STORE_PAGE_FAULT: 15,
} as const;

export const STOP_ECALL: StopReason = Object.freeze({ kind: 'ecall' });
export const STOP_BUDGET: StopReason = Object.freeze({ kind: 'budget' });
export const STOP_TIMER: StopReason = Object.freeze({ kind: 'timer' });

export function fault(signal: FaultSignal, addr: number, cause: number): StopReason {
  return { kind: 'fault', signal, addr, cause };
}
