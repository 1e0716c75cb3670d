// sched_getaffinity / sched_setaffinity: the CPUs are the run's harts (one by
// default), with the argument checks of kernel/sched/core.c (the same calls
// natively on a 2-CPU Linux 6.18 give the same errors, and a mask of CPUs 0
// and 1).
import { describe, it } from 'vitest';
import { EFAULT, EINVAL, EPERM, ESRCH } from '../../src/kernel/errno.ts';
import { getU64 } from '../../src/kernel/uaccess.ts';
import { eq, runOk } from './harness.ts';

const GET = 123, SET = 122;

describe('CPU affinity', () => {
  it('reports CPU 0 alone in one unsigned long, and checks the length as Linux does', () => {
    runOk(function* (sys) {
      const mm = () => sys.ctx.task.mm;
      const buf = sys.scratch.put(new Uint8Array(128).fill(0xff));
      eq(yield* sys.syscall(GET, 0, 128, buf), 8, 'cpumask_size() bytes written');
      eq(getU64(mm(), buf), 1, 'the mask');
      eq(mm().read(buf + 8, 1)?.[0], 0xff, 'bytes past the mask untouched');
      eq(yield* sys.syscall(GET, 0, 0, buf), -EINVAL, 'len 0 holds no CPU');
      eq(yield* sys.syscall(GET, 0, 12, buf), -EINVAL, 'len not a multiple of sizeof(long)');
      eq(yield* sys.syscall(GET, 99999, 8, buf), -ESRCH, 'no such pid');
      eq(yield* sys.syscall(GET, 0, 8, 8), -EFAULT, 'bad pointer');
      eq(yield* sys.syscall(GET, sys.pid, 8, buf), 8, 'own pid');
      const none = sys.scratch.put(new Uint8Array(8));
      const cpu0 = sys.scratch.put(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0));
      const cpu1 = sys.scratch.put(Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0));
      eq(yield* sys.syscall(SET, 0, 8, none), -EINVAL, 'an empty mask');
      eq(yield* sys.syscall(SET, 0, 8, cpu1), -EINVAL, 'only a CPU that is not there');
      eq(yield* sys.syscall(SET, 0, 8, cpu0), 0, 'CPU 0');
      eq(yield* sys.syscall(SET, 0, 1, cpu0), 0, 'a short mask is zero-extended');
      eq(yield* sys.syscall(SET, 0, 0, cpu0), -EINVAL, 'a zero-length mask is empty');
      eq(yield* sys.syscall(SET, 0, 8, 8), -EFAULT, 'bad pointer');
      eq(yield* sys.syscall(SET, 99999, 8, cpu0), -ESRCH, 'no such pid');
    });
  });

  it("refuses another user's process without CAP_SYS_NICE", () => {
    runOk(function* (sys) {
      const parent = sys.pid;
      yield* sys.fork(function* (c) {
        eq(yield* c.setuid(1000), 0, 'setuid');
        const cpu0 = c.scratch.put(Uint8Array.of(1));
        eq(yield* c.syscall(SET, parent, 1, cpu0), -EPERM, "root's process");
        eq(yield* c.syscall(SET, 0, 1, cpu0), 0, 'its own');
        eq(yield* c.syscall(GET, parent, 8, c.scratch.put(new Uint8Array(8))), 8, 'reading is allowed');
      });
      yield* sys.wait();
    });
  });

  it('reports one CPU per hart of the SMP model', () => {
    runOk(function* (sys) {
      const buf = sys.scratch.put(new Uint8Array(16).fill(0xff));
      eq(yield* sys.syscall(GET, 0, 16, buf), 8, 'one unsigned long');
      eq(getU64(sys.ctx.task.mm, buf), 0b111, 'CPUs 0-2');
      eq(yield* sys.syscall(SET, 0, 1, sys.scratch.put(Uint8Array.of(4))), 0, 'CPU 2 alone');
      eq(yield* sys.syscall(SET, 0, 1, sys.scratch.put(Uint8Array.of(8))), -EINVAL, 'CPU 3 is not there');
    }, { harts: 3 });
    runOk(function* (sys) {
      const buf = sys.scratch.put(new Uint8Array(32));
      eq(yield* sys.syscall(GET, 0, 8, buf), -EINVAL, '65 CPUs do not fit in 8 bytes');
      eq(yield* sys.syscall(GET, 0, 32, buf), 16, 'two unsigned longs');
      eq(getU64(sys.ctx.task.mm, buf + 8), 1, 'CPU 64');
    }, { harts: 65 });
  });
});
