// The in-flight collector against a reachability model (properties/gen/gc-model.ts):
// random fd graphs of stream socketpairs (and, in the wider programs, listeners with
// embryos, peeks, dups and pipes), under both collectors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNIX_GC_TID } from '../src/unix/gc/worker.ts';
import { runScenario } from '../src/script/runner.ts';
import { defineScenario } from '../src/script/scenario.ts';
import { gcModelProperty } from './gen/gc-model.ts';
import { itFindsPlanted, MUTATE } from './lib/profile.ts';

const SEED = 20_261_206;

describe('the collector against a reachability model', () => {
  it.each(['scc', 'mark-sweep'] as const)('%s releases exactly the sockets no fd reaches, however many hops away', (gc) => {
    fc.assert(gcModelProperty(gc), { numRuns: MUTATE ? 30 : 10, seed: SEED });
  });

  it.each(['scc', 'mark-sweep'] as const)('%s, with listeners and their embryos, accept, MSG_PEEK, dup and pipes in flight', (gc) => {
    fc.assert(gcModelProperty(gc, [], true), { numRuns: MUTATE ? 30 : 10, seed: SEED });
  });

  itFindsPlanted('finds the planted bug gc-frees-reachable', () => {
    const details = fc.check(gcModelProperty('scc', ['gc-frees-reachable']), { numRuns: 40, seed: SEED, endOnFailure: true });
    expect(details.failed).toBe(true);
  });
});

describe('the collector worker', () => {
  // Three sockets each in flight on the next one's queue (a0 on b0's, b0 on c0's, c0 on a0's), their fds
  // closed: one dead component of three, collected by the configured collector in a traced slice.
  const AF_UNIX = 1, SOCK_STREAM = 1;
  const cycle = defineScenario({
    name: 'gc-three-cycle',
    processes: [{
      name: 'p',
      *program(sys) {
        const [a, b, c] = [yield* sys.socketpair(AF_UNIX, SOCK_STREAM), yield* sys.socketpair(AF_UNIX, SOCK_STREAM), yield* sys.socketpair(AF_UNIX, SOCK_STREAM)];
        yield* sys.sendmsg(b.fds[1], { data: 'x', fds: [a.fds[0]] });
        yield* sys.sendmsg(c.fds[1], { data: 'x', fds: [b.fds[0]] });
        yield* sys.sendmsg(a.fds[1], { data: 'x', fds: [c.fds[0]] });
        for (const p of [a, b, c]) yield* sys.close(p.fds[0]);
        yield* sys.nanosleep(1_000_000);
        return 0;
      },
    }],
  });
  it.each([['scc', '__unix_gc'], ['mark-sweep', 'unix_gc']] as const)('%s runs as %s, frees the cycle and ends idle', (gc, slice) => {
    const r = runScenario(cycle, { seed: 1, gc, checkInvariants: true, recordText: true });
    expect(r.failures).toEqual([]);
    const inf = r.view.net!.inflight;
    const runs = r.events.filter((e) => e.kind === 'enter' && e.tid === UNIX_GC_TID);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((e) => e.kind === 'enter' && e.name === slice)).toBe(true);
    expect(inf.gcRuns).toBe(runs.length);
    expect(inf.gcFreed).toBe(3);
    const freed = r.events.filter((e) => e.kind === 'exit' && e.tid === UNIX_GC_TID).map((e) => (e.kind === 'exit' ? e.result : ''));
    expect(freed).toContain('3 socket(s) freed');
    expect(inf.gcInProgress).toBe(false);
    expect(inf.gcQueued).toBe(false);
  });
});
