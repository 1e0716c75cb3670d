// Counterexample scenario files: where they go and what they are called.
// They go to a folder the user chooses (UNIXSIM_FAILURES_DIR, default
// ./unixsim-failures/ under the working directory), are named after what
// found them plus a hash of their content (two different counterexamples
// never share a file, the same one is written once), and import unixsim by
// its package name, so a file can be pasted into a bug report and replayed
// from any checkout or install. Host I/O: test tooling, not the simulation.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const DEFAULT_FAILURES_DIR = 'unixsim-failures';

/** The folder counterexample files go to (absolute). */
export function failuresDir(): string {
  return resolve(process.env.UNIXSIM_FAILURES_DIR || DEFAULT_FAILURES_DIR);
}

/**
 * Writes `source` as `<stem>-<hash>.mts` in the failures folder; returns its
 * path relative to the working directory when it lies below it (what a
 * replay command should print), else absolute.
 */
export function writeFailureFile(stem: string, source: string): string {
  const dir = failuresDir();
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 10);
  const file = join(dir, `${stem.replace(/[^A-Za-z0-9._-]+/g, '_')}-${hash}.mts`);
  writeFileSync(file, source);
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
