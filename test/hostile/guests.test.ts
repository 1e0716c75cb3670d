// Hostile guests (guest/hostile.c) under small run budgets: each bomb ends
// quickly with what Linux gives the guest (ENOMEM, ENOSPC, EAGAIN, SIGKILL
// by the OOM rule) or with the limit the run reports, and the host keeps
// to the budget: its RSS after a forced GC stays under budget + overhead.
// Without the budgets these same programs took the host past 3 GB, or ran
// for hours.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONSOLE_LIMIT } from '../../src/kernel/console.ts';
import { hostile, MiB, rssAfterGc } from './budget.ts';

/** What the host may hold beyond a run's budget: node, vitest, the loaded sources (generous: not a timing assertion). */
const OVERHEAD = 400 * MiB;
const BUDGET = 32 * MiB;
let baseline = 0;
let worst = 0;

beforeAll(() => {
  baseline = rssAfterGc();
});

afterAll(() => {
  // Every bomb above ran in this process: none left the host above budget + overhead.
  expect(worst - baseline).toBeLessThan(BUDGET + OVERHEAD);
});

function note(): void {
  worst = Math.max(worst, rssAfterGc());
}

describe('memory bombs end at the memory budget', () => {
  it('touching 1 GiB of 1 MiB mappings under a 32 MiB budget (the host would hold 1 GiB without it): the OOM rule kills the toucher and the run ends with "memory limit"', () => {
    const r = hostile(['touchsplit', '1024']);
    note();
    expect(r.out).toContain('mmap 1 MiB: ok');
    expect(r.out).not.toContain('touched all');
    expect(r.end.kind === 'limit' && r.end.limit).toBe('memory');
    expect(r.problem).toMatch(/^memory limit .*killed by the OOM rule/);
    expect(r.describe).toBe('killed by SIGKILL');
  });

  it('a writable mapping larger than all of memory is ENOMEM up front (overcommit heuristic)', () => {
    expect(hostile(['touch', '64']).out).toBe('mmap 64 MiB: failed\n');
  });

  it('a 64 GiB PROT_NONE reservation costs nothing; mprotect and munmap work on parts of it', () => {
    const r = hostile(['reserve'], { memory: 8 * MiB });
    note();
    expect(r.out).toBe('reserve 64 GiB: ok\nmprotect a page inside: 0, reads back 42\nmunmap a middle part: 0\n');
    expect(r.status).toBe(0);
    expect(r.kernel.memory.peak).toBeLessThan(2 * MiB);
  });

  it('MAP_SHARED memory is shared with a fork child, MAP_PRIVATE is not', () => {
    expect(hostile(['shared']).out).toBe('shared sees 7, private sees 0\n');
  });

  it('copy-on-write fan-out of 20 children writing 4 MiB each stops at the budget', () => {
    const r = hostile(['cow', '4'], { memory: 16 * MiB });
    note();
    expect(r.end.kind === 'limit' && r.end.limit).toBe('memory');
    expect(r.kernel.memory.peak).toBeLessThanOrEqual(16 * MiB + 2 * MiB);
  });

  it('an ELF with 40 bss segments of 256 MiB written to the VFS and execve()d is ENOMEM', () => {
    expect(hostile(['execbomb']).out).toBe('execve of the bomb: -12\n');
  });
});

describe('kernel buffers draw on the same budget', () => {
  it('filling pipes gives ENOMEM once the budget is spent', () => {
    const r = hostile(['pipes'], { memory: 8 * MiB });
    note();
    expect(r.out).toMatch(/^filled \d+ pipes, then -12\n$/);
  });

  it('filling the filesystem gives ENOSPC', () => {
    const r = hostile(['files'], { memory: 16 * MiB });
    note();
    expect(r.out).toMatch(/^wrote [0-3] files, then -28\n$/);
  });

  it('a console flood streams to the sink, keeps at most the budget, and ends at the console limit with SIGXFSZ', () => {
    let streamed = 0;
    const r = hostile(['flood'], { memory: 4 * MiB, output: (w) => (streamed += w.bytes.length) });
    note();
    // generic_write_check_limits: the write that reaches the limit is cut short, the next gets EFBIG and SIGXFSZ
    expect([r.end.kind, r.describe]).toEqual(['exited', 'killed by SIGXFSZ']);
    expect(streamed).toBe(DEFAULT_CONSOLE_LIMIT);
    expect(r.stdout.length).toBeLessThan(4 * MiB);
    expect(r.kernel.console.dropped).toBe(streamed - r.stdout.length);
  });
});

describe('process and time limits', () => {
  it('a root fork bomb stops at threads-max (sized from the budget) with EAGAIN', () => {
    const r = hostile(['forkbomb', '0'], { memory: 16 * MiB });
    note();
    // threads-max = 16 MiB / (8 * 16 KiB) = 128 tasks, the parent included
    expect(r.out).toBe('forked 127, then -11\n');
  });

  it('uid 1000 under RLIMIT_NPROC 10 gets EAGAIN at its tenth task', () => {
    expect(hostile(['forkbomb', '10']).out).toBe('forked 9, then -11\n');
  });

  it('a spin loop ends at the instruction budget, reporting where it was', () => {
    const r = hostile(['spin'], { maxInstructions: 1_000_000 });
    expect(r.problem).toMatch(/^instruction limit after \d+ steps: .*pid 1 \(hostile\) runnable in user mode at pc 0x[0-9a-f]+/);
  });

  it('nanosleep to the far future jumps to the time budget instead of spinning', () => {
    const r = hostile(['sleep', '0']);
    expect(r.out).toBe('sleeping\n');
    expect(r.end.kind === 'limit' && r.end.limit).toBe('time');
    expect(r.problem).toContain('sleeps on timer of pid 1 in nanosleep()');
    expect(r.steps).toBeLessThan(10);
  });

  it('sigsuspend with no signal to come is a deadlock, not ENOSYS', () => {
    const r = hostile(['sleep', '1']);
    expect(r.end.kind).toBe('deadlock');
    expect(r.out).toBe('sleeping\n');
  });

  it('30,000 dups take the lowest free fd each time, quickly', () => {
    expect(hostile(['dups', '30000']).out).toBe('setrlimit: 0\nlast dup 30002\n');
  });
});
