// A file's owner for SIGURG and SIGIO (struct fown_struct), set with fcntl
// F_SETOWN / F_SETOWN_EX and read with F_GETOWN / F_GETOWN_EX (f_setown,
// f_getown, f_setown_ex, f_getown_ex in fs/fcntl.c). The AF_UNIX OOB code
// (src/unix/oob.ts) sends it SIGURG; sockets and pipes with O_ASYNC set send
// it SIGIO on I/O events (kill_fasync). A process-group owner signals every
// process of the group.
import { O_ASYNC, SIGIO } from './abi.ts';
import { EFAULT, EINVAL, ESRCH } from './errno.ts';
import type { OpenFile } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { Task } from './task.ts';
import { taskByVpid, vpid } from './namespaces.ts';
import { processesInGroup } from './syscalls/pgrp.ts';
import { SI_KERNEL, type SigInfo } from './signal.ts';
import { StructWriter } from './uaccess.ts';

export const F_SETOWN_EX = 15, F_GETOWN_EX = 16;
/** struct f_owner_ex types */
const F_OWNER_TID = 0, F_OWNER_PID = 1, F_OWNER_PGRP = 2;

/** Stores the owner (by global pid, as Linux keeps its struct pid); `pid` 0 clears it. ESRCH when no task has that id. */
function setOwnerOf(t: Task, f: OpenFile, type: 'tid' | 'pid' | 'pgrp', nr: number): number {
  const pid = nr === 0 ? 0 : (taskByVpid(t, nr)?.pid ?? -1);
  if (pid < 0) return -ESRCH;
  f.fown = pid === 0 ? null : { type, pid, uid: t.creds.uid, euid: t.creds.euid };
  return 0;
}

/** F_SETOWN: pid > 0 a process, < 0 a process group, 0 none. */
export function setOwner(t: Task, f: OpenFile, who: number): number {
  if (who === -0x80000000) return -EINVAL;
  return who < 0 ? setOwnerOf(t, f, 'pgrp', -who) : setOwnerOf(t, f, 'pid', who);
}

/** F_GETOWN: the process, minus the process group, or 0 (pid_vnr: as the caller's pid namespace numbers it). */
export function getOwner(t: Task, f: OpenFile): number {
  const o = f.fown;
  if (!o) return 0;
  return o.type === 'pgrp' ? -vpid(t, o.pid) : vpid(t, o.pid);
}

/** F_SETOWN_EX: struct f_owner_ex { int type; pid_t pid; }. */
export function setOwnerEx(t: Task, f: OpenFile, arg: number): number {
  const b = t.mm.read(arg, 8);
  if (!b) return -EFAULT;
  const v = new DataView(b.buffer, b.byteOffset, 8);
  const type = v.getInt32(0, true);
  const pid = v.getInt32(4, true);
  const kind = type === F_OWNER_TID ? 'tid' : type === F_OWNER_PID ? 'pid' : type === F_OWNER_PGRP ? 'pgrp' : null;
  if (!kind) return -EINVAL;
  return setOwnerOf(t, f, kind, pid);
}

/** F_GETOWN_EX: without an owner, {F_OWNER_PID, 0}. */
export function getOwnerEx(t: Task, f: OpenFile, arg: number): number {
  const o = f.fown;
  const type = !o || o.type === 'pid' ? F_OWNER_PID : o.type === 'tid' ? F_OWNER_TID : F_OWNER_PGRP;
  return t.mm.write(arg, new StructWriter(8).i32(0, type).i32(4, vpid(t, o?.pid ?? 0)).bytes) ? 0 : -EFAULT;
}

/**
 * The tasks a file's owner names that the setter may signal (sigio_perm:
 * root, or the setter's uid or euid is the target's uid or saved uid): a
 * thread, a process, or every process of a process group.
 */
function signalledOwners(k: Kernel, f: OpenFile): { target: Task; thread: boolean }[] {
  const o = f.fown;
  if (!o) return [];
  const may = (x: Task): boolean => {
    const c = x.creds;
    return o.euid === 0 || o.euid === c.uid || o.euid === c.suid || o.uid === c.uid || o.uid === c.suid;
  };
  if (o.type === 'pgrp') return processesInGroup(k, o.pid).filter(may).map((target) => ({ target, thread: false }));
  const target = k.tasks.get(o.pid);
  if (!target || target.state === 'exited' || target.group.threads.length === 0 || !may(target)) return [];
  return [{ target, thread: o.type === 'tid' }];
}

/**
 * send_sigurg: SIGURG to the file's owner, if it has one that the setter may
 * signal. A thread owner gets it itself, a process or group owner as a
 * process-directed signal.
 */
export function sendSigurg(k: Kernel, f: OpenFile | null, signo: number): void {
  if (!f) return;
  for (const to of signalledOwners(k, f)) {
    // send_sigurg_to_task: SEND_SIG_PRIV
    if (to.thread) k.sendSignal(to.target, signo, 'SI_KERNEL');
    else k.sendProcessSignal(to.target.group.leader, signo, 'SI_KERNEL');
  }
}

/** The events kill_fasync reports: si_code POLL_IN ... POLL_HUP, and si_band (fcntl.c's band_table). */
export const POLL_IN = 1, POLL_OUT = 2, POLL_PRI = 5, POLL_HUP = 6;
const BAND: Record<number, number> = { [POLL_IN]: 0x41, [POLL_OUT]: 0x304, [POLL_PRI]: 0x82, [POLL_HUP]: 0x18 };
const POLL_CODE: Record<number, string> = { [POLL_IN]: 'POLL_IN', [POLL_OUT]: 'POLL_OUT', [POLL_PRI]: 'POLL_PRI', [POLL_HUP]: 'POLL_HUP' };

/**
 * kill_fasync for one file: when O_ASYNC is set on `f`, its owner gets SIGIO
 * (send_sigio: a kernel-sent signal, SI_KERNEL), or the signal F_SETSIG
 * chose, with si_code `reason` (the trace shows its si_band and si_fd; a
 * handler's siginfo does not carry them here). Nothing without an owner.
 */
export function sendSigio(k: Kernel, f: OpenFile | null | undefined, reason: number): void {
  if (!f || !(f.flags & O_ASYNC)) return;
  const signo = f.sigioSignal || SIGIO;
  // as strace shows the siginfo: SIGIO's union is _sigpoll; another signal's is read as _rt (si_band over si_pid and si_uid)
  const code = !f.sigioSignal ? 'SI_KERNEL'
    : signo === SIGIO ? `${POLL_CODE[reason]}, si_band=${BAND[reason]}, si_fd=${f.asyncFd}`
    : `0x${reason.toString(16)}, si_pid=${BAND[reason]}, si_uid=0, si_int=${f.asyncFd}, si_ptr=0x${f.asyncFd.toString(16)}`;
  const si: SigInfo = f.sigioSignal ? { code: reason, pid: 0, uid: 0, band: BAND[reason], fd: f.asyncFd } : { code: SI_KERNEL, pid: 0, uid: 0 };
  for (const to of signalledOwners(k, f)) {
    if (to.thread) k.sendSignal(to.target, signo, code, si);
    else k.sendProcessSignal(to.target.group.leader, signo, code, si);
  }
}

/** F_SETSIG: the signal O_ASYNC events send (0: SIGIO); EINVAL past the last signal. */
export function setSigioSignal(f: OpenFile, signo: number): number {
  if (signo < 0 || signo > 64) return -EINVAL;
  f.sigioSignal = signo;
  return 0;
}
