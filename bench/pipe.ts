// Pipe benchmarks: raw scripted-syscall throughput of a long two-process
// ping-pong, and how many distinct interleavings a seed sweep over
// scenarios/pipe-pingpong.ts finds per second. Run: npx tsx bench/pipe.ts
import type { BenchRow as Row } from './row.ts';
import pingpong from '../scenarios/pipe-pingpong.ts';
import { runScenario } from '../src/script/runner.ts';
import { defineScenario, type Scenario } from '../src/script/scenario.ts';

export type { BenchRow as Row } from './row.ts';

/** Parent and child bounce one byte back and forth `rounds` times over two pipes. */
export function longPingPong(rounds: number): Scenario {
  return defineScenario({
    name: 'bench-pipe-pingpong',
    maxSteps: rounds * 10 + 100,
    processes: [
      {
        name: 'parent',
        *program(sys) {
          const down = yield* sys.pipe();
          const up = yield* sys.pipe();
          const child = yield* sys.fork(function* (sys) {
            yield* sys.close(down.fds[1]);
            yield* sys.close(up.fds[0]);
            for (let i = 0; i < rounds; i++) {
              yield* sys.read(down.fds[0], 1);
              yield* sys.write(up.fds[1], 'o');
            }
            return 0;
          });
          yield* sys.close(down.fds[0]);
          yield* sys.close(up.fds[1]);
          for (let i = 0; i < rounds; i++) {
            yield* sys.write(down.fds[1], 'i');
            yield* sys.read(up.fds[0], 1);
          }
          yield* sys.wait(child);
          return 0;
        },
      },
    ],
  });
}

function now(): number {
  return performance.now();
}

export function benchPipe(opts: { rounds?: number; seeds?: number } = {}): Row[] {
  const rounds = opts.rounds ?? 200_000;
  const seeds = opts.seeds ?? 2000;
  const rows: Row[] = [];

  // warm up the JIT on a short run first
  runScenario(longPingPong(2000), { seed: 0 });
  const sc = longPingPong(rounds);
  const t0 = now();
  const r = runScenario(sc, { seed: 1 });
  const ms = now() - t0;
  if (r.failures.length) throw new Error(`bench run failed: ${r.failures.join('; ')}`);
  const calls = r.kernel.stats.syscalls;
  rows.push({
    name: 'pipe ping-pong syscalls/s',
    value: Math.round(calls / (ms / 1000)),
    unit: 'syscalls/s',
    note: `${calls} scripted syscalls (${rounds} rounds, 1-byte messages, random strategy) in ${ms.toFixed(0)} ms`,
  });

  const hashes = new Set<string>();
  const t1 = now();
  for (let s = 1; s <= seeds; s++) {
    const run = runScenario(pingpong, { seed: s });
    if (run.failures.length) throw new Error(`pipe-pingpong seed ${s} failed: ${run.failures.join('; ')}`);
    hashes.add(run.hash);
  }
  const sweepMs = now() - t1;
  rows.push({
    name: 'pipe-pingpong distinct interleavings/s',
    value: Math.round(hashes.size / (sweepMs / 1000)),
    unit: 'interleavings/s',
    note: `${hashes.size} distinct trace hashes over seeds 1..${seeds} in ${sweepMs.toFixed(0)} ms (${Math.round(seeds / (sweepMs / 1000))} runs/s)`,
  });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/pipe.ts')) {
  for (const row of benchPipe()) console.log(`${row.name}: ${row.value.toLocaleString('en-US')} ${row.unit}  (${row.note})`);
}
