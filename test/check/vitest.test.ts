// checkScenario (unixsim/vitest): generated schedules, shrinking of program
// and schedule together, the failure report, the regressions file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { ScheduleStrategy } from '../../src/check/schedule.ts';
import type { Program } from '../../src/script/context.ts';
import { defineScenario, type Scenario } from '../../src/script/scenario.ts';
import { text } from '../../src/script/sys.ts';
import { checkScenario, fc } from '../../src/vitest.ts';
import twoAcceptors from '../../scenarios/race-two-acceptors.ts';

const tmp = mkdtempSync(join(tmpdir(), 'unixsim-vitest-'));
const O_RDWR = 2;

/** Two processes increment a counter file by read, seek, write: a lost update needs one preemption. */
function lostUpdate(pads: [number, number]): Scenario {
  const incrementer = (pad: number): Program =>
    function* (sys) {
      for (let i = 0; i < pad; i++) yield* sys.getpid();
      const fd = yield* sys.open('/tmp/counter', O_RDWR);
      const v = Number(text((yield* sys.pread(fd, 1, 0)).data));
      yield* sys.lseek(fd, 0, 0);
      yield* sys.write(fd, String(v + 1));
      sys.log('wrote', v + 1);
      yield* sys.close(fd);
      return 0;
    };
  return defineScenario({
    name: `lost-update-${pads[0]}-${pads[1]}`,
    files: { '/tmp/counter': '0' },
    processes: [
      { name: 'a', program: incrementer(pads[0]) },
      { name: 'b', program: incrementer(pads[1]) },
    ],
    checks: { 'both increments count': (run) => new Set(run.logs('wrote')).size === 2 },
  });
}

function thrown(f: () => void): string {
  try {
    f();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('expected checkScenario to throw');
}

describe('checkScenario', () => {
  it('passes a correct kernel and leaves no entry behind', () => {
    const file = join(tmp, 'pass.json');
    checkScenario('two acceptors', twoAcceptors, { regressions: file, seed: 1, numRuns: 15 });
    expect(JSON.parse(readFileSync(file, 'utf8')).regressions).toEqual([]);
  });

  it('reports a planted bug with its check, schedule, trace tail and a replay command that reproduces the trace', async () => {
    const file = join(tmp, 'bug.json');
    const opts = { regressions: file, seed: 7, bugs: ['accept-single-waker'], file: 'scenarios/race-two-acceptors.ts' };
    const report = thrown(() => checkScenario('two acceptors', twoAcceptors, opts));
    expect(report).toMatch(/^two acceptors: failed after \d+ runs/);
    expect(report).toContain('deadlock');
    expect(report).toMatch(/\n {2}its picks \(\d+\): [\d,]+\n/);
    expect(report).toMatch(/last \d+ trace lines:\n {2}\s+\d+ \[pid \d\]/);
    // the run as found and the shrunk run: each printed command reproduces its trace
    const replays = async (cmd: string, hash: string) => {
      const lines: string[] = [];
      const orig = console.error; // the failure summary goes to stderr
      console.error = (s: string) => lines.push(s);
      try {
        expect(await main(cmd.split(' ').map((a) => a.replace(/^'(.*)'$/, '$1')), (s) => lines.push(s))).toBe(1);
      } finally {
        console.error = orig;
      }
      expect(lines.join('\n')).toContain(`trace ${hash}`);
    };
    await replays(/found by: npx unixsim (replay .*)/.exec(report)![1], /FAILED \(.*trace ([0-9a-f]{16})\)/.exec(report)![1]);
    await replays(/\nreplay: npx unixsim (replay .*)/.exec(report)![1], /\nshrunk run: .*trace ([0-9a-f]{16})\)/.exec(report)![1]);

    // written to the regressions file, and replayed first next time (whatever the seed)
    const [entry] = JSON.parse(readFileSync(file, 'utf8')).regressions;
    expect(entry).toMatchObject({ name: 'two acceptors', status: 'failed', seed: 7 });
    expect(thrown(() => checkScenario('two acceptors', twoAcceptors, { ...opts, seed: 99 }))).toMatch(
      /^two acceptors: a recorded regression still fails .*fast-check seed 7,/,
    );
  });

  it('shrinks the generated program and the schedule together', () => {
    const programs = fc.tuple(fc.nat({ max: 6 }), fc.nat({ max: 6 })).map(lostUpdate);
    const report = thrown(() => checkScenario('lost update', programs, { regressions: false, seed: 3, maxGap: 12 }));
    expect(report).toContain('check "both increments count" failed');
    // fast-check brings the program down to the smallest (no padding); the explorer's shrinker
    // then takes the schedule down to the one preemption a lost update needs
    expect(report).toContain('\nscenario: lost-update-0-0\n');
    expect(report).toMatch(/\ngenerated schedule: .*\n/);
    expect(report).toMatch(/\nschedule shrunk in \d+ runs?: .* -> 1 preemption, /);
  });

  it('records the seed before the run starts, and a run that never finished is run again first', () => {
    const file = join(tmp, 'started.json');
    let seen: unknown;
    const watching = defineScenario({
      ...lostUpdate([0, 0]),
      checks: { 'the seed is on disk': () => ((seen = JSON.parse(readFileSync(file, 'utf8')).regressions), true) },
    });
    checkScenario('watching', watching, { regressions: file, seed: 4242, numRuns: 1 });
    expect(seen).toEqual([{ name: 'watching', status: 'started', seed: 4242 }]);
    expect(JSON.parse(readFileSync(file, 'utf8')).regressions).toEqual([]);

    // as if the host had died during a run with seed 555
    writeFileSync(file, JSON.stringify({ regressions: [{ name: 'lost update', status: 'started', seed: 555 }] }));
    const report = thrown(() => checkScenario('lost update', lostUpdate([0, 0]), { regressions: file, seed: 1 }));
    expect(report).toMatch(/^lost update: the run interrupted last time fails .*fast-check seed 555,/);
  });
});

describe('ScheduleStrategy', () => {
  const threads = (...tids: number[]) => tids.map((tid) => ({ tid }) as never);
  it('keeps running the task that ran last, else the lowest tid, and preempts where the schedule says', () => {
    const s = new ScheduleStrategy([{ gap: 2, shift: 1 }, { gap: 0, shift: 2 }]);
    const picks = [
      s.pick(threads(1, 2, 3)), // point 0: lowest
      s.pick(threads(1, 2, 3)), // 1: keep 1
      s.pick(threads(1, 2, 3)), // 2: preempt: 1 -> 2
      s.pick(threads(1, 2, 3)), // 3: preempt by 2: 2 -> 1
      s.pick(threads(2, 3)), // 4: 1 gone: lowest
    ].map((t) => (t as { tid: number }).tid);
    expect(picks).toEqual([1, 1, 2, 1, 2]);
  });
});
