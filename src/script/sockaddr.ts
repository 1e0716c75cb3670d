// Socket addresses as scripts write them and as the kernel returns them:
// the struct sockaddr_un bytes (riscv64 layout: u16 family, then sun_path).

/**
 * A socket address as scripts write it: a pathname; an abstract name (the
 * bytes after the leading NUL, latin1); the whole sockaddr bytes including
 * the family (addrlen = raw.length); or autobind (the family alone, addrlen 2).
 */
export type SockAddr = string | { abstract: string } | { raw: Uint8Array } | { autobind: true };

/** An address the kernel returned: len is the addrlen it stored; path or abstract when named, neither when unnamed. */
export interface SockName {
  len: number;
  family: number;
  path?: string;
  abstract?: string;
}

/** The bytes of a sockaddr_un for `a` (AF_UNIX = 1); for pathnames addrlen = 2 + strlen + 1, as SUN_LEN + NUL. */
export function encodeSockAddr(a: SockAddr): Uint8Array {
  if (typeof a === 'string') {
    const b = new Uint8Array(2 + a.length + 1);
    b[0] = 1;
    for (let i = 0; i < a.length; i++) b[2 + i] = a.charCodeAt(i) & 0xff;
    return b;
  }
  if ('raw' in a) return a.raw;
  if ('abstract' in a) {
    const b = new Uint8Array(3 + a.abstract.length);
    b[0] = 1;
    for (let i = 0; i < a.abstract.length; i++) b[3 + i] = a.abstract.charCodeAt(i) & 0xff;
    return b;
  }
  return Uint8Array.of(1, 0);
}

/** Decodes `len` (the kernel's addrlen) and the copied bytes (at most the buffer size) into a SockName. */
export function decodeSockName(len: number, bytes: Uint8Array): SockName {
  const family = bytes.length >= 2 ? bytes[0] | (bytes[1] << 8) : 0;
  const name: SockName = { len, family };
  const n = Math.min(len, bytes.length);
  if (n > 2) {
    if (bytes[2] === 0) {
      let s = '';
      for (let i = 3; i < n; i++) s += String.fromCharCode(bytes[i]);
      name.abstract = s;
    } else {
      let s = '';
      for (let i = 2; i < n && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]);
      name.path = s;
    }
  }
  return name;
}
