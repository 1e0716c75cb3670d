// The names strace prints for flag words and constants (Linux's generic
// values, which riscv64 and x86_64 share), one table per kind. A table is a
// list of [value, name]; add a row when the kernel learns a new flag or
// option and the decoders in strace.ts show it by name.

export type Names = readonly (readonly [number, string])[];

export const ADDRESS_FAMILIES: Names = [
  [0, 'AF_UNSPEC'], [1, 'AF_UNIX'], [2, 'AF_INET'], [10, 'AF_INET6'], [16, 'AF_NETLINK'], [17, 'AF_PACKET'],
];

export const SOCK_TYPES: Names = [
  [1, 'SOCK_STREAM'], [2, 'SOCK_DGRAM'], [3, 'SOCK_RAW'], [4, 'SOCK_RDM'], [5, 'SOCK_SEQPACKET'], [6, 'SOCK_DCCP'],
  [10, 'SOCK_PACKET'],
];

/** socket(2)/socketpair/accept4 flag bits */
export const SOCK_FLAGS: Names = [[0o4000, 'SOCK_NONBLOCK'], [0o2000000, 'SOCK_CLOEXEC']];
export const TFD_FLAGS: Names = [[0o2000000, 'TFD_CLOEXEC'], [0o4000, 'TFD_NONBLOCK']];
export const TFD_SETTIME_FLAGS: Names = [[1, 'TFD_TIMER_ABSTIME'], [2, 'TFD_TIMER_CANCEL_ON_SET']];
export const CLOCK_IDS: Names = [
  [0, 'CLOCK_REALTIME'], [1, 'CLOCK_MONOTONIC'], [2, 'CLOCK_PROCESS_CPUTIME_ID'], [3, 'CLOCK_THREAD_CPUTIME_ID'],
  [4, 'CLOCK_MONOTONIC_RAW'], [5, 'CLOCK_REALTIME_COARSE'], [6, 'CLOCK_MONOTONIC_COARSE'], [7, 'CLOCK_BOOTTIME'],
  [8, 'CLOCK_REALTIME_ALARM'], [9, 'CLOCK_BOOTTIME_ALARM'], [11, 'CLOCK_TAI'],
];
export const SFD_FLAGS: Names = [[0o2000000, 'SFD_CLOEXEC'], [0o4000, 'SFD_NONBLOCK']];
export const EFD_FLAGS: Names = [[1, 'EFD_SEMAPHORE'], [0o2000000, 'EFD_CLOEXEC'], [0o4000, 'EFD_NONBLOCK']];

export const MSG_FLAGS: Names = [
  [0x1, 'MSG_OOB'], [0x2, 'MSG_PEEK'], [0x4, 'MSG_DONTROUTE'], [0x8, 'MSG_CTRUNC'], [0x10, 'MSG_PROBE'],
  [0x20, 'MSG_TRUNC'], [0x40, 'MSG_DONTWAIT'], [0x80, 'MSG_EOR'], [0x100, 'MSG_WAITALL'], [0x200, 'MSG_FIN'],
  [0x400, 'MSG_SYN'], [0x800, 'MSG_CONFIRM'], [0x1000, 'MSG_RST'], [0x2000, 'MSG_ERRQUEUE'], [0x4000, 'MSG_NOSIGNAL'],
  [0x8000, 'MSG_MORE'], [0x10000, 'MSG_WAITFORONE'], [0x40000, 'MSG_BATCH'], [0x4000000, 'MSG_ZEROCOPY'],
  [0x20000000, 'MSG_FASTOPEN'], [0x40000000, 'MSG_CMSG_CLOEXEC'],
];

export const SOCKET_LEVELS: Names = [[0, 'SOL_IP'], [1, 'SOL_SOCKET'], [6, 'SOL_TCP'], [17, 'SOL_UDP'], [41, 'SOL_IPV6']];

/** SOL_SOCKET option names */
export const SOCKET_OPTIONS: Names = [
  [1, 'SO_DEBUG'], [2, 'SO_REUSEADDR'], [3, 'SO_TYPE'], [4, 'SO_ERROR'], [5, 'SO_DONTROUTE'], [6, 'SO_BROADCAST'],
  [7, 'SO_SNDBUF'], [8, 'SO_RCVBUF'], [9, 'SO_KEEPALIVE'], [10, 'SO_OOBINLINE'], [11, 'SO_NO_CHECK'],
  [12, 'SO_PRIORITY'], [13, 'SO_LINGER'], [14, 'SO_BSDCOMPAT'], [15, 'SO_REUSEPORT'], [16, 'SO_PASSCRED'],
  [17, 'SO_PEERCRED'], [18, 'SO_RCVLOWAT'], [19, 'SO_SNDLOWAT'], [20, 'SO_RCVTIMEO_OLD'], [21, 'SO_SNDTIMEO_OLD'],
  [25, 'SO_BINDTODEVICE'], [26, 'SO_ATTACH_FILTER'], [27, 'SO_DETACH_FILTER'], [28, 'SO_PEERNAME'],
  [29, 'SO_TIMESTAMP_OLD'], [30, 'SO_ACCEPTCONN'], [31, 'SO_PEERSEC'], [32, 'SO_SNDBUFFORCE'], [33, 'SO_RCVBUFFORCE'],
  [34, 'SO_PASSSEC'], [35, 'SO_TIMESTAMPNS_OLD'], [36, 'SO_MARK'], [38, 'SO_PROTOCOL'], [39, 'SO_DOMAIN'],
  [40, 'SO_RXQ_OVFL'], [41, 'SO_WIFI_STATUS'], [42, 'SO_PEEK_OFF'], [43, 'SO_NOFCS'], [46, 'SO_BUSY_POLL'],
  [49, 'SO_INCOMING_CPU'], [57, 'SO_COOKIE'], [59, 'SO_PEERGROUPS'], [60, 'SO_ZEROCOPY'], [66, 'SO_RCVTIMEO_NEW'],
  [67, 'SO_SNDTIMEO_NEW'], [71, 'SO_NETNS_COOKIE'], [72, 'SO_BUF_LOCK'], [73, 'SO_RESERVE_MEM'], [74, 'SO_TXREHASH'],
  [75, 'SO_RCVMARK'], [76, 'SO_PASSPIDFD'], [77, 'SO_PEERPIDFD'], [82, 'SO_RCVPRIORITY'], [83, 'SO_PASSRIGHTS'], [84, 'SO_INQ'],
];

export const SCM_TYPES: Names = [[1, 'SCM_RIGHTS'], [2, 'SCM_CREDENTIALS'], [3, 'SCM_SECURITY'], [4, 'SCM_PIDFD'], [84, 'SCM_INQ']];

/** ioctl requests by name (strace's for the tty, file and socket ones a guest here meets); others print as _IOC(...) */
export const IOCTL_REQUESTS: Names = [
  [0x5401, 'TCGETS'], [0x5402, 'TCSETS'], [0x5403, 'TCSETSW'], [0x5404, 'TCSETSF'], [0x540f, 'TIOCGPGRP'], [0x5410, 'TIOCSPGRP'],
  [0x5411, 'TIOCOUTQ'], [0x5413, 'TIOCGWINSZ'], [0x5414, 'TIOCSWINSZ'], [0x541b, 'FIONREAD'], [0x5421, 'FIONBIO'], [0x5422, 'TIOCNOTTY'],
  [0x5450, 'FIONCLEX'], [0x5451, 'FIOCLEX'], [0x5452, 'FIOASYNC'], [0x5460, 'FIOQSIZE'], [0x8905, 'SIOCATMARK'], [0x8933, 'SIOCGIFINDEX'],
  [0x89e0, 'SIOCPROTOPRIVATE'],
];

/** an ioctl request's direction bits (_IOC_DIR) */
export const IOC_DIRS: Names = [[0, '_IOC_NONE'], [1, '_IOC_WRITE'], [2, '_IOC_READ'], [3, '_IOC_READ|_IOC_WRITE']];

export const SHUTDOWN_HOW: Names = [[0, 'SHUT_RD'], [1, 'SHUT_WR'], [2, 'SHUT_RDWR']];

/** open(2) flags besides the access mode (generic octal values) */
export const OPEN_FLAGS: Names = [
  [0o100, 'O_CREAT'], [0o200, 'O_EXCL'], [0o400, 'O_NOCTTY'], [0o1000, 'O_TRUNC'], [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'], [0o4010000, 'O_SYNC'], [0o10000, 'O_DSYNC'], [0o20000, 'O_ASYNC'], [0o40000, 'O_DIRECT'],
  [0o100000, 'O_LARGEFILE'], [0o20200000, 'O_TMPFILE'], [0o200000, 'O_DIRECTORY'], [0o400000, 'O_NOFOLLOW'],
  [0o1000000, 'O_NOATIME'], [0o2000000, 'O_CLOEXEC'], [0o10000000, 'O_PATH'],
];
export const OPEN_ACCMODE: Names = [[0, 'O_RDONLY'], [1, 'O_WRONLY'], [2, 'O_RDWR'], [3, 'O_ACCMODE']];

export const FCNTL_COMMANDS: Names = [
  [0, 'F_DUPFD'], [1, 'F_GETFD'], [2, 'F_SETFD'], [3, 'F_GETFL'], [4, 'F_SETFL'], [5, 'F_GETLK'], [6, 'F_SETLK'],
  [7, 'F_SETLKW'], [8, 'F_SETOWN'], [9, 'F_GETOWN'], [10, 'F_SETSIG'], [11, 'F_GETSIG'], [1024, 'F_SETLEASE'],
  [1025, 'F_GETLEASE'], [1026, 'F_NOTIFY'], [1030, 'F_DUPFD_CLOEXEC'], [1031, 'F_SETPIPE_SZ'], [1032, 'F_GETPIPE_SZ'],
  [1033, 'F_ADD_SEALS'], [1034, 'F_GET_SEALS'],
];
export const FD_FLAGS: Names = [[1, 'FD_CLOEXEC']];

export const EPOLL_EVENTS: Names = [
  [0x1, 'EPOLLIN'], [0x2, 'EPOLLPRI'], [0x4, 'EPOLLOUT'], [0x8, 'EPOLLERR'], [0x10, 'EPOLLHUP'], [0x20, 'EPOLLNVAL'],
  [0x40, 'EPOLLRDNORM'], [0x80, 'EPOLLRDBAND'], [0x100, 'EPOLLWRNORM'], [0x200, 'EPOLLWRBAND'], [0x400, 'EPOLLMSG'],
  [0x2000, 'EPOLLRDHUP'], [0x10000000, 'EPOLLEXCLUSIVE'], [0x20000000, 'EPOLLWAKEUP'], [0x40000000, 'EPOLLONESHOT'],
  [0x80000000, 'EPOLLET'],
];
export const EPOLL_OPS: Names = [[1, 'EPOLL_CTL_ADD'], [2, 'EPOLL_CTL_DEL'], [3, 'EPOLL_CTL_MOD']];
export const EPOLL_CREATE_FLAGS: Names = [[0o2000000, 'EPOLL_CLOEXEC']];

export const POLL_EVENTS: Names = [
  [0x1, 'POLLIN'], [0x2, 'POLLPRI'], [0x4, 'POLLOUT'], [0x8, 'POLLERR'], [0x10, 'POLLHUP'], [0x20, 'POLLNVAL'],
  [0x40, 'POLLRDNORM'], [0x80, 'POLLRDBAND'], [0x100, 'POLLWRNORM'], [0x200, 'POLLWRBAND'], [0x400, 'POLLMSG'],
  [0x2000, 'POLLRDHUP'],
];

/** clone flags (the low byte is the exit signal) */
export const CLONE_FLAGS: Names = [
  [0x100, 'CLONE_VM'], [0x200, 'CLONE_FS'], [0x400, 'CLONE_FILES'], [0x800, 'CLONE_SIGHAND'], [0x1000, 'CLONE_PIDFD'],
  [0x2000, 'CLONE_PTRACE'], [0x4000, 'CLONE_VFORK'], [0x8000, 'CLONE_PARENT'], [0x10000, 'CLONE_THREAD'],
  [0x20000, 'CLONE_NEWNS'], [0x40000, 'CLONE_SYSVSEM'], [0x80000, 'CLONE_SETTLS'], [0x100000, 'CLONE_PARENT_SETTID'],
  [0x200000, 'CLONE_CHILD_CLEARTID'], [0x400000, 'CLONE_DETACHED'], [0x800000, 'CLONE_UNTRACED'],
  [0x1000000, 'CLONE_CHILD_SETTID'], [0x2000000, 'CLONE_NEWCGROUP'], [0x4000000, 'CLONE_NEWUTS'],
  [0x8000000, 'CLONE_NEWIPC'], [0x10000000, 'CLONE_NEWUSER'], [0x20000000, 'CLONE_NEWPID'], [0x40000000, 'CLONE_NEWNET'],
  [0x80000000, 'CLONE_IO'],
];

/** strace's wait4_options, in its order (2 is WSTOPPED, WUNTRACED's other name, printed after WEXITED) */
export const WAIT_OPTIONS: Names = [
  [1, 'WNOHANG'], [4, 'WEXITED'], [2, 'WSTOPPED'], [8, 'WCONTINUED'], [0x1000000, 'WNOWAIT'],
  [0x20000000, '__WNOTHREAD'], [0x40000000, '__WALL'], [0x80000000, '__WCLONE'],
];

export const WAITID_TYPES: Names = [[0, 'P_ALL'], [1, 'P_PID'], [2, 'P_PGID'], [3, 'P_PIDFD']];

export const CLD_CODES: Names = [
  [1, 'CLD_EXITED'], [2, 'CLD_KILLED'], [3, 'CLD_DUMPED'], [4, 'CLD_TRAPPED'], [5, 'CLD_STOPPED'], [6, 'CLD_CONTINUED'],
];

export const SIGPROCMASK_HOW: Names = [[0, 'SIG_BLOCK'], [1, 'SIG_UNBLOCK'], [2, 'SIG_SETMASK']];

export const SA_FLAGS: Names = [
  [1, 'SA_NOCLDSTOP'], [2, 'SA_NOCLDWAIT'], [4, 'SA_SIGINFO'], [0x04000000, 'SA_RESTORER'], [0x08000000, 'SA_ONSTACK'],
  [0x10000000, 'SA_RESTART'], [0x40000000, 'SA_NODEFER'], [0x80000000, 'SA_RESETHAND'],
];

/** glibc's strerror text, which strace prints after the errno name */
export const ERRNO_TEXT: Record<number, string> = {
  1: 'Operation not permitted', 2: 'No such file or directory', 3: 'No such process', 4: 'Interrupted system call',
  5: 'Input/output error', 6: 'No such device or address', 7: 'Argument list too long', 8: 'Exec format error',
  9: 'Bad file descriptor', 10: 'No child processes', 11: 'Resource temporarily unavailable',
  12: 'Cannot allocate memory', 13: 'Permission denied', 14: 'Bad address', 15: 'Block device required',
  16: 'Device or resource busy', 17: 'File exists', 18: 'Invalid cross-device link', 19: 'No such device',
  20: 'Not a directory', 21: 'Is a directory', 22: 'Invalid argument', 23: 'Too many open files in system',
  24: 'Too many open files', 25: 'Inappropriate ioctl for device', 26: 'Text file busy', 27: 'File too large',
  28: 'No space left on device', 29: 'Illegal seek', 30: 'Read-only file system', 31: 'Too many links',
  32: 'Broken pipe', 33: 'Numerical argument out of domain', 34: 'Numerical result out of range',
  35: 'Resource deadlock avoided', 36: 'File name too long', 37: 'No locks available', 38: 'Function not implemented',
  39: 'Directory not empty', 40: 'Too many levels of symbolic links', 88: 'Socket operation on non-socket',
  89: 'Destination address required', 90: 'Message too long', 91: 'Protocol wrong type for socket',
  92: 'Protocol not available', 93: 'Protocol not supported', 94: 'Socket type not supported',
  95: 'Operation not supported', 97: 'Address family not supported by protocol', 98: 'Address already in use',
  99: 'Cannot assign requested address', 103: 'Software caused connection abort', 104: 'Connection reset by peer',
  105: 'No buffer space available', 106: 'Transport endpoint is already connected',
  107: 'Transport endpoint is not connected', 109: 'Too many references: cannot splice', 110: 'Connection timed out',
  111: 'Connection refused', 114: 'Operation already in progress', 115: 'Operation now in progress',
};

/** Kernel-internal restart codes as strace names and explains them ("= ? ERESTARTSYS (...)"). */
export const RESTART_TEXT: Record<number, [string, string]> = {
  512: ['ERESTARTSYS', 'To be restarted if SA_RESTART is set'],
  513: ['ERESTARTNOINTR', 'To be restarted'],
  514: ['ERESTARTNOHAND', 'To be restarted if no handler'],
  516: ['ERESTART_RESTARTBLOCK', 'Interrupted by signal'],
};

/** Looks a value up in a table: its name, or undefined. */
export function nameOf(table: Names, v: number): string | undefined {
  for (const [n, s] of table) if (n === v) return s;
  return undefined;
}

/**
 * A flag word as strace prints it: names joined by "|", unknown bits as hex
 * at the end, `zero` (or "0") when nothing is set. Multi-bit entries (O_SYNC)
 * match only when all their bits are set, and take those bits.
 */
export function flagsOf(table: Names, v: number, zero = '0'): string {
  let rest = v >>> 0;
  const parts: string[] = [];
  for (const [bits, name] of table) {
    if (bits !== 0 && (rest & bits) >>> 0 === bits) {
      parts.push(name);
      rest = (rest & ~bits) >>> 0;
    }
  }
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.length ? parts.join('|') : zero;
}
