// Linux ABI constants (riscv64, asm-generic) used across the kernel.

// open(2) flags
export const O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
export const O_CREAT = 0o100, O_EXCL = 0o200, O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000,
  O_NONBLOCK = 0o4000, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000, O_CLOEXEC = 0o2000000,
  O_PATH = 0o10000000, O_ASYNC = 0o20000;
/** Flags F_SETFL may change (O_ASYNC is FASYNC: SIGIO to the file's owner on I/O events, fown.ts). */
/** what F_SETFL sets directly; O_ASYNC goes through the file's ->fasync */
export const SETFL_MASK = O_APPEND | O_NONBLOCK;

export const AT_FDCWD = -100, AT_REMOVEDIR = 0x200, AT_EACCESS = 0x200, AT_SYMLINK_NOFOLLOW = 0x100, AT_SYMLINK_FOLLOW = 0x400,
  AT_EMPTY_PATH = 0x1000;

export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_SETOWN = 8, F_GETOWN = 9, F_SETSIG = 10, F_GETSIG = 11, F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;

export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000,
  S_IFBLK = 0o60000, S_IFDIR = 0o40000, S_IFCHR = 0o20000, S_IFIFO = 0o10000;

export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
export const R_OK = 4, W_OK = 2, X_OK = 1, F_OK = 0;

export const WNOHANG = 1, WUNTRACED = 2, __WALL = 0x40000000, __WCLONE = 0x80000000;

export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1;

export const FIONREAD = 0x541b, FIONBIO = 0x5421, TCGETS = 0x5401, FIONCLEX = 0x5450, FIOCLEX = 0x5451, FIOASYNC = 0x5452;

/** Linux's MAX_RW_COUNT: one read/write moves at most INT_MAX rounded down to a page. */
export const MAX_RW_COUNT = 0x7ffff000;

/** Signals (asm-generic numbering). */
export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
  SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15,
  SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGWINCH = 28, SIGIO = 29;
export const NSIG = 64;
export const SIG_DFL = 0, SIG_IGN = 1;
