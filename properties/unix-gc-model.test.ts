// The in-flight collector against a reachability model (properties/gen/gc-model.ts):
// random fd graphs of stream socketpairs, under both collectors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gcModelProperty } from './gen/gc-model.ts';
import { itFindsPlanted, MUTATE } from './lib/profile.ts';

const SEED = 20_261_206;

describe('the collector against a reachability model', () => {
  it.each(['scc', 'mark-sweep'] as const)('%s releases exactly the sockets no fd reaches, however many hops away', (gc) => {
    fc.assert(gcModelProperty(gc), { numRuns: MUTATE ? 30 : 10, seed: SEED });
  });

  itFindsPlanted('finds the planted bug gc-frees-reachable', () => {
    const details = fc.check(gcModelProperty('scc', ['gc-frees-reachable']), { numRuns: 40, seed: SEED, endOnFailure: true });
    expect(details.failed).toBe(true);
  });
});
