// fast-check arbitraries for random RV64GC instruction sequences and initial
// machine states, for the differential conformance property. Generated code
// never writes x2 or x31 (the data-region bases, see program.ts), keeps every
// memory access inside the data region, and only jumps forward within itself.

import fc from 'fast-check';
import { B, byteLength, c, I, J, R, R4, S, addi, auipc, jalr, type Inst, lui } from './asm.ts';
import { BASE_REG, REGION_SIZE, type MachineState } from './program.ts';

const DEST = [1, ...Array.from({ length: 28 }, (_, k) => k + 3)]; // x1, x3..x30
const rd = fc.constantFrom(...DEST);
const rs = fc.integer({ min: 0, max: 31 });
const fr = fc.integer({ min: 0, max: 31 });
const cReg = fc.integer({ min: 8, max: 15 }); // x8..x15 (rd'/rs1'/rs2')
const imm12 = fc.oneof(fc.integer({ min: -2048, max: 2047 }), fc.constantFrom(0, 1, -1, 2047, -2048, 31, 32, 63));
const rm = fc.constantFrom(0, 1, 2, 3, 4, 7);

const one = (a: fc.Arbitrary<Inst>): fc.Arbitrary<Inst[]> => a.map((i) => [i]);

// ---- integer -------------------------------------------------------------------------------

const OP_FORMS: [number, number][] = [
  [0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [6, 0], [7, 0], [0, 0x20], [5, 0x20],
  [0, 1], [1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 1], [7, 1],
];
const OP32_FORMS: [number, number][] = [[0, 0], [0, 0x20], [1, 0], [5, 0], [5, 0x20], [0, 1], [4, 1], [5, 1], [6, 1], [7, 1]];

const intReg = fc.oneof(
  fc.tuple(fc.constantFrom(...OP_FORMS), rd, rs, rs).map(([[f3, f7], d, a, b]) => R(0x33, f3, f7, d, a, b)),
  fc.tuple(fc.constantFrom(...OP32_FORMS), rd, rs, rs).map(([[f3, f7], d, a, b]) => R(0x3b, f3, f7, d, a, b)),
);
const intImm = fc.oneof(
  fc.tuple(fc.constantFrom(0, 2, 3, 4, 6, 7), rd, rs, imm12).map(([f3, d, a, i]) => I(0x13, f3, d, a, i)),
  fc.tuple(fc.constantFrom(0x000, 0x000, 0x400), fc.constantFrom(1, 5), rd, rs, fc.integer({ min: 0, max: 63 }))
    .map(([hi, f3, d, a, sh]) => I(0x13, f3, d, a, (f3 === 1 ? 0 : hi) | sh)),
  fc.tuple(rd, rs, imm12).map(([d, a, i]) => I(0x1b, 0, d, a, i)),
  fc.tuple(fc.constantFrom(0x000, 0x400), fc.constantFrom(1, 5), rd, rs, fc.integer({ min: 0, max: 31 }))
    .map(([hi, f3, d, a, sh]) => I(0x1b, f3, d, a, (f3 === 1 ? 0 : hi) | sh)),
  fc.tuple(rd, fc.integer({ min: 0, max: 0xfffff })).map(([d, i]) => lui(d, i)),
  fc.tuple(rd, fc.integer({ min: 0, max: 0xfffff })).map(([d, i]) => auipc(d, i)),
);

/** Offsets inside the data region for an access of `size` bytes (misaligned allowed). */
const memOff = (size: number): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min: 0, max: REGION_SIZE - size }), fc.integer({ min: 0, max: REGION_SIZE / size - 1 }).map((k) => k * size));
const loadStore = fc.oneof(
  fc.tuple(fc.constantFrom(0, 1, 2, 3, 4, 5, 6), rd).chain(([f3, d]) => memOff(1 << (f3 & 3)).map((o) => I(0x03, f3, d, BASE_REG, o))),
  fc.tuple(fc.constantFrom(0, 1, 2, 3), rs).chain(([f3, s]) => memOff(1 << f3).map((o) => S(0x23, f3, BASE_REG, s, o))),
  fc.tuple(fc.constantFrom(2, 3), fr).chain(([f3, d]) => memOff(1 << f3).map((o) => I(0x07, f3, d, BASE_REG, o))),
  fc.tuple(fc.constantFrom(2, 3), fr).chain(([f3, s]) => memOff(1 << f3).map((o) => S(0x27, f3, BASE_REG, s, o))),
);

// ---- compressed ----------------------------------------------------------------------------

const imm6 = fc.integer({ min: -32, max: 31 });
const nz6 = imm6.filter((v) => v !== 0);
const compressedAlu = fc.oneof(
  fc.tuple(rd, imm6).map(([d, i]) => c.addi(d, i)),
  fc.tuple(rd, imm6).map(([d, i]) => c.addiw(d, i)),
  fc.tuple(rd, imm6).map(([d, i]) => c.li(d, i)),
  fc.tuple(rd.filter((r) => r !== 2), nz6).map(([d, i]) => c.lui(d, i)),
  fc.tuple(cReg, fc.integer({ min: 1, max: 255 })).map(([d, k]) => c.addi4spn(d, k * 4)),
  fc.tuple(cReg, fc.integer({ min: 1, max: 63 })).map(([d, s]) => c.srli(d, s)),
  fc.tuple(cReg, fc.integer({ min: 1, max: 63 })).map(([d, s]) => c.srai(d, s)),
  fc.tuple(cReg, imm6).map(([d, i]) => c.andi(d, i)),
  fc.tuple(fc.integer({ min: 0, max: 5 }), cReg, cReg).map(([k, d, s]) => c.alu(k, d, s)),
  fc.tuple(rd, fc.integer({ min: 1, max: 63 })).map(([d, s]) => c.slli(d, s)),
  fc.tuple(rd, fc.integer({ min: 1, max: 31 })).map(([d, s]) => c.mv(d, s)),
  fc.tuple(rd, fc.integer({ min: 1, max: 31 })).map(([d, s]) => c.add(d, s)),
).map((i) => [i]);
const compressedMem: fc.Arbitrary<Inst[]> = fc.oneof(
  fc.tuple(rd, fc.integer({ min: 0, max: 63 })).map(([d, k]) => [c.lwsp(d, k * 4)]),
  fc.tuple(rd, fc.integer({ min: 0, max: 63 })).map(([d, k]) => [c.ldsp(d, k * 8)]),
  fc.tuple(fr, fc.integer({ min: 0, max: 63 })).map(([d, k]) => [c.fldsp(d, k * 8)]),
  fc.tuple(rs, fc.integer({ min: 0, max: 63 })).map(([s, k]) => [c.swsp(s, k * 4)]),
  fc.tuple(rs, fc.integer({ min: 0, max: 63 })).map(([s, k]) => [c.sdsp(s, k * 8)]),
  fc.tuple(fr, fc.integer({ min: 0, max: 63 })).map(([s, k]) => [c.fsdsp(s, k * 8)]),
  // register-based forms need a base in x8..x15: point it into the region first
  fc.tuple(cReg, fc.integer({ min: 0, max: 1024 }), fc.integer({ min: 0, max: 5 }), cReg, fc.integer({ min: 0, max: 31 }))
    .map(([b, o, form, r, k]) => {
      const base = addi(b, BASE_REG, o);
      switch (form) {
        case 0: return [base, c.lw(r, b, k * 4)];
        case 1: return [base, c.ld(r, b, k * 8)];
        case 2: return [base, c.fld(r, b, k * 8)];
        case 3: return [base, c.sw(r, b, k * 4)];
        case 4: return [base, c.sd(r, b, k * 8)];
        default: return [base, c.fsd(r, b, k * 8)];
      }
    }),
);

// ---- atomics -------------------------------------------------------------------------------

const AMO_F5 = [0b00001, 0b00000, 0b00100, 0b01100, 0b01000, 0b10000, 0b10100, 0b11000, 0b11100];
const amo = (f5: number, wide: boolean, d: number, addrReg: number, src: number): Inst =>
  R(0x2f, wide ? 3 : 2, f5 << 2, d, addrReg, src);
const atomics: fc.Arbitrary<Inst[]> = fc.oneof(
  fc.tuple(fc.constantFrom(...AMO_F5), fc.boolean(), rd, rd, rs, fc.integer({ min: 0, max: REGION_SIZE / 8 - 1 }))
    .map(([f5, wide, d, a, s, k]) => [addi(a, BASE_REG, k * 8), amo(f5, wide, d, a, s)]),
  fc.tuple(fc.boolean(), rd, rd, rd, rs, fc.integer({ min: 0, max: REGION_SIZE / 8 - 1 }), fc.array(intReg, { maxLength: 3 }))
    .map(([wide, a, d1, d2, s, k, mid]) => {
      // an LR/SC pair with only register operations between (SC succeeds)
      const between = mid.filter((i) => ((i.bits >>> 7) & 31) !== a);
      return [addi(a, BASE_REG, k * 8), amo(0b00010, wide, d1 === a ? 1 : d1, a, 0), ...between, amo(0b00011, wide, d2, a, s)];
    }),
);

// ---- floating point ------------------------------------------------------------------------

const fmt = fc.constantFrom(0, 1);
const fpArith = fc.oneof(
  fc.tuple(fc.constantFrom(0x00, 0x04, 0x08, 0x0c), fmt, rm, fr, fr, fr).map(([f, t, m, d, a, b]) => R(0x53, m, f | t, d, a, b)),
  fc.tuple(fmt, rm, fr, fr).map(([t, m, d, a]) => R(0x53, m, 0x2c | t, d, a, 0)),
  fc.tuple(fc.constantFrom(0x43, 0x47, 0x4b, 0x4f), fmt, rm, fr, fr, fr, fr).map(([o, t, m, d, a, b, c3]) => R4(o, t, m, d, a, b, c3)),
  fc.tuple(fmt, fc.integer({ min: 0, max: 2 }), fr, fr, fr).map(([t, k, d, a, b]) => R(0x53, k, 0x10 | t, d, a, b)),
  fc.tuple(fmt, fc.integer({ min: 0, max: 1 }), fr, fr, fr).map(([t, k, d, a, b]) => R(0x53, k, 0x14 | t, d, a, b)),
  fc.tuple(rm, fr, fr).map(([m, d, a]) => R(0x53, m, 0x20, d, a, 1)), // fcvt.s.d
  fc.tuple(rm, fr, fr).map(([m, d, a]) => R(0x53, m, 0x21, d, a, 0)), // fcvt.d.s
);
const fpInt = fc.oneof(
  // Compares: half the time both operands are one register, so equal values (where FLE and FLT differ) are common.
  fc.tuple(fmt, fc.integer({ min: 0, max: 2 }), rd, fc.oneof(fc.tuple(fr, fr), fr.map((r) => [r, r] as [number, number])))
    .map(([t, k, d, [a, b]]) => R(0x53, k, 0x50 | t, d, a, b)),
  fc.tuple(fmt, rm, fc.integer({ min: 0, max: 3 }), rd, fr).map(([t, m, k, d, a]) => R(0x53, m, 0x60 | t, d, a, k)),
  fc.tuple(fmt, rm, fc.integer({ min: 0, max: 3 }), fr, rs).map(([t, m, k, d, a]) => R(0x53, m, 0x68 | t, d, a, k)),
  fc.tuple(fmt, fc.integer({ min: 0, max: 1 }), rd, fr).map(([t, k, d, a]) => R(0x53, k, 0x70 | t, d, a, 0)),
  fc.tuple(fmt, fr, rs).map(([t, d, a]) => R(0x53, 0, 0x78 | t, d, a, 0)),
);
const CSR_FFLAGS = 1, CSR_FRM = 2, CSR_FCSR = 3;
const csrOps: fc.Arbitrary<Inst[]> = fc.oneof(
  fc.tuple(fc.constantFrom(1, 2, 3), rd, rs).map(([f3, d, s]) => I(0x73, f3, d, s, CSR_FFLAGS)),
  fc.tuple(fc.constantFrom(5, 6, 7), rd, fc.integer({ min: 0, max: 31 })).map(([f3, d, u]) => I(0x73, f3, d, u, CSR_FFLAGS)),
  fc.tuple(rd, fc.integer({ min: 0, max: 4 })).map(([d, u]) => I(0x73, 5, d, u, CSR_FRM)),
  fc.tuple(rd, fc.integer({ min: 0, max: 7 })).map(([d, u]) => I(0x73, 7, d, u, CSR_FRM)),
  fc.tuple(fc.constantFrom(2, 2, 5, 7), rd, fc.integer({ min: 0, max: 31 })).map(([f3, d, u]) => I(0x73, f3, d, f3 === 2 ? 0 : u, CSR_FCSR)),
  rd.map((d) => I(0x73, 2, d, 0, CSR_FRM)),
).map((i) => [i]);

// ---- control flow (forward only) -------------------------------------------------------------

const straight: fc.Arbitrary<Inst[]> = fc.oneof(one(intReg), one(intImm), one(loadStore), compressedAlu, one(fpArith), one(fpInt));
const body = fc.array(straight, { maxLength: 3 }).map((l) => l.flat());
const control: fc.Arbitrary<Inst[]> = fc.oneof(
  fc.tuple(fc.constantFrom(0, 1, 4, 5, 6, 7), rs, rs, body).map(([f3, a, b2, skip]) => [B(f3, a, b2, 4 + byteLength(skip)), ...skip]),
  fc.tuple(rd, body).map(([d, skip]) => [J(d, 4 + byteLength(skip)), ...skip]),
  fc.tuple(rd, rd, body).map(([t, d, skip]) => [auipc(t, 0), jalr(d, t, 8 + byteLength(skip)), ...skip]),
  fc.tuple(cReg, fc.boolean(), body).map(([r, z, skip]) => [z ? c.beqz(r, 2 + byteLength(skip)) : c.bnez(r, 2 + byteLength(skip)), ...skip]),
  body.map((skip) => [c.j(2 + byteLength(skip)), ...skip]),
  fc.tuple(rd, fc.boolean(), body).map(([t, link, skip]) => {
    const target = 4 + 4 + 2 + byteLength(skip);
    return [auipc(t, 0), addi(t, t, target), link ? c.jalr(t) : c.jr(t), ...skip];
  }),
);

export const instructionGroup: fc.Arbitrary<Inst[]> = fc.oneof(
  { arbitrary: one(intReg), weight: 4 },
  { arbitrary: one(intImm), weight: 3 },
  { arbitrary: one(loadStore), weight: 3 },
  { arbitrary: compressedAlu, weight: 3 },
  { arbitrary: compressedMem, weight: 2 },
  { arbitrary: atomics, weight: 2 },
  { arbitrary: one(fpArith), weight: 5 },
  { arbitrary: one(fpInt), weight: 3 },
  { arbitrary: csrOps, weight: 1 },
  { arbitrary: control, weight: 2 },
);

export const fpGroup: fc.Arbitrary<Inst[]> = fc.oneof(
  { arbitrary: one(fpArith), weight: 4 },
  { arbitrary: one(fpInt), weight: 2 },
  { arbitrary: csrOps, weight: 1 },
);

export const sequence = (group: fc.Arbitrary<Inst[]>, maxLength = 30): fc.Arbitrary<Inst[]> =>
  fc.array(group, { minLength: 1, maxLength }).map((l) => l.flat());

// ---- initial state ---------------------------------------------------------------------------

const xValue = fc.oneof(
  fc.constantFrom(0n, 1n, -1n, 2n, 0x7fffffffn, 0x80000000n, -0x80000000n, 0xffffffffn, 1n << 63n, (1n << 63n) - 1n, 1n << 32n, -2n),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.integer({ min: -100, max: 100 }).map(BigInt),
);

const DOUBLES = [
  0n, 1n << 63n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n, 0x7ff0000000000001n, 0xfff8000000000001n,
  1n, 0x000fffffffffffffn, 0x0010000000000000n, 0x7fefffffffffffffn, 0x3ff0000000000000n, 0xbff0000000000000n,
  0x4000000000000000n, 0x3fe0000000000000n, 0x43e0000000000000n, 0x41e0000000000000n, 0xc3e0000000000000n, 0x3ff8000000000000n,
  0x8000000000000001n, 0x4330000000000000n, 0x41efffffffe00000n,
];
const SINGLES = [
  0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffc00001, 1, 0x007fffff, 0x00800000, 0x7f7fffff,
  0x3f800000, 0xbf800000, 0x40000000, 0x3f000000, 0x4f000000, 0xcf000000, 0x3fc00000, 0x5f000000, 0x80000001, 0x4b000000,
];
const boxed = (s: number): bigint => 0xffffffff00000000n | BigInt(s >>> 0);
const fValue = fc.oneof(
  fc.constantFrom(...DOUBLES),
  fc.constantFrom(...SINGLES).map(boxed),
  fc.integer().map((s) => boxed(s)),
  fc.double().map((d) => {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, d, true);
    return b.getBigUint64(0, true);
  }),
  fc.float().map((f) => {
    const b = new DataView(new ArrayBuffer(4));
    b.setFloat32(0, f, true);
    return boxed(b.getUint32(0, true));
  }),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), // mostly not NaN-boxed as a single
);

export const machineState: fc.Arbitrary<MachineState> = fc.record({
  x: fc.array(xValue, { minLength: 32, maxLength: 32 }),
  f: fc.array(fValue, { minLength: 32, maxLength: 32 }),
  fcsr: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 31 })).map(([m, fl]) => (m << 5) | fl),
  memorySeed: fc.integer(),
});

// ---- shapes for the translated-block engine -----------------------------------------------------

/** The loop counter lives in the output area below the data region (x31 - 0x100), out of generated code's reach. */
const COUNTER = -0x100;

/**
 * `body` run `rounds` times in a loop (so blocks are entered again, loop on
 * themselves and are re-translated after code changes), starting `startAt`
 * bytes into the code page's last part: with startAt a little under the page
 * size the body's instructions straddle the page boundary.
 */
export function looped(body: Inst[], rounds: number, padBytes: number): Inst[] {
  const pad: Inst[] = [];
  for (let b = 0; b + 4 <= padBytes; b += 4) pad.push(addi(0, 0, 0));
  if (padBytes % 4 === 2) pad.push(c.addi(0, 0));
  const tail = [I(0x03, 3, 1, BASE_REG, COUNTER), addi(1, 1, -1), S(0x23, 3, BASE_REG, 1, COUNTER)];
  return [
    ...pad,
    addi(1, 0, rounds), S(0x23, 3, BASE_REG, 1, COUNTER),
    ...body, ...tail, B(1, 1, 0, -(byteLength(body) + byteLength(tail))),
  ];
}

/** A loop body, a page offset to start it at, and a round count. */
export const loopedProgram = (bodyOffset: number): fc.Arbitrary<Inst[]> =>
  fc.tuple(sequence(instructionGroup, 12), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }))
    .map(([body, k, rounds]) => looped(body, rounds, 4096 - 2 * k - bodyOffset - 8));

/** Integer instructions that leave x28..x30 alone (the self-modifying loop's registers). */
const patchable = fc.oneof(intReg, intImm).filter((i) => i.len === 4 && ![28, 29, 30].includes((i.bits >>> 7) & 31));

/**
 * Code that rewrites one of its own instructions each round, then fence.i:
 *
 *   addi x30, x0, rounds
 *   top: auipc x29, 0; <first>; lui/addi x28 = <second>; sw x28, 4(x29); fence.i
 *        <after...>; addi x30, x30, -1; bne x30, x0, top
 *
 * The first round executes `first`, later rounds `second`.
 */
export const selfModifying: fc.Arbitrary<Inst[]> = fc
  .tuple(patchable, patchable, fc.array(patchable, { maxLength: 6 }), fc.integer({ min: 2, max: 3 }))
  .map(([first, second, after, rounds]) => {
    const word = second.bits | 0;
    const hi20 = ((word + 0x800) >>> 12) & 0xfffff;
    const lo12 = (word << 20) >> 20;
    const loop = [
      auipc(29, 0), first, lui(28, hi20), addi(28, 28, lo12), S(0x23, 2, 29, 28, 4), I(0x0f, 1, 0, 0, 0),
      ...after, addi(30, 30, -1),
    ];
    return [addi(30, 0, rounds), ...loop, B(1, 30, 0, -byteLength(loop))];
  });
