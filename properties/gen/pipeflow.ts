// Pipe traffic as data: W writers and R readers share one pipe. Writer w
// writes its stream (byte i is (w << 6) | (i % 64)) in chunks of the given
// sizes; readers read chunks of their sizes until EOF. Every completed read
// is logged, in completion order, so the log is the pipe's output stream.
import fc from 'fast-check';
import { defineScenario, type Scenario } from '../../src/script/scenario.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';

export interface PipeFlow {
  /** chunk sizes each writer writes, in order */
  writers: number[][];
  /** read sizes each reader cycles through until EOF */
  readers: number[][];
}

export const pipeFlowArb: fc.Arbitrary<PipeFlow> = fc.record({
  writers: fc.array(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }),
  readers: fc.array(fc.array(fc.integer({ min: 256, max: 8192 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 2 }),
});

export function streamByte(w: number, i: number): number {
  return (w << 6) | (i % 64);
}

function chunk(w: number, from: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = streamByte(w, from + i);
  return b;
}

export function pipeFlowScenario(flow: PipeFlow): Scenario {
  return defineScenario({
    name: 'pipe-flow',
    maxSteps: 200_000,
    processes: [
      {
        name: 'root',
        *program(sys) {
          const p = yield* sys.pipe();
          const kids: number[] = [];
          for (let w = 0; w < flow.writers.length; w++) {
            kids.push(
              yield* sys.fork(function* (sys) {
                yield* sys.close(p.fds[0]);
                let sent = 0;
                for (const n of flow.writers[w]) {
                  const r = yield* sys.write(p.fds[1], chunk(w, sent, n));
                  if (r !== n) throw new Error(`writer ${w}: write of ${n} returned ${r}`);
                  sent += n;
                }
                yield* sys.close(p.fds[1]);
                return 0;
              }),
            );
          }
          for (let r = 0; r < flow.readers.length; r++) {
            kids.push(
              yield* sys.fork(function* (sys) {
                yield* sys.close(p.fds[1]);
                for (let i = 0; ; i++) {
                  const m = yield* sys.read(p.fds[0], flow.readers[r][i % flow.readers[r].length]);
                  if (m.ret < 0) throw new Error(`reader ${r}: read failed with ${m.ret}`);
                  if (m.ret === 0) break;
                  sys.log('chunk', m.data);
                }
                yield* sys.close(p.fds[0]);
                return 0;
              }),
            );
          }
          yield* sys.close(p.fds[0]);
          yield* sys.close(p.fds[1]);
          for (const k of kids) yield* sys.wait(k);
          return 0;
        },
      },
    ],
  });
}

/** Problems with the bytes the readers saw: lost, duplicated, reordered or corrupted. */
export function flowProblems(flow: PipeFlow, k: Kernel): string[] {
  const seen = flow.writers.map(() => 0);
  const out: string[] = [];
  for (const n of k.notes) {
    if (n.key !== 'chunk') continue;
    for (const b of n.value as Uint8Array) {
      const w = b >> 6;
      if (w >= flow.writers.length) {
        out.push(`byte ${b} comes from no writer`);
        return out;
      }
      if (b !== streamByte(w, seen[w])) {
        out.push(`writer ${w}: byte ${seen[w]} arrived as ${b & 63}, expected ${seen[w] % 64} (lost, duplicated or reordered)`);
        return out;
      }
      seen[w]++;
    }
  }
  flow.writers.forEach((sizes, w) => {
    const total = sizes.reduce((a, b) => a + b, 0);
    if (seen[w] !== total) out.push(`writer ${w}: ${total} bytes written, ${seen[w]} read`);
  });
  return out;
}
