import { describe, expect, it } from 'vitest';
import { MemoryBudget, PTE_COST } from '../../src/hw/budget.ts';
import { AddressSpace, PAGE_SIZE, PROT_READ, PROT_WRITE, SharedMemory, USER_TOP } from '../../src/hw/memory.ts';
import { EFAULT, ENAMETOOLONG } from '../../src/kernel/errno.ts';
import { getU32, getU64, putU32, readCString } from '../../src/kernel/uaccess.ts';
import { UserIO } from '../../src/kernel/userio.ts';
import { eq, runOk } from './harness.ts';

describe('address space', () => {
  it('fork copies on write: neither side sees the other write', () => {
    const a = new AddressSpace();
    a.map(0x1000, PAGE_SIZE, PROT_READ | PROT_WRITE);
    a.write(0x1000, Uint8Array.of(1, 2, 3));
    const b = a.clone()!;
    expect(b.read(0x1000, 3)).toEqual(Uint8Array.of(1, 2, 3));
    b.write(0x1001, Uint8Array.of(9));
    a.write(0x1002, Uint8Array.of(8));
    expect(a.read(0x1000, 3)).toEqual(Uint8Array.of(1, 2, 8));
    expect(b.read(0x1000, 3)).toEqual(Uint8Array.of(1, 9, 3));
  });

  it('faults on unmapped bytes and on writes to read-only pages, writing nothing', () => {
    const m = new AddressSpace();
    m.map(0x2000, PAGE_SIZE, PROT_READ | PROT_WRITE);
    expect(m.read(0x1fff, 2)).toBeNull();
    expect(m.write(0x2ffe, Uint8Array.of(1, 2, 3))).toBe(false);
    expect(m.read(0x2ffe, 2)).toEqual(Uint8Array.of(0, 0));
    m.protect(0x2000, PAGE_SIZE, PROT_READ);
    expect(m.write(0x2000, Uint8Array.of(1))).toBe(false);
    expect(m.poke(0x2000, Uint8Array.of(1))).toBe(true);
    expect(m.check(-1, 1, PROT_READ)).toBe(false);
    expect(m.check(0x2000, 0, PROT_WRITE)).toBe(true);
  });
});

describe('uaccess', () => {
  const m = new AddressSpace();
  m.map(0x1000, PAGE_SIZE, PROT_READ | PROT_WRITE);

  it('reads values and strings, or reports the fault', () => {
    expect(putU32(m, 0x1000, 0xdeadbeef)).toBe(true);
    expect(getU32(m, 0x1000)).toBe(0xdeadbeef);
    expect(getU32(m, 0x1ffe)).toBeNull();
    expect(getU64(m, 0x3000)).toBeNull();
    m.write(0x1100, new TextEncoder().encode('abc\0'));
    expect(readCString(m, 0x1100)).toBe('abc');
    m.write(0x1ffd, new TextEncoder().encode('xyz'));
    expect(readCString(m, 0x1ffd)).toBe(-EFAULT);
    m.write(0x1200, new Uint8Array(16).fill(0x41));
    expect(readCString(m, 0x1200, 8)).toBe(-ENAMETOOLONG);
  });

  it('UserIO checks access_ok up front and finds holes at the copy', () => {
    expect(UserIO.buffer(m, USER_TOP - 0x100, 0x200)).toBe(-EFAULT);
    expect(UserIO.buffer(m, 2 ** 64 - 1, 0), 'access_ok of length 0 past the top').toBe(-EFAULT);
    expect(UserIO.iovec(m, 0x5000, 1), 'an unreadable iovec array').toBe(-EFAULT);
    // 0x1000-0x1fff is mapped, 0x2000 on is not: a copy stops at the hole and says so
    const io = UserIO.buffer(m, 0x1f00, 0x200);
    if (typeof io === 'number') throw new Error('access_ok refused a user range');
    expect(io.copyOut(new Uint8Array(0x200).fill(7))).toBe(0x100);
    expect(io.faulted).toBe(true);
    expect(io.done).toBe(0x100);
    const src = UserIO.buffer(m, 0x1ff0, 0x20);
    if (typeof src === 'number') throw new Error('access_ok refused a user range');
    expect(src.copyIn(0x20).length).toBe(0x10);
    expect(src.faulted).toBe(true);
  });

  it("a script that unmaps its own scratch memory gets it mapped again by the next wrapper", () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      eq(yield* sys.write(p.fds[1], 'ab'), 2);
      eq(yield* sys.syscall(215, 0x100000, 65536), 0, 'munmap of the scratch area');
      eq(yield* sys.write(p.fds[1], 'cd'), 2, 'write after the unmap');
      eq(new TextDecoder().decode((yield* sys.read(p.fds[0], 4)).data), 'abcd');
    });
  });

  it('syscalls return EFAULT for bad buffers and pointers', () => {
    runOk(function* (sys) {
      const p = yield* sys.pipe();
      eq(yield* sys.syscall(64, p.fds[1], 0, 1), -EFAULT, 'write from NULL');
      eq(yield* sys.syscall(64, p.fds[1], 0x100000 + 65536 - 2, 4), -EFAULT, 'write crossing the end of scratch');
      eq(yield* sys.write(p.fds[1], 'ok'), 2);
      eq(yield* sys.syscall(63, p.fds[0], 0xffff_ffff_f000, 2), -EFAULT, 'read into unmapped');
      eq((yield* sys.read(p.fds[0], 2)).ret, 2, 'nothing was consumed by the failed read');
      eq(yield* sys.syscall(59, 0x10), -EFAULT, 'pipe2 result to unmapped');
      eq(yield* sys.syscall(101, 0x10, 0), -EFAULT, 'nanosleep');
      yield* sys.close(p.fds[0]);
      yield* sys.close(p.fds[1]);
    });
  });
});

describe('lazy mappings and the memory budget', () => {
  it('a mapping costs nothing until touched; reads see zeros; the first write takes a frame from the budget', () => {
    const budget = new MemoryBudget(1 << 20);
    const m = new AddressSpace(budget);
    expect(m.map(0x10000, 2 ** 36, PROT_READ | PROT_WRITE)).toBe(true); // 64 GiB
    expect(m.pageCount).toBe(0);
    expect(m.read(0x10000 + 2 ** 35, 4)).toEqual(new Uint8Array(4));
    expect(m.pageCount).toBe(0);
    const before = budget.used;
    expect(m.write(0x10000 + 2 ** 35, Uint8Array.of(9))).toBe(true);
    expect(budget.used - before).toBe(PAGE_SIZE + PTE_COST);
    m.unmap(0x10000, 2 ** 36);
    expect(budget.used).toBe(0);
  });

  it('writes past the budget fail and set the OOM flag; nothing is allocated beyond it', () => {
    const budget = new MemoryBudget(8 * PAGE_SIZE);
    const m = new AddressSpace(budget);
    m.map(0x10000, 64 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    let ok = 0;
    for (let i = 0; i < 64; i++) if (m.pageForWrite(0x10 + i)) ok++;
    expect(ok).toBeLessThan(8);
    expect(m.oom).toBe(true);
    expect(budget.used).toBeLessThanOrEqual(budget.limit);
  });

  it('mprotect and munmap split mappings; the holes and permissions are exact', () => {
    const m = new AddressSpace();
    m.map(0x10000, 10 * PAGE_SIZE, PROT_READ | PROT_WRITE);
    expect(m.protect(0x10000 + 3 * PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ)).toBe(true);
    m.unmap(0x10000 + 7 * PAGE_SIZE, PAGE_SIZE);
    expect([0, 3, 4, 5, 7, 9].map((p) => m.protAt(0x10000 + p * PAGE_SIZE))).toEqual([3, 1, 1, 3, -1, 3]);
    expect(m.mapCount).toBe(4);
    expect(m.check(0x10000, 7 * PAGE_SIZE, PROT_READ)).toBe(true);
    expect(m.check(0x10000, 8 * PAGE_SIZE, PROT_READ)).toBe(false);
    expect(m.protect(0x10000, 9 * PAGE_SIZE, PROT_READ)).toBe(false); // the hole: ENOMEM, nothing changed
    expect(m.protAt(0x10000)).toBe(3);
    expect(m.anyMapped(0x10000 + 7 * PAGE_SIZE, PAGE_SIZE)).toBe(false);
    expect(m.findFree(PAGE_SIZE, 0x10000, 0x10000 + 10 * PAGE_SIZE)).toBe(0x10000 + 7 * PAGE_SIZE);
    expect(m.findFree(2 * PAGE_SIZE, 0x10000, 0x10000 + 10 * PAGE_SIZE)).toBe(-1);
  });

  it('MAP_SHARED memory stays shared with a fork child; private memory is copied on write', () => {
    const a = new AddressSpace();
    a.map(0x10000, PAGE_SIZE, PROT_READ | PROT_WRITE, new SharedMemory(a.budget));
    a.map(0x20000, PAGE_SIZE, PROT_READ | PROT_WRITE);
    const b = a.clone()!;
    b.write(0x10000, Uint8Array.of(7)); // the child writes an untouched shared page
    b.write(0x20000, Uint8Array.of(7));
    expect(a.read(0x10000, 1)).toEqual(Uint8Array.of(7));
    expect(a.read(0x20000, 1)).toEqual(Uint8Array.of(0));
  });
});
