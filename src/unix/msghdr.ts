// struct msghdr in and out (net/socket.c ____sys_sendmsg, ___sys_recvmsg,
// __copy_msghdr). LP64 layout: +0 msg_name; +8 u32 msg_namelen; +16
// msg_iov; +24 u64 msg_iovlen; +32 msg_control; +40 u64 msg_controllen;
// +48 i32 msg_flags; 56 bytes. musl stores iovlen and controllen as an int
// plus padding that it zeroes, so all 64 bits are read.
import type { AddressSpace } from '../hw/memory.ts';
import { EFAULT, EINVAL, EMSGSIZE, ENOBUFS } from '../kernel/errno.ts';
import { copyFromUser, getI32, getU64, putU32, putU64 } from '../kernel/uaccess.ts';
import { UIO_MAXIOV, UserIO } from '../kernel/userio.ts';
import { OPTMEM_MAX, SOCKADDR_STORAGE_SIZE } from './constants.ts';

export const MSGHDR_SIZE = 56;
const INT_MAX = 0x7fffffff;

export interface MsgHdr {
  name: number;
  /** as clamped by __copy_msghdr: 0 when name is NULL, at most sizeof(sockaddr_storage) */
  namelen: number;
  iov: number;
  iovlen: number;
  control: number;
  controllen: number;
}

/** __copy_msghdr: the header, with msg_namelen checked and clamped and msg_iovlen bounded. */
export function readMsghdr(mm: AddressSpace, addr: number): MsgHdr | number {
  const name = getU64(mm, addr);
  const namelenRaw = getI32(mm, addr + 8);
  const iov = getU64(mm, addr + 16);
  const iovlen = getU64(mm, addr + 24);
  const control = getU64(mm, addr + 32);
  const controllen = getU64(mm, addr + 40);
  if (name === null || namelenRaw === null || iov === null || iovlen === null || control === null || controllen === null) {
    return -EFAULT;
  }
  let namelen = name === 0 ? 0 : namelenRaw;
  if (namelen < 0) return -EINVAL;
  namelen = Math.min(namelen, SOCKADDR_STORAGE_SIZE);
  if (iovlen > UIO_MAXIOV) return -EMSGSIZE;
  return { name, namelen, iov, iovlen, control, controllen };
}

/** The iovec array as a user buffer (import_iovec): EFAULT (an unreadable array, a segment past access_ok) or EINVAL before anything moves. */
export function msgIov(mm: AddressSpace, h: MsgHdr): UserIO | number {
  return UserIO.iovec(mm, h.iov, h.iovlen);
}

/** ____sys_sendmsg's copy of the control buffer: ENOBUFS above INT_MAX or from sock_kmalloc, EFAULT when unreadable. */
export function copyControlIn(mm: AddressSpace, h: MsgHdr): Uint8Array | number {
  if (h.controllen > INT_MAX) return -ENOBUFS;
  if (h.controllen === 0) return new Uint8Array(0);
  // More than its 36 bytes on the stack is sock_kmalloc'ed, which refuses a size that would bring the
  // socket's sk_omem_alloc (0 here: nothing else of AF_UNIX charges it) to optmem_max.
  if (h.controllen >= OPTMEM_MAX) return -ENOBUFS;
  return copyFromUser(mm, h.control, h.controllen) ?? -EFAULT;
}

/** The name bytes a sendmsg names (move_addr_to_kernel), or null for none. */
export function copyNameIn(mm: AddressSpace, h: MsgHdr): Uint8Array | number | null {
  if (h.name === 0 || h.namelen === 0) return null;
  return copyFromUser(mm, h.name, h.namelen) ?? -EFAULT;
}

/** After a successful recvmsg: msg_flags and msg_controllen go back to the user's header. */
export function writeRecvResult(mm: AddressSpace, addr: number, flags: number, controllen: number): number {
  if (!putU32(mm, addr + 48, flags)) return -EFAULT;
  if (!putU64(mm, addr + 40, controllen)) return -EFAULT;
  return 0;
}
