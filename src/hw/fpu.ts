// The F and D extensions: 32 floating-point registers of 64 bits, fcsr, and
// execution of every FP operation except loads and stores (which the hart
// does inline).
//
// Registers are raw bits in an Int32Array (lo word at 2r, hi word at 2r+1)
// aliased by Float64Array/Float32Array views, so that NaN payloads and
// NaN-boxing survive exactly. A single is "properly NaN-boxed" when the hi
// word is all ones; any other value reads as the canonical NaN (spec 12.2).
//
// Fast path: with round-to-nearest-even, inexact already raised, and a
// finite result clear of the subnormal range, the host's double arithmetic
// gives the exact RISC-V result and no new flag; everything else goes
// through softfloat.ts.

import { FpOp } from './ops.ts';
import * as sf from './softfloat.ts';
import { fromBig, result as i64, toBigSigned, toBigUnsigned } from './int64.ts';

const MIN_NORMAL_D = 2 ** -1022;
const MIN_NORMAL_S = 2 ** -126;
const CANONICAL_NAN_S = 0x7fc00000;
const TWO32 = 4294967296;
const TWO53 = 9007199254740992;

export class FpRegs {
  readonly buffer = new ArrayBuffer(32 * 8);
  readonly bits = new Int32Array(this.buffer);
  readonly f64 = new Float64Array(this.buffer);
  readonly f32 = new Float32Array(this.buffer);
  /** Accrued exception flags (fcsr bits 4:0). */
  fflags = 0;
  /** Dynamic rounding mode (fcsr bits 7:5). */
  frm = 0;

  get fcsr(): number {
    return (this.frm << 5) | this.fflags;
  }
  set fcsr(v: number) {
    this.fflags = v & 31;
    this.frm = (v >>> 5) & 7;
  }

  copyFrom(o: FpRegs): void {
    this.bits.set(o.bits);
    this.fflags = o.fflags;
    this.frm = o.frm;
  }

  /** Raw bits of a single operand after NaN-unboxing. */
  single(r: number): number {
    return this.bits[2 * r + 1] === -1 ? this.bits[2 * r] : CANONICAL_NAN_S;
  }
  setSingle(r: number, bits: number): void {
    this.bits[2 * r] = bits;
    this.bits[2 * r + 1] = -1;
  }
  private raw(r: number, d: boolean): bigint {
    return d ? toBigUnsigned(this.bits[2 * r], this.bits[2 * r + 1]) : BigInt(this.single(r) >>> 0);
  }
  private setRaw(r: number, d: boolean, v: bigint): void {
    if (d) {
      this.bits[2 * r] = Number(BigInt.asIntN(32, v));
      this.bits[2 * r + 1] = Number(BigInt.asIntN(32, v >> 32n));
    } else this.setSingle(r, Number(BigInt.asIntN(32, v)));
  }
  private unpacked(r: number, d: boolean): sf.Unpacked {
    return sf.unpack(this.raw(r, d), d ? sf.F64 : sf.F32);
  }

  /**
   * Executes FP operation k (FpOp) of width d on the given registers;
   * integer sources/destinations use xlo/xhi (rd 0 discards). Returns false
   * when the instruction is illegal (reserved dynamic rounding mode).
   */
  exec(k: number, d: boolean, rd: number, rs1: number, rs2: number, rs3: number, rmField: number, xlo: Int32Array, xhi: Int32Array): boolean {
    const rm = rmField === 7 ? this.frm : rmField;
    const f = d ? sf.F64 : sf.F32;
    switch (k) {
      case FpOp.ADD: case FpOp.SUB: case FpOp.MUL: case FpOp.DIV: case FpOp.SQRT: {
        if (rm > 4) return false;
        if (rm === sf.RNE && this.fflags & sf.NX && this.fastArith(k, d, rd, rs1, rs2)) return true;
        const a = this.unpacked(rs1, d);
        sf.fpFlags.value = 0;
        let out: bigint;
        if (k === FpOp.SQRT) out = sf.sqrt(a, f, rm);
        else {
          const b = this.unpacked(rs2, d);
          if (k === FpOp.ADD) out = sf.add(a, b, f, rm);
          else if (k === FpOp.SUB) out = sf.add(a, sf.negate(b), f, rm);
          else if (k === FpOp.MUL) out = sf.mul(a, b, f, rm);
          else out = sf.div(a, b, f, rm);
        }
        this.setRaw(rd, d, out);
        this.fflags |= sf.fpFlags.value;
        return true;
      }
      case FpOp.MADD: case FpOp.MSUB: case FpOp.NMSUB: case FpOp.NMADD: {
        if (rm > 4) return false;
        let a = this.unpacked(rs1, d);
        let c = this.unpacked(rs3, d);
        if (k === FpOp.NMSUB || k === FpOp.NMADD) a = sf.negate(a);
        if (k === FpOp.MSUB || k === FpOp.NMADD) c = sf.negate(c);
        sf.fpFlags.value = 0;
        this.setRaw(rd, d, sf.fma(a, this.unpacked(rs2, d), c, f, rm));
        this.fflags |= sf.fpFlags.value;
        return true;
      }
      case FpOp.SGNJ: case FpOp.SGNJN: case FpOp.SGNJX: {
        const hiA = d ? this.bits[2 * rs1 + 1] : this.single(rs1);
        const hiB = d ? this.bits[2 * rs2 + 1] : this.single(rs2);
        let sign = hiB & 0x80000000;
        if (k === FpOp.SGNJN) sign ^= 0x80000000;
        else if (k === FpOp.SGNJX) sign = (hiA ^ hiB) & 0x80000000;
        const v = (hiA & 0x7fffffff) | sign;
        if (d) { this.bits[2 * rd] = this.bits[2 * rs1]; this.bits[2 * rd + 1] = v; } else this.setSingle(rd, v);
        return true;
      }
      case FpOp.MIN: case FpOp.MAX: {
        const a = this.unpacked(rs1, d), b = this.unpacked(rs2, d);
        if (a.cls === sf.SNAN || b.cls === sf.SNAN) this.fflags |= sf.NV;
        const aNaN = a.cls >= sf.QNAN, bNaN = b.cls >= sf.QNAN;
        if (aNaN && bNaN) { this.setRaw(rd, d, f.canonicalNaN); return true; }
        let pickA: boolean;
        if (aNaN) pickA = false;
        else if (bNaN) pickA = true;
        else {
          const x = this.value(rs1, d), y = this.value(rs2, d);
          // -0 is less than +0 here (spec 11.6, version 2.2 semantics)
          if (x === y) pickA = k === FpOp.MIN ? a.sign === 1 : a.sign === 0;
          else pickA = k === FpOp.MIN ? x < y : x > y;
        }
        this.setRaw(rd, d, this.raw(pickA ? rs1 : rs2, d));
        return true;
      }
      case FpOp.EQ: case FpOp.LT: case FpOp.LE: {
        const a = this.unpacked(rs1, d), b = this.unpacked(rs2, d);
        let v = 0;
        if (a.cls >= sf.QNAN || b.cls >= sf.QNAN) {
          // feq is a quiet comparison; flt/fle signal on any NaN.
          if (k !== FpOp.EQ || a.cls === sf.SNAN || b.cls === sf.SNAN) this.fflags |= sf.NV;
        } else {
          const x = this.value(rs1, d), y = this.value(rs2, d);
          v = (k === FpOp.EQ ? x === y : k === FpOp.LT ? x < y : x <= y) ? 1 : 0;
        }
        setX(xlo, xhi, rd, v, 0);
        return true;
      }
      case FpOp.CLASS: {
        const a = this.unpacked(rs1, d);
        let bit: number;
        switch (a.cls) {
          case sf.INF: bit = a.sign ? 0 : 7; break;
          case sf.ZERO: bit = a.sign ? 3 : 4; break;
          case sf.SNAN: bit = 8; break;
          case sf.QNAN: bit = 9; break;
          default: {
            const subnormal = a.m >> BigInt(f.fracBits) === 0n;
            bit = a.sign ? (subnormal ? 2 : 1) : (subnormal ? 5 : 6);
          }
        }
        setX(xlo, xhi, rd, 1 << bit, 0);
        return true;
      }
      case FpOp.MV_X_F:
        // Moves raw bits, no unboxing (spec 11.7 / 12.2).
        if (d) setX(xlo, xhi, rd, this.bits[2 * rs1], this.bits[2 * rs1 + 1]);
        else setX(xlo, xhi, rd, this.bits[2 * rs1], this.bits[2 * rs1] >> 31);
        return true;
      case FpOp.MV_F_X:
        if (d) { this.bits[2 * rd] = xlo[rs1]; this.bits[2 * rd + 1] = xhi[rs1]; } else this.setSingle(rd, xlo[rs1]);
        return true;
      case FpOp.CVT_W: case FpOp.CVT_WU: case FpOp.CVT_L: case FpOp.CVT_LU: {
        if (rm > 4) return false;
        if (rm === sf.RTZ && this.fastToInt(k, d, rd, rs1, xlo, xhi)) return true;
        const target = [sf.W, sf.WU, sf.L, sf.LU][k - FpOp.CVT_W];
        sf.fpFlags.value = 0;
        const v = sf.toInt(this.unpacked(rs1, d), target, rm);
        this.fflags |= sf.fpFlags.value;
        // 32-bit results are sign-extended, even for wu (spec 11.7)
        const lo = fromBig(v);
        setX(xlo, xhi, rd, lo, k <= FpOp.CVT_WU ? lo >> 31 : i64.hi);
        return true;
      }
      case FpOp.CVT_FROM_W: case FpOp.CVT_FROM_WU: case FpOp.CVT_FROM_L: case FpOp.CVT_FROM_LU: {
        if (rm > 4) return false;
        const lo = xlo[rs1], hi = xhi[rs1];
        let v: number;
        if (k === FpOp.CVT_FROM_W) v = lo;
        else if (k === FpOp.CVT_FROM_WU) v = lo >>> 0;
        else if (k === FpOp.CVT_FROM_L) v = hi * TWO32 + (lo >>> 0);
        else v = (hi >>> 0) * TWO32 + (lo >>> 0);
        if (v > -TWO53 && v < TWO53) {
          // exact integer in a double: one host rounding is the right one for RNE
          if (d) { this.f64[rd] = v; return true; }
          const r = Math.fround(v);
          if (r === v) { this.f32[2 * rd] = v; this.bits[2 * rd + 1] = -1; return true; }
          if (rm === sf.RNE) { this.f32[2 * rd] = r; this.bits[2 * rd + 1] = -1; this.fflags |= sf.NX; return true; }
        }
        let big: bigint;
        if (k === FpOp.CVT_FROM_W) big = BigInt(lo);
        else if (k === FpOp.CVT_FROM_WU) big = BigInt(lo >>> 0);
        else if (k === FpOp.CVT_FROM_L) big = toBigSigned(lo, hi);
        else big = toBigUnsigned(lo, hi);
        sf.fpFlags.value = 0;
        this.setRaw(rd, d, sf.fromInt(big, f, rm));
        this.fflags |= sf.fpFlags.value;
        return true;
      }
    }
    return false;
  }

  /** fcvt.s.d (toDouble false) and fcvt.d.s (toDouble true). */
  convert(toDouble: boolean, rd: number, rs1: number, rmField: number): boolean {
    const rm = rmField === 7 ? this.frm : rmField;
    if (rm > 4) return false;
    if (toDouble) {
      // single -> double is exact; only NaNs need softfloat (canonical NaN, NV for sNaN)
      const x = this.f32[2 * rs1];
      if (this.bits[2 * rs1 + 1] === -1 && x === x) {
        this.f64[rd] = x;
        return true;
      }
    } else if (rm === sf.RNE) {
      const x = this.f64[rs1];
      const r = Math.fround(x);
      if (Math.abs(r) > MIN_NORMAL_S && Math.abs(r) !== Infinity) {
        if (r !== x) this.fflags |= sf.NX;
        this.setSingleNumber(rd, r);
        return true;
      }
    }
    sf.fpFlags.value = 0;
    const from = toDouble ? sf.F32 : sf.F64, to = toDouble ? sf.F64 : sf.F32;
    this.setRaw(rd, toDouble, sf.convert(sf.unpack(this.raw(rs1, !toDouble), from), to, rm));
    this.fflags |= sf.fpFlags.value;
    return true;
  }

  /** Numeric value of a non-NaN operand. */
  private value(r: number, d: boolean): number {
    return d ? this.f64[r] : this.f32[2 * r];
  }

  private setSingleNumber(r: number, v: number): void {
    this.f32[2 * r] = v;
    this.bits[2 * r + 1] = -1;
  }

  private fastArith(k: number, d: boolean, rd: number, rs1: number, rs2: number): boolean {
    let r: number;
    if (d) {
      const a = this.f64[rs1], b = this.f64[rs2];
      r = k === FpOp.ADD ? a + b : k === FpOp.SUB ? a - b : k === FpOp.MUL ? a * b : k === FpOp.DIV ? a / b : Math.sqrt(a);
      // NaN fails both comparisons; finite normal results need no new flag
      if (!(Math.abs(r) > MIN_NORMAL_D && Math.abs(r) < Infinity)) return false;
      this.f64[rd] = r;
      return true;
    }
    if (this.bits[2 * rs1 + 1] !== -1 || (k !== FpOp.SQRT && this.bits[2 * rs2 + 1] !== -1)) return false;
    const a = this.f32[2 * rs1], b = this.f32[2 * rs2];
    // Computing in double then rounding to single is exact for + - * / sqrt (double has > 2p+2 bits).
    r = Math.fround(k === FpOp.ADD ? a + b : k === FpOp.SUB ? a - b : k === FpOp.MUL ? a * b : k === FpOp.DIV ? a / b : Math.sqrt(a));
    if (!(Math.abs(r) > MIN_NORMAL_S && Math.abs(r) < Infinity)) return false;
    this.setSingleNumber(rd, r);
    return true;
  }

  /** Round-toward-zero conversion to integer when the result is in range (C casts). */
  private fastToInt(k: number, d: boolean, rd: number, rs1: number, xlo: Int32Array, xhi: Int32Array): boolean {
    if (!d && this.bits[2 * rs1 + 1] !== -1) return false;
    const x = d ? this.f64[rs1] : this.f32[2 * rs1];
    const t = Math.trunc(x);
    let ok: boolean;
    switch (k) {
      case FpOp.CVT_W: ok = t >= -2147483648 && t <= 2147483647; break;
      case FpOp.CVT_WU: ok = t >= 0 && t <= 4294967295; break;
      case FpOp.CVT_L: ok = t > -TWO53 && t < TWO53; break;
      default: ok = t >= 0 && t < TWO53;
    }
    if (!ok) return false; // also NaN
    if (t !== x) this.fflags |= sf.NX;
    const lo = t | 0;
    setX(xlo, xhi, rd, lo, k <= FpOp.CVT_WU ? lo >> 31 : Math.floor(t / TWO32) | 0);
    return true;
  }
}

function setX(xlo: Int32Array, xhi: Int32Array, rd: number, lo: number, hi: number): void {
  if (rd === 0) return;
  xlo[rd] = lo;
  xhi[rd] = hi;
}

