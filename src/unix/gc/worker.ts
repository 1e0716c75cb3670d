// The collector's kernel thread, Linux's unix_gc_work on system_unbound_wq:
// unix_gc() (from unix_release_sock when sockets are in flight, and from
// wait_for_unix_gc at sendmsg past UNIX_INFLIGHT_TRIGGER_GC) sets
// gc_in_progress and queues the work; the worker runs the kernel's
// collector (`gc: 'scc' | 'mark-sweep'`) and clears gc_in_progress, waking
// the senders flush_work() holds back. A request that comes while a
// collection runs queues the work again.
//
// The worker is created at the first request, so a run that never puts a
// socket in flight has no worker, and its trace and hash are what they were
// before collectors were tasks.
import { KernelThread, KTHREAD_TID_BASE } from '../../kernel/kthread.ts';
import type { KernelYield } from '../../kernel/syscall.ts';
import type { Inflight } from '../inflight.ts';
import { MarkSweepCollector } from './mark-sweep.ts';
import { SccCollector } from './scc.ts';

/** The worker's tid (the first kernel thread's). */
export const UNIX_GC_TID = KTHREAD_TID_BASE;

export function startGcWorker(inf: Inflight): KernelThread {
  const k = inf.k;
  const collector = k.config.gc === 'mark-sweep' ? new MarkSweepCollector(inf) : new SccCollector(inf);
  const w = new KernelThread(k, UNIX_GC_TID, 'kworker/u:unix_gc', (self) => body(inf, self, collector));
  k.sched.add(w);
  k.sched.trace.start(k.sched.clock.peek(), w.pid, w.pid, 0, w.label);
  return w;
}

function* body(inf: Inflight, w: KernelThread, collector: MarkSweepCollector | SccCollector): Generator<KernelYield, void, void> {
  const trace = inf.k.sched.trace;
  for (;;) {
    while (!inf.gcQueued) yield* w.idleWait();
    inf.gcQueued = false;
    inf.gcRuns++;
    trace.enter(inf.k.sched.clock.peek(), w.pid, collector.name === 'scc' ? '__unix_gc' : 'unix_gc', '');
    const before = inf.gcFreed;
    yield* collector.run(w);
    trace.exit(inf.k.sched.clock.peek(), w.pid, '', `${inf.gcFreed - before} socket(s) freed`, 0);
    if (!inf.gcQueued) inf.gcDone();
  }
}
