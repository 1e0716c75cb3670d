// The syscall wrappers scripted programs call: `yield* sys.write(fd, "hi")`.
// Each one marshals its arguments into the task's own memory (scratch
// space), enters the kernel by Linux riscv64 syscall number through the
// same dispatch a RISC-V ecall uses, and decodes the result. Results are
// numbers (>= 0, or -errno) unless the call also returns data.
import { AT_FDCWD, AT_REMOVEDIR, O_CLOEXEC, SIG_DFL, SIG_IGN } from '../kernel/abi.ts';
import { fromLatin1, latin1 } from '../kernel/uaccess.ts';
import type { ScriptContext, ScriptYield, Program } from './context.ts';
import { SYSCALL } from './context.ts';
import { Scratch } from './scratch.ts';
import { decodeStat, type Stat } from './structs.ts';

export type Bytes = string | Uint8Array;
export type SysGen<T> = Generator<ScriptYield, T, number>;

/** Data-returning calls give the result and the bytes (empty on error). */
export interface DataResult {
  ret: number;
  data: Uint8Array;
}

/** Script signal handlers are reached through this fake handler address range. */
export const SCRIPT_HANDLER_BASE = 0x5c00_0000;

export function toBytes(b: Bytes): Uint8Array {
  return typeof b === 'string' ? new TextEncoder().encode(b) : b;
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

export class Sys {
  readonly scratch: Scratch;
  /** script signal handlers by signal number */
  readonly handlers = new Map<number, (signo: number) => void>();

  constructor(readonly ctx: ScriptContext) {
    this.scratch = new Scratch(() => ctx.task.mm);
  }

  get pid(): number {
    return this.ctx.task.pid;
  }

  /** Any syscall by number with raw register values; returns the raw result. */
  *syscall(nr: number, ...args: number[]): SysGen<number> {
    this.ctx.args.set(nr, args);
    return yield SYSCALL;
  }

  /** Records a named value for the scenario's checks (no syscall; appears in the trace). */
  log(key: string, value: unknown): void {
    const k = this.ctx.task.kernel;
    k.notes.push({ pid: this.pid, key, value });
    k.traceNote(this.ctx.task, 'note', `--- ${key} = ${JSON.stringify(value)} ---`);
  }

  // ---- files ----

  *open(path: string, flags: number, mode = 0o644): SysGen<number> {
    this.scratch.reset();
    return yield* this.syscall(56, AT_FDCWD, this.scratch.cstring(path), flags, mode);
  }

  *read(fd: number, n: number): SysGen<DataResult> {
    this.scratch.reset();
    const buf = this.scratch.alloc(n);
    const ret = yield* this.syscall(63, fd, buf, n);
    return { ret, data: ret > 0 ? this.scratch.read(buf, ret) : new Uint8Array(0) };
  }

  *write(fd: number, data: Bytes): SysGen<number> {
    this.scratch.reset();
    const b = toBytes(data);
    return yield* this.syscall(64, fd, this.scratch.put(b), b.length);
  }

  /** Reads until n bytes or EOF/error: a helper loop over read(2), each read a scheduling point. */
  *readAll(fd: number, n: number): SysGen<DataResult> {
    const parts: Uint8Array[] = [];
    let got = 0;
    let ret = 0;
    while (got < n) {
      const r = yield* this.read(fd, n - got);
      ret = r.ret;
      if (r.ret <= 0) break;
      parts.push(r.data);
      got += r.ret;
    }
    const data = new Uint8Array(got);
    let off = 0;
    for (const p of parts) {
      data.set(p, off);
      off += p.length;
    }
    return { ret: got > 0 ? got : ret, data };
  }

  *readv(fd: number, sizes: number[]): SysGen<DataResult> {
    this.scratch.reset();
    const iov = this.scratch.alloc(16 * sizes.length);
    const bufs = sizes.map((n) => this.scratch.alloc(n));
    this.putIovec(iov, bufs, sizes);
    const ret = yield* this.syscall(65, fd, iov, sizes.length);
    return { ret, data: ret > 0 ? this.gather(bufs, sizes, ret) : new Uint8Array(0) };
  }

  *writev(fd: number, parts: Bytes[]): SysGen<number> {
    this.scratch.reset();
    const bs = parts.map(toBytes);
    const iov = this.scratch.alloc(16 * bs.length);
    const bufs = bs.map((b) => this.scratch.put(b));
    this.putIovec(iov, bufs, bs.map((b) => b.length));
    return yield* this.syscall(66, fd, iov, bs.length);
  }

  *pread(fd: number, n: number, pos: number): SysGen<DataResult> {
    this.scratch.reset();
    const buf = this.scratch.alloc(n);
    const ret = yield* this.syscall(67, fd, buf, n, pos);
    return { ret, data: ret > 0 ? this.scratch.read(buf, ret) : new Uint8Array(0) };
  }

  *lseek(fd: number, off: number, whence: number): SysGen<number> {
    return yield* this.syscall(62, fd, off, whence);
  }

  *close(fd: number): SysGen<number> {
    return yield* this.syscall(57, fd);
  }

  *dup(fd: number): SysGen<number> {
    return yield* this.syscall(23, fd);
  }

  *dup2(oldfd: number, newfd: number, cloexec = false): SysGen<number> {
    return yield* this.syscall(24, oldfd, newfd, cloexec ? O_CLOEXEC : 0);
  }

  *fcntl(fd: number, cmd: number, arg = 0): SysGen<number> {
    return yield* this.syscall(25, fd, cmd, arg);
  }

  *ioctlInt(fd: number, req: number): SysGen<DataResult> {
    this.scratch.reset();
    const p = this.scratch.alloc(4);
    const ret = yield* this.syscall(29, fd, req, p);
    return { ret, data: this.scratch.read(p, 4) };
  }

  *pipe(flags = 0): SysGen<{ ret: number; fds: [number, number] }> {
    this.scratch.reset();
    const p = this.scratch.alloc(8);
    const ret = yield* this.syscall(59, p, flags);
    const b = this.scratch.read(p, 8);
    const v = new DataView(b.buffer, b.byteOffset);
    return { ret, fds: ret === 0 ? [v.getInt32(0, true), v.getInt32(4, true)] : [-1, -1] };
  }

  *unlink(path: string): SysGen<number> {
    this.scratch.reset();
    return yield* this.syscall(35, AT_FDCWD, this.scratch.cstring(path), 0);
  }

  *rmdir(path: string): SysGen<number> {
    this.scratch.reset();
    return yield* this.syscall(35, AT_FDCWD, this.scratch.cstring(path), AT_REMOVEDIR);
  }

  *mkdir(path: string, mode = 0o755): SysGen<number> {
    this.scratch.reset();
    return yield* this.syscall(34, AT_FDCWD, this.scratch.cstring(path), mode);
  }

  *stat(path: string): SysGen<{ ret: number; stat: Stat | null }> {
    this.scratch.reset();
    const buf = this.scratch.alloc(128);
    const ret = yield* this.syscall(79, AT_FDCWD, this.scratch.cstring(path), buf, 0);
    return { ret, stat: ret === 0 ? decodeStat(this.scratch.read(buf, 128)) : null };
  }

  *fstat(fd: number): SysGen<{ ret: number; stat: Stat | null }> {
    this.scratch.reset();
    const buf = this.scratch.alloc(128);
    const ret = yield* this.syscall(80, fd, buf);
    return { ret, stat: ret === 0 ? decodeStat(this.scratch.read(buf, 128)) : null };
  }

  *access(path: string, mode: number): SysGen<number> {
    this.scratch.reset();
    return yield* this.syscall(48, AT_FDCWD, this.scratch.cstring(path), mode);
  }

  *chdir(path: string): SysGen<number> {
    this.scratch.reset();
    return yield* this.syscall(49, this.scratch.cstring(path));
  }

  *getcwd(): SysGen<{ ret: number; path: string }> {
    this.scratch.reset();
    const buf = this.scratch.alloc(4096);
    const ret = yield* this.syscall(17, buf, 4096);
    return { ret, path: ret > 0 ? latin1(this.scratch.read(buf, ret - 1)) : '' };
  }

  *umask(mask: number): SysGen<number> {
    return yield* this.syscall(166, mask);
  }

  *fchmod(fd: number, mode: number): SysGen<number> {
    return yield* this.syscall(52, fd, mode);
  }

  // ---- processes ----

  /** fork(2) as glibc does it (clone with SIGCHLD); the child runs `child` and exits with its return value. */
  *fork(child: Program): SysGen<number> {
    this.ctx.childProgram = child;
    const r = yield* this.syscall(220, 17 /* SIGCHLD */, 0, 0, 0, 0);
    this.ctx.childProgram = null;
    return r;
  }

  /** wait4(pid, &status, options): the pid and status word. */
  *wait(pid = -1, options = 0): SysGen<{ ret: number; status: number }> {
    this.scratch.reset();
    const p = this.scratch.alloc(4);
    const ret = yield* this.syscall(260, pid, p, options, 0);
    const b = this.scratch.read(p, 4);
    return { ret, status: ret > 0 ? new DataView(b.buffer, b.byteOffset).getInt32(0, true) : 0 };
  }

  *exit(code: number): SysGen<never> {
    yield* this.syscall(94, code);
    throw new Error('exit_group returned');
  }

  *getpid(): SysGen<number> {
    return yield* this.syscall(172);
  }
  *getppid(): SysGen<number> {
    return yield* this.syscall(173);
  }
  *getuid(): SysGen<number> {
    return yield* this.syscall(174);
  }
  *getgid(): SysGen<number> {
    return yield* this.syscall(176);
  }

  *schedYield(): SysGen<number> {
    return yield* this.syscall(124);
  }

  /** Sleeps for `ns` virtual nanoseconds (ticks). */
  *nanosleep(ns: number): SysGen<number> {
    this.scratch.reset();
    const ts = this.scratch.alloc(16);
    const sec = Math.floor(ns / 1e9);
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setBigInt64(0, BigInt(sec), true);
    v.setBigInt64(8, BigInt(ns - sec * 1e9), true);
    this.ctx.task.mm.poke(ts, b);
    return yield* this.syscall(101, ts, 0);
  }

  /** CLOCK_MONOTONIC in nanoseconds (virtual time). */
  *now(): SysGen<number> {
    this.scratch.reset();
    const ts = this.scratch.alloc(16);
    yield* this.syscall(113, 1, ts);
    const v = new DataView(this.scratch.read(ts, 16).buffer);
    return Number(v.getBigInt64(0, true)) * 1e9 + Number(v.getBigInt64(8, true));
  }

  *kill(pid: number, sig: number): SysGen<number> {
    return yield* this.syscall(129, pid, sig);
  }

  /** Sets a signal's disposition: 'default', 'ignore', or a handler run on return to user mode. */
  *sigaction(sig: number, handler: 'default' | 'ignore' | ((signo: number) => void), flags = 0): SysGen<number> {
    this.scratch.reset();
    let h: number;
    if (handler === 'default') h = SIG_DFL;
    else if (handler === 'ignore') h = SIG_IGN;
    else {
      this.handlers.set(sig, handler);
      h = SCRIPT_HANDLER_BASE + sig;
    }
    const act = this.scratch.alloc(24);
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setUint32(0, h, true);
    v.setUint32(8, flags >>> 0, true);
    this.ctx.task.mm.poke(act, b);
    return yield* this.syscall(134, sig, act, 0, 8);
  }

  // ---- helpers ----

  protected putIovec(iov: number, bufs: number[], sizes: number[]): void {
    const b = new Uint8Array(16 * bufs.length);
    const v = new DataView(b.buffer);
    bufs.forEach((addr, i) => {
      v.setUint32(16 * i, addr, true);
      v.setUint32(16 * i + 8, sizes[i], true);
    });
    this.ctx.task.mm.poke(iov, b);
  }

  protected gather(bufs: number[], sizes: number[], total: number): Uint8Array {
    const out = new Uint8Array(total);
    let off = 0;
    for (let i = 0; i < bufs.length && off < total; i++) {
      const n = Math.min(sizes[i], total - off);
      out.set(this.scratch.read(bufs[i], n), off);
      off += n;
    }
    return out;
  }

  protected bytesOf(s: string): Uint8Array {
    return fromLatin1(s);
  }
}
