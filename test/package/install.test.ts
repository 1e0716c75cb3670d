// The package as a user gets it: `npm pack` (which builds dist/), installed
// from the tarball into a fresh project outside this checkout, then used
// there: the `unixsim` bin runs a .ts scenario that imports 'unixsim' (in a
// project with no "type": "module"), `exec` runs a binary, tsc type-checks
// against the shipped declarations, and vitest runs a file that uses
// checkScenario from 'unixsim/vitest'. Dependencies come from npm's cache
// (filled by `npm ci`), from the registry only when the cache lacks them.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const checkout = resolve('.');
const work = mkdtempSync(join(tmpdir(), 'unixsim-package-'));
const project = join(work, 'project');

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
}

/** Runs and returns status and output whatever the status. */
function run(cmd: string, args: string[], cwd: string): { code: number; out: string } {
  try {
    return { code: 0, out: sh(cmd, args, cwd) };
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return { code: x.status, out: `${x.stdout}${x.stderr}` };
  }
}

const SCENARIO = `import { defineScenario, unix, text } from 'unixsim';

export default defineScenario({
  name: 'installed-socketpair',
  processes: [
    {
      name: 'p',
      *program(sys) {
        const sp = yield* sys.socketpair(unix.AF_UNIX, unix.SOCK_STREAM);
        yield* sys.write(sp.fds[0], 'hello');
        const m = yield* sys.read(sp.fds[1], 16);
        sys.log('got', text(m.data));
        yield* sys.close(sp.fds[0]);
        yield* sys.close(sp.fds[1]);
        return 0;
      },
    },
  ],
  checks: { 'data crossed the pair': (run) => run.log('got') === 'hello' },
});
`;

const VITEST_FILE = `import { expect, it } from 'vitest';
import { defineScenario, text, unix } from 'unixsim';
import { checkScenario } from 'unixsim/vitest';
import scenario from './scenario.ts';

// the child's read sleeps if it runs before the parent's write: a write that forgets to wake it deadlocks
const handoff = defineScenario({
  name: 'handoff',
  processes: [
    {
      name: 'parent',
      *program(sys) {
        const sp = yield* sys.socketpair(unix.AF_UNIX, unix.SOCK_STREAM);
        const child = yield* sys.fork(function* (sys) {
          const m = yield* sys.read(sp.fds[1], 2);
          return text(m.data) === 'hi' ? 0 : 1;
        });
        yield* sys.write(sp.fds[0], 'hi');
        yield* sys.wait(child);
        yield* sys.close(sp.fds[0]);
        yield* sys.close(sp.fds[1]);
        return 0;
      },
    },
  ],
});

it('the installed helper passes a correct run', () => {
  checkScenario('socketpair', scenario, { numRuns: 20, seed: 1 });
});

it('the installed helper reports a planted bug', () => {
  checkScenario('handoff', handoff, { numRuns: 20, seed: 1 });
  expect(() => checkScenario('handoff with a bug', handoff, { bugs: ['stream-write-no-wake'], regressions: 'bugs.json', seed: 1 }))
    .toThrow(/deadlock[\\s\\S]*its picks [\\s\\S]*trace lines:/);
});
`;

beforeAll(() => {
  // pack a copy, so the build does not replace this checkout's dist/ under other tests
  const copy = join(work, 'unixsim');
  for (const p of ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'src', 'bin', 'scripts']) cpSync(p, join(copy, p), { recursive: true });
  symlinkSync(join(checkout, 'node_modules'), join(copy, 'node_modules'));
  const tarball = sh('npm', ['pack', '--silent', '--pack-destination', work], copy).trim().split('\n').pop()!;

  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'kernel-tests', private: true }));
  writeFileSync(join(project, 'scenario.ts'), SCENARIO);
  writeFileSync(join(project, 'check.test.ts'), VITEST_FILE);
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true, types: [] }, include: ['*.ts'] }),
  );
  const install = ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', join(work, tarball)];
  try {
    sh('npm', [...install, '--offline'], project);
  } catch {
    sh('npm', [...install, '--prefer-offline'], project); // a fresh cache: fetch what it lacks
  }
  // the user's own test runner (not a dependency of unixsim)
  symlinkSync(join(checkout, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'));
}, 120_000);

describe('the installed package', () => {
  it('ships compiled JavaScript and declarations, not the TypeScript sources', () => {
    const pkg = join(project, 'node_modules', 'unixsim');
    expect(existsSync(join(pkg, 'dist', 'cli.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'types', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).dependencies).toHaveProperty('tsx');
  });

  it('runs a .ts scenario importing unixsim, lists planted bugs, and execs a binary through its bin', () => {
    const bin = join(project, 'node_modules', '.bin', 'unixsim');
    const r = run(bin, ['run', 'scenario.ts', '--seed', '3'], project);
    expect(r.out).toMatch(/installed-socketpair: passed \(seed 3/);
    expect(r.code).toBe(0);
    expect(run(bin, ['bugs'], project).out).toContain('accept-single-waker');
    const hello = run(bin, ['exec', join(checkout, 'guest/bin/hello')], project);
    expect(hello.out).toContain('hello, world');
  });

  it('type-checks the scenario against the shipped declarations', () => {
    const r = run(process.execPath, [join(checkout, 'node_modules/typescript/bin/tsc'), '-p', project], project);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('runs a vitest file that uses checkScenario from unixsim/vitest', () => {
    const r = run(process.execPath, [join(checkout, 'node_modules/vitest/vitest.mjs'), 'run', '--root', project], project);
    expect(r.out).toMatch(/Tests\s+2 passed/);
    expect(r.code).toBe(0);
    const [failed] = JSON.parse(readFileSync(join(project, 'bugs.json'), 'utf8')).regressions;
    expect(failed).toMatchObject({ name: 'handoff with a bug', status: 'failed' });
  });
});
