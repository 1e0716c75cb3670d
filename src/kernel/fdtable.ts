// A process's file descriptor table: slots holding a reference to an open
// file plus the per-fd FD_CLOEXEC flag. New fds take the lowest free number,
// found as Linux's find_next_fd does: a bitmap of open fds and a second one
// with a bit per full word of it, so the search skips 1,024 open fds at a
// time instead of testing each (100,000 dups stay fast).
import { EBADF, EMFILE } from './errno.ts';
import type { FootprintRecorder } from '../sched/footprint.ts';
import type { OpenFile } from './file.ts';
import { touchFile } from './footprint.ts';

export const RLIMIT_NOFILE_DEFAULT = 1024;

interface FdSlot {
  file: OpenFile;
  cloexec: boolean;
}

/** Index of the lowest zero bit of a 32-bit word (which must not be all ones). */
function lowestZero(w: number): number {
  return 31 - Math.clz32(~w & (w + 1));
}

export class FdTable {
  private slots: (FdSlot | undefined)[] = [];
  /** bit fd set when fd is open (Linux's open_fds) */
  private open = new Uint32Array(1);
  /** bit w set when word w of `open` is full (Linux's full_fds_bits) */
  private full = new Uint32Array(1);
  /** open fds */
  private count = 0;
  /** tasks using this table (CLONE_FILES shares it); its files are put when the last one exits */
  users = 1;
  /** RLIMIT_NOFILE: fds must be below this */
  limit = RLIMIT_NOFILE_DEFAULT;
  /** while exploring with dpor: records lookups (reads) and changes (writes) of this table and its files */
  recorder: FootprintRecorder | null = null;
  /** the table's name in footprints, "fdt:<pid of its first task>" */
  key = '';

  private touch(write: boolean, f?: OpenFile): void {
    const r = this.recorder;
    if (!r) return;
    if (write) r.write(this.key);
    else r.read(this.key);
    if (f) touchFile(r, f);
  }

  /** Installs `file` (taking over the caller's reference) at the lowest free fd >= minFd, or -EMFILE. */
  install(file: OpenFile, cloexec: boolean, minFd = 0): number {
    // The slot changes, not the file: whoever opened or got the file recorded it.
    this.touch(true);
    const fd = this.lowestFree(minFd);
    if (fd >= this.limit) return -EMFILE;
    this.set(fd, { file, cloexec });
    return fd;
  }

  /** find_next_fd: the lowest fd >= from that is not open. */
  private lowestFree(from: number): number {
    const open = this.open, full = this.full;
    let w = from >>> 5;
    if (w >= open.length) return from;
    // the first word: ignore bits below `from`
    const first = open[w] | ((1 << (from & 31)) - 1);
    if (first !== -1) return (w << 5) + lowestZero(first);
    // later words: skip 32 full words per summary word
    w++;
    while (w < open.length) {
      const fw = full[w >>> 5] | ((1 << (w & 31)) - 1);
      if (fw === -1) {
        w = ((w >>> 5) + 1) << 5;
        continue;
      }
      w = ((w >>> 5) << 5) + lowestZero(fw);
      if (w >= open.length) break;
      return (w << 5) + lowestZero(open[w]);
    }
    return open.length << 5;
  }

  private set(fd: number, slot: FdSlot | undefined): void {
    const had = this.slots[fd] !== undefined;
    this.slots[fd] = slot;
    const w = fd >>> 5, b = 1 << (fd & 31);
    if (slot && !had) {
      if (w >= this.open.length) this.grow(w);
      this.count++;
      this.open[w] |= b;
      if (this.open[w] === 0xffffffff) this.full[w >>> 5] |= 1 << (w & 31);
    } else if (!slot && had) {
      this.count--;
      this.open[w] &= ~b;
      this.full[w >>> 5] &= ~(1 << (w & 31));
    }
  }

  private grow(w: number): void {
    let n = this.open.length;
    while (n <= w) n *= 2;
    const open = new Uint32Array(n), full = new Uint32Array(Math.ceil(n / 32));
    open.set(this.open);
    full.set(this.full);
    this.open = open;
    this.full = full;
  }

  /** Installs at exactly `fd`, returning what was there (the caller puts it). */
  installAt(fd: number, file: OpenFile, cloexec: boolean): OpenFile | undefined {
    this.touch(true);
    const old = this.slots[fd]?.file;
    this.set(fd, { file, cloexec });
    return old;
  }

  get(fd: number): OpenFile | undefined {
    const f = fd >= 0 ? this.slots[fd]?.file : undefined;
    this.touch(false, f);
    return f;
  }

  getCloexec(fd: number): boolean {
    return this.slots[fd]?.cloexec ?? false;
  }

  setCloexec(fd: number, on: boolean): number {
    this.touch(true);
    const s = fd >= 0 ? this.slots[fd] : undefined;
    if (!s) return -EBADF;
    s.cloexec = on;
    return 0;
  }

  /** Removes fd and returns its file (the caller drops the reference), or undefined if not open. */
  remove(fd: number): OpenFile | undefined {
    const s = fd >= 0 ? this.slots[fd] : undefined;
    this.touch(true); // the caller's put() records the file
    if (!s) return undefined;
    this.set(fd, undefined);
    while (this.slots.length && !this.slots[this.slots.length - 1]) this.slots.pop();
    return s.file;
  }

  /** Number of free slots below the limit (for SCM_RIGHTS receive). */
  freeCount(): number {
    return this.limit - this.count;
  }

  /** A copy for fork: same open files, each with one more reference. */
  clone(): FdTable {
    this.touch(false);
    const t = new FdTable();
    t.limit = this.limit;
    t.recorder = this.recorder;
    this.slots.forEach((s, fd) => {
      if (s) t.set(fd, { file: s.file.get(), cloexec: s.cloexec });
    });
    return t;
  }

  /** Every open fd in increasing order. */
  *entries(): IterableIterator<[number, OpenFile]> {
    for (let fd = 0; fd < this.slots.length; fd++) {
      const s = this.slots[fd];
      if (s) yield [fd, s.file];
    }
  }

  /** Removes every fd, returning the files in fd order (the caller puts them). */
  takeAll(): OpenFile[] {
    this.touch(true);
    const files = this.slots.filter((s): s is FdSlot => !!s).map((s) => s.file);
    this.slots = [];
    this.open = new Uint32Array(1);
    this.full = new Uint32Array(1);
    this.count = 0;
    return files;
  }

  /** Removes the close-on-exec fds, returning their files. */
  takeCloexec(): OpenFile[] {
    this.touch(true);
    const out: OpenFile[] = [];
    this.slots.forEach((s, fd) => {
      if (s?.cloexec) {
        out.push(s.file);
        this.set(fd, undefined);
      }
    });
    return out;
  }
}
