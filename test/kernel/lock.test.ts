// Kernel locks (src/kernel/lock.ts) driven by hand: a handler's generator is
// stepped the way Task.poll steps it, so each yield can be looked at.
import { describe, expect, it } from 'vitest';
import { SIGUSR1 } from '../../src/kernel/abi.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { doubleLock, doubleUnlock, KernelLock, type LockKind } from '../../src/kernel/lock.ts';
import { PREEMPT, type KernelYield } from '../../src/kernel/syscall.ts';
import type { Task } from '../../src/kernel/task.ts';
import { bootMachine } from '../../src/machine.ts';
import { Rng } from '../../src/sched/rng.ts';
import { Scheduler } from '../../src/sched/scheduler.ts';
import { RandomStrategy } from '../../src/sched/strategies/random.ts';
import { WaitQueue } from '../../src/sched/waitqueue.ts';
import { ScriptContext } from '../../src/script/context.ts';

function kernel(harts: number): { k: Kernel; a: Task; b: Task; c: Task } {
  const sched = new Scheduler({ strategy: new RandomStrategy(new Rng(1)) });
  const { kernel: k } = bootMachine(sched, new Rng(1), { harts });
  const idle = function* () {
    return 0;
  };
  const a = k.spawn('a', (t) => new ScriptContext(t, idle));
  const b = k.spawn('b', (t) => new ScriptContext(t, idle));
  const c = k.spawn('c', (t) => new ScriptContext(t, idle));
  return { k, a, b, c };
}

/** Steps a generator once, as Task.poll does: a wait queue yielded parks the task. */
function step(t: Task, g: Iterable<KernelYield, void, void>): KernelYield | 'done' {
  const it = g[Symbol.iterator]().next(); // a generator's iterator is itself, so steps resume it
  if (it.done) return 'done';
  if (it.value !== PREEMPT) t.kernel.sched.block(t, t.waitingLock?.describeWait() ?? it.value.name);
  return it.value;
}

describe('kernel locks', () => {
  it('one hart: an uncontended acquire yields nothing and records the owner', () => {
    const { a } = kernel(1);
    const l = new KernelLock('L', 'spin');
    expect(step(a, l.acquire(a))).toBe('done');
    expect(l.owner).toBe(a);
    expect(a.locksHeld).toEqual([l]);
    l.release(a);
    expect(l.owner).toBeNull();
    expect(a.locksHeld).toEqual([]);
  });

  for (const kind of ['spin', 'mutex'] as LockKind[]) {
    it(`two harts (${kind}): acquiring is an interleaving point; a contender is not runnable until release hands it the lock`, () => {
      const { a, b } = kernel(2);
      const l = new KernelLock('L', kind);
      const ga = l.acquire(a);
      expect(step(a, ga)).toBe(PREEMPT);
      expect(step(a, ga)).toBe('done');
      const gb = l.acquire(b);
      expect(step(b, gb)).toBe(PREEMPT);
      const y = step(b, gb);
      expect(y).toBeInstanceOf(WaitQueue);
      expect(b.state).toBe('blocked');
      expect(b.waitingOn).toBe(`${kind === 'spin' ? 'spinlock L (spinning; ' : 'mutex L ('}held by pid 1 (a))`);
      expect(b.waitingLock).toBe(l);
      // a spinner keeps its hart; a mutex waiter sleeps off it
      expect(b.onHart).toBe(kind === 'spin');
      // not interruptible: a signal leaves it waiting
      a.kernel.sendSignal(b, SIGUSR1);
      expect(b.state).toBe('blocked');
      l.release(a);
      expect(l.owner).toBe(b);
      expect(b.state).toBe('runnable');
      expect(step(b, gb)).toBe('done');
      expect(b.locksHeld).toEqual([l]);
      expect(b.waitingLock).toBeNull();
      expect(() => l.release(a)).toThrow(/held by pid 2 \(b\)/);
    });
  }

  it('waiters get the lock oldest first; one ended after the hand-off passes it on', () => {
    const { a, b, c } = kernel(2);
    const l = new KernelLock('L', 'mutex');
    const ga = l.acquire(a);
    step(a, ga);
    step(a, ga);
    const gb = l.acquire(b);
    const gc = l.acquire(c);
    for (const [t, g] of [[b, gb], [c, gc]] as const) {
      step(t, g);
      expect(step(t, g)).toBeInstanceOf(WaitQueue);
    }
    expect(c.waitingOn).toBe('mutex L (held by pid 1 (a))');
    l.release(a);
    expect(l.owner).toBe(b);
    expect(c.waitingOn).toBe('mutex L (held by pid 2 (b))');
    (gb as Generator<KernelYield, void, void>).return(); // a contended acquire is a generator; b's thread is ended before it ran again (Task.abandonSyscall)
    expect(l.owner).toBe(c);
    expect(c.state).toBe('runnable');
    expect(step(c, gc)).toBe('done');
  });

  it('whenFree runs its work at once on a free lock, else after the holder and the waiters queued before it', () => {
    const { a, b } = kernel(2);
    const l = new KernelLock('L', 'spin');
    const ran: string[] = [];
    l.whenFree(() => ran.push('free'), null);
    expect(ran).toEqual(['free']);
    const ga = l.acquire(a);
    step(a, ga);
    step(a, ga);
    const gb = l.acquire(b);
    step(b, gb);
    step(b, gb);
    l.whenFree(() => ran.push(`after, owner ${l.owner?.label ?? 'none'}`), null);
    l.release(a);
    expect(l.owner).toBe(b);
    expect(ran).toEqual(['free']);
    step(b, gb);
    l.release(b);
    expect(ran).toEqual(['free', 'after, owner none']);
    expect(l.owner).toBeNull();
  });

  it('doubleLock takes the lower order first whichever is named first', () => {
    const { a } = kernel(1);
    const lo = new KernelLock('lo', 'spin', { order: 1 });
    const hi = new KernelLock('hi', 'spin', { order: 2 });
    expect(step(a, doubleLock(a, hi, lo))).toBe('done');
    expect(a.locksHeld).toEqual([lo, hi]);
    doubleUnlock(a, hi, lo);
    expect(a.locksHeld).toEqual([]);
  });

  it('lockdep: the opposite order of two locks is a report naming both chains, taken alone it is not', () => {
    const { k, a, b } = kernel(1);
    const x = new KernelLock('X', 'spin');
    const y = new KernelLock('Y', 'spin');
    for (const [t, first, second] of [[a, x, y], [b, x, y]] as const) {
      step(t, first.acquire(t));
      step(t, second.acquire(t));
      second.release(t);
      first.release(t);
    }
    expect(k.lockdep.reports).toEqual([]);
    step(b, y.acquire(b));
    step(b, x.acquire(b));
    expect(k.lockdep.reports).toHaveLength(1);
    const r = k.lockdep.reports[0];
    expect(r).toMatch(/^lockdep: possible circular locking dependency \(ABBA deadlock\) between Y and X/);
    expect(r).toMatch(/pid 2 \(b\) in \?\(\) took X while holding Y/);
    expect(r).toMatch(/earlier, pid 1 \(a\) in \?\(\) took Y while holding X/);
  });
});
