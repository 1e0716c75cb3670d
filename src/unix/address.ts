// struct sockaddr_un in and out: the length rules of net/socket.c
// (move_addr_to_kernel / move_addr_to_user) and net/unix/af_unix.c
// (unix_validate_addr, unix_mkname_bsd, unix_getname).
import type { AddressSpace } from '../hw/memory.ts';
import { EFAULT, EINVAL } from '../kernel/errno.ts';
import { copyFromUser, copyToUser, getI32, latin1, putU32 } from '../kernel/uaccess.ts';
import { AF_UNIX, SOCKADDR_STORAGE_SIZE, SOCKADDR_UN_SIZE, SUN_PATH_OFFSET } from './constants.ts';

/**
 * A bound name as the kernel stores it (struct unix_address): the bytes
 * getsockname returns, family included. Pathnames are stored NUL-terminated
 * with len = 2 + strlen + 1 (which is 111 for a 108-byte unterminated path).
 */
export interface UnixAddress {
  readonly bytes: Uint8Array;
  /** pathname (for VFS lookups), or null for abstract names */
  readonly path: string | null;
}

export type ParsedAddr =
  | { kind: 'autobind' }
  | { kind: 'path'; path: string; addr: UnixAddress }
  | { kind: 'abstract'; addr: UnixAddress };

/** move_addr_to_kernel: addrlen must be 0..sizeof(sockaddr_storage); bytes or -errno. */
export function copyAddrIn(mm: AddressSpace, uaddr: number, addrlen: number): Uint8Array | number {
  if (addrlen < 0 || addrlen > SOCKADDR_STORAGE_SIZE) return -EINVAL;
  if (addrlen === 0) return new Uint8Array(0);
  return copyFromUser(mm, uaddr, addrlen) ?? -EFAULT;
}

export function family(b: Uint8Array): number {
  return b.length >= 2 ? b[0] | (b[1] << 8) : -1;
}

/** unix_validate_addr: at least the family, AF_UNIX, at most sizeof(sockaddr_un). */
export function validateAddr(b: Uint8Array): number {
  if (b.length < SUN_PATH_OFFSET || family(b) !== AF_UNIX) return -EINVAL;
  if (b.length > SOCKADDR_UN_SIZE) return -EINVAL;
  return 0;
}

/**
 * Parses an address for bind/connect. `allowAutobind`: bind treats a bare
 * {AF_UNIX} (addrlen 2) as autobind (unix_bind); connect rejects it.
 */
export function parseAddr(b: Uint8Array, allowAutobind: boolean): ParsedAddr | number {
  if (b.length === SUN_PATH_OFFSET && family(b) === AF_UNIX) {
    return allowAutobind ? { kind: 'autobind' } : -EINVAL;
  }
  const err = validateAddr(b);
  if (err) return err;
  if (b[SUN_PATH_OFFSET] !== 0) {
    // unix_mkname_bsd: the kernel terminates at addrlen; the name ends at the first NUL.
    let end = SUN_PATH_OFFSET;
    while (end < b.length && b[end] !== 0) end++;
    const bytes = new Uint8Array(end + 1);
    bytes.set(b.subarray(0, end));
    return { kind: 'path', path: latin1(b.subarray(SUN_PATH_OFFSET, end)), addr: { bytes, path: latin1(b.subarray(SUN_PATH_OFFSET, end)) } };
  }
  // Abstract: exactly addrlen - 2 bytes, NULs included, nothing appended.
  return { kind: 'abstract', addr: { bytes: b.slice(), path: null } };
}

/** The abstract-namespace key: Linux hashes the name with the socket type (unix_abstract_hash). */
export function abstractKey(addr: UnixAddress, type: number): string {
  return `${type}:${latin1(addr.bytes.subarray(SUN_PATH_OFFSET))}`;
}

/** An autobind name: "\0" + five lowercase hex digits, addrlen 8. */
export function autobindAddress(n: number): UnixAddress {
  const hex = n.toString(16).padStart(5, '0');
  const bytes = new Uint8Array(SUN_PATH_OFFSET + 1 + 5);
  bytes[0] = AF_UNIX;
  for (let i = 0; i < 5; i++) bytes[SUN_PATH_OFFSET + 1 + i] = hex.charCodeAt(i);
  return { bytes, path: null };
}

/** What getsockname of an unbound socket returns: the family alone. */
export const UNNAMED: UnixAddress = { bytes: Uint8Array.of(AF_UNIX, 0), path: null };

/**
 * move_addr_to_user: copies min(actual, *ulen) bytes and stores the actual
 * length; *ulen < 0 is EINVAL. `bytes` null means "no address" (length 0).
 */
export function copyAddrOut(mm: AddressSpace, uaddr: number, ulen: number, bytes: Uint8Array | null): number {
  const have = getI32(mm, ulen);
  if (have === null) return -EFAULT;
  const klen = bytes ? bytes.length : 0;
  let len = have > klen ? klen : have;
  if (len < 0) return -EINVAL;
  if (len > 0 && !copyToUser(mm, uaddr, bytes!.subarray(0, len))) return -EFAULT;
  return putU32(mm, ulen, klen) ? 0 : -EFAULT;
}
