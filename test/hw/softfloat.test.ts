// Spot checks of the exact FP core on cases that are easy to get wrong; the
// differential property (conformance.test.ts) covers the rest against qemu.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as sf from '../../src/hw/softfloat.ts';

const d = (x: number): bigint => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x, true);
  return v.getBigUint64(0, true);
};
const num = (b: bigint): number => {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, b, true);
  return v.getFloat64(0, true);
};
const U = (x: number): sf.Unpacked => sf.unpack(d(x), sf.F64);
const flags = (f: () => bigint): [bigint, number] => {
  sf.fpFlags.value = 0;
  const r = f();
  return [r, sf.fpFlags.value];
};

describe('softfloat', () => {
  it('agrees with host double arithmetic under round-to-nearest-even', () => {
    fc.assert(fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), (a, b) => {
      expect(num(sf.add(U(a), U(b), sf.F64, sf.RNE))).toBe(a + b);
      expect(num(sf.mul(U(a), U(b), sf.F64, sf.RNE))).toBe(a * b);
      expect(num(sf.div(U(a), U(b), sf.F64, sf.RNE))).toBe(a / b);
      if (a >= 0) expect(num(sf.sqrt(U(a), sf.F64, sf.RNE))).toBe(Math.sqrt(a));
    }), { numRuns: 2000 });
  });

  it('rounds 1 + 2^-60 by each rounding mode and flags it inexact', () => {
    const tiny = U(2 ** -60);
    expect(flags(() => sf.add(U(1), tiny, sf.F64, sf.RUP))).toEqual([d(1 + 2 ** -52), sf.NX]);
    expect(num(sf.add(U(1), tiny, sf.F64, sf.RDN))).toBe(1);
    expect(num(sf.add(U(-1), U(-(2 ** -60)), sf.F64, sf.RDN))).toBe(-1 - 2 ** -52);
    expect(num(sf.add(U(1), U(2 ** -53), sf.F64, sf.RMM))).toBe(1 + 2 ** -52);
    expect(num(sf.add(U(1), U(2 ** -53), sf.F64, sf.RNE))).toBe(1);
  });

  it('gives -0 for an exact zero sum only when rounding down', () => {
    expect(sf.add(U(1), U(-1), sf.F64, sf.RNE)).toBe(0n);
    expect(sf.add(U(1), U(-1), sf.F64, sf.RDN)).toBe(1n << 63n);
  });

  it('raises invalid for inf*0 in fma even with a quiet NaN addend', () => {
    expect(flags(() => sf.fma(U(Infinity), U(0), U(NaN), sf.F64, sf.RNE))).toEqual([sf.F64.canonicalNaN, sf.NV]);
  });

  it('saturates conversions to integers', () => {
    expect(flags(() => sf.toInt(U(NaN), sf.W, sf.RTZ))).toEqual([sf.W.max, sf.NV]);
    expect(flags(() => sf.toInt(U(-1), sf.WU, sf.RTZ))).toEqual([0n, sf.NV]);
    expect(flags(() => sf.toInt(U(-0.5), sf.WU, sf.RTZ))).toEqual([0n, sf.NX]);
    expect(flags(() => sf.toInt(U(2 ** 63), sf.L, sf.RTZ))).toEqual([sf.L.max, sf.NV]);
    expect(flags(() => sf.toInt(U(2.5), sf.L, sf.RNE))).toEqual([2n, sf.NX]);
  });

  it('detects tininess after rounding', () => {
    // just below the smallest normal, but rounding with unbounded exponent reaches it: inexact, not tiny
    expect(flags(() => sf.roundPack(0, (1n << 54n) - 1n, -1076, false, sf.F64, sf.RNE))).toEqual([0x0010000000000000n, sf.NX]);
    // exactly half-way below it: still tiny after rounding to 53 bits, so underflow is raised
    expect(flags(() => sf.roundPack(0, (1n << 53n) - 1n, -1075, false, sf.F64, sf.RNE))).toEqual([0x0010000000000000n, sf.NX | sf.UF]);
    expect(flags(() => sf.mul(U(2 ** -1022), U(1 / 3), sf.F64, sf.RNE))[1]).toBe(sf.NX | sf.UF);
    expect(flags(() => sf.mul(U(2 ** -1022), U(0.75), sf.F64, sf.RNE))[1]).toBe(0); // exact subnormal: no flag
  });
});
