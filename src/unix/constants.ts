// AF_UNIX ABI constants (Linux, riscv64 / asm-generic), named exactly as in
// the Linux headers so guest code and scripts read the same.

// address families
export const AF_UNSPEC = 0, AF_UNIX = 1, AF_LOCAL = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16,
  AF_PACKET = 17;
export const PF_UNIX = AF_UNIX;

// socket types and the flags that may be or'ed into the type argument
export const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_RDM = 4, SOCK_SEQPACKET = 5, SOCK_DCCP = 6,
  SOCK_PACKET = 10;
/** SOCK_MAX in include/linux/net.h: types at or above it are EINVAL. */
export const SOCK_MAX = 11;
export const SOCK_TYPE_MASK = 0xf;
export const SOCK_NONBLOCK = 0o4000, SOCK_CLOEXEC = 0o2000000;

export const SOL_SOCKET = 1;
export const SCM_RIGHTS = 1, SCM_CREDENTIALS = 2, SCM_PIDFD = 4, SCM_INQ = 84;

// SOL_SOCKET options (asm-generic/socket.h)
export const SO_DEBUG = 1, SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_DONTROUTE = 5, SO_BROADCAST = 6,
  SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_OOBINLINE = 10, SO_NO_CHECK = 11, SO_PRIORITY = 12,
  SO_LINGER = 13, SO_BSDCOMPAT = 14, SO_REUSEPORT = 15, SO_PASSCRED = 16, SO_PEERCRED = 17, SO_RCVLOWAT = 18,
  SO_SNDLOWAT = 19, SO_RCVTIMEO = 20, SO_SNDTIMEO = 21, SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33,
  SO_ACCEPTCONN = 30, SO_PEERSEC = 31, SO_PASSSEC = 34, SO_PROTOCOL = 38, SO_DOMAIN = 39, SO_RXQ_OVFL = 40,
  SO_PEEK_OFF = 42, SO_TIMESTAMP = 29, SO_TIMESTAMPNS = 35, SO_MARK = 36, SO_BUSY_POLL = 46, SO_PEERGROUPS = 59, SO_ZEROCOPY = 60,
  SO_NETNS_COOKIE = 71, SO_BUF_LOCK = 72, SO_RESERVE_MEM = 73, SO_TXREHASH = 74, SO_RCVMARK = 75,
  SO_PASSPIDFD = 76, SO_PEERPIDFD = 77, SO_RCVPRIORITY = 82, SO_PASSRIGHTS = 83, SO_INQ = 84;

/** sk_userlocks bits SO_BUF_LOCK reads and sets (SOCK_BUF_LOCK_MASK); setting SO_SNDBUF / SO_RCVBUF sets one */
export const SOCK_SNDBUF_LOCK = 1, SOCK_RCVBUF_LOCK = 2, SOCK_BUF_LOCK_MASK = 3;

// send/recv flags
export const MSG_OOB = 0x1, MSG_PEEK = 0x2, MSG_DONTROUTE = 0x4, MSG_CTRUNC = 0x8, MSG_TRUNC = 0x20,
  MSG_DONTWAIT = 0x40, MSG_EOR = 0x80, MSG_WAITALL = 0x100, MSG_NOSIGNAL = 0x4000, MSG_MORE = 0x8000,
  MSG_CMSG_CLOEXEC = 0x40000000;

/** Linux's CONFIG_HZ on the reference machine (a 1 us SO_RCVTIMEO reads back as 4000 us), and MAX_SCHEDULE_TIMEOUT (LONG_MAX) */
export const HZ = 250n, MAX_SCHEDULE_TIMEOUT = 0x7fffffffffffffffn;

export const SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

// poll(2) events
export const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
  POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200, POLLRDHUP = 0x2000;

/** Poll keys of socket wakeups: sk_data_ready (sock_def_readable) and sk_write_space (unix_write_space) */
export const DATA_READY_KEY = POLLIN | POLLPRI | POLLRDNORM | POLLRDBAND, WRITE_SPACE_KEY = POLLOUT | POLLWRNORM | POLLWRBAND;

export const FIONREAD = 0x541b, SIOCINQ = 0x541b, SIOCOUTQ = 0x5411, SIOCATMARK = 0x8905, SIOCGIFINDEX = 0x8933;
/** SIOCPROTOPRIVATE: AF_UNIX's ioctl that opens the socket's bound file O_PATH (unix_open_file) */
export const SIOCUNIXFILE = 0x89e0;
/** the loopback interface's index: the only network device (per network namespace) */
export const LOOPBACK_IFINDEX = 1;

/** net.core.optmem_max's default (sysctl_optmem_max, 128 KiB): what sock_kmalloc gives one socket for control data */
export const OPTMEM_MAX = 131072;

/** sizeof(struct sockaddr_un) and its path field; addresses up to sizeof(sockaddr_storage) are copied in. */
export const SOCKADDR_UN_SIZE = 110, UNIX_PATH_MAX = 108, SOCKADDR_STORAGE_SIZE = 128;
/** offsetof(struct sockaddr_un, sun_path) */
export const SUN_PATH_OFFSET = 2;

/** Buffer limits (net/core/sock.c, include/net/sock.h). */
export const SOCK_MIN_SNDBUF = 4608, SOCK_MIN_RCVBUF = 2304, WMEM_DEFAULT = 212992, WMEM_MAX = 212992,
  RMEM_DEFAULT = 212992, RMEM_MAX = 212992;
/** net.core.somaxconn since 5.4 */
export const SOMAXCONN = 4096;
/** net.unix.max_dgram_qlen */
export const MAX_DGRAM_QLEN = 10;
export const SCM_MAX_FD = 253;

/** struct ucred: pid, uid, gid */
export const UCRED_SIZE = 12;
