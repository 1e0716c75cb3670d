// A scenario file outside the repository, written as .ts in a directory with
// no package.json (so CommonJS scope), importing 'unixsim' and a .ts helper
// of its own: the checkout's bin loads it (tsx only at that point, as an ES
// module, 'unixsim' resolved to the running copy).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('loading a scenario file', () => {
  it('loads a .ts file anywhere on disk that imports unixsim and a helper', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unixsim-load-'));
    writeFileSync(join(dir, 'name.ts'), `export const suffix: string = '-outside';\n`);
    writeFileSync(
      join(dir, 'outside.ts'),
      `import { defineScenario } from 'unixsim';\nimport { suffix } from './name.ts';\n` +
        `export default defineScenario({ name: 'loaded' + suffix, processes: [{ name: 'p', *program(sys) { const pid: number = yield* sys.getpid(); sys.log('pid', pid); return 0; } }],\n` +
        `  checks: { 'getpid is 1': (run) => run.log('pid') === 1 } });\n`,
    );
    const out = execFileSync(process.execPath, [resolve('bin/unixsim.mjs'), 'run', 'outside.ts'], { cwd: dir, encoding: 'utf8' });
    expect(out).toMatch(/^loaded-outside: passed \(seed 1/m);
  });
});
