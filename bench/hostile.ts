// Guest-driven sizes that used to blow up (issue "hostile guests"): dup of
// 100k fds, 20,000 sockets in flight while 2,000 fd-passing cycles are
// collected one by one (and, smaller, the pre-6.10 collector against the
// default SCC one), and epoll_ctl on a 4-level epoll nest (the loop and
// depth check). Figures are host time per operation; test/hostile runs the
// same scenarios small. Run: npm run bench hostile
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { execImage } from '../src/exec.ts';
import { FdTable } from '../src/kernel/fdtable.ts';
import type { OpenFile } from '../src/kernel/file.ts';
import { EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLLIN } from '../src/kernel/epoll.ts';
import { runScenario } from '../src/script/runner.ts';
import { defineScenario, type Scenario } from '../src/script/scenario.ts';
import { AF_UNIX, SOCK_DGRAM, SOCK_STREAM } from '../src/unix/constants.ts';
import type { BenchRow as Row } from './row.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/**
 * `held` sockets in flight on the queue of a socket that stays open (all
 * reachable), then `cycles` socketpairs that each pass both ends over each
 * other and close them: each close leaves a garbage cycle to collect.
 */
export function inflightCycles(held: number, cycles: number): Scenario {
  return defineScenario({
    name: 'bench-inflight-cycles',
    maxSteps: held * 3 + cycles * 8 + 1000,
    processes: [
      {
        name: 'p',
        *program(sys) {
          const [keep, peer] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
          for (let sent = 0; sent < held; sent += 200) {
            const fds: number[] = [];
            for (let i = 0; i < Math.min(200, held - sent); i++) fds.push(yield* sys.socket(AF_UNIX, SOCK_STREAM));
            const r = yield* sys.sendmsg(keep, { data: 'x', fds });
            if (r !== 1) throw new Error(`sendmsg of ${fds.length} fds: ${r}`);
            for (const fd of fds) yield* sys.close(fd);
          }
          sys.log('held', held);
          for (let c = 0; c < cycles; c++) {
            const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
            yield* sys.sendmsg(a, { data: 'a', fds: [a] });
            yield* sys.sendmsg(b, { data: 'b', fds: [b] });
            yield* sys.close(a);
            yield* sys.close(b);
          }
          yield* sys.close(keep);
          yield* sys.close(peer);
          return 0;
        },
      },
    ],
  });
}

/** A chain of `levels` nested epolls over a pipe; the top link is removed and added again `ops` times. */
export function epollNest(levels: number, ops: number): Scenario {
  return defineScenario({
    name: 'bench-epoll-nest',
    maxSteps: ops * 3 + 100,
    processes: [
      {
        name: 'p',
        *program(sys) {
          const p = yield* sys.pipe();
          let below = p.fds[0];
          const eps: number[] = [];
          for (let i = 0; i < levels; i++) {
            const ep = yield* sys.epollCreate();
            if ((yield* sys.epollCtl(ep, EPOLL_CTL_ADD, below, EPOLLIN)) !== 0) throw new Error(`level ${i}`);
            eps.push(ep);
            below = ep;
          }
          const top = eps[eps.length - 1], under = eps[eps.length - 2];
          for (let i = 0; i < ops; i++) {
            yield* sys.epollCtl(top, EPOLL_CTL_DEL, under, 0);
            if ((yield* sys.epollCtl(top, EPOLL_CTL_ADD, under, EPOLLIN)) !== 0) throw new Error('re-add');
          }
          for (const ep of eps) yield* sys.close(ep);
          yield* sys.close(p.fds[0]);
          yield* sys.close(p.fds[1]);
          return 0;
        },
      },
    ],
  });
}

/** Seconds f takes, the best of three (the machine is shared: the minimum is the least disturbed). */
function timed(f: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/**
 * The lowest-free-fd search alone, at its worst: a table of 2^20 open fds
 * (RLIMIT_NOFILE's ceiling, nr_open) whose only free slot is the last;
 * each op frees it and takes it back. A search that skipped one summary
 * word at a time would visit 1,024 of them per call.
 */
function benchFullTable(): Row {
  const n = 1 << 20, ops = 200_000;
  const t = new FdTable();
  t.limit = n;
  const file = { get: () => file } as unknown as OpenFile;
  for (let i = 0; i < n; i++) t.install(file, false);
  const s = timed(() => {
    for (let i = 0; i < ops; i++) {
      t.remove(n - 1);
      if (t.install(file, false) !== n - 1) throw new Error('lowest free fd');
    }
  });
  return { name: 'hostile: close+open of the last of 2^20 fds', value: (s / ops) * 1e6, unit: 'us/pair', note: `${s.toFixed(2)} s for ${ops} pairs` };
}

export function benchHostile(): Row[] {
  const rows: Row[] = [];
  const hostile = new Uint8Array(readFileSync(here('../guest/bin/hostile')));
  const dups = 100_000;
  const base = timed(() => execImage('/hostile', hostile, { args: ['dups', '0'] }));
  const s = timed(() => {
    const r = execImage('/hostile', hostile, { args: ['dups', String(dups)] });
    if (r.status !== 0) throw new Error(`dups: ${r.describe} ${r.problem}`);
  }) - base;
  rows.push({ name: 'hostile: dup of 100k fds', value: (s / dups) * 1e6, unit: 'us/dup', note: `${s.toFixed(2)} s for ${dups} dups` });
  rows.push(benchFullTable());

  const held = 20_000, cycles = 2_000;
  runScenario(inflightCycles(2000, 2000), { seed: 1 }); // warm up the JIT
  const baseHeld = timed(() => runScenario(inflightCycles(held, 0), { seed: 1 }));
  const g = timed(() => {
    const r = runScenario(inflightCycles(held, cycles), { seed: 1 });
    if (r.failures.length) throw new Error(r.failures.join('; '));
  }) - baseHeld;
  rows.push({ name: 'hostile: cycle collected, 20,000 in flight', value: (g / cycles) * 1e6, unit: 'us/cycle', note: `${g.toFixed(2)} s for ${cycles} cycles` });

  // The same with the pre-6.10 collector, smaller (it rescans every in-flight socket at each run), against the default's at that size.
  const perCycle = (gc: 'scc' | 'mark-sweep', h: number, c: number): number => {
    const base = timed(() => runScenario(inflightCycles(h, 0), { seed: 1, gc }));
    return (timed(() => {
      const r = runScenario(inflightCycles(h, c), { seed: 1, gc });
      if (r.failures.length) throw new Error(r.failures.join('; '));
    }) - base) / c;
  };
  const ms = perCycle('mark-sweep', 2000, 200), scc = perCycle('scc', 2000, 200);
  rows.push({ name: 'hostile: cycle collected, 2,000 in flight, mark-sweep', value: ms * 1e6, unit: 'us/cycle', note: `${(ms / scc).toFixed(1)}x the SCC collector's ${(scc * 1e6).toFixed(0)} us/cycle at this size` });

  const ops = 20_000;
  runScenario(epollNest(4, 2000), { seed: 1 }); // warm up
  const e = timed(() => {
    const r = runScenario(epollNest(4, ops), { seed: 1 });
    if (r.failures.length) throw new Error(r.failures.join('; '));
  });
  rows.push({ name: 'hostile: epoll_ctl del+add on a 4-level nest', value: (e / ops) * 1e6, unit: 'us/pair', note: `${e.toFixed(2)} s for ${ops} pairs` });
  return rows;
}
