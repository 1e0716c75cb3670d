// A kernel buffer in the place of a user one: what sendfile hands to the
// files it moves bytes between (Linux's splice pipes and bvec iterators), so
// a file's read and write ops need not know whether the bytes come from a
// guest or from another file.
import { AddressSpace } from '../hw/memory.ts';
import { UserIO } from './userio.ts';

/** never read or written: a kernel buffer has no address space behind it */
const NO_USER_MEMORY = new AddressSpace();

export class KernelIO extends UserIO {
  /** `buf` is the source of a write (its bytes are copied in) or the destination of a read (filled from 0). */
  constructor(private readonly buf: Uint8Array) {
    super(NO_USER_MEMORY, null, 0, buf.length);
  }

  override copyIn(n: number): Uint8Array {
    const want = Math.min(n, this.remaining);
    const out = this.buf.slice(this.done, this.done + want);
    this.done += want;
    return out;
  }

  override copyInto(dst: Uint8Array, at: number, n: number): number {
    const want = Math.min(n, this.remaining);
    dst.set(this.buf.subarray(this.done, this.done + want), at);
    this.done += want;
    return want;
  }

  override copyOutOf(bytes: Uint8Array, from: number, end: number): number {
    const n = Math.min(end - from, this.remaining);
    this.buf.set(bytes.subarray(from, from + n), this.done);
    this.done += n;
    return n;
  }

  /** the bytes a read put here */
  get filled(): Uint8Array {
    return this.buf.subarray(0, this.done);
  }
}
