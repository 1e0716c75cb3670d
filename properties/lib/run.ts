// One property run (a program, a schedule seed, a strategy, planted bugs),
// and the reporting that turns a failing property into something a person
// can replay: the fast-check seed and path, the shrunk program and picks,
// and an exact `npx unixsim replay` command for a scenario file holding the
// counterexample.
import fc from 'fast-check';
import { writeFailureFile } from '../../src/check/failures.ts';
import { replayCommand } from '../../src/explore/run-flags.ts';
import { HARTS } from './harts.ts';
import { runScenario, type RunResult } from '../../src/script/runner.ts';
import { programScenario, type Ev } from './interp.ts';
import type { Case } from './program.ts';

export interface CaseRun {
  r: RunResult;
  log: Ev[];
  finished: boolean;
}

export function runCase(cs: Case, bugs: readonly string[] = [], checkInvariants = true): CaseRun {
  const { scenario, log } = programScenario(cs.program);
  const r = runScenario(scenario, { seed: cs.seed, strategy: cs.strategy, bugs, checkInvariants });
  // a run cut short by an invariant violation or a host exception is reported as exited, but its log is partial
  const aborted = r.failures.some((f) => f.startsWith('kernel invariant violated') || f.startsWith('internal error'));
  return { r, log, finished: r.end.kind === 'exited' && !aborted };
}

/** A property over cases: `problems` lists what is wrong with one run. */
export function caseProperty(
  arb: fc.Arbitrary<Case>,
  bugs: readonly string[],
  problems: (run: CaseRun, cs: Case) => string[],
  checkInvariants = true,
) {
  return fc.property(arb, (cs) => {
    const run = runCase(cs, bugs, checkInvariants);
    const ps = problems(run, cs);
    if (ps.length) throw new Error(ps.join('\n'));
  });
}

/** Writes the counterexample as a scenario file (src/check/failures.ts); returns its path. */
export function writeCounterexample(name: string, cs: Case): string {
  return writeFailureFile(
    `${name}-seed${cs.seed}`,
    `// Counterexample found by the property "${name}"; replay with the command printed next to it\n` +
      `// (from a unixsim checkout: the property interpreters are not part of the package).\n` +
      `import { programScenario } from 'unixsim/properties/lib/interp.ts';\n` +
      `export default programScenario(${JSON.stringify(cs.program)}, ${JSON.stringify(`counterexample-${name}`)}).scenario;\n`,
  );
}

/** The failure report of a fast-check run, or null when it passed. */
export function failureReport(
  name: string,
  testFile: string,
  details: fc.RunDetails<[Case]>,
  bugs: readonly string[],
  checkInvariants = true,
): string | null {
  if (!details.failed) return null;
  const lines = [`property "${name}" failed after ${details.numRuns} runs and ${details.numShrinks} shrinks`];
  lines.push(`fast-check: seed ${details.seed}, path "${details.counterexamplePath}"`);
  lines.push(`  reproduce: fc.assert(prop, { seed: ${details.seed}, path: ${JSON.stringify(details.counterexamplePath)} })`);
  lines.push(`  or: UNIXSIM_FC_SEED=${details.seed} UNIXSIM_FC_PATH=${details.counterexamplePath} npx vitest run ${testFile}`);
  const ce = details.counterexample?.[0];
  if (ce) {
    const run = runCase(ce, bugs, checkInvariants);
    lines.push(`run seed ${ce.seed}, strategy ${ce.strategy}${bugs.length ? `, bugs ${bugs.join(',')}` : ''}`);
    lines.push(`shrunk program: ${JSON.stringify(ce.program)}`);
    lines.push(`picks (${run.r.picks.length}): ${run.r.picks.join(',')}`);
    lines.push(`run ended ${run.r.end.kind} after ${run.r.steps} steps; runner failures: ${run.r.failures.join(' | ') || 'none'}`);
    const file = writeCounterexample(name, ce);
    const opts = { seed: ce.seed, strategy: ce.strategy, bugs, checkInvariants: checkInvariants || undefined, harts: HARTS > 1 ? HARTS : undefined };
    lines.push(`replay: ${replayCommand(file, opts)}`);
    lines.push(`  (same schedule, pinned: ${replayCommand(file, { ...opts, picks: run.r.picks })})`);
  }
  lines.push(`problem: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
  return lines.join('\n');
}

/** fast-check parameters, honouring UNIXSIM_FC_SEED / UNIXSIM_FC_PATH to reproduce a reported failure. */
export function fcParams(numRuns: number, seed?: number): fc.Parameters<[Case]> {
  const envSeed = process.env.UNIXSIM_FC_SEED;
  const envPath = process.env.UNIXSIM_FC_PATH;
  if (envSeed !== undefined) return { numRuns, seed: Number(envSeed), path: envPath, endOnFailure: false };
  return { numRuns, ...(seed === undefined ? {} : { seed }) };
}
