// Filesystem syscalls over the in-memory VFS (openat, mkdirat, unlinkat,
// newfstatat, fstat, faccessat, getcwd, chdir, fchmod ...).
import type { Kernel } from '../kernel.ts';

export function registerFs(_k: Kernel): void {}
