// Where a message's bytes live (an skb's data). Short messages are carved
// out of shared slabs, as Linux serves small skb heads from kmalloc's slab
// caches: a message keeps its slab and an offset, and no typed array of
// its own (making one, with its ArrayBuffer, cost more than the rest of a
// 64-byte write, and a ping-pong makes one per write). A slab is host
// memory only: what a message is charged (truesize.ts) does not depend on
// it, and a slab goes when the last message in it does.

/** Bytes per slab. */
const SLAB_SIZE = 4096;
/** Messages up to this long share slabs; longer ones get an array of their own. */
const SLAB_MAX = 256;

export class SkbData {
  private slab = new Uint8Array(SLAB_SIZE);
  private top = 0;
  /** the last reservation: its bytes are buf[at, at + its length) */
  buf: Uint8Array = this.slab;
  at = 0;

  /** Reserves room for a message of n bytes, zeroed, at buf[at, at + n). */
  reserve(n: number): void {
    if (n > SLAB_MAX) {
      this.buf = new Uint8Array(n);
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
  }
}
