// The process stack as Linux's execve leaves it for a riscv64 ELF program
// (fs/binfmt_elf.c: create_elf_tables; fs/exec.c: copy_strings): from the
// top down, the execfn string, the environment strings, the argument
// strings, the 16 AT_RANDOM bytes, then (16-byte aligned) argc, argv[],
// NULL, envp[], NULL, and the auxiliary vector ending in AT_NULL.

import { AddressSpace, PAGE_SIZE, PROT_READ, PROT_WRITE, USER_TOP } from './memory.ts';
import type { LoadedElf } from './elf.ts';

export const AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
  AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_HWCAP = 16, AT_CLKTCK = 17,
  AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31;

/** AT_HWCAP bits: one per single-letter extension, bit (letter - 'A'): I M A F D C. */
export const HWCAP_IMAFDC = [..."IMAFDC"].reduce((m, c) => m | (1 << (c.charCodeAt(0) - 65)), 0);

export const DEFAULT_STACK_TOP = USER_TOP;
export const DEFAULT_STACK_SIZE = 256 * 1024;

export interface StackOptions {
  argv: string[];
  envp: string[];
  /** AT_EXECFN: the path given to execve. */
  execfn: string;
  /** 16 bytes for AT_RANDOM (from the run's seeded generator). */
  random: Uint8Array;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  stackTop?: number;
  stackSize?: number;
}

export interface InitialStack {
  /** Initial stack pointer (points at argc). */
  sp: number;
  /** Lowest mapped stack address. */
  stackBottom: number;
  stackTop: number;
}

export function buildInitialStack(space: AddressSpace, elf: LoadedElf, o: StackOptions): InitialStack {
  const top = o.stackTop ?? DEFAULT_STACK_TOP;
  const size = o.stackSize ?? DEFAULT_STACK_SIZE;
  const bottom = top - size;
  space.map(bottom, size, PROT_READ | PROT_WRITE);
  const enc = new TextEncoder();
  let p = top - 8; // Linux leaves a pointer-sized gap at the very top
  const pushBytes = (b: Uint8Array): number => {
    p -= b.length;
    if (p < bottom + PAGE_SIZE) throw new RangeError('argument list too long for the initial stack');
    space.poke(p, b);
    return p;
  };
  const cstring = (s: string): Uint8Array => {
    const b = enc.encode(s);
    const out = new Uint8Array(b.length + 1);
    out.set(b);
    return out;
  };
  const execfnAddr = pushBytes(cstring(o.execfn));
  // copy_strings copies the last string first, so string 0 ends up lowest
  const pushAll = (list: string[]): number[] => {
    const addrs = new Array<number>(list.length);
    for (let k = list.length - 1; k >= 0; k--) addrs[k] = pushBytes(cstring(list[k]));
    return addrs;
  };
  const envAddrs = pushAll(o.envp);
  const argAddrs = pushAll(o.argv);
  p -= p % 16; // addresses exceed 2^31: no bitwise masking
  const randomAddr = pushBytes(o.random.subarray(0, 16));

  const auxv: [number, number][] = [
    [AT_HWCAP, HWCAP_IMAFDC], [AT_PAGESZ, PAGE_SIZE], [AT_CLKTCK, 100],
    [AT_PHDR, elf.phdr], [AT_PHENT, elf.phent], [AT_PHNUM, elf.phnum],
    [AT_BASE, 0], [AT_FLAGS, 0], [AT_ENTRY, elf.entry],
    [AT_UID, o.uid], [AT_EUID, o.euid], [AT_GID, o.gid], [AT_EGID, o.egid],
    [AT_SECURE, 0], [AT_RANDOM, randomAddr], [AT_EXECFN, execfnAddr], [AT_NULL, 0],
  ];
  const words: number[] = [o.argv.length, ...argAddrs, 0, ...envAddrs, 0];
  for (const [k, v] of auxv) words.push(k, v);
  let sp = p - words.length * 8;
  sp -= sp % 16;
  if (sp < bottom + PAGE_SIZE) throw new RangeError('argument list too long for the initial stack');
  const table = new Uint8Array(words.length * 8);
  const dv = new DataView(table.buffer);
  words.forEach((w, k) => dv.setBigUint64(k * 8, BigInt(w), true));
  space.poke(sp, table);
  return { sp, stackBottom: bottom, stackTop: top };
}
