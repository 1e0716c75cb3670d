// Start-up: wall time of whole `unixsim` commands, from process start to
// exit, against `node` doing nothing (its own start-up, the floor) and
// qemu-riscv64 running the same binary, measured in the same run. The CLI
// is timed compiled (dist/, what an installed package runs; built first)
// and from the TypeScript sources through tsx (UNIXSIM_FROM_SOURCE=1, what a
// checkout ran before there was a build).
//
//   npx tsx bench/startup.ts [runs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './row.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/unixsim.mjs`;
const HELLO = `${ROOT}guest/bin/hello`;

/** Median wall milliseconds of `runs` runs after one warm-up; null when the command is missing or fails. */
function medianMs(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, runs = 10): number | null {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: ROOT, env, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.error || r.status !== 0) return null;
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

export function benchStartup(): BenchRow[] {
  const runs = Number(process.argv[3] ?? process.argv[2]) || 10;
  spawnSync(process.execPath, [`${ROOT}scripts/build.mjs`], { stdio: 'inherit' });
  const source = { ...process.env, UNIXSIM_FROM_SOURCE: '1' };
  const node = medianMs(process.execPath, ['-e', '0'], process.env, runs);
  const rows: BenchRow[] = [];
  const row = (name: string, ms: number | null, note: string) => {
    if (ms !== null) rows.push({ name, value: ms, unit: 'ms', note: node && ms !== node ? `${note}; ${(ms / node).toFixed(2)}x node -e 0` : note });
  };
  row('start-up: node -e 0 (the floor)', node, `median of ${runs}`);
  row('start-up: unixsim bugs (compiled)', medianMs(process.execPath, [BIN, 'bugs'], process.env, runs), 'target < 100 ms');
  row('start-up: unixsim exec hello (compiled)', medianMs(process.execPath, [BIN, 'exec', HELLO], process.env, runs), 'target < 150 ms');
  row('start-up: unixsim bugs (sources, tsx)', medianMs(process.execPath, [BIN, 'bugs'], source, runs), 'before the build');
  row('start-up: unixsim exec hello (sources, tsx)', medianMs(process.execPath, [BIN, 'exec', HELLO], source, runs), 'before the build');
  row('start-up: qemu-riscv64 guest/bin/hello', medianMs('qemu-riscv64', [HELLO], process.env, runs), 'real Linux');
  return rows;
}
