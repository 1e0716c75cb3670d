// The hart's decoded-instruction pages, as a Map from page number to its
// decoded slots, charged to the run's memory budget: a decoded page is 16
// times the size of the code it decodes, so a guest that jumps through many
// pages (or many processes each decoding their own) is host memory too.
// The cache holds at most MAX_DECODED_PAGES and starts afresh when full.
// Threads of one address space share one cache (same frames, same code),
// so a thread costs its registers, not another copy of the program.
import type { MemoryBudget } from './budget.ts';

/** Host bytes charged per decoded page (its slot array). */
export const DECODED_PAGE_COST = 64 * 1024;
/** Most decoded pages one cache keeps (16 MiB). */
export const MAX_DECODED_PAGES = 256;

export class DecodedCache<T> extends Map<number, T> {
  /** harts using this cache (the threads of one address space) */
  users = 1;

  constructor(private readonly budget: MemoryBudget | null) {
    super();
  }

  override set(vpn: number, page: T): this {
    if (!super.has(vpn)) {
      if (super.size >= MAX_DECODED_PAGES) this.clear();
      // Past the budget the page is still decoded (the guest must run) but the cache is kept small.
      if (this.budget && !this.budget.charge(DECODED_PAGE_COST)) {
        this.clear();
        this.budget.release(-DECODED_PAGE_COST);
      }
    }
    return super.set(vpn, page);
  }

  override delete(vpn: number): boolean {
    const had = super.delete(vpn);
    if (had) this.budget?.release(DECODED_PAGE_COST);
    return had;
  }

  override clear(): void {
    this.budget?.release(super.size * DECODED_PAGE_COST);
    super.clear();
  }

  /** One hart stopped using the cache; the last one frees it. */
  drop(): void {
    if (--this.users === 0) this.clear();
  }
}
