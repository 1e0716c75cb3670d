// One-line errors for bad input the CLI owns: --trace-out where no file can
// be written, `exec` of something that is not a regular file or too large
// (refused before a byte is read: /dev/zero and a FIFO would read for ever),
// an ELF whose segments need more than the budget, and bad budget flags.
// Also: an ELF with 40 large bss segments inside the budget loads lazily.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { writeElf } from '../hw/elf-writer.ts';

async function cli(...argv: string[]): Promise<{ code: number; err: string[]; out: string }> {
  const errors: string[] = [];
  const out: string[] = [];
  const orig = console.error;
  console.error = (s: string) => errors.push(s);
  try {
    const code = await main(argv, (s) => out.push(s), { stdout: (b) => out.push(new TextDecoder().decode(b)), stderr: (b) => errors.push(new TextDecoder().decode(b)) });
    return { code, err: errors, out: out.join('') };
  } finally {
    console.error = orig;
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'unixsim-hostile-'));
/** `li a7, 93; li a0, 0; ecall`: exit(0) */
const EXIT0 = Uint8Array.from([0x93, 0x08, 0xd0, 0x05, 0x13, 0x05, 0x00, 0x00, 0x73, 0x00, 0x00, 0x00]);

/** An ELF whose code exits 0, with `n` writable bss segments of `size` bytes each. */
function bssElf(n: number, size: number): string {
  const segs = [{ vaddr: 0x10000, flags: 5, data: EXIT0 }];
  for (let k = 0; k < n; k++) segs.push({ vaddr: 0x100000000 + k * 0x40000000, flags: 6, data: new Uint8Array(8), memsz: size } as never);
  const path = join(tmp, `bss-${n}-${size}`);
  writeFileSync(path, writeElf(0x10000, segs));
  return path;
}

describe('one-line errors (exit 2)', () => {
  it('--trace-out into a missing folder or onto a directory', async () => {
    const missing = await cli('run', 'scenarios/pipe-pingpong.ts', '--trace', 'text', '--trace-out', join(tmp, 'no/such/dir/t.txt'));
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toMatch(/^unixsim: .*no\/such\/dir\/t\.txt: no such directory/);
    mkdirSync(join(tmp, 'adir'));
    const dir = await cli('exec', 'guest/bin/hello', '--trace', 'json', '--trace-out', join(tmp, 'adir'));
    expect(dir.code).toBe(2);
    expect(dir.err[0]).toMatch(/adir: is a directory$/);
    expect(dir.out).toBe(''); // refused before the run
  });

  it('exec of /dev/zero, of a FIFO, and of a 3 GiB file is refused before reading', async () => {
    const zero = await cli('exec', '/dev/zero');
    expect([zero.code, zero.err[0]]).toEqual([2, 'unixsim: /dev/zero: not a regular file']);
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const f = await cli('exec', fifo);
    expect([f.code, f.err[0]]).toEqual([2, `unixsim: ${fifo}: not a regular file`]);
    const huge = join(tmp, 'huge');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 3 * 2 ** 30); // sparse: costs no disk
    closeSync(fd);
    const h = await cli('exec', huge);
    expect(h.code).toBe(2);
    expect(h.err[0]).toMatch(/huge: too large to run \(3221225472 bytes; the limit is \d+\)$/);
  });

  it('an ELF whose bss segments need more than the budget (40 of 256 MiB) names the file and the problem', async () => {
    const r = await cli('exec', bssElf(40, 256 * 2 ** 20));
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/bss-40-268435456: segments need 10737418240 bytes of memory, more than the run's memory budget/);
  });

  it('bad budget flags', async () => {
    expect((await cli('exec', 'guest/bin/hello', '--memory', 'lots')).err[0]).toMatch(/--memory must be a size/);
    expect((await cli('exec', 'guest/bin/hello', '--max-instructions', '-5')).err[0]).toMatch(/--max-instructions must be a positive integer/);
    expect((await cli('run', 'scenarios/pipe-pingpong.ts', '--max-time', 'soon')).err[0]).toMatch(/--max-time must be a virtual duration/);
  });
});

describe('lazy loading', () => {
  it('40 bss segments of 16 MiB (640 MiB) inside the budget load without touching memory and exit 0', async () => {
    const r = await cli('exec', bssElf(40, 16 * 2 ** 20));
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('the exec run ending at a budget reports it in one line (exit 125)', async () => {
    const r = await cli('exec', 'guest/bin/hostile', '--max-instructions', '100000', '--', 'spin');
    expect(r.code).toBe(125);
    expect(r.err.join('')).toMatch(/^unixsim: guest\/bin\/hostile: instruction limit after \d+ steps: .* at pc 0x[0-9a-f]+\) \(seed 1, trace [0-9a-f]+\)\n$/);
  });
});
