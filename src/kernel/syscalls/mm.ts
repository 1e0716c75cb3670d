// Memory management: brk, mmap, munmap, mprotect, madvise, on the paged
// address space. Placement is deterministic: mmap without MAP_FIXED takes
// the highest free range below MMAP_BASE (Linux's top-down allocator with
// no randomisation); brk grows the heap from the end of the image. Pages
// are allocated eagerly, so a process may map at most MAX_PAGES.
import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, USER_TOP, type AddressSpace } from '../../hw/memory.ts';
import { EACCES, EBADF, EEXIST, EINVAL, ENODEV, ENOMEM } from '../errno.ts';
import { HartContext, MAX_PAGES, MMAP_BASE, MMAP_MIN_ADDR } from '../hartcontext.ts';
import type { Kernel } from '../kernel.ts';
import type { Task } from '../task.ts';

export const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f, MAP_FIXED = 0x10,
  MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
const PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;

const pageUp = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

function anyMapped(mm: AddressSpace, addr: number, len: number): boolean {
  for (let a = addr; a < addr + len; a += PAGE_SIZE) if (mm.isMapped(a)) return true;
  return false;
}

/** Would mapping len more bytes exceed the per-process page budget? */
function overBudget(mm: AddressSpace, len: number): boolean {
  return mm.pageCount + len / PAGE_SIZE > MAX_PAGES;
}

/** The highest free page-aligned range of len bytes below MMAP_BASE, or -ENOMEM. */
function findFreeRange(mm: AddressSpace, len: number): number {
  let end = MMAP_BASE;
  let a = end;
  while (a - PAGE_SIZE >= MMAP_MIN_ADDR) {
    a -= PAGE_SIZE;
    if (mm.isMapped(a)) {
      end = a;
      continue;
    }
    if (end - a === len) return a;
  }
  return -ENOMEM;
}

function guestOf(t: Task): HartContext | null {
  return t.ctx instanceof HartContext ? t.ctx : null;
}

function brk(t: Task, addr: number): number {
  const g = guestOf(t);
  if (!g) return 0;
  const vm = g.vm;
  if (addr < vm.brkStart || addr >= MMAP_BASE) return vm.brk;
  const oldEnd = pageUp(vm.brk), newEnd = pageUp(addr);
  if (newEnd > oldEnd) {
    if (anyMapped(t.mm, oldEnd, newEnd - oldEnd) || overBudget(t.mm, newEnd - oldEnd)) return vm.brk;
    t.mm.map(oldEnd, newEnd - oldEnd, PROT_READ | PROT_WRITE);
  } else if (newEnd < oldEnd) {
    t.mm.unmap(newEnd, oldEnd - newEnd);
  }
  vm.brk = addr;
  return addr;
}

function mmap(t: Task, addr: number, length: number, prot: number, flags: number, fd: number, offset: number): number {
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -EINVAL;
  if (length === 0 || offset < 0 || offset % PAGE_SIZE !== 0) return -EINVAL;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -EINVAL;
  const len = pageUp(length);
  if (len >= USER_TOP) return -ENOMEM;
  let data: Uint8Array | null = null;
  if (!(flags & MAP_ANONYMOUS)) {
    const f = t.fds.get(fd);
    if (!f) return -EBADF;
    // Only regular files are mappable (a copy of their bytes: writes through MAP_SHARED are not written back).
    if (!f.inode || f.ops.kind !== 'regular') return -ENODEV;
    if (!f.readable) return -EACCES;
    if (type !== MAP_PRIVATE && prot & PROT_WRITE && !f.writable) return -EACCES;
    const inode = f.inode;
    data = offset < inode.size ? inode.data.subarray(offset, Math.min(inode.size, offset + len)) : new Uint8Array(0);
  }
  if (overBudget(t.mm, len)) return -ENOMEM;
  let at: number;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    if (addr < MMAP_MIN_ADDR || addr + len > USER_TOP) return -ENOMEM;
    if (flags & MAP_FIXED_NOREPLACE && anyMapped(t.mm, addr, len)) return -EEXIST;
    at = addr;
  } else {
    const hint = pageUp(addr);
    at = addr && hint >= MMAP_MIN_ADDR && hint + len <= MMAP_BASE && !anyMapped(t.mm, hint, len) ? hint : findFreeRange(t.mm, len);
    if (at < 0) return at;
  }
  t.mm.map(at, len, prot);
  if (data && data.length) t.mm.poke(at, data);
  return at;
}

export function registerMm(k: Kernel): void {
  const d = k.table.define.bind(k.table);

  d(214, 'brk', ['ptr'], (t, [addr]) => brk(t, addr));
  d(222, 'mmap', ['ptr', 'size', 'hex', 'hex', 'fd', 'long'], (t, [addr, len, prot, flags, fd, off]) =>
    mmap(t, addr, len, prot, flags, fd, off));
  d(215, 'munmap', ['ptr', 'size'], (t, [addr, len]) => {
    if (addr % PAGE_SIZE !== 0 || len === 0 || addr + len > USER_TOP) return -EINVAL;
    t.mm.unmap(addr, pageUp(len));
    return 0;
  });
  d(226, 'mprotect', ['ptr', 'size', 'hex'], (t, [addr, len, prot]) => {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
    if (len === 0) return 0;
    if (addr + pageUp(len) > USER_TOP) return -ENOMEM;
    return t.mm.protect(addr, pageUp(len), prot & 7) ? 0 : -ENOMEM;
  });
  d(233, 'madvise', ['ptr', 'size', 'int'], (_t, [addr]) => (addr % PAGE_SIZE !== 0 ? -EINVAL : 0));
}
