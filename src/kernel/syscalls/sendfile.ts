// sendfile: bytes from a file to any writable file without passing through
// user memory (do_sendfile, do_splice_direct in fs/read_write.c and
// fs/splice.c). The source is read at its offset in chunks of a pipe's
// worth and each chunk is written to the destination as write(2) would
// write it: it blocks, or is EAGAIN, as the destination's O_NONBLOCK says.
// The source's offset moves by what was written, not by what was read, so
// nothing is lost when the destination takes less.
import { MAX_RW_COUNT, O_APPEND } from '../abi.ts';
import { EBADF, EFAULT, EINVAL, ESPIPE } from '../errno.ts';
import { fdget } from '../fdget.ts';
import type { OpenFile } from '../file.ts';
import { KernelIO } from '../kernelio.ts';
import type { Kernel } from '../kernel.ts';
import { PIPE_CAPACITY } from '../pipe.ts';
import { settle, type KernelYield, type SyscallGen } from '../syscall.ts';
import type { Task } from '../task.ts';
import { getI64, putU64 } from '../uaccess.ts';

/** splice_direct_to_actor's internal pipe: at most this much is read before it is written */
const CHUNK = PIPE_CAPACITY;

/**
 * Moves up to `count` bytes from `src` at `pos` to `dst`; the bytes written
 * (or -errno if none were) and the offset after them.
 */
function* copyDirect(t: Task, src: OpenFile, pos: number, dst: OpenFile, count: number): Generator<KernelYield, { ret: number; pos: number }, void> {
  let total = 0;
  while (total < count) {
    const chunk = new KernelIO(new Uint8Array(Math.min(CHUNK, count - total)));
    const got = yield* settle(src.ops.pread!(t, src, chunk, pos));
    if (got < 0) return { ret: total > 0 ? total : got, pos };
    if (got === 0) break;
    const out = new KernelIO(chunk.filled);
    const put = yield* settle(dst.ops.write!(t, dst, out));
    if (put < 0) return { ret: total > 0 ? total : put, pos };
    total += put;
    pos += put;
    if (put < got) break;
  }
  return { ret: total, pos };
}

function* sendfile(t: Task, outFd: number, inFd: number, offp: number, count: number): SyscallGen {
  // sys_sendfile64: the offset is read before any fd is looked at
  let off: number | null = null;
  if (offp !== 0) {
    off = getI64(t.mm, offp);
    if (off === null) return -EFAULT;
  }
  const src = fdget(t, inFd);
  if (!src || !src.readable) return -EBADF;
  // an offset needs a file that can be read at one (FMODE_PREAD)
  if (off !== null && !src.ops.pread) return -ESPIPE;
  const pos = off ?? src.pos;
  if (pos < 0 || count >= 2 ** 63) return -EINVAL; // rw_verify_area
  const dst = fdget(t, outFd);
  if (!dst || !dst.writable) return -EBADF;
  if (!dst.ops.write) return -EINVAL;
  // do_splice_direct: not onto an O_APPEND file, and only from a regular file, which can be re-read
  // where the destination stopped ("we don't want to randomly drop data for eg socket -> socket")
  if (dst.flags & O_APPEND) return -EINVAL;
  if (src.ops.kind !== 'regular' || !src.ops.pread) return -EINVAL;
  const r = yield* copyDirect(t, src, pos, dst, Math.min(count, MAX_RW_COUNT));
  if (off === null) src.pos = r.pos;
  else if (!putU64(t.mm, offp, r.pos)) return -EFAULT;
  return r.ret;
}

export function registerSendfile(k: Kernel): void {
  k.table.define(71, 'sendfile', ['fd', 'fd', 'ptr', 'size'], (t, [outFd, inFd, offp, count]) => sendfile(t, outFd, inFd, offp, count));
}
