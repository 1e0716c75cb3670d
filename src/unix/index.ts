// AF_UNIX sockets: registers the socket syscalls into a kernel.
import type { Kernel } from '../kernel/kernel.ts';

export function registerUnix(_k: Kernel): void {}
