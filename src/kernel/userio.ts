// A user buffer for one read- or write-like syscall: a list of segments
// (one for read/write, several for readv/writev/sendmsg/recvmsg). The whole
// list is checked once up front (EFAULT before anything is consumed), so
// the transfer itself cannot fault halfway.
import { PAGE_SIZE, type AddressSpace } from '../hw/memory.ts';
import { EFAULT, EINVAL, EMSGSIZE } from './errno.ts';
import { MAX_RW_COUNT } from './abi.ts';
import { canRead, canWrite, getU64 } from './uaccess.ts';

export const UIO_MAXIOV = 1024;

/** Copies up to this many bytes are done in a loop rather than with subarray + set. */
const SHORT_COPY = 256;
/** Up to this many bytes a loop beats one native copy (slice, or set of a whole array) too. */
export const TINY_COPY = 16;

export interface Segment {
  addr: number;
  len: number;
}

/**
 * Copies src[from, from+n) to user address addr, page by page, straight into
 * the page frames (no temporary views): the hot path of every read. The
 * range was checked when the UserIO was built; a page that is no longer
 * writable falls back to mm.write, which refuses it as before.
 */
function copyToUser(mm: AddressSpace, addr: number, src: Uint8Array, from: number, n: number): void {
  let done = 0;
  while (done < n) {
    const a = addr + done;
    const off = a % PAGE_SIZE;
    const chunk = Math.min(n - done, PAGE_SIZE - off);
    const page = mm.pageForWrite((a - off) / PAGE_SIZE);
    if (!page) {
      mm.write(a, src.subarray(from + done, from + n));
      return;
    }
    // A whole source array is one native copy; short parts byte by byte (a subarray view per chunk costs more than the loop).
    if (chunk === src.length && chunk > TINY_COPY) page.set(src, off);
    else if (chunk <= SHORT_COPY) for (let i = 0, s = from + done; i < chunk; i++) page[off + i] = src[s + i];
    else page.set(src.subarray(from + done, from + done + chunk), off);
    done += chunk;
  }
}

/** Copies n bytes from user address addr into dst at `to`; false if a page is not readable. */
function copyFromUser(mm: AddressSpace, addr: number, dst: Uint8Array, to: number, n: number): boolean {
  let done = 0;
  while (done < n) {
    const a = addr + done;
    const off = a % PAGE_SIZE;
    const chunk = Math.min(n - done, PAGE_SIZE - off);
    const page = mm.pageForRead((a - off) / PAGE_SIZE);
    if (!page) return false;
    if (chunk <= SHORT_COPY) for (let i = 0, d = to + done; i < chunk; i++) dst[d + i] = page[off + i];
    else dst.set(page.subarray(off, off + chunk), to + done);
    done += chunk;
  }
  return true;
}

export class UserIO {
  /** bytes moved so far */
  done = 0;
  total: number;

  /**
   * A single buffer (read, write, send, recv) is kept as its address and
   * length, with `segs` null: the hot path allocates no segment list.
   */
  protected constructor(
    private mm: AddressSpace,
    private readonly segs: Segment[] | null,
    private addr = 0,
    len = 0,
  ) {
    let t = len;
    if (segs) for (const s of segs) t += s.len;
    this.total = t;
  }

  /**
   * A single buffer; len is clamped to MAX_RW_COUNT as Linux does. Checked
   * for `write` (destination) or read access. With `reuse` (a task's own,
   * from `forTask`), that object is set up for this call instead of a new
   * one: a task is in one syscall at a time, and nothing keeps a UserIO
   * past its syscall.
   */
  static buffer(mm: AddressSpace, addr: number, len: number, dest: boolean, reuse: UserIO | null = null): UserIO | number {
    const n = Math.min(len, MAX_RW_COUNT);
    if (!(dest ? canWrite(mm, addr, n) : canRead(mm, addr, n))) return -EFAULT;
    if (reuse === null) return new UserIO(mm, null, addr, n);
    reuse.mm = mm;
    reuse.addr = addr;
    reuse.total = n;
    reuse.done = 0;
    return reuse;
  }

  /** A single-buffer UserIO for a task to reuse in its read and write calls (buffer's `reuse`). */
  static forTask(mm: AddressSpace): UserIO {
    return new UserIO(mm, null);
  }

  /** An iovec array at iovAddr (struct iovec: base u64, len u64). */
  static iovec(mm: AddressSpace, iovAddr: number, iovcnt: number, dest: boolean): UserIO | number {
    if (iovcnt < 0 || iovcnt > UIO_MAXIOV) return iovcnt < 0 ? -EINVAL : -EMSGSIZE;
    const segs: Segment[] = [];
    let total = 0;
    for (let i = 0; i < iovcnt; i++) {
      const base = getU64(mm, iovAddr + 16 * i);
      const len = getU64(mm, iovAddr + 16 * i + 8);
      if (base === null || len === null) return -EFAULT;
      // A negative ssize_t length (or one whose sum overflows ssize_t) is EINVAL, as in rw_copy_check_uvector.
      if (len >= 2 ** 53 || total + len > 2 ** 53) return -EINVAL;
      const n = Math.min(len, MAX_RW_COUNT - total);
      if (n > 0 && !(dest ? canWrite(mm, base, n) : canRead(mm, base, n))) return -EFAULT;
      if (n > 0) segs.push({ addr: base, len: n });
      total += n;
    }
    return new UserIO(mm, segs);
  }

  get remaining(): number {
    return this.total - this.done;
  }

  /** Copies the next n bytes from the user (write side). */
  copyIn(n: number): Uint8Array {
    const want = Math.min(n, this.remaining);
    if (this.segs === null) {
      const a = this.addr + this.done;
      this.done += want;
      const off = a % PAGE_SIZE;
      if (off + want <= PAGE_SIZE && want > TINY_COPY) {
        // Within one page (most short writes): one native copy into a fresh array.
        const page = this.mm.pageForRead((a - off) / PAGE_SIZE);
        if (page) return page.slice(off, off + want);
      }
      const out = new Uint8Array(want);
      if (!copyFromUser(this.mm, a, out, 0, want)) out.set(this.mm.read(a, want) ?? new Uint8Array(want));
      return out;
    }
    const out = new Uint8Array(want);
    let got = 0;
    let skip = this.done;
    for (const s of this.segs) {
      if (got === out.length) break;
      if (skip >= s.len) {
        skip -= s.len;
        continue;
      }
      const take = Math.min(s.len - skip, out.length - got);
      if (!copyFromUser(this.mm, s.addr + skip, out, got, take)) out.set(this.mm.read(s.addr + skip, take) ?? new Uint8Array(take), got);
      got += take;
      skip = 0;
    }
    this.done += got;
    return out;
  }

  /**
   * Copies the next n bytes (at most what remains) from the user into
   * dst[at, at + n), as copyIn does, for a caller that owns where the bytes
   * go (a message's slab: src/unix/skbdata.ts); returns how many it copied.
   */
  copyInto(dst: Uint8Array, at: number, n: number): number {
    const want = Math.min(n, this.remaining);
    if (this.segs === null) {
      const a = this.addr + this.done;
      this.done += want;
      if (!copyFromUser(this.mm, a, dst, at, want)) dst.set(this.mm.read(a, want) ?? new Uint8Array(want), at);
      return want;
    }
    const bytes = this.copyIn(want);
    dst.set(bytes, at);
    return bytes.length;
  }

  /** Copies bytes[from..] out to the user (read side); returns how many fit. */
  copyOut(bytes: Uint8Array, from = 0): number {
    return this.copyOutOf(bytes, from, bytes.length);
  }

  /** Copies bytes[from, end) out to the user (read side); returns how many fit. */
  copyOutOf(bytes: Uint8Array, from: number, end: number): number {
    const n = Math.min(end - from, this.remaining);
    if (this.segs === null) {
      copyToUser(this.mm, this.addr + this.done, bytes, from, n);
      this.done += n;
      return n;
    }
    let put = 0;
    let skip = this.done;
    for (const s of this.segs) {
      if (put === n) break;
      if (skip >= s.len) {
        skip -= s.len;
        continue;
      }
      const take = Math.min(s.len - skip, n - put);
      copyToUser(this.mm, s.addr + skip, bytes, from + put, take);
      put += take;
      skip = 0;
    }
    this.done += put;
    return put;
  }
}
