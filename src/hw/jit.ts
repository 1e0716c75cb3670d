// Block translation: straight-line guest code, once hot, becomes one
// JavaScript function (`new Function`) that does what the interpreter's
// switch in hart.ts would do for each instruction in turn.
//
// A block starts at a hot entry pc and runs on through not-taken
// conditional branches (a superblock with side exits) and direct jumps to
// the same page, until an indirect jump (jalr), a jump off the page, an
// ecall (the block's last instruction: see below), an instruction it does
// not translate, the end of the page or MAX_BLOCK instructions. A branch back to the block's own start loops inside the
// function while the instruction budget lasts.
//
// The contract with Hart.run, which makes the two engines indistinguishable:
// - The block works on the hart's registers (integer ones in locals, loaded
//   at entry and stored back at every exit; fbits in place) and on memory
//   through the same TLB arrays, so every exit leaves the state exactly as
//   the interpreter would at that pc.
// - It is only entered when all `len` instructions fit the remaining budget
//   (the dispatcher checks), and a self-loop re-checks before each round,
//   so the timer and budget stop at the same instruction.
// - It returns the next pc and leaves the instructions retired in
//   `h.blockRetired`. Anything unusual (a load or store that faults, an
//   operation the block leaves to the interpreter) is a *bail*: the block
//   returns that instruction's pc without having executed it and sets
//   `h.blockBailed`, and the interpreter executes it, fault and all.
// - A block may end in an ecall: it retires it (counted in blockRetired, as
//   the interpreter counts an ecall), returns its pc and sets
//   `h.blockEcall`, and Hart.run stops for the syscall at once, without
//   going round its loop to interpret the ecall.
// - A store that took the slow path may have dropped decoded code (its page
//   was code, or COW broke): if `h.codeEpoch` moved, the block returns right
//   after the store, as the interpreter re-fetches.
//
// Blocks hang off the hart's DecodedPage, so they are dropped exactly when
// the decoded instructions are. The functions are shared between harts and
// runs through caches keyed by the decoded slots they came from and by their
// source text (the same binary in forked, re-executed or re-run processes
// translates to the same); those caches hold pure functions only and cannot
// change what a run does.

import type { FpRegs } from './fpu.ts';
import { divrem64, divremu64, divuw, divw, mul64, mulh64, result as i64 } from './int64.ts';

/** The instructions per block at most (longer straight-line code is several blocks). */
export const MAX_BLOCK = 96;
/** Longest block source kept (characters); longer ones are translated with half the instructions. */
const SOURCE_MAX = 24_000;

/** Head visits before a pc is translated (0: translate on first visit, as the tests do). */
export const DEFAULT_THRESHOLD = 24;

/**
 * Whether new harts translate by default: UNIXSIM_JIT=0 turns translation
 * off everywhere (the CLI's --no-jit does the same per run). Reading this
 * setting cannot change a run's results: both engines are exact.
 */
export const JIT_DEFAULT: boolean = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.UNIXSIM_JIT !== '0';

/** What the translator needs from the hart (kept narrow so jit.ts does not import hart.ts). */
export interface BlockHost {
  blockRetired: number;
  blockBailed: boolean;
  blockEcall: boolean;
  codeEpoch: number;
  loadLo: number;
  loadHi: number;
  readonly fp: FpRegs;
  loadSlow(lo: number, hi: number, size: number): boolean;
  storeSlow(lo: number, hi: number, size: number, vlo: number, vhi: number): boolean;
}

export type BlockFn = (
  h: BlockHost, xlo: Int32Array, xhi: Int32Array, fb: Int32Array,
  rT: Int32Array, rV: DataView[], wT: Int32Array, wV: DataView[], budget: number,
) => number;

export interface Block {
  /** instructions on the longest path through the block (one round of a self-loop) */
  readonly len: number;
  readonly fn: BlockFn;
}

const TWO32 = 4294967296;

// Helpers the generated code calls for multiply and divide (module-level so
// every block shares them).
const HELPERS = { mul64, mulh64, divrem64, divremu64, divuw, divw, i64 };
const HELPER_NAMES = Object.keys(HELPERS);
const HELPER_VALUES = Object.values(HELPERS);

const compiled = new Map<string, BlockFn>();
/**
 * Distinct sources kept at most before the cache starts over: bounds the host
 * memory a guest that keeps generating new code can make the cache hold
 * (blocks in use stay reachable from their decoded pages).
 */
const COMPILED_MAX = 4096;

/** False once the host refused to compile code (node --disallow-code-generation-from-strings): interpret only. */
let canCompile = true;

function compile(body: string): BlockFn | null {
  let fn = compiled.get(body);
  if (fn === undefined) {
    if (!canCompile) return null;
    if (compiled.size >= COMPILED_MAX) compiled.clear();
    let factory: (...helpers: unknown[]) => BlockFn;
    try {
      factory = new Function(...HELPER_NAMES, `"use strict"; return function block(h, xlo, xhi, fb, rT, rV, wT, wV, budget) {\n${body}\n};`) as typeof factory;
    } catch (e) {
      if (e instanceof SyntaxError) throw e; // a translator bug, not the host
      canCompile = false;
      return null;
    }
    fn = factory(...HELPER_VALUES);
    compiled.set(body, fn);
  }
  return fn;
}

let translatedCount = 0;

/** Blocks translated in this process so far (tests check that translation happened; the bench reports it). */
export function blocksTranslated(): number {
  return translatedCount;
}

/** A decoded slot, read from the page's slot array (layout in ops.ts). */
interface Slot {
  op: number; rd: number; rs1: number; rs2: number; imm: number; rs3: number; aux: number; len: number;
}

/**
 * Translates the code at `startPc`; `slotAt(pc)` returns the decoded slot of
 * the instruction at `pc`, or null where translation must stop (another
 * page, an instruction spanning into the next page). A direct jump (jal) to
 * elsewhere on the same page is followed, so calls stay inside one block.
 * Returns null when not even the first instruction is translatable.
 */
export function translate(startPc: number, slotAt: (pc: number) => Slot | null, maxInsts = MAX_BLOCK): Block | null {
  const insts: { pc: number; s: Slot; followed: boolean }[] = [];
  let pc = startPc;
  /** where execution continues after the last instruction taken, when it is not a jump out */
  let next: number | null = null;
  while (insts.length < maxInsts) {
    const s = slotAt(pc);
    if (s === null || !translatable(s.op)) break;
    if (s.op === 3) { // JAL: follow it unless it loops to the start or leaves the page
      const target = pc + s.imm;
      const follow = target !== startPc && insts.length + 1 < maxInsts && slotAt(target) !== null;
      insts.push({ pc, s, followed: follow });
      if (!follow) { next = null; break; }
      pc = next = target;
      continue;
    }
    insts.push({ pc, s, followed: false });
    if (s.op === 4 || s.op === 65) { next = null; break; } // JALR, ECALL
    pc = next = pc + s.len;
    // A branch back to the start closes a loop: what follows runs once per loop, not per
    // round, and would only make the hot function bigger (V8 optimizes small ones best).
    if (s.op >= 5 && s.op <= 10 && pc - s.len + s.imm === startPc) break;
  }
  if (insts.length === 0) return null;
  // The slots (and where the block starts) determine the function: the same code in
  // another run, process or thread reuses it without building its source again.
  const key = `${startPc}:${insts.map(({ s, followed }) => `${s.op},${s.rd},${s.rs1},${s.rs2},${s.imm},${s.rs3},${s.aux},${s.len}${followed ? 'f' : ''}`).join(';')}`;
  const known = blocks.get(key);
  if (known !== undefined) {
    translatedCount++;
    return known;
  }
  const len = insts.length;
  const code: string[] = [];
  insts.forEach(({ pc, s, followed }, k) => code.push(emit(s, pc, k, startPc, len, followed)));
  if (next !== null) code.push(exit(String(next), len));
  const loops = code.some((c) => c.includes('continue;'));
  const source = withLocalRegisters(code, loops);
  // V8 leaves very large functions unoptimized: a block that came out big is made shorter.
  if (source.length > SOURCE_MAX && len > 8) return translate(startPc, slotAt, len >> 1);
  const fn = compile(source);
  if (fn === null) return null;
  translatedCount++;
  if (blocks.size >= COMPILED_MAX) blocks.clear();
  const block = { len, fn };
  blocks.set(key, block);
  return block;
}

/** Blocks by the slots they were translated from (see translate). */
const blocks = new Map<string, Block>();

/**
 * Keeps the integer registers the block uses in locals (l5/h5 for x5's
 * halves), loaded at entry and stored back at exits (WRITEBACK marks them),
 * so V8 can hold them in machine registers across a self-loop. An exit
 * stores the registers written up to and including its instruction (a local
 * not yet assigned still holds the array's value, so storing it is harmless);
 * in a block that loops, every register the block writes. x0 reads as the
 * literal 0; the sink (32) is a local that is never stored.
 */
function withLocalRegisters(code: string[], loops: boolean): string {
  const used = new Set<number>();
  const written = new Set<number>();
  const writtenUpTo: number[][] = [];
  for (const c of code) {
    for (const m of c.matchAll(/x(lo|hi)\[(\d+)\]( = (?!=))?/g)) {
      const r = Number(m[2]);
      if (r === 0) continue;
      used.add(r);
      if (m[3] && r !== 32) written.add(r);
    }
    writtenUpTo.push([...written].sort((a, b) => a - b));
  }
  const all = [...written].sort((a, b) => a - b);
  const store = (regs: number[]): string => regs.map((r) => `xlo[${r}] = l${r}; xhi[${r}] = h${r};`).join(' ');
  const regs = [...used].sort((a, b) => a - b);
  const local = code
    .map((c, k) => c
      .replace(/x(lo|hi)\[(\d+)\]/g, (_, half: string, r: string) => (r === '0' ? '0' : `${half === 'lo' ? 'l' : 'h'}${r}`))
      .replaceAll(WRITEBACK, store(loops ? all : writtenUpTo[k])))
    .join('\n');
  const decl = regs.length ? `let ${regs.map((r) => `l${r} = ${r === 32 ? 0 : `xlo[${r}]`}, h${r} = ${r === 32 ? 0 : `xhi[${r}]`}`).join(', ')};` : '';
  // XLO/XHI: the register arrays under names the localising above leaves alone (the FP unit's view)
  return `${decl}\nconst XLO = xlo, XHI = xhi;\nlet c = 0;\nconst E = h.codeEpoch;\nfor (;;) {\n${local}\n}`;
}

function translatable(op: number): boolean {
  return (op >= 1 && op <= 63 && op !== 28 && op !== 29 && op !== 30) || op === 65 || (op >= 70 && op <= 79) || isFpOp(op);
}

/** F/D arithmetic, moves and conversions (ops.ts: FP_S + k, FP_D + k, FCVT_S_D, FCVT_D_S). */
function isFpOp(op: number): boolean {
  return (op >= 80 && op <= 107) || (op >= 120 && op <= 147) || op === 160 || op === 161;
}

/** FpOp numbers whose destination is an integer register (feq/flt/fle, fclass, fmv.x, fcvt to integer). */
const FP_TO_INT = new Set([10, 11, 12, 13, 14, 16, 17, 18, 19]);

/** Leaves the block after `retired` instructions of this round, continuing at `pc`. */
function exit(pc: string, retired: number): string {
  return `{ const next = ${pc}; ${WRITEBACK} h.blockRetired = c + ${retired}; h.blockBailed = false; return next; }`;
}

/** Where an exit stores the block's register locals back (filled in by withLocalRegisters). */
const WRITEBACK = '/*writeback*/';

/** Leaves the block before the instruction at `pc` (the interpreter executes it). */
function bail(pc: number, k: number): string {
  return `{ ${WRITEBACK} h.blockRetired = c + ${k}; h.blockBailed = true; return ${pc}; }`;
}

/** A pc as the lo/hi register halves it sets (link registers, auipc). */
function pcHalves(v: number): [number, number] {
  return [v | 0, Math.floor(v / TWO32) | 0];
}

/** Effective address rs1 + imm into locals lo, hi. */
function address(rs1: number, imm: number): string {
  if (imm === 0) return `const lo = xlo[${rs1}], hi = xhi[${rs1}];`;
  return `const a = xlo[${rs1}]; const lo = (a + ${imm}) | 0; const hi = (xhi[${rs1}] + ${imm >> 31} + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0;`;
}

/** 64-bit "a < b" over halves, signed or unsigned. */
function less(a: number, b: number, signed: boolean): string {
  const ah = signed ? `xhi[${a}]` : `(xhi[${a}] >>> 0)`, bh = signed ? `xhi[${b}]` : `(xhi[${b}] >>> 0)`;
  return `(${ah} < ${bh} || (${ah} === ${bh} && (xlo[${a}] >>> 0) < (xlo[${b}] >>> 0)))`;
}

function branchCondition(op: number, a: number, b: number): string {
  switch (op) {
    case 5: return b === 0 ? `(xlo[${a}] | xhi[${a}]) === 0` : `xlo[${a}] === xlo[${b}] && xhi[${a}] === xhi[${b}]`;
    case 6: return b === 0 ? `(xlo[${a}] | xhi[${a}]) !== 0` : `(xlo[${a}] !== xlo[${b}] || xhi[${a}] !== xhi[${b}])`;
    case 7: return less(a, b, true);
    case 8: return `!${less(a, b, true)}`;
    case 9: return less(a, b, false);
    default: return `!${less(a, b, false)}`;
  }
}

const LOAD_SIZE: Record<number, number> = { 11: 1, 12: 2, 13: 4, 14: 8, 15: 1, 16: 2, 17: 4, 70: 4, 71: 8 };
const STORE_SIZE: Record<number, number> = { 18: 1, 19: 2, 20: 4, 21: 8, 72: 4, 73: 8 };

/** JavaScript for one instruction: the same operations, in the same order, as hart.ts's switch. */
function emit(s: Slot, pc: number, k: number, startPc: number, len: number, followed: boolean): string {
  const { op, rd, rs1, rs2, imm } = s;
  const next = pc + s.len;
  const sink = rd === 32;
  /** sets rd from 32-bit value expression v, sign-extended (the *W forms) */
  const w32 = (v: string): string => (sink ? '' : `{ const v = ${v}; xlo[${rd}] = v; xhi[${rd}] = v >> 31; }`);
  /** sets rd from both halves, computed before either is written (rd may be a source) */
  const pair = (lo: string, hi: string): string => (sink ? '' : `{ const l = ${lo}, u = ${hi}; xlo[${rd}] = l; xhi[${rd}] = u; }`);
  switch (op) {
    case 1: return sink ? '' : `xlo[${rd}] = ${imm}; xhi[${rd}] = ${imm >> 31};`; // LUI
    case 2: { // AUIPC
      const [lo, hi] = pcHalves(pc + imm);
      return sink ? '' : `xlo[${rd}] = ${lo}; xhi[${rd}] = ${hi};`;
    }
    case 3: { // JAL
      const [lo, hi] = pcHalves(next);
      const link = sink ? '' : `xlo[${rd}] = ${lo}; xhi[${rd}] = ${hi};`;
      const target = pc + imm;
      if (followed) return link; // translation continues at the target
      if (target === startPc) return `${link} c += ${k + 1}; if (c + ${len} <= budget) continue; ${exit(String(target), 0)}`;
      return `${link} ${exit(String(target), k + 1)}`;
    }
    case 4: { // JALR: the target is read before the link is written (rd may be rs1)
      const [lo, hi] = pcHalves(next);
      return `{ const al = xlo[${rs1}]; const lo = (al + ${imm}) | 0; const hi = (xhi[${rs1}] + ${imm >> 31} + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
        ${sink ? '' : `xlo[${rd}] = ${lo}; xhi[${rd}] = ${hi};`}
        ${exit(`hi === 0 && lo >= 0 ? lo & -2 : hi * ${TWO32} + ((lo & -2) >>> 0)`, k + 1)} }`;
    }
    case 5: case 6: case 7: case 8: case 9: case 10: {
      const target = pc + imm;
      const cond = branchCondition(op, rs1, rs2);
      if (target === startPc) return `if (${cond}) { c += ${k + 1}; if (c + ${len} <= budget) continue; ${exit(String(target), 0)} }`;
      return `if (${cond}) ${exit(String(target), k + 1)}`;
    }
    case 11: case 12: case 13: case 14: case 15: case 16: case 17: case 70: case 71: {
      const size = LOAD_SIZE[op];
      const fast = size === 1 ? 'vl = dv.getUint8(o); vh = 0;' : size === 2 ? 'vl = dv.getUint16(o, true); vh = 0;'
        : size === 4 ? 'vl = dv.getInt32(o, true); vh = 0;' : 'vl = dv.getInt32(o, true); vh = dv.getInt32(o + 4, true);';
      let set: string;
      switch (op) {
        case 11: set = `xlo[${rd}] = (vl << 24) >> 24; xhi[${rd}] = xlo[${rd}] >> 31;`; break;
        case 12: set = `xlo[${rd}] = (vl << 16) >> 16; xhi[${rd}] = xlo[${rd}] >> 31;`; break;
        case 13: set = `xlo[${rd}] = vl; xhi[${rd}] = vl >> 31;`; break;
        case 14: set = `xlo[${rd}] = vl; xhi[${rd}] = vh;`; break;
        case 70: set = `fb[${2 * rd}] = vl; fb[${2 * rd + 1}] = -1;`; break; // NaN-box
        case 71: set = `fb[${2 * rd}] = vl; fb[${2 * rd + 1}] = vh;`; break;
        default: set = `xlo[${rd}] = vl; xhi[${rd}] = 0;`;
      }
      return `{ ${address(rs1, imm)} const vpn = (hi << 20) | (lo >>> 12), o = lo & 4095; let vl, vh;
        if (hi >>> 0 < 64 && rT[vpn & 255] === vpn && o <= ${4096 - size}) { const dv = rV[vpn & 255]; ${fast} }
        else { if (!h.loadSlow(lo, hi, ${size})) ${bail(pc, k)} vl = h.loadLo; vh = h.loadHi; }
        ${set} }`;
    }
    case 18: case 19: case 20: case 21: case 72: case 73: {
      const size = STORE_SIZE[op];
      const isFp = op >= 72;
      const vl = isFp ? `fb[${2 * rs2}]` : `xlo[${rs2}]`, vh = isFp ? `fb[${2 * rs2 + 1}]` : `xhi[${rs2}]`;
      const fast = size === 1 ? 'dv.setInt8(o, vl);' : size === 2 ? 'dv.setInt16(o, vl, true);'
        : size === 4 ? 'dv.setInt32(o, vl, true);' : 'dv.setInt32(o, vl, true); dv.setInt32(o + 4, vh, true);';
      return `{ ${address(rs1, imm)} const vl = ${vl}, vh = ${vh}; const vpn = (hi << 20) | (lo >>> 12), o = lo & 4095;
        if (hi >>> 0 < 64 && wT[vpn & 255] === vpn && o <= ${4096 - size}) { const dv = wV[vpn & 255]; ${fast} }
        else { if (!h.storeSlow(lo, hi, ${size}, vl, vh)) ${bail(pc, k)} if (h.codeEpoch !== E) ${exit(String(next), k + 1)} } }`;
    }
    case 22: // ADDI
      if (sink) return '';
      if (rs1 === 0) return `xlo[${rd}] = ${imm}; xhi[${rd}] = ${imm >> 31};`;
      if (imm === 0) return `xlo[${rd}] = xlo[${rs1}]; xhi[${rd}] = xhi[${rs1}];`;
      return `{ const a = xlo[${rs1}]; const lo = (a + ${imm}) | 0; xhi[${rd}] = (xhi[${rs1}] + ${imm >> 31} + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; xlo[${rd}] = lo; }`;
    case 23: case 24: { // SLTI SLTIU
      if (sink) return '';
      const ah = op === 23 ? `xhi[${rs1}]` : `(xhi[${rs1}] >>> 0)`;
      const bh = op === 23 ? imm >> 31 : (imm >> 31) >>> 0;
      return `{ const ah = ${ah}; xlo[${rd}] = ah < ${bh} || (ah === ${bh} && (xlo[${rs1}] >>> 0) < ${imm >>> 0}) ? 1 : 0; xhi[${rd}] = 0; }`;
    }
    case 25: return pair(`xlo[${rs1}] ^ ${imm}`, `xhi[${rs1}] ^ ${imm >> 31}`); // XORI
    case 26: return pair(`xlo[${rs1}] | ${imm}`, `xhi[${rs1}] | ${imm >> 31}`); // ORI
    case 27: return pair(`xlo[${rs1}] & ${imm}`, `xhi[${rs1}] & ${imm >> 31}`); // ANDI
    case 74: return sink ? '' : `{ const lo = xlo[${rs1}]; xhi[${rd}] = (xhi[${rs1}] << ${imm}) | (lo >>> ${32 - imm}); xlo[${rd}] = lo << ${imm}; }`; // SLLI_LT32
    case 75: return pair('0', `xlo[${rs1}] << ${imm - 32}`); // SLLI_GE32
    case 76: return sink ? '' : `{ const hi = xhi[${rs1}]; xlo[${rd}] = (xlo[${rs1}] >>> ${imm}) | (hi << ${32 - imm}); xhi[${rd}] = hi >>> ${imm}; }`; // SRLI_LT32
    case 77: return pair(`(xhi[${rs1}] >>> ${imm - 32}) | 0`, '0'); // SRLI_GE32 (| 0: by 32, >>> alone gives 2^32-1 for -1)
    case 78: return sink ? '' : `{ const hi = xhi[${rs1}]; xlo[${rd}] = (xlo[${rs1}] >>> ${imm}) | (hi << ${32 - imm}); xhi[${rd}] = hi >> ${imm}; }`; // SRAI_LT32
    case 79: return sink ? '' : `{ const hi = xhi[${rs1}]; xlo[${rd}] = hi >> ${imm - 32}; xhi[${rd}] = hi >> 31; }`; // SRAI_GE32
    case 31: // ADD
      if (sink) return '';
      return `{ const a = xlo[${rs1}]; const lo = (a + xlo[${rs2}]) | 0; xhi[${rd}] = (xhi[${rs1}] + xhi[${rs2}] + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; xlo[${rd}] = lo; }`;
    case 32: // SUB
      if (sink) return '';
      return `{ const a = xlo[${rs1}], b = xlo[${rs2}]; xhi[${rd}] = (xhi[${rs1}] - xhi[${rs2}] - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0; xlo[${rd}] = (a - b) | 0; }`;
    case 33: // SLL
      if (sink) return '';
      return `{ const lo = xlo[${rs1}], hi = xhi[${rs1}], s = xlo[${rs2}] & 63;
        if (s === 0) { xlo[${rd}] = lo; xhi[${rd}] = hi; } else if (s < 32) { xhi[${rd}] = (hi << s) | (lo >>> (32 - s)); xlo[${rd}] = lo << s; } else { xhi[${rd}] = lo << (s - 32); xlo[${rd}] = 0; } }`;
    case 37: case 38: { // SRL SRA
      if (sink) return '';
      const sr = op === 38 ? '>>' : '>>>';
      const top = op === 38 ? 'hi >> 31' : '0';
      return `{ const lo = xlo[${rs1}], hi = xhi[${rs1}], s = xlo[${rs2}] & 63;
        if (s === 0) { xlo[${rd}] = lo; xhi[${rd}] = hi; } else if (s < 32) { xlo[${rd}] = (lo >>> s) | (hi << (32 - s)); xhi[${rd}] = hi ${sr} s; } else { xlo[${rd}] = (hi ${sr} (s - 32)) | 0; xhi[${rd}] = ${top}; } }`;
    }
    case 34: case 35: // SLT SLTU
      return sink ? '' : `{ const t = ${less(rs1, rs2, op === 34)} ? 1 : 0; xlo[${rd}] = t; xhi[${rd}] = 0; }`;
    case 36: return pair(`xlo[${rs1}] ^ xlo[${rs2}]`, `xhi[${rs1}] ^ xhi[${rs2}]`); // XOR
    case 39: return pair(`xlo[${rs1}] | xlo[${rs2}]`, `xhi[${rs1}] | xhi[${rs2}]`); // OR
    case 40: return pair(`xlo[${rs1}] & xlo[${rs2}]`, `xhi[${rs1}] & xhi[${rs2}]`); // AND
    case 41: return w32(`(xlo[${rs1}] + ${imm}) | 0`); // ADDIW
    case 42: return w32(`xlo[${rs1}] << ${imm}`); // SLLIW
    case 43: return w32(`(xlo[${rs1}] >>> ${imm}) | 0`); // SRLIW
    case 44: return w32(`xlo[${rs1}] >> ${imm}`); // SRAIW
    case 45: return w32(`(xlo[${rs1}] + xlo[${rs2}]) | 0`); // ADDW
    case 46: return w32(`(xlo[${rs1}] - xlo[${rs2}]) | 0`); // SUBW
    case 47: return w32(`xlo[${rs1}] << (xlo[${rs2}] & 31)`); // SLLW
    case 48: return w32(`(xlo[${rs1}] >>> (xlo[${rs2}] & 31)) | 0`); // SRLW
    case 49: return w32(`xlo[${rs1}] >> (xlo[${rs2}] & 31)`); // SRAW
    case 50: case 51: case 52: case 53: case 54: case 55: case 56: case 57: { // MUL .. REMU
      if (sink) return '';
      const a = `xlo[${rs1}], xhi[${rs1}]`, b = `xlo[${rs2}], xhi[${rs2}]`;
      const call = [
        `mul64(${a}, ${b})`, `mulh64(${a}, true, ${b}, true)`, `mulh64(${a}, true, ${b}, false)`, `mulh64(${a}, false, ${b}, false)`,
        `divrem64(${a}, ${b}, false)`, `divremu64(${a}, ${b}, false)`, `divrem64(${a}, ${b}, true)`, `divremu64(${a}, ${b}, true)`,
      ][op - 50];
      return `{ const lo = ${call}; xlo[${rd}] = lo; xhi[${rd}] = i64.hi; }`;
    }
    case 58: return w32(`Math.imul(xlo[${rs1}], xlo[${rs2}])`); // MULW
    case 59: return w32(`divw(xlo[${rs1}], xlo[${rs2}], false)`); // DIVW
    case 60: return w32(`divuw(xlo[${rs1}], xlo[${rs2}], false)`); // DIVUW
    case 61: return w32(`divw(xlo[${rs1}], xlo[${rs2}], true)`); // REMW
    case 62: return w32(`divuw(xlo[${rs1}], xlo[${rs2}], true)`); // REMUW
    case 63: return ''; // FENCE
    // ECALL: retired here, pc left at it (the kernel advances pc past it), as the interpreter does
    case 65: return `{ ${WRITEBACK} h.blockRetired = c + ${k + 1}; h.blockBailed = false; h.blockEcall = true; return ${pc}; }`;
  }
  if (isFpOp(op)) {
    // The FP unit reads and writes integer registers in the arrays: store the
    // locals back first, reload an integer destination after. It returns false
    // (having changed nothing) for a reserved rounding mode: the interpreter
    // then raises SIGILL at this pc.
    const isD = op >= 120 && op < 160;
    const fk = op - (isD ? 120 : 80);
    const call = op >= 160 ? `h.fp.convert(${op === 161}, ${rd}, ${rs1}, ${s.aux})`
      : `h.fp.exec(${fk}, ${isD}, ${rd}, ${rs1}, ${rs2}, ${s.rs3}, ${s.aux}, XLO, XHI)`;
    const reload = op < 160 && FP_TO_INT.has(fk) && rd !== 0 ? `xlo[${rd}] = XLO[${rd}]; xhi[${rd}] = XHI[${rd}];` : '';
    return `${WRITEBACK} if (!${call}) ${bail(pc, k)} ${reload}`;
  }
  throw new Error(`jit: op ${op} is not translatable`);
}
