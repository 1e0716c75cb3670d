// Scratch memory in a scripted task's own address space: where `sys.*`
// wrappers marshal arguments (strings, buffers, structs) before entering
// the kernel, exactly as a C program's stack or heap would hold them.
import { PAGE_SIZE, PROT_READ, PROT_WRITE, type AddressSpace } from '../hw/memory.ts';
import { TINY_COPY } from '../kernel/userio.ts';

export const SCRATCH_BASE = 0x100000;
const INITIAL_SIZE = 64 * 1024;
/** The first thread's scratch may grow to 1 GiB (where the other threads' areas start); theirs to their area's end. */
const FIRST_THREAD_LIMIT = 0x4000_0000 - SCRATCH_BASE;
/** Strings up to this length go into scratch memory without a byte array when they are ASCII (putAscii). */
const ASCII_DIRECT = 64;

export class Scratch {
  private top: number;
  private mapped = 0;
  /** the address space and generation in which the area was last seen mapped (stillMapped) */
  private checkedIn: AddressSpace | null = null;
  private checkedAt = -1;

  constructor(
    private readonly mm: () => AddressSpace,
    private readonly base = SCRATCH_BASE,
    private readonly limit = FIRST_THREAD_LIMIT,
  ) {
    this.top = base;
  }

  /** Frees everything: called at the start of each wrapper. */
  reset(): void {
    this.top = this.base;
  }

  /** Reserves n bytes (8-byte aligned), mapping more pages when needed; returns the address. */
  alloc(n: number): number {
    const addr = this.top;
    this.top += Math.max(8, Math.ceil(n / 8) * 8);
    const need = this.top - this.base;
    if (need > this.limit) throw new RangeError(`a wrapper asked for ${need} bytes of scratch memory; this thread has ${this.limit}`);
    if (need > this.mapped || !this.stillMapped()) {
      const size = Math.min(this.limit, Math.max(INITIAL_SIZE, Math.ceil(need / PAGE_SIZE) * PAGE_SIZE, this.mapped * 2));
      // Re-mapping would zero existing data; map only the new tail.
      const from = this.mm().isMapped(this.base) ? this.mapped : 0;
      this.mm().map(this.base + from, size - from, PROT_READ | PROT_WRITE);
      this.mapped = size;
    }
    return addr;
  }

  /**
   * Is the scratch area still mapped (not unmapped by the script, not gone
   * with an execve's new address space)? Asked by every wrapper, so the
   * answer is kept while the address space and its mappings stay the same
   * (its generation counts every map, unmap and protect).
   */
  private stillMapped(): boolean {
    const mm = this.mm();
    if (mm === this.checkedIn && mm.generation === this.checkedAt) return true;
    if (!mm.isMapped(this.base)) return false;
    this.checkedIn = mm;
    this.checkedAt = mm.generation;
    return true;
  }

  /** Copies bytes in; returns their address. */
  put(bytes: Uint8Array): number {
    const addr = this.alloc(bytes.length);
    const n = bytes.length;
    const off = addr % PAGE_SIZE;
    // Values within one page go straight into the frame (the hot path of sys.write): a tiny one byte by byte, else one native copy.
    if (off + n <= PAGE_SIZE) {
      const page = this.mm().pageForWrite((addr - off) / PAGE_SIZE);
      if (page) {
        if (n <= TINY_COPY) for (let i = 0; i < n; i++) page[off + i] = bytes[i];
        else page.set(bytes, off);
        return addr;
      }
    }
    this.mm().poke(addr, bytes);
    return addr;
  }

  /**
   * A short ASCII string as put(toBytes(s)) would store it (the same bytes at
   * the same address), without making the byte array: sys.write's hot path.
   * -1, with nothing reserved, when it is not short ASCII.
   */
  putAscii(s: string): number {
    const n = s.length;
    if (n > ASCII_DIRECT) return -1;
    for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) return -1;
    const addr = this.alloc(n);
    const off = addr % PAGE_SIZE;
    const page = off + n <= PAGE_SIZE ? this.mm().pageForWrite((addr - off) / PAGE_SIZE) : null;
    if (page) {
      for (let i = 0; i < n; i++) page[off + i] = s.charCodeAt(i);
      return addr;
    }
    // across a page boundary (or not writable as a frame): the general copy, as put() makes it
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = s.charCodeAt(i);
    this.mm().poke(addr, bytes);
    return addr;
  }

  /** A NUL-terminated byte string; returns its address. */
  cstring(s: string): number {
    const b = new Uint8Array(s.length + 1);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
    return this.put(b);
  }

  read(addr: number, len: number): Uint8Array {
    const off = addr % PAGE_SIZE;
    if (off + len <= PAGE_SIZE) {
      const page = this.mm().pageForRead((addr - off) / PAGE_SIZE);
      if (page && len > TINY_COPY) return page.slice(off, off + len);
      if (page) {
        const out = new Uint8Array(len);
        for (let i = 0; i < len; i++) out[i] = page[off + i];
        return out;
      }
    }
    return this.mm().read(addr, len) ?? new Uint8Array(0);
  }
}
