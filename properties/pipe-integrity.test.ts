// Pipe integrity: across random interleavings, chunk sizes and several
// writers and readers, every byte arrives once, in its writer's order, and
// the run ends (no deadlock). The same property finds the planted bugs
// pipe-write-no-wake and pipe-read-no-wake within its run count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/script/runner.ts';
import { flowProblems, pipeFlowArb, pipeFlowScenario, type PipeFlow } from './gen/pipeflow.ts';
import { itFindsPlanted, propertyRuns } from './lib/profile.ts';

const NUM_RUNS = propertyRuns(100);
const SEED = 20_261_127;

function integrity(bugs: string[]) {
  return fc.property(pipeFlowArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (flow: PipeFlow, seed: number) => {
    const r = runScenario(pipeFlowScenario(flow), { seed, bugs, checkInvariants: true });
    const problems = [...r.failures, ...flowProblems(flow, r.kernel)];
    const replay = `runScenario(pipeFlowScenario(${JSON.stringify(flow)}), { seed: ${seed}, bugs: ${JSON.stringify(bugs)} })`;
    if (problems.length) throw new Error(`${problems.join('; ')}\n  run seed ${seed}; replay: ${replay}`);
  });
}

describe('pipe integrity', () => {
  it('bytes arrive in order, none lost or duplicated, and every run ends', () => {
    fc.assert(integrity([]), { numRuns: NUM_RUNS, seed: SEED });
  });

  it('holds for fresh fast-check seeds too', () => {
    fc.assert(integrity([]), { numRuns: propertyRuns(30) });
  });

  itFindsPlanted.each(['pipe-write-no-wake', 'pipe-read-no-wake'])('finds the planted bug %s', (bug) => {
    const details = fc.check(integrity([bug]), { numRuns: NUM_RUNS, seed: SEED, endOnFailure: true }); // no shrinking: finding it is the point
    expect(details.failed, `${bug} not found in ${NUM_RUNS} runs (fast-check seed ${SEED})`).toBe(true);
    const msg = String((details.errorInstance as Error | undefined)?.message ?? '');
    expect(msg).toMatch(/deadlock|written/);
    console.log(`[pipe-integrity] ${bug}: found at run ${details.numRuns}, seed ${details.seed}, path ${details.counterexamplePath}\n${msg.split('\n')[0]}`);
  });
});
