// A bare hart for unit tests: the program at CODE (mapped with `codeProt`),
// a writable page at DATA whose address is in x31, and its own timer.
import { AddressSpace, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../src/hw/memory.ts';
import { Hart } from '../../src/hw/hart.ts';
import { Timer } from '../../src/hw/timer.ts';
import { assemble, type Inst } from './asm.ts';

export const CODE = 0x10000, DATA = 0x20000;

export interface Machine {
  hart: Hart;
  space: AddressSpace;
  timer: Timer;
}

export function machine(program: Inst[], codeProt = PROT_READ | PROT_EXEC): Machine {
  const space = new AddressSpace();
  space.map(CODE, 0x2000, PROT_READ | PROT_WRITE);
  space.poke(CODE, assemble(program));
  space.protect(CODE, 0x2000, codeProt);
  space.map(DATA, 0x1000, PROT_READ | PROT_WRITE);
  const timer = new Timer();
  const hart = new Hart(space, timer);
  hart.pc = CODE;
  hart.setX(31, DATA);
  return { hart, space, timer };
}
