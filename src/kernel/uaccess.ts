// Guest memory access for the kernel. Nothing here trusts a guest pointer
// or length: any unmapped or forbidden byte makes the helper report a
// fault, which handlers turn into -EFAULT.
import { PAGE_SIZE, PROT_READ, PROT_WRITE, USER_TOP, type AddressSpace } from '../hw/memory.ts';
import { EFAULT, ENAMETOOLONG } from './errno.ts';

export const PATH_MAX = 4096;

const scratch8 = new Uint8Array(8);
const view8 = new DataView(scratch8.buffer);

/**
 * access_ok: [addr, addr + len) lies below the top of user space (TASK_SIZE;
 * a range of length 0 too, so read(fd, (void *)-1, 0) is EFAULT). Whether
 * its pages are mapped is found out only by the copy.
 */
export function accessOk(addr: number, len: number): boolean {
  return addr >= 0 && len >= 0 && addr + len <= USER_TOP;
}

export function canRead(mm: AddressSpace, addr: number, len: number): boolean {
  return mm.check(addr, len, PROT_READ);
}

export function canWrite(mm: AddressSpace, addr: number, len: number): boolean {
  return mm.check(addr, len, PROT_WRITE);
}

/** Copies len bytes in from user memory, or null on fault. */
export function copyFromUser(mm: AddressSpace, addr: number, len: number): Uint8Array | null {
  return mm.read(addr, len);
}

/** Copies bytes out to user memory; false (nothing written) on fault. */
export function copyToUser(mm: AddressSpace, addr: number, bytes: Uint8Array): boolean {
  return mm.write(addr, bytes);
}

/** Reads a NUL-terminated string of at most max bytes (including the NUL): the string, or -EFAULT/-ENAMETOOLONG. */
export function readCString(mm: AddressSpace, addr: number, max = PATH_MAX): string | number {
  const bytes: number[] = [];
  for (let i = 0; i < max; i++) {
    const b = mm.read(addr + i, 1);
    if (!b) return -EFAULT;
    if (b[0] === 0) return latin1(Uint8Array.from(bytes));
    bytes.push(b[0]);
  }
  return -ENAMETOOLONG;
}

/** Little-endian u32 at addr, or null on fault. Reads straight from the page when it does not straddle one. */
export function getU32(mm: AddressSpace, addr: number): number | null {
  const off = addr % PAGE_SIZE;
  if (addr >= 0 && off <= PAGE_SIZE - 4) {
    const p = mm.pageForRead(Math.floor(addr / PAGE_SIZE));
    if (!p) return null;
    return (p[off] | (p[off + 1] << 8) | (p[off + 2] << 16) | (p[off + 3] << 24)) >>> 0;
  }
  const b = mm.read(addr, 4);
  return b ? new DataView(b.buffer).getUint32(0, true) : null;
}

export function getI32(mm: AddressSpace, addr: number): number | null {
  const v = getU32(mm, addr);
  return v === null ? null : v | 0;
}

/** A 64-bit value as a number: exact below 2^53; larger values saturate to 2^53 (invalid as pointer or size). */
export function getU64(mm: AddressSpace, addr: number): number | null {
  const lo = getU32(mm, addr);
  const hi = lo === null ? null : getU32(mm, addr + 4);
  if (lo === null || hi === null) return null;
  return hi >= 0x200000 ? 2 ** 53 : hi * 4294967296 + lo;
}

/** A signed 64-bit value as a number (approximate beyond 2^53). */
export function getI64(mm: AddressSpace, addr: number): number | null {
  const b = mm.read(addr, 8);
  if (!b) return null;
  const v = new DataView(b.buffer);
  return v.getInt32(4, true) * 4294967296 + v.getUint32(0, true);
}

export function putU32(mm: AddressSpace, addr: number, value: number): boolean {
  view8.setUint32(0, value >>> 0, true);
  return mm.write(addr, scratch8.subarray(0, 4));
}

export function putU16(mm: AddressSpace, addr: number, value: number): boolean {
  view8.setUint16(0, value & 0xffff, true);
  return mm.write(addr, scratch8.subarray(0, 2));
}

export function putU64(mm: AddressSpace, addr: number, value: number): boolean {
  view8.setUint32(0, value >>> 0, true);
  view8.setUint32(4, Math.floor(value / 4294967296) >>> 0, true);
  return mm.write(addr, scratch8);
}

/** Bytes to a JS string one char per byte (names and paths are byte strings). */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Little-endian struct builder for copying structs out. */
export class StructWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u16(off: number, v: number): this {
    this.view.setUint16(off, v, true);
    return this;
  }
  u32(off: number, v: number): this {
    this.view.setUint32(off, v >>> 0, true);
    return this;
  }
  i32(off: number, v: number): this {
    this.view.setInt32(off, v | 0, true);
    return this;
  }
  u64(off: number, v: number): this {
    this.view.setUint32(off, v >>> 0, true);
    this.view.setUint32(off + 4, Math.floor(v / 4294967296) >>> 0, true);
    return this;
  }
}
