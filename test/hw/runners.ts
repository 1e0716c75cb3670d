// Runs a static riscv64 ELF two ways for differential tests: on the hart with
// a test-only syscall shim (write, exit, exit_group), and under qemu-riscv64.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressSpace } from '../../src/hw/memory.ts';
import { buildInitialStack, loadElf } from '../../src/hw/elf.ts';
import { Hart } from '../../src/hw/hart.ts';

export interface RunResult {
  stdout: Buffer;
  exitCode: number | null;
  signal: string | null;
}

const SYS_WRITE = 64, SYS_EXIT = 93, SYS_EXIT_GROUP = 94;
const ENOSYS = 38;

/** The two execution engines: the interpreter alone, and block translation from the first visit on. */
export type Engine = 'interpreter' | 'jit';
export const ENGINES: Engine[] = ['interpreter', 'jit'];

export function runOnHart(
  image: Uint8Array,
  argv: string[] = ['prog'],
  maxInstructions = 2e9,
  mutateDecoded: Hart['mutateDecoded'] = null,
  engine: Engine = 'jit',
  mutateTranslated: Hart['mutateTranslated'] = null,
): RunResult & { hart: Hart } {
  const space = new AddressSpace();
  const elf = loadElf(image, space);
  const stack = buildInitialStack(space, elf, {
    argv, envp: [], execfn: argv[0], random: new Uint8Array(16).fill(7), uid: 0, euid: 0, gid: 0, egid: 0,
  });
  const hart = new Hart(space);
  hart.mutateDecoded = mutateDecoded;
  hart.jit = engine === 'jit';
  hart.jitThreshold = 0;
  hart.mutateTranslated = mutateTranslated;
  hart.pc = elf.entry;
  hart.setX(2, stack.sp);
  const out: Buffer[] = [];
  let executed = 0;
  while (executed < maxInstructions) {
    const before = hart.instret;
    const stop = hart.run(10_000_000);
    executed += hart.instret - before;
    if (stop.kind === 'budget' || stop.kind === 'timer') continue;
    if (stop.kind === 'fault') return { stdout: Buffer.concat(out), exitCode: null, signal: stop.signal, hart };
    const nr = hart.getX(17);
    if (nr === SYS_WRITE) {
      const bytes = space.read(hart.getX(11), hart.getX(12));
      if (bytes === null) hart.setX(10, -14);
      else { out.push(Buffer.from(bytes)); hart.setX(10, bytes.length); }
    } else if (nr === SYS_EXIT || nr === SYS_EXIT_GROUP) {
      return { stdout: Buffer.concat(out), exitCode: hart.getX(10) & 0xff, signal: null, hart };
    } else hart.setX(10, -ENOSYS);
    hart.pc += 4;
  }
  throw new Error('instruction limit exceeded');
}

export const QEMU = '/usr/bin/qemu-riscv64';

export function requireQemu(): string {
  const found = existsSync(QEMU) ? QEMU : spawnSync('which', ['qemu-riscv64']).stdout?.toString().trim();
  if (!found) throw new Error('qemu-riscv64 not found: differential tests need it (apt-get install qemu-user)');
  return found;
}

let tmp: string | null = null;
let counter = 0;

export function runOnQemu(image: Uint8Array, argv: string[] = ['prog']): RunResult {
  const qemu = requireQemu();
  tmp ??= mkdtempSync(join(tmpdir(), 'unixsim-hw-'));
  const path = join(tmp, `prog${counter++}`);
  writeFileSync(path, image);
  chmodSync(path, 0o755);
  const r = spawnSync(qemu, [path, ...argv.slice(1)], { maxBuffer: 1 << 26 });
  return { stdout: r.stdout, exitCode: r.status, signal: r.signal };
}

export function runFileOnQemu(path: string, args: string[] = []): RunResult {
  const r = spawnSync(requireQemu(), [path, ...args], { maxBuffer: 1 << 26 });
  return { stdout: r.stdout, exitCode: r.status, signal: r.signal };
}
