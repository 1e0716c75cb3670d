// Where a message's bytes live (an skb's data). Tiny messages are carved
// out of shared slabs, as Linux serves small skb heads from kmalloc's slab
// caches: making a typed array (with its ArrayBuffer) costs several times
// what copying a few bytes does, and a ping-pong of one-byte writes makes
// one per write. Longer messages get an array of their own, copied
// natively. A message keeps its storage and an offset (queue.ts). A slab is
// host memory only: what a message is charged (truesize.ts) does not depend
// on it, and a slab goes when the last message in it does.
import { TINY_COPY, type UserIO } from '../kernel/userio.ts';

/** Bytes per slab. */
const SLAB_SIZE = 4096;

export class SkbData {
  private slab = new Uint8Array(SLAB_SIZE);
  private top = 0;
  /** the last message's storage: its bytes are buf[at, at + its length) */
  buf: Uint8Array = this.slab;
  at = 0;

  /** Copies the next n bytes of `io` (n at most what remains) into fresh storage, left in buf and at. */
  fill(io: UserIO, n: number): void {
    if (n > TINY_COPY) {
      this.buf = io.copyIn(n);
      this.at = 0;
      return;
    }
    if (this.top + n > SLAB_SIZE) {
      this.slab = new Uint8Array(SLAB_SIZE);
      this.top = 0;
    }
    this.buf = this.slab;
    this.at = this.top;
    this.top += (n + 7) & ~7; // 8-byte aligned, as kmalloc's objects are
    io.copyInto(this.slab, this.at, n);
  }
}
