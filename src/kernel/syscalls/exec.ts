// execve and the program loader it shares with `unixsim exec`: load a
// static riscv64 ELF into a fresh address space, map the sigreturn
// trampoline and build the initial stack (argv, envp, auxv, AT_RANDOM from
// the kernel's seeded generator). A failed load leaves the caller intact;
// a successful execve replaces the address space and the user context,
// closes close-on-exec fds and resets handled signals to SIG_DFL.
import { ElfError, ElfNoMemory, loadElf } from '../../hw/elf.ts';
import { buildInitialStack } from '../../hw/initial-stack.ts';
import { AddressSpace } from '../../hw/memory.ts';
import { S_IFREG, SIG_DFL, SIG_IGN } from '../abi.ts';
import { E2BIG, EACCES, EFAULT, ELOOP, ENOEXEC, ENOMEM } from '../errno.ts';
import { GuestVm, HartContext, INITIAL_STACK_SIZE, mapTrampoline, STACK_TOP } from '../hartcontext.ts';
import type { Binfmt } from '../context.ts';
import type { Kernel } from '../kernel.ts';
import { sigactKey } from '../footprint.ts';
import type { Task } from '../task.ts';
import { getU64, readCString } from '../uaccess.ts';
import { procExeInode } from './fs.ts';
import { MAY_EXEC, type Creds, type Inode } from '../vfs.ts';
import { SignalState } from '../signal.ts';

/** Linux's MAX_ARG_STRLEN (32 pages) and a cap on argv+envp strings. */
const MAX_ARG_STRLEN = 32 * 4096;
const MAX_ARG_STRINGS = 0x7fff;
const MAX_ARG_BYTES = 2 * 1024 * 1024;

export interface LoadedProgram {
  mm: AddressSpace;
  vm: GuestVm;
  entry: number;
  sp: number;
}

/**
 * Loads `image` into a new address space with its initial stack. Throws
 * ElfError for a malformed or unsupported ELF, RangeError when the
 * arguments do not fit the stack.
 */
export function loadProgram(k: Kernel, creds: Creds, image: Uint8Array, exe: { path: string; inode: Inode }, argv: string[], envp: string[]): LoadedProgram {
  const exePath = exe.path;
  const mm = new AddressSpace(k.memory);
  try {
    const elf = loadElf(image, mm);
    mapTrampoline(mm);
    const stack = buildInitialStack(mm, elf, {
      argv, envp, execfn: exePath, random: k.rng.bytes(16),
      uid: creds.uid, euid: creds.euid, gid: creds.gid, egid: creds.egid,
      stackTop: STACK_TOP, stackSize: INITIAL_STACK_SIZE,
    });
    const vm = new GuestVm();
    vm.brkStart = vm.brk = elf.brk;
    vm.stackTop = stack.stackTop;
    vm.stackBottom = stack.stackBottom;
    vm.exePath = exePath;
    vm.exeInode = exe.inode;
    return { mm, vm, entry: elf.entry, sp: stack.sp };
  } catch (e) {
    mm.clear();
    throw e;
  }
}

/** Makes `t` run a loaded program: its address space and a fresh hart replace the old ones. */
export function installProgram(t: Task, p: LoadedProgram): HartContext {
  const old = t.mm;
  t.mm = p.mm;
  if (old !== p.mm) t.kernel.releaseMm(old);
  const prev = t.ctx as HartContext | undefined;
  prev?.release?.();
  const ctx = HartContext.fresh(t, p.mm, p.vm, p.entry, p.sp);
  if (prev?.args) {
    // the trace reports the execve that led here
    ctx.args.nr = prev.args.nr;
    ctx.args.lo.set(prev.args.lo);
    ctx.args.hi.set(prev.args.hi);
  }
  t.ctx = ctx;
  return ctx;
}

type ScriptMaker = NonNullable<ReturnType<Binfmt['recognize']>>;

/** The first registered format (binfmt) that recognizes the image, if any. */
function scriptFormat(k: Kernel, image: Uint8Array): ScriptMaker | null {
  for (const b of k.binfmts) {
    const make = b.recognize(image);
    if (make) return make;
  }
  return null;
}

/** Makes `t` run a program of another format in a fresh, empty address space. */
function installScript(t: Task, make: ScriptMaker, argv: string[], envp: string[]): void {
  const old = t.mm;
  t.mm = new AddressSpace();
  t.kernel.releaseMm(old);
  const prev = t.ctx;
  const ctx = make(t, argv, envp);
  // the trace reports the execve that led here
  ctx.args.nr = prev.args.nr;
  ctx.args.lo.set(prev.args.lo);
  ctx.args.hi.set(prev.args.hi);
  t.ctx = ctx;
}

/** Reads a NULL-terminated array of string pointers (argv/envp): the strings, or -errno. */
function readStrings(t: Task, addr: number): string[] | number {
  const out: string[] = [];
  if (addr === 0) return out;
  let bytes = 0;
  for (let i = 0; ; i++) {
    if (i > MAX_ARG_STRINGS) return -E2BIG;
    const p = getU64(t.mm, addr + 8 * i);
    if (p === null) return -EFAULT;
    if (p === 0) return out;
    const s = readCString(t.mm, p, MAX_ARG_STRLEN);
    if (typeof s === 'number') return s === -EFAULT ? s : -E2BIG;
    bytes += s.length + 1;
    if (bytes > MAX_ARG_BYTES) return -E2BIG;
    // guest strings are bytes; the stack builder encodes UTF-8
    out.push(new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0))));
  }
}

/** BINPRM_BUF_SIZE: how much of a file execve looks at for "#!" */
const BINPRM_BUF_SIZE = 256;

/** load_script: the interpreter and its one optional argument of a "#!" line, or null if not a script. */
function parseShebang(head: Uint8Array): { interp: string; arg: string | null } | null {
  if (head.length < 2 || head[0] !== 0x23 || head[1] !== 0x21) return null;
  let end = head.indexOf(0x0a);
  if (end < 0) end = head.length;
  const line = String.fromCharCode(...head.subarray(2, end)).replace(/[ \t]+$/, '');
  const m = /^[ \t]*([^ \t]*)(?:[ \t]+(.*))?$/.exec(line)!;
  return { interp: m[1], arg: m[2] ? m[2] : null };
}

function absolutePath(t: Task, path: string): string {
  if (path.startsWith('/')) return path;
  const cwd = t.kernel.vfs.pathOf(t.cwd);
  return (cwd === '/' ? '' : cwd) + '/' + path;
}

function execve(t: Task, pathAddr: number, argvAddr: number, envpAddr: number): number {
  const k = t.kernel;
  const path = readCString(t.mm, pathAddr);
  if (typeof path === 'number') return path;
  // /proc/self/exe is a magic link to the executable's inode (proc_exe_link), not a path to look up again
  let inode = procExeInode(t, path) ?? k.vfs.lookup(path, t.cwd, t.creds);
  if (typeof inode === 'number') return inode;
  if (inode.type !== S_IFREG || !k.vfs.permission(inode, t.creds, MAY_EXEC)) return -EACCES;
  let argv = readStrings(t, argvAddr);
  if (typeof argv === 'number') return argv;
  const envp = readStrings(t, envpAddr);
  if (typeof envp === 'number') return envp;
  // The formats in order (binfmt_misc's magic strings are tried before binfmt_script): a registered
  // format (k.binfmts), then "#!interpreter [arg]", which runs the interpreter with the script's
  // path (nested up to 4 deep), else an ELF image.
  let execPath = path;
  let script = scriptFormat(k, inode.data.subarray(0, inode.size));
  for (let depth = 0; !script; depth++) {
    const shebang = parseShebang(inode.data.subarray(0, Math.min(inode.size, BINPRM_BUF_SIZE)));
    if (!shebang) break;
    if (depth >= 4) return -ELOOP;
    if (shebang.interp === '') return -ENOEXEC;
    const next = k.vfs.lookup(shebang.interp, t.cwd, t.creds);
    if (typeof next === 'number') return next; // a missing interpreter is ENOENT
    if (next.type !== S_IFREG || !k.vfs.permission(next, t.creds, MAY_EXEC)) return -EACCES;
    argv = [shebang.interp, ...(shebang.arg === null ? [] : [shebang.arg]), execPath, ...argv.slice(1)];
    execPath = shebang.interp;
    inode = next;
    script = scriptFormat(k, inode.data.subarray(0, inode.size));
  }
  let prog: LoadedProgram | null = null;
  const image = inode.data.subarray(0, inode.size);
  if (!script) {
    try {
      prog = loadProgram(k, t.creds, image, { path: absolutePath(t, execPath), inode }, argv, envp);
    } catch (e) {
      if (e instanceof ElfNoMemory) return -ENOMEM;
      if (e instanceof ElfError) return -ENOEXEC;
      if (e instanceof RangeError) return -E2BIG;
      throw e;
    }
  }
  // The point of no return (Linux: begin_new_exec). de_thread: the other
  // threads end now; then the fd table and signal handlers are unshared.
  for (const o of [...t.group.threads]) if (o !== t) k.killThreadNow(o);
  if (t.fds.users > 1) {
    t.fds.users--;
    t.fds = t.fds.clone();
  }
  k.sched.recorder?.write(sigactKey(t)); // handlers are reset below
  const sig = new SignalState(t.sig.actions.map((a) => ({ ...a })), t.sig.shared);
  sig.pending = t.sig.pending;
  sig.info = t.sig.info;
  sig.blocked = t.sig.blocked;
  t.sig = sig;
  for (const f of t.fds.takeCloexec()) f.put();
  for (const act of t.sig.actions) {
    if (act.handler !== SIG_IGN) act.handler = SIG_DFL;
    act.flags = 0;
    act.mask = 0n;
    act.restorer = 0;
  }
  t.clearChildTid = 0;
  // __set_task_comm(kbasename(bprm->filename)): the name given to execve, not a #! interpreter's
  t.comm = path.slice(path.lastIndexOf('/') + 1).slice(0, 15);
  t.group.execed = true;
  if (prog) installProgram(t, prog);
  else installScript(t, script!, argv, envp);
  k.vforkRelease(t);
  return 0;
}

export function registerExec(k: Kernel): void {
  k.table.define(221, 'execve', ['path', 'ptr', 'ptr'], (t, [path, argv, envp]) => execve(t, path, argv, envp));
}
