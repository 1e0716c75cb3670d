import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AddressSpace, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../src/hw/memory.ts';
import { buildInitialStack, ElfError, loadElf, PIE_LOAD_BIAS } from '../../src/hw/elf.ts';
import { AT_EXECFN, AT_HWCAP, AT_NULL, AT_PAGESZ, AT_PHDR, AT_PHNUM, AT_RANDOM, AT_UID, HWCAP_IMAFDC } from '../../src/hw/initial-stack.ts';
import { writeElf } from './elf-writer.ts';

const code = new Uint8Array([0x13, 0, 0, 0, 0x73, 0, 0, 0]);
const simple = (type = 2): Uint8Array =>
  writeElf(0x10000, [
    { vaddr: 0x10000, flags: 5, data: code },
    { vaddr: 0x20010, flags: 6, data: new Uint8Array([1, 2, 3, 4]), memsz: 0x3000 },
  ], type);

describe('ELF loader', () => {
  it('maps PT_LOAD segments with their permissions, zeroes bss and reports brk', () => {
    const space = new AddressSpace();
    const elf = loadElf(simple(), space);
    expect(elf.entry).toBe(0x10000);
    expect(elf.bias).toBe(0);
    expect(space.protAt(0x10000)).toBe(PROT_READ | PROT_EXEC);
    expect(space.protAt(0x20000)).toBe(PROT_READ | PROT_WRITE);
    expect([...space.read(0x20010, 6)!]).toEqual([1, 2, 3, 4, 0, 0]);
    expect(space.read(0x23000, 1)).not.toBeNull(); // 0x20010 + 0x3000 reaches into page 0x23000
    expect(elf.brk).toBe(0x24000);
    expect(elf.phnum).toBe(2);
  });

  it('loads static-PIE (ET_DYN) at the fixed load bias', () => {
    const space = new AddressSpace();
    const elf = loadElf(simple(3), space);
    expect(elf.bias).toBe(PIE_LOAD_BIAS);
    expect(elf.entry).toBe(PIE_LOAD_BIAS + 0x10000);
    expect(space.protAt(PIE_LOAD_BIAS + 0x10000)).toBe(PROT_READ | PROT_EXEC);
  });

  it('loads the committed guest binaries', () => {
    const space = new AddressSpace();
    const elf = loadElf(readFileSync(join(import.meta.dirname, '../../guest/bin/hello')), space);
    expect(space.protAt(elf.entry) & PROT_EXEC).toBe(PROT_EXEC);
    expect(space.read(elf.phdr, 4)).not.toBeNull();
  });

  it('refuses dynamically linked programs, 32-bit files, other machines and truncation with ElfError', () => {
    const withInterp = simple();
    new DataView(withInterp.buffer).setUint32(64, 3, true); // first phdr becomes PT_INTERP
    expect(() => loadElf(withInterp, new AddressSpace())).toThrow(/PT_INTERP/);
    const elf32 = simple();
    elf32[4] = 1;
    expect(() => loadElf(elf32, new AddressSpace())).toThrow(/32-bit/);
    const x86 = simple();
    x86[18] = 62;
    expect(() => loadElf(x86, new AddressSpace())).toThrow(/not a RISC-V/);
    expect(() => loadElf(simple().subarray(0, 100), new AddressSpace())).toThrow(ElfError);
    expect(() => loadElf(new TextEncoder().encode('#!/bin/sh\n'), new AddressSpace())).toThrow(/truncated|magic/);
  });

  it('never throws anything but ElfError on mutated input', () => {
    const base = simple();
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.option(fc.nat(base.length)),
      (mutations, cut) => {
        const img = base.slice(0, cut ?? base.length);
        for (const [at, v] of mutations) if (at < img.length) img[at] = v;
        try {
          loadElf(img, new AddressSpace());
        } catch (e) {
          if (!(e instanceof ElfError)) throw e;
          expect(e.message).not.toContain('\n');
        }
      },
    ), { numRuns: 500 });
  });
});

describe('initial stack', () => {
  it('lays out argc, argv, envp and auxv as Linux does, 16-byte aligned', () => {
    const space = new AddressSpace();
    const elf = loadElf(simple(), space);
    const random = Uint8Array.from({ length: 16 }, (_, k) => k + 1);
    const st = buildInitialStack(space, elf, {
      argv: ['/bin/prog', 'arg1'], envp: ['A=1'], execfn: '/bin/prog', random, uid: 1000, euid: 1000, gid: 100, egid: 100,
    });
    expect(st.sp % 16).toBe(0);
    const word = (a: number): number => Number(new DataView(space.read(a, 8)!.buffer).getBigUint64(0, true));
    const str = (a: number): string => {
      let s = '';
      for (let c = space.read(a, 1)![0]; c !== 0; c = space.read(++a, 1)![0]) s += String.fromCharCode(c);
      return s;
    };
    expect(word(st.sp)).toBe(2);
    expect(str(word(st.sp + 8))).toBe('/bin/prog');
    expect(str(word(st.sp + 16))).toBe('arg1');
    expect(word(st.sp + 24)).toBe(0);
    expect(str(word(st.sp + 32))).toBe('A=1');
    expect(word(st.sp + 40)).toBe(0);
    expect(word(st.sp + 8)).toBeLessThan(word(st.sp + 16)); // argv[0] lowest, as copy_strings leaves it
    const aux = new Map<number, number>();
    for (let a = st.sp + 48; ; a += 16) {
      aux.set(word(a), word(a + 8));
      if (word(a) === AT_NULL) break;
    }
    expect(aux.get(AT_PAGESZ)).toBe(4096);
    expect(aux.get(AT_HWCAP)).toBe(HWCAP_IMAFDC);
    expect(HWCAP_IMAFDC).toBe(0x112d);
    expect(aux.get(AT_PHDR)).toBe(elf.phdr);
    expect(aux.get(AT_PHNUM)).toBe(2);
    expect(aux.get(AT_UID)).toBe(1000);
    expect([...space.read(aux.get(AT_RANDOM)!, 16)!]).toEqual([...random]);
    expect(str(aux.get(AT_EXECFN)!)).toBe('/bin/prog');
  });
});
