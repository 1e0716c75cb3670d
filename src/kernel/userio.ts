// A user buffer for one read- or write-like syscall: a list of segments
// (one for read/write, several for readv/writev/sendmsg/recvmsg). The whole
// list is checked once up front (EFAULT before anything is consumed), so
// the transfer itself cannot fault halfway.
import type { AddressSpace } from '../hw/memory.ts';
import { EFAULT, EINVAL, EMSGSIZE } from './errno.ts';
import { MAX_RW_COUNT } from './abi.ts';
import { canRead, canWrite, getU64 } from './uaccess.ts';

export const UIO_MAXIOV = 1024;

export interface Segment {
  addr: number;
  len: number;
}

export class UserIO {
  /** bytes moved so far */
  done = 0;
  readonly total: number;

  private constructor(
    private readonly mm: AddressSpace,
    private readonly segs: Segment[],
  ) {
    let t = 0;
    for (const s of segs) t += s.len;
    this.total = t;
  }

  /** A single buffer; len is clamped to MAX_RW_COUNT as Linux does. Checked for `write` (destination) or read access. */
  static buffer(mm: AddressSpace, addr: number, len: number, dest: boolean): UserIO | number {
    const n = Math.min(len, MAX_RW_COUNT);
    if (!(dest ? canWrite(mm, addr, n) : canRead(mm, addr, n))) return -EFAULT;
    return new UserIO(mm, [{ addr, len: n }]);
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
    const out = new Uint8Array(Math.min(n, this.remaining));
    let got = 0;
    let skip = this.done;
    for (const s of this.segs) {
      if (got === out.length) break;
      if (skip >= s.len) {
        skip -= s.len;
        continue;
      }
      const take = Math.min(s.len - skip, out.length - got);
      out.set(this.mm.read(s.addr + skip, take)!, got);
      got += take;
      skip = 0;
    }
    this.done += got;
    return out;
  }

  /** Copies bytes out to the user (read side); returns how many fit. */
  copyOut(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.remaining);
    let put = 0;
    let skip = this.done;
    for (const s of this.segs) {
      if (put === n) break;
      if (skip >= s.len) {
        skip -= s.len;
        continue;
      }
      const take = Math.min(s.len - skip, n - put);
      this.mm.write(s.addr + skip, bytes.subarray(put, put + take));
      put += take;
      skip = 0;
    }
    this.done += put;
    return put;
  }
}
