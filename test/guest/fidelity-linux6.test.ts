// Linux 6.x fidelity probes (test/guest/linux6/*_probe.c, beyond the AF_UNIX
// catalogue probe): each prints one labelled line per check, and is compared
// line by line with its native run (Linux itself) under qemu-riscv64 and under
// unixsim exec (kernel invariants checked every step), each built twice for
// riscv64: with static glibc and with musl (test/guest/musl/build-musl.sh). As in fidelity.test.ts,
// allowed differences are listed with why, and an entry that no longer
// differs fails, so the lists cannot go stale.
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProbe, compareLines, type BuiltProbe } from './probe.ts';
import { onQemu, onUnixsim, requireQemu } from './qemu.ts';

interface Probe {
  /** the C source under test/guest/linux6 */
  file: string;
  /** lines where qemu-user's own syscall translation, not Linux, is wrong */
  qemuMistranslates: Record<string, string>;
  /** lines where unixsim differs from Linux today */
  unixsimGaps: Record<string, string>;
  /** its native run must have been able to do this (a line fragment), or the comparison means nothing */
  nativeMust?: { text: string; why: string };
  /** why qemu-user cannot be compared at all (then only the native run is the oracle) */
  notUnderQemu?: string;
}

const UNKNOWN_SOCKOPT = "qemu-user passes only the SOL_SOCKET options it knows to the kernel; the Linux 6.13-6.17 ones fail with ENOPROTOOPT";

const PROBES: Probe[] = [
  // close(fd) in one thread while another is blocked in recv/accept/poll/read on it (fdget/fdput)
  { file: 'fdget_probe.c', qemuMistranslates: {}, unixsimGaps: {} },
  // MSG_OOB on stream sockets: the mark, SIOCATMARK, SO_OOBINLINE, POLLPRI/exceptfds, SIGURG and F_SETOWN, SCM_RIGHTS
  { file: 'oob_probe.c', qemuMistranslates: {}, unixsimGaps: {} },
  // socket options (SO_PEEK_OFF, SO_RCVLOWAT, SO_LINGER, timeouts, ...), FIOCLEX, IOV_MAX, zero-length writes
  {
    file: 'sockopt_probe.c',
    qemuMistranslates: {
      'peekoff 1 stream': 'qemu-user passes only the SOL_SOCKET options it knows to the kernel; this one fails with ENOPROTOOPT',
      'peekoff 2 dgram': 'qemu-user passes only the SOL_SOCKET options it knows to the kernel; this one fails with ENOPROTOOPT',
      'mark': 'qemu-user passes only the SOL_SOCKET options it knows to the kernel; this one fails with ENOPROTOOPT',
      'busypoll': 'qemu-user passes only the SOL_SOCKET options it knows to the kernel; this one fails with ENOPROTOOPT',
      'timestampns': 'qemu-user passes only the SOL_SOCKET options it knows to the kernel; this one fails with ENOPROTOOPT',
      'zerocopy': 'qemu-user passes only the SOL_SOCKET options it knows to the kernel; this one fails with ENOPROTOOPT',
    },
    unixsimGaps: {},
  },
  // pidfd_open, pidfd_send_signal, pidfd polling, SO_PEERPIDFD, SO_PASSPIDFD/SCM_PIDFD, pidfds over SCM_RIGHTS
  {
    file: 'pidfd_probe.c',
    qemuMistranslates: {
      'passpidfd 1': "qemu-user does not know SO_PASSPIDFD (ENOPROTOOPT), so no SCM_PIDFD arrives",
      'passpidfd 2': "qemu-user does not know SO_PASSPIDFD, so only SCM_CREDENTIALS arrives",
    },
    unixsimGaps: {},
  },
  // setitimer/alarm, sigpending, rt_sigtimedwait, EINTR rules, capget/capset, SIOCGIFINDEX, recvmmsg timeout, #!
  {
    file: 'kernel_probe.c',
    qemuMistranslates: {
      'recvmmsg 1': "qemu-user ignores recvmmsg's timeout argument",
      script: 'qemu-user without binfmt_misc hands the #! script to the host kernel, which cannot run the riscv64 interpreter (ENOEXEC)',
      'shebang 1': 'follows from the script line: the child exits 1 under qemu-user',
    },
    unixsimGaps: {},
  },
  // waitid: idtypes (P_PIDFD too), option checks, the siginfo, WNOWAIT, WNOHANG with nothing to report
  {
    file: 'wait_probe.c',
    qemuMistranslates: {
      'nohang 1': "qemu-user copies waitid's siginfo back only when a child was found, so WNOHANG leaves it as it was",
    },
    unixsimGaps: {},
  },
  // /proc/self/exe: readlink, open (ETXTBSY for a writer), fstat, /proc/self/fd of it, execve of the link
  {
    file: 'exe_probe.c',
    qemuMistranslates: {
      'open rdwr': "qemu-user opens /proc/self/exe as its own host file (the riscv64 binary is not being executed by the host kernel), so a writer is let in",
      'execve exit': 'qemu-user hands /proc/self/exe to the host kernel, which cannot run the riscv64 binary',
    },
    unixsimGaps: {},
  },
  // sendfile to stream and datagram sockets, pipes and files; its checks; a nonblocking socket filling up; SO_PEERGROUPS
  {
    file: 'sendfile_probe.c',
    qemuMistranslates: {},
    unixsimGaps: {
      'socket into pipe': 'sendfile from a socket into a pipe (splice_file_to_pipe) is EINVAL here: only regular files are sources',
      'nonblocking amount': 'Linux splices page batches of 64 KiB into the socket, each taken whole while below SO_SNDBUF; unixsim writes them as write(2) does, so less is taken before EAGAIN',
    },
  },
  // O_ASYNC, F_SETOWN and F_SETSIG on sockets (data, a connection, shutdown, close) and pipes (both sides)
  { file: 'async_probe.c', qemuMistranslates: {}, unixsimGaps: {} },
  // eventfd: counter and semaphore reads, EAGAIN at zero and at the top, sizes, poll/epoll, a blocked reader, flags
  { file: 'eventfd_probe.c', qemuMistranslates: {}, unixsimGaps: {} },
  // process groups and sessions (and kill/wait/F_SETOWN of a group), prctl, close_range, fsync, fadvise, clock_getres
  { file: 'process_probe.c', qemuMistranslates: {}, unixsimGaps: {} },
  // timerfd on virtual time: one-shot, periodic (periods counted at the read), absolute, disarm, epoll, checks
  {
    file: 'timerfd_probe.c',
    qemuMistranslates: { checks: "qemu-user translates timerfd_create's flags and drops the unknown bit, so the host kernel accepts it" },
    unixsimGaps: {},
  },
  // supplementary groups (setgroups/getgroups, group permission, SO_PEERGROUPS), truncate, fchownat, epoll_pwait2; setgroups needs root
  {
    file: 'groups_probe.c',
    qemuMistranslates: {
      peergroups: 'qemu-user does not translate SO_PEERGROUPS: it reports ERANGE with its own lengths',
      epoll_pwait2: 'qemu-user does not know epoll_pwait2 (ENOSYS)',
    },
    unixsimGaps: {},
    nativeMust: { text: 'groups: set 0', why: 'run the fidelity tests as root (as CI does): the native probe could not setgroups' },
  },
  // the siginfo of kill, tgkill, SIGCHLD, timers, SIGPIPE, SIGURG, F_SETSIG's SIGIO, sigtimedwait; no second queueing
  {
    file: 'siginfo_probe.c',
    qemuMistranslates: {},
    unixsimGaps: {},
  },
  // signalfd: siginfo records, several per read, EAGAIN, a blocked reader, poll/epoll, a mask update, checks
  {
    file: 'signalfd_probe.c',
    qemuMistranslates: { checks: "qemu-user passes its own sigset size to the host's signalfd4, so a wrong size is not refused" },
    unixsimGaps: {},
  },
  // memfd_create: the anonymous file, its /proc link, passed over SCM_RIGHTS, seals, checks
  // Linux 6.13-6.18 on AF_UNIX: SO_PASSRIGHTS, SO_INQ/SCM_INQ, SCM flags taken at connect, credentials for a connection not accepted yet, new generic options, SIOCUNIXFILE
  {
    file: 'scmflags_probe.c',
    qemuMistranslates: {
      'passrights stream': UNKNOWN_SOCKOPT,
      'passrights dgram': UNKNOWN_SOCKOPT,
      'passrights seqpacket': UNKNOWN_SOCKOPT,
      'passrights optlen': UNKNOWN_SOCKOPT,
      'passrights sendto': UNKNOWN_SOCKOPT,
      'inherit': UNKNOWN_SOCKOPT,
      'inq stream': UNKNOWN_SOCKOPT,
      'inq dgram': UNKNOWN_SOCKOPT,
      'inq seqpacket': UNKNOWN_SOCKOPT,
      'inq read': UNKNOWN_SOCKOPT,
      'inq creds': UNKNOWN_SOCKOPT,
      'inq control': UNKNOWN_SOCKOPT,
      'inq oob': UNKNOWN_SOCKOPT,
      'inq flags': UNKNOWN_SOCKOPT,
      'inq listener': UNKNOWN_SOCKOPT,
      'rcvpriority stream': UNKNOWN_SOCKOPT,
      'rcvpriority dgram': UNKNOWN_SOCKOPT,
      'rcvpriority seqpacket': UNKNOWN_SOCKOPT,
      'netns cookie': UNKNOWN_SOCKOPT,
      'buf lock': UNKNOWN_SOCKOPT,
      'reserve mem': UNKNOWN_SOCKOPT,
      'unixfile 1': 'qemu-user fails ioctls it does not know, SIOCUNIXFILE among them, with ENOSYS',
      'unixfile 2': 'qemu-user fails ioctls it does not know, SIOCUNIXFILE among them, with ENOSYS',
    },
    unixsimGaps: {},
    nativeMust: { text: 'passrights stream: default=1/4', why: 'the native oracle needs Linux >= 6.17 (SO_PASSRIGHTS is 6.16, SO_INQ 6.17); this kernel does not know them' },
  },
  { file: 'memfd_probe.c', qemuMistranslates: {}, unixsimGaps: {} },
  // copies that fault: a user buffer with an unmapped page inside, per handler (sockets, pipes, eventfd, files, OOB, fds in flight)
  {
    file: 'uaccess_probe.c',
    qemuMistranslates: {},
    unixsimGaps: {},
    notUnderQemu:
      'qemu-user locks each user buffer whole before the host call (lock_user), so a hole is EFAULT up front; a datagram ' +
      'carrying a pipe is then never dequeued, and the probe blocks on that pipe for ever',
  },
  // flock: description-owned locks, shared/exclusive, conversion, LOCK_NB, a blocking lock, release at close
  { file: 'flock_probe.c', qemuMistranslates: {}, unixsimGaps: {} },
  // symlinkat, readlinkat, ELOOP, O_NOFOLLOW, linkat, renameat2, and pathname sockets renamed, linked or behind links
  { file: 'vfs_probe.c', qemuMistranslates: {}, unixsimGaps: {} },
  // statfs/fstatfs, file timestamps (write, read, chmod, link, rename, truncate, utimensat, statx), send() from past a mapped file's end
  { file: 'fs_probe.c', qemuMistranslates: {}, unixsimGaps: {} },
  // unshare/clone with CLONE_NEWNET (abstract names, /proc/net/unix) and CLONE_NEWPID (pid 1, pids in SO_PEERCRED and
  // SCM_CREDENTIALS); unshare needs CAP_SYS_ADMIN, so the native run must be root
  {
    file: 'ns_probe.c',
    qemuMistranslates: {
      'netns 3': 'qemu-user refuses clone flags beyond those of fork and threads (EINVAL), here CLONE_NEWNET',
      'netns 4': 'follows from netns 3: no child was made',
      'clonepid 1': 'qemu-user refuses clone(CLONE_NEWPID) with EINVAL, so no child prints',
      'clonepid 2': 'follows from clonepid 1: there is no child to wait for',
      'clonepid 3': 'follows from clonepid 1: no child runs the execve',
      'perm 2': 'qemu-user refuses clone(CLONE_NEWNET) with EINVAL before the kernel checks permission',
      'pidns 4': "qemu-user's own helper thread, started in the forked child, takes pid 2 of the new namespace",
      'pidns 5': 'follows from pidns 4: the grandchild is pid 3',
      'initsig 1': "qemu-user's own host handlers catch the signals Linux keeps from a namespace's init, and it hangs emulating their default",
      'userns 1': 'qemu-user runs helper threads, and Linux refuses CLONE_NEWUSER to a multithreaded process (EINVAL)',
    },
    unixsimGaps: {
      'userns 1': 'user namespaces are not modelled: unshare(CLONE_NEWUSER) is EINVAL, as on a kernel built without CONFIG_USER_NS',
    },
    nativeMust: { text: 'unshare(CLONE_NEWNET)=0', why: 'run the fidelity tests as root with CAP_SYS_ADMIN (as CI does): the native namespace probe could not unshare' },
  },
];

const built = new Map<string, BuiltProbe>();

beforeAll(async () => {
  requireQemu();
  // each probe's three builds run side by side
  for (const p of PROBES) built.set(p.file, await buildProbe(fileURLToPath(new URL(`linux6/${p.file}`, import.meta.url))));
}, 120_000);

for (const p of PROBES) {
  describe(p.file, () => {
    const native = (): BuiltProbe => {
      const b = built.get(p.file)!;
      if (p.nativeMust && !b.linux.stdout.includes(p.nativeMust.text)) throw new Error(`${p.file}: ${p.nativeMust.why}`);
      return b;
    };
    if (!p.notUnderQemu) it('qemu-riscv64 agrees with the native run (glibc build)', () => {
      const b = native();
      const q = onQemu(b.riscv);
      expect(q.status).toBe(0);
      expect(compareLines('qemu', b.linux.stdout, q.stdout, p.qemuMistranslates)).toEqual([]);
    });

    for (const libc of ['glibc', 'musl'] as const) {
      it(`unixsim exec agrees with the native run (${libc} build)`, () => {
        const b = native();
        const u = onUnixsim(libc === 'glibc' ? b.riscv : b.riscvMusl, [], { checkInvariants: true });
        expect(u.status).toBe(b.linux.status);
        expect(compareLines('unixsim', b.linux.stdout, u.stdout, p.unixsimGaps)).toEqual([]);
      });
    }
  });
}

// The race a file reference closes: whatever the interleaving (seed, strategy,
// preemption inside handlers), a call blocked on a socket whose fd another
// thread closes completes as on Linux; the planted 'fdget-no-ref' (socket
// calls that take no reference) must be caught.
describe('property: a blocked call keeps its file alive under every schedule', () => {
  const schedule = fc.record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    strategy: fc.constantFrom('random' as const, 'pct' as const),
    kernelPreemption: fc.boolean(),
  });
  const differs = (bugs: string[], s: { seed: number; strategy: 'random' | 'pct'; kernelPreemption: boolean }): string[] => {
    const b = built.get('fdget_probe.c')!;
    const u = onUnixsim(b.riscv, [], { ...s, checkInvariants: true, bugs });
    return compareLines('unixsim', b.linux.stdout, u.stdout);
  };

  it('holds for the correct kernel', () => {
    fc.assert(fc.property(schedule, (s) => differs([], s).length === 0), { numRuns: 3 });
  });

  it("finds the planted 'fdget-no-ref'", () => {
    const r = fc.check(fc.property(schedule, (s) => differs(['fdget-no-ref'], s).length === 0), { numRuns: 4 });
    expect(r.failed).toBe(true);
  });
});
