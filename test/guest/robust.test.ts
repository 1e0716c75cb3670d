// Nothing a guest does may throw on the host: random syscalls with hostile
// arguments and random instruction bytes end as results, signals or a
// reported run problem (deadlock), never as an exception out of src/exec.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { execImage } from '../../src/exec.ts';
import { addi, assemble, ecall, ld, lui, type Inst } from '../hw/asm.ts';
import { writeElf } from '../hw/elf-writer.ts';

const CODE = 0x10000, DATA = 0x20000;
const CALLS = 4;

const U64 = [0n, 1n, 2n, 3n, 8n, 24n, 4096n, 65536n, BigInt(DATA), BigInt(DATA + 8), BigInt(DATA + 4095), BigInt(CODE),
  2n ** 31n, 2n ** 32n - 1n, 2n ** 38n - 4096n, 2n ** 40n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n - 100n];
const arg = fc.oneof(fc.constantFrom(...U64), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
/** syscall numbers: the interesting ones often, anything up to 600 sometimes (never exit: the program must keep going) */
const nr = fc.oneof(
  fc.constantFrom(56, 57, 59, 63, 64, 73, 78, 96, 98, 99, 101, 129, 132, 134, 135, 139, 160, 214, 215, 220, 221, 222, 226, 233, 260, 261, 278),
  fc.integer({ min: 0, max: 600 }).filter((n) => n !== 93 && n !== 94),
);

function program(calls: { nr: number; args: bigint[] }[]): Uint8Array {
  const code: Inst[] = [];
  const data = new Uint8Array(4096);
  const dv = new DataView(data.buffer);
  calls.forEach((c, i) => {
    dv.setBigUint64(64 * i, BigInt(c.nr), true);
    c.args.forEach((a, j) => dv.setBigUint64(64 * i + 8 + 8 * j, a, true));
    code.push(lui(31, DATA >> 12), ld(17, 31, 64 * i));
    for (let j = 0; j < 6; j++) code.push(ld(10 + j, 31, 64 * i + 8 + 8 * j));
    code.push(ecall());
  });
  code.push(addi(17, 0, 94), addi(10, 0, 0), ecall());
  return writeElf(CODE, [{ vaddr: CODE, flags: 5, data: assemble(code) }, { vaddr: DATA, flags: 6, data }]);
}

describe('hostile guests cannot throw host exceptions', () => {
  it('random syscalls with hostile arguments', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ nr, args: fc.array(arg, { minLength: 6, maxLength: 6 }) }), { minLength: 1, maxLength: CALLS }), (calls) => {
        // every other case under a 64 MiB memory budget: a small budget must fail cleanly too
        const r = execImage('/fuzz', program(calls), { maxSteps: 2000, checkInvariants: true, memory: calls.length % 2 ? 64 * 2 ** 20 : undefined });
        expect(r.problem === null || !r.problem.startsWith('internal') && !r.problem.startsWith('kernel invariant'), r.problem ?? '').toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('random instruction bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 256 }), (bytes) => {
        const elf = writeElf(CODE, [{ vaddr: CODE, flags: 7, data: bytes }]);
        const r = execImage('/noise', elf, { maxSteps: 200, memory: bytes.length % 2 ? 64 * 2 ** 20 : undefined });
        expect(r.problem === null || !r.problem.startsWith('internal'), r.problem ?? '').toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
