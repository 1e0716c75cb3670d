// Translated blocks (src/hw/jit.ts) against the interpreter on the same
// programs: every stop (budget, timer, fault, ecall) lands on the same
// instruction with the same registers, memory and virtual time, however the
// budget cuts a loop. The qemu-riscv64 comparisons of both engines are in
// conformance.test.ts.
import { describe, expect, it } from 'vitest';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../src/hw/memory.ts';
import { blocksTranslated } from '../../src/hw/jit.ts';
import type { StopReason } from '../../src/hw/stop.ts';
import { CODE, DATA, machine as bareMachine, type Machine } from './machine.ts';
import { addi, assemble, B, ecall, I, type Inst, J, ld, lui, R, S, sd } from './asm.ts';
import { UserIO } from '../../src/kernel/userio.ts';

/** A bare hart (machine.ts) with translation on or off, translating from the first visit. */
function machine(program: Inst[], jit: boolean, codeProt = PROT_READ | PROT_EXEC): Machine {
  const m = bareMachine(program, codeProt);
  m.hart.jit = jit;
  m.hart.jitThreshold = 0;
  return m;
}

function state(m: Machine, stop: StopReason): unknown {
  const h = m.hart;
  const regs = Array.from({ length: 32 }, (_, r) => `${h.getXHi(r)}:${h.getXLo(r)}`);
  return { stop, pc: h.pc, instret: h.instret, mtime: m.timer.mtime, regs, data: [...m.space.read(DATA, 64)!] };
}

/** Runs the program on both engines with the same sequence of budgets; every stop must agree. */
function agreeStepwise(program: Inst[], budgets: (k: number) => number, opts: { codeProt?: number; deadline?: number } = {}): unknown[] {
  const runs = [false, true].map((jit) => {
    const m = machine(program, jit, opts.codeProt);
    if (opts.deadline !== undefined) m.timer.armIn(opts.deadline);
    const stops: unknown[] = [];
    for (let k = 0; k < 10_000; k++) {
      const stop = m.hart.run(budgets(k));
      stops.push(state(m, stop));
      if (stop.kind === 'ecall' || stop.kind === 'fault') break;
      if (stop.kind === 'timer') m.timer.armIn(opts.deadline ?? Infinity);
    }
    return stops;
  });
  expect(runs[1]).toEqual(runs[0]);
  return runs[0];
}

// x5 counts down from 300; each round loads, adds and stores a word and bumps x6.
const LOOP: Inst[] = [
  addi(5, 0, 300), addi(6, 0, 0),
  ld(7, 31, 8), R(0x33, 0, 0, 7, 7, 5), sd(7, 31, 8), addi(6, 6, 3), addi(5, 5, -1),
  B(1, 5, 0, -20), // bne x5, x0, back to the ld
  addi(10, 6, 0), ecall(),
];

describe('translated blocks stop where the interpreter stops', () => {
  it('translates the loop at all (the comparisons below are not vacuous)', () => {
    const before = blocksTranslated();
    const m = machine(LOOP, true);
    expect(m.hart.run(100_000).kind).toBe('ecall');
    expect(m.hart.getX(10)).toBe(900);
    expect(blocksTranslated()).toBeGreaterThan(before);
  });

  it('any instruction budget, including ones that end inside a self-looping block', () => {
    for (const b of [1, 2, 3, 5, 7, 13, 37, 64]) {
      const stops = agreeStepwise(LOOP, () => b);
      expect(stops.length).toBeGreaterThan(1);
    }
    agreeStepwise(LOOP, (k) => 1 + ((k * 7919) % 23)); // irregular budgets
  });

  it('the timer deadline, re-armed after each stop', () => {
    for (const d of [1, 4, 9, 50, 333]) agreeStepwise(LOOP, () => 1_000_000, { deadline: d });
  });

  it('a load that faults inside a block: same pc, instret and registers as the interpreter', () => {
    // x8 walks up one page per round from DATA; the third round reads the unmapped page after it.
    const walk: Inst[] = [
      lui(8, DATA >> 12), addi(9, 0, 0),
      addi(9, 9, 1), ld(7, 8, 0), lui(11, 1), R(0x33, 0, 0, 8, 8, 11), B(0, 0, 0, -16), // beq x0, x0: always back
    ];
    const stops = agreeStepwise(walk, () => 1000);
    expect(stops[stops.length - 1]).toMatchObject({ stop: { kind: 'fault', signal: 'SIGSEGV', addr: DATA + 0x1000 }, pc: CODE + 12 });
  });

  it('a store that rewrites a later instruction of the same block (no fence.i): both engines run the new code', () => {
    const replacement = addi(10, 10, 100).bits | 0;
    const program: Inst[] = [
      addi(10, 0, 0), addi(12, 0, 3),
      lui(5, CODE >> 12), lui(6, ((replacement + 0x800) >>> 12) & 0xfffff), addi(6, 6, (replacement << 20) >> 20),
      S(0x23, 2, 5, 6, 9 * 4), // sw x6 over the instruction at +36 (below), which is already translated from round 1
      addi(10, 10, 1), addi(12, 12, -1), addi(0, 0, 0),
      addi(10, 10, 1), // +36: becomes addi x10, x10, 100
      B(1, 12, 0, -28), // bne x12, x0, back to the sw
      ecall(),
    ];
    const stops = agreeStepwise(program, () => 1000, { codeProt: PROT_READ | PROT_WRITE | PROT_EXEC });
    expect(stops[stops.length - 1]).toMatchObject({ stop: { kind: 'ecall' } });
    const m = machine(program, true, PROT_READ | PROT_WRITE | PROT_EXEC);
    m.hart.run(1000);
    expect(m.hart.getX(10)).toBe(3 * 101);
  });

  it('a kernel write into a code page (read() into it, a copy to user memory) drops its decoded code and blocks, as a guest store does', () => {
    for (const jit of [false, true]) {
      const m = machine([addi(10, 0, 1), ecall()], jit, PROT_READ | PROT_WRITE | PROT_EXEC);
      for (let round = 0; round < 3; round++) { // decoded, then translated, then run from the block
        m.hart.pc = CODE;
        expect(m.hart.run(100).kind).toBe('ecall');
        expect(m.hart.getX(10)).toBe(1);
      }
      // read(2)'s copy-out path (UserIO), then a plain kernel write (copy_to_user of a struct)
      const io = UserIO.buffer(m.space, CODE, 4);
      if (typeof io === 'number') throw new Error('code page not writable');
      io.copyOut(assemble([addi(10, 0, 2)]));
      m.hart.pc = CODE;
      expect(m.hart.run(100).kind).toBe('ecall');
      expect(m.hart.getX(10), `after the read() copy-out, jit ${jit}`).toBe(2);
      expect(m.space.write(CODE, assemble([addi(10, 0, 3)]))).toBe(true);
      m.hart.pc = CODE;
      expect(m.hart.run(100).kind).toBe('ecall');
      expect(m.hart.getX(10), `after copy_to_user, jit ${jit}`).toBe(3);
    }
  });

  it('a new address space drops the blocks: the same addresses run the new program', () => {
    const m = machine(LOOP, true);
    expect(m.hart.run(100_000).kind).toBe('ecall');
    const other = machine([addi(10, 0, 42), ecall()], true);
    m.hart.space = other.space;
    m.hart.pc = CODE;
    expect(m.hart.run(100).kind).toBe('ecall');
    expect(m.hart.getX(10)).toBe(42);
  });

  it('calls and returns (jal followed into the callee, jalr back) and a jump to self', () => {
    const program: Inst[] = [
      addi(5, 0, 40), addi(10, 0, 0),
      J(1, 16), // +8: call f at +24
      addi(5, 5, -1), B(1, 5, 0, -8), // +12: loop back to the call
      ecall(), // +20
      addi(10, 10, 7), I(0x67, 0, 0, 1, 0), // +24 f: x10 += 7; ret
    ];
    for (const b of [1, 4, 9, 1000]) agreeStepwise(program, () => b);
    const m = machine(program, true);
    expect(m.hart.run(10_000).kind).toBe('ecall');
    expect(m.hart.getX(10)).toBe(280);
    for (const b of [1, 5, 64]) expect(agreeStepwise([J(0, 0)], () => b)).toHaveLength(10_000); // j . : every stop is a budget stop
  });

  it('a block that ends in its ecall: every syscall stop has the interpreter\'s pc, instret and registers', () => {
    // x6 counts rounds; each round is a short block ending in an ecall, resumed as the kernel does (a0 = result, pc past it).
    const program: Inst[] = [addi(6, 0, 0), addi(6, 6, 1), addi(17, 6, 100), ecall(), B(1, 6, 0, -12)];
    for (const budget of [1, 3, 4, 5, 1000]) {
      const runs = [false, true].map((jit) => {
        const m = machine(program, jit);
        let ecallsInBlocks = 0;
        let flag = false;
        Object.defineProperty(m.hart, 'blockEcall', {
          get: () => flag,
          set: (v: boolean) => { if (v) ecallsInBlocks++; flag = v; },
        });
        const stops: unknown[] = [];
        for (let k = 0; k < 400 && m.hart.getX(6) < 60; k++) {
          const stop = m.hart.run(budget);
          stops.push(state(m, stop));
          if (stop.kind === 'ecall') {
            m.hart.setX(10, m.hart.getX(17) * 2);
            m.hart.pc += 4;
          }
        }
        return { stops, ecallsInBlocks };
      });
      expect(runs[1].stops).toEqual(runs[0].stops);
      expect(runs[0].ecallsInBlocks).toBe(0);
      // a budget of 4 or more fits the block and its ecall: most syscalls then stop inside a block
      if (budget >= 4) expect(runs[1].ecallsInBlocks).toBeGreaterThan(40);
    }
  });

  it('csr reads of instret and cycle inside hot code see the exact count', () => {
    const program: Inst[] = [
      addi(5, 0, 50), addi(5, 5, -1), I(0x73, 2, 6, 0, 0xc02), I(0x73, 2, 7, 0, 0xc00), B(1, 5, 0, -12), ecall(),
    ];
    for (const b of [3, 10, 1000]) agreeStepwise(program, () => b);
  });
  it('a logical shift right by exactly 32 compares equal to the same value loaded (registers stay int32 inside a block)', () => {
    // x5 = -1; x7 = 0x00000000ffffffff by lwu; x6 = x5 >>> 32 by srli and x9 by srl: both equal x7.
    // gc Go's runtime (pcvalue) depends on it; a block once held 2^32-1 where the interpreter holds -1.
    const prog: Inst[] = [
      addi(5, 0, -1), sd(5, 31, 0), I(0x03, 6, 7, 31, 0), // lwu x7, 0(x31)
      I(0x13, 5, 6, 5, 32), // srli x6, x5, 32
      addi(8, 0, 32), R(0x33, 5, 0, 9, 5, 8), // srl x9, x5, x8
      addi(10, 0, 0),
      B(1, 6, 7, 8), addi(10, 10, 1), // bne x6, x7: skip
      B(1, 9, 7, 8), addi(10, 10, 2), // bne x9, x7: skip
      ecall(),
    ];
    for (const jit of [false, true]) {
      const m = machine(prog, jit);
      expect(m.hart.run(1000).kind).toBe('ecall');
      expect(m.hart.getX(10), jit ? 'translated' : 'interpreted').toBe(3);
    }
  });
});
