// A file's owner for SIGURG (struct fown_struct), set with fcntl F_SETOWN /
// F_SETOWN_EX and read with F_GETOWN / F_GETOWN_EX (f_setown, f_getown,
// f_setown_ex, f_getown_ex in fs/fcntl.c). The AF_UNIX OOB code
// (src/unix/oob.ts) signals it. Process groups are not modelled: a group
// owner is stored and read back but never signalled.
import { EFAULT, EINVAL, ESRCH } from './errno.ts';
import type { OpenFile } from './file.ts';
import type { Kernel } from './kernel.ts';
import type { Task } from './task.ts';
import { taskByVpid, vpid } from './namespaces.ts';
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
 * send_sigurg: SIGURG to the file's owner, if it has one that the setter may
 * signal (sigio_perm: root, or the setter's uid or euid is the target's uid
 * or saved uid). A thread owner gets it itself, a process owner as a
 * process-directed signal.
 */
export function sendSigurg(k: Kernel, f: OpenFile | null, signo: number): void {
  const o = f?.fown;
  if (!o || o.type === 'pgrp') return;
  const target = k.tasks.get(o.pid);
  if (!target || target.state === 'exited' || target.group.threads.length === 0) return;
  const c = target.creds;
  if (o.euid !== 0 && o.euid !== c.uid && o.euid !== c.suid && o.uid !== c.uid && o.uid !== c.suid) return;
  if (o.type === 'tid') k.sendSignal(target, signo);
  else k.sendProcessSignal(target.group.leader, signo);
}
