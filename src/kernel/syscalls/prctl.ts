// prctl (kernel/sys.c): the options a runtime or a test program uses on
// its own thread. PR_SET_NAME / PR_GET_NAME (the thread's comm, 15 bytes
// and a NUL), PR_SET_PDEATHSIG / PR_GET_PDEATHSIG (a signal when the parent
// process exits, kernel.ts exitProcess), PR_SET_DUMPABLE / PR_GET_DUMPABLE
// and PR_SET_NO_NEW_PRIVS / PR_GET_NO_NEW_PRIVS (kept and read back:
// nothing here dumps core or runs a setuid program), PR_CAPBSET_READ (every
// capability is in the bounding set). Any other option is EINVAL, as
// Linux gives for one it does not know.
import { EFAULT, EINVAL } from '../errno.ts';
import type { Kernel } from '../kernel.ts';
import type { Task } from '../task.ts';
import { fromLatin1, putU32, readCString } from '../uaccess.ts';

const PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4, PR_SET_NAME = 15,
  PR_GET_NAME = 16, PR_CAPBSET_READ = 23, PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39;
/** TASK_COMM_LEN */
const COMM_LEN = 16;
/** CAP_LAST_CAP (CAP_CHECKPOINT_RESTORE) */
const CAP_LAST_CAP = 40;

function prctl(t: Task, option: number, arg2: number, arg3: number, arg4: number, arg5: number): number {
  switch (option) {
    case PR_SET_NAME: {
      const name = readCString(t.mm, arg2, COMM_LEN - 1);
      if (name === -EFAULT) return -EFAULT;
      // no NUL within 15 bytes: the name is cut there (strncpy_from_user of TASK_COMM_LEN - 1)
      t.comm = typeof name === 'string' ? name : String.fromCharCode(...t.mm.read(arg2, COMM_LEN - 1)!);
      return 0;
    }
    case PR_GET_NAME: {
      const out = new Uint8Array(COMM_LEN);
      out.set(fromLatin1(t.comm).subarray(0, COMM_LEN - 1));
      return t.mm.write(arg2, out) ? 0 : -EFAULT;
    }
    case PR_SET_PDEATHSIG:
      if (arg2 < 0 || arg2 > 64) return -EINVAL;
      t.pdeathSignal = arg2;
      return 0;
    case PR_GET_PDEATHSIG:
      return putU32(t.mm, arg2, t.pdeathSignal) ? 0 : -EFAULT;
    case PR_GET_DUMPABLE:
      return t.dumpable;
    case PR_SET_DUMPABLE:
      if (arg2 !== 0 && arg2 !== 1) return -EINVAL;
      for (const x of t.group.threads) x.dumpable = arg2; // the mm's flag: every thread of the process
      return 0;
    case PR_CAPBSET_READ:
      return arg2 >= 0 && arg2 <= CAP_LAST_CAP ? 1 : -EINVAL;
    case PR_SET_NO_NEW_PRIVS:
      if (arg2 !== 1 || arg3 || arg4 || arg5) return -EINVAL;
      t.noNewPrivs = true;
      return 0;
    case PR_GET_NO_NEW_PRIVS:
      if (arg2 || arg3 || arg4 || arg5) return -EINVAL;
      return t.noNewPrivs ? 1 : 0;
    default:
      return -EINVAL;
  }
}

export function registerPrctl(k: Kernel): void {
  k.table.define(167, 'prctl', ['int', 'u64', 'u64', 'u64', 'u64'], (t, [option, a2, a3, a4, a5]) => prctl(t, option, a2, a3, a4, a5));
}
