// CLINT-style timer on virtual time. One tick per retired instruction (the
// hart advances mtime as it runs; the kernel adds its own costs). The
// scheduler sets mtimecmp to the end of the current quantum; `Hart.run`
// stops with {kind:'timer'} when mtime reaches it. rdtime/rdcycle read mtime.

export class Timer {
  /** Virtual time in ticks since boot. */
  mtime = 0;
  /** Deadline of the preemption quantum; Infinity when none is armed. */
  mtimecmp = Infinity;

  /** Ticks left before the deadline (0 when it has passed). */
  remaining(): number {
    return Math.max(0, this.mtimecmp - this.mtime);
  }

  /** Arms the deadline `ticks` from now. */
  armIn(ticks: number): void {
    this.mtimecmp = this.mtime + ticks;
  }

  advance(ticks: number): void {
    this.mtime += ticks;
  }
}
