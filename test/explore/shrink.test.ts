// Shrinking, checked on planted bugs: a shrunk schedule is never longer
// than the original, fails the same way, and replays exactly from its
// printed options; and it does shrink (the planted deadlocks need no
// preemption at all, the double dequeue needs at least one).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/cli.ts';
import { failureReport, scheduleStory } from '../../src/explore/report.ts';
import { applyRunFlag, replayCommand, runArgs, runFlag, shellWords, type RunSpec } from '../../src/explore/run-flags.ts';
import { runSchedule } from '../../src/explore/schedule.ts';
import { shrinkFailure } from '../../src/explore/shrink.ts';
import { classifyFailure } from '../../src/explore/signature.ts';
import { runScenario, type RunOptions } from '../../src/script/runner.ts';

const PLANTED: { file: string; opts: Omit<RunOptions, 'seed'> }[] = [
  { file: 'scenarios/pipe-pingpong.ts', opts: { bugs: ['pipe-write-no-wake'] } },
  { file: 'scenarios/race-scm-receiver-close.ts', opts: { bugs: ['close-forgets-inflight'], checkInvariants: true } },
  { file: 'scenarios/race-two-acceptors.ts', opts: { bugs: ['accept-single-waker'] } },
  { file: 'scenarios/race-poll-wakeup-recheck.ts', opts: { bugs: ['poll-no-recheck'] } },
  { file: 'scenarios/race-two-acceptors.ts', opts: { bugs: ['accept-double-dequeue'], kernelPreemption: true, strategy: 'pct', pctDepth: 2 } },
];

describe('shrinking failing schedules', () => {
  it('property: on every planted bug the shrunk schedule is no longer than the original, fails the same way and replays exactly', async () => {
    for (const p of PLANTED) {
      const sc = await loadScenario(p.file);
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 100_000 }), (seed) => {
          const opts: RunOptions = { ...p.opts, seed };
          const found = runScenario(sc, opts);
          if (!found.failures.length) return true;
          const s = shrinkFailure(sc, opts, found, { maxRuns: 60 });
          const kind = classifyFailure(found)!.kind;
          expect(s.after.figures.length).toBeLessThanOrEqual(found.picks.length);
          expect(s.after.figures.preemptions).toBeLessThanOrEqual(s.before.preemptions);
          expect(classifyFailure(s.after.result)?.kind).toBe(kind);
          const again = runScenario(sc, s.replay);
          expect(again.hash).toBe(s.after.result.hash);
          expect(classifyFailure(again)?.kind).toBe(kind);
          return true;
        }),
        { numRuns: 3 },
      );
    }
  });

  it('a lost wakeup needs no preemption: the pipe deadlock shrinks to none', async () => {
    const sc = await loadScenario('scenarios/pipe-pingpong.ts');
    const opts: RunOptions = { seed: 1, bugs: ['pipe-write-no-wake'] };
    const found = runScenario(sc, opts);
    const s = shrinkFailure(sc, opts, found);
    expect(s.before.preemptions).toBeGreaterThan(0);
    expect(s.after.figures.preemptions).toBe(0);
    expect(s.after.result.end.kind).toBe('deadlock');
  });

  it('the double dequeue needs a preemption inside accept: the shrunk schedule keeps one and the story marks it', async () => {
    const sc = await loadScenario('scenarios/race-two-acceptors.ts');
    const opts: RunOptions = { seed: 1, bugs: ['accept-double-dequeue'], kernelPreemption: true };
    const found = runScenario(sc, opts);
    expect(found.failures.length).toBeGreaterThan(0);
    const s = shrinkFailure(sc, opts, found, { maxRuns: 60 });
    expect(s.after.figures.preemptions).toBeGreaterThan(0);
    expect(s.after.figures.preemptions).toBeLessThan(s.before.preemptions);
    const story = scheduleStory(s.after.result.events, s.after.points, s.after.result.labels);
    expect(story[0]).toMatch(/^1\. \[pid 1 \(server\)\] /);
    expect(story.some((l) => /<- preempts pid \d+ \(/.test(l))).toBe(true);
  });

  it('a candidate that leaves the program continues deterministically: nonsense picks still name one run', async () => {
    const sc = await loadScenario('scenarios/race-two-acceptors.ts');
    const a = runSchedule(sc, { seed: 1 }, [99, 99, 3, 3, 3]);
    const b = runSchedule(sc, { seed: 1 }, [99, 99, 3, 3, 3]);
    expect(a.result.hash).toBe(b.result.hash);
    expect(runScenario(sc, a.replay).hash).toBe(a.result.hash);
  });

  it('the deadlock report shows the processes that finished and the checks, the trace tail and the replay command', async () => {
    const file = 'scenarios/race-two-acceptors.ts';
    const sc = await loadScenario(file);
    const opts: RunOptions = { seed: 2, bugs: ['accept-single-waker'] };
    const found = runScenario(sc, opts);
    const lines = failureReport({ file, scenario: sc, opts, found, shrunk: shrinkFailure(sc, opts, found) });
    const text = lines.join('\n');
    // both acceptors must sleep in accept before the server connects: one preemption of the server
    expect(text).toMatch(/schedule shrunk in \d+ runs: \d+ preemptions, .* -> 1 preemption,/);
    expect(text).toMatch(/processes that finished:\n  pid 3 \(server\): exit 0/);
    expect(text).toMatch(/checks on the unfinished run:\n  both connects succeeded: passes\n  each connection .*: fails: /);
    // at most 30: this shrunk run has 29 trace lines in all
    const at = lines.findIndex((l) => /^last \d+ trace lines/.test(l));
    expect(lines[at]).toMatch(/^last 29 trace lines/);
    const tail = lines.slice(at + 1, -1);
    expect(tail).toHaveLength(29);
    expect(lines[lines.length - 1]).toBe(`replay: npx unixsim replay ${file} --seed 2 --strategy keep --bug accept-single-waker --picks 1,2,2,3`);
  });
});

describe('run flags', () => {
  it('every flag written into a replay command parses back to the same options', () => {
    const opts: RunSpec = {
      seed: "it's", strategy: 'pct', pctDepth: 2, bugs: ['dup-no-ref', 'pipe-read-no-wake'], picks: [1, 2, 1],
      checkInvariants: true, kernelPreemption: true, maxSteps: 500,
    };
    const words = shellWords(replayCommand('x.ts', opts as RunOptions)).slice(4);
    expect(words).toEqual(runArgs(opts).map((w) => shellWords(w)[0]));
    const back: RunSpec = {};
    for (let i = 0; i < words.length; i++) {
      const f = runFlag(words[i])!;
      expect(f, words[i]).toBeDefined();
      applyRunFlag(back, f, f.kind === 'bool' ? undefined : words[++i]);
    }
    expect(back).toEqual(opts);
  });
});
