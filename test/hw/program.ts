// The harness program for differential tests: a prologue that loads initial
// register values and fcsr from a table, the instructions under test, and an
// epilogue that stores x1..x31, f0..f31 and fcsr into an output area and
// writes that area plus the test's data region to fd 1, then exits.
//
// Memory (one RW segment at DATA):
//   DATA + 0      init table: x[0..31] (8 bytes each), f[0..31], fcsr
//   DATA + 0x1000 output area (2 KiB), then the data region (2 KiB)
// x31 and sp (x2) both point at the data region (REGION) and are never
// written by generated code, so memory operands are always in range.

import { addi, assemble, byteLength, csrrs, csrrw, ecall, fld, fsd, type Inst, ld, lui, sd, lw } from './asm.ts';
import { writeElf } from './elf-writer.ts';

export const CODE = 0x10000;
export const DATA = 0x20000;
export const OUT = DATA + 0x1000;
export const REGION = OUT + 0x800;
export const REGION_SIZE = 0x800;
export const BASE_REG = 31;
const CSR_FCSR = 3;

export interface MachineState {
  x: bigint[]; // 32 values, x[0] and x[2], x[31] ignored
  f: bigint[]; // 32 raw 64-bit patterns
  fcsr: number;
  /** Seed of the data region's initial bytes (kept small so counterexamples stay readable). */
  memorySeed: number;
}

function prologue(): Inst[] {
  const pro: Inst[] = [
    lui(BASE_REG, DATA >> 12),
    lw(1, BASE_REG, 512),
    csrrw(0, CSR_FCSR, 1),
  ];
  for (let r = 0; r < 32; r++) pro.push(fld(r, BASE_REG, 256 + 8 * r));
  for (let r = 1; r < 31; r++) if (r !== 2) pro.push(ld(r, BASE_REG, 8 * r));
  pro.push(lui(BASE_REG, (REGION + 0x800) >> 12), addi(BASE_REG, BASE_REG, -0x800), addi(2, BASE_REG, 0));
  return pro;
}

/** Where the body starts, in bytes after CODE. */
export const BODY_OFFSET = byteLength(prologue());

/**
 * `flags` of the code segment: 5 (r-x), or 7 (rwx) for code that rewrites itself.
 */
export function buildProgram(state: MachineState, body: Inst[], codeFlags = 5): Uint8Array {
  const pro = prologue();

  const epi: Inst[] = [];
  for (let r = 1; r < 32; r++) epi.push(sd(r, BASE_REG, -0x800 + 8 * r));
  for (let r = 0; r < 32; r++) epi.push(fsd(r, BASE_REG, -0x800 + 256 + 8 * r));
  epi.push(csrrs(1, CSR_FCSR, 0), sd(1, BASE_REG, -0x800 + 512));
  epi.push(addi(17, 0, 64), addi(10, 0, 1), lui(11, OUT >> 12), lui(12, 1), ecall());
  epi.push(addi(17, 0, 93), addi(10, 0, 0), ecall());

  const code = assemble([...pro, ...body, ...epi]);
  const data = new Uint8Array(0x2000);
  const dv = new DataView(data.buffer);
  for (let r = 0; r < 32; r++) {
    dv.setBigUint64(8 * r, BigInt.asUintN(64, state.x[r]), true);
    dv.setBigUint64(256 + 8 * r, BigInt.asUintN(64, state.f[r]), true);
  }
  dv.setUint32(512, state.fcsr, true);
  data.set(regionBytes(state.memorySeed), REGION - DATA);
  return writeElf(CODE, [
    { vaddr: CODE, flags: codeFlags, data: code },
    { vaddr: DATA, flags: 6, data },
  ]);
}

/** Human-readable diff of two harness outputs (registers first). */
export function describeDifference(a: Buffer, b: Buffer): string {
  const lines: string[] = [];
  const word = (buf: Buffer, o: number): string => (o + 8 <= buf.length ? buf.readBigUInt64LE(o).toString(16).padStart(16, '0') : '<missing>');
  for (let r = 1; r < 32; r++) if (word(a, 8 * r) !== word(b, 8 * r)) lines.push(`x${r}: hart ${word(a, 8 * r)} qemu ${word(b, 8 * r)}`);
  for (let r = 0; r < 32; r++) if (word(a, 256 + 8 * r) !== word(b, 256 + 8 * r)) lines.push(`f${r}: hart ${word(a, 256 + 8 * r)} qemu ${word(b, 256 + 8 * r)}`);
  if (word(a, 512) !== word(b, 512)) lines.push(`fcsr: hart ${word(a, 512)} qemu ${word(b, 512)}`);
  for (let o = 0x800; o < Math.max(a.length, b.length); o += 8) {
    if (word(a, o) !== word(b, o)) lines.push(`mem+0x${(o - 0x800).toString(16)}: hart ${word(a, o)} qemu ${word(b, o)}`);
  }
  if (a.length !== b.length) lines.push(`length: hart ${a.length} qemu ${b.length}`);
  return lines.slice(0, 20).join('\n');
}

/** Initial data-region bytes from a seed (xorshift32). */
export function regionBytes(seed: number): Uint8Array {
  const m = new Uint8Array(REGION_SIZE);
  let s = seed | 1;
  for (let k = 0; k < m.length; k++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    m[k] = s & 0xff;
  }
  return m;
}
