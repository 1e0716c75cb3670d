// Virtual time in ticks. A guest instruction costs one tick and a syscall a
// fixed cost; when every task is blocked the clock jumps to the next event.

/** Ticks charged for one syscall's kernel work (entry, handler, exit). */
export const SYSCALL_TICKS = 100;

/** Ticks per virtual second: 1 tick = 1 ns, as a 1 GHz hart would count. */
export const TICKS_PER_SECOND = 1_000_000_000;

export class VirtualClock {
  /** ticks since the run started */
  now = 0;

  advance(ticks: number): void {
    this.now += ticks;
  }

  /** Jumps forward to `t` (never backwards). */
  jumpTo(t: number): void {
    if (t > this.now) this.now = t;
  }
}
