// Decoding of the kernel structs scripts get back (riscv64 LP64 layouts).
import type { StatInfo } from '../kernel/file.ts';

/** What fstat/stat report to a script: the fields the kernel's StatInfo has. */
export type Stat = StatInfo;

/** struct stat (asm-generic, 128 bytes). */
export function decodeStat(b: Uint8Array): Stat {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    dev: Number(v.getBigUint64(0, true)),
    ino: Number(v.getBigUint64(8, true)),
    mode: v.getUint32(16, true),
    nlink: v.getUint32(20, true),
    uid: v.getUint32(24, true),
    gid: v.getUint32(28, true),
    size: Number(v.getBigInt64(48, true)),
    blksize: v.getInt32(56, true),
  };
}
