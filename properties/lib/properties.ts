// The three properties over random programs × random schedules, shared by
// their own test files and by planted-bugs.test.ts. Each is a function of
// the planted bugs to enable, so the same property can be shown to pass on
// the kernel and to fail on a planted variant.
import fc from 'fast-check';
import { caseArb, type Case } from './program.ts';
import { accountingProblems, integrityProblems, livenessProblems } from './checks.ts';
import { caseProperty, fcParams, failureReport } from './run.ts';
import { propertyRuns } from './profile.ts';

export interface PropertyDef {
  name: string;
  /** the test file that runs it (for the reproduction command) */
  file: string;
  /** runs per check: small enough for well under 30 s, large enough to find its planted bugs */
  numRuns: number;
  /** kernel invariants checked after every step (an invariant violation ends the run early) */
  checkInvariants: boolean;
  make(bugs: readonly string[]): fc.IPropertyWithHooks<[Case]>;
}

export const STREAM_INTEGRITY: PropertyDef = {
  name: 'stream-integrity',
  file: 'properties/stream-integrity.test.ts',
  numRuns: propertyRuns(300),
  checkInvariants: true,
  make: (bugs) => caseProperty(caseArb, bugs, (run, cs) => integrityProblems(cs.program, run.log, run.finished)),
};

export const ACCEPT_ACCOUNTING: PropertyDef = {
  name: 'accept-accounting',
  file: 'properties/accept-accounting.test.ts',
  numRuns: propertyRuns(300),
  // Without the kernel's self-checks: the point is that the program-visible
  // symptom (a connection handed out twice, or lost) is caught by the
  // accounting itself. The invariant checker stops such a run at the second
  // accept ("socket of 2 open files"), which waker-liveness reports.
  checkInvariants: false,
  make: (bugs) => caseProperty(caseArb, bugs, (run, cs) => accountingProblems(cs.program, run.log, run.finished), false),
};

export const WAKER_LIVENESS: PropertyDef = {
  name: 'waker-liveness',
  file: 'properties/waker-liveness.test.ts',
  numRuns: propertyRuns(300),
  checkInvariants: true,
  make: (bugs) => caseProperty(caseArb, bugs, (run) => livenessProblems(run.r)),
};

export const PROPERTIES = [STREAM_INTEGRITY, ACCEPT_ACCOUNTING, WAKER_LIVENESS];

/** Checks a property; returns its failure report (null when it held) and the run details. */
export function checkProperty(def: PropertyDef, bugs: readonly string[] = [], seed?: number, numRuns = def.numRuns) {
  const details = fc.check(def.make(bugs), fcParams(numRuns, seed));
  return { report: failureReport(def.name, def.file, details, bugs, def.checkInvariants), details };
}
