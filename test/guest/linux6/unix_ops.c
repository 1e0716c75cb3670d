/* An interpreter of AF_UNIX programs for the differential property
   properties/linux-diff.test.ts: argv[1] is a program, ops separated by ';',
   each a name and up to four numbers. It runs them in order in one process,
   every call non-blocking (no timing: the result is a function of the
   program), and prints one line per op: the op, its result (a number or an
   errno name) and what it returned (bytes in hex, msg_flags, control
   messages, socket names), then the poll mask of every open socket. Built
   natively it is Linux's answer; built for riscv64 it runs under unixsim.
   Sockets are numbered by slot (the order they were made in), never by fd,
   so that an fd number is not compared twice. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/un.h>
#include <signal.h>
#include <unistd.h>
#include <linux/sockios.h>
#include "errname.h"

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 4
#endif
#ifndef SO_INQ
#define SO_INQ 84
#endif
#ifndef SCM_INQ
#define SCM_INQ SO_INQ
#endif

#define MAX_SLOTS 48
#define MAX_DATA 512

static int slot[MAX_SLOTS];
static int nslots;
static unsigned sends; /* every payload differs, so a lost or repeated one shows */

static int fd_of(long s) { return nslots == 0 ? -1 : slot[s % nslots]; }

static void res(long r) {
  if (r < 0) printf(" -%s", errname(errno));
  else printf(" %ld", r);
}

static int add_slot(int fd) {
  if (fd < 0 || nslots == MAX_SLOTS) return -1;
  slot[nslots] = fd;
  return nslots++;
}

/* argv[2], a tag of the names: the abstract namespace is the host's, and
   other runs of this interpreter on the machine at the same time must not
   hold our names (EADDRINUSE). */
static const char *tag = "";

/* The abstract name n (0-2), "@fz<tag><n>". */
static socklen_t abstract(struct sockaddr_un *a, long n) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  int len = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "fz%.16s%ld", tag, n % 3);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

/* An address as it is printed: "@name", an autobind name (five hex digits,
   random on Linux) as "@auto", unnamed as "-". */
static void print_addr(const struct sockaddr_un *a, socklen_t len) {
  socklen_t path = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
  if (path == 0) printf(" -");
  else if (a->sun_path[0] != 0) printf(" %.*s", (int)path, a->sun_path);
  else if (path == 6 && strspn(a->sun_path + 1, "0123456789abcdef") >= 5) printf(" @auto");
  else printf(" @%.*s", (int)path - 1, a->sun_path + 1);
}

static void payload(char *buf, long n) {
  unsigned k = ++sends;
  for (long i = 0; i < n; i++) buf[i] = (char)((k * 37 + i * 11) & 0xff);
}

static void hex(const char *buf, long n) {
  printf(" ");
  for (long i = 0; i < n; i++) printf("%02x", (unsigned char)buf[i]);
}

/* The fds SCM_RIGHTS passes: the two ends of one pipe. A socket in flight
   could make a cycle, whose collection Linux runs in a workqueue at a time
   of its own (unix_gc), so a program passing sockets would not be a
   function of its ops alone. */
static int passed[2];

/* child: a second process that lives until this one exits (it waits for
   EOF on a pipe whose write end only this process holds), for credentials
   that name another live process. */
static pid_t child_pid;
static void op_child(void) {
  int p[2];
  if (child_pid || pipe(p) != 0) {
    res(-1);
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    close(p[1]);
    while (read(p[0], &c, 1) > 0) {}
    _exit(0);
  }
  close(p[0]);
  child_pid = pid;
  res(pid > 0 ? 0 : -1);
}

/* One SOL_SOCKET control message of `len` bytes in the buffer at h, which m then carries. */
static void control(struct msghdr *m, struct cmsghdr *h, int type, const void *data, size_t len) {
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = type;
  h->cmsg_len = CMSG_LEN(len);
  memcpy(CMSG_DATA(h), data, len);
  m->msg_control = h;
  m->msg_controllen = CMSG_SPACE(len);
}

/* send s len flags cmsg: flags 1 MSG_OOB, 2 MSG_EOR; cmsg 0 none,
   1 SCM_RIGHTS of a pipe end (arg 4), 2 SCM_CREDENTIALS of this process. */
static void op_send(long s, long len, long flags, long cm, long arg) {
  char buf[MAX_DATA];
  len %= MAX_DATA;
  payload(buf, len);
  struct iovec iov = { buf, (size_t)len };
  union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(struct ucred))]; } c;
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
  memset(&c, 0, sizeof c);
  int fd = passed[arg % 2];
  struct ucred u = { getpid(), getuid(), getgid() };
  if (cm == 1) control(&m, &c.h, SCM_RIGHTS, &fd, sizeof fd);
  else if (cm == 2) control(&m, &c.h, SCM_CREDENTIALS, &u, sizeof u);
  int f = MSG_DONTWAIT | MSG_NOSIGNAL | ((flags & 1) ? MSG_OOB : 0) | ((flags & 2) ? MSG_EOR : 0);
  res(sendmsg(fd_of(s), &m, f));
}

/* sendto s len name: a datagram to the abstract name */
static void op_sendto(long s, long len, long name) {
  char buf[MAX_DATA];
  len %= MAX_DATA;
  payload(buf, len);
  struct sockaddr_un a;
  socklen_t al = abstract(&a, name);
  res(sendto(fd_of(s), buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&a, al));
}

/* recv s len flags room: flags 1 MSG_PEEK, 2 MSG_OOB, 4 MSG_WAITALL,
   8 MSG_TRUNC, 16 MSG_CMSG_CLOEXEC; room for control messages 0 none,
   1 one fd, 2 plenty, then the edges of put_cmsg and scm_detach_fds: 3 a
   bare header, 4 a header and a byte, 5 CMSG_LEN of one fd, 6 CMSG_LEN of
   three fds (or of one ucred), 7 one fd's whole cmsg and most of a ucred's,
   8 both whole, 9 one byte, 10 a NULL msg_control with 64 bytes of
   length, 11 an unmapped one (put_cmsg's faults are ignored), then what
   is left after a whole ucred's cmsg: 12 less than a header, 13 a bare
   header, 14 CMSG_LEN of one fd. Received fds become slots. */
static const size_t ROOM[] = { 0, CMSG_SPACE(sizeof(int)), 256, CMSG_LEN(0), CMSG_LEN(0) + 1, CMSG_LEN(sizeof(int)),
                               CMSG_LEN(3 * sizeof(int)), CMSG_SPACE(sizeof(int)) + CMSG_LEN(sizeof(struct ucred)) - 4,
                               CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred)), 1, 64, 64,
                               CMSG_SPACE(sizeof(struct ucred)) + 8, CMSG_SPACE(sizeof(struct ucred)) + CMSG_LEN(0),
                               CMSG_SPACE(sizeof(struct ucred)) + CMSG_LEN(sizeof(int)) };
static void op_recv(long s, long len, long flags, long room) {
  char buf[MAX_DATA];
  len %= MAX_DATA;
  room %= sizeof ROOM / sizeof ROOM[0];
  memset(buf, 0, sizeof buf);
  struct iovec iov = { buf, (size_t)len };
  union { struct cmsghdr h; char b[256]; } c;
  memset(&c, 0, sizeof c);
  struct sockaddr_un from;
  memset(&from, 0x55, sizeof from);
  struct msghdr m = { 0 };
  m.msg_name = &from;
  m.msg_namelen = sizeof from;
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = room == 0 || room == 10 ? NULL : room == 11 ? (void *)8 : c.b;
  m.msg_controllen = ROOM[room];
  int f = MSG_DONTWAIT | ((flags & 1) ? MSG_PEEK : 0) | ((flags & 2) ? MSG_OOB : 0) | ((flags & 4) ? MSG_WAITALL : 0) |
          ((flags & 8) ? MSG_TRUNC : 0) | ((flags & 16) ? MSG_CMSG_CLOEXEC : 0);
  long r = recvmsg(fd_of(s), &m, f);
  res(r);
  if (r < 0) return;
  hex(buf, r < len ? r : len);
  printf(" flags=%#x controllen=%zu", m.msg_flags, (size_t)m.msg_controllen);
  printf(" from");
  print_addr(&from, m.msg_namelen);
  if (room == 10 || room == 11) return; /* nothing readable there */
  for (size_t i = ROOM[room]; i < sizeof c.b; i++)
    if (c.b[i]) { /* put_cmsg and scm_detach_fds never write past msg_controllen */
      printf(" overrun@%zu", i);
      break;
    }
  for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
    if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
      int n = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      printf(" rights");
      for (int i = 0; i < n; i++) {
        int fd;
        memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof fd);
        int fl = fcntl(fd, F_GETFL), cloexec = fcntl(fd, F_GETFD);
        printf(" slot%d:accmode%d,cloexec%d", add_slot(fd), fl & O_ACCMODE, cloexec);
      }
    } else if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS) {
      struct ucred u;
      if (h->cmsg_len < CMSG_LEN(sizeof u)) {
        printf(" creds(len %zu)", (size_t)h->cmsg_len);
        continue;
      }
      memcpy(&u, CMSG_DATA(h), sizeof u);
      if (u.pid == getpid() && u.uid == getuid() && u.gid == getgid()) printf(" creds=self");
      else if (u.pid == getpid()) printf(" creds=self/%u/%u", u.uid, u.gid); /* pids differ between the two runs */
      else if (child_pid && u.pid == child_pid) printf(" creds=child/%u/%u", u.uid, u.gid);
      else printf(" creds=%d/%u/%u", u.pid, u.uid, u.gid);
    } else if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_PIDFD && h->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int fd;
      memcpy(&fd, CMSG_DATA(h), sizeof fd);
      printf(" pidfd%s,cloexec%d", fd >= 0 ? "" : "-bad", fcntl(fd, F_GETFD));
      if (fd >= 0) close(fd);
    } else if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_INQ && h->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int v;
      memcpy(&v, CMSG_DATA(h), sizeof v);
      printf(" inq=%d(len %zu)", v, (size_t)h->cmsg_len);
    } else {
      printf(" cmsg%d/%d", h->cmsg_level, h->cmsg_type);
    }
  }
}

static const int OPTS[] = { SO_TYPE, SO_ERROR, SO_PEEK_OFF, SO_SNDBUF, SO_RCVBUF, SO_ACCEPTCONN, SO_PASSCRED, SO_OOBINLINE, SO_RCVLOWAT };
#define NOPTS (sizeof OPTS / sizeof OPTS[0])

static void op_getopt(long s, long o) {
  int v = -7;
  socklen_t l = sizeof v;
  int r = getsockopt(fd_of(s), SOL_SOCKET, OPTS[o % NOPTS], &v, &l);
  res(r);
  if (r == 0) printf(" opt%d=%d", OPTS[o % NOPTS], v);
}

/* setopt s o v: o indexes SO_PEEK_OFF, SO_OOBINLINE, SO_PASSCRED, SO_RCVLOWAT, SO_SNDBUF, SO_RCVBUF, SO_PASSPIDFD, SO_INQ */
static void op_setopt(long s, long o, long v) {
  static const int SET[] = { SO_PEEK_OFF, SO_OOBINLINE, SO_PASSCRED, SO_RCVLOWAT, SO_SNDBUF, SO_RCVBUF, SO_PASSPIDFD, SO_INQ };
  static const int VALUES[] = { -1, 0, 1, 2, 5, 100, 2048, 4096 };
  int opt = SET[o % 8], val = VALUES[v % 8];
  /* wmem_max and rmem_max are sysctls (212992 by default, larger on some hosts): stay below them */
  if ((opt == SO_SNDBUF || opt == SO_RCVBUF) && val < 0) val = 65536;
  res(setsockopt(fd_of(s), SOL_SOCKET, opt, &val, sizeof val));
}

/* Every SOL_SOCKET option number (asm-generic/socket.h; the _OLD timeval
   and timestamp ones, which 64-bit libcs use) and one that is none. */
static const int ALL_OPTS[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 29, 30, 31, 32,
                                33, 34, 35, 36, 38, 39, 40, 42, 46, 59, 60, 71, 72, 73, 74, 75, 76, 77, 82, 83, 84, 999 };
#define NALL (sizeof ALL_OPTS / sizeof ALL_OPTS[0])

/* sopt s o v len: setsockopt of ALL_OPTS[o] with value v of the option's
   kind (an int, a struct timeval or a struct linger) and an optlen from
   LENS (the value's own size for index 0). Nothing here depends on HZ:
   timeouts are whole seconds. */
static void op_sopt(long s, long o, long v, long l) {
  /* 2562: an SO_SNDBUF of 5124, (1280 + 1) * 4, so that one 200-byte stream skb (truesize 1280) leaves it
     exactly at unix_writable's boundary */
  static const int INTS[] = { -1, 0, 1, 2, 3, 5, 100, 4096, 0x7fffffff, (int)0x80000000, 2562 };
  static const long TV[][2] = { { 0, 0 }, { 2, 0 }, { -1, 0 }, { 0, 1000000 }, { 0, -1 }, { 5, 0 }, { 1L << 40, 0 }, { 1L << 62, 0 } }; /* 1 << 62: past LONG_MAX / HZ for any HZ */
  static const int LINGER[][2] = { { 1, 5 }, { 0, 9 }, { 1, -1 }, { 1, 0 }, { 7, 3 } };
  static const int LENS[] = { 0, 4, 3, 8, 16, 2, 0, -1 };
  int opt = ALL_OPTS[o % NALL];
  union { int i; long tv[2]; int lg[2]; char b[32]; } u;
  memset(&u, 0, sizeof u);
  int own = sizeof(int);
  if (opt == SO_RCVTIMEO || opt == SO_SNDTIMEO) {
    u.tv[0] = TV[v % 8][0];
    u.tv[1] = TV[v % 8][1];
    own = sizeof u.tv;
  } else if (opt == SO_LINGER) {
    u.lg[0] = LINGER[v % 5][0];
    u.lg[1] = LINGER[v % 5][1];
    own = sizeof u.lg;
  } else {
    u.i = INTS[v % 11];
  }
  int len = l % 8 ? LENS[l % 8] : own;
  if (l % 8 == 6) len = 0;
  res(setsockopt(fd_of(s), SOL_SOCKET, opt, &u, (socklen_t)len));
}

/* gopt s o room: getsockopt of ALL_OPTS[o] with room for -1, 0, 1, 2, 4,
   8, 16 or 64 bytes: the length back and the bytes written (0x55 is the
   fill); an fd (SO_PEERPIDFD) is shown as "fd" and closed, a pid as "self". */
static void op_gopt(long s, long o, long room) {
  static const int ROOMS[] = { -1, 0, 1, 2, 4, 8, 16, 64 };
  int opt = ALL_OPTS[o % NALL];
  unsigned char b[64];
  memset(b, 0x55, sizeof b);
  socklen_t l = (socklen_t)ROOMS[room % 8];
  int r = getsockopt(fd_of(s), SOL_SOCKET, opt, b, &l);
  res(r);
  if (r < 0) {
    if (errno == ERANGE) printf(" len=%u", (unsigned)l);
    return;
  }
  printf(" len=%u", (unsigned)l);
  int written = 0;
  for (int i = 0; i < (int)sizeof b; i++) if (b[i] != 0x55) written = i + 1;
  if (opt == 77 && l >= 4) { /* SO_PEERPIDFD */
    int fd;
    memcpy(&fd, b, sizeof fd);
    printf(" fd%s", fd >= 0 ? "" : "-bad");
    if (fd >= 0) close(fd);
    return;
  }
  if (opt == SO_PEERCRED && l < 4) { /* part of a pid, which differs between the two runs */
    /* a pid byte may equal the fill: read again over another fill, and count what either changed */
    unsigned char b2[64];
    memset(b2, 0xaa, sizeof b2);
    socklen_t l2 = (socklen_t)ROOMS[room % 8];
    if (getsockopt(fd_of(s), SOL_SOCKET, opt, b2, &l2) == 0)
      for (int i = 0; i < (int)sizeof b2; i++) if (b2[i] != 0xaa && i + 1 > written) written = i + 1;
    printf(" written=%d", written);
    return;
  }
  if (opt == SO_PEERCRED) {
    int pid;
    memcpy(&pid, b, sizeof pid);
    if (pid == getpid()) memset(b, 0xaa, 4);
  }
  if (opt == 71) { /* SO_NETNS_COOKIE: the host's own number */
    printf(" written=%d", written);
    return;
  }
  hex((const char *)b, written);
}

static void op_ioctl(long s, long which) {
  static const unsigned long REQ[] = { FIONREAD, SIOCATMARK, TIOCOUTQ };
  int v = -7;
  int r = ioctl(fd_of(s), REQ[which % 3], &v);
  res(r);
  if (r == 0) printf(" v=%d", v);
}

static void op_names(long s) {
  struct sockaddr_un a;
  socklen_t l = sizeof a;
  int r = getsockname(fd_of(s), (struct sockaddr *)&a, &l);
  res(r);
  if (r == 0) printf(" len=%u", (unsigned)l), print_addr(&a, l);
  l = sizeof a;
  r = getpeername(fd_of(s), (struct sockaddr *)&a, &l);
  res(r);
  if (r == 0) printf(" len=%u", (unsigned)l), print_addr(&a, l);
}

/* ctl s form: sendmsg of one byte with control data of one of the forms
   below: __scm_send's CMSG_OK and CMSG_NXTHDR walk, unknown levels and
   types, scm_fp_copy's fd count and SCM_MAX_FD, SCM_CREDENTIALS' length
   and its invalid uid and gid, a pid that does not exist, another uid and
   gid (allowed to root, which the runs are), two credentials, a cmsg_len
   with its high half set, a trailing zero header, SCM_MAX_FD fds, a
   second header longer than what is left after the first, an unknown
   SOL_SOCKET type of a ucred's size, and (after drop) a foreign uid with
   an own gid and the reverse. */
static void op_ctl(long s, long form) {
  static union { struct cmsghdr h; char b[CMSG_SPACE(254 * sizeof(int)) + 64]; } c;
  memset(&c, 0, sizeof c);
  char byte = 'c';
  struct iovec iov = { &byte, 1 };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
  m.msg_control = c.b;
  struct cmsghdr *h = &c.h;
  struct ucred u = { getpid(), getuid(), getgid() };
  int fds[254];
  for (int i = 0; i < 254; i++) fds[i] = passed[i % 2];
  switch (form % 32) {
  case 0: control(&m, h, SCM_RIGHTS, fds, sizeof(int)); h->cmsg_len = sizeof(struct cmsghdr) - 1; break;
  case 1: control(&m, h, SCM_RIGHTS, fds, sizeof(int)); h->cmsg_len = m.msg_controllen + 1; break;
  case 2: m.msg_controllen = sizeof(struct cmsghdr) - 1; break; /* no header fits: no control data */
  case 3: control(&m, h, SCM_RIGHTS, fds, sizeof(int)); h->cmsg_level = 99; break; /* skipped */
  case 4: control(&m, h, 99, fds, sizeof(int)); break;
  case 5: control(&m, h, SCM_CREDENTIALS, &u, sizeof u - 4); break;
  case 6: u.uid = (uid_t)-1; control(&m, h, SCM_CREDENTIALS, &u, sizeof u); break;
  case 7: fds[0] = 999; control(&m, h, SCM_RIGHTS, fds, sizeof(int)); break; /* EBADF */
  case 8: control(&m, h, SCM_RIGHTS, fds, 2 * sizeof(int)); h->cmsg_len = CMSG_LEN(6); break; /* one fd and a half */
  case 9: /* SCM_RIGHTS then SCM_CREDENTIALS */
    control(&m, h, SCM_RIGHTS, fds, sizeof(int));
    control(&m, (struct cmsghdr *)(c.b + CMSG_SPACE(sizeof(int))), SCM_CREDENTIALS, &u, sizeof u);
    m.msg_control = c.b;
    m.msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof u);
    break;
  case 10: control(&m, h, SCM_RIGHTS, fds, 254 * sizeof(int)); break; /* more than SCM_MAX_FD */
  case 11: /* 200 and 54 fds in two headers: more than SCM_MAX_FD in all (253 would fill the slots) */
    control(&m, h, SCM_RIGHTS, fds, 200 * sizeof(int));
    control(&m, (struct cmsghdr *)(c.b + CMSG_SPACE(200 * sizeof(int))), SCM_RIGHTS, fds, 54 * sizeof(int));
    m.msg_control = c.b;
    m.msg_controllen = CMSG_SPACE(200 * sizeof(int)) + CMSG_SPACE(54 * sizeof(int));
    break;
  case 12: control(&m, h, SCM_RIGHTS, fds, 0); break; /* no fd */
  case 13: /* a whole header, then 10 bytes that are not one */
    control(&m, h, SCM_RIGHTS, fds, sizeof(int)); m.msg_controllen += 10; break;
  case 14: u.pid = 0x7ffffff0; control(&m, h, SCM_CREDENTIALS, &u, sizeof u); break; /* ESRCH */
  case 15: u.uid = 12345; u.gid = 54321; control(&m, h, SCM_CREDENTIALS, &u, sizeof u); break;
  case 16: u.gid = (gid_t)-1; control(&m, h, SCM_CREDENTIALS, &u, sizeof u); break;
  case 17: /* two credentials: the second counts */
    control(&m, h, SCM_CREDENTIALS, &u, sizeof u);
    u.uid = 777;
    control(&m, (struct cmsghdr *)(c.b + CMSG_SPACE(sizeof u)), SCM_CREDENTIALS, &u, sizeof u);
    m.msg_control = c.b;
    m.msg_controllen = 2 * CMSG_SPACE(sizeof u);
    break;
  case 18: control(&m, h, SCM_RIGHTS, fds, sizeof(int)); h->cmsg_len |= 1UL << 32; break;
  case 19: control(&m, h, SCM_RIGHTS, fds, sizeof(int)); m.msg_controllen += sizeof(struct cmsghdr); break; /* a zero header after */
  case 20: control(&m, h, SCM_RIGHTS, fds, 253 * sizeof(int)); break; /* SCM_MAX_FD exactly */
  case 21: control(&m, h, SCM_CREDENTIALS, &u, sizeof u + 4); break; /* a ucred and 4 bytes more */
  case 22: /* after drop: the real, effective and saved ids, then one that is none of them */
  case 23:
  case 24:
  case 25: u.uid = 1001 + (uid_t)(form % 27 - 22); u.gid = 2001 + (gid_t)(form % 27 - 22); control(&m, h, SCM_CREDENTIALS, &u, sizeof u); break;
  case 26: /* SCM_RIGHTS of the pipe's write end, then credentials that fail: the reference taken is dropped */
    control(&m, h, SCM_RIGHTS, &passed[1], sizeof(int));
    u.uid = (uid_t)-1;
    control(&m, (struct cmsghdr *)(c.b + CMSG_SPACE(sizeof(int))), SCM_CREDENTIALS, &u, sizeof u);
    m.msg_control = c.b;
    m.msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof u);
    break;
  case 27: { /* SCM_RIGHTS, then a header of another level whose cmsg_len passes what is left but not the buffer */
    control(&m, h, SCM_RIGHTS, fds, sizeof(int));
    struct cmsghdr *h2 = (struct cmsghdr *)(c.b + CMSG_SPACE(sizeof(int)));
    h2->cmsg_level = 99;
    h2->cmsg_type = 1;
    h2->cmsg_len = CMSG_LEN(14);
    m.msg_control = c.b;
    m.msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(8);
    break;
  }
  case 28: control(&m, h, 99, &u, sizeof u); break; /* an unknown SOL_SOCKET type, as long as SCM_CREDENTIALS */
  case 29: u.uid = 1004; u.gid = 2001; control(&m, h, SCM_CREDENTIALS, &u, sizeof u); break; /* after drop: uid none of the three */
  case 30: u.uid = 1001; u.gid = 2004; control(&m, h, SCM_CREDENTIALS, &u, sizeof u); break; /* after drop: gid none of the three */
  case 31: u.pid = child_pid; control(&m, h, SCM_CREDENTIALS, &u, sizeof u); break; /* another live process (op child) */
  }
  res(sendmsg(fd_of(s), &m, MSG_DONTWAIT | MSG_NOSIGNAL));
}

/* addr s call form: bind (call 0), connect (1) or sendto (2) with an
   address of one of the forms below: the length rules of
   move_addr_to_kernel, unix_validate_addr and unix_bind's autobind. No form
   is a pathname that could be made: bind must not leave files behind. */
static void op_addr(long s, long call, long form) {
  union { struct sockaddr_un un; char b[160]; } u;
  memset(&u, 0, sizeof u);
  u.un.sun_family = AF_UNIX;
  long len = 2;
  const void *p = &u;
  switch (form % 15) {
  case 0: len = 0; break;
  case 1: len = 1; break;
  case 2: len = 2; break; /* the bare family: autobind for bind */
  case 3: u.un.sun_family = AF_INET; len = 2; break;
  case 4: u.un.sun_family = AF_INET; len = (long)abstract(&u.un, 2); u.un.sun_family = AF_INET; break;
  case 5: /* an abstract name padded with NULs to the whole sun_path */
    abstract(&u.un, 1); u.un.sun_path[1] = 'F'; len = sizeof(struct sockaddr_un); break;
  case 6: abstract(&u.un, 0); len = sizeof(struct sockaddr_un) + 1; break;
  case 7: abstract(&u.un, 0); len = 128; break; /* sizeof(sockaddr_storage), more than sockaddr_un */
  case 8: abstract(&u.un, 0); len = 129; break;
  case 9: len = 5; p = (const void *)8; break; /* an unmapped address */
  case 10: /* a pathname in a directory that does not exist: ENOENT, nothing made */
    strcpy(u.un.sun_path, "/nonexistent-unix-ops/s"); len = (long)SUN_LEN(&u.un); break;
  case 11: /* the same, 108 bytes with no NUL: the name ends at addrlen */
    memset(u.un.sun_path, 'a', sizeof u.un.sun_path); memcpy(u.un.sun_path, "/nonexistent-unix-ops/", 22);
    len = sizeof(struct sockaddr_un); break;
  case 12: /* an abstract name under a family whose low byte is AF_UNIX's */
    len = (long)abstract(&u.un, 2); u.un.sun_family = AF_UNIX | 0x100; break;
  case 13: len = -1; break; /* a negative addrlen */
  case 14: /* form 10's pathname with the whole sockaddr_un as addrlen: bytes after its NUL */
    strcpy(u.un.sun_path, "/nonexistent-unix-ops/s"); len = sizeof(struct sockaddr_un); break;
  }
  char byte = 'x';
  if (call % 3 == 0) res(bind(fd_of(s), p, (socklen_t)len));
  else if (call % 3 == 1) res(connect(fd_of(s), p, (socklen_t)len));
  else res(sendto(fd_of(s), &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL, p, (socklen_t)len));
}

/* getname s peer room: getsockname (peer 0) or getpeername (1) with room
   for -1, 0, 1, 2, 3, 8 or 110 bytes (move_addr_to_user copies the part
   that fits and stores the whole length), or 110 bytes with one of the
   faults below (7-9): the length returned, the family
   if it was copied, and how many bytes were written (a name's bytes are
   never 0x55, the fill). */
static void op_getname(long s, long peer, long room) {
  static const int ROOM[] = { -1, 0, 1, 2, 3, 8, 110 };
  static const socklen_t READ_ONLY = 110; /* in .rodata: readable, not writable */
  unsigned char b[128];
  memset(b, 0x55, sizeof b);
  room %= 10;
  socklen_t l = (socklen_t)ROOM[room < 7 ? room : 6];
  /* move_addr_to_user's three faults: 7 an unmapped name buffer, 8 an unmapped length, 9 a read-only length */
  struct sockaddr *name = room == 7 ? (struct sockaddr *)8 : (struct sockaddr *)b;
  socklen_t *len = room == 8 ? (socklen_t *)8 : room == 9 ? (socklen_t *)&READ_ONLY : &l;
  int r = (peer % 2 ? getpeername : getsockname)(fd_of(s), name, len);
  res(r);
  if (r < 0) return;
  int written = 0;
  for (int i = 0; i < (int)sizeof b; i++) if (b[i] != 0x55) written = i + 1;
  printf(" len=%u written=%d", (unsigned)l, written);
  if (written >= 2) printf(" family=%d", b[0] | b[1] << 8);
}

/* fds s n order: sendmsg of one byte with n (at most SCM_MAX_FD) pipe ends
   in one SCM_RIGHTS, alone (order 0), before (1) or after (2) this
   process's SCM_CREDENTIALS: scm_detach_fds' partial installs need many. */
static void op_fds(long s, long n, long order) {
  static union { struct cmsghdr h; char b[CMSG_SPACE(253 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))]; } c;
  memset(&c, 0, sizeof c);
  char byte = 'f';
  struct iovec iov = { &byte, 1 };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
  int fds[253];
  n %= 254;
  for (int i = 0; i < n; i++) fds[i] = passed[i % 2];
  struct ucred u = { getpid(), getuid(), getgid() };
  size_t rights = CMSG_SPACE(n * sizeof(int)), creds = CMSG_SPACE(sizeof u);
  order %= 3;
  if (order == 0) control(&m, &c.h, SCM_RIGHTS, fds, n * sizeof(int));
  if (order == 1) {
    control(&m, &c.h, SCM_RIGHTS, fds, n * sizeof(int));
    control(&m, (struct cmsghdr *)(c.b + rights), SCM_CREDENTIALS, &u, sizeof u);
  }
  if (order == 2) {
    control(&m, &c.h, SCM_CREDENTIALS, &u, sizeof u);
    control(&m, (struct cmsghdr *)(c.b + creds), SCM_RIGHTS, fds, n * sizeof(int));
  }
  m.msg_control = c.b;
  m.msg_controllen = order ? rights + creds : rights;
  res(sendmsg(fd_of(s), &m, MSG_DONTWAIT | MSG_NOSIGNAL));
}

/* big s n: one non-blocking send of n bytes (at most 1 MiB), for the
   truesize every skb is charged (TIOCOUTQ) and the partial writes a full
   send buffer makes. */
static void op_big(long s, long n) {
  static char buf[1 << 20];
  n %= (long)sizeof buf + 1;
  payload(buf, n);
  res(send(fd_of(s), buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL));
}

/* Pathname names, relative to the working directory argv[3] (made and
   entered at the start; without it these ops do nothing): "p0".."p2", and
   3: "reg", a regular file made there too. */
static int have_dir;

static socklen_t pathname(struct sockaddr_un *a, long n) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  if (n % 4 == 3) strcpy(a->sun_path, "reg");
  else snprintf(a->sun_path, sizeof a->sun_path, "p%ld", n % 4);
  return (socklen_t)SUN_LEN(a);
}

/* pbind s n, pconn s n, psendto s len n, unlink n, symlink n (a dangling one at pn);
   plong s n binds to a pathname of all 108 bytes of sun_path with no NUL (the
   name ends at addrlen), pfull s n to pn with the whole sockaddr_un as
   addrlen (the name ends at its NUL): unix_mkname_bsd either way. */
static void op_path(const char *op, long s, long n, long len) {
  struct sockaddr_un a;
  socklen_t al = pathname(&a, n);
  int whole = !strcmp(op, "plong") || !strcmp(op, "pfull");
  if (!strcmp(op, "plong")) memset(a.sun_path, 'q', sizeof a.sun_path);
  if (whole) al = sizeof a;
  if (!have_dir) {
    printf(" nodir");
    return;
  }
  char byte = 'p';
  if (!strcmp(op, "pbind") || whole) res(bind(fd_of(s), (struct sockaddr *)&a, al));
  else if (!strcmp(op, "pconn")) res(connect(fd_of(s), (struct sockaddr *)&a, al));
  else if (!strcmp(op, "psendto")) res(sendto(fd_of(s), &byte, (size_t)(len % 2), MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&a, al));
  else if (!strcmp(op, "unlink")) res(unlink(a.sun_path));
  else res(symlink("dangling", a.sun_path));
}

static const int TYPES[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };

/* drop: root no more, with real, effective and saved ids that all differ
   (uids 1001-1003, gids 2001-2003) and groups 1005, 1006: scm_check_creds'
   and the options' permission checks. */
static void op_drop(void) {
  gid_t groups[] = { 1005, 1006 };
  if (setgroups(2, groups) != 0 || setresgid(2001, 2002, 2003) != 0) {
    res(-1);
    return;
  }
  res(setresuid(1001, 1002, 1003));
}

/* nofile n: RLIMIT_NOFILE's soft limit set to the lowest free fd + n (so
   n more fds fit): scm_detach_fds and the SCM_PIDFD fd meeting EMFILE. */
static void op_nofile(long n) {
  struct rlimit r;
  getrlimit(RLIMIT_NOFILE, &r);
  int probe = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (probe >= 0) close(probe);
  else probe = (int)r.rlim_cur; /* every fd below the limit is taken */
  r.rlim_cur = (rlim_t)(probe + n);
  res(setrlimit(RLIMIT_NOFILE, &r));
}

/* pipehup: closes this process's write end of the passed pipe and polls
   the read end: POLLHUP once no reference to the write end is left (none
   kept by a failed send, none in flight). */
static void op_pipehup(void) {
  res(close(passed[1]));
  struct pollfd p = { passed[0], POLLIN, 0 };
  poll(&p, 1, 0);
  printf(" read end %x", p.revents);
}

/* The socket file's own operations (socket.ts): read and write, the ioctls
   sock_ioctl and unix_ioctl answer, fstat, fchmod and fchown, O_ASYNC's
   signals, and blocking calls ended by a timeout or a signal. */

/* rw s n dir: read (dir 0) or write (1) of n bytes, not recv/send: sock_read_iter's zero-length shortcut */
static void op_rw(long s, long n, long dir) {
  char buf[MAX_DATA];
  n %= MAX_DATA;
  memset(buf, 0, sizeof buf);
  if (dir % 2) {
    payload(buf, n);
    res(write(fd_of(s), buf, (size_t)n));
    return;
  }
  long r = read(fd_of(s), buf, (size_t)n);
  res(r);
  if (r > 0) hex(buf, r);
}

#ifndef SIOCUNIXFILE
#define SIOCUNIXFILE (SIOCPROTOPRIVATE + 0)
#endif

/* ioc s which: 0 SIOCGIFINDEX of "lo", 1 of a name no interface has, 2 of
   an unmapped ifreq, 3 of "lo" in a read-only ifreq (the index cannot be
   stored), 4 SIOCUNIXFILE (the O_PATH fd's flags, close-on-exec and file
   type, then closed), 5 TCGETS (no such socket ioctl), 6 FIONREAD, 7
   SIOCATMARK and 8 TIOCOUTQ into an unmapped int. */
static void op_ioc(long s, long which) {
  static const char RO_LO[40] = "lo"; /* in .rodata */
  char ifr[40];
  memset(ifr, 0, sizeof ifr);
  int fd = fd_of(s), r;
  switch (which % 9) {
  case 0: strcpy(ifr, "lo"); r = ioctl(fd, SIOCGIFINDEX, ifr); break;
  case 1: strcpy(ifr, "nosuchif9"); r = ioctl(fd, SIOCGIFINDEX, ifr); break;
  case 2: r = ioctl(fd, SIOCGIFINDEX, (void *)8); break;
  case 3: r = ioctl(fd, SIOCGIFINDEX, (void *)RO_LO); break;
  case 4: {
    r = ioctl(fd, SIOCUNIXFILE, 0);
    res(r < 0 ? r : 0); /* an fd number, never compared */
    if (r >= 0) {
      struct stat st;
      int fl = fcntl(r, F_GETFL), cl = fcntl(r, F_GETFD);
      printf(" opath%d,cloexec%d,sock%d", (fl & O_PATH) != 0, cl, fstat(r, &st) == 0 && S_ISSOCK(st.st_mode));
      close(r);
    }
    return;
  }
  case 5: r = ioctl(fd, TCGETS, ifr); break;
  default: {
    static const unsigned long REQ[] = { FIONREAD, SIOCATMARK, TIOCOUTQ };
    r = ioctl(fd, REQ[which % 9 - 6], (void *)8);
    break;
  }
  }
  res(r);
  if (r == 0 && which % 9 == 0) printf(" ifindex=%d", *(int *)(ifr + 16));
}

/* fst s: fstat of the socket's inode (its mode, links, owner, size and block size; the device and inode numbers are the host's own) */
static void op_fst(long s) {
  struct stat st;
  int r = fstat(fd_of(s), &st);
  res(r);
  if (r == 0)
    printf(" mode=%o nlink=%lu uid=%u gid=%u size=%lld blksize=%ld", (unsigned)st.st_mode, (unsigned long)st.st_nlink, (unsigned)st.st_uid,
           (unsigned)st.st_gid, (long long)st.st_size, (long)st.st_blksize);
}

/* fch s which: fchmod to 0640 (0), 017777 (1: the bits past 07777 dropped), 0 (2), 02745 (3); fchown to
   1001:2001 (4), -1:2002 (5), 1002:3000 (6: after drop, this process's euid and a group it is not in) */
static void op_fch(long s, long which) {
  int fd = fd_of(s);
  switch (which % 7) {
  case 0: res(fchmod(fd, 0640)); break;
  case 1: res(fchmod(fd, 017777)); break;
  case 2: res(fchmod(fd, 0)); break;
  case 3: res(fchmod(fd, 02745)); break;
  case 4: res(fchown(fd, 1001, 2001)); break;
  case 5: res(fchown(fd, (uid_t)-1, 2002)); break;
  default: res(fchown(fd, 1002, 3000)); break;
  }
}

/* pstat n: the mode of pathname n (a bound socket's file: the socket's mode less the umask, 022 here) */
static void op_pstat(long n) {
  struct sockaddr_un a;
  struct stat st;
  pathname(&a, n);
  if (!have_dir) {
    printf(" nodir");
    return;
  }
  int r = stat(a.sun_path, &st);
  res(r);
  if (r == 0) printf(" mode=%o", (unsigned)st.st_mode);
}

/* O_ASYNC's signals (op async): SIGIO named by F_SETSIG, so that it carries its si_code (POLL_IN 1, POLL_OUT 2,
   POLL_HUP 6), each printed after the op whose call sent it. Not a real-time signal: those queue one per
   event, which unixsim does not (it keeps one of each pending, as for SIGIO itself). */
#define ASYNC_SIG SIGIO
static volatile sig_atomic_t nasync;
static volatile int async_code[16];
static void on_async(int sig, siginfo_t *si, void *uc) {
  (void)sig, (void)uc;
  if (nasync < 16) async_code[nasync] = si->si_code;
  nasync++;
}

/* async s on: O_ASYNC on (1) or off (0) on slot s, owned by this process */
static void op_async(long s, long on) {
  static int installed;
  if (!installed) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_async;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(ASYNC_SIG, &sa, NULL);
    installed = 1;
  }
  int fd = fd_of(s), fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETOWN, getpid()) < 0 || fcntl(fd, F_SETSIG, ASYNC_SIG) < 0) {
    res(-1);
    return;
  }
  res(fcntl(fd, F_SETFL, on % 2 ? fl | O_ASYNC : fl & ~O_ASYNC));
}

/* The write end the ITIMER_REAL handler of blk 5 writes a byte to (a slot's fd), or -1 */
static int alarm_peer = -1;
static void on_alarm(int sig) {
  (void)sig;
  if (alarm_peer >= 0) (void)write(alarm_peer, "z", 1);
}

/* bg s act: a child that, 30 ms later, acts on slot s and exits (the next blk, which sleeps with no
   timeout, is what it wakes; blk waits for it): 0 sends a byte, 1 SHUT_WR, 2 SHUT_RD, 3 reads up to 4096
   bytes in one call, 4 connects a new stream socket to the abstract name 0, 5 SHUT_RDWR. A result that does not depend
   on whether the parent was asleep yet. 6, for blk 12 (a 600 ms SO_SNDTIMEO): reads everything queued at
   300 ms and again at 750 ms, so that the send's later skb waits 450 ms, less than its own timeout but past
   the call's first 600 ms. */
static pid_t bg_pid;
static void op_bg(long s, long act) {
  int fd = fd_of(s);
  pid_t pid = bg_pid ? -1 : fork();
  if (pid == 0) {
    struct timespec ts = { 0, 30 * 1000 * 1000 };
    char buf[8 * MAX_DATA];
    nanosleep(&ts, NULL);
    switch (act % 7) {
    case 0: (void)send(fd, "b", 1, MSG_NOSIGNAL); break;
    case 1: shutdown(fd, SHUT_WR); break;
    case 2: shutdown(fd, SHUT_RD); break;
    case 3: (void)recv(fd, buf, sizeof buf, MSG_DONTWAIT); break; /* one call: a loop would race the woken writer */
    case 6: {
      static char all[1 << 16];
      ts.tv_nsec = 270 * 1000 * 1000;
      nanosleep(&ts, NULL);
      (void)recv(fd, all, sizeof all, MSG_DONTWAIT);
      ts.tv_nsec = 450 * 1000 * 1000;
      nanosleep(&ts, NULL);
      (void)recv(fd, all, sizeof all, MSG_DONTWAIT);
      break;
    }
    case 4: {
      struct sockaddr_un a;
      socklen_t al = abstract(&a, 0);
      int c = socket(AF_UNIX, SOCK_STREAM, 0);
      (void)connect(c, (struct sockaddr *)&a, al);
      break;
    }
    default: shutdown(fd, SHUT_RDWR); break;
    }
    _exit(0);
  }
  if (pid > 0) bg_pid = pid;
  res(pid > 0 ? 0 : -1);
}

/* blk s what peer: one blocking call on slot s (O_NONBLOCK off for it): 0 recv of 8 bytes, 1 accept, 2 send of
   MAX_DATA bytes, each with a 20 ms SO_RCVTIMEO/SO_SNDTIMEO (EAGAIN at the deadline, sock_rcvtimeo); 3 recv and
   4 send with a 1 s timeout that a 5 ms ITIMER_REAL interrupts (SA_RESTART, yet EINTR: sock_intr_errno);
   5 recv with no timeout, interrupted by the timer, whose SA_RESTART handler writes a byte to slot peer: the
   restarted recv reads it; then with no timeout and no timer, woken by what op bg's child does: 6 recv,
   7 accept, 8 send, 9 poll for POLLIN, 10 poll for POLLOUT (revents), 11 send without MSG_NOSIGNAL (a
   SIGPIPE shows); 12 send of 8192 bytes, several skbs, with a 600 ms SO_SNDTIMEO (bg 6 wakes it twice) */
static void op_blk(long s, long what, long peer) {
  static char buf[16 * MAX_DATA];
  int fd = fd_of(s), fl = fcntl(fd, F_GETFL);
  what %= 13;
  int snd = what == 2 || what == 4 || what == 8 || what == 11 || what == 12;
  int timed = what <= 4 || what == 12;
  struct timeval tv = { what >= 3 && what <= 4 ? 1 : 0, what == 12 ? 600000 : what >= 3 ? 0 : 20000 }, none = { 0, 0 };
  alarm_peer = what == 5 ? fd_of(peer) : -1;
  if (what == 9 || what == 10) {
    struct pollfd p = { fd, what == 9 ? POLLIN : POLLOUT, 0 };
    res(poll(&p, 1, -1));
    printf(" revents=%x", p.revents);
    if (bg_pid) waitpid(bg_pid, NULL, 0), bg_pid = 0;
    return;
  }
  if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 || (timed && setsockopt(fd, SOL_SOCKET, snd ? SO_SNDTIMEO : SO_RCVTIMEO, &tv, sizeof tv) < 0)) {
    res(-1);
    return;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = { { 0, 0 }, { 0, 5000 } }, off = { { 0, 0 }, { 0, 0 } };
  if (what >= 3 && what <= 5) setitimer(ITIMER_REAL, &it, NULL);
  long r;
  payload(buf, what == 12 ? 16 * MAX_DATA : MAX_DATA);
  if (what == 1 || what == 7) r = accept(fd, NULL, NULL);
  else if (what == 11) r = send(fd, buf, MAX_DATA, 0);
  else if (what == 12) r = send(fd, buf, 16 * MAX_DATA, MSG_NOSIGNAL);
  else if (snd) r = send(fd, buf, MAX_DATA, MSG_NOSIGNAL);
  else r = recv(fd, buf, 8, 0);
  int acc = what == 1 || what == 7;
  res(acc && r >= 0 ? 0 : r); /* an accepted fd's number is never compared */
  if (acc && r >= 0) printf(" slot%d", add_slot((int)r));
  if (bg_pid) waitpid(bg_pid, NULL, 0), bg_pid = 0;
  alarm_peer = -1;
  setitimer(ITIMER_REAL, &off, NULL);
  setsockopt(fd, SOL_SOCKET, snd ? SO_SNDTIMEO : SO_RCVTIMEO, &none, sizeof none);
  fcntl(fd, F_SETFL, fl);
}

/* mh s form: sendmsg (forms 0-11) or recvmsg (12-15, non-blocking, 8 bytes) with a struct msghdr that
   __copy_msghdr, import_iovec, ____sys_sendmsg and ___sys_recvmsg check: 0 the header unmapped, 1 a name
   with msg_namelen -1 (EINVAL), 2 a NULL name with msg_namelen -1 (ignored), 3 msg_iovlen 1025
   (EMSGSIZE), 4 1024 iovecs, 5 msg_iovlen 2^32 + 1 (all 64 bits count), 6 msg_controllen past INT_MAX,
   7 1 MiB of control data (past optmem_max: sock_kmalloc fails, ENOBUFS), 8 a NULL msg_control with a
   length, 9 an unmapped name of 5 bytes, 10 an abstract name with msg_namelen 200 (clamped to
   sockaddr_storage), 11 an unmapped iovec array; 12 a read-only header with a NULL name (the data is
   taken, msg_flags cannot be stored), 13 a name with msg_namelen -1, 14 the header unmapped, 15 msg_iovlen
   1025 */
static char mh_rbuf[8];
static const struct iovec MH_RIOV = { mh_rbuf, sizeof mh_rbuf };
static const struct msghdr MH_RO = { .msg_iov = (struct iovec *)&MH_RIOV, .msg_iovlen = 1 };
static void op_mh(long s, long form) {
  static struct iovec many[1025];
  static char control[1 << 20];
  char byte = 'm', rb[8];
  struct iovec iov = { &byte, 1 };
  struct sockaddr_un a;
  socklen_t al = abstract(&a, 0);
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
  void *hdr = &m;
  form %= 16;
  for (int i = 0; i < 1025; i++) many[i] = (struct iovec){ i ? NULL : &byte, i ? 0 : 1 };
  switch (form) {
  case 0: case 14: hdr = (void *)8; break;
  case 1: case 13: m.msg_name = &a; m.msg_namelen = (socklen_t)-1; break;
  case 2: m.msg_namelen = (socklen_t)-1; break;
  case 3: case 15: m.msg_iov = many; m.msg_iovlen = 1025; break;
  case 4: m.msg_iov = many; m.msg_iovlen = 1024; break;
  case 5: m.msg_iov = many; m.msg_iovlen = (size_t)1 << 32 | 1; break;
  case 6: m.msg_control = control; m.msg_controllen = 0x80000000UL; break;
  case 7: m.msg_control = control; m.msg_controllen = sizeof control; break;
  case 8: m.msg_controllen = 16; break;
  case 9: m.msg_name = (void *)8; m.msg_namelen = 5; break;
  case 10: m.msg_name = &a; m.msg_namelen = 200; (void)al; break;
  case 11: m.msg_iov = (struct iovec *)8; break;
  case 12: hdr = (void *)&MH_RO; break;
  }
  if (form < 12) {
    res(sendmsg(fd_of(s), hdr, MSG_DONTWAIT | MSG_NOSIGNAL));
    return;
  }
  iov = (struct iovec){ rb, sizeof rb };
  long r = recvmsg(fd_of(s), hdr, MSG_DONTWAIT);
  res(r);
  if (r > 0 && form == 12) hex(mh_rbuf, r);
}

/* sendmmsg and recvmmsg (__sys_sendmmsg, do_recvmmsg) on slot s, n entries (1-4; 0 for form 6), each
   MSG_DONTWAIT | MSG_NOSIGNAL. Forms: 0 recvmmsg; 1 recvmmsg, the second entry's iovec array unmapped (an
   error after a datagram: the count, and sk_err set for the next call); 2 recvmmsg with MSG_OOB; 3 recvmmsg with a
   zero timeout; 4 recvmmsg with a timeout of 2e9 ns (EINVAL); 5 sendmmsg of 100000-byte messages but an
   empty second one (a message sent in part ends the batch, so the empty one is not sent); 6 sendmmsg of no entries; 7 sendmmsg, the second entry's iovec array unmapped; 8 recvmmsg with a 1 s
   timeout (the time left after, in 10 ms units). Prints
   each entry's msg_len, and for a receive its msg_flags and bytes; the zero timeout's value after. */
static void op_mmsg(long s, long form, long n) {
  static char bufs[4][100000];
  struct mmsghdr mm[4];
  struct iovec iov[4];
  struct timespec ts = { 0, 0 };
  form %= 9;
  n = form == 6 ? 0 : 1 + n % 4;
  memset(mm, 0, sizeof mm);
  for (int i = 0; i < 4; i++) {
    int send = form >= 5 && form < 8;
    if (send) payload(bufs[i], 100000);
    iov[i] = (struct iovec){ bufs[i], !send ? 64 : form == 5 && i == 1 ? 0 : 100000 };
    mm[i].msg_hdr.msg_iov = (form == 1 || form == 7) && i == 1 ? (struct iovec *)8 : &iov[i];
    mm[i].msg_hdr.msg_iovlen = 1;
    mm[i].msg_len = 0xdead;
  }
  int flags = MSG_DONTWAIT | (form == 2 ? MSG_OOB : 0);
  int r;
  if (form >= 5 && form < 8) r = sendmmsg(fd_of(s), mm, (unsigned)n, MSG_DONTWAIT | MSG_NOSIGNAL);
  else if (form == 4) { ts.tv_nsec = 2000000000L; r = recvmmsg(fd_of(s), mm, (unsigned)n, flags, &ts); }
  else if (form == 8) { ts.tv_sec = 1; r = recvmmsg(fd_of(s), mm, (unsigned)n, flags, &ts); }
  else r = recvmmsg(fd_of(s), mm, (unsigned)n, flags, form == 3 ? &ts : NULL);
  res(r);
  for (int i = 0; i < r; i++) {
    printf(" [%u", mm[i].msg_len);
    if (form < 5 || form == 8) {
      printf(" f%x", mm[i].msg_hdr.msg_flags);
      hex(bufs[i], mm[i].msg_len < 8 ? mm[i].msg_len : 8);
    }
    printf("]");
  }
  if (form == 3) printf(" t%ld.%ld", (long)ts.tv_sec, ts.tv_nsec);
  if (form == 8) printf(" left%ld", ((long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 5) / 10);
}

/* socket() (which 0), socketpair() (which 1) and socketpair() into an unmapped sv (which 2) with a domain, type and protocol from the tables below
   (__sys_socket, __sys_socketpair, __sock_create, unix_create's checks and their order). A socket made is
   a new slot; for each, its SO_TYPE, O_NONBLOCK and FD_CLOEXEC are printed. The other families are only
   those whose answer does not depend on this machine: NPROTO and past it, AF_UNSPEC, and socketpair of
   AF_INET and AF_INET6 stream and datagram sockets (sock_no_socketpair). */
static void op_mk(long which, long d, long t, long p) {
  static const int DOM[] = { AF_UNIX, -1, AF_UNSPEC, 46, 1000, AF_INET, AF_INET6 };
  static const int TYP[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, 0, 4, 6, 10, 11, 15,
    SOCK_STREAM | SOCK_NONBLOCK, SOCK_DGRAM | SOCK_CLOEXEC, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
    SOCK_STREAM | 0x100, SOCK_DGRAM | 0x40000000, -1 };
  static const int PROT[] = { 0, 1, 2, -1, 0x10001 };
  int dom = DOM[d % 7], type = TYP[t % 16], prot = PROT[p % 5];
  if (dom == AF_INET || dom == AF_INET6) {
    if (which % 3 == 0) { printf(" skipped"); return; } /* socket() would make one */
    if (type != SOCK_STREAM && type != SOCK_DGRAM) type = SOCK_STREAM;
    prot = 0;
  }
  int fds[2] = { -1, -1 };
  int r;
  if (which % 3 == 0) {
    r = socket(dom, type, prot);
    fds[0] = r;
    res(r < 0 ? -1 : 0);
  } else if (which % 3 == 2) {
    r = socketpair(dom, type, prot, (int *)8);
    res(r);
  } else {
    r = socketpair(dom, type, prot, fds);
    res(r);
  }
  for (int i = 0; i < 2; i++) {
    if (fds[i] < 0 || r < 0) continue;
    int st = 0;
    socklen_t sl = sizeof st;
    getsockopt(fds[i], SOL_SOCKET, SO_TYPE, &st, &sl);
    int fl = fcntl(fds[i], F_GETFL), fd = fcntl(fds[i], F_GETFD);
    printf(" slot%d type%d%s%s", add_slot(fds[i]), st, fl & O_NONBLOCK ? " nonblock" : "", fd & FD_CLOEXEC ? " cloexec" : "");
  }
}

/* accept4 on slot s (__sys_accept4, do_accept): form 0 unknown flag bits (EINVAL before the fd is looked
   at), 1 SOCK_CLOEXEC alone (the new socket blocks), 2 SOCK_NONBLOCK | SOCK_CLOEXEC with room for the whole
   peer name, 3 room for 3 bytes of it (truncated, the full length stored), 4 an unmapped name buffer (EFAULT:
   the connection is taken and lost), 5 plain accept(). A socket made is a new slot, with its flags. */
static void op_acc4(long s, long form) {
  static const int FLAGS[] = { 0x40000000, SOCK_CLOEXEC, SOCK_NONBLOCK | SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_NONBLOCK, 0 };
  struct sockaddr_un a;
  memset(&a, 0x55, sizeof a);
  socklen_t l = form == 3 ? 3 : sizeof a;
  form %= 6;
  int fd = form == 5 ? accept(fd_of(s), (struct sockaddr *)&a, &l)
                     : accept4(fd_of(s), form == 4 ? (struct sockaddr *)8 : (struct sockaddr *)&a, &l, FLAGS[form]);
  res(fd < 0 ? -1 : 0);
  if (fd < 0) return;
  int fl = fcntl(fd, F_GETFL), fdf = fcntl(fd, F_GETFD);
  printf(" slot%d%s%s len%u", add_slot(fd), fl & O_NONBLOCK ? " nonblock" : "", fdf & FD_CLOEXEC ? " cloexec" : "", l);
  if (l <= sizeof a) print_addr(&a, form == 3 ? 3 : l);
}

static void step(const char *name, long a[4]) {
  struct sockaddr_un addr;
  if (!strcmp(name, "pair")) {
    int sv[2];
    int r = socketpair(AF_UNIX, TYPES[a[0] % 3] | SOCK_NONBLOCK, 0, sv);
    res(r);
    if (r == 0) {
      int first = add_slot(sv[0]);
      printf(" slot%d slot%d", first, add_slot(sv[1]));
    }
  } else if (!strcmp(name, "sock")) {
    int fd = socket(AF_UNIX, TYPES[a[0] % 3] | SOCK_NONBLOCK, 0);
    res(fd < 0 ? -1 : 0);
    if (fd >= 0) printf(" slot%d", add_slot(fd));
  } else if (!strcmp(name, "bind")) {
    /* name 3: autobind (the bare family) */
    socklen_t al = sizeof(sa_family_t);
    if (a[1] % 4 == 3) {
      memset(&addr, 0, sizeof addr);
      addr.sun_family = AF_UNIX;
    } else {
      al = abstract(&addr, a[1]);
    }
    res(bind(fd_of(a[0]), (struct sockaddr *)&addr, al));
  } else if (!strcmp(name, "listen")) {
    res(listen(fd_of(a[0]), (int)a[1] - 1));
  } else if (!strcmp(name, "conn")) {
    socklen_t al = abstract(&addr, a[1]);
    res(connect(fd_of(a[0]), (struct sockaddr *)&addr, al));
  } else if (!strcmp(name, "unconn")) {
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNSPEC;
    res(connect(fd_of(a[0]), (struct sockaddr *)&addr, sizeof(sa_family_t)));
  } else if (!strcmp(name, "acc")) {
    int fd = accept4(fd_of(a[0]), NULL, NULL, SOCK_NONBLOCK);
    res(fd < 0 ? -1 : 0);
    if (fd >= 0) printf(" slot%d", add_slot(fd));
  } else if (!strcmp(name, "send")) {
    op_send(a[0], a[1], a[2], a[3] % 3, a[3] / 3);
  } else if (!strcmp(name, "sendto")) {
    op_sendto(a[0], a[1], a[2]);
  } else if (!strcmp(name, "recv")) {
    op_recv(a[0], a[1], a[2], a[3]);
  } else if (!strcmp(name, "get")) {
    op_getopt(a[0], a[1]);
  } else if (!strcmp(name, "set")) {
    op_setopt(a[0], a[1], a[2]);
  } else if (!strcmp(name, "ioctl")) {
    op_ioctl(a[0], a[1]);
  } else if (!strcmp(name, "sopt")) {
    op_sopt(a[0], a[1], a[2], a[3]);
  } else if (!strcmp(name, "gopt")) {
    op_gopt(a[0], a[1], a[2]);
  } else if (!strcmp(name, "drop")) {
    op_drop();
  } else if (!strcmp(name, "nofile")) {
    op_nofile(a[0]);
  } else if (!strcmp(name, "pipehup")) {
    op_pipehup();
  } else if (!strcmp(name, "big")) {
    op_big(a[0], a[1]);
  } else if (!strcmp(name, "fds")) {
    op_fds(a[0], a[1], a[2]);
  } else if (!strcmp(name, "pbind") || !strcmp(name, "pconn") || !strcmp(name, "plong") || !strcmp(name, "pfull")) {
    op_path(name, a[0], a[1], 0);
  } else if (!strcmp(name, "psendto")) {
    op_path(name, a[0], a[2], a[1]);
  } else if (!strcmp(name, "unlink") || !strcmp(name, "symlink")) {
    op_path(name, 0, a[0], 0);
  } else if (!strcmp(name, "ctl")) {
    op_ctl(a[0], a[1]);
  } else if (!strcmp(name, "addr")) {
    op_addr(a[0], a[1], a[2]);
  } else if (!strcmp(name, "getname")) {
    op_getname(a[0], a[1], a[2]);
  } else if (!strcmp(name, "names")) {
    op_names(a[0]);
  } else if (!strcmp(name, "shut")) {
    res(shutdown(fd_of(a[0]), (int)(a[1] % 4))); /* how 3: EINVAL */
  } else if (!strcmp(name, "child")) {
    op_child();
  } else if (!strcmp(name, "closefd")) {
    res(close((int)a[0])); /* a raw fd, not a slot: fd 0 made free for what a recvmsg installs */
  } else if (!strcmp(name, "close")) {
    int fd = fd_of(a[0]);
    res(close(fd));
    if (fd >= 0) slot[a[0] % nslots] = -1;
  } else if (!strcmp(name, "rw")) {
    op_rw(a[0], a[1], a[2]);
  } else if (!strcmp(name, "ioc")) {
    op_ioc(a[0], a[1]);
  } else if (!strcmp(name, "fst")) {
    op_fst(a[0]);
  } else if (!strcmp(name, "fch")) {
    op_fch(a[0], a[1]);
  } else if (!strcmp(name, "pstat")) {
    op_pstat(a[0]);
  } else if (!strcmp(name, "async")) {
    op_async(a[0], a[1]);
  } else if (!strcmp(name, "blk")) {
    op_blk(a[0], a[1], a[2]);
  } else if (!strcmp(name, "mh")) {
    op_mh(a[0], a[1]);
  } else if (!strcmp(name, "bg")) {
    op_bg(a[0], a[1]);
  } else if (!strcmp(name, "mmsg")) {
    op_mmsg(a[0], a[1], a[2]);
  } else if (!strcmp(name, "acc4")) {
    op_acc4(a[0], a[1]);
  } else if (!strcmp(name, "mk")) {
    op_mk(a[0], a[1], a[2], a[3]);
  } else {
    printf(" unknown op");
  }
}

/* SIGPIPE, caught and counted (printed after the op whose call sent it): send_sig in unix_stream_sendmsg's
   out_pipe; its default action would end the run. Every other op sends with MSG_NOSIGNAL. */
static volatile sig_atomic_t npipe;
static void on_pipe(int sig) {
  (void)sig;
  npipe++;
}

/* The poll mask of every open slot, with every event asked for. */
static void poll_all(void) {
  printf(" |");
  for (int i = 0; i < nslots; i++) {
    if (slot[i] < 0) continue;
    struct pollfd p = { slot[i], POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLRDNORM | POLLRDBAND | POLLWRNORM | POLLWRBAND, 0 };
    poll(&p, 1, 0);
    printf(" %d:%x", i, p.revents);
  }
  if (npipe) {
    printf(" sigpipe %d", (int)npipe);
    npipe = 0;
  }
  if (nasync) {
    printf(" async");
    for (int i = 0; i < nasync && i < 16; i++) printf(" %d", async_code[i]);
    nasync = 0;
  }
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (argc > 2) tag = argv[2];
  umask(022);
  if (argc > 3) {
    if (mkdir(argv[3], 0700) != 0 || chdir(argv[3]) != 0) return 2;
    int f = open("reg", O_CREAT | O_WRONLY, 0600);
    if (f < 0) return 2;
    close(f);
    have_dir = 1;
  }
  if (pipe(passed) != 0) return 2;
  struct sigaction pa;
  memset(&pa, 0, sizeof pa);
  pa.sa_handler = on_pipe;
  pa.sa_flags = SA_RESTART;
  sigaction(SIGPIPE, &pa, NULL);
  char *prog = argv[1], *save = NULL;
  int n = 0;
  for (char *op = strtok_r(prog, ";", &save); op; op = strtok_r(NULL, ";", &save), n++) {
    char name[16] = "";
    long a[4] = { 0, 0, 0, 0 };
    if (sscanf(op, "%15s %ld %ld %ld %ld", name, &a[0], &a[1], &a[2], &a[3]) < 1) return 2;
    for (int i = 0; i < 4; i++) if (a[i] < 0) a[i] = -a[i];
    printf("%d %s:", n, op);
    errno = 0;
    step(name, a);
    poll_all();
    printf("\n");
  }
  printf("done\n");
  return 0;
}
