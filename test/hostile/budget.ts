// Helpers for test/hostile: run a hostile guest under small budgets, and
// measure the host's own memory after a forced collection.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execImage, type ExecOptions, type ExecResult } from '../../src/exec.ts';

export const MiB = 1024 * 1024;
const HOSTILE = new Uint8Array(readFileSync(fileURLToPath(new URL('../../guest/bin/hostile', import.meta.url))));

/** Runs guest/bin/hostile with the mode and argument under `opts` (a 32 MiB budget unless given). */
export function hostile(args: string[], opts: ExecOptions = {}): ExecResult & { out: string } {
  const r = execImage('/hostile', HOSTILE, { memory: 32 * MiB, ...opts, args });
  return { ...r, out: new TextDecoder().decode(r.stdout) };
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The process's resident set after a forced full collection, in bytes. */
export function rssAfterGc(): number {
  gc();
  return process.memoryUsage().rss;
}
