// A process's file descriptor table: slots holding a reference to an open
// file plus the per-fd FD_CLOEXEC flag. New fds take the lowest free number,
// found as Linux's find_next_fd does, through bitmaps of open fds and of full
// words (fdbitmap.ts), in time logarithmic in the table's size.
import { EBADF, EMFILE } from './errno.ts';
import type { FootprintRecorder } from '../sched/footprint.ts';
import type { OpenFile } from './file.ts';
import { touchFile } from './footprint.ts';
import { FdBitmap } from './fdbitmap.ts';

export const RLIMIT_NOFILE_DEFAULT = 1024;

interface FdSlot {
  file: OpenFile;
  cloexec: boolean;
}

export class FdTable {
  private slots: (FdSlot | undefined)[] = [];
  /** which fds are open (Linux's open_fds and full_fds_bits) */
  private open = new FdBitmap();
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
    const fd = this.open.lowestFree(minFd);
    if (fd >= this.limit) return -EMFILE;
    this.set(fd, { file, cloexec });
    return fd;
  }

  private set(fd: number, slot: FdSlot | undefined): void {
    const had = this.slots[fd] !== undefined;
    this.slots[fd] = slot;
    if (slot && !had) {
      this.count++;
      this.open.set(fd);
    } else if (!slot && had) {
      this.count--;
      this.open.clear(fd);
    }
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

  /** The highest fd that may be open (-1 for an empty table): where a scan over every fd can stop. */
  get highestFd(): number {
    return this.slots.length - 1;
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

  /**
   * Number of free fds below the limit (socketpair and accept reserve fds
   * with get_unused_fd_flags before they start). Fds left open at or above
   * a lowered RLIMIT_NOFILE take none of them.
   */
  freeCount(): number {
    let below = this.count;
    for (let fd = this.limit; fd < this.slots.length; fd++) if (this.slots[fd]) below--;
    return this.limit - below;
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
    this.open = new FdBitmap();
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
