import { describe, expect, it } from 'vitest';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../src/hw/memory.ts';
import { CODE, DATA, machine } from './machine.ts';
import { addi, assemble, c, csrrs, csrrw, ebreak, ecall, I, J, ld, lui, R, sd, S } from './asm.ts';

describe('hart trap interface', () => {
  it('stops at ecall with pc on the ecall; the kernel advances pc by 4', () => {
    const { hart } = machine([addi(17, 0, 64), addi(10, 0, 7), ecall(), addi(10, 10, 1), ecall()]);
    expect(hart.run(100)).toEqual({ kind: 'ecall' });
    expect(hart.pc).toBe(CODE + 8);
    expect(hart.getX(17)).toBe(64);
    hart.setX(10, 41);
    hart.pc += 4;
    expect(hart.run(100).kind).toBe('ecall');
    expect(hart.getX(10)).toBe(42);
    expect(hart.instret).toBe(5);
  });

  it('stops when the instruction budget is used', () => {
    const { hart } = machine([J(0, 0)]); // jump to self
    expect(hart.run(1000)).toEqual({ kind: 'budget' });
    expect(hart.instret).toBe(1000);
    expect(hart.pc).toBe(CODE);
  });

  it('stops at the timer deadline; mtime advances one tick per instruction', () => {
    const { hart, timer } = machine([J(0, 0)]);
    timer.mtime = 500;
    timer.armIn(250);
    expect(hart.run(1_000_000)).toEqual({ kind: 'timer' });
    expect(timer.mtime).toBe(750);
    expect(hart.run(10)).toEqual({ kind: 'timer' }); // deadline already passed
  });

  it('reports an unmapped load as SIGSEGV with the address and pc at the load', () => {
    const { hart } = machine([addi(5, 0, 1), ld(6, 0, 0x100)]);
    expect(hart.run(10)).toEqual({ kind: 'fault', signal: 'SIGSEGV', addr: 0x100, cause: 13 });
    expect(hart.pc).toBe(CODE + 4);
    expect(hart.instret).toBe(1);
  });

  it('reports a store to read-only code as SIGSEGV', () => {
    const { hart } = machine([lui(5, CODE >> 12), sd(0, 5, 0)]);
    expect(hart.run(10)).toMatchObject({ kind: 'fault', signal: 'SIGSEGV', addr: CODE, cause: 15 });
  });

  it('reports a misaligned AMO as SIGBUS but performs misaligned loads and stores', () => {
    const amoadd = R(0x2f, 3, 0, 6, 5, 7);
    const { hart, space } = machine([addi(7, 0, -1), sd(7, 31, 3), ld(8, 31, 3), addi(5, 31, 4), amoadd]);
    expect(hart.run(10)).toEqual({ kind: 'fault', signal: 'SIGBUS', addr: DATA + 4, cause: 6 });
    expect(hart.getX(8)).toBe(-1);
    expect([...space.read(DATA, 12)!]).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 0]);
  });

  it('reports ebreak as SIGTRAP and illegal or privileged instructions as SIGILL', () => {
    expect(machine([ebreak()]).hart.run(5)).toMatchObject({ signal: 'SIGTRAP' });
    expect(machine([c.ebreak()]).hart.run(5)).toMatchObject({ signal: 'SIGTRAP' });
    expect(machine([{ bits: 0, len: 2 }]).hart.run(5)).toMatchObject({ signal: 'SIGILL', cause: 2 });
    expect(machine([{ bits: 0x30200073, len: 4 }]).hart.run(5)).toMatchObject({ signal: 'SIGILL' }); // mret
    expect(machine([csrrw(0, 0xc00, 5)]).hart.run(5)).toMatchObject({ signal: 'SIGILL' }); // write to cycle
  });

  it('makes reserved dynamic rounding modes illegal only for instructions that round', () => {
    const fadd = R(0x53, 7, 1, 1, 2, 3); // fadd.d rm=dyn
    const { hart } = machine([I(0x73, 5, 0, 7, 2), R(0x53, 0, 0x11, 4, 5, 5), fadd]); // frm=7; fsgnj.d; fadd.d
    expect(hart.run(10)).toMatchObject({ signal: 'SIGILL' });
    expect(hart.pc).toBe(CODE + 8);
  });

  it('fetching from a non-executable page is SIGSEGV', () => {
    const { hart } = machine([lui(5, DATA >> 12), I(0x67, 0, 0, 5, 0)]);
    expect(hart.run(10)).toEqual({ kind: 'fault', signal: 'SIGSEGV', addr: DATA, cause: 12 });
    expect(hart.pc).toBe(DATA);
  });

  it('reads cycle, time and instret from virtual time', () => {
    const { hart, timer } = machine([addi(1, 0, 0), csrrs(5, 0xc00, 0), csrrs(6, 0xc01, 0), csrrs(7, 0xc02, 0), ecall()]);
    timer.mtime = 1000;
    hart.run(100);
    expect([hart.getX(5), hart.getX(6), hart.getX(7)]).toEqual([1001, 1002, 3]);
  });
});

describe('decoded-instruction cache', () => {
  it('sees code rewritten by the program itself on a writable+executable page', () => {
    const patched = addi(10, 0, 2).bits;
    const { hart } = machine([
      addi(10, 0, 1), ecall(), // +0: executed (and cached) first, then patched
      lui(5, CODE >> 12), lui(6, (patched + 0x800) >>> 12), addi(6, 6, ((patched & 0xfff) << 20) >> 20),
      S(0x23, 2, 5, 6, 0), J(0, -24),
    ], PROT_READ | PROT_WRITE | PROT_EXEC);
    expect(hart.run(100).kind).toBe('ecall');
    expect(hart.getX(10)).toBe(1);
    hart.pc = CODE + 8;
    expect(hart.run(100).kind).toBe('ecall');
    expect(hart.getX(10)).toBe(2);
  });

  it('sees code the kernel replaced by remapping the page', () => {
    const { hart, space } = machine([addi(10, 0, 1), ecall()]);
    hart.run(10);
    expect(hart.getX(10)).toBe(1);
    space.map(CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC); // new frame, new generation
    space.poke(CODE, assemble([addi(10, 0, 3), ecall()]));
    hart.pc = CODE;
    hart.run(10);
    expect(hart.getX(10)).toBe(3);
  });

  it('executes a 32-bit instruction that spans two pages', () => {
    const pad = Array.from({ length: 2047 }, () => c.addi(0, 0)); // 4094 bytes of c.nop
    const { hart } = machine([...pad, addi(10, 0, 9), ecall()]);
    expect(hart.run(5000).kind).toBe('ecall');
    expect(hart.getX(10)).toBe(9);
  });
});

describe('register accessors', () => {
  it('round-trips numbers and lo/hi halves, ignores writes to x0, clones for fork', () => {
    const { hart } = machine([ecall()]);
    hart.setX(5, -2);
    expect([hart.getXLo(5), hart.getXHi(5)]).toEqual([-2, -1]);
    hart.setX(6, 2 ** 40 + 3);
    expect(hart.getX(6)).toBe(2 ** 40 + 3);
    hart.setXHalves(7, 0, -0x80000000);
    expect(hart.getXHi(7)).toBe(-0x80000000);
    hart.setX(0, 5);
    expect(hart.getX(0)).toBe(0);
    hart.setFHalves(3, 0x3f800000, -1);
    hart.fcsr = 0xe5;
    expect(hart.fcsr).toBe(0xe5);
    const child = hart.clone();
    expect(child.getX(6)).toBe(2 ** 40 + 3);
    expect([child.getFLo(3), child.getFHi(3)]).toEqual([0x3f800000, -1]);
    expect(child.fcsr).toBe(0xe5);
    child.setX(6, 1);
    expect(hart.getX(6)).toBe(2 ** 40 + 3);
  });
});
