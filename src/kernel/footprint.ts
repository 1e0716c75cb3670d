// What a syscall step touches, for partial-order reduction (see
// src/sched/footprint.ts for the recorder and the soundness rule). The
// kernel records through a few central hooks rather than in every handler:
//   fd tables        lookups read the table, installs and closes write it
//                    (FdTable), and every file looked up, installed, got or
//                    put is touched with its object's keys (touchFile);
//   files            a file's keys are its id and its object's: a pipe's
//                    ino, a socket with its peer and pending connections
//                    (Socket.footprintKeys), regular files the whole VFS;
//   wait queues      registering, removing and waking (WaitQueue, Waker);
//   tasks            every step writes its own task; waking, signalling,
//                    forking and exiting write the tasks they reach; an
//                    exit writes its parent's list of children (wait4 reads
//                    it), not the parent, and a signal the process ignores
//                    (SIGCHLD by default) only reads its dispositions
//                    ("sigact:<tgid>", written by rt_sigaction, execve and
//                    SA_RESETHAND); a pid's table entry is "proc:<pid>"
//                    (fork, exit and reap write it, lookups by pid read it);
//   names            an abstract name is "ns:@<name>" ("ns" for autobind,
//                    which scans them all), a pathname socket is in the VFS
//                    ("vfs", as every path lookup);
//   locks            taking or dropping a KernelLock writes it ("lock:<name>",
//                    lock.ts); under a hart limit a step that changes how many
//                    harts are held writes "harts", one that needed a free hart
//                    reads it (Scheduler.run);
//   counters         allocating a file, pid or autobind name;
//   time             every step adds its ticks to "clock", reading the time
//                    reads it, timers write "timers" (the scheduler and its
//                    clock and event queue record these).
//   epoll            an instance is "ep:<n>": its lookups, the callback from
//                    a watched file's wake, nest walks; the files it polls
//                    are touched where it polls them (src/kernel/epoll.ts);
// A syscall without a model here (futexes, getrandom ...) marks
// its step global: dependent with everything. So does SCM_RIGHTS traffic and
// the collector (src/unix/inflight.ts), which reach any socket.
import type { FootprintRecorder } from '../sched/footprint.ts';
import type { OpenFile } from './file.ts';
import type { SyscallDef } from './syscall.ts';
import type { Task } from './task.ts';

/** Syscalls whose effects are all reached through the hooks above. */
const MODELLED = new Set([
  // files and fds
  'dup', 'dup3', 'fcntl', 'ioctl', 'close', 'pipe2', 'lseek', 'read', 'write', 'readv', 'writev', 'pread64',
  'pwrite64', 'fstat', 'ftruncate', 'fchmod', 'ppoll', 'pselect6',
  // epoll: the instance ("ep:<n>", Epoll.key) and the files it polls and hooks (src/kernel/epoll.ts)
  'epoll_create1', 'epoll_ctl', 'epoll_pwait',
  // the file system (each writes "vfs")
  'mknodat', 'mkdirat', 'unlinkat', 'faccessat', 'faccessat2', 'chdir', 'fchdir', 'fchmodat', 'openat', 'readlinkat',
  'newfstatat', 'getcwd', 'getdents64', 'execve',
  // the task itself
  'exit', 'exit_group', 'getpid', 'getppid', 'getuid', 'geteuid', 'getgid', 'getegid', 'gettid', 'setgid', 'setuid',
  'umask', 'getrlimit', 'setrlimit', 'uname', 'sched_yield', 'set_tid_address', 'set_robust_list', 'rseq', 'brk',
  'munmap', 'mmap', 'mprotect', 'madvise', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sigaltstack',
  'kill', 'tgkill', 'wait4', 'clone', 'clone3',
  // time: the clock and the task's own timer queue
  'nanosleep', 'clock_nanosleep', 'clock_gettime',
  // AF_UNIX
  'socket', 'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect', 'getsockname', 'getpeername', 'sendto',
  'recvfrom', 'setsockopt', 'getsockopt', 'shutdown', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg',
]);

const VFS = new Set(['mknodat', 'mkdirat', 'unlinkat', 'faccessat', 'faccessat2', 'chdir', 'fchdir', 'fchmodat', 'openat',
  'readlinkat', 'newfstatat', 'getcwd', 'getdents64', 'execve']);

/** CLONE_VM: the new task shares memory, which steps touch without any hook. */
const CLONE_VM = 0x100;

/** Called by dispatch when a step enters a syscall. */
export function recordSyscall(rec: FootprintRecorder, def: SyscallDef, argv: readonly number[]): void {
  if (!MODELLED.has(def.name)) {
    rec.global(`${def.name} has no footprint model`);
    return;
  }
  if (VFS.has(def.name)) rec.write('vfs');
  if (def.name === 'clone' && argv[0] & CLONE_VM) rec.global('clone with CLONE_VM');
  if (def.name === 'clone3') rec.global('clone3');
  // The names themselves are recorded where they are bound, looked up and dropped (src/unix/namespace.ts).
  if (def.args.includes('sockaddr')) rec.read('ns');
}

/** A file was looked up, installed, referenced or dropped: it and its object may change. */
export function touchFile(rec: FootprintRecorder | null, f: OpenFile): void {
  if (!rec?.active) return;
  rec.write(`f:${f.id}`);
  const keys = f.ops.footprintKeys?.(f);
  if (keys) for (const k of keys) rec.write(k);
  else if (f.inode) rec.write('vfs'); // regular files and directories: their data lives in the VFS
  else rec.write(`o:${f.ops.kind}:${f.ops.describe(f)}`);
}

/** Footprint key of a process's list of children (fork adds, exit marks a zombie, wait4 reaps; dpor). */
export function childrenKey(leader: Task): string {
  return `children:${leader.group.leader.pid}`;
}

/** Footprint key of a process's signal dispositions (rt_sigaction, execve, SA_RESETHAND write it; a sender asking "ignored?" reads it). */
export function sigactKey(t: Task): string {
  return `sigact:${t.group.leader.pid}`;
}

/**
 * Footprint key of a thread's blocked mask (rt_sigprocmask, a handler's frame
 * and sigreturn, ppoll's temporary mask, sigtimedwait write it): a sender
 * asking "ignored?" reads it, since a blocked signal is never ignored.
 */
export function sigmaskKey(t: Task): string {
  return `sigmask:${t.pid}`;
}

/** Footprint key of a pid's entry in the task table: fork makes it, exit and reap change it, lookups by pid read it (dpor). */
export function procKey(pid: number): string {
  return `proc:${pid}`;
}
