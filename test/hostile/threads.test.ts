// A glibc thread bomb (test/hostile/threadbomb.c, built at test time): a
// thread costs what it uses (its registers, its touched stack; the decoded
// program is shared by the threads of a process), and creating threads past
// threads-max is EAGAIN from clone, which pthread_create reports.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { execImage } from '../../src/exec.ts';
import { requireCrossCompiler } from '../guest/qemu.ts';
import { MiB } from './budget.ts';

let image = new Uint8Array(0);

beforeAll(() => {
  const out = join(mkdtempSync(join(tmpdir(), 'unixsim-threadbomb-')), 'threadbomb');
  const r = spawnSync(requireCrossCompiler(), ['-static', '-O2', '-pthread', '-o', out, fileURLToPath(new URL('threadbomb.c', import.meta.url))]);
  if (r.status !== 0) throw new Error(`building threadbomb.c failed:\n${r.stderr.toString()}`);
  image = new Uint8Array(readFileSync(out));
}, 60_000);

describe('thread bomb', () => {
  it('200 threads cost well under 100 KiB each of the budget (they share the decoded program)', () => {
    const one = execImage('/threadbomb', image, { args: ['1'] });
    const many = execImage('/threadbomb', image, { args: ['200'] });
    expect(new TextDecoder().decode(many.stdout)).toBe('created and joined 200\n');
    const perThread = (many.kernel.memory.peak - one.kernel.memory.peak) / 199;
    expect(perThread).toBeLessThan(100 * 1024);
  });

  it('past threads-max (128 tasks under a 16 MiB budget) pthread_create fails with EAGAIN', () => {
    const r = execImage('/threadbomb', image, { args: ['1000'], memory: 16 * MiB });
    expect(new TextDecoder().decode(r.stdout)).toBe('created 127, then Resource temporarily unavailable\n');
    expect(r.status).toBe(0);
  });
});
