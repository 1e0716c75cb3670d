// Write-back requests: fsync, fdatasync, syncfs, sync and fadvise64. The
// file system is memory, so there is nothing to write back; what a guest
// can see is which files accept the request (vfs_fsync_range needs the
// file's ->fsync: regular files and directories have one, pipes, sockets
// and character devices do not) and fadvise's argument checks
// (generic_fadvise). An O_PATH fd is EBADF for all of them (fdget refuses
// FMODE_PATH).
import { EBADF, EINVAL, ESPIPE } from '../errno.ts';
import type { OpenFile } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import type { Task } from '../task.ts';

/** POSIX_FADV_NORMAL .. POSIX_FADV_NOREUSE */
const FADV_MAX = 5;

function fileOf(t: Task, fd: number): OpenFile | null {
  const f = t.fds.get(fd);
  return f && f.ops.kind !== 'path' ? f : null;
}

function fsync(t: Task, fd: number): number {
  const f = fileOf(t, fd);
  if (!f) return -EBADF;
  return f.ops.kind === 'regular' || f.ops.kind === 'dir' ? 0 : -EINVAL;
}

export function registerSync(k: Kernel): void {
  const d = k.table.define.bind(k.table);
  d(82, 'fsync', ['fd'], (t, [fd]) => fsync(t, fd));
  d(83, 'fdatasync', ['fd'], (t, [fd]) => fsync(t, fd));
  d(267, 'syncfs', ['fd'], (t, [fd]) => (fileOf(t, fd) ? 0 : -EBADF));
  d(81, 'sync', [], () => 0);
  d(223, 'fadvise64', ['fd', 'long', 'long', 'int'], (t, [fd, _offset, len, advice]) => {
    const f = fileOf(t, fd);
    if (!f) return -EBADF;
    if (f.ops.kind === 'pipe') return -ESPIPE;
    if (len < 0 || advice < 0 || advice > FADV_MAX) return -EINVAL;
    return 0;
  });
}
