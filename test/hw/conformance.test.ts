// Differential conformance: random RV64GC instruction sequences run under
// qemu-riscv64 (real Linux user-mode semantics) and on the hart must leave
// byte-identical registers, fcsr and memory. Needs qemu-riscv64
// (apt-get install qemu-user); without it these tests fail on purpose.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BODY_OFFSET, buildProgram, describeDifference } from './program.ts';
import { fpGroup, instructionGroup, loopedProgram, machineState, selfModifying, sequence } from './gen.ts';
import { ENGINES, requireQemu, runOnHart, runOnQemu } from './runners.ts';
import type { Inst } from './asm.ts';
import type { MachineState } from './program.ts';
import type { Hart } from '../../src/hw/hart.ts';
import { FpOp, Op } from '../../src/hw/ops.ts';

// HW_RUNS=5000 for a deep search; the default keeps the suite fast.
const RUNS = Number(process.env.HW_RUNS ?? 150);
const DEEP_TIMEOUT = Math.max(120_000, RUNS * 200);

/** One qemu run; both engines (interpreter, translated blocks) must match it. */
function agree(state: MachineState, body: Inst[], mutate: Hart['mutateDecoded'] = null, codeFlags = 5): void {
  const image = buildProgram(state, body, codeFlags);
  const q = runOnQemu(image);
  for (const engine of ENGINES) {
    const h = runOnHart(image, ['prog'], 2e9, mutate, engine, translatorMutation);
    expect({ engine, exit: h.exitCode, signal: h.signal }).toEqual({ engine, exit: q.exitCode, signal: q.signal });
    if (!h.stdout.equals(q.stdout)) {
      const listing = body.map((i) => i.bits.toString(16).padStart(i.len * 2, '0')).join(' ');
      throw new Error(`hart (${engine}) and qemu differ\n${describeDifference(h.stdout, q.stdout)}\ninstructions: ${listing}`);
    }
  }
}

/** Planted translator bug for the test below: null in every other test. */
let translatorMutation: Hart['mutateTranslated'] = null;
function withTranslatorMutation<T>(from: number, to: number, f: () => T): T {
  translatorMutation = (op) => (op === from ? to : op);
  try {
    return f();
  } finally {
    translatorMutation = null;
  }
}

describe('differential conformance against qemu-riscv64', () => {
  it('finds qemu-riscv64 (apt-get install qemu-user)', () => {
    expect(requireQemu()).toBeTruthy();
  });

  it('random RV64GC sequences leave identical registers, fcsr and memory', () => {
    requireQemu();
    fc.assert(fc.property(machineState, sequence(instructionGroup), (s, body) => agree(s, body)), { numRuns: RUNS });
  }, DEEP_TIMEOUT);

  it('finds a planted decoder bug (SLT executed as SLTU) within the default run count', () => {
    requireQemu();
    const sltAsSltu: Hart['mutateDecoded'] = (slots, base) => {
      if (slots[base] === Op.SLT) slots[base] = Op.SLTU;
    };
    const details = fc.check(fc.property(machineState, sequence(instructionGroup), (s, body) => agree(s, body, sltAsSltu)), {
      numRuns: RUNS,
      endOnFailure: true,
    });
    expect(details.failed, `SLT-as-SLTU not found in ${RUNS} runs (fast-check seed ${details.seed})`).toBe(true);
  }, DEEP_TIMEOUT);

  it('random F/D sequences (all rounding modes, NaNs, subnormals) give identical results and flags', () => {
    requireQemu();
    fc.assert(fc.property(machineState, sequence(fpGroup, 20), (s, body) => agree(s, body)), { numRuns: RUNS });
  }, DEEP_TIMEOUT);

  it('finds a planted FP bug (FLE.D executed as FLT.D: wrong only for equal operands) within the default run count', () => {
    requireQemu();
    const fleAsFlt: Hart['mutateDecoded'] = (slots, base) => {
      if (slots[base] === Op.FP_D + FpOp.LE) slots[base] = Op.FP_D + FpOp.LT;
    };
    const details = fc.check(fc.property(machineState, sequence(fpGroup, 20), (s, body) => agree(s, body, fleAsFlt)), {
      numRuns: RUNS,
      endOnFailure: true,
    });
    expect(details.failed, `FLE.D-as-FLT.D not found in ${RUNS} runs (fast-check seed ${details.seed})`).toBe(true);
  }, DEEP_TIMEOUT);
});

describe('translated blocks against qemu-riscv64', () => {
  // Fewer cases than above: each is a loop, so it exercises the block cache more per qemu start.
  const LOOP_RUNS = Math.max(15, Math.round(RUNS / 6));

  it('random sequences run in a loop across a page boundary agree on both engines', () => {
    requireQemu();
    fc.assert(fc.property(machineState, loopedProgram(BODY_OFFSET), (s, body) => agree(s, body)), { numRuns: LOOP_RUNS });
  }, DEEP_TIMEOUT);

  it('self-modifying code (a store over an instruction, then fence.i) agrees on both engines', () => {
    requireQemu();
    fc.assert(fc.property(machineState, selfModifying, (s, body) => agree(s, body, null, 7)), { numRuns: LOOP_RUNS });
  }, DEEP_TIMEOUT);

  it('a planted translation bug (ADD translated as SUB, only in blocks) is found by the looped property', () => {
    requireQemu();
    // Slots are shared by both engines, so a decoder mutation cannot single out the
    // translator; this one rewrites ADD only in the slots handed to the translator.
    const details = withTranslatorMutation(Op.ADD, Op.SUB, () =>
      fc.check(fc.property(machineState, loopedProgram(BODY_OFFSET), (s, body) => agree(s, body)), { numRuns: LOOP_RUNS, endOnFailure: true }));
    expect(details.failed, `ADD-as-SUB in blocks not found in ${LOOP_RUNS} runs (fast-check seed ${details.seed})`).toBe(true);
  }, DEEP_TIMEOUT);
});
