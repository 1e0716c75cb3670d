// The AF_UNIX ping-pong guest (guest/bin/pingpong: two processes, 64-byte
// messages over a socketpair, write/read), under `unixsim exec` in-process
// (translated and interpreter-only) and the same binary under qemu-riscv64
// on the real kernel, in the same command. The ratio is qemu's wall time
// over unixsim's: above 1 the simulator is faster than real Linux.
//
//   npx tsx bench/guest.ts [rounds]

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execImage } from '../src/exec.ts';
import type { BenchRow } from './row.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PINGPONG = join(HERE, '../guest/bin/pingpong');

function runUnixsim(image: Uint8Array, rounds: number, jit: boolean): { seconds: number; stdout: string; syscalls: number } {
  const t0 = process.hrtime.bigint();
  const r = execImage(PINGPONG, image, { args: [String(rounds)], jit });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.problem || r.status !== 0) throw new Error(`pingpong under unixsim: ${r.problem ?? `status ${r.status}`}`);
  return { seconds, stdout: new TextDecoder().decode(r.stdout), syscalls: r.kernel.stats.syscalls };
}

function runQemu(rounds: number): { seconds: number; stdout: string } | null {
  const best = [];
  for (let k = 0; k < 3; k++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('qemu-riscv64', [PINGPONG, String(rounds)], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return null;
    best.push({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, stdout: r.stdout });
  }
  return best.sort((a, b) => a.seconds - b.seconds)[0];
}

export function benchGuest(rounds = 20_000): BenchRow[] {
  const image = new Uint8Array(readFileSync(PINGPONG));
  const q = runQemu(rounds);
  const rows: BenchRow[] = [];
  for (const jit of [true, false]) {
    const engine = jit ? 'translated' : 'interpreter';
    runUnixsim(image, 2000, jit); // warm up V8
    const times = [0, 1, 2].map(() => runUnixsim(image, rounds, jit)).sort((a, b) => a.seconds - b.seconds);
    const u = times[0];
    rows.push({ name: `guest AF_UNIX ping-pong syscalls/s (${engine})`, value: u.syscalls / u.seconds, unit: 'syscalls/s', note: `${rounds} round trips of 64 bytes, ${u.syscalls} syscalls in ${(u.seconds * 1000).toFixed(0)} ms (best of 3)` });
    if (q === null) rows.push({ name: `guest ping-pong: speed vs qemu-riscv64 (${engine})`, value: NaN, unit: 'x', note: 'qemu-riscv64 not available' });
    else {
      const same = q.stdout === u.stdout ? 'same output' : 'OUTPUT DIFFERS';
      rows.push({ name: `guest ping-pong: speed vs qemu-riscv64 (${engine})`, value: q.seconds / u.seconds, unit: 'x faster', note: `qemu-riscv64 on Linux ${(q.seconds * 1000).toFixed(0)} ms (best of 3), ${same}` });
    }
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rounds = process.argv[2] ? Number(process.argv[2]) : undefined;
  for (const r of benchGuest(rounds)) console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit} (${r.note})`);
}
