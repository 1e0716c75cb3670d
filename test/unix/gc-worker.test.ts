// The in-flight collector as a kernel thread (src/unix/gc/worker.ts): it
// exists only once something asked for a collection, it is invisible in
// the strace-style text but shows in the scheduler trace and Perfetto, a
// run whose only task left is the idle collector ends normally, and both
// collectors reclaim the same garbage.
import { describe, expect, it } from 'vitest';
import { UNIX_GC_TID } from '../../src/unix/gc/worker.ts';
import { renderPerfetto } from '../../src/sched/perfetto.ts';
import { renderText } from '../../src/sched/trace.ts';
import type { Program } from '../../src/script/context.ts';
import { AF_UNIX, SOCK_STREAM } from '../../src/unix/constants.ts';
import { run } from './helpers.ts';

/** Two pairs passed over each other and closed: a garbage cycle. */
const cycle: Program = function* (sys) {
  const [a1, a2] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
  const [b1, b2] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
  yield* sys.sendmsg(a2, { data: 'x', fds: [b1, b2] });
  yield* sys.sendmsg(b2, { data: 'y', fds: [a1, a2] });
  for (const fd of [a1, a2, b1, b2]) yield* sys.close(fd);
  return 0;
};

describe('the collector as a kernel thread', () => {
  it.each(['scc', 'mark-sweep'] as const)('%s: the cycle is reclaimed and the run ends normally with the worker idle', (gc) => {
    const r = run({ processes: [{ name: 'p', program: cycle }], kernel: { gc } });
    expect(r.failures).toEqual([]);
    expect(r.end.kind).toBe('exited');
    expect(r.kernel.files.live.size).toBe(0);
    expect(r.labels.get(UNIX_GC_TID)).toBe('pid 4194304 (kworker/u:unix_gc)');
    // strace shows nothing of it; Perfetto has its collections as slices on its own track
    expect(renderText(r.events)).not.toContain(String(UNIX_GC_TID));
    const slices = (JSON.parse(renderPerfetto(r.events, r.labels)) as { traceEvents: { ph: string; name: string; tid: number }[] }).traceEvents
      .filter((e) => e.ph === 'X' && e.tid === UNIX_GC_TID);
    expect(slices.map((e) => e.name)).toContain(gc === 'scc' ? '__unix_gc' : 'unix_gc');
  });

  it('a run that never puts a socket in flight has no worker', () => {
    const r = run({
      processes: [{ name: 'p', *program(sys) {
        const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
        yield* sys.send(a, 'hi');
        yield* sys.close(a);
        yield* sys.close(b);
        return 0;
      } }],
    });
    expect(r.failures).toEqual([]);
    expect(r.labels.has(UNIX_GC_TID)).toBe(false);
  });
});
