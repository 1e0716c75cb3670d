// The regressions file (like proptest-regressions): failing cases that
// checkScenario found, kept in the user's repository and replayed first on
// every later run, and the fast-check seed of a run in progress, written
// before the run starts, so that a run that hangs or takes the host down
// can be replayed from it. JSON, meant to be committed. Host I/O: used by
// the vitest helper, never by the simulation core.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One entry: a failure to replay, or a run that started and never finished. */
export interface Regression {
  /** the check's name (checkScenario's first argument) */
  name: string;
  status: 'failed' | 'started';
  /** fast-check seed */
  seed: number;
  /** fast-check path of the shrunk counterexample (failed entries) */
  path?: string;
  /** the first failure line (failed entries) */
  failure?: string;
  /** the shrunk run's picks, as `--picks` takes them (failed entries) */
  picks?: string;
}

interface RegressionFile {
  comment: string;
  regressions: Regression[];
}

const COMMENT =
  'unixsim regressions: cases checkScenario (unixsim/vitest) found failing, replayed first on every run; "started" marks a run that never finished. Commit this file.';

export function readRegressions(file: string): Regression[] {
  if (!existsSync(file)) return [];
  let data: RegressionFile;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as RegressionFile;
  } catch (e) {
    throw new Error(`${file}: not a unixsim regressions file: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!Array.isArray(data.regressions)) throw new Error(`${file}: not a unixsim regressions file: no "regressions" list`);
  return data.regressions;
}

/** Replaces the file atomically (a crash mid-write leaves the old file). */
export function writeRegressions(file: string, regressions: readonly Regression[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ comment: COMMENT, regressions }, null, 2) + '\n');
  renameSync(tmp, file);
}

/** Reads, changes and writes back the file (re-read each time: several checks may share it). */
export function updateRegressions(file: string, change: (rs: Regression[]) => Regression[]): void {
  writeRegressions(file, change(readRegressions(file)));
}

/** Same check, same seed, same path: the same regression. */
export function sameCase(a: Regression, b: Regression): boolean {
  return a.name === b.name && a.status === b.status && a.seed === b.seed && a.path === b.path;
}
