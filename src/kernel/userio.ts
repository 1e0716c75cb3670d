// A user buffer for one read- or write-like syscall: a list of segments
// (one for read/write, several for readv/writev/sendmsg/recvmsg). As Linux's
// import_ubuf and import_iovec do, the list is checked up front only for
// access_ok (every segment below the top of user space: EFAULT before
// anything else); a hole inside it faults at the copy, as copy_to_user and
// copy_from_user do: the copy stops at the first byte it cannot reach and
// `faulted` says so. What a short copy means is the caller's: each handler
// does what its Linux counterpart does (a stream read returns the skbs it
// copied whole, a datagram read has already dequeued its datagram, a pipe
// write counts the pipe buffers it filled; -EFAULT when nothing counts).
import { PAGE_SIZE, type AddressSpace } from '../hw/memory.ts';
import { EFAULT, EINVAL, EMSGSIZE } from './errno.ts';
import { MAX_RW_COUNT } from './abi.ts';
import { accessOk, getU64 } from './uaccess.ts';

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
 * the page frames (no temporary views): the hot path of every read. Returns
 * how many bytes it copied: fewer than n when it met a page it cannot write
 * (unmapped, read-only, or no memory for its own frame).
 */
function copyToUser(mm: AddressSpace, addr: number, src: Uint8Array, from: number, n: number): number {
  let done = 0;
  while (done < n) {
    const a = addr + done;
    const off = a % PAGE_SIZE;
    const chunk = Math.min(n - done, PAGE_SIZE - off);
    const page = mm.pageForWrite((a - off) / PAGE_SIZE);
    if (!page) return done;
    // A whole source array is one native copy; short parts byte by byte (a subarray view per chunk costs more than the loop).
    if (chunk === src.length && chunk > TINY_COPY) page.set(src, off);
    else if (chunk <= SHORT_COPY) for (let i = 0, s = from + done; i < chunk; i++) page[off + i] = src[s + i];
    else page.set(src.subarray(from + done, from + done + chunk), off);
    done += chunk;
  }
  return done;
}

/** Copies n bytes from user address addr into dst at `to`; returns how many: fewer at the first page it cannot read. */
function copyFromUser(mm: AddressSpace, addr: number, dst: Uint8Array, to: number, n: number): number {
  let done = 0;
  while (done < n) {
    const a = addr + done;
    const off = a % PAGE_SIZE;
    const chunk = Math.min(n - done, PAGE_SIZE - off);
    const page = mm.pageForRead((a - off) / PAGE_SIZE);
    if (!page) return done;
    if (chunk <= SHORT_COPY) for (let i = 0, d = to + done; i < chunk; i++) dst[d + i] = page[off + i];
    else dst.set(page.subarray(off, off + chunk), to + done);
    done += chunk;
  }
  return done;
}

export class UserIO {
  /** bytes moved so far */
  done = 0;
  total: number;
  /** a copy stopped at a byte it could not reach (the next copy would fault at once) */
  faulted = false;

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
   * A single buffer (import_ubuf): access_ok, then len clamped to
   * MAX_RW_COUNT as Linux does. With `reuse` (a task's own, from `forTask`),
   * that object is set up for this call instead of a new one: a task is in
   * one syscall at a time, and nothing keeps a UserIO past its syscall.
   */
  static buffer(mm: AddressSpace, addr: number, len: number, reuse: UserIO | null = null): UserIO | number {
    if (!accessOk(addr, len)) return -EFAULT;
    const n = Math.min(len, MAX_RW_COUNT);
    if (reuse === null) return new UserIO(mm, null, addr, n);
    reuse.mm = mm;
    reuse.addr = addr;
    reuse.total = n;
    reuse.done = 0;
    reuse.faulted = false;
    return reuse;
  }

  /** A single-buffer UserIO for a task to reuse in its read and write calls (buffer's `reuse`). */
  static forTask(mm: AddressSpace): UserIO {
    return new UserIO(mm, null);
  }

  /** An iovec array at iovAddr (struct iovec: base u64, len u64), as import_iovec takes it: each segment access_ok. */
  static iovec(mm: AddressSpace, iovAddr: number, iovcnt: number): UserIO | number {
    if (iovcnt < 0 || iovcnt > UIO_MAXIOV) return iovcnt < 0 ? -EINVAL : -EMSGSIZE;
    const segs: Segment[] = [];
    let total = 0;
    for (let i = 0; i < iovcnt; i++) {
      const base = getU64(mm, iovAddr + 16 * i);
      const len = getU64(mm, iovAddr + 16 * i + 8);
      if (base === null || len === null) return -EFAULT;
      // A negative ssize_t length (or one whose sum overflows ssize_t) is EINVAL, as in rw_copy_check_uvector.
      if (len >= 2 ** 53 || total + len > 2 ** 53) return -EINVAL;
      if (!accessOk(base, len)) return -EFAULT;
      const n = Math.min(len, MAX_RW_COUNT - total);
      if (n > 0) segs.push({ addr: base, len: n });
      total += n;
    }
    return new UserIO(mm, segs);
  }

  get remaining(): number {
    return this.total - this.done;
  }

  /**
   * Copies the next n bytes from the user (write side): at most what
   * remains, fewer when it meets a page it cannot read (then `faulted`).
   */
  copyIn(n: number): Uint8Array {
    const want = Math.min(n, this.remaining);
    if (this.segs === null) {
      const a = this.addr + this.done;
      const off = a % PAGE_SIZE;
      if (off + want <= PAGE_SIZE && want > TINY_COPY) {
        // Within one page (most short writes): one native copy into a fresh array.
        const page = this.mm.pageForRead((a - off) / PAGE_SIZE);
        if (page) {
          this.done += want;
          return page.slice(off, off + want);
        }
      }
      const out = new Uint8Array(want);
      const got = copyFromUser(this.mm, a, out, 0, want);
      this.done += got;
      if (got === want) return out;
      this.faulted = true;
      return out.subarray(0, got);
    }
    const out = new Uint8Array(want);
    const got = this.copySegsIn(out, 0, want);
    return got === want ? out : out.subarray(0, got);
  }

  /**
   * Copies the next n bytes (at most what remains) from the user into
   * dst[at, at + n), as copyIn does, for a caller that owns where the bytes
   * go (a message's slab: src/unix/skbdata.ts); returns how many it copied.
   */
  copyInto(dst: Uint8Array, at: number, n: number): number {
    const want = Math.min(n, this.remaining);
    if (this.segs !== null) return this.copySegsIn(dst, at, want);
    const got = copyFromUser(this.mm, this.addr + this.done, dst, at, want);
    this.done += got;
    if (got < want) this.faulted = true;
    return got;
  }

  /** copyIn over the segment list: `want` bytes (at most what remains) into dst at `at`; how many it copied. */
  private copySegsIn(dst: Uint8Array, at: number, want: number): number {
    let got = 0;
    let skip = this.done;
    for (const s of this.segs!) {
      if (got === want) break;
      if (skip >= s.len) {
        skip -= s.len;
        continue;
      }
      const take = Math.min(s.len - skip, want - got);
      const n = copyFromUser(this.mm, s.addr + skip, dst, at + got, take);
      got += n;
      if (n < take) {
        this.faulted = true;
        break;
      }
      skip = 0;
    }
    this.done += got;
    return got;
  }

  /** Copies bytes[from..] out to the user (read side); returns how many fit. */
  copyOut(bytes: Uint8Array, from = 0): number {
    return this.copyOutOf(bytes, from, bytes.length);
  }

  /**
   * Copies bytes[from, end) out to the user (read side); returns how many
   * it copied: what fits, fewer when it meets a page it cannot write (then
   * `faulted`).
   */
  copyOutOf(bytes: Uint8Array, from: number, end: number): number {
    const n = Math.min(end - from, this.remaining);
    if (this.segs === null) {
      const put = copyToUser(this.mm, this.addr + this.done, bytes, from, n);
      this.done += put;
      if (put < n) this.faulted = true;
      return put;
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
      const c = copyToUser(this.mm, s.addr + skip, bytes, from + put, take);
      put += c;
      if (c < take) {
        this.faulted = true;
        break;
      }
      skip = 0;
    }
    this.done += put;
    return put;
  }
}
