// Pipes, poll and select against a byte-queue model: the model and the
// program generator are in gen/pipe-model.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Op, pipeModelProperty } from './gen/pipe-model.ts';
import { itFindsPlanted, MUTATE } from './lib/profile.ts';

describe('pipes against a byte-queue model', () => {
  it('every result, byte, revents and select set agrees with the model', () => {
    // half when mutating, not a fifth: its programs are short. The examples: a write of exactly PIPE_BUF
    // bytes with less room is all or nothing (EAGAIN), which random programs rarely reach; and O_ASYNC taken off
    // again (F_SETFL, and the last close of an end, __fput's fasync before release): its file's owner gets no more SIGIO;
    // nor for a zero-length read or write
    const W = (n: number): Op => ({ op: 'write', fd: 0, any: false, n }), R = (n: number): Op => ({ op: 'read', fd: 0, any: false, n });
    const async = (fd: number, on: boolean): Op => ({ op: 'async', fd, on });
    const examples: [Op[]][] = [
      [[{ op: 'pipe' }, W(65536 - 100), W(4096)]],
      // the first pipe's fds: the read end is fd ref 0, the write end ref 1
      [[{ op: 'pipe' }, async(0, true), async(1, true), W(0), R(0), W(1), R(1), async(0, false), async(1, false), W(1), R(1)]],
      [[{ op: 'pipe' }, async(0, true), { op: 'close', fd: 0 }, W(1)]],
      [[{ op: 'pipe' }, async(1, true), { op: 'close', fd: 1 }, R(1)]],
      // a side's last end going tells both sides (pipe_release): the other side's owner too
      [[{ op: 'pipe' }, async(1, true), { op: 'close', fd: 0 }, W(1)]],
      [[{ op: 'pipe' }, async(0, true), { op: 'close', fd: 1 }, R(1)]],
    ];
    fc.assert(pipeModelProperty(), { numRuns: MUTATE ? 40 : 80, seed: 20_261_202, examples });
  });

  itFindsPlanted('finds the planted bug dup-no-ref', () => {
    const details = fc.check(pipeModelProperty(['dup-no-ref']), { numRuns: 80, seed: 20_261_202, endOnFailure: true });
    expect(details.failed, 'dup-no-ref not found in 80 runs').toBe(true);
  });
});
