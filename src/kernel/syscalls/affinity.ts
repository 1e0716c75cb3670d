// CPU affinity: sched_getaffinity and sched_setaffinity, as
// kernel/sched/core.c has them, on a machine whose CPUs are the run's harts
// (KernelConfig.harts, the SMP model; 1 by default, where one thread runs at
// a time): CPUs 0 .. harts-1 are online (nr_cpu_ids), every task may run on
// all of them, and a new mask must contain one of them. Runtimes size their
// thread pools from this (Go's runtime.NumCPU, glibc's get_nprocs when /sys
// is absent), so they see the harts here and the host's CPUs under
// qemu-riscv64. The scheduler places no task on a particular hart, so a mask
// set is checked but not kept: the next sched_getaffinity reports every CPU.
import { EFAULT, EINVAL, EPERM, ESRCH } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import { taskByVpid } from '../namespaces.ts';
import type { Task } from '../task.ts';
import { copyFromUser, copyToUser } from '../uaccess.ts';

const BITS_PER_BYTE = 8, SIZEOF_LONG = 8, BITS_PER_LONG = 64;

/** find_process_by_pid: 0 is the caller, any other pid one of the caller's pid namespace. */
function findTask(t: Task, pid: number): Task | null {
  const target = pid === 0 ? t : taskByVpid(t, pid);
  return target && target.state !== 'exited' ? target : null;
}

export function registerAffinity(k: Kernel): void {
  const nrCpuIds = k.config.harts;
  /** cpumask_size(): whole unsigned longs for nr_cpu_ids bits (a kernel whose masks follow nr_cpu_ids, CONFIG_CPUMASK_OFFSTACK) */
  const cpumaskSize = Math.ceil(nrCpuIds / BITS_PER_LONG) * SIZEOF_LONG;

  k.table.define(123, 'sched_getaffinity', ['int', 'uint', 'ptr'], (t, [pid, len, mask]) => {
    if (len * BITS_PER_BYTE < nrCpuIds) return -EINVAL;
    if (len & (SIZEOF_LONG - 1)) return -EINVAL;
    if (pid < 0 || !findTask(t, pid)) return -ESRCH;
    const retlen = Math.min(len, cpumaskSize);
    const bits = new Uint8Array(retlen);
    for (let cpu = 0; cpu < nrCpuIds; cpu++) bits[cpu >> 3] |= 1 << (cpu & 7);
    return copyToUser(t.mm, mask, bits) ? retlen : -EFAULT;
  });

  k.table.define(122, 'sched_setaffinity', ['int', 'uint', 'ptr'], (t, [pid, len, mask]) => {
    // get_user_cpu_mask: a shorter mask is zero-extended, a longer one cut to cpumask_size()
    const bits = copyFromUser(t.mm, mask, Math.min(len, cpumaskSize));
    if (!bits) return -EFAULT;
    if (pid < 0) return -ESRCH;
    const target = findTask(t, pid);
    if (!target) return -ESRCH;
    // check_same_owner, or CAP_SYS_NICE (root)
    const c = t.creds, o = target.creds;
    if (c.euid !== 0 && c.euid !== o.euid && c.euid !== o.uid) return -EPERM;
    // __set_cpus_allowed_ptr: the new mask must meet the online CPUs
    let meets = false;
    for (let cpu = 0; cpu < Math.min(nrCpuIds, bits.length * BITS_PER_BYTE); cpu++) if (bits[cpu >> 3]! & (1 << (cpu & 7))) meets = true;
    return meets ? 0 : -EINVAL;
  });
}
