// Exact IEEE-754 binary32/binary64 arithmetic on raw bit patterns (as bigint),
// used whenever the host's round-to-nearest double arithmetic cannot give the
// RISC-V result and flags directly: other rounding modes, results near the
// subnormal range or overflow, fused multiply-add, conversions.
//
// A finite value is held exactly as sign, integer significand m and exponent
// e (value = m * 2^e); every operation computes the exact result (or enough
// bits of it plus a sticky bit) and rounds once in `roundPack`.
//
// RISC-V rules followed here (unprivileged spec, chapter "F" extension):
// - every NaN result is the canonical NaN (11.3);
// - tininess is detected after rounding (11.6, as Berkeley SoftFloat's RISC-V
//   specialisation does);
// - fcvt to integer saturates, with NaN converting to the largest value (11.7).

export const NV = 16, DZ = 8, OF = 4, UF = 2, NX = 1;
export const RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;

export interface Format {
  readonly p: number; // significand bits including the hidden one
  readonly emin: number;
  readonly emax: number;
  readonly bias: number;
  readonly fracBits: number;
  readonly expBits: number;
  readonly canonicalNaN: bigint;
}

export const F32: Format = { p: 24, emin: -126, emax: 127, bias: 127, fracBits: 23, expBits: 8, canonicalNaN: 0x7fc00000n };
export const F64: Format = { p: 53, emin: -1022, emax: 1023, bias: 1023, fracBits: 52, expBits: 11, canonicalNaN: 0x7ff8000000000000n };

export const ZERO = 0, FINITE = 1, INF = 2, QNAN = 3, SNAN = 4;

export interface Unpacked {
  cls: number;
  sign: number;
  m: bigint;
  e: number;
}

/** Exception flags raised by the operations since the caller last cleared them. */
export const fpFlags = { value: 0 };

export function bitLength(m: bigint): number {
  return m === 0n ? 0 : m.toString(2).length;
}

export function unpack(raw: bigint, f: Format): Unpacked {
  const fb = BigInt(f.fracBits);
  const sign = Number(raw >> BigInt(f.fracBits + f.expBits)) & 1;
  const exp = Number((raw >> fb) & ((1n << BigInt(f.expBits)) - 1n));
  const frac = raw & ((1n << fb) - 1n);
  const expAllOnes = (1 << f.expBits) - 1;
  if (exp === expAllOnes) {
    if (frac === 0n) return { cls: INF, sign, m: 0n, e: 0 };
    return { cls: (frac >> (fb - 1n)) & 1n ? QNAN : SNAN, sign, m: 0n, e: 0 };
  }
  if (exp === 0) {
    if (frac === 0n) return { cls: ZERO, sign, m: 0n, e: 0 };
    return { cls: FINITE, sign, m: frac, e: f.emin - f.fracBits };
  }
  return { cls: FINITE, sign, m: frac | (1n << fb), e: exp - f.bias - f.fracBits };
}

const signBit = (sign: number, f: Format): bigint => BigInt(sign) << BigInt(f.fracBits + f.expBits);
export const packZero = (sign: number, f: Format): bigint => signBit(sign, f);
export const packInf = (sign: number, f: Format): bigint =>
  signBit(sign, f) | (BigInt((1 << f.expBits) - 1) << BigInt(f.fracBits));
const packMax = (sign: number, f: Format): bigint => packInf(sign, f) - 1n;

export function pack(u: Unpacked, f: Format): bigint {
  switch (u.cls) {
    case ZERO: return packZero(u.sign, f);
    case INF: return packInf(u.sign, f);
    case FINITE: return roundPack(u.sign, u.m, u.e, false, f, RNE);
  }
  return f.canonicalNaN;
}

/**
 * Rounds (m + sticky) / 2^sh to an integer under rounding mode rm; `sticky`
 * means nonzero bits exist below m's last bit. Callers keep sh >= 2 whenever
 * sticky is set, so a sticky bit is always below the half-way point.
 */
export function roundShift(m: bigint, sh: number, sticky: boolean, sign: number, rm: number): { M: bigint; inexact: boolean } {
  if (sh <= 0) return { M: m << BigInt(-sh), inexact: sticky };
  const s = BigInt(sh);
  let M = m >> s;
  const rem = m & ((1n << s) - 1n);
  const inexact = rem !== 0n || sticky;
  if (!inexact) return { M, inexact };
  const half = 1n << (s - 1n);
  let up = false;
  switch (rm) {
    case RNE: up = rem > half || (rem === half && (sticky || (M & 1n) === 1n)); break;
    case RTZ: up = false; break;
    case RDN: up = sign === 1; break;
    case RUP: up = sign === 0; break;
    case RMM: up = rem >= half; break;
  }
  if (up) M += 1n;
  return { M, inexact };
}

/** Rounds sign * (m + sticky) * 2^e (m > 0) into format f, raising OF/UF/NX as needed. */
export function roundPack(sign: number, m: bigint, e: number, sticky: boolean, f: Format, rm: number): bigint {
  const E = e + bitLength(m) - 1; // exponent of the leading bit
  let q = Math.max(E, f.emin) - f.p + 1; // exponent of the last kept bit
  let { M, inexact } = roundShift(m, q - e, sticky, sign, rm);
  if (M >> BigInt(f.p) !== 0n) { M >>= 1n; q += 1; }
  let tiny = false;
  if (E < f.emin - 1) tiny = true;
  else if (E === f.emin - 1) {
    // Tininess after rounding: round as if the exponent range were unbounded.
    const unbounded = roundShift(m, E - f.p + 1 - e, sticky, sign, rm);
    tiny = unbounded.M >> BigInt(f.p) === 0n;
  }
  if (inexact) fpFlags.value |= tiny ? NX | UF : NX;
  const normal = M >> BigInt(f.p - 1) !== 0n;
  if (normal && q + f.p - 1 > f.emax) {
    fpFlags.value |= OF | NX;
    const toInf = rm === RNE || rm === RMM || (rm === RUP && sign === 0) || (rm === RDN && sign === 1);
    return toInf ? packInf(sign, f) : packMax(sign, f);
  }
  if (!normal) return signBit(sign, f) | M;
  const biased = BigInt(q + f.p - 1 + f.bias);
  return signBit(sign, f) | (biased << BigInt(f.fracBits)) | (M - (1n << BigInt(f.p - 1)));
}

const isNaN = (u: Unpacked): boolean => u.cls >= QNAN;
function nanResult(f: Format, ...ops: Unpacked[]): bigint {
  if (ops.some((u) => u.cls === SNAN)) fpFlags.value |= NV;
  return f.canonicalNaN;
}
function invalid(f: Format): bigint {
  fpFlags.value |= NV;
  return f.canonicalNaN;
}

/** Exact sum of two finite-or-zero values, rounded. Zero sums follow IEEE 754 6.3. */
function addFinite(a: Unpacked, b: Unpacked, f: Format, rm: number): bigint {
  if (a.cls === ZERO && b.cls === ZERO) return packZero(a.sign === b.sign ? a.sign : rm === RDN ? 1 : 0, f);
  if (a.cls === ZERO) return roundPack(b.sign, b.m, b.e, false, f, rm);
  if (b.cls === ZERO) return roundPack(a.sign, a.m, a.e, false, f, rm);
  const e = Math.min(a.e, b.e);
  const ma = (a.m << BigInt(a.e - e)) * (a.sign ? -1n : 1n);
  const mb = (b.m << BigInt(b.e - e)) * (b.sign ? -1n : 1n);
  const s = ma + mb;
  if (s === 0n) return packZero(rm === RDN ? 1 : 0, f);
  return s < 0n ? roundPack(1, -s, e, false, f, rm) : roundPack(0, s, e, false, f, rm);
}

export function add(a: Unpacked, b: Unpacked, f: Format, rm: number): bigint {
  if (isNaN(a) || isNaN(b)) return nanResult(f, a, b);
  if (a.cls === INF || b.cls === INF) {
    if (a.cls === INF && b.cls === INF && a.sign !== b.sign) return invalid(f);
    return packInf(a.cls === INF ? a.sign : b.sign, f);
  }
  return addFinite(a, b, f, rm);
}

export const negate = (u: Unpacked): Unpacked => ({ ...u, sign: u.sign ^ 1 });

export function mul(a: Unpacked, b: Unpacked, f: Format, rm: number): bigint {
  if (isNaN(a) || isNaN(b)) return nanResult(f, a, b);
  const sign = a.sign ^ b.sign;
  if (a.cls === INF || b.cls === INF) {
    if (a.cls === ZERO || b.cls === ZERO) return invalid(f);
    return packInf(sign, f);
  }
  if (a.cls === ZERO || b.cls === ZERO) return packZero(sign, f);
  return roundPack(sign, a.m * b.m, a.e + b.e, false, f, rm);
}

export function div(a: Unpacked, b: Unpacked, f: Format, rm: number): bigint {
  if (isNaN(a) || isNaN(b)) return nanResult(f, a, b);
  const sign = a.sign ^ b.sign;
  if (a.cls === INF) return b.cls === INF ? invalid(f) : packInf(sign, f);
  if (b.cls === INF) return packZero(sign, f);
  if (b.cls === ZERO) {
    if (a.cls === ZERO) return invalid(f);
    fpFlags.value |= DZ;
    return packInf(sign, f);
  }
  if (a.cls === ZERO) return packZero(sign, f);
  const k = Math.max(0, f.p + 3 + bitLength(b.m) - bitLength(a.m));
  const n = a.m << BigInt(k);
  const q = n / b.m;
  return roundPack(sign, q, a.e - b.e - k, q * b.m !== n, f, rm);
}

export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(a: Unpacked, f: Format, rm: number): bigint {
  if (isNaN(a)) return nanResult(f, a);
  if (a.cls === ZERO) return packZero(a.sign, f);
  if (a.sign === 1) return invalid(f);
  if (a.cls === INF) return packInf(0, f);
  let k = Math.max(0, 2 * (f.p + 3) - bitLength(a.m));
  if ((a.e - k) % 2 !== 0) k++;
  const n = a.m << BigInt(k);
  const r = isqrt(n);
  return roundPack(0, r, (a.e - k) / 2, r * r !== n, f, rm);
}

/** (a*b) + c rounded once; the caller applies the fmsub/fnmadd negations to the operands. */
export function fma(a: Unpacked, b: Unpacked, c: Unpacked, f: Format, rm: number): bigint {
  // Spec 11.6: inf * 0 raises NV even when the addend is a quiet NaN.
  if ((a.cls === INF && b.cls === ZERO) || (a.cls === ZERO && b.cls === INF)) {
    fpFlags.value |= NV;
    return f.canonicalNaN;
  }
  if (isNaN(a) || isNaN(b) || isNaN(c)) return nanResult(f, a, b, c);
  const ps = a.sign ^ b.sign;
  if (a.cls === INF || b.cls === INF) {
    if (c.cls === INF && c.sign !== ps) return invalid(f);
    return packInf(ps, f);
  }
  if (c.cls === INF) return packInf(c.sign, f);
  const product: Unpacked = a.cls === ZERO || b.cls === ZERO
    ? { cls: ZERO, sign: ps, m: 0n, e: 0 }
    : { cls: FINITE, sign: ps, m: a.m * b.m, e: a.e + b.e };
  return addFinite(product, c, f, rm);
}

/** Integer ranges of the fcvt-to-integer targets. */
export interface IntTarget { min: bigint; max: bigint }
export const W: IntTarget = { min: -(1n << 31n), max: (1n << 31n) - 1n };
export const WU: IntTarget = { min: 0n, max: (1n << 32n) - 1n };
export const L: IntTarget = { min: -(1n << 63n), max: (1n << 63n) - 1n };
export const LU: IntTarget = { min: 0n, max: (1n << 64n) - 1n };

/** fcvt.{w,wu,l,lu}: round to integer, saturating with NV on NaN/overflow (spec table 11.4). */
export function toInt(a: Unpacked, t: IntTarget, rm: number): bigint {
  if (isNaN(a)) { fpFlags.value |= NV; return t.max; }
  if (a.cls === INF) { fpFlags.value |= NV; return a.sign ? t.min : t.max; }
  if (a.cls === ZERO) return 0n;
  const { M, inexact } = roundShift(a.m, -a.e, false, a.sign, rm);
  const v = a.sign ? -M : M;
  if (v < t.min || v > t.max) { fpFlags.value |= NV; return a.sign ? t.min : t.max; }
  if (inexact) fpFlags.value |= NX;
  return v;
}

export function fromInt(v: bigint, f: Format, rm: number): bigint {
  if (v === 0n) return packZero(0, f);
  return v < 0n ? roundPack(1, -v, 0, false, f, rm) : roundPack(0, v, 0, false, f, rm);
}

/** Converts between formats (fcvt.s.d / fcvt.d.s). */
export function convert(a: Unpacked, to: Format, rm: number): bigint {
  if (isNaN(a)) return nanResult(to, a);
  if (a.cls === ZERO) return packZero(a.sign, to);
  if (a.cls === INF) return packInf(a.sign, to);
  return roundPack(a.sign, a.m, a.e, false, to, rm);
}
