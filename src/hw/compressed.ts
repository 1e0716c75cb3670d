// Expansion of 16-bit RVC instructions (RV64C, spec chapter 16 "C" Standard
// Extension) straight into decoded slots, with length 2. Reserved encodings
// decode to ILLEGAL; HINT encodings execute as their base instruction (whose
// only effect is on x0, i.e. none).

import { setIllegal, setSlot } from './decode.ts';
import { Op, shiftImmOp, X_SINK } from './ops.ts';

const xd = (r: number): number => (r === 0 ? X_SINK : r);
const bit = (v: number, i: number): number => (v >>> i) & 1;
const bits = (v: number, hi: number, lo: number): number => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
/** Sign-extends the low `n` bits of v. */
const sext = (v: number, n: number): number => (v << (32 - n)) >> (32 - n);

export function decode16(inst: number, d: Int32Array, slot: number): void {
  const put = (op: number, rd: number, rs1: number, rs2: number, imm: number): void =>
    setSlot(d, slot, op, rd, rs1, rs2, imm, 0, 0, 2);
  const ill = (): void => setIllegal(d, slot, inst, 2);
  const quadrant = inst & 3;
  const f3 = inst >>> 13;
  const rdp = 8 + bits(inst, 4, 2); // rd' / rs2'
  const rs1p = 8 + bits(inst, 9, 7); // rs1' / rd'
  const rd = bits(inst, 11, 7);
  const rs2 = bits(inst, 6, 2);
  const imm6 = sext((bit(inst, 12) << 5) | bits(inst, 6, 2), 6);
  // offsets of the CL/CS word and doubleword forms
  const offW = (bits(inst, 12, 10) << 3) | (bit(inst, 6) << 2) | (bit(inst, 5) << 6);
  const offD = (bits(inst, 12, 10) << 3) | (bits(inst, 6, 5) << 6);

  if (quadrant === 0) {
    switch (f3) {
      case 0: {
        const nzuimm = (bits(inst, 12, 11) << 4) | (bits(inst, 10, 7) << 6) | (bit(inst, 6) << 2) | (bit(inst, 5) << 3);
        return nzuimm === 0 ? ill() : put(Op.ADDI, rdp, 2, 0, nzuimm);
      }
      case 1: return put(Op.FLD, rdp, rs1p, 0, offD);
      case 2: return put(Op.LW, rdp, rs1p, 0, offW);
      case 3: return put(Op.LD, rdp, rs1p, 0, offD);
      case 5: return put(Op.FSD, 0, rs1p, rdp, offD);
      case 6: return put(Op.SW, 0, rs1p, rdp, offW);
      case 7: return put(Op.SD, 0, rs1p, rdp, offD);
    }
    return ill();
  }

  if (quadrant === 1) {
    switch (f3) {
      case 0: return put(Op.ADDI, xd(rd), rd, 0, imm6);
      case 1: return rd === 0 ? ill() : put(Op.ADDIW, rd, rd, 0, imm6);
      case 2: return put(Op.ADDI, xd(rd), 0, 0, imm6);
      case 3: {
        if (rd === 2) {
          const nz = sext((bit(inst, 12) << 9) | (bit(inst, 6) << 4) | (bit(inst, 5) << 6) | (bits(inst, 4, 3) << 7) | (bit(inst, 2) << 5), 10);
          return nz === 0 ? ill() : put(Op.ADDI, 2, 2, 0, nz);
        }
        return imm6 === 0 ? ill() : put(Op.LUI, xd(rd), 0, 0, imm6 << 12);
      }
      case 4: {
        const f2 = bits(inst, 11, 10);
        const shamt = (bit(inst, 12) << 5) | bits(inst, 6, 2);
        if (f2 === 0) return put(shiftImmOp(1, shamt), rs1p, rs1p, 0, shamt);
        if (f2 === 1) return put(shiftImmOp(2, shamt), rs1p, rs1p, 0, shamt);
        if (f2 === 2) return put(Op.ANDI, rs1p, rs1p, 0, imm6);
        const sub = bits(inst, 6, 5);
        if (bit(inst, 12) === 0) return put([Op.SUB, Op.XOR, Op.OR, Op.AND][sub], rs1p, rs1p, rdp, 0);
        if (sub === 0) return put(Op.SUBW, rs1p, rs1p, rdp, 0);
        if (sub === 1) return put(Op.ADDW, rs1p, rs1p, rdp, 0);
        return ill();
      }
      case 5: {
        const off = sext((bit(inst, 12) << 11) | (bit(inst, 11) << 4) | (bits(inst, 10, 9) << 8) | (bit(inst, 8) << 10)
          | (bit(inst, 7) << 6) | (bit(inst, 6) << 7) | (bits(inst, 5, 3) << 1) | (bit(inst, 2) << 5), 12);
        return put(Op.JAL, X_SINK, 0, 0, off);
      }
      case 6: case 7: {
        const off = sext((bit(inst, 12) << 8) | (bits(inst, 11, 10) << 3) | (bits(inst, 6, 5) << 6) | (bits(inst, 4, 3) << 1) | (bit(inst, 2) << 5), 9);
        return put(f3 === 6 ? Op.BEQ : Op.BNE, 0, rs1p, 0, off);
      }
    }
    return ill();
  }

  if (quadrant === 2) {
    const offSpW = (bit(inst, 12) << 5) | (bits(inst, 6, 4) << 2) | (bits(inst, 3, 2) << 6);
    const offSpD = (bit(inst, 12) << 5) | (bits(inst, 6, 5) << 3) | (bits(inst, 4, 2) << 6);
    switch (f3) {
      case 0: return put(shiftImmOp(0, (bit(inst, 12) << 5) | rs2), xd(rd), rd, 0, (bit(inst, 12) << 5) | rs2);
      case 1: return put(Op.FLD, rd, 2, 0, offSpD);
      case 2: return rd === 0 ? ill() : put(Op.LW, rd, 2, 0, offSpW);
      case 3: return rd === 0 ? ill() : put(Op.LD, rd, 2, 0, offSpD);
      case 4:
        if (bit(inst, 12) === 0) {
          if (rs2 === 0) return rd === 0 ? ill() : put(Op.JALR, X_SINK, rd, 0, 0);
          return put(Op.ADD, xd(rd), 0, rs2, 0);
        }
        if (rs2 === 0) {
          if (rd === 0) return put(Op.EBREAK, 0, 0, 0, 0);
          return put(Op.JALR, 1, rd, 0, 0);
        }
        return put(Op.ADD, xd(rd), rd, rs2, 0);
      case 5: return put(Op.FSD, 0, 2, rs2, (bits(inst, 12, 10) << 3) | (bits(inst, 9, 7) << 6));
      case 6: return put(Op.SW, 0, 2, rs2, (bits(inst, 12, 9) << 2) | (bits(inst, 8, 7) << 6));
      case 7: return put(Op.SD, 0, 2, rs2, (bits(inst, 12, 10) << 3) | (bits(inst, 9, 7) << 6));
    }
  }
  return ill();
}
