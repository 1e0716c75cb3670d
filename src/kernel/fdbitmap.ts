// Which fds of a table are open, and the lowest free one at or above a
// number, in time logarithmic in the table's size. Linux's find_next_fd
// keeps two levels (open_fds, and full_fds_bits with a bit per full word of
// it), enough for its tables; a guest may raise RLIMIT_NOFILE to a million
// fds, so this keeps as many levels as it takes to reach a single word:
// level 0 has a bit per fd, set when the fd is open, and level l+1 a bit per
// word of level l, set when that word is full. A search climbs while the
// words are full and comes down through words that are not: at most two
// words per level, 32 times fewer words each level up.

/** Index of the lowest zero bit of a 32-bit word (which must not be all ones). */
function lowestZero(w: number): number {
  return 31 - Math.clz32(~w & (w + 1));
}

const FULL = 0xffffffff;

export class FdBitmap {
  /** levels[0]: a bit per fd; levels[l + 1]: a bit per full word of levels[l]; the last has one word */
  private levels: Uint32Array[] = [new Uint32Array(1)];

  /** fds the bitmap holds without growing (everything at and above it is free) */
  get capacity(): number {
    return this.levels[0].length * 32;
  }

  has(fd: number): boolean {
    const w = fd >>> 5;
    return w < this.levels[0].length && (this.levels[0][w] & (1 << (fd & 31))) !== 0;
  }

  /** Marks fd open. */
  set(fd: number): void {
    if (fd >= this.capacity) this.grow(fd);
    let i = fd;
    for (const lv of this.levels) {
      const w = i >>> 5;
      lv[w] |= 1 << (i & 31);
      if (lv[w] !== FULL) return;
      i = w; // this word is full now: so is its bit a level up
    }
  }

  /** Marks fd free. */
  clear(fd: number): void {
    if (fd >= this.capacity) return;
    let i = fd;
    for (const lv of this.levels) {
      const w = i >>> 5, b = 1 << (i & 31);
      if (!(lv[w] & b)) return; // already clear, and so is everything above it
      lv[w] &= ~b;
      i = w; // this word is not full any more
    }
  }

  /** find_next_fd: the lowest fd >= from that is not open. */
  lowestFree(from: number): number {
    const L = this.levels;
    let i = from;
    let l = 0;
    // climb while the rest of the word at this level is full
    for (;;) {
      const lv = L[l];
      const w = i >>> 5;
      if (w >= lv.length) return i * 32 ** l; // past the end: free
      const bits = (lv[w] | ((1 << (i & 31)) - 1)) >>> 0;
      if (bits !== FULL) {
        i = (w << 5) + lowestZero(bits);
        break;
      }
      i = w + 1;
      if (++l === L.length) return i * 32 ** l; // every fd from `from` on is open
    }
    // come down: bit i of level l is clear, so word i of level l - 1 has a clear bit (or lies past the end)
    while (l > 0) {
      const lv = L[--l];
      if (i >= lv.length) return i * 32 ** (l + 1);
      i = (i << 5) + lowestZero(lv[i]);
    }
    return i;
  }

  /** Room for fd: level 0 doubles until it fits, and the levels above are rebuilt from it. */
  private grow(fd: number): void {
    let n = this.levels[0].length;
    while (n * 32 <= fd) n *= 2;
    const base = new Uint32Array(n);
    base.set(this.levels[0]);
    const levels = [base];
    while (levels[levels.length - 1].length > 1) {
      const below = levels[levels.length - 1];
      const lv = new Uint32Array(Math.ceil(below.length / 32));
      for (let w = 0; w < below.length; w++) if (below[w] === FULL) lv[w >>> 5] |= 1 << (w & 31);
      levels.push(lv);
    }
    this.levels = levels;
  }
}
