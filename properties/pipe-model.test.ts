// Pipes, poll and select against a byte-queue model: the model and the
// program generator are in gen/pipe-model.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Op, pipeModelProperty } from './gen/pipe-model.ts';
import { itFindsPlanted, MUTATE } from './lib/profile.ts';

describe('pipes against a byte-queue model', () => {
  it('every result, byte, revents and select set agrees with the model', () => {
    // half when mutating, not a fifth: its programs are short. The example: a write of exactly PIPE_BUF
    // bytes with less room is all or nothing (EAGAIN), which random programs rarely reach
    const examples: [Op[]][] = [[[{ op: 'pipe' }, { op: 'write', fd: 0, any: false, n: 65536 - 100 }, { op: 'write', fd: 0, any: false, n: 4096 }]]];
    fc.assert(pipeModelProperty(), { numRuns: MUTATE ? 40 : 80, seed: 20_261_202, examples });
  });

  itFindsPlanted('finds the planted bug dup-no-ref', () => {
    const details = fc.check(pipeModelProperty(['dup-no-ref']), { numRuns: 80, seed: 20_261_202, endOnFailure: true });
    expect(details.failed, 'dup-no-ref not found in 80 runs').toBe(true);
  });
});
