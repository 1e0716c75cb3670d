// Random scripted programs as data: a root process sets up shared pipes and
// files, forks the others, and every process runs its own list of ops. The
// interpreter (`opsScenario`) is one generic script, so a failing case
// shrinks to a smaller list of ops, and prints as plain data.
import fc from 'fast-check';
import { O_CREAT, O_NONBLOCK, O_RDWR, SEEK_SET, SIGPIPE } from '../../src/kernel/abi.ts';
import { defineScenario, type Scenario } from '../../src/script/scenario.ts';
import type { Sys, SysGen } from '../../src/script/sys.ts';

export type Op =
  | { op: 'write'; pipe: number; len: number }
  | { op: 'read'; pipe: number; len: number }
  | { op: 'fwrite'; file: number; len: number }
  | { op: 'fread'; file: number; len: number }
  | { op: 'seek'; file: number; pos: number }
  | { op: 'pwrite'; file: number; pos: number; len: number }
  | { op: 'closeEnd'; pipe: number; end: 0 | 1 }
  | { op: 'yield' }
  | { op: 'sleep'; ns: number }
  | { op: 'stat'; file: number };

export interface OpsProgram {
  /** per pipe: whether its ends are O_NONBLOCK */
  pipes: boolean[];
  files: number;
  /** ops of each process; process 0 is the root, which forks the others */
  procs: Op[][];
}

export function opArb(pipes: number, files: number): fc.Arbitrary<Op> {
  const pipe = fc.integer({ min: 0, max: pipes - 1 });
  const file = fc.integer({ min: 0, max: files - 1 });
  const len = fc.integer({ min: 1, max: 300 });
  return fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('write' as const), pipe, len }), weight: 4 },
    { arbitrary: fc.record({ op: fc.constant('read' as const), pipe, len }), weight: 4 },
    { arbitrary: fc.record({ op: fc.constant('fwrite' as const), file, len }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('fread' as const), file, len }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('seek' as const), file, pos: fc.integer({ min: 0, max: 500 }) }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('pwrite' as const), file, pos: fc.integer({ min: 0, max: 500 }), len }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('closeEnd' as const), pipe, end: fc.constantFrom(0 as const, 1 as const) }), weight: 1 },
    { arbitrary: fc.constant({ op: 'yield' as const }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('sleep' as const), ns: fc.integer({ min: 1, max: 5000 }) }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('stat' as const), file }), weight: 1 },
  );
}

export const opsProgramArb: fc.Arbitrary<OpsProgram> = fc
  .record({
    pipes: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
    files: fc.integer({ min: 1, max: 2 }),
    nprocs: fc.integer({ min: 2, max: 4 }),
  })
  .chain(({ pipes, files, nprocs }) =>
    fc.record({
      pipes: fc.constant(pipes),
      files: fc.constant(files),
      procs: fc.array(fc.array(opArb(pipes.length, files), { maxLength: 25 }), { minLength: nprocs, maxLength: nprocs }),
    }),
  );

function* runOps(sys: Sys, ops: Op[], pipeFds: [number, number][], fileFds: number[], me: number): SysGen<void> {
  let n = 0;
  for (const o of ops) {
    const fill = String.fromCharCode(0x61 + ((me * 7 + n++) % 26));
    switch (o.op) {
      case 'write':
        yield* sys.write(pipeFds[o.pipe][1], fill.repeat(o.len));
        break;
      case 'read':
        yield* sys.read(pipeFds[o.pipe][0], o.len);
        break;
      case 'fwrite':
        yield* sys.write(fileFds[o.file], fill.repeat(o.len));
        break;
      case 'fread':
        yield* sys.read(fileFds[o.file], o.len);
        break;
      case 'seek':
        yield* sys.lseek(fileFds[o.file], o.pos, SEEK_SET);
        break;
      case 'pwrite': {
        sys.scratch.reset();
        const b = new TextEncoder().encode(fill.repeat(o.len));
        yield* sys.syscall(68, fileFds[o.file], sys.scratch.put(b), b.length, o.pos);
        break;
      }
      case 'closeEnd':
        yield* sys.close(pipeFds[o.pipe][o.end]);
        break;
      case 'yield':
        yield* sys.schedYield();
        break;
      case 'sleep':
        yield* sys.nanosleep(o.ns);
        break;
      case 'stat':
        yield* sys.fstat(fileFds[o.file]);
        break;
    }
  }
}

/** The program as a scenario: no checks (the properties judge the trace), exits need not be clean. */
export function opsScenario(p: OpsProgram): Scenario {
  return defineScenario({
    name: 'generated-ops',
    requireCleanExit: false,
    maxSteps: 5000,
    processes: [
      {
        name: 'p0',
        *program(sys) {
          yield* sys.sigaction(SIGPIPE, 'ignore');
          const pipeFds: [number, number][] = [];
          for (const nb of p.pipes) pipeFds.push((yield* sys.pipe(nb ? O_NONBLOCK : 0)).fds);
          const fileFds: number[] = [];
          for (let i = 0; i < p.files; i++) fileFds.push(yield* sys.open(`/tmp/f${i}`, O_CREAT | O_RDWR, 0o644));
          const kids: number[] = [];
          for (let i = 1; i < p.procs.length; i++) {
            kids.push(yield* sys.fork(function* (sys) {
              yield* runOps(sys, p.procs[i], pipeFds, fileFds, i);
              return 0;
            }));
          }
          yield* runOps(sys, p.procs[0], pipeFds, fileFds, 0);
          for (const k of kids) yield* sys.wait(k);
          return 0;
        },
      },
    ],
  });
}
