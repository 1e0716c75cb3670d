// A paged, sparse user address space: mappings (VMAs) with R/W/X
// permissions, and 4 KiB page frames that exist only once a page is
// touched, shared copy-on-write between a process and its fork children.
//
// A mapping is a reservation and costs (almost) nothing: an anonymous page
// reads as the budget's zero page until its first write gives it a frame of
// its own, as Linux's do_anonymous_page does, so a PROT_NONE reservation of
// hundreds of GiB or a huge bss is free until used. Every frame, page-table
// entry and mapping record is charged to the run's MemoryBudget; a fault
// that cannot get a frame fails (and sets `oom`, which the kernel turns
// into the OOM rule's SIGKILL).
//
// MAP_SHARED mappings are backed by a SharedMemory object whose frames
// every mapping of it uses (also in fork children), so writes are seen by
// all of them.
//
// The kernel never trusts guest pointers: every kernel access goes through
// the checked `read`/`write` helpers here (returning null/false on any
// unmapped or forbidden byte), which `src/kernel/uaccess.ts` turns into
// EFAULT. The hart uses the page-granular accessors (`pageFor*`) and keeps
// its own small cache; `generation` changes whenever a mapping or a
// permission changes, so such caches know when to drop what they hold.
import { MemoryBudget, PTE_COST, VMA_COST } from './budget.ts';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** Highest user address + 1 (Sv39-style 256 GiB user half). */
export const USER_TOP = 2 ** 38;

/** Linux's default vm.max_map_count: more mappings than this and mmap/mprotect fail with ENOMEM. */
export const MAX_MAP_COUNT = 65530;

/** Physical page contents, shared by every address space that maps it copy-on-write. */
class Frame {
  /** number of page-table entries (across address spaces) that map this frame */
  refs = 1;
  constructor(readonly bytes: Uint8Array) {}
}

/** The frames behind a MAP_SHARED mapping, by page index: every mapping of it (across fork) sees the same bytes. */
export class SharedMemory {
  private readonly frames = new Map<number, Frame>();
  /** VMAs (in any address space) that map this object */
  users = 0;
  constructor(private readonly budget: MemoryBudget) {}

  /** The frame of page `index`, allocated (zeroed, charged) on first use; null when the budget is spent. */
  frameAt(index: number): Frame | null {
    let f = this.frames.get(index);
    if (f === undefined) {
      if (!this.budget.charge(PAGE_SIZE)) return null;
      f = new Frame(new Uint8Array(PAGE_SIZE));
      this.frames.set(index, f);
    }
    return f;
  }

  /** One mapping of it went away; the last one frees the frames. */
  drop(): void {
    if (--this.users > 0) return;
    this.budget.release(this.frames.size * PAGE_SIZE);
    this.frames.clear();
  }
}

/** One mapping: pages [start, end) (page numbers) with one protection. */
interface Vma {
  start: number;
  end: number;
  prot: number;
  /** backing of a MAP_SHARED mapping, and the page index of `start` in it */
  shared: SharedMemory | null;
  pgoff: number;
  /** pages of a file mapping wholly past the end of the file: every access faults (SIGBUS), and the kernel's copies are EFAULT */
  bus?: boolean;
}

/** Told of every page this space hands to a writer (a hart's decoded-instruction cache). */
export interface CodeWatcher {
  pageWritten(vpn: number): void;
}

interface PageEntry {
  frame: Frame;
  prot: number;
  /** the frame belongs to a SharedMemory: writes go to it, never copied */
  shared: boolean;
}

export class AddressSpace {
  private readonly pages = new Map<number, PageEntry>();
  /** mappings, sorted by start, never overlapping */
  private readonly vmas: Vma[] = [];
  private readonly zero: Frame;
  /** Bumped on every map/unmap/protect/copy-on-write break: invalidates hart page caches. */
  generation = 0;
  /** the mapping the last successful `covered` ended in, and the generation it was found in (a one-entry cache) */
  private lastVma: Vma | null = null;
  private lastVmaAt = -1;
  /** Set when a page fault could not get a frame from the budget (the OOM rule applies); the kernel clears it. */
  oom = false;
  /**
   * Decoded-code caches of the harts running here: every write access,
   * a guest store translation or a kernel copy to user memory (read()
   * into a page that holds code), drops the code decoded from that page.
   */
  private readonly codeWatchers: CodeWatcher[] = [];

  constructor(readonly budget: MemoryBudget = new MemoryBudget()) {
    this.zero = new Frame(budget.zeroPage);
  }

  /** Page-table entries this space holds (touched pages). */
  get pageCount(): number {
    return this.pages.size;
  }

  /** Mappings this space holds. */
  get mapCount(): number {
    return this.vmas.length;
  }

  /**
   * Maps zero-filled pages over [addr, addr+len), replacing what was there
   * (nothing is allocated until a page is touched). addr must be page
   * aligned. With `shared`, the pages are that object's, from page `pgoff`.
   * False (nothing changed) when the mapping count would pass MAX_MAP_COUNT.
   */
  map(addr: number, len: number, prot: number, shared: SharedMemory | null = null, pgoff = 0, bus = false): boolean {
    if (addr % PAGE_SIZE !== 0) throw new RangeError(`map: unaligned address 0x${addr.toString(16)}`);
    const first = addr / PAGE_SIZE;
    const last = Math.ceil((addr + len) / PAGE_SIZE);
    if (last <= first) return true;
    if (this.vmas.length + 2 > MAX_MAP_COUNT) return false;
    this.removeRange(first, last);
    const v: Vma = { start: first, end: last, prot, shared, pgoff };
    if (bus) v.bus = true;
    if (shared) shared.users++;
    let i = this.indexAfter(first);
    this.vmas.splice(i, 0, v);
    this.chargeAlways(VMA_COST);
    // Merge with equal anonymous neighbours (brk and stack growth extend one mapping).
    if (i + 1 < this.vmas.length && this.mergeable(v, this.vmas[i + 1])) this.mergeNext(i);
    if (i > 0 && this.mergeable(this.vmas[i - 1], v)) this.mergeNext(--i);
    this.generation++;
    return true;
  }

  /** Removes every page of [addr, addr+len); unmapped holes are fine. */
  unmap(addr: number, len: number): void {
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.ceil((addr + len) / PAGE_SIZE);
    if (last > first) this.removeRange(first, last);
    this.generation++;
  }

  /**
   * Changes the permissions of [addr, addr+len); false (nothing changed) if
   * any page of it is unmapped, or splitting would pass MAX_MAP_COUNT
   * (mprotect's ENOMEM). Splits mappings as needed.
   */
  protect(addr: number, len: number, prot: number): boolean {
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.ceil((addr + len) / PAGE_SIZE);
    if (last <= first) return true;
    if (!this.covered(first, last, 0) || this.vmas.length + 2 > MAX_MAP_COUNT) return false;
    this.splitAt(first);
    this.splitAt(last);
    for (let i = this.indexAfter(first) - 1; i < this.vmas.length; i++) {
      if (i < 0) continue;
      const v = this.vmas[i];
      if (v.start >= last) break;
      if (v.end > first) v.prot = prot;
    }
    this.forPages(first, last, (_vpn, e) => {
      e.prot = prot;
    });
    this.generation++;
    return true;
  }

  watchCode(w: CodeWatcher): void {
    this.codeWatchers.push(w);
  }

  unwatchCode(w: CodeWatcher): void {
    const i = this.codeWatchers.indexOf(w);
    if (i >= 0) this.codeWatchers.splice(i, 1);
  }

  private codeWritten(vpn: number): void {
    const ws = this.codeWatchers;
    for (let i = 0; i < ws.length; i++) ws[i].pageWritten(vpn);
  }

  isMapped(addr: number): boolean {
    return this.vmaAt(Math.floor(addr / PAGE_SIZE)) !== null;
  }

  /** Does any page of [addr, addr+len) belong to a mapping? */
  anyMapped(addr: number, len: number): boolean {
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.ceil((addr + len) / PAGE_SIZE);
    const i = this.indexAfter(first) - 1;
    if (i >= 0 && this.vmas[i].end > first) return true;
    const next = this.vmas[i + 1];
    return next !== undefined && next.start < last;
  }

  /**
   * The highest page-aligned free range of len bytes inside [low, high), or
   * -1 (Linux's top-down unmapped-area search, without randomisation).
   */
  findFree(len: number, low: number, high: number): number {
    const need = Math.ceil(len / PAGE_SIZE);
    const lowVpn = Math.ceil(low / PAGE_SIZE);
    let end = Math.floor(high / PAGE_SIZE);
    for (let i = this.vmas.length - 1; i >= -1; i--) {
      const v = i >= 0 ? this.vmas[i] : null;
      if (v && v.start >= end) continue;
      if (v && v.end > end) {
        end = v.start;
        continue;
      }
      const gapStart = v ? Math.max(v.end, lowVpn) : lowVpn;
      if (end - gapStart >= need) return (end - need) * PAGE_SIZE;
      if (!v || v.start <= lowVpn) return -1;
      end = v.start;
    }
    return -1;
  }

  protAt(addr: number): number {
    const v = this.vmaAt(Math.floor(addr / PAGE_SIZE));
    return v ? v.prot : -1;
  }

  /** Is addr in pages of a file mapping past the end of its file (an access is SIGBUS, not SIGSEGV)? */
  busAt(addr: number): boolean {
    return this.vmaAt(Math.floor(addr / PAGE_SIZE))?.bus === true;
  }

  /** True when every byte of [addr, addr+len) is mapped with all of `access`'s bits. */
  check(addr: number, len: number, access: number): boolean {
    if (len === 0) return true;
    if (!(addr >= 0) || !(len > 0) || addr + len > USER_TOP) return false;
    return this.covered(Math.floor(addr / PAGE_SIZE), Math.floor((addr + len - 1) / PAGE_SIZE) + 1, access);
  }

  /** The page's bytes for reading, or null when unmapped or not readable. */
  pageForRead(vpn: number): Uint8Array | null {
    const e = this.pages.get(vpn) ?? this.faultIn(vpn, PROT_READ);
    return e !== null && e.prot & PROT_READ ? e.frame.bytes : null;
  }

  /** The page's bytes for instruction fetch, or null when unmapped or not executable. */
  pageForExec(vpn: number): Uint8Array | null {
    const e = this.pages.get(vpn) ?? this.faultIn(vpn, PROT_EXEC);
    return e !== null && e.prot & PROT_EXEC ? e.frame.bytes : null;
  }

  /** The page's bytes for writing (giving it its own frame first), or null when unmapped, read-only or out of memory. */
  pageForWrite(vpn: number): Uint8Array | null {
    const e = this.pages.get(vpn) ?? this.faultIn(vpn, PROT_WRITE);
    if (e === null || !(e.prot & PROT_WRITE)) return null;
    const f = this.ownFrame(e);
    if (f === null) return null;
    if (this.codeWatchers.length !== 0) this.codeWritten(vpn);
    return f.bytes;
  }

  /** Copies out [addr, addr+len); null if any byte is not readable. Untouched pages read as zeros and stay untouched. */
  read(addr: number, len: number): Uint8Array | null {
    if (!this.check(addr, len, PROT_READ)) return null;
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = addr + done;
      const off = a % PAGE_SIZE;
      const n = Math.min(len - done, PAGE_SIZE - off);
      const e = this.pages.get(Math.floor(a / PAGE_SIZE));
      if (e !== undefined) out.set(e.frame.bytes.subarray(off, off + n), done);
      else {
        const vpn = Math.floor(a / PAGE_SIZE);
        const v = this.vmaAt(vpn)!;
        const f = v.shared ? v.shared.frameAt(v.pgoff + vpn - v.start) : this.zero;
        if (f === null) return null;
        out.set(f.bytes.subarray(off, off + n), done);
      }
      done += n;
    }
    return out;
  }

  /** Copies `bytes` in at addr; false if any byte is not writable (nothing written) or memory ran out. */
  write(addr: number, bytes: Uint8Array): boolean {
    return this.writeChecked(addr, bytes, PROT_WRITE);
  }

  /** Like write, but ignores permissions: the loader and kernel-built stacks use it on mapped pages. */
  poke(addr: number, bytes: Uint8Array): boolean {
    return this.writeChecked(addr, bytes, 0);
  }

  /** Zeroes [addr, addr+len) where pages were touched (untouched ones already read as zero); ignores permissions. */
  zeroTouched(addr: number, len: number): void {
    const first = Math.floor(addr / PAGE_SIZE), last = Math.ceil((addr + len) / PAGE_SIZE);
    const touched: number[] = [];
    this.forPages(first, last, (vpn, e) => {
      if (e.frame !== this.zero && !e.shared) touched.push(vpn);
    });
    for (const vpn of touched) {
      const from = Math.max(addr, vpn * PAGE_SIZE), to = Math.min(addr + len, (vpn + 1) * PAGE_SIZE);
      this.poke(from, new Uint8Array(to - from));
    }
  }

  /** A copy-on-write clone for fork: both spaces share frames until one writes; null when the budget cannot hold the page tables. */
  clone(): AddressSpace | null {
    if (!this.budget.charge(this.pages.size * PTE_COST + this.vmas.length * VMA_COST)) return null;
    const child = new AddressSpace(this.budget);
    for (const v of this.vmas) {
      if (v.shared) v.shared.users++;
      child.vmas.push({ ...v });
    }
    for (const [vpn, e] of this.pages) {
      if (e.frame === this.zero) {
        child.pages.set(vpn, { frame: child.zero, prot: e.prot, shared: false });
        continue;
      }
      if (!e.shared) e.frame.refs++;
      child.pages.set(vpn, { frame: e.frame, prot: e.prot, shared: e.shared });
    }
    // Every parent page is now shared: cached write translations must go so the next store breaks COW.
    this.generation++;
    return child;
  }

  /** Drops every mapping (exit, execve). */
  clear(): void {
    for (const [vpn, e] of this.pages) this.freeEntry(vpn, e);
    this.pages.clear();
    for (const v of this.vmas) this.dropVma(v);
    this.vmas.length = 0;
    this.generation++;
  }

  private writeChecked(addr: number, bytes: Uint8Array, access: number): boolean {
    const len = bytes.length;
    if (len === 0) return true;
    if (!this.check(addr, len, access)) return false;
    let done = 0;
    while (done < len) {
      const a = addr + done;
      const off = a % PAGE_SIZE;
      const n = Math.min(len - done, PAGE_SIZE - off);
      const vpn = Math.floor(a / PAGE_SIZE);
      const e = this.pages.get(vpn) ?? this.faultIn(vpn, 0);
      const f = e === null ? null : this.ownFrame(e);
      if (f === null) return false;
      if (this.codeWatchers.length !== 0) this.codeWritten(vpn);
      f.bytes.set(bytes.subarray(done, done + n), off);
      done += n;
    }
    return true;
  }

  /**
   * A page-table entry for a touched page of a mapping that allows `access`
   * (0: any mapping): the shared object's frame, or the zero page until the
   * first write. Null when no such mapping, or the budget is spent.
   */
  private faultIn(vpn: number, access: number): PageEntry | null {
    const v = this.vmaAt(vpn);
    if (v === null || v.bus || (v.prot & access) !== access) return null;
    if (!this.budget.charge(PTE_COST)) {
      this.oom = true;
      return null;
    }
    let frame = this.zero;
    if (v.shared) {
      const f = v.shared.frameAt(v.pgoff + vpn - v.start);
      if (f === null) {
        this.budget.release(PTE_COST);
        this.oom = true;
        return null;
      }
      frame = f;
    }
    const e: PageEntry = { frame, prot: v.prot, shared: v.shared !== null };
    this.pages.set(vpn, e);
    return e;
  }

  /** Makes the entry's frame private to this space (first write of a zero page, copy-on-write break); null when out of memory. */
  private ownFrame(e: PageEntry): Frame | null {
    if (e.shared) return e.frame;
    if (e.frame === this.zero || e.frame.refs > 1) {
      if (!this.budget.charge(PAGE_SIZE)) {
        this.oom = true;
        return null;
      }
      if (e.frame === this.zero) e.frame = new Frame(new Uint8Array(PAGE_SIZE));
      else {
        e.frame.refs--;
        e.frame = new Frame(e.frame.bytes.slice());
      }
      this.generation++;
    }
    return e.frame;
  }

  private freeEntry(_vpn: number, e: PageEntry): void {
    this.budget.release(PTE_COST);
    if (e.shared || e.frame === this.zero) return;
    if (--e.frame.refs === 0) this.budget.release(PAGE_SIZE);
  }

  private dropVma(v: Vma): void {
    this.budget.release(VMA_COST);
    if (v.shared) v.shared.drop();
  }

  /** Calls fn for each touched page in [first, last), walking whichever is smaller: the range or the page table. */
  private forPages(first: number, last: number, fn: (vpn: number, e: PageEntry) => void): void {
    if (last - first <= this.pages.size) {
      for (let vpn = first; vpn < last; vpn++) {
        const e = this.pages.get(vpn);
        if (e !== undefined) fn(vpn, e);
      }
    } else {
      for (const [vpn, e] of this.pages) if (vpn >= first && vpn < last) fn(vpn, e);
    }
  }

  /** Index of the first mapping whose start is above vpn. */
  private indexAfter(vpn: number): number {
    let lo = 0, hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.vmas[mid].start <= vpn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private vmaAt(vpn: number): Vma | null {
    const i = this.indexAfter(vpn) - 1;
    if (i < 0) return null;
    const v = this.vmas[i];
    return vpn < v.end ? v : null;
  }

  /** Is every page of [first, last) mapped with `access`? */
  private covered(first: number, last: number, access: number): boolean {
    // Most checks fall in the mapping the last one ended in (a syscall's buffer on the stack or heap):
    // that mapping is asked first, while the mappings are as they were then.
    const hit = this.lastVma;
    if (hit !== null && this.lastVmaAt === this.generation && hit.start <= first && last <= hit.end) {
      return !hit.bus && (hit.prot & access) === access;
    }
    let vpn = first;
    let i = this.indexAfter(vpn) - 1;
    if (i < 0) return false;
    while (vpn < last) {
      const v = this.vmas[i];
      if (v === undefined || v.start > vpn || v.end <= vpn || v.bus || (v.prot & access) !== access) return false;
      vpn = v.end;
      i++;
    }
    this.lastVma = this.vmas[i - 1];
    this.lastVmaAt = this.generation;
    return true;
  }

  /** Splits the mapping that strictly contains vpn, so that a mapping boundary falls at vpn. */
  private splitAt(vpn: number): void {
    const i = this.indexAfter(vpn) - 1;
    if (i < 0) return;
    const v = this.vmas[i];
    if (!(v.start < vpn && vpn < v.end)) return;
    const right: Vma = { ...v, start: vpn, pgoff: v.pgoff + (vpn - v.start) };
    if (v.shared) v.shared.users++;
    v.end = vpn;
    this.vmas.splice(i + 1, 0, right);
    this.chargeAlways(VMA_COST);
  }

  /** Unmaps pages [first, last): mappings are cut at the ends and removed inside, touched pages freed. */
  private removeRange(first: number, last: number): void {
    this.splitAt(first);
    this.splitAt(last);
    // After the splits every mapping starting in [first, last) lies inside it.
    const i = this.indexAfter(first - 1), j = this.indexAfter(last - 1);
    for (let x = i; x < j; x++) this.dropVma(this.vmas[x]);
    if (j > i) this.vmas.splice(i, j - i);
    const gone: number[] = [];
    this.forPages(first, last, (vpn, e) => {
      this.freeEntry(vpn, e);
      gone.push(vpn);
    });
    for (const vpn of gone) this.pages.delete(vpn);
  }

  /** Bookkeeping that must be recorded even past the limit (a split mapping): the limit is enforced on frames. */
  private chargeAlways(n: number): void {
    if (!this.budget.charge(n)) this.budget.release(-n);
  }

  private mergeable(a: Vma, b: Vma): boolean {
    return a.end === b.start && a.prot === b.prot && a.shared === null && b.shared === null && !a.bus && !b.bus;
  }

  /** Merges vmas[i+1] into vmas[i]. */
  private mergeNext(i: number): void {
    this.vmas[i].end = this.vmas[i + 1].end;
    this.vmas.splice(i + 1, 1);
    this.budget.release(VMA_COST);
  }
}
