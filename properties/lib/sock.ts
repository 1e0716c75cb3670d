// Small helpers shared by the scenarios and the property programs: loops
// a real program would write around read(2), send(2) and connect(2). Each
// iteration is a syscall, so each is a scheduling point.
import { ECONNREFUSED, ENOENT } from '../../src/kernel/errno.ts';
import { SIGPIPE } from '../../src/kernel/abi.ts';
import type { Sys, SysGen, SockAddr } from '../../src/script/sys.ts';

/** Virtual nanoseconds a retry loop sleeps between attempts. */
export const RETRY_NS = 1000;

/**
 * connect(2), retried while the server is not up yet (ENOENT: no such
 * path; ECONNREFUSED: bound but not listening, or no such abstract name).
 * Returns the last result (0 or -errno).
 */
export function* connectRetry(sys: Sys, fd: number, addr: SockAddr, maxTries = 200): SysGen<number> {
  let r = 0;
  for (let i = 0; i < maxTries; i++) {
    r = yield* sys.connect(fd, addr);
    if (r !== -ENOENT && r !== -ECONNREFUSED) return r;
    yield* sys.nanosleep(RETRY_NS);
  }
  return r;
}

/** Writes all of data (looping over short writes); returns bytes written, or -errno if nothing was. */
export function* writeAll(sys: Sys, fd: number, data: string | Uint8Array): SysGen<number> {
  const b = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let off = 0;
  while (off < b.length) {
    const r = yield* sys.write(fd, b.subarray(off));
    if (r <= 0) return off > 0 ? off : r;
    off += r;
  }
  return off;
}

/** Reads until EOF or error; returns the bytes and the final result (0 at EOF, or -errno). */
export function* readToEnd(sys: Sys, fd: number, chunk = 256): SysGen<{ data: Uint8Array; end: number; reads: number[] }> {
  const parts: Uint8Array[] = [];
  const reads: number[] = [];
  for (;;) {
    const r = yield* sys.read(fd, chunk);
    reads.push(r.ret);
    if (r.ret <= 0) return { data: concat(parts), end: r.ret, reads };
    parts.push(r.data);
  }
}

/** Ignores SIGPIPE so that writes to a closed peer return EPIPE instead of killing the writer. */
export function* ignoreSigpipe(sys: Sys): SysGen<number> {
  return yield* sys.sigaction(SIGPIPE, 'ignore');
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A deterministic byte pattern whose bytes depend on their offset (to see reordering and loss). */
export function pattern(n: number, salt = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8) * 7 + salt * 13) & 0xff;
  return b;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
