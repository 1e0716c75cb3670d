// Counterexample files: the folder the user chose, unique names, imports by
// package name, and a replay from another directory that gives the same run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { caseArb } from '../../properties/lib/program.ts';
import { runCase, writeCounterexample } from '../../properties/lib/run.ts';

const BIN = resolve('bin/unixsim.mjs');
const saved = process.env.UNIXSIM_FAILURES_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.UNIXSIM_FAILURES_DIR;
  else process.env.UNIXSIM_FAILURES_DIR = saved;
});

describe('counterexample files', () => {
  it('go to the chosen folder under unique names, import unixsim by name, and replay to the same trace from elsewhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unixsim-failures-'));
    process.env.UNIXSIM_FAILURES_DIR = dir;
    const [a, b] = fc.sample(caseArb, { seed: 11, numRuns: 2 });
    const fa = writeCounterexample('prop', { ...a, seed: 5 });
    const fb = writeCounterexample('prop', { ...b, seed: 5 });
    expect(fa.startsWith(dir + '/prop-seed5-')).toBe(true);
    expect(fb).not.toBe(fa); // same property and seed, different program: different file
    expect(writeCounterexample('prop', { ...a, seed: 5 })).toBe(fa);
    const src = readFileSync(fa, 'utf8');
    expect(src).toContain(`from 'unixsim/properties/lib/interp.ts'`);
    expect(src).not.toContain(process.cwd());

    const want = runCase({ ...a, seed: 5 }).r.hash;
    let out: string;
    try {
      out = execFileSync(process.execPath, [BIN, 'run', fa, '--seed', '5', '--strategy', a.strategy, '--check'], { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout); // a failing run exits 1: its summary is still there
    }
    expect(out).toContain(`trace ${want}`);
  });

  it('default to ./unixsim-failures/ under the working directory', async () => {
    delete process.env.UNIXSIM_FAILURES_DIR;
    const { failuresDir } = await import('../../src/check/failures.ts');
    expect(failuresDir()).toBe(resolve('unixsim-failures'));
  });
});
