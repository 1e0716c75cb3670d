// Property: reference conservation under fd passing. Random programs of 2-4
// processes open, send, receive, peek and close fds (properties/lib/scm.ts)
// under random and pct schedules; the kernel checks after every step that
// every open file's refcount equals its fd-table references plus the
// messages carrying it, and when every process has exited no file is open
// and no message is in flight. A failure prints the fast-check seed and
// path, the shrunk program, the picks and the replay command.
import { describe, expect, it } from 'vitest';
import { checkScmProperty, SCM_CONSERVATION } from './lib/scm.ts';

describe('scm-conservation', () => {
  it('refcounts equal fd-table plus in-flight references at every step; nothing is left when all exit', () => {
    const { report } = checkScmProperty(SCM_CONSERVATION);
    expect(report, report ?? '').toBeNull();
  });
});
