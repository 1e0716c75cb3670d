// Resource usage and system figures: times, getrusage and sysinfo (kernel/
// sys.c). CPU time is not accounted here (as ITIMER_VIRTUAL is not), so the
// user and system times and the rusage counters are 0; what is real is the
// time since boot (virtual), the run's memory budget as the machine's RAM
// (sysconf(_SC_PHYS_PAGES) reads it through sysinfo) and the process count.
import { EFAULT, EINVAL } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import { StructWriter } from '../uaccess.ts';
import { TICKS_PER_SECOND } from '../../sched/clock.ts';

const RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
/** USER_HZ: clock_t ticks per second; HZ: jiffies per second (CONFIG_HZ 250, as SO_RCVTIMEO's jiffies) */
const USER_HZ = 100, HZ = 250;
/** INITIAL_JIFFIES: (unsigned int)(-300 * HZ) */
const INITIAL_JIFFIES = 2 ** 32 - 300 * HZ;
/** sizeof(struct rusage), sizeof(struct sysinfo), sizeof(struct tms) on riscv64 */
const RUSAGE_SIZE = 144, SYSINFO_SIZE = 112, TMS_SIZE = 32;
/** what sysinfo reports as RAM when the run has no memory budget */
const UNBUDGETED_RAM = 4 * 1024 ** 3;

export function registerUsage(k: Kernel): void {
  const d = k.table.define.bind(k.table);
  d(153, 'times', ['ptr'], (t, [buf]) => {
    if (buf !== 0 && !t.mm.write(buf, new Uint8Array(TMS_SIZE))) return -EFAULT;
    // jiffies_64 since boot, counted from INITIAL_JIFFIES (5 minutes before the 32-bit wrap), as clock_t
    const jiffies = INITIAL_JIFFIES + Math.floor((k.sched.clock.now * HZ) / TICKS_PER_SECOND);
    return Math.floor((jiffies * USER_HZ) / HZ);
  });
  d(165, 'getrusage', ['int', 'ptr'], (t, [who, ru]) => {
    if (who !== RUSAGE_SELF && who !== RUSAGE_CHILDREN && who !== RUSAGE_THREAD) return -EINVAL;
    return t.mm.write(ru, new Uint8Array(RUSAGE_SIZE)) ? 0 : -EFAULT;
  });
  d(179, 'sysinfo', ['ptr'], (t, [info]) => {
    const ram = Number.isFinite(k.memory.limit) ? k.memory.limit : UNBUDGETED_RAM;
    const processes = [...k.tasks.values()].filter((x) => x.group.threads.length > 0).length;
    const w = new StructWriter(SYSINFO_SIZE)
      .u64(0, Math.floor(k.sched.clock.now / TICKS_PER_SECOND)) // uptime
      .u64(32, ram) // totalram
      .u64(40, Math.max(ram - k.memory.used, 0)) // freeram
      .u32(80, processes & 0xffff) // procs (unsigned short; the padding after it stays 0)
      .u32(104, 1); // mem_unit
    return t.mm.write(info, w.bytes) ? 0 : -EFAULT;
  });
}
