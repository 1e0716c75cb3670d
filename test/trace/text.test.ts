// The strace-like text renderer and the decoders behind it, on runs of the
// acceptance stories and on the tracer's events directly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execImage } from '../../src/exec.ts';
import { resultText, quoteBytes } from '../../src/kernel/strace.ts';
import { flagsOf, MSG_FLAGS, OPEN_FLAGS } from '../../src/kernel/strace-names.ts';
import { Trace, renderText } from '../../src/sched/trace.ts';
import { runScenario } from '../../src/script/runner.ts';
import scmRights from '../../scenarios/acceptance-scm-rights.ts';
import twoAcceptors from '../../scenarios/race-two-acceptors.ts';
import { defineScenario } from '../../src/script/scenario.ts';
import { AF_UNIX, SOCK_STREAM } from '../../src/unix/constants.ts';

const lines = (s: string) => s.trimEnd().split('\n');

describe('strace text', () => {
  it('shows the SCM_RIGHTS story as strace would: msghdr, iovec, cmsg, split calls, who woke whom', () => {
    const r = runScenario(scmRights, { seed: 1, recordText: true });
    const text = renderText(r.events, { time: false });
    expect(text).toContain('[pid 1] socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0');
    expect(text).toContain('[pid 1] openat(AT_FDCWD, "/tmp/motd", O_RDONLY) = 4');
    expect(text).toContain('sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="here", iov_len=4}], msg_iovlen=1, ' +
      'msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[4]}], msg_controllen=24, msg_flags=0}, 0) = 4');
    const l = lines(text);
    const recvStart = l.findIndex((x) => x === '[pid 2] recvmsg(4,  <unfinished ...>');
    const send = l.findIndex((x) => x.startsWith('[pid 1] sendmsg(3, '));
    const woke = l.findIndex((x) => x === '[pid 2] --- woken by [pid 1] sendmsg(3, ...) via socket:[20001] readers ---');
    const resumed = l.findIndex((x) => x.startsWith('[pid 2] <... recvmsg resumed>{msg_name=NULL'));
    expect(recvStart).toBeGreaterThanOrEqual(0);
    // the wake line names the waker and comes right after the waker's call
    expect([recvStart < send, woke === send + 1, resumed > woke]).toEqual([true, true, true]);
    expect(l[resumed]).toMatch(/cmsg_type=SCM_RIGHTS, cmsg_data=\[3\]\}\], msg_controllen=24, msg_flags=0\}, 0\) = 4$/);
    expect(l.at(-1)).toBe('[pid 1] +++ exited with 0 +++');
    // each call appears once: a blocked call is one unfinished line and one resumed line
    expect(l.filter((x) => x.includes('wait4(')).length).toBe(1);
  });

  it('with fd paths shows what each fd is, as strace -yy', () => {
    const r = runScenario(scmRights, { seed: 1, recordText: true });
    const text = renderText(r.events, { time: false, fdPaths: true });
    expect(text).toMatch(/socketpair\(AF_UNIX, SOCK_STREAM, 0, \[3<UNIX-STREAM:\[20000->20001\]>, 4<UNIX-STREAM:\[20001->20000\]>\]\) = 0/);
    expect(text).toContain('openat(AT_FDCWD, "/tmp/motd", O_RDONLY) = 4</tmp/motd>');
    expect(text).toContain('cmsg_data=[4</tmp/motd>]');
  });

  it('with fd paths, a client shows its peer only once the connection is accepted (sock_diag: an embryo has no inode)', () => {
    const story = defineScenario({
      name: 'peer-after-accept',
      processes: [{
        name: 'p',
        *program(sys) {
          const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
          yield* sys.bind(ls, { abstract: 'peer-after-accept' });
          yield* sys.listen(ls, 1);
          const c = yield* sys.socket(AF_UNIX, SOCK_STREAM);
          yield* sys.connect(c, { abstract: 'peer-after-accept' });
          yield* sys.shutdown(c, 0);
          const a = yield* sys.accept(ls);
          yield* sys.shutdown(c, 0);
          return a.ret >= 0 ? 0 : 1;
        },
      }],
    });
    const r = runScenario(story, { seed: 1, recordText: true });
    const l = lines(renderText(r.events, { time: false, fdPaths: true })).filter((x) => x.includes('shutdown('));
    expect(l).toEqual([
      '[pid 1] shutdown(4<UNIX-STREAM:[20001]>, SHUT_RD) = 0',
      '[pid 1] shutdown(4<UNIX-STREAM:[20001->20002]>, SHUT_RD) = 0',
    ]);
  });

  it('a process ends after its last call, never before it (no text surgery)', () => {
    const path = 'guest/bin/sigpipe';
    const r = execImage(path, new Uint8Array(readFileSync(path)), { seed: 1, recordText: true });
    const l = lines(renderText(r.events, { time: false }));
    expect(l.slice(-2)).toEqual(['[pid 1] exit_group(0) = ?', '[pid 1] +++ exited with 0 +++']);
    const pipe = l.findIndex((x) => x === '[pid 1] write(4, "data", 4) = -1 EPIPE (Broken pipe)');
    expect(l[pipe + 1]).toBe('[pid 1] --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=1, si_uid=0} ---');
    expect(l.some((x) => / = \? ERESTARTSYS \(To be restarted if SA_RESTART is set\)$/.test(x))).toBe(true);
    expect(l).toContain('[pid 1] rt_sigreturn() = -1 EINTR (Interrupted system call)');
  });

  it('shows the lost wakeup of accept-single-waker: the second connect wakes nobody', () => {
    const r = runScenario(twoAcceptors, { seed: 2, recordText: true, bugs: ['accept-single-waker'] });
    const l = lines(renderText(r.events, { time: false }));
    const connects = l.map((x, i) => [x, i] as const).filter(([x]) => /^\[pid \d+\] connect\(3, /.test(x)).map(([, i]) => i);
    expect(connects.length).toBe(2);
    expect(l[connects[0] + 1]).toMatch(/--- woken by \[pid 1\] connect\(3, \.\.\.\) via socket:\[20000\] acceptors ---/);
    expect(l[connects[1] + 1]).not.toMatch(/woken/);
    expect(l.at(-1)).toMatch(/<unfinished \.\.\.>$/);
  });

  it('renders results and flags as strace does', () => {
    expect(resultText(-11)).toBe('-1 EAGAIN (Resource temporarily unavailable)');
    expect(resultText(-512)).toBe('? ERESTARTSYS (To be restarted if SA_RESTART is set)');
    expect(resultText(7)).toBe('7');
    expect(flagsOf(MSG_FLAGS, 0x4040)).toBe('MSG_DONTWAIT|MSG_NOSIGNAL');
    expect(flagsOf(MSG_FLAGS, 0)).toBe('0');
    expect(flagsOf(OPEN_FLAGS, 0o4010000)).toBe('O_SYNC');
    expect(flagsOf(MSG_FLAGS, 0x80000000)).toBe('0x80000000');
    expect(quoteBytes(new Uint8Array([0x68, 0, 0x31, 7, 0x0a]))).toBe('"h\\0001\\7\\n"');
  });

  it('splits a call only when another thread prints in between', () => {
    const tr = new Trace(true);
    tr.running = 1;
    tr.enter(0, 1, 'read', '3, ');
    tr.block(0, 1, 'pipe:[1] readers');
    tr.running = 2;
    tr.enter(10, 2, 'write', '4, "x", 1');
    tr.wake(10, 1, 'pipe:[1] readers');
    tr.exit(10, 2, '', '1', 1);
    tr.running = 1;
    tr.resume(20, 1);
    tr.exit(20, 1, '"x", 1', '1', 1);
    tr.enter(30, 1, 'close', '3');
    tr.exit(30, 1, '', '0', 0);
    expect(lines(renderText(tr.events, { time: false }))).toEqual([
      '[pid 1] read(3,  <unfinished ...>',
      '[pid 2] write(4, "x", 1) = 1',
      '[pid 1] --- woken by [pid 2] write(4, ...) via pipe:[1] readers ---',
      '[pid 1] <... read resumed>"x", 1) = 1',
      '[pid 1] close(3) = 0',
    ]);
  });

  it('records nothing but the hash when not recording', () => {
    const a = runScenario(scmRights, { seed: 3 });
    const b = runScenario(scmRights, { seed: 3, recordText: true });
    expect(a.events).toEqual([]);
    expect(a.hash).toBe(b.hash);
  });
});
