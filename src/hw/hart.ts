// One RV64GC hart running user-mode code (unprivileged ISA only).
//
// Integer registers are two Int32Arrays (low and high halves): V8 keeps them
// unboxed and 64-bit add/compare/shift become a few 32-bit operations, with no
// BigInt on the hot path (bench/hart.ts measures it). Index 32 is a sink
// that stands for x0 as a destination, so x0 reads as zero without a check.
//
// Instructions are decoded once into per-page slot arrays (decoded-instruction
// cache, keyed by page and checked against the page's frame). A page is never
// both decoded and in the store TLB: installing a store translation drops the
// page's decoded slots, so self-modifying code is always seen, and so does a
// kernel copy into the page (read() into code: the address space tells the
// cache of every page it hands to a writer); fence.i drops them all.
//
// Hot code is translated to JavaScript functions (jit.ts), kept on the same
// decoded pages and so dropped with them; `jit = false` (--no-jit,
// UNIXSIM_JIT=0) runs the interpreter alone, with identical results.
//
// The hart never calls the kernel: `run` returns a StopReason (stop.ts).

import { AddressSpace, PAGE_SIZE as MEMORY_PAGE_SIZE, USER_TOP as MEMORY_USER_TOP } from './memory.ts';
import { decode32 } from './decode.ts';
import { DecodedCache } from './decoded-cache.ts';
import { decode16 } from './compressed.ts';
import { FpRegs } from './fpu.ts';
import { AmoOp, SLOT_WORDS as OPS_SLOT_WORDS } from './ops.ts';
import { divrem64, divremu64, divuw, divw, mul64, mulh64, result as i64 } from './int64.ts';
import { Cause, fault, STOP_BUDGET, STOP_ECALL, STOP_TIMER, type StopReason } from './stop.ts';
import { Timer } from './timer.ts';
import { DEFAULT_THRESHOLD, JIT_DEFAULT, translate, type Block } from './jit.ts';

// Module-local copies of imported constants: the hot loop must not read
// imported bindings (some loaders compile them to getter calls).
const PAGE_SIZE = MEMORY_PAGE_SIZE;
const USER_TOP = MEMORY_USER_TOP;
const SLOT_WORDS = OPS_SLOT_WORDS;
const TWO32 = 4294967296;
const TLB_SIZE = 256; // direct-mapped, indexed by vpn & (TLB_SIZE-1)
const SLOTS_PER_PAGE = PAGE_SIZE / 2;
/** Stands for "no page decoded yet" at the start of each run (allocating one per call shows in syscall-heavy runs). */
const NO_SLOTS = new Int32Array(0);

/** CSR numbers visible to user mode (spec chapter "Zicsr", counters chapter "Zicntr"). */
const CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003;
const CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02;

/** Decoded slots of one executable page, valid while the page maps `frame`. */
class DecodedPage {
  readonly slots = new Int32Array(SLOTS_PER_PAGE * SLOT_WORDS);
  /** Frame of the next page when an instruction here spans into it. */
  next: Uint8Array | null = null;
  /** Translated blocks by entry slot: undefined = not yet, null = not translatable. */
  readonly blocks: (Block | null | undefined)[] | null;
  /** Entry visits per slot, counted until a block is translated there. */
  readonly heat: Uint8Array | null;
  constructor(readonly vpn: number, readonly frame: Uint8Array, jit: boolean) {
    this.blocks = jit ? new Array<Block | null | undefined>(SLOTS_PER_PAGE) : null;
    this.heat = jit ? new Uint8Array(SLOTS_PER_PAGE) : null;
  }
}

export class Hart {
  /** Low and high halves of x0..x31, plus the x0 sink at index 32. */
  readonly xlo = new Int32Array(33);
  readonly xhi = new Int32Array(33);
  readonly fp = new FpRegs();
  pc = 0;
  /** Instructions retired since the hart was created. */
  instret = 0;
  /** Address of the LR reservation, or -1. */
  private reservation = -1;
  private reservationSize = 0;

  private spaceRef: AddressSpace;
  private seenGeneration = -1;
  private readonly readTag = new Int32Array(TLB_SIZE).fill(-1);
  private readonly readView: DataView[] = new Array<DataView>(TLB_SIZE);
  private readonly writeTag = new Int32Array(TLB_SIZE).fill(-1);
  private readonly writeView: DataView[] = new Array<DataView>(TLB_SIZE);
  private decoded: DecodedCache<DecodedPage>;
  /** Bytes read by the last slow-path load (zero-extended halves); translated blocks read them too. */
  loadLo = 0;
  loadHi = 0;

  /** Translate hot code (jit.ts); false runs the interpreter alone. */
  jit = JIT_DEFAULT;
  /** Entry visits before a pc is translated (0 = at once; the differential tests use it). */
  jitThreshold = DEFAULT_THRESHOLD;
  /** Set by a translated block on return: instructions it retired, and whether it stopped before an instruction the interpreter must run. */
  blockRetired = 0;
  blockBailed = false;
  /** Set by a translated block that ended in an ecall it retired: the run stops for the syscall. */
  blockEcall = false;
  /** Bumped whenever decoded code may have been dropped (a store translation, fence.i, a new space). */
  codeEpoch = 0;

  constructor(space: AddressSpace, readonly timer: Timer = new Timer(), decoded?: DecodedCache<DecodedPage>) {
    this.spaceRef = space;
    this.decoded = decoded ?? new DecodedCache(space);
    const dummy = new DataView(new ArrayBuffer(8));
    this.readView.fill(dummy);
    this.writeView.fill(dummy);
  }

  /** The address space the hart executes in; the kernel swaps it on execve/fork. */
  get space(): AddressSpace {
    return this.spaceRef;
  }
  set space(s: AddressSpace) {
    if (s !== this.spaceRef) {
      this.decoded.drop();
      this.decoded = new DecodedCache(s);
    }
    this.spaceRef = s;
    this.codeEpoch++;
    this.seenGeneration = -1;
    this.reservation = -1;
  }

  // ---- register accessors for the kernel -------------------------------------------------

  /** x register as a number (signed; exact when |value| < 2^53). */
  getX(r: number): number {
    return this.xhi[r] * TWO32 + (this.xlo[r] >>> 0);
  }
  /** Sets an x register from an integer-valued number (|v| < 2^53 exact; two's complement). */
  setX(r: number, v: number): void {
    if (r === 0) return;
    const lo = v | 0; // ToInt32 is modulo 2^32, also for negative v
    this.xlo[r] = lo;
    // a 32-bit value (every syscall result) sign-extends without the division
    this.xhi[r] = lo === v ? lo >> 31 : Math.floor(v / TWO32) | 0;
  }
  getXLo(r: number): number {
    return this.xlo[r];
  }
  getXHi(r: number): number {
    return this.xhi[r];
  }
  setXHalves(r: number, lo: number, hi: number): void {
    if (r === 0) return;
    this.xlo[r] = lo;
    this.xhi[r] = hi;
  }
  /** Raw bits of f register r as lo/hi halves (signal frames). */
  getFLo(r: number): number {
    return this.fp.bits[2 * r];
  }
  getFHi(r: number): number {
    return this.fp.bits[2 * r + 1];
  }
  setFHalves(r: number, lo: number, hi: number): void {
    this.fp.bits[2 * r] = lo;
    this.fp.bits[2 * r + 1] = hi;
  }
  get fcsr(): number {
    return this.fp.fcsr;
  }
  set fcsr(v: number) {
    this.fp.fcsr = v;
  }

  /** A copy of the register state (fork); shares the timer, runs in `space`. */
  clone(space: AddressSpace = this.spaceRef): Hart {
    // A thread (same address space) shares the decoded pages; a fork child decodes its own.
    const shared = space === this.spaceRef ? this.decoded : undefined;
    if (shared) shared.users++;
    const h = new Hart(space, this.timer, shared);
    h.xlo.set(this.xlo);
    h.xhi.set(this.xhi);
    h.fp.copyFrom(this.fp);
    h.pc = this.pc;
    h.instret = this.instret;
    h.jit = this.jit;
    h.jitThreshold = this.jitThreshold;
    return h;
  }

  /** The hart is done (its thread exited): its share of the decoded pages goes. */
  release(): void {
    this.decoded.drop();
    this.decoded = new DecodedCache(null);
  }

  /** Drops every decoded instruction (fence.i, or the kernel after writing code). */
  flushDecoded(): void {
    this.decoded.clear();
    this.codeEpoch++;
  }

  // ---- execution ----------------------------------------------------------------------------

  /**
   * Runs until an ecall, a fault, the timer deadline, or `budget` retired
   * instructions. The stopping instruction's pc is left in `pc`.
   */
  run(budget: number): StopReason {
    const space = this.spaceRef;
    if (space.generation !== this.seenGeneration) this.flushTlbs();
    // A trap return clears the reservation (Linux does an SC on exception return).
    this.reservation = -1;
    const timer = this.timer;
    let limit = budget;
    let stopForTimer = false;
    const toDeadline = timer.mtimecmp - timer.mtime;
    if (toDeadline <= limit) {
      limit = toDeadline;
      stopForTimer = true;
    }
    const xlo = this.xlo, xhi = this.xhi, fbits = this.fp.bits;
    const readTag = this.readTag, readView = this.readView, writeTag = this.writeTag, writeView = this.writeView;
    let pc = this.pc;
    let n = 0; // instructions retired in this call
    let page: DecodedPage | null = null;
    let d = NO_SLOTS;
    let base = -PAGE_SIZE * 2; // address of the page `d` decodes
    let stop: StopReason = stopForTimer ? STOP_TIMER : STOP_BUDGET;
    const jit = this.jit;
    let epoch = this.codeEpoch;
    // true where a block may start: after a branch or jump, a block's exit, the start of the run
    let head = true;

    run: while (n < limit) {
      let off = pc - base;
      if (off < 0 || off >= PAGE_SIZE) {
        page = this.fetchPage(pc);
        if (page === null) { stop = fault('SIGSEGV', pc, Cause.INSTRUCTION_PAGE_FAULT); break run; }
        d = page.slots;
        base = page.vpn * PAGE_SIZE;
        off = pc - base;
      }
      if (head) {
        head = false;
        if (jit) {
          const b = page!.blocks![off >> 1];
          if (b !== undefined && b !== null) {
            // Only a block that fits the budget: the tail of the quantum is interpreted.
            if (b.len <= limit - n) {
              pc = b.fn(this, xlo, xhi, fbits, readTag, readView, writeTag, writeView, limit - n);
              n += this.blockRetired;
              if (this.blockEcall) {
                this.blockEcall = false;
                stop = STOP_ECALL;
                break run;
              }
              head = !this.blockBailed;
              if (this.codeEpoch !== epoch) { epoch = this.codeEpoch; base = -PAGE_SIZE * 2; }
              continue;
            }
          } else if (b === null) head = true; // an instruction blocks leave to the interpreter: a block may start after it
          else if (this.warm(page!, off)) { head = true; continue; }
          else head = page!.blocks![off >> 1] === null; // just found untranslatable: the same
        }
      }
      const i = off << 2; // (off / 2) halfword slots of SLOT_WORDS (8) words
      let op = d[i];
      if (op === 0) {
        const failAt = this.decodeAt(page!, off);
        if (failAt >= 0) { stop = fault('SIGSEGV', failAt, Cause.INSTRUCTION_PAGE_FAULT); break run; }
        op = d[i];
      }
      const rd = d[i + 1], rs1 = d[i + 2], rs2 = d[i + 3], imm = d[i + 4];
      switch (op) {
        case 1: // LUI
          xlo[rd] = imm; xhi[rd] = imm >> 31;
          break;
        case 2: { // AUIPC
          const v = pc + imm;
          xlo[rd] = v | 0; xhi[rd] = Math.floor(v / TWO32) | 0;
          break;
        }
        case 3: { // JAL
          const link = pc + d[i + 7];
          xlo[rd] = link | 0; xhi[rd] = Math.floor(link / TWO32) | 0;
          pc += imm; n++; head = true;
          continue;
        }
        case 4: { // JALR
          const al = xlo[rs1];
          const lo = (al + imm) | 0;
          const hi = (xhi[rs1] + (imm >> 31) + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
          const link = pc + d[i + 7];
          xlo[rd] = link | 0; xhi[rd] = Math.floor(link / TWO32) | 0;
          // keep pc a small integer in the common case (V8 then avoids float arithmetic)
          pc = hi === 0 && lo >= 0 ? lo & -2 : hi * TWO32 + ((lo & -2) >>> 0); n++; head = true;
          continue;
        }
        case 5: // BEQ
          if (xlo[rs1] === xlo[rs2] && xhi[rs1] === xhi[rs2]) { pc += imm; n++; head = true; continue; }
          head = true;
          break;
        case 6: // BNE
          if (xlo[rs1] !== xlo[rs2] || xhi[rs1] !== xhi[rs2]) { pc += imm; n++; head = true; continue; }
          head = true;
          break;
        case 7: { // BLT
          const ah = xhi[rs1], bh = xhi[rs2];
          if (ah < bh || (ah === bh && (xlo[rs1] >>> 0) < (xlo[rs2] >>> 0))) { pc += imm; n++; head = true; continue; }
          head = true;
          break;
        }
        case 8: { // BGE
          const ah = xhi[rs1], bh = xhi[rs2];
          if (!(ah < bh || (ah === bh && (xlo[rs1] >>> 0) < (xlo[rs2] >>> 0)))) { pc += imm; n++; head = true; continue; }
          head = true;
          break;
        }
        case 9: { // BLTU
          const ah = xhi[rs1] >>> 0, bh = xhi[rs2] >>> 0;
          if (ah < bh || (ah === bh && (xlo[rs1] >>> 0) < (xlo[rs2] >>> 0))) { pc += imm; n++; head = true; continue; }
          head = true;
          break;
        }
        case 10: { // BGEU
          const ah = xhi[rs1] >>> 0, bh = xhi[rs2] >>> 0;
          if (!(ah < bh || (ah === bh && (xlo[rs1] >>> 0) < (xlo[rs2] >>> 0)))) { pc += imm; n++; head = true; continue; }
          head = true;
          break;
        }
        case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 70: case 71: { // LB LH LW LD LBU LHU LWU FLW FLD
          const al = xlo[rs1];
          const lo = (al + imm) | 0;
          const hi = (xhi[rs1] + (imm >> 31) + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
          const size = op === 11 || op === 15 ? 1 : op === 12 || op === 16 ? 2 : op === 14 || op === 71 ? 8 : 4;
          let vlo: number, vhi: number;
          const vpn = (hi << 20) | (lo >>> 12);
          const off2 = lo & 4095;
          if (hi >>> 0 < 64 && readTag[vpn & 255] === vpn && off2 <= 4096 - size) {
            const dv = readView[vpn & 255];
            switch (size) {
              case 1: vlo = dv.getUint8(off2); vhi = 0; break;
              case 2: vlo = dv.getUint16(off2, true); vhi = 0; break;
              case 4: vlo = dv.getInt32(off2, true); vhi = 0; break;
              default: vlo = dv.getInt32(off2, true); vhi = dv.getInt32(off2 + 4, true);
            }
          } else {
            if (!this.loadSlow(lo, hi, size)) { stop = fault('SIGSEGV', hi * TWO32 + (lo >>> 0), Cause.LOAD_PAGE_FAULT); break run; }
            vlo = this.loadLo; vhi = this.loadHi;
          }
          switch (op) {
            case 11: xlo[rd] = (vlo << 24) >> 24; xhi[rd] = xlo[rd] >> 31; break;
            case 12: xlo[rd] = (vlo << 16) >> 16; xhi[rd] = xlo[rd] >> 31; break;
            case 13: xlo[rd] = vlo; xhi[rd] = vlo >> 31; break;
            case 14: xlo[rd] = vlo; xhi[rd] = vhi; break;
            case 70: fbits[2 * rd] = vlo; fbits[2 * rd + 1] = -1; break; // NaN-box (spec 12.2)
            case 71: fbits[2 * rd] = vlo; fbits[2 * rd + 1] = vhi; break;
            default: xlo[rd] = vlo; xhi[rd] = 0; // LBU LHU LWU
          }
          break;
        }
        case 18: case 19: case 20: case 21: case 72: case 73: { // SB SH SW SD FSW FSD
          const al = xlo[rs1];
          const lo = (al + imm) | 0;
          const hi = (xhi[rs1] + (imm >> 31) + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
          const size = op === 18 ? 1 : op === 19 ? 2 : op === 21 || op === 73 ? 8 : 4;
          const isFp = op >= 72;
          const vlo = isFp ? fbits[2 * rs2] : xlo[rs2];
          const vhi = isFp ? fbits[2 * rs2 + 1] : xhi[rs2];
          const vpn = (hi << 20) | (lo >>> 12);
          const off2 = lo & 4095;
          if (hi >>> 0 < 64 && writeTag[vpn & 255] === vpn && off2 <= 4096 - size) {
            const dv = writeView[vpn & 255];
            switch (size) {
              case 1: dv.setInt8(off2, vlo); break;
              case 2: dv.setInt16(off2, vlo, true); break;
              case 4: dv.setInt32(off2, vlo, true); break;
              default: dv.setInt32(off2, vlo, true); dv.setInt32(off2 + 4, vhi, true);
            }
          } else {
            if (!this.storeSlow(lo, hi, size, vlo, vhi)) { stop = fault('SIGSEGV', hi * TWO32 + (lo >>> 0), Cause.STORE_PAGE_FAULT); break run; }
            base = -PAGE_SIZE * 2; // the store may have dropped decoded code: re-fetch
          }
          break;
        }
        case 22: { // ADDI
          const al = xlo[rs1];
          const lo = (al + imm) | 0;
          xhi[rd] = (xhi[rs1] + (imm >> 31) + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
          xlo[rd] = lo;
          break;
        }
        case 23: { // SLTI
          const ah = xhi[rs1], bh = imm >> 31;
          xlo[rd] = ah < bh || (ah === bh && (xlo[rs1] >>> 0) < (imm >>> 0)) ? 1 : 0; xhi[rd] = 0;
          break;
        }
        case 24: { // SLTIU
          const ah = xhi[rs1] >>> 0, bh = (imm >> 31) >>> 0;
          xlo[rd] = ah < bh || (ah === bh && (xlo[rs1] >>> 0) < (imm >>> 0)) ? 1 : 0; xhi[rd] = 0;
          break;
        }
        case 25: xhi[rd] = xhi[rs1] ^ (imm >> 31); xlo[rd] = xlo[rs1] ^ imm; break; // XORI
        case 26: xhi[rd] = xhi[rs1] | (imm >> 31); xlo[rd] = xlo[rs1] | imm; break; // ORI
        case 27: xhi[rd] = xhi[rs1] & (imm >> 31); xlo[rd] = xlo[rs1] & imm; break; // ANDI
        case 74: { const lo = xlo[rs1]; xhi[rd] = (xhi[rs1] << imm) | (lo >>> (32 - imm)); xlo[rd] = lo << imm; break; } // SLLI_LT32
        case 75: xhi[rd] = xlo[rs1] << (imm - 32); xlo[rd] = 0; break; // SLLI_GE32
        case 76: { const hi = xhi[rs1]; xlo[rd] = (xlo[rs1] >>> imm) | (hi << (32 - imm)); xhi[rd] = hi >>> imm; break; } // SRLI_LT32
        case 77: xlo[rd] = xhi[rs1] >>> (imm - 32); xhi[rd] = 0; break; // SRLI_GE32
        case 78: { const hi = xhi[rs1]; xlo[rd] = (xlo[rs1] >>> imm) | (hi << (32 - imm)); xhi[rd] = hi >> imm; break; } // SRAI_LT32
        case 79: { const hi = xhi[rs1]; xlo[rd] = hi >> (imm - 32); xhi[rd] = hi >> 31; break; } // SRAI_GE32
        case 31: { // ADD
          const al = xlo[rs1];
          const lo = (al + xlo[rs2]) | 0;
          xhi[rd] = (xhi[rs1] + xhi[rs2] + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
          xlo[rd] = lo;
          break;
        }
        case 32: { // SUB
          const al = xlo[rs1], bl = xlo[rs2];
          xhi[rd] = (xhi[rs1] - xhi[rs2] - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
          xlo[rd] = (al - bl) | 0;
          break;
        }
        case 33: this.shiftLeft(rd, xlo[rs1], xhi[rs1], xlo[rs2] & 63); break; // SLL
        case 34: { // SLT
          const ah = xhi[rs1], bh = xhi[rs2];
          xlo[rd] = ah < bh || (ah === bh && (xlo[rs1] >>> 0) < (xlo[rs2] >>> 0)) ? 1 : 0; xhi[rd] = 0;
          break;
        }
        case 35: { // SLTU
          const ah = xhi[rs1] >>> 0, bh = xhi[rs2] >>> 0;
          xlo[rd] = ah < bh || (ah === bh && (xlo[rs1] >>> 0) < (xlo[rs2] >>> 0)) ? 1 : 0; xhi[rd] = 0;
          break;
        }
        case 36: xhi[rd] = xhi[rs1] ^ xhi[rs2]; xlo[rd] = xlo[rs1] ^ xlo[rs2]; break; // XOR
        case 37: this.shiftRight(rd, xlo[rs1], xhi[rs1], xlo[rs2] & 63, false); break; // SRL
        case 38: this.shiftRight(rd, xlo[rs1], xhi[rs1], xlo[rs2] & 63, true); break; // SRA
        case 39: xhi[rd] = xhi[rs1] | xhi[rs2]; xlo[rd] = xlo[rs1] | xlo[rs2]; break; // OR
        case 40: xhi[rd] = xhi[rs1] & xhi[rs2]; xlo[rd] = xlo[rs1] & xlo[rs2]; break; // AND
        case 41: { const v = (xlo[rs1] + imm) | 0; xlo[rd] = v; xhi[rd] = v >> 31; break; } // ADDIW
        case 42: { const v = xlo[rs1] << imm; xlo[rd] = v; xhi[rd] = v >> 31; break; } // SLLIW
        case 43: { const v = (xlo[rs1] >>> imm) | 0; xlo[rd] = v; xhi[rd] = v >> 31; break; } // SRLIW
        case 44: { const v = xlo[rs1] >> imm; xlo[rd] = v; xhi[rd] = v >> 31; break; } // SRAIW
        case 45: { const v = (xlo[rs1] + xlo[rs2]) | 0; xlo[rd] = v; xhi[rd] = v >> 31; break; } // ADDW
        case 46: { const v = (xlo[rs1] - xlo[rs2]) | 0; xlo[rd] = v; xhi[rd] = v >> 31; break; } // SUBW
        case 47: { const v = xlo[rs1] << (xlo[rs2] & 31); xlo[rd] = v; xhi[rd] = v >> 31; break; } // SLLW
        case 48: { const v = (xlo[rs1] >>> (xlo[rs2] & 31)) | 0; xlo[rd] = v; xhi[rd] = v >> 31; break; } // SRLW
        case 49: { const v = xlo[rs1] >> (xlo[rs2] & 31); xlo[rd] = v; xhi[rd] = v >> 31; break; } // SRAW
        case 50: { const lo = mul64(xlo[rs1], xhi[rs1], xlo[rs2], xhi[rs2]); xlo[rd] = lo; xhi[rd] = i64.hi; break; } // MUL
        case 51: { const lo = mulh64(xlo[rs1], xhi[rs1], true, xlo[rs2], xhi[rs2], true); xlo[rd] = lo; xhi[rd] = i64.hi; break; } // MULH
        case 52: { const lo = mulh64(xlo[rs1], xhi[rs1], true, xlo[rs2], xhi[rs2], false); xlo[rd] = lo; xhi[rd] = i64.hi; break; } // MULHSU
        case 53: { const lo = mulh64(xlo[rs1], xhi[rs1], false, xlo[rs2], xhi[rs2], false); xlo[rd] = lo; xhi[rd] = i64.hi; break; } // MULHU
        case 54: { const lo = divrem64(xlo[rs1], xhi[rs1], xlo[rs2], xhi[rs2], false); xlo[rd] = lo; xhi[rd] = i64.hi; break; } // DIV
        case 55: { const lo = divremu64(xlo[rs1], xhi[rs1], xlo[rs2], xhi[rs2], false); xlo[rd] = lo; xhi[rd] = i64.hi; break; } // DIVU
        case 56: { const lo = divrem64(xlo[rs1], xhi[rs1], xlo[rs2], xhi[rs2], true); xlo[rd] = lo; xhi[rd] = i64.hi; break; } // REM
        case 57: { const lo = divremu64(xlo[rs1], xhi[rs1], xlo[rs2], xhi[rs2], true); xlo[rd] = lo; xhi[rd] = i64.hi; break; } // REMU
        case 58: { const v = Math.imul(xlo[rs1], xlo[rs2]); xlo[rd] = v; xhi[rd] = v >> 31; break; } // MULW
        case 59: { const v = divw(xlo[rs1], xlo[rs2], false); xlo[rd] = v; xhi[rd] = v >> 31; break; } // DIVW
        case 60: { const v = divuw(xlo[rs1], xlo[rs2], false); xlo[rd] = v; xhi[rd] = v >> 31; break; } // DIVUW
        case 61: { const v = divw(xlo[rs1], xlo[rs2], true); xlo[rd] = v; xhi[rd] = v >> 31; break; } // REMW
        case 62: { const v = divuw(xlo[rs1], xlo[rs2], true); xlo[rd] = v; xhi[rd] = v >> 31; break; } // REMUW
        case 63: break; // FENCE: one hart, memory is sequentially consistent already
        case 64: // FENCE_I
          this.decoded.clear();
          this.codeEpoch++; epoch = this.codeEpoch;
          base = -PAGE_SIZE * 2;
          break;
        case 65: // ECALL: retired now; the kernel advances pc past it
          n++;
          stop = STOP_ECALL;
          break run;
        case 66: // EBREAK
          stop = fault('SIGTRAP', pc, Cause.BREAKPOINT);
          break run;
        case 67: // CSR
          if (!this.csr(d[i + 6], rd, rs1, imm & 0xfff, n)) { stop = fault('SIGILL', pc, Cause.ILLEGAL_INSTRUCTION); break run; }
          break;
        case 68: { // AMO
          const f = this.amo(d[i + 6], rd, rs1, rs2);
          if (f !== null) { stop = f; break run; }
          break;
        }
        case 69: // ILLEGAL
          stop = fault('SIGILL', pc, Cause.ILLEGAL_INSTRUCTION);
          break run;
        default: {
          let ok: boolean;
          if (op === 160 || op === 161) ok = this.fp.convert(op === 161, rd, rs1, d[i + 6]);
          else {
            const isD = op >= 120;
            ok = this.fp.exec(op - (isD ? 120 : 80), isD, rd, rs1, rs2, d[i + 5], d[i + 6], xlo, xhi);
          }
          if (!ok) { stop = fault('SIGILL', pc, Cause.ILLEGAL_INSTRUCTION); break run; }
        }
      }
      pc += d[i + 7];
      n++;
    }
    this.pc = pc;
    this.instret += n;
    timer.mtime += n;
    return stop;
  }

  private shiftLeft(rd: number, lo: number, hi: number, s: number): void {
    if (s === 0) { this.xlo[rd] = lo; this.xhi[rd] = hi; }
    else if (s < 32) { this.xhi[rd] = (hi << s) | (lo >>> (32 - s)); this.xlo[rd] = lo << s; }
    else { this.xhi[rd] = lo << (s - 32); this.xlo[rd] = 0; }
  }

  private shiftRight(rd: number, lo: number, hi: number, s: number, arithmetic: boolean): void {
    if (s === 0) { this.xlo[rd] = lo; this.xhi[rd] = hi; }
    else if (s < 32) {
      this.xlo[rd] = (lo >>> s) | (hi << (32 - s));
      this.xhi[rd] = arithmetic ? hi >> s : hi >>> s;
    } else {
      this.xlo[rd] = arithmetic ? hi >> (s - 32) : hi >>> (s - 32);
      this.xhi[rd] = arithmetic ? hi >> 31 : 0;
    }
  }

  // ---- instruction fetch and the decoded-instruction cache ----------------------------------

  private fetchPage(pc: number): DecodedPage | null {
    if (!(pc >= 0 && pc < USER_TOP)) return null;
    const vpn = Math.floor(pc / PAGE_SIZE);
    const space = this.spaceRef;
    const frame = space.pageForExec(vpn);
    if (frame === null) return null;
    let p = this.decoded.get(vpn);
    if (p !== undefined && p.frame === frame && (p.next === null || p.next === space.pageForExec(vpn + 1))) return p;
    p = new DecodedPage(vpn, frame, this.jit);
    this.decoded.set(vpn, p);
    this.evictWrite(vpn);
    return p;
  }

  /**
   * Counts a visit to a block entry at byte `off`; at the threshold,
   * translates the code there. True when a block now starts there.
   */
  private warm(p: DecodedPage, off: number): boolean {
    const slot = off >> 1;
    const heat = p.heat!;
    if (heat[slot] < this.jitThreshold) { heat[slot]++; return false; }
    const base = p.vpn * PAGE_SIZE;
    const b = translate(base + off, (pc) => this.slotForBlock(p, pc - base));
    p.blocks![slot] = b;
    return b !== null;
  }

  /** The decoded slot at byte `off` of the page for the translator, or null past the page (or spanning out of it). */
  private slotForBlock(p: DecodedPage, off: number): { op: number; rd: number; rs1: number; rs2: number; imm: number; rs3: number; aux: number; len: number } | null {
    if (!(off >= 0 && off < PAGE_SIZE)) return null;
    const b = p.frame;
    if (((b[off] | (b[off + 1] << 8)) & 3) === 3 && off > PAGE_SIZE - 4) return null;
    const d = p.slots, i = off << 2;
    if (d[i] === 0) this.decodeAt(p, off);
    const op = this.mutateTranslated === null ? d[i] : this.mutateTranslated(d[i]);
    return { op, rd: d[i + 1], rs1: d[i + 2], rs2: d[i + 3], imm: d[i + 4], rs3: d[i + 5], aux: d[i + 6], len: d[i + 7] };
  }

  /** Decodes the instruction at byte `off` of the page; returns -1, or the address whose fetch faulted. */
  /**
   * Planted-bug seam for the conformance tests: when set, rewrites each
   * freshly decoded slot (slots[slot * SLOT_WORDS] is the op number), so a
   * test can show the differential property finds a wrong instruction.
   * Null in every real run; it costs nothing once an instruction is cached.
   */
  mutateDecoded: ((slots: Int32Array, base: number) => void) | null = null;
  /**
   * The same for the translator alone (an op number in, the op to translate
   * out), so a test can show the both-engines property finds a block that
   * differs from the interpreter. Null in every real run.
   */
  mutateTranslated: ((op: number) => number) | null = null;

  private decodeAt(p: DecodedPage, off: number): number {
    const r = this.decodeInto(p, off);
    if (r < 0 && this.mutateDecoded) this.mutateDecoded(p.slots, (off >> 1) * SLOT_WORDS);
    return r;
  }

  private decodeInto(p: DecodedPage, off: number): number {
    const b = p.frame;
    const low = b[off] | (b[off + 1] << 8);
    const slot = off >> 1;
    if ((low & 3) !== 3) decode16(low, p.slots, slot);
    else if (off <= PAGE_SIZE - 4) decode32(low | (b[off + 2] << 16) | (b[off + 3] << 24), p.slots, slot);
    else {
      // A 32-bit instruction spanning two pages.
      const next = this.spaceRef.pageForExec(p.vpn + 1);
      if (next === null) return (p.vpn + 1) * PAGE_SIZE;
      p.next = next;
      this.evictWrite(p.vpn + 1);
      decode32(low | (next[0] << 16) | (next[1] << 24), p.slots, slot);
    }
    return -1;
  }

  // ---- data memory ----------------------------------------------------------------------------

  private flushTlbs(): void {
    this.readTag.fill(-1);
    this.writeTag.fill(-1);
    this.seenGeneration = this.spaceRef.generation;
  }

  private evictWrite(vpn: number): void {
    if (this.writeTag[vpn & (TLB_SIZE - 1)] === vpn) this.writeTag[vpn & (TLB_SIZE - 1)] = -1;
  }

  private readPage(vpn: number): Uint8Array | null {
    const bytes = this.spaceRef.pageForRead(vpn);
    if (bytes !== null) {
      const t = vpn & (TLB_SIZE - 1);
      this.readTag[t] = vpn;
      this.readView[t] = new DataView(bytes.buffer, bytes.byteOffset, PAGE_SIZE);
    }
    return bytes;
  }

  private writePage(vpn: number): Uint8Array | null {
    const space = this.spaceRef;
    const bytes = space.pageForWrite(vpn);
    if (bytes === null) return null;
    // pageForWrite may have broken copy-on-write, which changes the generation and
    // invalidates read translations of this page.
    if (space.generation !== this.seenGeneration) this.flushTlbs();
    const t = vpn & (TLB_SIZE - 1);
    this.writeTag[t] = vpn;
    this.writeView[t] = new DataView(bytes.buffer, bytes.byteOffset, PAGE_SIZE);
    // pageForWrite dropped the code decoded from this page (and an instruction
    // spanning into it) through the cache's watch; the running block must look again.
    this.codeEpoch++;
    return bytes;
  }

  /** Load of `size` bytes at (lo, hi), any alignment, byte by byte; false on a fault. */
  /** @internal (translated blocks call it) */
  loadSlow(lo: number, hi: number, size: number): boolean {
    const addr = hi * TWO32 + (lo >>> 0);
    if (!(addr >= 0 && addr + size <= USER_TOP)) return false;
    let vlo = 0, vhi = 0;
    const bytes: number[] = [];
    for (let k = 0; k < size; k++) {
      const a = addr + k;
      const page = this.readPage(Math.floor(a / PAGE_SIZE));
      if (page === null) return false;
      bytes.push(page[a % PAGE_SIZE]);
    }
    for (let k = 0; k < size; k++) {
      if (k < 4) vlo |= bytes[k] << (8 * k);
      else vhi |= bytes[k] << (8 * (k - 4));
    }
    this.loadLo = vlo;
    this.loadHi = vhi;
    return true;
  }

  /** Store of `size` bytes at (lo, hi), any alignment; nothing is written on a fault. */
  /** @internal (translated blocks call it) */
  storeSlow(lo: number, hi: number, size: number, vlo: number, vhi: number): boolean {
    const addr = hi * TWO32 + (lo >>> 0);
    if (!(addr >= 0 && addr + size <= USER_TOP)) return false;
    const first = Math.floor(addr / PAGE_SIZE), last = Math.floor((addr + size - 1) / PAGE_SIZE);
    const pages: Uint8Array[] = [];
    for (let vpn = first; vpn <= last; vpn++) {
      const p = this.writePage(vpn);
      if (p === null) return false;
      pages.push(p);
    }
    for (let k = 0; k < size; k++) {
      const a = addr + k;
      const byte = k < 4 ? vlo >>> (8 * k) : vhi >>> (8 * (k - 4));
      pages[Math.floor(a / PAGE_SIZE) - first][a % PAGE_SIZE] = byte & 0xff;
    }
    return true;
  }

  // ---- A extension ------------------------------------------------------------------------------

  /** LR/SC/AMO; aux = AmoOp | (doubleword << 4). Returns a fault or null. */
  private amo(aux: number, rd: number, rs1: number, rs2: number): StopReason | null {
    const op = aux & 15, size = aux & 16 ? 8 : 4;
    const lo = this.xlo[rs1], hi = this.xhi[rs1];
    const addr = hi * TWO32 + (lo >>> 0);
    // Atomics must be naturally aligned; Linux delivers SIGBUS (BUS_ADRALN).
    if ((lo & (size - 1)) !== 0) {
      return fault('SIGBUS', addr, op === AmoOp.LR ? Cause.LOAD_MISALIGNED : Cause.STORE_MISALIGNED);
    }
    if (!(addr >= 0 && addr < USER_TOP)) return fault('SIGSEGV', addr, op === AmoOp.LR ? Cause.LOAD_PAGE_FAULT : Cause.STORE_PAGE_FAULT);
    const vpn = Math.floor(addr / PAGE_SIZE), off = addr % PAGE_SIZE;
    if (op === AmoOp.LR) {
      const page = this.readPage(vpn);
      if (page === null) return fault('SIGSEGV', addr, Cause.LOAD_PAGE_FAULT);
      const dv = new DataView(page.buffer, page.byteOffset, PAGE_SIZE);
      const v = dv.getInt32(off, true);
      this.setXHalves(rd, v, size === 8 ? dv.getInt32(off + 4, true) : v >> 31);
      this.reservation = addr;
      this.reservationSize = size;
      return null;
    }
    if (op === AmoOp.SC) {
      const ok = this.reservation === addr && this.reservationSize === size;
      this.reservation = -1;
      if (!ok) { this.setXHalves(rd, 1, 0); return null; }
      const page = this.writePage(vpn);
      if (page === null) return fault('SIGSEGV', addr, Cause.STORE_PAGE_FAULT);
      const dv = new DataView(page.buffer, page.byteOffset, PAGE_SIZE);
      dv.setInt32(off, this.xlo[rs2], true);
      if (size === 8) dv.setInt32(off + 4, this.xhi[rs2], true);
      this.setXHalves(rd, 0, 0);
      return null;
    }
    const page = this.writePage(vpn);
    if (page === null) return fault('SIGSEGV', addr, Cause.STORE_PAGE_FAULT);
    const dv = new DataView(page.buffer, page.byteOffset, PAGE_SIZE);
    const olo = dv.getInt32(off, true);
    const ohi = size === 8 ? dv.getInt32(off + 4, true) : olo >> 31;
    const blo = this.xlo[rs2];
    const bhi = size === 8 ? this.xhi[rs2] : blo >> 31;
    let nlo: number, nhi: number;
    switch (op) {
      case AmoOp.SWAP: nlo = blo; nhi = bhi; break;
      case AmoOp.ADD: {
        nlo = (olo + blo) | 0;
        nhi = (ohi + bhi + ((nlo >>> 0) < (olo >>> 0) ? 1 : 0)) | 0;
        break;
      }
      case AmoOp.XOR: nlo = olo ^ blo; nhi = ohi ^ bhi; break;
      case AmoOp.AND: nlo = olo & blo; nhi = ohi & bhi; break;
      case AmoOp.OR: nlo = olo | blo; nhi = ohi | bhi; break;
      default: {
        const signed = op === AmoOp.MIN || op === AmoOp.MAX;
        const ah = signed ? ohi : ohi >>> 0, bh = signed ? bhi : bhi >>> 0;
        const less = ah < bh || (ah === bh && (olo >>> 0) < (blo >>> 0));
        const takeOld = op === AmoOp.MIN || op === AmoOp.MINU ? less : !less;
        nlo = takeOld ? olo : blo; nhi = takeOld ? ohi : bhi;
      }
    }
    dv.setInt32(off, nlo, true);
    if (size === 8) dv.setInt32(off + 4, nhi, true);
    this.setXHalves(rd, olo, ohi);
    return null;
  }

  // ---- Zicsr ---------------------------------------------------------------------------------

  /** Executes a CSR instruction; false when illegal (unknown CSR, or a write to a read-only one). */
  private csr(funct3: number, rd: number, rs1: number, csr: number, retiredThisRun: number): boolean {
    const immediate = funct3 >= 5;
    const src = immediate ? rs1 : this.xlo[rs1]; // CSR values here fit in 32 bits
    const kind = funct3 & 3; // 1 = write, 2 = set, 3 = clear
    // csrrs/csrrc with x0 (or uimm 0) do not write (spec 9.1), so counters stay readable.
    const writes = kind === 1 || rs1 !== 0;
    let lo: number, hi: number;
    switch (csr) {
      case CSR_FFLAGS: lo = this.fp.fflags; hi = 0; break;
      case CSR_FRM: lo = this.fp.frm; hi = 0; break;
      case CSR_FCSR: lo = this.fp.fcsr; hi = 0; break;
      case CSR_CYCLE: case CSR_TIME: case CSR_INSTRET: {
        if (writes) return false;
        const v = csr === CSR_INSTRET ? this.instret + retiredThisRun : this.timer.mtime + retiredThisRun;
        lo = v | 0; hi = Math.floor(v / TWO32) | 0;
        break;
      }
      default: return false;
    }
    if (writes) {
      const nv = kind === 1 ? src : kind === 2 ? lo | src : lo & ~src;
      if (csr === CSR_FFLAGS) this.fp.fflags = nv & 31;
      else if (csr === CSR_FRM) this.fp.frm = nv & 7;
      else this.fp.fcsr = nv & 0xff;
    }
    this.xlo[rd] = lo;
    this.xhi[rd] = hi;
    return true;
  }
}

