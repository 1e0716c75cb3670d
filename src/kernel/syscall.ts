// The syscall table: Linux riscv64 numbers to handlers. A handler receives
// its arguments decoded from 64-bit register values by the kinds it
// declares, and returns the result (a value or -errno) directly, or, when
// it may block, a generator that yields where it sleeps or may be
// preempted and returns the result.
import type { WaitQueue } from '../sched/waitqueue.ts';
import type { Task } from './task.ts';

/** Yielded by a kernel generator: a wait queue it sleeps on, or PREEMPT at a lock boundary. */
export type KernelYield = WaitQueue | typeof PREEMPT;
export const PREEMPT = 'preempt' as const;

export type SyscallGen = Generator<KernelYield, number, void>;
export type SyscallResult = number | SyscallGen;

/** Runs a handler's result inside a generator: a value at once, a generator to its end. */
export function* settle(r: SyscallResult): SyscallGen {
  return typeof r === 'number' ? r : yield* r;
}

/**
 * How an argument register is decoded and shown in traces:
 *  int, fd, sig     signed 32-bit (Linux truncates int arguments)
 *  uint, hex, oct   unsigned 32-bit
 *  ptr, size, u64   unsigned 64-bit (saturates at 2^53: no valid pointer or size is that big)
 *  path             pointer to a NUL-terminated string (shown as the string)
 *  bufIn            pointer to bytes the call reads; length in the next argument
 *  bufOut           pointer to bytes the call writes; length = the result
 *  sockaddr         pointer to a socket address; length in the next argument
 *  long             signed 64-bit
 */
export type ArgKind =
  | 'int' | 'fd' | 'sig' | 'uint' | 'hex' | 'oct' | 'ptr' | 'size' | 'u64' | 'path' | 'bufIn' | 'bufOut'
  | 'sockaddr' | 'long';

export interface SyscallDef {
  readonly nr: number;
  readonly name: string;
  readonly args: readonly ArgKind[];
  /** how dispatch decodes each argument register (decodingOf each kind, computed once at define) */
  readonly decode: Uint8Array;
  readonly handler: (t: Task, a: number[]) => SyscallResult;
}

/** The four decodings behind the argument kinds (decodeArg); dispatch switches on these small numbers. */
const INT32 = 0, UINT32 = 1, LONG = 2, UNSIGNED64 = 3;
export type Decoding = typeof INT32 | typeof UINT32 | typeof LONG | typeof UNSIGNED64;

export function decodingOf(kind: ArgKind): Decoding {
  switch (kind) {
    case 'int':
    case 'fd':
    case 'sig':
      return INT32;
    case 'uint':
    case 'hex':
    case 'oct':
      return UINT32;
    case 'long':
      return LONG;
    default:
      return UNSIGNED64;
  }
}

/** Decodes one 64-bit register (lo/hi halves) by its decoding. */
export function decodeAs(d: number, lo: number, hi: number): number {
  switch (d) {
    case INT32:
      return lo | 0;
    case UINT32:
      return lo >>> 0;
    case LONG:
      return hi * 4294967296 + (lo >>> 0);
    default:
      // unsigned 64: exact below 2^53, else saturate
      return hi >= 0 && hi < 0x200000 ? hi * 4294967296 + (lo >>> 0) : 2 ** 53;
  }
}

export const SYSCALL_MAX = 512;

/** Decodes one 64-bit register (lo/hi halves) as the kind says. */
export function decodeArg(kind: ArgKind, lo: number, hi: number): number {
  return decodeAs(decodingOf(kind), lo, hi);
}

export class SyscallTable {
  private readonly defs: (SyscallDef | undefined)[] = new Array(SYSCALL_MAX);

  define(nr: number, name: string, args: readonly ArgKind[], handler: SyscallDef['handler']): void {
    if (this.defs[nr]) throw new Error(`syscall ${nr} (${name}) defined twice (already ${this.defs[nr]!.name})`);
    this.defs[nr] = { nr, name, args, decode: Uint8Array.from(args, decodingOf), handler };
  }

  get(nr: number): SyscallDef | undefined {
    return nr >= 0 && nr < SYSCALL_MAX ? this.defs[nr] : undefined;
  }

  /** Every defined syscall, by number. */
  all(): SyscallDef[] {
    return this.defs.filter((d): d is SyscallDef => !!d);
  }
}
