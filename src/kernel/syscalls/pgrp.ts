// Process groups and sessions (kernel/sys.c): setpgid, getpgid, setsid,
// getsid, and the group a pid <= 0 names for kill, wait4 and waitid. Ids are
// kept as global pids and shown as the caller's pid namespace numbers them
// (0 when not visible there). The harness's processes start in one session
// and group, led by the first (kernel.ts spawn); a fork inherits both.
import { EACCES, EINVAL, EPERM, ESRCH } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import { taskByVpid, vpid } from '../namespaces.ts';
import type { Task } from '../task.ts';

/** Every live process whose process group is `pgid` (a global pid). */
export function processesInGroup(k: Kernel, pgid: number): Task[] {
  const out: Task[] = [];
  for (const x of k.tasks.values()) if (x.group.leader === x && x.group.threads.length > 0 && x.group.pgid === pgid) out.push(x);
  return out;
}

/** The process a pid argument names: 0 is the caller's; a thread's tid names its process. */
function processOf(t: Task, pid: number): Task | null {
  const x = pid === 0 ? t : taskByVpid(t, pid);
  return x && x.group.threads.length > 0 ? x.group.leader : null;
}

function setpgid(t: Task, upid: number, upgid: number): number {
  const me = t.group.leader;
  if (upgid < 0) return -EINVAL;
  const p = upid === 0 ? me : taskByVpid(t, upid);
  if (!p || p.group.threads.length === 0) return -ESRCH;
  if (p.group.leader !== p) return -EINVAL;
  if (p.parent === me) {
    // a child: in the caller's session, and not since its execve
    if (p.group.sid !== me.group.sid) return -EPERM;
    if (p.group.execed) return -EACCES;
  } else if (p !== me) return -ESRCH;
  if (p.group.sessionLeader) return -EPERM;
  let pgid = p.pid;
  if (upgid !== 0 && upgid !== vpid(t, p.pid)) {
    // joining a group: it must exist, in the caller's session
    const g = t.pidNs.global(upgid);
    const members = g === 0 ? [] : processesInGroup(t.kernel, g);
    if (members.length === 0 || members[0].group.sid !== me.group.sid) return -EPERM;
    pgid = g;
  }
  p.group.pgid = pgid;
  return 0;
}

function setsid(t: Task): number {
  const me = t.group.leader;
  // a process group leader (or anyone whose pid names a group) cannot leave for a new session
  if (processesInGroup(t.kernel, me.pid).length > 0) return -EPERM;
  me.group.sid = me.group.pgid = me.pid;
  me.group.sessionLeader = true;
  return vpid(t, me.pid);
}

export function registerPgrp(k: Kernel): void {
  const d = k.table.define.bind(k.table);
  d(154, 'setpgid', ['int', 'int'], (t, [pid, pgid]) => setpgid(t, pid, pgid));
  d(155, 'getpgid', ['int'], (t, [pid]) => {
    const p = processOf(t, pid);
    return p ? vpid(t, p.group.pgid) : -ESRCH;
  });
  d(157, 'setsid', [], (t) => setsid(t));
  d(156, 'getsid', ['int'], (t, [pid]) => {
    const p = processOf(t, pid);
    return p ? vpid(t, p.group.sid) : -ESRCH;
  });
}
