// Property: a received fd refers to the very open file description that was
// sent (its offset moves with the sender's; a socket is the same inode), in
// the order the messages were sent, none lost, with exactly as many fds as
// the control buffer has room for and MSG_CTRUNC when some did not fit.
import { describe, expect, it } from 'vitest';
import { checkScmProperty, SCM_IDENTITY } from './lib/scm.ts';

describe('scm-identity', () => {
  it('received fds are the sent open file descriptions, in order, none lost', () => {
    const { report } = checkScmProperty(SCM_IDENTITY);
    expect(report, report ?? '').toBeNull();
  });
});
