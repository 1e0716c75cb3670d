// A stable 64-bit running hash (two 32-bit lanes) over integers and strings.
// Used to fingerprint traces: identical runs give identical hashes, and the
// number of distinct hashes over a sweep counts distinct interleavings.

export class TraceHash {
  private a = 0x811c9dc5 | 0;
  private b = 0x01000193 | 0;

  int(v: number): void {
    // Mix both 32-bit halves so 64-bit values (and -errno) hash exactly.
    const lo = v | 0;
    const hi = Math.floor(v / 4294967296) | 0;
    this.mix(lo);
    this.mix(hi);
  }

  /** Same as int(v) for a 32-bit signed v (register halves, pids), without the division. */
  int32(v: number): void {
    this.mix(v | 0);
    this.mix(v >> 31);
  }

  /**
   * A finished syscall: the same hash as int(pid), int(nr), int32 of each
   * register half (lo, then hi, for each of the six arguments), int(result),
   * with the lanes in locals (once per syscall, so each word is mixed in
   * place: no word array, no call per word).
   */
  syscall(pid: number, nr: number, lo: Int32Array, hi: Int32Array, result: number): void {
    let a = this.a, b = this.b, x: number;
    x = pid | 0; a = Math.imul(a ^ x, 0x01000193); b = Math.imul(b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (a >>> 15);
    x = Math.floor(pid / 4294967296) | 0; a = Math.imul(a ^ x, 0x01000193); b = Math.imul(b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (a >>> 15);
    x = nr | 0; a = Math.imul(a ^ x, 0x01000193); b = Math.imul(b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (a >>> 15);
    x = Math.floor(nr / 4294967296) | 0; a = Math.imul(a ^ x, 0x01000193); b = Math.imul(b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (a >>> 15);
    for (let i = 0; i < 6; i++) {
      const l = lo[i], h = hi[i];
      x = l; a = Math.imul(a ^ x, 0x01000193); b = Math.imul(b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (a >>> 15);
      x = l >> 31; a = Math.imul(a ^ x, 0x01000193); b = Math.imul(b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (a >>> 15);
      x = h; a = Math.imul(a ^ x, 0x01000193); b = Math.imul(b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (a >>> 15);
      x = h >> 31; a = Math.imul(a ^ x, 0x01000193); b = Math.imul(b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (a >>> 15);
    }
    x = result | 0; a = Math.imul(a ^ x, 0x01000193); b = Math.imul(b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (a >>> 15);
    x = Math.floor(result / 4294967296) | 0; a = Math.imul(a ^ x, 0x01000193); b = Math.imul(b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (a >>> 15);
    this.a = a;
    this.b = b;
  }

  str(s: string): void {
    this.mix(s.length);
    for (let i = 0; i < s.length; i++) this.mix(s.charCodeAt(i));
  }

  private mix(x: number): void {
    this.a = Math.imul(this.a ^ x, 0x01000193);
    this.b = Math.imul(this.b ^ Math.imul(x, 0x5bd1e995), 0x27d4eb2d) ^ (this.a >>> 15);
  }

  hex(): string {
    const h = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
    return h(this.a) + h(this.b);
  }
}
