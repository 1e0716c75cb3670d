// The in-flight collector as a kernel worker (src/unix/gc/), racing the
// syscalls of random fd-passing programs on 2-4 harts: it never purges the
// queue of a socket an fd table reaches (directly, or through the queue of
// a reachable socket), and the in-flight accounting is conserved: each
// file's in-flight count is the number of queued or in-transit messages
// that carry it, every file reference is held by an fd, a message or a
// syscall, and nothing is left in flight once every process has exited.
// The oracle (Inflight.collecting) and the accounting (Inflight.check) run
// after every step with the kernel's invariants.
//
// UNIXSIM_GC_RUNS=N runs more cases (default 6); the planted
// gc-frees-reachable must make it fail.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/script/runner.ts';
import { scmProgramArb, scmScenario, type ScmProgram } from './lib/scm.ts';
import { itFindsPlanted, propertyRuns } from './lib/profile.ts';

const RUNS = Number(process.env.UNIXSIM_GC_RUNS ?? propertyRuns(6));
const SEED = 20_261_201;

interface GcCase {
  program: ScmProgram;
  seed: number;
  strategy: 'random' | 'pct';
  harts: number;
  gc: 'scc' | 'mark-sweep';
}

const gcCaseArb: fc.Arbitrary<GcCase> = fc.record({
  program: scmProgramArb.map((p) => ({ ...p, preempt: false })),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  strategy: fc.constantFrom<'random' | 'pct'>('random', 'pct'),
  harts: fc.integer({ min: 2, max: 4 }),
  gc: fc.constantFrom<'scc' | 'mark-sweep'>('scc', 'mark-sweep'),
});

/** What the property forbids in one run: a collector or accounting violation, or references left in flight. */
function problems(cs: GcCase, bugs: string[]): string[] {
  const { scenario } = scmScenario(cs.program, 'gc-concurrent');
  const r = runScenario(scenario, { seed: cs.seed, strategy: cs.strategy, harts: cs.harts, gc: cs.gc, bugs, checkInvariants: true });
  const out = r.failures.filter((f) => f.startsWith('kernel invariant') || f.startsWith('internal error') || f.startsWith('leak'));
  if (r.end.kind === 'exited') {
    let left = 0;
    for (const h of r.kernel.refHolders) for (const _ of h()) left++;
    if (left) out.push(`${left} file references are still in flight after every process exited`);
  }
  return out;
}

function check(bugs: string[], numRuns: number, endOnFailure = false) {
  return fc.check(
    fc.property(gcCaseArb, (cs) => {
      const ps = problems(cs, bugs);
      if (ps.length) throw new Error(`${ps.join('\n')}\n  harts ${cs.harts}, gc ${cs.gc}, seed ${cs.seed}, ${cs.strategy}`);
    }),
    { numRuns, seed: SEED, endOnFailure },
  );
}

describe('the collector, concurrent with random fd-passing programs on 2-4 harts', () => {
  it('never purges a reachable queue, and conserves the in-flight accounting', () => {
    const d = check([], RUNS);
    expect(d.failed, d.failed ? fc.defaultReportMessage(d) : '').toBe(false);
  });

  itFindsPlanted('fails with the planted gc-frees-reachable (the oracle is not vacuous)', () => {
    const d = check(['gc-frees-reachable'], RUNS, true);
    expect(d.failed, `gc-frees-reachable not found in ${RUNS} runs`).toBe(true);
  });
});
