// Fixed unix_ops.c programs (test/guest/linux6/unix_ops.c) aimed at edges
// that random programs (properties/linux-diff.test.ts) seldom reach, each
// run natively (Linux answers) and under unixsim (properties/gen/unix-cases.ts):
// every SOL_SOCKET option set and read back with its value and length
// edges, put_cmsg and scm_detach_fds at every size of control buffer around
// a header, many fds at once, SCM_CREDENTIALS forms allowed to root,
// SO_PASSPIDFD and SO_INQ, the truesize of sends around its boundaries, and
// pathname names (bind, connect, sendto, a regular file, a dangling
// symbolic link, unlink). Every line must be Linux's. No model either.
import { beforeAll, describe, it } from 'vitest';
import { CASES } from './gen/unix-cases.ts';
import { buildUnixOps, firstDifference, onLinux, onUnixsim, type UnixOps } from './lib/linux-diff.ts';

let ops: UnixOps;

beforeAll(async () => {
  ops = await buildUnixOps();
}, 120_000);

describe('AF_UNIX edges against the running Linux kernel', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const program = c.ops.join(';');
      const difference = firstDifference(onLinux(ops, program, c.dir), onUnixsim(ops, program, 1, [], c.dir));
      if (difference) throw new Error(`${difference}\nprogram: ${JSON.stringify(program)}`);
    });
  }
});
