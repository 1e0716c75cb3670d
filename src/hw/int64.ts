// 64-bit integer arithmetic on (lo, hi) Int32 halves, for the operations that
// do not fit a couple of 32-bit JS operations: multiplication and division.
// Results come back as the low half, with the high half left in `result.hi`
// (avoids allocating a pair per instruction).

export const result = { hi: 0 };

const TWO32 = 4294967296;

/** Unsigned 32x32 -> 64 product of a and b (any int32, read as unsigned); returns lo, hi in result.hi. */
function mulu32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33
  const low = a0 * b0 + (mid % 65536) * 65536; // < 2^33
  result.hi = (a1 * b1 + Math.floor(mid / 65536) + Math.floor(low / TWO32)) | 0;
  return low | 0;
}

/** Low 64 bits of a * b. */
export function mul64(alo: number, ahi: number, blo: number, bhi: number): number {
  const lo = mulu32(alo, blo);
  result.hi = (result.hi + Math.imul(ahi, blo) + Math.imul(alo, bhi)) | 0;
  return lo;
}

export function toBigSigned(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

export function toBigUnsigned(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Returns the low half of v mod 2^64, the high half in result.hi. */
export function fromBig(v: bigint): number {
  result.hi = Number(BigInt.asIntN(32, v >> 32n));
  return Number(BigInt.asIntN(32, v));
}

/** High 64 bits of the 128-bit product; signedness of each operand chosen by the flags. */
export function mulh64(alo: number, ahi: number, aSigned: boolean, blo: number, bhi: number, bSigned: boolean): number {
  const a = aSigned ? toBigSigned(alo, ahi) : toBigUnsigned(alo, ahi);
  const b = bSigned ? toBigSigned(blo, bhi) : toBigUnsigned(blo, bhi);
  return fromBig((a * b) >> 64n);
}

/** True when (lo, hi) is a sign-extended 32-bit value. */
const isInt32 = (lo: number, hi: number): boolean => hi === lo >> 31;

/**
 * Signed division/remainder (spec 7.2): x/0 = -1 and x%0 = x; the overflow
 * case -2^63 / -1 gives -2^63 with remainder 0.
 */
export function divrem64(alo: number, ahi: number, blo: number, bhi: number, wantRem: boolean): number {
  if (blo === 0 && bhi === 0) {
    if (wantRem) { result.hi = ahi; return alo; }
    result.hi = -1; return -1;
  }
  if (isInt32(alo, ahi) && isInt32(blo, bhi)) {
    // Both fit in int32: double division is exact after truncation.
    const v = wantRem ? alo % blo : Math.trunc(alo / blo);
    return fromNumber(v === 0 ? 0 : v);
  }
  const a = toBigSigned(alo, ahi), b = toBigSigned(blo, bhi);
  if (b === -1n && a === -(1n << 63n)) { if (wantRem) { result.hi = 0; return 0; } result.hi = ahi; return alo; }
  return fromBig(wantRem ? a % b : a / b);
}

/** Unsigned division/remainder: x/0 = 2^64-1, x%0 = x. */
export function divremu64(alo: number, ahi: number, blo: number, bhi: number, wantRem: boolean): number {
  if (blo === 0 && bhi === 0) {
    if (wantRem) { result.hi = ahi; return alo; }
    result.hi = -1; return -1;
  }
  if (ahi === 0 && bhi === 0) {
    const a = alo >>> 0, b = blo >>> 0;
    return fromNumber(wantRem ? a % b : Math.floor(a / b));
  }
  const a = toBigUnsigned(alo, ahi), b = toBigUnsigned(blo, bhi);
  return fromBig(wantRem ? a % b : a / b);
}

/** Splits an integer-valued number (|v| < 2^53) into halves; hi in result.hi. */
export function fromNumber(v: number): number {
  result.hi = Math.floor(v / TWO32) | 0;
  return v | 0;
}

/** 32-bit signed division result as a sign-extended 64-bit value (DIVW/REMW, spec 7.2). */
export function divw(a: number, b: number, wantRem: boolean): number {
  if (b === 0) return wantRem ? a : -1;
  if (a === -2147483648 && b === -1) return wantRem ? 0 : a;
  return wantRem ? (a % b) | 0 : (a / b) | 0;
}

export function divuw(a: number, b: number, wantRem: boolean): number {
  const ua = a >>> 0, ub = b >>> 0;
  if (ub === 0) return wantRem ? a : -1;
  return wantRem ? (ua % ub) | 0 : Math.floor(ua / ub) | 0;
}
