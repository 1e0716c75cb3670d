// A tiny RISC-V instruction encoder for tests: base formats and the
// compressed forms, returning {bits, len} items that `assemble` lays out.

export interface Inst { bits: number; len: 2 | 4 }

const w = (bits: number): Inst => ({ bits: bits >>> 0, len: 4 });
const h = (bits: number): Inst => ({ bits: bits & 0xffff, len: 2 });

export const R = (opcode: number, f3: number, f7: number, rd: number, rs1: number, rs2: number): Inst =>
  w((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode);
export const I = (opcode: number, f3: number, rd: number, rs1: number, imm: number): Inst =>
  w(((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode);
export const S = (opcode: number, f3: number, rs1: number, rs2: number, imm: number): Inst =>
  w((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | opcode);
export const B = (f3: number, rs1: number, rs2: number, imm: number): Inst =>
  w((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12)
    | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63);
export const U = (opcode: number, rd: number, imm20: number): Inst => w(((imm20 & 0xfffff) << 12) | (rd << 7) | opcode);
export const J = (rd: number, imm: number): Inst =>
  w((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f);
export const R4 = (opcode: number, fmt: number, rm: number, rd: number, rs1: number, rs2: number, rs3: number): Inst =>
  w((rs3 << 27) | (fmt << 25) | (rs2 << 20) | (rs1 << 15) | (rm << 12) | (rd << 7) | opcode);

export const addi = (rd: number, rs1: number, imm: number): Inst => I(0x13, 0, rd, rs1, imm);
export const ld = (rd: number, rs1: number, imm: number): Inst => I(0x03, 3, rd, rs1, imm);
export const lw = (rd: number, rs1: number, imm: number): Inst => I(0x03, 2, rd, rs1, imm);
export const sd = (rs2: number, rs1: number, imm: number): Inst => S(0x23, 3, rs1, rs2, imm);
export const fld = (rd: number, rs1: number, imm: number): Inst => I(0x07, 3, rd, rs1, imm);
export const fsd = (rs2: number, rs1: number, imm: number): Inst => S(0x27, 3, rs1, rs2, imm);
export const lui = (rd: number, imm20: number): Inst => U(0x37, rd, imm20);
export const auipc = (rd: number, imm20: number): Inst => U(0x17, rd, imm20);
export const jalr = (rd: number, rs1: number, imm: number): Inst => I(0x67, 0, rd, rs1, imm);
export const csrrw = (rd: number, csr: number, rs1: number): Inst => I(0x73, 1, rd, rs1, csr);
export const csrrs = (rd: number, csr: number, rs1: number): Inst => I(0x73, 2, rd, rs1, csr);
export const ecall = (): Inst => w(0x73);
export const ebreak = (): Inst => w(0x00100073);

// Compressed formats (spec 16.2).
export const CR = (f4: number, rd: number, rs2: number, op: number): Inst => h((f4 << 12) | (rd << 7) | (rs2 << 2) | op);
export const CI = (f3: number, b12: number, rd: number, b6_2: number, op: number): Inst =>
  h((f3 << 13) | (b12 << 12) | (rd << 7) | (b6_2 << 2) | op);
/** Raw 16-bit instruction. */
export const C = (bits: number): Inst => h(bits);

const bit = (v: number, i: number): number => (v >> i) & 1;
const bits = (v: number, hi: number, lo: number): number => (v >> lo) & ((1 << (hi - lo + 1)) - 1);

export const c = {
  addi: (rd: number, imm: number) => CI(0, bit(imm, 5), rd, imm & 31, 1),
  addiw: (rd: number, imm: number) => CI(1, bit(imm, 5), rd, imm & 31, 1),
  li: (rd: number, imm: number) => CI(2, bit(imm, 5), rd, imm & 31, 1),
  lui: (rd: number, imm6: number) => CI(3, bit(imm6, 5), rd, imm6 & 31, 1),
  addi16sp: (imm: number) => CI(3, bit(imm, 9), 2, (bit(imm, 4) << 4) | (bit(imm, 6) << 3) | (bits(imm, 8, 7) << 1) | bit(imm, 5), 1),
  addi4spn: (rdp: number, uimm: number) =>
    h((bits(uimm, 5, 4) << 11) | (bits(uimm, 9, 6) << 7) | (bit(uimm, 2) << 6) | (bit(uimm, 3) << 5) | ((rdp - 8) << 2)),
  srli: (rdp: number, sh: number) => h((4 << 13) | (bit(sh, 5) << 12) | (0 << 10) | ((rdp - 8) << 7) | ((sh & 31) << 2) | 1),
  srai: (rdp: number, sh: number) => h((4 << 13) | (bit(sh, 5) << 12) | (1 << 10) | ((rdp - 8) << 7) | ((sh & 31) << 2) | 1),
  andi: (rdp: number, imm: number) => h((4 << 13) | (bit(imm, 5) << 12) | (2 << 10) | ((rdp - 8) << 7) | ((imm & 31) << 2) | 1),
  /** sub xor or and subw addw by index 0..5 */
  alu: (k: number, rdp: number, rs2p: number) =>
    h((4 << 13) | ((k >= 4 ? 1 : 0) << 12) | (3 << 10) | ((rdp - 8) << 7) | ((k & 3) << 5) | ((rs2p - 8) << 2) | 1),
  j: (imm: number) => h((5 << 13) | (bit(imm, 11) << 12) | (bit(imm, 4) << 11) | (bits(imm, 9, 8) << 9) | (bit(imm, 10) << 8)
    | (bit(imm, 6) << 7) | (bit(imm, 7) << 6) | (bits(imm, 3, 1) << 3) | (bit(imm, 5) << 2) | 1),
  beqz: (rs1p: number, imm: number) => cb(6, rs1p, imm),
  bnez: (rs1p: number, imm: number) => cb(7, rs1p, imm),
  slli: (rd: number, sh: number) => CI(0, bit(sh, 5), rd, sh & 31, 2),
  mv: (rd: number, rs2: number) => CR(8, rd, rs2, 2),
  add: (rd: number, rs2: number) => CR(9, rd, rs2, 2),
  jr: (rs1: number) => CR(8, rs1, 0, 2),
  jalr: (rs1: number) => CR(9, rs1, 0, 2),
  ebreak: () => CR(9, 0, 0, 2),
  lw: (rdp: number, rs1p: number, off: number) => cls(2, rdp, rs1p, (bits(off, 5, 3) << 10) | (bit(off, 2) << 6) | (bit(off, 6) << 5)),
  ld: (rdp: number, rs1p: number, off: number) => cls(3, rdp, rs1p, (bits(off, 5, 3) << 10) | (bits(off, 7, 6) << 5)),
  fld: (rdp: number, rs1p: number, off: number) => cls(1, rdp, rs1p, (bits(off, 5, 3) << 10) | (bits(off, 7, 6) << 5)),
  sw: (rs2p: number, rs1p: number, off: number) => cls(6, rs2p, rs1p, (bits(off, 5, 3) << 10) | (bit(off, 2) << 6) | (bit(off, 6) << 5)),
  sd: (rs2p: number, rs1p: number, off: number) => cls(7, rs2p, rs1p, (bits(off, 5, 3) << 10) | (bits(off, 7, 6) << 5)),
  fsd: (rs2p: number, rs1p: number, off: number) => cls(5, rs2p, rs1p, (bits(off, 5, 3) << 10) | (bits(off, 7, 6) << 5)),
  lwsp: (rd: number, off: number) => h((2 << 13) | (bit(off, 5) << 12) | (rd << 7) | (bits(off, 4, 2) << 4) | (bits(off, 7, 6) << 2) | 2),
  ldsp: (rd: number, off: number) => h((3 << 13) | (bit(off, 5) << 12) | (rd << 7) | (bits(off, 4, 3) << 5) | (bits(off, 8, 6) << 2) | 2),
  fldsp: (rd: number, off: number) => h((1 << 13) | (bit(off, 5) << 12) | (rd << 7) | (bits(off, 4, 3) << 5) | (bits(off, 8, 6) << 2) | 2),
  swsp: (rs2: number, off: number) => h((6 << 13) | (bits(off, 5, 2) << 9) | (bits(off, 7, 6) << 7) | (rs2 << 2) | 2),
  sdsp: (rs2: number, off: number) => h((7 << 13) | (bits(off, 5, 3) << 10) | (bits(off, 8, 6) << 7) | (rs2 << 2) | 2),
  fsdsp: (rs2: number, off: number) => h((5 << 13) | (bits(off, 5, 3) << 10) | (bits(off, 8, 6) << 7) | (rs2 << 2) | 2),
};

function cb(f3: number, rs1p: number, imm: number): Inst {
  return h((f3 << 13) | (bit(imm, 8) << 12) | (bits(imm, 4, 3) << 10) | ((rs1p - 8) << 7) | (bits(imm, 7, 6) << 5)
    | (bits(imm, 2, 1) << 3) | (bit(imm, 5) << 2) | 1);
}
function cls(f3: number, rp: number, rs1p: number, immBits: number): Inst {
  return h((f3 << 13) | immBits | ((rs1p - 8) << 7) | ((rp - 8) << 2));
}

export function byteLength(list: Inst[]): number {
  return list.reduce((n, i) => n + i.len, 0);
}

/** Lays instructions out little-endian. */
export function assemble(list: Inst[]): Uint8Array {
  const out = new Uint8Array(byteLength(list));
  let o = 0;
  for (const i of list) {
    out[o] = i.bits & 0xff;
    out[o + 1] = (i.bits >>> 8) & 0xff;
    if (i.len === 4) {
      out[o + 2] = (i.bits >>> 16) & 0xff;
      out[o + 3] = (i.bits >>> 24) & 0xff;
    }
    o += i.len;
  }
  return out;
}
