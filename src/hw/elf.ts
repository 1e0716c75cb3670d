// ELF64 loader for statically linked RISC-V executables (EM_RISCV = 243):
// ET_EXEC at its link addresses, static-PIE ET_DYN at a fixed load bias (no
// address randomisation: runs must be deterministic). Dynamically linked
// programs (PT_INTERP) are refused. Any malformed input raises ElfError with
// a one-line reason; nothing else escapes.

import { AddressSpace, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, USER_TOP } from './memory.ts';

export { buildInitialStack, type InitialStack, type StackOptions } from './initial-stack.ts';

export class ElfError extends Error {
  override name = 'ElfError';
}

/** The image is well formed but does not fit the run's memory budget (execve's ENOMEM). */
export class ElfNoMemory extends ElfError {}

export interface LoadedElf {
  /** Address of the first instruction (bias applied). */
  entry: number;
  /** Address of the program headers in memory, for AT_PHDR. */
  phdr: number;
  phnum: number;
  phent: number;
  /** Start of the heap: end of the highest segment, page-aligned up. */
  brk: number;
  /** Load bias added to every address (0 for ET_EXEC). */
  bias: number;
}

const ET_EXEC = 2, ET_DYN = 3;
const EM_RISCV = 243;
const PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6;
const PF_X = 1, PF_W = 2, PF_R = 4;
const EHDR_SIZE = 64, PHDR_SIZE = 56;
/** Load bias for static-PIE executables (fixed, for determinism). */
export const PIE_LOAD_BIAS = 0x40000000;
const MAX_PHNUM = 256;

interface Segment { vaddr: number; offset: number; filesz: number; memsz: number; prot: number }

export function loadElf(image: Uint8Array, space: AddressSpace): LoadedElf {
  if (image.length < EHDR_SIZE) throw new ElfError('truncated ELF header');
  if (image[0] !== 0x7f || image[1] !== 0x45 || image[2] !== 0x4c || image[3] !== 0x46) throw new ElfError('not an ELF file (bad magic)');
  if (image[4] === 1) throw new ElfError('32-bit ELF is not supported (need ELF64 RISC-V)');
  if (image[4] !== 2) throw new ElfError(`bad ELF class ${image[4]}`);
  if (image[5] !== 1) throw new ElfError('not a little-endian ELF');
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const u64 = (o: number, what: string): number => {
    const v = dv.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${what} out of range (0x${v.toString(16)})`);
    return Number(v);
  };
  const type = u16(16), machine = u16(18);
  if (machine !== EM_RISCV) throw new ElfError(`not a RISC-V executable (e_machine ${machine})`);
  if (type !== ET_EXEC && type !== ET_DYN) throw new ElfError(`not an executable (e_type ${type})`);
  const bias = type === ET_DYN ? PIE_LOAD_BIAS : 0;
  const entry = u64(24, 'e_entry');
  const phoff = u64(32, 'e_phoff');
  const phent = u16(54), phnum = u16(56);
  if (phent !== PHDR_SIZE) throw new ElfError(`bad program header size ${phent}`);
  if (phnum === 0 || phnum > MAX_PHNUM) throw new ElfError(`bad program header count ${phnum}`);
  if (phoff + phnum * PHDR_SIZE > image.length) throw new ElfError('truncated program headers');

  const segments: Segment[] = [];
  let phdrVaddr = -1;
  for (let k = 0; k < phnum; k++) {
    const o = phoff + k * PHDR_SIZE;
    const pType = u32(o);
    if (pType === PT_INTERP) throw new ElfError('dynamically linked executables are not supported (has PT_INTERP)');
    if (pType === PT_PHDR) phdrVaddr = u64(o + 16, 'p_vaddr');
    if (pType !== PT_LOAD) continue; // PT_GNU_STACK, PT_NOTE, PT_TLS, ... need no mapping
    const flags = u32(o + 4);
    const seg: Segment = {
      offset: u64(o + 8, 'p_offset'),
      vaddr: u64(o + 16, 'p_vaddr'),
      filesz: u64(o + 32, 'p_filesz'),
      memsz: u64(o + 40, 'p_memsz'),
      prot: (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0),
    };
    if (seg.memsz === 0) continue;
    if (seg.filesz > seg.memsz) throw new ElfError(`segment ${k}: p_filesz larger than p_memsz`);
    if (seg.offset + seg.filesz > image.length) throw new ElfError(`segment ${k}: file data past end of file (truncated?)`);
    if (seg.vaddr % PAGE_SIZE !== seg.offset % PAGE_SIZE) throw new ElfError(`segment ${k}: p_vaddr and p_offset disagree modulo the page size`);
    if (seg.vaddr + bias < PAGE_SIZE || seg.vaddr + bias + seg.memsz > USER_TOP) throw new ElfError(`segment ${k}: address 0x${seg.vaddr.toString(16)} outside user space`);
    segments.push(seg);
  }
  if (segments.length === 0) throw new ElfError('no loadable segments');

  // The image as a whole must fit the run's memory budget: writable pages are
  // committed (Linux's overcommit heuristic refuses a request larger than all
  // of memory), the file's bytes are copied in. Pages are mapped lazily, so a
  // large bss costs nothing until the program touches it.
  let commit = 0;
  for (const s of segments) if (s.prot & PROT_WRITE) commit += s.memsz;
  if (commit > space.budget.limit) throw new ElfNoMemory(`segments need ${commit} bytes of memory, more than the run's memory budget (${space.budget.limit})`);

  // Map page ranges; a page shared by two segments gets the union of their permissions.
  const bounds = new Set<number>();
  const ranges = segments.map((s) => {
    const first = Math.floor((s.vaddr + bias) / PAGE_SIZE), last = Math.ceil((s.vaddr + bias + s.memsz) / PAGE_SIZE);
    bounds.add(first).add(last);
    return { first, last, prot: s.prot };
  });
  const cuts = [...bounds].sort((a, b) => a - b);
  for (let c = 0; c + 1 < cuts.length; c++) {
    let prot = -1;
    for (const r of ranges) if (r.first <= cuts[c] && cuts[c + 1] <= r.last) prot = (prot < 0 ? 0 : prot) | r.prot;
    if (prot >= 0 && !space.map(cuts[c] * PAGE_SIZE, (cuts[c + 1] - cuts[c]) * PAGE_SIZE, prot)) throw new ElfError('too many segments to map');
  }
  for (const s of segments) {
    if (!space.poke(s.vaddr + bias, image.subarray(s.offset, s.offset + s.filesz))) throw new ElfNoMemory('out of memory loading the segments (the run\'s memory budget)');
    // bss: the part of the segment beyond the file data reads as zeros (untouched pages
    // already do, but a page shared with an earlier segment may hold its bytes)
    if (s.memsz > s.filesz) space.zeroTouched(s.vaddr + bias + s.filesz, s.memsz - s.filesz);
  }

  const first = segments.reduce((a, b) => (b.vaddr < a.vaddr ? b : a));
  const phdr = phdrVaddr >= 0 ? phdrVaddr + bias : first.vaddr - first.offset + phoff + bias;
  const end = Math.max(...segments.map((s) => s.vaddr + s.memsz)) + bias;
  return { entry: entry + bias, phdr, phnum, phent, brk: Math.ceil(end / PAGE_SIZE) * PAGE_SIZE, bias };
}
