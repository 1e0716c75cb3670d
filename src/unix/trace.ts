// What the trace follows of AF_UNIX over time (Perfetto counter tracks):
// bytes queued on each socket's receive queue, each listener's backlog of
// pending connections, and the fds in flight in SCM_RIGHTS messages.
// Sampled after every syscall, only when the run records its trace.
import type { Kernel } from '../kernel/kernel.ts';
import type { UnixNet } from './namespace.ts';

export function registerUnixTrace(k: Kernel, net: UnixNet): void {
  k.traceCounters.push((emit) => {
    for (const s of net.sockets.values()) {
      const name = s.describe();
      if (s.listener) emit(`${name} backlog`, s.listener.pending.length);
      else if (!s.dead || s.recvQueue.bytes) emit(`${name} queued bytes`, s.recvQueue.bytes);
    }
    let fds = 0;
    for (const n of net.inflight.count.values()) fds += n;
    emit('fds in flight', fds);
  });
}
