// strace-like rendering of a finished syscall: `read(3, "hello", 5) = 5`.
// Only used when the run records text; the trace hash never depends on it.
import type { AddressSpace } from '../hw/memory.ts';
import { renderResult } from './errno.ts';
import type { SyscallDef } from './syscall.ts';
import { readCString } from './uaccess.ts';

const SHOW_BYTES = 32;

export function quoteBytes(b: Uint8Array, full = b.length): string {
  let s = '"';
  for (let i = 0; i < Math.min(b.length, SHOW_BYTES); i++) {
    const c = b[i];
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x09) s += '\\t';
    else if (c === 0) s += '\\0';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return s + '"' + (full > SHOW_BYTES ? '...' : '');
}

function showBuf(mm: AddressSpace, addr: number, len: number): string {
  if (len <= 0) return '""';
  const b = mm.read(addr, Math.min(len, SHOW_BYTES));
  return b ? quoteBytes(b, len) : `0x${addr.toString(16)}`;
}

/** Renders struct sockaddr_un: {sa_family=AF_UNIX, sun_path="/tmp/s"} or @"abstract". */
export function showSockaddr(mm: AddressSpace, addr: number, len: number): string {
  if (addr === 0) return 'NULL';
  if (len < 2 || len > 128) return `0x${addr.toString(16)}`;
  const b = mm.read(addr, len);
  if (!b) return `0x${addr.toString(16)}`;
  const family = b[0] | (b[1] << 8);
  if (family !== 1) return `{sa_family=${family}}`;
  if (len === 2) return '{sa_family=AF_UNIX}';
  const path = b.subarray(2);
  if (path[0] === 0) return `{sa_family=AF_UNIX, sun_path=@${quoteBytes(path.subarray(1))}}`;
  const end = path.indexOf(0);
  return `{sa_family=AF_UNIX, sun_path=${quoteBytes(end < 0 ? path : path.subarray(0, end))}}`;
}

export function renderSyscall(def: SyscallDef, args: readonly number[], mm: AddressSpace, result: number): string {
  return `${def.name}(${renderArgs(def, args, mm, result)}) = ${renderResult(result)}`;
}

/** The argument list; output buffers are shown only for a result >= 0 (else as pointers). */
export function renderArgs(def: SyscallDef, args: readonly number[], mm: AddressSpace, result: number): string {
  const parts: string[] = [];
  for (let i = 0; i < def.args.length; i++) {
    const kind = def.args[i];
    const v = args[i];
    switch (kind) {
      case 'path': {
        const s = readCString(mm, v);
        parts.push(typeof s === 'string' ? JSON.stringify(s) : `0x${v.toString(16)}`);
        break;
      }
      case 'bufIn':
        parts.push(showBuf(mm, v, args[i + 1]));
        break;
      case 'bufOut':
        parts.push(result >= 0 ? showBuf(mm, v, result) : `0x${v.toString(16)}`);
        break;
      case 'sockaddr':
        parts.push(showSockaddr(mm, v, args[i + 1]));
        break;
      case 'ptr':
        parts.push(v === 0 ? 'NULL' : `0x${v.toString(16)}`);
        break;
      case 'hex':
        parts.push(`0x${v.toString(16)}`);
        break;
      case 'oct':
        parts.push(`0${v.toString(8)}`);
        break;
      default:
        parts.push(String(v));
    }
  }
  return parts.join(', ');
}
