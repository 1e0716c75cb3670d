// Character devices: /dev/null, as drivers/char/mem.c has it (the only device
// node there is). Reads see end of file, writes consume everything without
// looking at it, a seek always lands at 0, and with no poll method of its own
// the file is always readable and writable (DEFAULT_POLLMASK). Runtimes open
// it for a child's unset stdin and stdout (Go's os/exec, posix_spawn users).
import { ENXIO } from './errno.ts';
import type { FileOps, OpenFile, StatInfo } from './file.ts';
import { ROOT_CREDS, type Kernel } from './kernel.ts';
import { statInode } from './regular.ts';
import type { Task } from './task.ts';
import type { UserIO } from './userio.ts';
import { S_IFCHR } from './abi.ts';
import type { Inode } from './vfs.ts';

/** new_encode_dev(MKDEV(1, 3)): the mem driver's minor 3 */
export const DEV_NULL = (1 << 8) | 3;
const POLLIN = 0x1, POLLOUT = 0x4, POLLRDNORM = 0x40, POLLWRNORM = 0x100;

export class NullDevice implements FileOps {
  readonly kind = 'chr';

  constructor(readonly inode: Inode, readonly path: string) {}

  read(): number {
    return 0; // read_null
  }

  write(_t: Task, _f: OpenFile, io: UserIO): number {
    return io.total; // write_null: count, the buffer untouched
  }

  pread(): number {
    return 0;
  }

  pwrite(_t: Task, _f: OpenFile, io: UserIO): number {
    return io.total;
  }

  llseek(f: OpenFile): number {
    f.pos = 0; // null_lseek
    return 0;
  }

  poll(): number {
    return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
  }

  stat(): StatInfo {
    return statInode(this.inode);
  }

  describe(): string {
    return this.path;
  }
}

/** Makes /dev/null at boot (devtmpfs's node: crw-rw-rw- root root 1, 3). */
export function makeDeviceNodes(k: Kernel): void {
  const l = k.vfs.resolve('/dev/null', k.vfs.root, ROOT_CREDS);
  if (typeof l === 'number' || l.inode) return;
  const inode = k.vfs.create(l, S_IFCHR | 0o666, ROOT_CREDS);
  if (typeof inode !== 'number') inode.rdev = DEV_NULL;
}

/** chrdev_open: the driver behind a character device inode, or ENXIO when there is none. */
export function openCharDevice(inode: Inode, path: string): FileOps | number {
  return inode.rdev === DEV_NULL ? new NullDevice(inode, path) : -ENXIO;
}
