// Internal operation numbers that the decoder writes into the decoded-instruction
// cache and the hart's dispatch switch reads. The switch in hart.ts uses the
// numeric literals (V8 only builds a jump table for literal case labels), each
// annotated with the name below; test/hw/ops.test.ts checks that they agree.

export const Op = {
  UNDECODED: 0,
  LUI: 1, AUIPC: 2, JAL: 3, JALR: 4,
  BEQ: 5, BNE: 6, BLT: 7, BGE: 8, BLTU: 9, BGEU: 10,
  LB: 11, LH: 12, LW: 13, LD: 14, LBU: 15, LHU: 16, LWU: 17,
  SB: 18, SH: 19, SW: 20, SD: 21,
  ADDI: 22, SLTI: 23, SLTIU: 24, XORI: 25, ORI: 26, ANDI: 27, // 28..30 unused: shifts by immediate are the *_LT32/*_GE32 forms below
  ADD: 31, SUB: 32, SLL: 33, SLT: 34, SLTU: 35, XOR: 36, SRL: 37, SRA: 38, OR: 39, AND: 40,
  ADDIW: 41, SLLIW: 42, SRLIW: 43, SRAIW: 44, ADDW: 45, SUBW: 46, SLLW: 47, SRLW: 48, SRAW: 49,
  MUL: 50, MULH: 51, MULHSU: 52, MULHU: 53, DIV: 54, DIVU: 55, REM: 56, REMU: 57,
  MULW: 58, DIVW: 59, DIVUW: 60, REMW: 61, REMUW: 62,
  FENCE: 63, FENCE_I: 64, ECALL: 65, EBREAK: 66, CSR: 67, AMO: 68, ILLEGAL: 69,
  FLW: 70, FLD: 71, FSW: 72, FSD: 73,
  // Shift-immediate forms specialised on the shift amount (decode time), so the
  // hot loop needs neither a call nor a branch on the amount.
  SLLI_LT32: 74, SLLI_GE32: 75, SRLI_LT32: 76, SRLI_GE32: 77, SRAI_LT32: 78, SRAI_GE32: 79,
  // Floating point: handled outside the hot switch (hart.execFp). S forms are
  // FP_S + k, D forms FP_D + k, with k from FpOp.
  FP_S: 80,
  FP_D: 120,
  FCVT_S_D: 160,
  FCVT_D_S: 161,
} as const;

/** Offsets of FP operations from Op.FP_S / Op.FP_D. */
export const FpOp = {
  ADD: 0, SUB: 1, MUL: 2, DIV: 3, SQRT: 4, MIN: 5, MAX: 6,
  SGNJ: 7, SGNJN: 8, SGNJX: 9, EQ: 10, LT: 11, LE: 12, CLASS: 13,
  MV_X_F: 14, MV_F_X: 15,
  CVT_W: 16, CVT_WU: 17, CVT_L: 18, CVT_LU: 19,
  CVT_FROM_W: 20, CVT_FROM_WU: 21, CVT_FROM_L: 22, CVT_FROM_LU: 23,
  MADD: 24, MSUB: 25, NMSUB: 26, NMADD: 27,
} as const;

/** AMO sub-operations (decoded into the slot's aux field). */
export const AmoOp = {
  LR: 0, SC: 1, SWAP: 2, ADD: 3, XOR: 4, AND: 5, OR: 6, MIN: 7, MAX: 8, MINU: 9, MAXU: 10,
} as const;

// Layout of one decoded-instruction slot (Int32Array, SLOT_WORDS per halfword of the page).
export const SLOT_WORDS = 8;
/** Op for a 64-bit shift by immediate: kind 0 = sll, 1 = srl, 2 = sra; shamt 0 becomes ADDI 0 (a move). */
export function shiftImmOp(kind: number, shamt: number): number {
  if (shamt === 0) return Op.ADDI;
  return Op.SLLI_LT32 + kind * 2 + (shamt >= 32 ? 1 : 0);
}

export const S_OP = 0;
export const S_RD = 1; // 32 stands for x0: writes land in a scratch register
export const S_RS1 = 2;
export const S_RS2 = 3;
export const S_IMM = 4;
export const S_RS3 = 5;
export const S_AUX = 6; // rounding mode, AMO op + width, CSR funct3
export const S_LEN = 7; // 2 or 4

/** Register index used in place of x0 as a destination. */
export const X_SINK = 32;
