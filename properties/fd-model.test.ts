// The fd table against a set-of-open-fds model: the model and the program
// generator are in gen/fd-model.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fdModelProperty, type Op } from './gen/fd-model.ts';
import { itFindsPlanted } from './lib/profile.ts';
import type { OpenFile } from '../src/kernel/file.ts';
import { FdTable } from '../src/kernel/fdtable.ts';
import { FootprintRecorder, type Footprint } from '../src/sched/footprint.ts';
import type { Strategy } from '../src/sched/strategy.ts';
import { runScenario } from '../src/script/runner.ts';
import { defineScenario } from '../src/script/scenario.ts';

describe('the fd table against a model', () => {
  it('every new fd is the lowest free one, within RLIMIT_NOFILE, with the right FD_CLOEXEC and file', () => {
    // not fifthed when mutating: at 8 runs close(0) and F_SETFD on fd 0 never came up, and the mutants that
    // refuse fd 0 lived (src/kernel/fdtable.ts, Stryker's kernel profile); 40 short runs cost about a second
    // a fixed example: one fd free below the limit, so pipe2's second fd fails (EMFILE) and its first must be freed again
    const examples: [Op[], boolean][] = [[[{ op: 'pipe' }, { op: 'fill', below: 10 }, { op: 'limit', n: 11 }, { op: 'pipe' }, { op: 'socketpair' }, { op: 'dup', fd: 0 }], false]];
    fc.assert(fdModelProperty(), { numRuns: 40, seed: 20_261_203, examples });
  });

  itFindsPlanted('finds the planted bug dup-no-ref', () => {
    const details = fc.check(fdModelProperty(['dup-no-ref']), { numRuns: 40, seed: 20_261_203, endOnFailure: true });
    expect(details.failed, 'dup-no-ref not found in 40 runs').toBe(true);
  });

  // dpor's view of the table (src/sched/footprint.ts): a step that changes it writes its key, a lookup reads
  // it and touches the file found; a fork reads the parent's. Steps dpor takes for independent must commute.
  it("tells the footprint recorder what each call reads and writes (dpor's dependence)", () => {
    const rec = new FootprintRecorder();
    const t = new FdTable();
    t.key = 'fdt:9';
    t.recorder = rec;
    const file = { id: 7, ops: { kind: 'test', describe: () => 'test', footprintKeys: () => ['k:7'] }, get: () => file } as unknown as OpenFile;
    const step = (call: () => unknown): string => {
      rec.begin(1);
      call();
      const fp = rec.end(1, false);
      return [...[...fp.reads].map((k) => `r ${k}`), ...[...fp.writes].filter((k) => k !== 't:1').map((k) => `w ${k}`)].sort().join(', ');
    };
    expect(step(() => t.install(file, false))).toBe('w fdt:9');
    expect(step(() => t.get(0))).toBe('r fdt:9, w f:7, w k:7');
    expect(step(() => t.get(5))).toBe('r fdt:9');
    expect(step(() => t.installAt(3, file, false))).toBe('w fdt:9');
    expect(step(() => t.setCloexec(3, true))).toBe('w fdt:9');
    expect(step(() => t.remove(3))).toBe('w fdt:9');
    expect(step(() => t.clone())).toBe('r fdt:9');
    expect(step(() => t.takeCloexec())).toBe('w fdt:9');
    expect(step(() => t.takeAll())).toBe('w fdt:9');
    // and a task's table gets its key and the run's recorder (a run whose strategy asks for footprints)
    const seen: Footprint[] = [];
    const sc = defineScenario({ name: 'fd-footprints', processes: [{ name: 'p', *program(sys) { yield* sys.dup(1); return 0; } }] });
    runScenario(sc, { seed: 1 }, {
      strategy: (s): Strategy => ({ describe: s.describe, wantsFootprints: true, pick: (r, n, prev) => s.pick(r, n, prev), observeStep: (_t, _r, fp) => void (fp && seen.push(fp)) }),
    });
    expect(seen.some((fp) => [...fp.writes].some((k) => k.startsWith('fdt:'))), 'a step wrote its fd table').toBe(true);
  });
});
