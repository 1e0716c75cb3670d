// AF_UNIX stream benchmarks: scripted-syscall throughput of a long stream
// ping-pong over a socketpair, with the pipe ping-pong of the same length
// measured in the same run as the baseline; and how many runs per second a
// seed sweep of the accept storm (scenarios/accept-storm.ts) manages.
// Run alone: npx tsx bench/stream.ts
import { pathToFileURL } from 'node:url';
import storm from '../scenarios/accept-storm.ts';
import { runScenario } from '../src/script/runner.ts';
import { defineScenario, type Scenario } from '../src/script/scenario.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';
import { longPingPong, type Row } from './pipe.ts';

/** Parent and child bounce one byte `rounds` times over a stream socketpair. */
function streamPingPong(rounds: number): Scenario {
  return defineScenario({
    name: 'bench-stream-pingpong',
    maxSteps: rounds * 10 + 100,
    processes: [
      {
        name: 'parent',
        *program(sys) {
          const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
          const [a, b] = sp.fds;
          const child = yield* sys.fork(function* child(sys) {
            yield* sys.close(a);
            for (let i = 0; i < rounds; i++) {
              yield* sys.read(b, 1);
              yield* sys.write(b, 'o');
            }
            return 0;
          });
          yield* sys.close(b);
          for (let i = 0; i < rounds; i++) {
            yield* sys.write(a, 'i');
            yield* sys.read(a, 1);
          }
          yield* sys.wait(child);
          return 0;
        },
      },
    ],
  });
}

function syscallRate(sc: Scenario): { rate: number; calls: number; ms: number } {
  const t0 = performance.now();
  const r = runScenario(sc, { seed: 1 });
  const ms = performance.now() - t0;
  if (r.failures.length) throw new Error(`${sc.name} failed: ${r.failures.join('; ')}`);
  return { rate: r.kernel.stats.syscalls / (ms / 1000), calls: r.kernel.stats.syscalls, ms };
}

export function benchStream(opts: { rounds?: number; seeds?: number } = {}): Row[] {
  const rounds = opts.rounds ?? 100_000;
  const seeds = opts.seeds ?? 1000;
  syscallRate(streamPingPong(2000)); // warm up
  syscallRate(longPingPong(2000));
  const stream = syscallRate(streamPingPong(rounds));
  const pipe = syscallRate(longPingPong(rounds));
  const rows: Row[] = [
    {
      name: 'stream ping-pong syscalls/s',
      value: Math.round(stream.rate),
      unit: 'syscalls/s',
      note: `${stream.calls} syscalls over a socketpair in ${stream.ms.toFixed(0)} ms`,
    },
    {
      name: 'stream ping-pong vs pipe ping-pong',
      value: stream.rate / pipe.rate,
      unit: 'x',
      note: `pipe baseline in the same run: ${Math.round(pipe.rate)} syscalls/s`,
    },
  ];
  const hashes = new Set<string>();
  const t0 = performance.now();
  for (let s = 1; s <= seeds; s++) {
    const r = runScenario(storm, { seed: s });
    if (r.failures.length) throw new Error(`accept-storm seed ${s} failed: ${r.failures.join('; ')}`);
    hashes.add(r.hash);
  }
  const secs = (performance.now() - t0) / 1000;
  rows.push({
    name: 'accept storm sweep (8 clients, 1 acceptor)',
    value: seeds / secs,
    unit: 'runs/s',
    note: `${seeds} seeds, ${hashes.size} distinct interleavings, ${(hashes.size / secs).toFixed(0)} interleavings/s`,
  });
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of benchStream()) console.log(`${r.name.padEnd(48)} ${r.value.toFixed(2).padStart(14)} ${r.unit}   (${r.note})`);
}
