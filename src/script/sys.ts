// The syscall wrappers scripted programs call: `yield* sys.write(fd, "hi")`.
// Each one marshals its arguments into the task's own memory (scratch
// space), enters the kernel by Linux riscv64 syscall number through the
// same dispatch a RISC-V ecall uses, and decodes the result. Results are
// numbers (>= 0, or -errno) unless the call also returns data.
import { AT_FDCWD, AT_REMOVEDIR, O_CLOEXEC, SIG_DFL, SIG_IGN } from '../kernel/abi.ts';
import { CLONE_CHILD_CLEARTID, CLONE_FILES, CLONE_FS, CLONE_PARENT_SETTID, CLONE_SIGHAND, CLONE_SYSVSEM, CLONE_THREAD, CLONE_VM } from '../kernel/syscalls/proc.ts';
import { EDEADLK, EINVAL, ESRCH } from '../kernel/errno.ts';
import { fromLatin1, getU32, latin1 } from '../kernel/uaccess.ts';
import { PAGE_SIZE, PROT_READ, PROT_WRITE } from '../hw/memory.ts';
import type { ScriptContext, ScriptYield, Program, SyscallToken } from './context.ts';
import { SYSCALL } from './context.ts';
import { THREAD_AREA_SIZE, type ScriptHandler } from './process.ts';
import { Scratch } from './scratch.ts';
import { decodeStat, type Stat } from './structs.ts';
import { decodeSockName, encodeSockAddr, type SockAddr, type SockName } from './sockaddr.ts';
import {
  decodeControl, DEFAULT_CONTROL_LEN, encodeControl, msghdrBytes, type RecvMsgOptions, type RecvMsgResult, type SendMsg,
} from './msg.ts';

export { decodeSockName, encodeSockAddr, type SockAddr, type SockName } from './sockaddr.ts';
export { decodeControl, encodeControl, type RecvMsgOptions, type RecvMsgResult, type ScmCreds, type SendMsg } from './msg.ts';

export type Bytes = string | Uint8Array;
export type SysGen<T> = Generator<ScriptYield, T, number>;

/** Data-returning calls give the result and the bytes (empty on error). */
export interface DataResult {
  ret: number;
  data: Uint8Array;
}

/** Script signal handlers are reached through this fake handler address range. */
export const SCRIPT_HANDLER_BASE = 0x5c00_0000;

const utf8 = new TextEncoder();

export function toBytes(b: Bytes): Uint8Array {
  if (typeof b !== 'string') return b;
  // Short ASCII strings (most script messages) skip the encoder; the bytes are the same.
  if (b.length <= 64) {
    const out = new Uint8Array(b.length);
    for (let i = 0; i < b.length; i++) {
      const c = b.charCodeAt(i);
      if (c > 0x7f) return utf8.encode(b);
      out[i] = c;
    }
    return out;
  }
  return utf8.encode(b);
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** Size of the address buffer socket wrappers pass (sizeof(struct sockaddr_storage)). */
const ADDR_BUF = 128;

/** sys.fork's options. */
export interface ForkOptions {
  /** the child's name in reports and run.exit(name) (default: the program function's name, else the parent's) */
  name?: string;
}

/** sys.thread's options. */
export interface ThreadOptions {
  /** the thread's name in trace labels (default: the program function's name) */
  name?: string;
}

/** pthread_create's clone flags (glibc's create_thread), less CLONE_SETTLS: a script has no thread pointer. */
const THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
  CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;

export class Sys {
  readonly scratch: Scratch;

  constructor(readonly ctx: ScriptContext, scratchBase?: number) {
    this.scratch = scratchBase === undefined
      ? new Scratch(() => ctx.task.mm)
      : new Scratch(() => ctx.task.mm, scratchBase, THREAD_AREA_SIZE - PAGE_SIZE);
  }

  /** the process id (getpid: the thread group's id) */
  get pid(): number {
    return this.ctx.task.tgid;
  }

  /** this thread's id (gettid); the pid for a process's first thread */
  get tid(): number {
    return this.ctx.task.pid;
  }

  /** argv the program was started (or execve'd) with; [name] for a scenario's process */
  get argv(): readonly string[] {
    return this.ctx.argv;
  }

  get envp(): readonly string[] {
    return this.ctx.envp;
  }

  /** script signal handlers of this process by signal number */
  get handlers(): Map<number, ScriptHandler> {
    return this.ctx.proc.handlers;
  }

  /** Any syscall by number with raw register values; returns the raw result. */
  *syscall(nr: number, ...args: number[]): SysGen<number> {
    this.ctx.args.set(nr, args);
    return yield SYSCALL;
  }

  /**
   * The wrappers' entry: sets the registers and returns the token to yield,
   * `return yield this.enter(nr, ...)`, so a wrapper is one generator, not
   * two (and allocates no argument list).
   */
  private enter(nr: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): SyscallToken {
    this.ctx.args.set6(nr, a0, a1, a2, a3, a4, a5);
    return SYSCALL;
  }

  /** Records a named value for the scenario's checks (no syscall; appears in the trace). */
  log(key: string, value: unknown): void {
    const k = this.ctx.task.kernel;
    k.sched.recorder?.write(`log:${key}`);
    k.notes.push({ pid: this.pid, tid: this.tid, key, value });
    k.traceNote(this.ctx.task, 'note', `--- ${key} = ${JSON.stringify(value)} ---`);
  }

  // ---- files ----

  *open(path: string, flags: number, mode = 0o644): SysGen<number> {
    this.scratch.reset();
    return yield this.enter(56, AT_FDCWD, this.scratch.cstring(path), flags, mode);
  }

  *read(fd: number, n: number): SysGen<DataResult> {
    this.scratch.reset();
    const buf = this.scratch.alloc(n);
    const ret = yield this.enter(63, fd, buf, n);
    return { ret, data: ret > 0 ? this.scratch.read(buf, ret) : new Uint8Array(0) };
  }

  *write(fd: number, data: Bytes): SysGen<number> {
    this.scratch.reset();
    const at = typeof data === 'string' ? this.scratch.putAscii(data) : -1;
    if (at >= 0) return yield this.enter(64, fd, at, data.length);
    const b = toBytes(data);
    return yield this.enter(64, fd, this.scratch.put(b), b.length);
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
    const ret = yield this.enter(65, fd, iov, sizes.length);
    return { ret, data: ret > 0 ? this.gather(bufs, sizes, ret) : new Uint8Array(0) };
  }

  *writev(fd: number, parts: Bytes[]): SysGen<number> {
    this.scratch.reset();
    const bs = parts.map(toBytes);
    const iov = this.scratch.alloc(16 * bs.length);
    const bufs = bs.map((b) => this.scratch.put(b));
    this.putIovec(iov, bufs, bs.map((b) => b.length));
    return yield this.enter(66, fd, iov, bs.length);
  }

  *pread(fd: number, n: number, pos: number): SysGen<DataResult> {
    this.scratch.reset();
    const buf = this.scratch.alloc(n);
    const ret = yield this.enter(67, fd, buf, n, pos);
    return { ret, data: ret > 0 ? this.scratch.read(buf, ret) : new Uint8Array(0) };
  }

  *lseek(fd: number, off: number, whence: number): SysGen<number> {
    return yield this.enter(62, fd, off, whence);
  }

  *close(fd: number): SysGen<number> {
    return yield this.enter(57, fd);
  }

  *dup(fd: number): SysGen<number> {
    return yield this.enter(23, fd);
  }

  *dup2(oldfd: number, newfd: number, cloexec = false): SysGen<number> {
    return yield this.enter(24, oldfd, newfd, cloexec ? O_CLOEXEC : 0);
  }

  *fcntl(fd: number, cmd: number, arg = 0): SysGen<number> {
    return yield this.enter(25, fd, cmd, arg);
  }

  *ioctlInt(fd: number, req: number): SysGen<DataResult> {
    this.scratch.reset();
    const p = this.scratch.alloc(4);
    const ret = yield this.enter(29, fd, req, p);
    return { ret, data: this.scratch.read(p, 4) };
  }

  *pipe(flags = 0): SysGen<{ ret: number; fds: [number, number] }> {
    this.scratch.reset();
    const p = this.scratch.alloc(8);
    const ret = yield this.enter(59, p, flags);
    const b = this.scratch.read(p, 8);
    const v = new DataView(b.buffer, b.byteOffset);
    return { ret, fds: ret === 0 ? [v.getInt32(0, true), v.getInt32(4, true)] : [-1, -1] };
  }

  *unlink(path: string): SysGen<number> {
    this.scratch.reset();
    return yield this.enter(35, AT_FDCWD, this.scratch.cstring(path), 0);
  }

  *rmdir(path: string): SysGen<number> {
    this.scratch.reset();
    return yield this.enter(35, AT_FDCWD, this.scratch.cstring(path), AT_REMOVEDIR);
  }

  *mkdir(path: string, mode = 0o755): SysGen<number> {
    this.scratch.reset();
    return yield this.enter(34, AT_FDCWD, this.scratch.cstring(path), mode);
  }

  *stat(path: string): SysGen<{ ret: number; stat: Stat | null }> {
    this.scratch.reset();
    const buf = this.scratch.alloc(128);
    const ret = yield this.enter(79, AT_FDCWD, this.scratch.cstring(path), buf, 0);
    return { ret, stat: ret === 0 ? decodeStat(this.scratch.read(buf, 128)) : null };
  }

  *fstat(fd: number): SysGen<{ ret: number; stat: Stat | null }> {
    this.scratch.reset();
    const buf = this.scratch.alloc(128);
    const ret = yield this.enter(80, fd, buf);
    return { ret, stat: ret === 0 ? decodeStat(this.scratch.read(buf, 128)) : null };
  }

  *access(path: string, mode: number): SysGen<number> {
    this.scratch.reset();
    return yield this.enter(48, AT_FDCWD, this.scratch.cstring(path), mode);
  }

  *chdir(path: string): SysGen<number> {
    this.scratch.reset();
    return yield this.enter(49, this.scratch.cstring(path));
  }

  *getcwd(): SysGen<{ ret: number; path: string }> {
    this.scratch.reset();
    const buf = this.scratch.alloc(4096);
    const ret = yield this.enter(17, buf, 4096);
    return { ret, path: ret > 0 ? latin1(this.scratch.read(buf, ret - 1)) : '' };
  }

  *umask(mask: number): SysGen<number> {
    return yield this.enter(166, mask);
  }

  *fchmod(fd: number, mode: number): SysGen<number> {
    return yield this.enter(52, fd, mode);
  }

  // ---- processes ----

  /**
   * fork(2) as glibc does it (clone with SIGCHLD); the child runs `child`
   * and exits with its return value. Returns the child's pid (in the parent)
   * or -errno. The child is named `options.name`, else the function's name.
   */
  *fork(child: Program, options: ForkOptions = {}): SysGen<number> {
    this.ctx.pendingChild = { kind: 'fork', program: child, name: options.name };
    const r = yield this.enter(220, 17 /* SIGCHLD */, 0, 0, 0, 0);
    this.ctx.pendingChild = null;
    return r;
  }

  /**
   * clone(2) with `flags` (e.g. CLONE_FILES and/or CLONE_FS, without
   * CLONE_VM: a process sharing this one's fd table or cwd); the child
   * runs `child`. Returns the child's pid or -errno.
   */
  *clone(flags: number, child: Program, options: ForkOptions = {}): SysGen<number> {
    this.ctx.pendingChild = { kind: 'fork', program: child, name: options.name };
    const r = yield this.enter(220, flags, 0, 0, 0, 0);
    this.ctx.pendingChild = null;
    return r;
  }

  /**
   * pthread_create: a new thread of this process (clone with CLONE_VM,
   * CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_THREAD) running `program`.
   * Returns its tid or -errno. Returning from the program ends the thread
   * only (exit(2)); sys.exit ends the whole process (exit_group).
   */
  *thread(program: Program, options: ThreadOptions = {}): SysGen<number> {
    const area = this.ctx.proc.takeThreadArea();
    // The thread's tid word (CLONE_PARENT_SETTID sets it, CLONE_CHILD_CLEARTID zeroes it at exit), then its scratch space.
    this.ctx.task.mm.map(area, PAGE_SIZE, PROT_READ | PROT_WRITE);
    this.ctx.pendingChild = { kind: 'thread', program, name: options.name, scratchBase: area + PAGE_SIZE };
    const tid = yield this.enter(220, THREAD_FLAGS, area + THREAD_AREA_SIZE, area, 0, area);
    this.ctx.pendingChild = null;
    if (tid > 0) this.ctx.proc.threads.set(tid, { tidAddr: area, value: undefined, joined: false });
    return tid;
  }

  /**
   * pthread_join: waits until thread `tid` has exited, as glibc does: a
   * futex wait on its tid word until the kernel's clear_child_tid zeroes
   * it. Returns 0 and what the thread's program returned; -ESRCH for a tid
   * sys.thread did not make here or one already joined (joining frees it),
   * -EINVAL while another thread is joining it, -EDEADLK for oneself.
   */
  *join(tid: number): SysGen<{ ret: number; value: number | void }> {
    if (tid === this.tid) return { ret: -EDEADLK, value: undefined };
    const rec = this.ctx.proc.threads.get(tid);
    if (!rec) return { ret: -ESRCH, value: undefined };
    if (rec.joined) return { ret: -EINVAL, value: undefined };
    rec.joined = true;
    for (;;) {
      const v = getU32(this.ctx.task.mm, rec.tidAddr);
      if (v === null || v === 0) break;
      yield this.enter(98, rec.tidAddr, 0 /* FUTEX_WAIT */, v, 0, 0, 0);
    }
    this.ctx.proc.threads.delete(tid);
    return { ret: 0, value: rec.value };
  }

  /** exit(2): ends this thread only (the process ends with its last thread). */
  *exitThread(code: number): SysGen<never> {
    yield this.enter(93, code);
    throw new Error('exit returned');
  }

  /**
   * execve(2): replaces this process's program with a guest ELF binary or
   * a script registered in the scenario's `programs`, keeping the pid,
   * open fds (but close-on-exec ones) and credentials; handled signals go
   * back to SIG_DFL. Returns only on failure (-errno).
   */
  *execve(path: string, argv: readonly string[] = [path], envp: readonly string[] = []): SysGen<number> {
    this.scratch.reset();
    const p = this.cstr(path);
    const vec = (strs: readonly string[]): number => {
      const ptrs = strs.map((x) => this.cstr(x));
      const b = new Uint8Array(8 * (ptrs.length + 1));
      const v = new DataView(b.buffer);
      ptrs.forEach((a, i) => v.setBigUint64(8 * i, BigInt(a), true));
      return this.scratch.put(b);
    };
    return yield this.enter(221, p, vec(argv), vec(envp));
  }

  /** A NUL-terminated UTF-8 string in scratch memory. */
  private cstr(s: string): number {
    const b = toBytes(s);
    const z = new Uint8Array(b.length + 1);
    z.set(b);
    return this.scratch.put(z);
  }

  /** wait4(pid, &status, options): the pid and status word. */
  *wait(pid = -1, options = 0): SysGen<{ ret: number; status: number }> {
    this.scratch.reset();
    const p = this.scratch.alloc(4);
    const ret = yield this.enter(260, pid, p, options, 0);
    const b = this.scratch.read(p, 4);
    return { ret, status: ret > 0 ? new DataView(b.buffer, b.byteOffset).getInt32(0, true) : 0 };
  }

  *exit(code: number): SysGen<never> {
    yield this.enter(94, code);
    throw new Error('exit_group returned');
  }

  *getpid(): SysGen<number> {
    return yield this.enter(172);
  }
  *getppid(): SysGen<number> {
    return yield this.enter(173);
  }
  *gettid(): SysGen<number> {
    return yield this.enter(178);
  }

  // ---- credentials (the raw calls: they change the calling thread's ids, as on Linux) ----

  *getuid(): SysGen<number> {
    return yield this.enter(174);
  }
  *geteuid(): SysGen<number> {
    return yield this.enter(175);
  }
  *getgid(): SysGen<number> {
    return yield this.enter(176);
  }
  *getegid(): SysGen<number> {
    return yield this.enter(177);
  }
  *setuid(uid: number): SysGen<number> {
    return yield this.enter(146, uid);
  }
  *setgid(gid: number): SysGen<number> {
    return yield this.enter(144, gid);
  }
  /** setreuid(2); -1 leaves an id unchanged */
  *setreuid(ruid: number, euid: number): SysGen<number> {
    return yield this.enter(145, ruid, euid);
  }
  *setregid(rgid: number, egid: number): SysGen<number> {
    return yield this.enter(143, rgid, egid);
  }
  /** setresuid(2); -1 leaves an id unchanged */
  *setresuid(ruid: number, euid: number, suid: number): SysGen<number> {
    return yield this.enter(147, ruid, euid, suid);
  }
  *setresgid(rgid: number, egid: number, sgid: number): SysGen<number> {
    return yield this.enter(149, rgid, egid, sgid);
  }
  /** getresuid(2): the real, effective and saved uids */
  *getresuid(): SysGen<{ ret: number; ruid: number; euid: number; suid: number }> {
    const [ret, r, e, s] = yield* this.getres(148);
    return { ret, ruid: r, euid: e, suid: s };
  }
  /** getresgid(2): the real, effective and saved gids */
  *getresgid(): SysGen<{ ret: number; rgid: number; egid: number; sgid: number }> {
    const [ret, r, e, s] = yield* this.getres(150);
    return { ret, rgid: r, egid: e, sgid: s };
  }
  private *getres(nr: number): SysGen<[number, number, number, number]> {
    this.scratch.reset();
    const p = this.scratch.alloc(12);
    const ret = yield this.enter(nr, p, p + 4, p + 8);
    const b = this.scratch.read(p, 12);
    const v = new DataView(b.buffer, b.byteOffset, 12);
    return ret === 0 ? [ret, v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true)] : [ret, -1, -1, -1];
  }

  *schedYield(): SysGen<number> {
    return yield this.enter(124);
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
    return yield this.enter(101, ts, 0);
  }

  /** CLOCK_MONOTONIC in nanoseconds (virtual time). */
  *now(): SysGen<number> {
    this.scratch.reset();
    const ts = this.scratch.alloc(16);
    yield this.enter(113, 1, ts);
    const v = new DataView(this.scratch.read(ts, 16).buffer);
    return Number(v.getBigInt64(0, true)) * 1e9 + Number(v.getBigInt64(8, true));
  }

  *kill(pid: number, sig: number): SysGen<number> {
    return yield this.enter(129, pid, sig);
  }

  /**
   * Sets a signal's disposition: 'default', 'ignore', or a handler run on
   * the return to user mode of the thread that takes the signal, given that
   * thread's `sys` (use it rather than a captured one: a forked child
   * inherits the handler and runs it with its own).
   */
  *sigaction(sig: number, handler: 'default' | 'ignore' | ScriptHandler, flags = 0): SysGen<number> {
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
    return yield this.enter(134, sig, act, 0, 8);
  }

  // ---- sockets ----

  *socket(domain: number, type: number, protocol = 0): SysGen<number> {
    return yield this.enter(198, domain, type, protocol);
  }

  *socketpair(domain: number, type: number, protocol = 0): SysGen<{ ret: number; fds: [number, number] }> {
    this.scratch.reset();
    const p = this.scratch.alloc(8);
    this.ctx.task.mm.poke(p, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    const ret = yield this.enter(199, domain, type, protocol, p);
    const b = this.scratch.read(p, 8);
    const v = new DataView(b.buffer, b.byteOffset);
    return { ret, fds: ret === 0 ? [v.getInt32(0, true), v.getInt32(4, true)] : [-1, -1] };
  }

  *bind(fd: number, addr: SockAddr): SysGen<number> {
    this.scratch.reset();
    const b = encodeSockAddr(addr);
    return yield this.enter(200, fd, this.scratch.put(b), b.length);
  }

  *listen(fd: number, backlog: number): SysGen<number> {
    return yield this.enter(201, fd, backlog);
  }

  *connect(fd: number, addr: SockAddr): SysGen<number> {
    this.scratch.reset();
    const b = encodeSockAddr(addr);
    return yield this.enter(203, fd, this.scratch.put(b), b.length);
  }

  /** accept(2), or accept4(2) when flags != 0; addr is the peer's address (null on error). */
  *accept(fd: number, flags = 0): SysGen<{ ret: number; addr: SockName | null }> {
    this.scratch.reset();
    const [buf, lenp] = this.addrOut();
    const ret = flags !== 0 ? yield this.enter(242, fd, buf, lenp, flags) : yield this.enter(202, fd, buf, lenp);
    return { ret, addr: ret >= 0 ? this.readAddr(buf, lenp) : null };
  }

  *getsockname(fd: number): SysGen<{ ret: number; addr: SockName | null }> {
    this.scratch.reset();
    const [buf, lenp] = this.addrOut();
    const ret = yield this.enter(204, fd, buf, lenp);
    return { ret, addr: ret === 0 ? this.readAddr(buf, lenp) : null };
  }

  *getpeername(fd: number): SysGen<{ ret: number; addr: SockName | null }> {
    this.scratch.reset();
    const [buf, lenp] = this.addrOut();
    const ret = yield this.enter(205, fd, buf, lenp);
    return { ret, addr: ret === 0 ? this.readAddr(buf, lenp) : null };
  }

  /** sendto(2) with a NULL address. */
  *send(fd: number, data: Bytes, flags = 0): SysGen<number> {
    this.scratch.reset();
    const b = toBytes(data);
    return yield this.enter(206, fd, this.scratch.put(b), b.length, flags, 0, 0);
  }

  *sendto(fd: number, data: Bytes, flags: number, addr: SockAddr): SysGen<number> {
    this.scratch.reset();
    const b = toBytes(data);
    const buf = this.scratch.put(b);
    const a = encodeSockAddr(addr);
    return yield this.enter(206, fd, buf, b.length, flags, this.scratch.put(a), a.length);
  }

  /** recvfrom(2) with a NULL address. */
  *recv(fd: number, n: number, flags = 0): SysGen<DataResult> {
    this.scratch.reset();
    const buf = this.scratch.alloc(n);
    const ret = yield this.enter(207, fd, buf, n, flags, 0, 0);
    return { ret, data: ret > 0 ? this.scratch.read(buf, Math.min(ret, n)) : new Uint8Array(0) };
  }

  *recvfrom(fd: number, n: number, flags = 0): SysGen<DataResult & { addr: SockName | null }> {
    this.scratch.reset();
    const buf = this.scratch.alloc(n);
    const [abuf, lenp] = this.addrOut();
    const ret = yield this.enter(207, fd, buf, n, flags, abuf, lenp);
    return {
      ret,
      data: ret > 0 ? this.scratch.read(buf, Math.min(ret, n)) : new Uint8Array(0),
      addr: ret >= 0 ? this.readAddr(abuf, lenp) : null,
    };
  }

  *shutdown(fd: number, how: number): SysGen<number> {
    return yield this.enter(210, fd, how);
  }

  /** setsockopt(2); a number is passed as a 4-byte int. */
  *setsockopt(fd: number, level: number, opt: number, value: number | Uint8Array): SysGen<number> {
    this.scratch.reset();
    let b: Uint8Array;
    if (typeof value === 'number') {
      b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, value | 0, true);
    } else b = value;
    return yield this.enter(208, fd, level, opt, this.scratch.put(b), b.length);
  }

  /** getsockopt(2) with a `len`-byte buffer; data is what the kernel reported, value its first 4 bytes as int32 (or 0). */
  *getsockopt(fd: number, level: number, opt: number, len = 4): SysGen<{ ret: number; data: Uint8Array; value: number }> {
    this.scratch.reset();
    const buf = this.scratch.alloc(Math.max(len, 0));
    const lenp = this.scratch.alloc(4);
    const lb = new Uint8Array(4);
    new DataView(lb.buffer).setInt32(0, len | 0, true);
    this.ctx.task.mm.poke(lenp, lb);
    const ret = yield this.enter(209, fd, level, opt, buf, lenp);
    if (ret !== 0) return { ret, data: new Uint8Array(0), value: 0 };
    const lw = this.scratch.read(lenp, 4);
    const got = new DataView(lw.buffer, lw.byteOffset).getInt32(0, true);
    const data = this.scratch.read(buf, Math.max(0, Math.min(got, len)));
    const value = data.length >= 4 ? new DataView(data.buffer, data.byteOffset).getInt32(0, true) : 0;
    return { ret, data, value };
  }

  /** An address buffer of sizeof(sockaddr_storage) and its addrlen word, preset to the buffer size. */
  protected addrOut(): [number, number] {
    const buf = this.scratch.alloc(ADDR_BUF);
    const lenp = this.scratch.alloc(4);
    const lb = new Uint8Array(4);
    new DataView(lb.buffer).setInt32(0, ADDR_BUF, true);
    this.ctx.task.mm.poke(lenp, lb);
    return [buf, lenp];
  }

  protected readAddr(buf: number, lenp: number): SockName {
    const lw = this.scratch.read(lenp, 4);
    const len = new DataView(lw.buffer, lw.byteOffset).getInt32(0, true);
    return decodeSockName(len, this.scratch.read(buf, Math.max(0, Math.min(len, ADDR_BUF))));
  }

  // ---- readiness: ppoll, epoll ----

  /** poll(2) as glibc does it on riscv64: ppoll with a timespec (or NULL when timeoutMs < 0) and no sigmask. */
  *poll(fds: { fd: number; events: number }[], timeoutMs = -1): SysGen<{ ret: number; revents: number[] }> {
    this.scratch.reset();
    const arr = this.scratch.alloc(8 * fds.length);
    const b = new Uint8Array(8 * fds.length);
    const v = new DataView(b.buffer);
    fds.forEach((p, i) => {
      v.setInt32(8 * i, p.fd | 0, true);
      v.setInt16(8 * i + 4, p.events << 16 >> 16, true);
    });
    if (fds.length) this.ctx.task.mm.poke(arr, b);
    let ts = 0;
    if (timeoutMs >= 0) {
      ts = this.scratch.alloc(16);
      const tb = new Uint8Array(16);
      const tv = new DataView(tb.buffer);
      tv.setBigInt64(0, BigInt(Math.floor(timeoutMs / 1000)), true);
      tv.setBigInt64(8, BigInt((timeoutMs % 1000) * 1_000_000), true);
      this.ctx.task.mm.poke(ts, tb);
    }
    const ret = yield this.enter(73, arr, fds.length, ts, 0, 8);
    const out = fds.length ? this.scratch.read(arr, 8 * fds.length) : new Uint8Array(0);
    const ov = new DataView(out.buffer, out.byteOffset, out.byteLength);
    return { ret, revents: fds.map((_, i) => ov.getUint16(8 * i + 6, true)) };
  }

  *epollCreate(flags = 0): SysGen<number> {
    return yield this.enter(20, flags);
  }

  /** epoll_ctl(2) with a struct epoll_event { u32 events; u64 data } (16 bytes on riscv64). */
  *epollCtl(epfd: number, op: number, fd: number, events: number, data = fd): SysGen<number> {
    this.scratch.reset();
    const ev = this.scratch.alloc(16);
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setUint32(0, events >>> 0, true);
    v.setBigUint64(8, BigInt.asUintN(64, BigInt(data)), true);
    this.ctx.task.mm.poke(ev, b);
    return yield this.enter(21, epfd, op, fd, ev);
  }

  /** epoll_pwait(2) with no sigmask; data comes back as a number (exact below 2^53). */
  *epollWait(epfd: number, max: number, timeoutMs = -1): SysGen<{ ret: number; events: { events: number; data: number }[] }> {
    this.scratch.reset();
    const buf = this.scratch.alloc(16 * Math.max(max, 1));
    const ret = yield this.enter(22, epfd, buf, max, timeoutMs, 0, 8);
    const events: { events: number; data: number }[] = [];
    if (ret > 0) {
      const out = this.scratch.read(buf, 16 * ret);
      const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
      for (let i = 0; i < ret; i++) events.push({ events: v.getUint32(16 * i, true), data: Number(v.getBigUint64(16 * i + 8, true)) });
    }
    return { ret, events };
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

  // ---- sendmsg / recvmsg (ancillary data) ----

  /**
   * sendmsg(2): `data` is one buffer or an iovec array; `fds` become one
   * SCM_RIGHTS header and `creds` an SCM_CREDENTIALS header (placed first),
   * `rawControl` is appended as is (for malformed control data); `name` is
   * msg_name. msg_controllen is the sum of the headers' CMSG_SPACE.
   */
  *sendmsg(fd: number, m: SendMsg, flags = 0): SysGen<number> {
    this.scratch.reset();
    const parts = m.data === undefined ? [] : Array.isArray(m.data) ? m.data.map(toBytes) : [toBytes(m.data)];
    const iov = this.scratch.alloc(16 * Math.max(1, parts.length));
    const bufs = parts.map((b) => this.scratch.put(b));
    this.putIovec(iov, bufs, parts.map((b) => b.length));
    const ctl = encodeControl(m);
    const ctlAddr = ctl.length ? this.scratch.put(ctl) : 0;
    let nameAddr = 0;
    let namelen = 0;
    if (m.name !== undefined) {
      const a = encodeSockAddr(m.name);
      nameAddr = this.scratch.put(a);
      namelen = a.length;
    }
    const hdr = msghdrBytes(nameAddr, namelen, iov, parts.length, ctlAddr, ctl.length);
    return yield this.enter(211, fd, this.scratch.put(hdr), flags);
  }

  /**
   * recvmsg(2) into iovecs of the given sizes (default one of 4096 bytes)
   * with a control buffer of `controlLen` bytes (default room for
   * credentials and SCM_MAX_FD fds; 0 passes msg_control = NULL). Returns
   * the fds and credentials the kernel wrote, msg_flags and msg_controllen,
   * and the control bytes themselves.
   */
  *recvmsg(fd: number, o: RecvMsgOptions = {}): SysGen<RecvMsgResult> {
    this.scratch.reset();
    const sizes = o.n === undefined ? [4096] : Array.isArray(o.n) ? o.n : [o.n];
    const controlLen = o.controlLen ?? DEFAULT_CONTROL_LEN;
    const iov = this.scratch.alloc(16 * Math.max(1, sizes.length));
    const bufs = sizes.map((n) => this.scratch.alloc(n));
    this.putIovec(iov, bufs, sizes);
    const ctl = controlLen > 0 ? this.scratch.alloc(controlLen) : 0;
    const h = this.scratch.put(msghdrBytes(0, 0, iov, sizes.length, ctl, controlLen));
    const ret = yield this.enter(212, fd, h, o.flags ?? 0);
    const hb = this.scratch.read(h, 56);
    const hv = new DataView(hb.buffer, hb.byteOffset, 56);
    const total = sizes.reduce((a, b) => a + b, 0);
    const res: RecvMsgResult = {
      ret,
      data: ret > 0 ? this.gather(bufs, sizes, Math.min(ret, total)) : new Uint8Array(0),
      fds: [],
      creds: null,
      pidfd: null,
      inq: null,
      flags: hv.getInt32(48, true),
      controlLen: ret >= 0 ? Number(hv.getBigUint64(40, true)) : 0,
      rawControl: new Uint8Array(0),
    };
    if (ret >= 0 && ctl !== 0 && res.controlLen > 0) {
      res.rawControl = this.scratch.read(ctl, Math.min(res.controlLen, controlLen));
      decodeControl(res.rawControl, res);
    }
    return res;
  }

  /** sendmmsg(2) of plain data messages: the number sent (or -errno) and each message's msg_len. */
  *sendmmsg(fd: number, messages: Bytes[], flags = 0): SysGen<{ ret: number; lens: number[] }> {
    this.scratch.reset();
    const vec = this.scratch.alloc(64 * Math.max(1, messages.length));
    messages.forEach((d, i) => {
      const b = toBytes(d);
      const iov = this.scratch.alloc(16);
      this.putIovec(iov, [this.scratch.put(b)], [b.length]);
      this.ctx.task.mm.poke(vec + 64 * i, msghdrBytes(0, 0, iov, 1, 0, 0));
    });
    const ret = yield this.enter(269, fd, vec, messages.length, flags);
    return { ret, lens: this.mmsgLens(vec, Math.max(0, ret)) };
  }

  /** recvmmsg(2) into `count` buffers of `size` bytes (no timeout): the number received and each message's bytes. */
  *recvmmsg(fd: number, count: number, size: number, flags = 0): SysGen<{ ret: number; messages: Uint8Array[] }> {
    this.scratch.reset();
    const vec = this.scratch.alloc(64 * Math.max(1, count));
    const bufs: number[] = [];
    for (let i = 0; i < count; i++) {
      const iov = this.scratch.alloc(16);
      const buf = this.scratch.alloc(size);
      bufs.push(buf);
      this.putIovec(iov, [buf], [size]);
      this.ctx.task.mm.poke(vec + 64 * i, msghdrBytes(0, 0, iov, 1, 0, 0));
    }
    const ret = yield this.enter(243, fd, vec, count, flags, 0);
    const lens = this.mmsgLens(vec, Math.max(0, ret));
    return { ret, messages: lens.map((n, i) => this.scratch.read(bufs[i], Math.min(n, size))) };
  }

  private mmsgLens(vec: number, n: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const b = this.scratch.read(vec + 64 * i + 56, 4);
      out.push(new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true));
    }
    return out;
  }
}
