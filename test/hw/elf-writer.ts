// Writes minimal static ELF64 RISC-V executables for tests: an ELF header,
// one program header per segment, then each segment's bytes at a file
// offset congruent to its address modulo the page size.

export interface SegmentSpec {
  vaddr: number;
  /** PF_R=4, PF_W=2, PF_X=1 */
  flags: number;
  data: Uint8Array;
  memsz?: number;
}

export function writeElf(entry: number, segments: SegmentSpec[], type = 2): Uint8Array {
  const phoff = 64;
  let offset = phoff + 56 * segments.length;
  const placed = segments.map((s) => {
    const page = s.vaddr % 4096;
    offset = Math.ceil((offset - page) / 4096) * 4096 + page;
    const at = offset;
    offset += s.data.length;
    return at;
  });
  const out = new Uint8Array(offset);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  dv.setUint16(16, type, true);
  dv.setUint16(18, 243, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(entry), true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setUint32(48, 0x5, true); // e_flags: RVC | double-float ABI
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, segments.length, true);
  dv.setUint16(58, 64, true);
  segments.forEach((s, k) => {
    const o = phoff + 56 * k;
    dv.setUint32(o, 1, true);
    dv.setUint32(o + 4, s.flags, true);
    dv.setBigUint64(o + 8, BigInt(placed[k]), true);
    dv.setBigUint64(o + 16, BigInt(s.vaddr), true);
    dv.setBigUint64(o + 24, BigInt(s.vaddr), true);
    dv.setBigUint64(o + 32, BigInt(s.data.length), true);
    dv.setBigUint64(o + 40, BigInt(s.memsz ?? s.data.length), true);
    dv.setBigUint64(o + 48, 4096n, true);
    out.set(s.data, placed[k]);
  });
  return out;
}
