// The discrete-event queue: timers that fire at a virtual time. Ties are
// broken by insertion order, so two events due at the same tick always fire
// in the order they were scheduled.

export interface TimerEvent {
  readonly time: number;
  /** insertion sequence number: the tie breaker */
  readonly seq: number;
  readonly fire: () => void;
  cancelled: boolean;
}

export class EventQueue {
  private heap: TimerEvent[] = [];
  private seq = 0;
  /** told when a timer is armed, cancelled or fired (dpor records it as a write of "timers") */
  onChange: (() => void) | null = null;

  get size(): number {
    return this.heap.length;
  }

  schedule(time: number, fire: () => void): TimerEvent {
    this.onChange?.();
    const ev: TimerEvent = { time, seq: this.seq++, fire, cancelled: false };
    this.heap.push(ev);
    this.siftUp(this.heap.length - 1);
    return ev;
  }

  cancel(ev: TimerEvent): void {
    this.onChange?.();
    ev.cancelled = true;
  }

  /** Time of the earliest live event, or undefined. */
  peekTime(): number | undefined {
    this.dropCancelled();
    return this.heap.length ? this.heap[0].time : undefined;
  }

  pop(): TimerEvent | undefined {
    this.onChange?.();
    this.dropCancelled();
    if (this.heap.length === 0) return undefined;
    const top = this.heap[0];
    const last = this.heap.pop()!;
    if (this.heap.length) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private dropCancelled(): void {
    while (this.heap.length && this.heap[0].cancelled) {
      const last = this.heap.pop()!;
      if (this.heap.length) {
        this.heap[0] = last;
        this.siftDown(0);
      }
    }
  }

  private less(a: TimerEvent, b: TimerEvent): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
