// Hart throughput: guest instructions per second on the CPU-bound guest
// (guest/bin/cpuloop), and the same binary's wall time under qemu-riscv64
// for comparison. Benches may use the wall clock; tests never do.
//
//   npx tsx bench/hart.ts [rounds]

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AddressSpace } from '../src/hw/memory.ts';
import { buildInitialStack, loadElf } from '../src/hw/elf.ts';
import { Hart } from '../src/hw/hart.ts';
import type { BenchRow } from './row.ts';


const HERE = fileURLToPath(new URL('.', import.meta.url));
const CPULOOP = join(HERE, '../guest/bin/cpuloop');

/** Runs cpuloop on a hart with a minimal write/exit shim; returns instructions, seconds and stdout. */
function runHart(image: Uint8Array, rounds: number, jit: boolean): { instructions: number; seconds: number; stdout: string } {
  const space = new AddressSpace();
  const elf = loadElf(image, space);
  const argv = ['cpuloop', String(rounds)];
  const stack = buildInitialStack(space, elf, { argv, envp: [], execfn: argv[0], random: new Uint8Array(16), uid: 0, euid: 0, gid: 0, egid: 0 });
  const hart = new Hart(space);
  hart.jit = jit;
  hart.pc = elf.entry;
  hart.setX(2, stack.sp);
  let stdout = '';
  const start = process.hrtime.bigint();
  for (;;) {
    const stop = hart.run(50_000_000);
    if (stop.kind === 'budget' || stop.kind === 'timer') continue;
    if (stop.kind === 'fault') throw new Error(`cpuloop faulted: ${stop.signal} at 0x${hart.pc.toString(16)}`);
    const nr = hart.getX(17);
    if (nr === 64) {
      const bytes = space.read(hart.getX(11), hart.getX(12)) ?? new Uint8Array();
      stdout += new TextDecoder().decode(bytes);
      hart.setX(10, bytes.length);
    } else if (nr === 93 || nr === 94) break;
    else hart.setX(10, -38);
    hart.pc += 4;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { instructions: hart.instret, seconds, stdout };
}

/** Best of three runs under qemu-riscv64 (its runs are short, so the spread is wide). */
function runQemu(rounds: number): { seconds: number; stdout: string } | null {
  let best: { seconds: number; stdout: string } | null = null;
  for (let k = 0; k < 3; k++) {
    const start = process.hrtime.bigint();
    const r = spawnSync('qemu-riscv64', [CPULOOP, String(rounds)], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return null;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (best === null || seconds < best.seconds) best = { seconds, stdout: r.stdout };
  }
  return best;
}

export function benchHart(rounds = 750_000): BenchRow[] {
  const image = readFileSync(CPULOOP);
  const q = runQemu(rounds);
  const rows: BenchRow[] = [];
  // translated blocks first (the figure the issue targets), then the interpreter alone (--no-jit) as the before
  for (const jit of [true, false]) {
    const engine = jit ? 'translated' : 'interpreter';
    runHart(image, 20_000, jit); // warm up V8
    // best of three, like qemu's figure
    const h = [0, 1, 2].map(() => runHart(image, jit ? rounds : Math.round(rounds / 3), jit)).sort((a, b) => a.seconds - b.seconds)[0];
    const mips = h.instructions / h.seconds / 1e6;
    rows.push({ name: `hart: guest MIPS (cpuloop, ${engine})`, value: Math.round(mips * 10) / 10, unit: 'MIPS', note: `${h.instructions} instructions in ${h.seconds.toFixed(2)} s` });
    if (q === null) rows.push({ name: `hart: time vs qemu-riscv64 (${engine})`, value: NaN, unit: 'x', note: 'qemu-riscv64 not available (apt-get install qemu-user)' });
    else {
      // the interpreter runs a third of the rounds: compare per instruction
      const qemuMips = (jit ? h.instructions : h.instructions * 3) / q.seconds / 1e6;
      const same = !jit || q.stdout === h.stdout ? '' : ', OUTPUT DIFFERS';
      rows.push({ name: `hart: time vs qemu-riscv64 (${engine})`, value: Math.round((qemuMips / mips) * 10) / 10, unit: 'x', note: `qemu ${q.seconds.toFixed(3)} s for ${rounds} rounds, best of 3 (${qemuMips.toFixed(0)} MIPS)${same}` });
    }
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rounds = process.argv[2] ? Number(process.argv[2]) : undefined;
  for (const r of benchHart(rounds)) console.log(`${r.name}: ${r.value} ${r.unit} (${r.note})`);
}
