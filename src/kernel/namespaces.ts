// Namespaces (man 7 namespaces): the pid namespace (kernel/pid_namespace.c,
// kernel/pid.c) and the network namespace's identity (the AF_UNIX abstract
// names and /proc/net/unix are kept per network namespace in src/unix).
//
// A process's pid is its global number (Task.pid, never reused) plus one
// number in every pid namespace from its own up to the initial one, as
// alloc_pid hands them out; what a caller sees is the number in its own
// namespace (pid_vnr), 0 where the process is not visible. Numbers given by
// a caller are looked up in its namespace (find_task_by_vpid). Because
// global pids are never reused, a global pid names a struct pid for good:
// sockets and messages keep it, and translate only when a reader asks.
import type { Task } from './task.ts';
import { SIGKILL, SIGSTOP, SIG_DFL } from './abi.ts';
import { procKey, sigactKey } from './footprint.ts';

export class PidNamespace {
  readonly level: number;
  /** global pid -> the number in this namespace (the initial namespace keeps none: the numbers are the global pids) */
  private readonly nrOf = new Map<number, number>();
  private readonly globalOf = new Map<number, number>();
  private next = 1;
  /** pid 1, the child reaper: when it exits the namespace dies (zap_pid_ns_processes) */
  reaper: Task | null = null;
  /** cleared when the reaper exits: alloc_pid then fails (PIDNS_ADDING) */
  adding = true;

  constructor(readonly parent: PidNamespace | null) {
    this.level = parent ? parent.level + 1 : 0;
  }

  /** upid->nr for this namespace, 0 when the pid is not visible here (pid_nr_ns). */
  nr(global: number): number {
    return this.parent === null ? global : (this.nrOf.get(global) ?? 0);
  }

  /** The global pid a number in this namespace names, 0 for none (find_pid_ns). */
  global(nr: number): number {
    if (nr <= 0) return 0;
    return this.parent === null ? nr : (this.globalOf.get(nr) ?? 0);
  }

  /** Is `ns` this namespace or one below it (the pids of `ns` are all visible here)? */
  contains(ns: PidNamespace): boolean {
    for (let n: PidNamespace | null = ns; n; n = n.parent) if (n === this) return true;
    return false;
  }

  /** alloc_pid's part in each non-initial namespace: the next number here. */
  assign(global: number): number {
    const nr = this.next++;
    this.nrOf.set(global, nr);
    this.globalOf.set(nr, global);
    return nr;
  }
}

/** A network namespace: only its identity (AF_UNIX keys its abstract names and /proc/net/unix by it). */
export class NetNamespace {
  constructor(readonly id: number) {}
}

/** struct nsproxy's parts modelled here: what the task's next children get, and its network namespace. */
export interface Nsproxy {
  pidForChildren: PidNamespace;
  net: NetNamespace;
}

/** CLONE_NEW* flags (include/uapi/linux/sched.h) */
export const CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000,
  CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;
/**
 * Namespaces that separate nothing unixsim models (no mount(), sethostname,
 * SysV IPC, cgroups or clock offsets): creating one is accepted, with the
 * permission check, and changes nothing a guest can observe here.
 */
export const CLONE_NEW_INERT = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWTIME;
export const CLONE_NEW_ANY = CLONE_NEW_INERT | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

/** pid_vnr: the number `viewer` sees for global pid `global` (0: not in its namespace). */
export function vpid(viewer: Task, global: number): number {
  return viewer.pidNs.nr(global);
}

/** find_task_by_vpid: the task `viewer` names with `nr`, if it exists. */
export function taskByVpid(viewer: Task, nr: number): Task | undefined {
  const g = viewer.pidNs.global(nr);
  if (g === 0) return undefined;
  viewer.kernel.sched.recorder?.read(procKey(g)); // whether it exists, and as what, changes at fork, exit and reap (dpor)
  return viewer.kernel.tasks.get(g);
}

/**
 * sig_task_ignored for SIGNAL_UNKILLABLE: the init of a pid namespace other
 * than the first never takes a signal it has no handler for, except SIGKILL
 * or SIGSTOP from a process outside its namespace (send_signal_locked's
 * `force`). The first namespace's pid 1 here is an ordinary program, not init.
 */
export function initIgnores(sender: Task, target: Task, sig: number): boolean {
  const p = target.group.leader;
  const ns = p.pidNs;
  if (ns.parent === null || ns.reaper !== p || sig === 0) return false;
  target.kernel.sched.recorder?.read(sigactKey(target)); // dpor: the dispositions decide
  if (target.sig.actions[sig].handler !== SIG_DFL) return false;
  const outside = ns.nr(sender.tgid) === 0;
  return !(outside && (sig === SIGKILL || sig === SIGSTOP));
}
