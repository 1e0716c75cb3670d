// One memory budget for a whole run: every byte the simulation keeps on
// the host because a guest asked for it (page frames and page-table
// entries of every address space, mapping records, kernel buffers, VFS
// file contents, retained console output, trace events, per-task state)
// is charged here, and a charge that would pass the limit fails. Callers
// turn a failed charge into what Linux gives at that spot: ENOMEM from
// mmap/brk/fork/clone, ENOSPC from the VFS, SIGKILL (the OOM rule) for a
// page fault. The host therefore never holds much more than `limit`.

/** Default per-run budget (1 GiB): well under the machines the simulator runs on. */
export const DEFAULT_MEMORY_LIMIT = 1024 * 1024 * 1024;

/** Host bytes charged for one page-table entry: the entry object and its map slot, and a frame's object overhead. */
export const PTE_COST = 192;
/** Host bytes charged for one mapping record (a VMA). */
export const VMA_COST = 128;

export class MemoryBudget {
  /** bytes charged now */
  used = 0;
  /** most bytes charged at any time */
  peak = 0;
  /** charges refused so far */
  refusals = 0;
  /** The page every untouched anonymous page reads as (never written: writes get their own frame first). */
  readonly zeroPage = new Uint8Array(4096);

  constructor(readonly limit: number = Infinity) {}

  /** Takes n bytes from the budget; false (and nothing taken) when that would pass the limit. */
  charge(n: number): boolean {
    const u = this.used + n;
    if (u > this.limit) {
      this.refusals++;
      return false;
    }
    this.used = u;
    if (u > this.peak) this.peak = u;
    return true;
  }

  /** Gives back n bytes charged earlier. */
  release(n: number): void {
    this.used -= n;
  }

  /** Bytes still available. */
  get free(): number {
    return this.limit - this.used;
  }
}

/** "64 MiB", "1.5 GiB": a byte count for reports. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${Number.isInteger(n) ? n : n.toFixed(1)} ${units[u]}`;
}

/** Parses "64M", "1G", "512k", "1048576" (binary units); NaN when malformed. */
export function parseBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(s.trim());
  if (!m) return NaN;
  const scale = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(m[1]) * scale);
}
