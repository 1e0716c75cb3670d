// CPU affinity on a machine with one CPU: sched_getaffinity and
// sched_setaffinity, as kernel/sched/core.c has them. The simulated machine
// runs one thread at a time, so CPU 0 is the only CPU there is (nr_cpu_ids
// is 1): every task's mask is {0}, and a new mask must contain it. Runtimes
// size their thread pools from this (Go's runtime.NumCPU, glibc's get_nprocs
// when /sys is absent), so they see one CPU here and the host's CPUs under
// qemu-riscv64.
import { EFAULT, EINVAL, EPERM, ESRCH } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import { taskByVpid } from '../namespaces.ts';
import type { Task } from '../task.ts';
import { copyFromUser, copyToUser } from '../uaccess.ts';

const NR_CPU_IDS = 1;
/** cpumask_size(): one unsigned long holds the mask (a kernel whose mask bits follow nr_cpu_ids, CONFIG_CPUMASK_OFFSTACK) */
const CPUMASK_SIZE = 8;
const BITS_PER_BYTE = 8, SIZEOF_LONG = 8;

/** find_process_by_pid: 0 is the caller, any other pid one of the caller's pid namespace. */
function findTask(t: Task, pid: number): Task | null {
  const target = pid === 0 ? t : taskByVpid(t, pid);
  return target && target.state !== 'exited' ? target : null;
}

export function registerAffinity(k: Kernel): void {
  k.table.define(123, 'sched_getaffinity', ['int', 'uint', 'ptr'], (t, [pid, len, mask]) => {
    if (len * BITS_PER_BYTE < NR_CPU_IDS) return -EINVAL;
    if (len & (SIZEOF_LONG - 1)) return -EINVAL;
    if (pid < 0 || !findTask(t, pid)) return -ESRCH;
    const retlen = Math.min(len, CPUMASK_SIZE);
    const bits = new Uint8Array(retlen);
    bits[0] = 1; // CPU 0
    return copyToUser(t.mm, mask, bits) ? retlen : -EFAULT;
  });

  k.table.define(122, 'sched_setaffinity', ['int', 'uint', 'ptr'], (t, [pid, len, mask]) => {
    // get_user_cpu_mask: a shorter mask is zero-extended, a longer one cut to cpumask_size()
    const bits = copyFromUser(t.mm, mask, Math.min(len, CPUMASK_SIZE));
    if (!bits) return -EFAULT;
    if (pid < 0) return -ESRCH;
    const target = findTask(t, pid);
    if (!target) return -ESRCH;
    // check_same_owner, or CAP_SYS_NICE (root)
    const c = t.creds, o = target.creds;
    if (c.euid !== 0 && c.euid !== o.euid && c.euid !== o.uid) return -EPERM;
    // __set_cpus_allowed_ptr: the new mask must meet the active CPUs
    if (bits.length === 0 || !(bits[0]! & 1)) return -EINVAL;
    return 0;
  });
}
