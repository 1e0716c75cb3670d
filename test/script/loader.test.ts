// Every malformed scenario file is one line naming the file and the
// problem (the CLI prints it as `unixsim: FILE: problem` and exits 2):
// each case is written to a temporary directory and loaded.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, ScenarioLoadError } from '../../src/script/loader.ts';
import { runScenario } from '../../src/script/runner.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFINE = `import { defineScenario } from '${ROOT}src/script/scenario.ts';\n`;
const dir = mkdtempSync(join(tmpdir(), 'unixsim-loader-'));
writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');

const OK_PROC = `{ name: 'p', *program(sys) { yield* sys.getpid(); } }`;

/** name -> [file contents, the problem the one line must state] */
const CASES: Record<string, [string, RegExp]> = {
  'syntax-error': [`${DEFINE}export default defineScenario({\n  name: 'x' processes: [],\n});\n`, /: syntax error at line 3, column \d+: .+/],
  'throws-at-import': [`${DEFINE}const o: any = undefined;\nconst v = o.field;\nexport default v;\n`, /: threw at import: TypeError: .*field.* \(at .*throws-at-import\.ts:3:\d+\)$/],
  'no-default-export': [`export const x = 1;\n`, /: no default export/],
  'not-an-object': [`export default 42;\n`, /: default export is not a scenario object/],
  'unknown-field': [`export default { name: 'x', proceses: [] };\n`, /: unknown scenario field "proceses"/],
  'no-processes': [`export default { name: 'x', processes: [] };\n`, /: scenario has no processes$/],
  'files-missing-dir': [`export default { name: 'x', processes: [${OK_PROC}], files: { '/no/such/f': 'x' } };\n`, /: files: "\/no\/such\/f": its directory \/no\/such does not exist$/],
  'files-non-string': [`export default { name: 'x', processes: [${OK_PROC}], files: { '/tmp/f': 42 } };\n`, /: files: "\/tmp\/f" must be a string, bytes or \{.*\}, not number 42$/],
  'files-relative': [`export default { name: 'x', processes: [${OK_PROC}], files: { 'tmp/f': 'x' } };\n`, /: files: "tmp\/f" is not an absolute path$/],
  'files-bad-mode': [`export default { name: 'x', processes: [${OK_PROC}], files: { '/tmp/d': { dir: true, mode: '755' } } };\n`, /: files: "\/tmp\/d": mode must be an integer/],
  'unknown-bug': [`export default { name: 'x', processes: [${OK_PROC}], kernel: { bugs: ['no-such-bug'] } };\n`, /: kernel\.bugs: unknown planted bug "no-such-bug" \(known: .*accept-single-waker.*\)$/],
  'program-not-generator': [`export default { name: 'x', processes: [{ name: 'p', program(sys) { throw new Error('boom'); } }] };\n`, /: process 0 \(p\): program is not a generator function/],
  'program-not-function': [`export default { name: 'x', processes: [{ name: 'p', program: 'main' }] };\n`, /: process 0 \(p\): program is not a function/],
  'uid-not-number': [`export default { name: 'x', processes: [{ ...${OK_PROC}, uid: 'root' }] };\n`, /: process 0 \(p\): uid must be a non-negative integer, not "root"$/],
  'max-steps-lots': [`export default { name: 'x', processes: [${OK_PROC}], maxSteps: 'lots' };\n`, /: maxSteps must be a positive integer, not "lots"$/],
  'check-not-function': [`export default { name: 'x', processes: [${OK_PROC}], checks: { c: true } };\n`, /: check "c" is not a function$/],
  'program-dir-missing': [`export default { name: 'x', processes: [${OK_PROC}], programs: { '/bin/w': function* () {} } };\n`, /: files: "\/bin\/w": its directory \/bin does not exist$/],
};

describe('malformed scenario files: one line naming the file and the problem', () => {
  for (const [name, [src, want]] of Object.entries(CASES)) {
    it(name, async () => {
      const file = join(dir, `${name}.ts`);
      writeFileSync(file, src);
      const e = await loadScenarioFile(file).then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(ScenarioLoadError);
      const msg = (e as Error).message;
      expect(msg.includes('\n'), msg).toBe(false);
      expect(msg.startsWith(`${file}: `), msg).toBe(true);
      expect(msg).toMatch(want);
    });
  }

  it('a missing file', async () => {
    await expect(loadScenarioFile(join(dir, 'absent.ts'))).rejects.toThrow(/absent\.ts: no such file$/);
  });

  it("a forked program that throws when called fails its process with the program's name, not the host", () => {
    const r = runScenario({
      name: 'x',
      processes: [{
        name: 'p',
        *program(sys) {
          const bad = function notAGenerator(): never { throw new Error('boom'); };
          yield* sys.wait(yield* sys.fork(bad as never));
        },
      }],
      requireCleanExit: false,
    }, { seed: 1 });
    expect(r.failures.join('\n')).toMatch(/script error in pid 2: program "notAGenerator" threw when called: boom \(at test\/script\/loader\.test\.ts:\d+:\d+\)/);
  });

  it('an unsettled top-level await: the command prints one line and exits 2 (not 13)', () => {
    const file = join(dir, 'tla.ts');
    writeFileSync(file, `await new Promise(() => {});\nexport default 1;\n`);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/unixsim.mjs'), 'run', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr + r.stdout).toBe(`unixsim: ${file}: its top-level await never settles\n`);
  });
});
