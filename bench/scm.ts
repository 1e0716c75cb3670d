// fd-passing benchmark: a sender passes one open file per message
// (sendmsg with SCM_RIGHTS) to a receiver over a stream socketpair; the
// receiver takes each fd with recvmsg and closes it. The figure is
// messages (each carrying one fd) per second of host time, with the
// syscall rate beside it. Run: npx tsx bench/scm.ts (or npm run bench scm)
import type { BenchRow as Row } from './row.ts';
import { fileURLToPath } from 'node:url';
import { O_RDONLY } from '../src/kernel/abi.ts';
import { runScenario } from '../src/script/runner.ts';
import { defineScenario, type Scenario } from '../src/script/scenario.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';

export type { BenchRow as Row } from './row.ts';

/** The sender passes the same open file `messages` times; the receiver receives and closes each fd. */
export function fdPassing(messages: number): Scenario {
  return defineScenario({
    name: 'bench-scm-fd-passing',
    maxSteps: messages * 8 + 100,
    files: { '/tmp/bench': 'payload' },
    processes: [
      {
        name: 'sender',
        *program(sys) {
          const [mine, theirs] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
          const child = yield* sys.fork(function* (sys) {
            yield* sys.close(mine);
            for (let i = 0; i < messages; i++) {
              const m = yield* sys.recvmsg(theirs, { n: 1, controlLen: 24 });
              if (m.fds.length !== 1) throw new Error(`message ${i}: ${m.fds.length} fds`);
              yield* sys.close(m.fds[0]);
            }
            return 0;
          });
          yield* sys.close(theirs);
          const fd = yield* sys.open('/tmp/bench', O_RDONLY);
          for (let i = 0; i < messages; i++) yield* sys.sendmsg(mine, { data: 'x', fds: [fd] });
          yield* sys.wait(child);
          return 0;
        },
      },
    ],
  });
}

export function benchScm(opts: { messages?: number } = {}): Row[] {
  const messages = opts.messages ?? 20_000;
  runScenario(fdPassing(2000), { seed: 0 }); // warm up the JIT
  const sc = fdPassing(messages);
  const t0 = performance.now();
  const r = runScenario(sc, { seed: 1 });
  const secs = (performance.now() - t0) / 1000;
  if (r.failures.length) throw new Error(`bench run failed: ${r.failures.join('; ')}`);
  const syscalls = r.kernel.stats.syscalls;
  return [
    { name: 'scm: fd-passing throughput', value: messages / secs, unit: 'msgs/s', note: `one fd per message, ${messages} messages, random schedule` },
    { name: 'scm: syscall rate during fd passing', value: syscalls / secs, unit: 'syscalls/s', note: 'sendmsg + recvmsg + close' },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of benchScm()) console.log(`${row.name}: ${Math.round(row.value).toLocaleString('en-US')} ${row.unit} (${row.note})`);
}
