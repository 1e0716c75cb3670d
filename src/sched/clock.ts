// Virtual time in ticks. A guest instruction costs one tick and a syscall a
// fixed cost; when every task is blocked the clock jumps to the next event.

/** Ticks charged for one syscall's kernel work (entry, handler, exit). */
export const SYSCALL_TICKS = 100;

/** Ticks per virtual second: 1 tick = 1 ns, as a 1 GHz hart would count. */
export const TICKS_PER_SECOND = 1_000_000_000;

export class VirtualClock {
  private ticks = 0;
  /** told of every read of `now` (dpor: a step that reads the time depends on every step that advanced it) */
  onRead: (() => void) | null = null;

  /** ticks since the run started: what the kernel sees (deadlines, clock_gettime, a hart's mtime) */
  get now(): number {
    this.onRead?.();
    return this.ticks;
  }

  /** The time for a trace timestamp: not a read by the run (only what the kernel acts on is). */
  peek(): number {
    return this.ticks;
  }

  advance(ticks: number): void {
    this.ticks += ticks;
  }

  /** Jumps forward to `t` (never backwards). */
  jumpTo(t: number): void {
    if (t > this.ticks) this.ticks = t;
  }
}
