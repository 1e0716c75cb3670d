// Memory management: brk, mmap, munmap, mprotect, madvise, on the paged
// address space. Placement is deterministic: mmap without MAP_FIXED takes
// the highest free range below MMAP_BASE (Linux's top-down allocator with
// no randomisation); brk grows the heap from the end of the image. A
// mapping is a reservation: pages cost the run's memory budget only once
// touched. Like Linux's overcommit heuristic, a writable request larger
// than all of memory (the budget) is refused with ENOMEM up front.
import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, SharedMemory, USER_TOP, type AddressSpace } from '../../hw/memory.ts';
import { EACCES, EBADF, EEXIST, EINVAL, ENODEV, ENOMEM } from '../errno.ts';
import { HartContext, MMAP_BASE, MMAP_MIN_ADDR } from '../hartcontext.ts';
import type { Kernel } from '../kernel.ts';
import type { Task } from '../task.ts';

export const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f, MAP_FIXED = 0x10,
  MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
const PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;

const pageUp = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/** __vm_enough_memory under OVERCOMMIT_GUESS: a committed (writable) request larger than all of memory fails. */
function overcommits(mm: AddressSpace, len: number, prot: number): boolean {
  return (prot & PROT_WRITE) !== 0 && len > mm.budget.limit;
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
    if (t.mm.anyMapped(oldEnd, newEnd - oldEnd) || overcommits(t.mm, newEnd - vm.brkStart, PROT_WRITE)) return vm.brk;
    if (!t.mm.map(oldEnd, newEnd - oldEnd, PROT_READ | PROT_WRITE)) return vm.brk;
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
  /** bytes of the mapping backed by the file (whole pages); the pages after them are past its end */
  let backed = len;
  if (!(flags & MAP_ANONYMOUS)) {
    const f = t.fds.get(fd);
    if (!f) return -EBADF;
    // Only regular files are mappable (a copy of their bytes: writes through MAP_SHARED are not written back).
    if (!f.inode || f.ops.kind !== 'regular') return -ENODEV;
    if (!f.readable) return -EACCES;
    if (type !== MAP_PRIVATE && prot & PROT_WRITE && !f.writable) return -EACCES;
    const inode = f.inode;
    data = offset < inode.size ? inode.data.subarray(offset, Math.min(inode.size, offset + len)) : new Uint8Array(0);
    // filemap_fault: a page wholly past the end of the file (as it is now) is SIGBUS; the last partial page reads zeros past it
    backed = Math.min(len, pageUp(Math.max(inode.size - offset, 0)));
  }
  if (overcommits(t.mm, len, prot)) return -ENOMEM;
  let at: number;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    if (addr < MMAP_MIN_ADDR || addr + len > USER_TOP) return -ENOMEM;
    if (flags & MAP_FIXED_NOREPLACE && t.mm.anyMapped(addr, len)) return -EEXIST;
    at = addr;
  } else {
    const hint = pageUp(addr);
    at = addr && hint >= MMAP_MIN_ADDR && hint + len <= MMAP_BASE && !t.mm.anyMapped(hint, len) ? hint : t.mm.findFree(len, MMAP_MIN_ADDR, MMAP_BASE);
    if (at < 0) return -ENOMEM;
  }
  // MAP_SHARED: one set of frames for this mapping and every fork child's copy of it.
  const shared = type === MAP_PRIVATE ? null : new SharedMemory(t.mm.budget);
  if (!t.mm.map(at, backed, prot, shared)) return -ENOMEM;
  if (backed < len && !t.mm.map(at + backed, len - backed, prot, null, 0, true)) {
    t.mm.unmap(at, backed);
    return -ENOMEM;
  }
  if (data && data.length && !t.mm.poke(at, data)) {
    t.mm.unmap(at, len);
    return -ENOMEM;
  }
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
    if (addr + pageUp(len) > USER_TOP || overcommits(t.mm, pageUp(len), prot)) return -ENOMEM;
    return t.mm.protect(addr, pageUp(len), prot & 7) ? 0 : -ENOMEM;
  });
  d(233, 'madvise', ['ptr', 'size', 'int'], (_t, [addr]) => (addr % PAGE_SIZE !== 0 ? -EINVAL : 0));
}
