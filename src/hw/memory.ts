// A paged, sparse user address space: 4 KiB pages with R/W/X permissions,
// shared copy-on-write between a process and its fork children.
//
// The kernel never trusts guest pointers: every kernel access goes through
// the checked `read`/`write` helpers here (returning null/false on any
// unmapped or forbidden byte), which `src/kernel/uaccess.ts` turns into
// EFAULT. The hart uses the page-granular accessors (`pageFor*`) and keeps
// its own small cache; `generation` changes whenever a mapping or a
// permission changes, so such caches know when to drop what they hold.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** Highest user address + 1 (Sv39-style 256 GiB user half). */
export const USER_TOP = 2 ** 38;

/** Physical page contents, shared by every address space that maps it copy-on-write. */
class Frame {
  /** number of page-table entries (across address spaces) that map this frame */
  refs = 1;
  constructor(readonly bytes: Uint8Array) {}
}

interface PageEntry {
  frame: Frame;
  prot: number;
}

export class AddressSpace {
  private readonly pages = new Map<number, PageEntry>();
  /** Bumped on every map/unmap/protect/copy-on-write break: invalidates hart page caches. */
  generation = 0;
  /** Total frames this space maps (for accounting and tests). */
  get pageCount(): number {
    return this.pages.size;
  }

  /** Maps zero-filled pages over [addr, addr+len), replacing what was there. addr must be page aligned. */
  map(addr: number, len: number, prot: number): void {
    if (addr % PAGE_SIZE !== 0) throw new RangeError(`map: unaligned address 0x${addr.toString(16)}`);
    const first = addr / PAGE_SIZE;
    const last = Math.ceil((addr + len) / PAGE_SIZE);
    for (let vpn = first; vpn < last; vpn++) {
      this.dropPage(vpn);
      this.pages.set(vpn, { frame: new Frame(new Uint8Array(PAGE_SIZE)), prot });
    }
    this.generation++;
  }

  /** Removes every page of [addr, addr+len); unmapped holes are fine. */
  unmap(addr: number, len: number): void {
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.ceil((addr + len) / PAGE_SIZE);
    for (let vpn = first; vpn < last; vpn++) this.dropPage(vpn);
    this.generation++;
  }

  /** Changes permissions of mapped pages in range; returns false if any page is unmapped (ENOMEM). */
  protect(addr: number, len: number, prot: number): boolean {
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.ceil((addr + len) / PAGE_SIZE);
    for (let vpn = first; vpn < last; vpn++) if (!this.pages.has(vpn)) return false;
    for (let vpn = first; vpn < last; vpn++) this.pages.get(vpn)!.prot = prot;
    this.generation++;
    return true;
  }

  isMapped(addr: number): boolean {
    return this.pages.has(Math.floor(addr / PAGE_SIZE));
  }

  protAt(addr: number): number {
    const e = this.pages.get(Math.floor(addr / PAGE_SIZE));
    return e ? e.prot : -1;
  }

  /** True when every byte of [addr, addr+len) is mapped with all of `access`'s bits. */
  check(addr: number, len: number, access: number): boolean {
    if (len === 0) return true;
    if (!(addr >= 0) || !(len > 0) || addr + len > USER_TOP) return false;
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.floor((addr + len - 1) / PAGE_SIZE);
    for (let vpn = first; vpn <= last; vpn++) {
      const e = this.pages.get(vpn);
      if (!e || (e.prot & access) !== access) return false;
    }
    return true;
  }

  /** The page's bytes for reading, or null when unmapped or not readable. */
  pageForRead(vpn: number): Uint8Array | null {
    const e = this.pages.get(vpn);
    return e && e.prot & PROT_READ ? e.frame.bytes : null;
  }

  /** The page's bytes for instruction fetch, or null when unmapped or not executable. */
  pageForExec(vpn: number): Uint8Array | null {
    const e = this.pages.get(vpn);
    return e && e.prot & PROT_EXEC ? e.frame.bytes : null;
  }

  /** The page's bytes for writing (breaking copy-on-write first), or null when unmapped or read-only. */
  pageForWrite(vpn: number): Uint8Array | null {
    const e = this.pages.get(vpn);
    if (!e || !(e.prot & PROT_WRITE)) return null;
    return this.ownFrame(e).bytes;
  }

  /** Copies out [addr, addr+len); null if any byte is not readable. */
  read(addr: number, len: number): Uint8Array | null {
    if (!this.check(addr, len, PROT_READ)) return null;
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = addr + done;
      const off = a % PAGE_SIZE;
      const n = Math.min(len - done, PAGE_SIZE - off);
      const page = this.pages.get(Math.floor(a / PAGE_SIZE))!.frame.bytes;
      out.set(page.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /** Copies `bytes` in at addr; false (and nothing written) if any byte is not writable. */
  write(addr: number, bytes: Uint8Array): boolean {
    return this.writeChecked(addr, bytes, PROT_WRITE);
  }

  /** Like write, but ignores permissions: the loader and kernel-built stacks use it on mapped pages. */
  poke(addr: number, bytes: Uint8Array): boolean {
    return this.writeChecked(addr, bytes, 0);
  }

  /** A copy-on-write clone for fork: both spaces share frames until one writes. */
  clone(): AddressSpace {
    const child = new AddressSpace();
    for (const [vpn, e] of this.pages) {
      e.frame.refs++;
      child.pages.set(vpn, { frame: e.frame, prot: e.prot });
    }
    // Every parent page is now shared: cached write translations must go so the next store breaks COW.
    this.generation++;
    return child;
  }

  /** Drops every mapping (exit, execve). */
  clear(): void {
    for (const vpn of [...this.pages.keys()]) this.dropPage(vpn);
    this.generation++;
  }

  private writeChecked(addr: number, bytes: Uint8Array, access: number): boolean {
    const len = bytes.length;
    if (len === 0) return true;
    if (!(addr >= 0) || addr + len > USER_TOP) return false;
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.floor((addr + len - 1) / PAGE_SIZE);
    for (let vpn = first; vpn <= last; vpn++) {
      const e = this.pages.get(vpn);
      if (!e || (e.prot & access) !== access) return false;
    }
    let done = 0;
    while (done < len) {
      const a = addr + done;
      const off = a % PAGE_SIZE;
      const n = Math.min(len - done, PAGE_SIZE - off);
      const page = this.ownFrame(this.pages.get(Math.floor(a / PAGE_SIZE))!).bytes;
      page.set(bytes.subarray(done, done + n), off);
      done += n;
    }
    return true;
  }

  /** Makes the entry's frame private to this space (copy-on-write break). */
  private ownFrame(e: PageEntry): Frame {
    if (e.frame.refs > 1) {
      e.frame.refs--;
      e.frame = new Frame(e.frame.bytes.slice());
      this.generation++;
    }
    return e.frame;
  }

  private dropPage(vpn: number): void {
    const e = this.pages.get(vpn);
    if (!e) return;
    e.frame.refs--;
    this.pages.delete(vpn);
  }
}
