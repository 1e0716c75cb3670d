// How a run failed, as a kind that shrinking must preserve and a signature
// that groups failures across seeds. The kind is the failing check's name
// or how the run ended; the signature adds where (what the sleepers sleep
// on, which process ended badly), with numbers that differ between
// interleavings (steps, ids, pids) folded to "#".
import type { RunResult } from '../script/runner.ts';

export interface FailureKind {
  /** e.g. 'check "no fd leaked"', 'deadlock', 'invariant', 'lockdep', 'step-limit', 'leak', 'exit-status' */
  kind: string;
  /** kind plus where it happened; failures with equal signatures are one group */
  signature: string;
  /** the first failure line as the run reported it */
  message: string;
}

const fold = (s: string) => s.replace(/\d+/g, '#');

/** The primary failure of a failing run (its first), or null when it passed. */
export function classifyFailure(r: Pick<RunResult, 'failures' | 'end'>): FailureKind | null {
  const message = r.failures[0];
  if (message === undefined) return null;
  const first = message.split('\n')[0];
  const check = /^check "(.*)" failed/.exec(first);
  if (check) return { kind: `check "${check[1]}"`, signature: `check "${check[1]}"`, message: first };
  if (r.end.kind === 'deadlock') {
    const where = r.end.sleepers.map((s) => `${fold(s.label)} on ${fold(s.waitingOn)}`).join('; ');
    return { kind: 'deadlock', signature: `deadlock: ${where}`, message: first };
  }
  if (r.end.kind === 'step-limit') return { kind: 'step-limit', signature: 'step-limit', message: first };
  if (r.end.kind === 'replay-diverged') return { kind: 'replay-diverged', signature: 'replay-diverged', message: first };
  const prefixes: [RegExp, string][] = [
    [/^kernel invariant violated at step \d+: /, 'invariant'],
    [/^lockdep: /, 'lockdep'],
    [/^internal error at step \d+: /, 'internal-error'],
    [/^leak: /, 'leak'],
    [/^script error in pid \d+: /, 'script-error'],
  ];
  for (const [re, kind] of prefixes) {
    if (re.test(first)) return { kind, signature: `${kind}: ${fold(first.replace(re, ''))}`, message: first };
  }
  if (/ \(pid \d+\) ended with /.test(first)) return { kind: 'exit-status', signature: `exit-status: ${fold(first)}`, message: first };
  return { kind: 'other', signature: fold(first), message: first };
}
