// The hart's decoded-instruction pages, as a Map from page number to its
// decoded slots, charged to the run's memory budget: a decoded page is 16
// times the size of the code it decodes, so a guest that jumps through many
// pages (or many processes each decoding their own) is host memory too.
// The cache holds at most MAX_DECODED_PAGES and starts afresh when full.
// Threads of one address space share one cache (same frames, same code),
// so a thread costs its registers, not another copy of the program.
//
// The cache registers with its address space, which tells it of every write
// that gives a page to a writer (the kernel's copies to user memory as much
// as the hart's own store translations): code written there, by whoever,
// must be decoded afresh.
import type { MemoryBudget } from './budget.ts';
import type { AddressSpace, CodeWatcher } from './memory.ts';

/** Host bytes charged per decoded page (its slot array). */
export const DECODED_PAGE_COST = 64 * 1024;
/** Most decoded pages one cache keeps (16 MiB). */
export const MAX_DECODED_PAGES = 256;

/** What the cache needs of a decoded page: the frame of the next page when an instruction spans into it. */
interface SpanningPage {
  readonly next: Uint8Array | null;
}

export class DecodedCache<T extends SpanningPage> extends Map<number, T> implements CodeWatcher {
  /** harts using this cache (the threads of one address space) */
  users = 1;

  /** The decoded code of `space` (null: a released hart's empty stand-in, charged to nothing). */
  constructor(private readonly space: AddressSpace | null) {
    super();
    space?.watchCode(this);
  }

  private get budget(): MemoryBudget | null {
    return this.space?.budget ?? null;
  }

  /** A page was handed out for writing: its code, and an instruction spanning into it from the page below, go. */
  pageWritten(vpn: number): void {
    if (super.size === 0) return;
    this.delete(vpn);
    const prev = super.get(vpn - 1);
    if (prev !== undefined && prev.next !== null) this.delete(vpn - 1);
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
    if (--this.users > 0) return;
    this.clear();
    this.space?.unwatchCode(this);
  }
}
