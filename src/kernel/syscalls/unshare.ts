// unshare(2) (kernel/fork.c ksys_unshare) and the namespace part of clone
// (kernel/nsproxy.c copy_namespaces, create_new_namespaces): a new pid
// namespace for the caller's next children, a new network namespace for
// the caller itself, a private fd table or fs_struct. CLONE_NEWUSER is not
// modelled: EINVAL, as from a kernel built without CONFIG_USER_NS.
import { EINVAL, EPERM } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import { CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEW_ANY, PidNamespace, type Nsproxy } from '../namespaces.ts';
import type { Task } from '../task.ts';
import { CLONE_FILES, CLONE_FS, CLONE_SIGHAND, CLONE_SYSVSEM, CLONE_THREAD, CLONE_VM } from './proc.ts';

/**
 * create_new_namespaces for the flags asked: the nsproxy the caller (unshare)
 * or its child (clone) gets, or -errno. Creating any namespace needs
 * CAP_SYS_ADMIN (root here holds every capability).
 */
export function copyNamespaces(t: Task, flags: number): Nsproxy | number {
  if (flags & CLONE_NEWUSER) return -EINVAL;
  if (t.creds.euid !== 0) return -EPERM;
  const ns = { ...t.nsproxy };
  if (flags & CLONE_NEWPID) {
    // copy_pid_ns: only from the namespace the caller is in, not again before a child entered the last one
    if (t.nsproxy.pidForChildren !== t.pidNs) return -EINVAL;
    ns.pidForChildren = new PidNamespace(t.pidNs);
  }
  if (flags & CLONE_NEWNET) ns.net = t.kernel.newNetNs();
  return ns;
}

export function registerUnshare(k: Kernel): void {
  k.table.define(97, 'unshare', ['hex'], (t, [flags]) => {
    // ksys_unshare: the flags each one implies
    if (flags & CLONE_NEWUSER) flags |= CLONE_THREAD | CLONE_FS;
    if (flags & CLONE_VM) flags |= CLONE_SIGHAND;
    if (flags & CLONE_SIGHAND) flags |= CLONE_THREAD;
    if (flags & CLONE_NEWNS) flags |= CLONE_FS;
    // check_unshare_flags
    if (flags & ~(CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | CLONE_NEW_ANY)) return -EINVAL;
    const alone = t.group.threads.length === 1;
    if (flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM) && !alone) return -EINVAL;
    let ns: Nsproxy | null = null;
    if (flags & CLONE_NEW_ANY) {
      const r = copyNamespaces(t, flags);
      if (typeof r === 'number') return r;
      ns = r;
    }
    // nothing has changed yet: now the private copies
    if (flags & CLONE_FS) t.fs = { ...t.fs };
    if (flags & CLONE_FILES && t.fds.users > 1) {
      const fds = t.fds.clone();
      fds.key = `fdt:${t.pid}:unshared`;
      fds.recorder = k.sched.recorder;
      k.releaseFds(t.fds);
      t.fds = fds;
    }
    if (ns) t.nsproxy = ns;
    return 0;
  });
}
