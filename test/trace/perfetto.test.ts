// The Perfetto (trace-event JSON) renderer: a valid document whose slices
// all close, whose flow arrows start and end on existing syscall slices, with
// one track per process and per thread, blocked time inside the call's
// slice, the counters, and the run's metadata; and `--trace` on stdout
// printing nothing but the trace.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { SYSCALL_TICKS } from '../../src/sched/clock.ts';
import { KERNEL_PID, renderPerfetto } from '../../src/sched/perfetto.ts';
import { runScenario } from '../../src/script/runner.ts';
import scmRights from '../../scenarios/acceptance-scm-rights.ts';
import fsSocket from '../../scenarios/acceptance-fs-socket.ts';

interface Ev {
  ph: string; name: string; cat?: string; ts: number; dur?: number; pid: number; tid: number; id?: number; bp?: string;
  args?: Record<string, unknown>;
}

function doc(sc: typeof scmRights, seed = 1) {
  const r = runScenario(sc, { seed, recordText: true });
  const json = renderPerfetto(r.events, r.labels, { seed: String(seed), strategy: r.strategy, replay: 'npx unixsim replay x', hash: r.hash });
  return { r, d: JSON.parse(json) as { traceEvents: Ev[]; metadata: Record<string, unknown> } };
}

/** Checks the structural rules every rendered document must satisfy; returns the flows by name. */
function checkStructure(evs: Ev[]): Map<string, [Ev, Ev][]> {
  const slices = evs.filter((e) => e.ph === 'X');
  for (const s of slices) {
    expect(Number.isFinite(s.ts) && Number.isFinite(s.dur!) && s.dur! >= 0, JSON.stringify(s)).toBe(true);
  }
  expect(evs.some((e) => e.ph === 'B' || e.ph === 'E')).toBe(false); // complete slices only: every slice closes
  const calls = slices.filter((s) => s.cat === 'syscall');
  const within = (e: Ev) => calls.some((s) => s.pid === e.pid && s.tid === e.tid && e.ts >= s.ts && e.ts <= s.ts + s.dur!);
  const byId = new Map<number, Ev[]>();
  for (const e of evs) if (e.ph === 's' || e.ph === 'f') byId.set(e.id!, [...(byId.get(e.id!) ?? []), e]);
  const flows = new Map<string, [Ev, Ev][]>();
  for (const [id, pair] of byId) {
    expect(pair.map((e) => e.ph), `flow ${id}`).toEqual(['s', 'f']);
    expect(pair.every(within), `flow ${id} ends on syscall slices: ${JSON.stringify(pair)}`).toBe(true);
    flows.set(pair[0].name, [...(flows.get(pair[0].name) ?? []), pair as [Ev, Ev]]);
  }
  return flows;
}

const sliceAt = (evs: Ev[], e: Ev) =>
  evs.find((s) => s.ph === 'X' && s.cat === 'syscall' && s.pid === e.pid && s.tid === e.tid && e.ts >= s.ts && e.ts <= s.ts + s.dur!)!;

describe('Perfetto trace', () => {
  it('SCM_RIGHTS: tracks per process, a blocked recvmsg is one slice, arrows for the wake and the passed fd', () => {
    const { r, d } = doc(scmRights);
    const evs = d.traceEvents;
    const flows = checkStructure(evs);
    // each process is its own pid, named; threads keep their real tid
    const procNames = evs.filter((e) => e.ph === 'M' && e.name === 'process_name' && e.pid !== KERNEL_PID);
    expect(procNames.map((e) => [e.pid, e.args!.name])).toEqual([[1, 'pid 1 (parent)'], [2, 'pid 2 (parent)']]);
    expect(new Set(evs.filter((e) => e.cat === 'syscall').map((e) => e.pid))).toEqual(new Set([1, 2]));
    // the child's recvmsg slept: one slice from entry to return, with the sleep nested inside
    const recv = evs.find((e) => e.cat === 'syscall' && e.name === 'recvmsg' && e.pid === 2)!;
    expect(recv.dur!).toBeGreaterThan(SYSCALL_TICKS / 1000);
    const blocked = evs.find((e) => e.cat === 'block' && e.pid === 2)!;
    expect(blocked.name).toBe('blocked on socket:[20001] readers');
    expect(blocked.ts >= recv.ts && blocked.ts + blocked.dur! <= recv.ts + recv.dur!).toBe(true);
    // arrows: sendmsg wakes recvmsg, and the fd it carries lands in that recvmsg
    for (const name of ['wake', 'fds passed']) {
      const pair = flows.get(name)!.find(([s]) => sliceAt(evs, s).name === 'sendmsg')!;
      expect([sliceAt(evs, pair[0]).pid, sliceAt(evs, pair[1]).name, sliceAt(evs, pair[1]).pid], name).toEqual([1, 'recvmsg', 2]);
    }
    // counters: the fd in flight between the sendmsg and the recvmsg, bytes queued on the child's socket
    const inflight = evs.filter((e) => e.ph === 'C' && e.name === 'fds in flight').map((e) => e.args!.value);
    expect(inflight).toEqual([1, 0]);
    expect(evs.some((e) => e.ph === 'C' && e.name === 'socket:[20001] queued bytes' && e.args!.value === 4)).toBe(true);
    expect(d.metadata).toMatchObject({ seed: '1', strategy: r.strategy, replay: 'npx unixsim replay x', hash: r.hash });
  });

  it('a connect has an arrow to the accept that took its connection', () => {
    const { d } = doc(fsSocket, 2);
    const flows = checkStructure(d.traceEvents);
    const conns = flows.get('connection accepted') ?? [];
    expect(conns.length).toBeGreaterThan(0);
    for (const [s, f] of conns) expect([sliceAt(d.traceEvents, s).name, sliceAt(d.traceEvents, f).name]).toEqual(['connect', 'accept']);
    expect(d.traceEvents.some((e) => e.ph === 'C' && / backlog$/.test(e.name))).toBe(true);
  });

  it('`run --trace perfetto` on stdout prints only the trace (json is an alias)', async () => {
    const orig = console.error;
    const errors: string[] = [];
    console.error = (s: string) => errors.push(s);
    try {
      await checkStdout();
    } finally {
      console.error = orig;
    }
    expect(errors.some((e) => /acceptance-scm-rights: passed/.test(e))).toBe(true);
  });
});

/** stdout holds nothing but the JSON document (the summary went to stderr). */
async function checkStdout(): Promise<void> {
  for (const fmt of ['perfetto', 'json']) {
    const out: string[] = [];
    const code = await main(['run', 'scenarios/acceptance-scm-rights.ts', '--trace', fmt], (s) => out.push(s));
    expect(code).toBe(0);
    const d = JSON.parse(out.join('\n'));
    expect(d.metadata.replay).toBe('npx unixsim replay scenarios/acceptance-scm-rights.ts --seed 1');
    expect(d.traceEvents.length).toBeGreaterThan(20);
  }
}
