// Decoding of 32-bit RV64GC instructions into decoded-instruction slots
// (layout in ops.ts). Anything not in the user-level ISA decodes to ILLEGAL,
// which the hart reports as SIGILL when (and only when) it is executed.

import { AmoOp, FpOp, Op, shiftImmOp, SLOT_WORDS, S_AUX, S_IMM, S_LEN, S_OP, S_RD, S_RS1, S_RS2, S_RS3, X_SINK } from './ops.ts';

/** Writes one decoded slot. */
export function setSlot(
  d: Int32Array, slot: number, op: number, rd: number, rs1: number, rs2: number,
  imm: number, rs3: number, aux: number, len: number,
): void {
  const b = slot * SLOT_WORDS;
  d[b + S_OP] = op;
  d[b + S_RD] = rd;
  d[b + S_RS1] = rs1;
  d[b + S_RS2] = rs2;
  d[b + S_IMM] = imm;
  d[b + S_RS3] = rs3;
  d[b + S_AUX] = aux;
  d[b + S_LEN] = len;
}

export function setIllegal(d: Int32Array, slot: number, inst: number, len: number): void {
  setSlot(d, slot, Op.ILLEGAL, 0, 0, 0, inst, 0, 0, len);
}

/** Integer destination: x0 becomes the sink so that writes to it vanish. */
const xd = (r: number): number => (r === 0 ? X_SINK : r);

/** Rounding-mode field valid for an instruction that rounds: 0..4 static, 7 dynamic (spec 11.2). */
const validRm = (rm: number): boolean => rm <= 4 || rm === 7;

const LOADS = [Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU, -1];
const STORES = [Op.SB, Op.SH, Op.SW, Op.SD, -1, -1, -1, -1];
const BRANCHES = [Op.BEQ, Op.BNE, -1, -1, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
const OP_IMM = [Op.ADDI, -1, Op.SLTI, Op.SLTIU, Op.XORI, -1, Op.ORI, Op.ANDI];
const OP_REG = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND];
const OP_MULDIV = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU];
const OP_MULDIVW = [Op.MULW, -1, -1, -1, Op.DIVW, Op.DIVUW, Op.REMW, Op.REMUW];
const AMO_BY_FUNCT5: Record<number, number> = {
  0b00010: AmoOp.LR, 0b00011: AmoOp.SC, 0b00001: AmoOp.SWAP, 0b00000: AmoOp.ADD,
  0b00100: AmoOp.XOR, 0b01100: AmoOp.AND, 0b01000: AmoOp.OR, 0b10000: AmoOp.MIN,
  0b10100: AmoOp.MAX, 0b11000: AmoOp.MINU, 0b11100: AmoOp.MAXU,
};

/** Decodes the 32-bit instruction `inst` into slot `slot` of `d`. */
export function decode32(inst: number, d: Int32Array, slot: number): void {
  const opcode = inst & 0x7f;
  const rd = (inst >>> 7) & 31;
  const f3 = (inst >>> 12) & 7;
  const rs1 = (inst >>> 15) & 31;
  const rs2 = (inst >>> 20) & 31;
  const f7 = inst >>> 25;
  const immI = inst >> 20;
  const immS = ((inst >> 25) << 5) | rd;
  const ill = (): void => setIllegal(d, slot, inst, 4);
  const put = (op: number, r: number, a: number, b: number, imm: number, c = 0, aux = 0): void =>
    setSlot(d, slot, op, r, a, b, imm, c, aux, 4);
  const putShift = (kind: number, shamt: number): void => put(shiftImmOp(kind, shamt), xd(rd), rs1, 0, shamt === 0 ? 0 : shamt);

  switch (opcode) {
    case 0x37: return put(Op.LUI, xd(rd), 0, 0, inst & 0xfffff000);
    case 0x17: return put(Op.AUIPC, xd(rd), 0, 0, inst & 0xfffff000);
    case 0x6f: {
      const imm = ((inst >> 31) << 20) | (((inst >>> 12) & 0xff) << 12) | (((inst >>> 20) & 1) << 11) | (((inst >>> 21) & 0x3ff) << 1);
      return put(Op.JAL, xd(rd), 0, 0, imm);
    }
    case 0x67: return f3 === 0 ? put(Op.JALR, xd(rd), rs1, 0, immI) : ill();
    case 0x63: {
      const op = BRANCHES[f3];
      const imm = ((inst >> 31) << 12) | (((inst >>> 7) & 1) << 11) | (((inst >>> 25) & 0x3f) << 5) | (((inst >>> 8) & 0xf) << 1);
      return op < 0 ? ill() : put(op, 0, rs1, rs2, imm);
    }
    case 0x03: return LOADS[f3] < 0 ? ill() : put(LOADS[f3], xd(rd), rs1, 0, immI);
    case 0x23: return STORES[f3] < 0 ? ill() : put(STORES[f3], 0, rs1, rs2, immS);
    case 0x07:
      if (f3 === 2) return put(Op.FLW, rd, rs1, 0, immI);
      if (f3 === 3) return put(Op.FLD, rd, rs1, 0, immI);
      return ill();
    case 0x27:
      if (f3 === 2) return put(Op.FSW, 0, rs1, rs2, immS);
      if (f3 === 3) return put(Op.FSD, 0, rs1, rs2, immS);
      return ill();
    case 0x13: {
      if (f3 === 1) return inst >>> 26 === 0 ? putShift(0, (inst >>> 20) & 63) : ill();
      if (f3 === 5) {
        const f6 = inst >>> 26;
        if (f6 === 0) return putShift(1, (inst >>> 20) & 63);
        if (f6 === 0x10) return putShift(2, (inst >>> 20) & 63);
        return ill();
      }
      return put(OP_IMM[f3], xd(rd), rs1, 0, immI);
    }
    case 0x1b:
      if (f3 === 0) return put(Op.ADDIW, xd(rd), rs1, 0, immI);
      if (f3 === 1) return f7 === 0 ? put(Op.SLLIW, xd(rd), rs1, 0, rs2) : ill();
      if (f3 === 5) {
        if (f7 === 0) return put(Op.SRLIW, xd(rd), rs1, 0, rs2);
        if (f7 === 0x20) return put(Op.SRAIW, xd(rd), rs1, 0, rs2);
      }
      return ill();
    case 0x33:
      if (f7 === 0) return put(OP_REG[f3], xd(rd), rs1, rs2, 0);
      if (f7 === 1) return put(OP_MULDIV[f3], xd(rd), rs1, rs2, 0);
      if (f7 === 0x20 && f3 === 0) return put(Op.SUB, xd(rd), rs1, rs2, 0);
      if (f7 === 0x20 && f3 === 5) return put(Op.SRA, xd(rd), rs1, rs2, 0);
      return ill();
    case 0x3b:
      if (f7 === 0) {
        if (f3 === 0) return put(Op.ADDW, xd(rd), rs1, rs2, 0);
        if (f3 === 1) return put(Op.SLLW, xd(rd), rs1, rs2, 0);
        if (f3 === 5) return put(Op.SRLW, xd(rd), rs1, rs2, 0);
        return ill();
      }
      if (f7 === 0x20) {
        if (f3 === 0) return put(Op.SUBW, xd(rd), rs1, rs2, 0);
        if (f3 === 5) return put(Op.SRAW, xd(rd), rs1, rs2, 0);
        return ill();
      }
      if (f7 === 1 && OP_MULDIVW[f3] >= 0) return put(OP_MULDIVW[f3], xd(rd), rs1, rs2, 0);
      return ill();
    case 0x0f:
      if (f3 === 0) return put(Op.FENCE, 0, 0, 0, 0);
      if (f3 === 1) return put(Op.FENCE_I, 0, 0, 0, 0);
      return ill();
    case 0x73:
      if (f3 === 0) {
        if (inst === 0x00000073) return put(Op.ECALL, 0, 0, 0, 0);
        if (inst === 0x00100073) return put(Op.EBREAK, 0, 0, 0, 0);
        return ill();
      }
      if (f3 === 4) return ill();
      return put(Op.CSR, xd(rd), rs1, 0, inst >>> 20, 0, f3);
    case 0x2f: {
      if (f3 !== 2 && f3 !== 3) return ill();
      const amo = AMO_BY_FUNCT5[inst >>> 27];
      if (amo === undefined) return ill();
      if (amo === AmoOp.LR && rs2 !== 0) return ill();
      return put(Op.AMO, xd(rd), rs1, rs2, 0, 0, amo | ((f3 === 3 ? 1 : 0) << 4));
    }
    case 0x43: case 0x47: case 0x4b: case 0x4f: {
      const fmt = (inst >>> 25) & 3;
      if (fmt > 1 || !validRm(f3)) return ill();
      const k = FpOp.MADD + ((opcode - 0x43) >> 2);
      return put((fmt ? Op.FP_D : Op.FP_S) + k, rd, rs1, rs2, 0, inst >>> 27, f3);
    }
    case 0x53: return decodeOpFp(inst, d, slot);
  }
  return ill();
}

function decodeOpFp(inst: number, d: Int32Array, slot: number): void {
  const rd = (inst >>> 7) & 31;
  const rm = (inst >>> 12) & 7;
  const rs1 = (inst >>> 15) & 31;
  const rs2 = (inst >>> 20) & 31;
  const f7 = inst >>> 25;
  const fmt = f7 & 3;
  const base = fmt === 0 ? Op.FP_S : Op.FP_D;
  const ill = (): void => setIllegal(d, slot, inst, 4);
  if (fmt > 1) return ill();
  const put = (k: number): void => setSlot(d, slot, base + k, rd, rs1, rs2, 0, 0, rm, 4);
  const rounding = (k: number): void => (validRm(rm) ? put(k) : ill());
  switch (f7 >> 2) {
    case 0x00: return rounding(FpOp.ADD);
    case 0x01: return rounding(FpOp.SUB);
    case 0x02: return rounding(FpOp.MUL);
    case 0x03: return rounding(FpOp.DIV);
    case 0x0b: return rs2 === 0 ? rounding(FpOp.SQRT) : ill();
    case 0x04: return rm <= 2 ? put(FpOp.SGNJ + rm) : ill();
    case 0x05: return rm <= 1 ? put(FpOp.MIN + rm) : ill();
    case 0x08: // fcvt.s.d (fmt S, rs2 = 1) and fcvt.d.s (fmt D, rs2 = 0)
      if (fmt === 0 && rs2 === 1 && validRm(rm)) return setSlot(d, slot, Op.FCVT_S_D, rd, rs1, 0, 0, 0, rm, 4);
      if (fmt === 1 && rs2 === 0 && validRm(rm)) return setSlot(d, slot, Op.FCVT_D_S, rd, rs1, 0, 0, 0, rm, 4);
      return ill();
    case 0x14:
      if (rm === 0) return put(FpOp.LE);
      if (rm === 1) return put(FpOp.LT);
      if (rm === 2) return put(FpOp.EQ);
      return ill();
    case 0x18: return rs2 <= 3 ? rounding(FpOp.CVT_W + rs2) : ill();
    case 0x1a: return rs2 <= 3 ? rounding(FpOp.CVT_FROM_W + rs2) : ill();
    case 0x1c:
      if (rs2 !== 0) return ill();
      if (rm === 0) return put(FpOp.MV_X_F);
      if (rm === 1) return put(FpOp.CLASS);
      return ill();
    case 0x1e: return rs2 === 0 && rm === 0 ? put(FpOp.MV_F_X) : ill();
  }
  return ill();
}
