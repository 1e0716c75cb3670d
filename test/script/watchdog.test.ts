// A scripted program that loops without a system call cannot be preempted
// on its own thread; the command runs it on a worker and a watchdog ends it
// (src/command.ts, src/explore/watchdog.ts). A sweep's worker pool reports
// such a run as that seed's failure and goes on with a new worker.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/command.ts';
import { startWorkers } from '../../src/explore/pool.ts';
import { runSeeds, summarise } from '../../src/explore/sweep.ts';
import type { Sys } from '../../src/script/sys.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'unixsim-watchdog-'));
writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
const DEFINE = `import { defineScenario } from '${ROOT}src/script/scenario.ts';\n`;

describe('the script watchdog', () => {
  it('`unixsim run` of a program that loops without a system call: its output so far, then one line naming the file and the program, exit 2', async () => {
    const file = join(dir, 'spin.ts');
    writeFileSync(file, `${DEFINE}export default defineScenario({ name: 'spin', processes: [
  { name: 'fine', *program(sys) { yield* sys.getpid(); } },
  { name: 'spinner', *program(sys) { yield* sys.write(1, 'about to spin\\n'); for (;;) {} } },
] });\n`);
    const lines: string[] = [];
    const [log, error] = [console.log, console.error];
    console.log = console.error = (s: string) => lines.push(s);
    try {
      expect(await runCommand(['run', file], 0.5)).toBe(2);
    } finally {
      [console.log, console.error] = [log, error];
    }
    // what the program wrote reached the user as it wrote it, though its run never ended
    expect(lines).toEqual(['about to spin', `unixsim: ${file}: program 'spinner' ran for 0.5 s without a system call`]);
  });

  it("a sweep worker's stuck run is that seed's failure; the seeds after it run on a new worker", async () => {
    // Only the first worker's first run spins (a marker file on the host says whether it has happened).
    const marker = join(dir, 'spun');
    const file = join(dir, 'spin-once.ts');
    writeFileSync(file, `${DEFINE}import { existsSync, writeFileSync } from 'node:fs';
export default defineScenario({ name: 'spin-once', processes: [{ name: 'p', *program(sys) {
  yield* sys.getpid();
  if (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); for (;;) {} }
} }] });\n`);
    const pool = await startWorkers(file, {}, 1, 0.5);
    try {
      const out = await pool.runners[0](1, 3);
      expect(existsSync(marker)).toBe(true);
      expect(out.map((o) => [o.seed, o.failure?.kind ?? 'passed'])).toEqual([[1, 'stuck'], [2, 'passed'], [3, 'passed']]);
      expect(out[0].failure?.message).toBe("program 'p' ran for 0.5 s without a system call");
    } finally {
      await pool.stop();
    }
  });

  it('a sweep started again after a stuck run on its own thread reports that seed without running it, and does not shrink it', () => {
    const sc = { name: 'fine', processes: [{ name: 'p', *program(sys: Sys) { yield* sys.getpid(); } }] };
    const stuck = [{ seed: 2, name: 'p', secs: 10 }];
    const outcomes = runSeeds(sc, {}, 1, 3, stuck);
    expect(outcomes.map((o) => o.failure?.kind ?? 'passed')).toEqual(['passed', 'stuck', 'passed']);
    const summary = summarise(sc, { file: 'fine.ts', spec: {}, from: 1, count: 3, stuck }, outcomes, false);
    expect(summary.groups.map((g) => [g.signature, g.seeds, g.shrunk])).toEqual([["stuck: program 'p'", [2], null]]);
    expect(summary.hashes).toHaveLength(1); // the two runs that ran; the stuck one has no trace
  });
});
