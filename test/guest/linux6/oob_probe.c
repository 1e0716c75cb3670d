/* MSG_OOB on AF_UNIX stream sockets (Linux >= 5.15, CONFIG_AF_UNIX_OOB):
 * one out-of-band byte per socket, recv(MSG_OOB), SIOCATMARK, SO_OOBINLINE,
 * reads that stop at the mark, POLLPRI and select's exceptfds, SIGURG to the
 * F_SETOWN owner, MSG_PEEK, and an OOB byte carrying SCM_RIGHTS. One line
 * per check, compared with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdarg.h>
#include <time.h>

/* One output line built piece by piece, so that the calls it reports run in order. */

/* "n:data" or "-1:ERRNO" for one recv, with MSG_OOB shown in msg_flags */
static const char *rx(int fd, int flags, size_t len) {
  char b[64] = {0};
  struct iovec iov = {b, len};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  ssize_t n = recvmsg(fd, &m, flags | MSG_DONTWAIT);
  static char r[4][96];
  static int k;
  char *s = r[k++ & 3];
  if (n < 0) snprintf(s, 96, "-1:%s", errname(errno));
  else snprintf(s, 96, "%zd:%.*s%s", n, (int)n, b, m.msg_flags & MSG_OOB ? "(oob)" : "");
  return s;
}

static int atmark(int fd) {
  int v = -1;
  if (ioctl(fd, SIOCATMARK, &v) < 0) return -errno;
  return v;
}

static int inq(int fd) {
  int v = -1;
  if (ioctl(fd, FIONREAD, &v) < 0) return -errno;
  return v;
}

static int pri(int fd) {
  struct pollfd p = {fd, POLLIN | POLLPRI, 0};
  poll(&p, 1, 0);
  return p.revents;
}

static void pair(int sv[2]) {
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) perror("socketpair");
}

static void done(int sv[2]) {
  close(sv[0]);
  close(sv[1]);
}

static volatile sig_atomic_t urg;
static void on_urg(int s) { (void)s; urg++; }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  int sv[2];

  pair(sv);
  add("oob 1 recv MSG_OOB with none: %s;", rx(sv[1], MSG_OOB, 8));
  add(" atmark=%d", atmark(sv[1]));
  add(" revents=%#x", pri(sv[1]));
  end_line();
  ssize_t z = send(sv[0], "", 0, MSG_OOB);
  add("oob 2 send MSG_OOB of 0 bytes: %zd %s", z, errname(errno));
  end_line();
  add("oob 3 send \"abc\" MSG_OOB: %zd;", send(sv[0], "abc", 3, MSG_OOB));
  add(" revents=%#x", pri(sv[1]));
  add(" atmark=%d", atmark(sv[1]));
  add(" inq=%d", inq(sv[1]));
  end_line();
  add("oob 4 a read stops at the mark: %s;", rx(sv[1], 0, 10));
  add(" atmark=%d", atmark(sv[1]));
  add(" inq=%d", inq(sv[1]));
  end_line();
  add("oob 5 peek MSG_OOB: %s;", rx(sv[1], MSG_OOB | MSG_PEEK, 8));
  add(" then MSG_OOB: %s;", rx(sv[1], MSG_OOB, 8));
  add(" again: %s", rx(sv[1], MSG_OOB, 8));
  end_line();
  add("oob 6 after the OOB byte: atmark=%d", atmark(sv[1]));
  add(" revents=%#x", pri(sv[1]));
  add(" inq=%d", inq(sv[1]));
  add(" read=%s", rx(sv[1], 0, 10));
  add(" atmark=%d", atmark(sv[1]));
  add(" revents=%#x", pri(sv[1]));
  end_line();
  done(sv);

  pair(sv);
  send(sv[0], "abc", 3, MSG_OOB);
  send(sv[0], "de", 2, 0);
  add("oob 7 MSG_OOB read first: %s;", rx(sv[1], MSG_OOB, 8));
  add(" atmark=%d", atmark(sv[1]));
  add(" then read: %s;", rx(sv[1], 0, 10));
  add(" atmark=%d", atmark(sv[1]));
  add(" read: %s;", rx(sv[1], 0, 10));
  add(" atmark=%d", atmark(sv[1]));
  end_line();
  done(sv);

  pair(sv);
  send(sv[0], "abc", 3, MSG_OOB);
  send(sv[0], "de", 2, 0);
  add("oob 8 peeks stop at the mark: %s", rx(sv[1], MSG_PEEK, 10));
  add(" %s;", rx(sv[1], MSG_PEEK, 10));
  rx(sv[1], 0, 2);
  add(" a peek at the mark skips the OOB byte: %s", rx(sv[1], MSG_PEEK, 10));
  add(" atmark=%d", atmark(sv[1]));
  end_line();
  add("oob 9 a read at the mark drops the unread OOB byte: %s;", rx(sv[1], 0, 10));
  add(" revents=%#x", pri(sv[1]));
  add(" atmark=%d", atmark(sv[1]));
  add(" MSG_OOB=%s", rx(sv[1], MSG_OOB, 8));
  end_line();
  done(sv);

  pair(sv);
  send(sv[0], "x", 1, MSG_OOB);
  send(sv[0], "y", 1, MSG_OOB);
  add("oob 10 a second OOB byte replaces the first, which becomes data: atmark=%d", atmark(sv[1]));
  add(" %s;", rx(sv[1], MSG_OOB, 8));
  add(" %s", rx(sv[1], 0, 10));
  add(" %s", rx(sv[1], 0, 10));
  end_line();
  done(sv);

  pair(sv);
  int one = 1;
  add("oob 11 SO_OOBINLINE set: %d;", setsockopt(sv[1], SOL_SOCKET, SO_OOBINLINE, &one, sizeof one));
  send(sv[0], "abc", 3, MSG_OOB);
  send(sv[0], "de", 2, 0);
  int v = 0;
  socklen_t vl = sizeof v;
  getsockopt(sv[1], SOL_SOCKET, SO_OOBINLINE, &v, &vl);
  add(" get=%d", v);
  add(" MSG_OOB=%s", rx(sv[1], MSG_OOB, 8));
  add(" read=%s", rx(sv[1], 0, 10));
  add(" atmark=%d", atmark(sv[1]));
  add(" revents=%#x", pri(sv[1]));
  add(" peek=%s", rx(sv[1], MSG_PEEK, 10));
  add(" read=%s", rx(sv[1], 0, 10));
  add(" read=%s", rx(sv[1], 0, 10));
  end_line();
  done(sv);

  pair(sv);
  send(sv[0], "q", 1, MSG_OOB);
  fd_set r, w, e;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_ZERO(&e);
  FD_SET(sv[1], &r);
  FD_SET(sv[1], &e);
  FD_SET(sv[0], &e);
  struct timeval tv = {0, 0};
  int n = select(sv[1] + 1, &r, &w, &e, &tv);
  printf("oob 12 select: %d read=%d except=%d (sender except=%d)\n", n, FD_ISSET(sv[1], &r), FD_ISSET(sv[1], &e), FD_ISSET(sv[0], &e));
  done(sv);

  pair(sv);
  signal(SIGURG, on_urg);
  add("oob 13 F_GETOWN before: %d;", fcntl(sv[1], F_GETOWN));
  add(" F_SETOWN: %d;", fcntl(sv[1], F_SETOWN, getpid()));
  add(" F_GETOWN is self: %d", fcntl(sv[1], F_GETOWN) == getpid());
  struct f_owner_ex ex = {F_OWNER_TID, getpid()};
  add(" F_SETOWN_EX tid: %d", fcntl(sv[0], F_SETOWN_EX, &ex));
  int got = fcntl(sv[0], F_GETOWN);
  add(" F_GETOWN: %s", got == -getpid() ? "-pid" : got == getpid() ? "pid" : "other");
  ex.type = 9;
  fcntl(sv[0], F_GETOWN_EX, &ex);
  add(" F_GETOWN_EX {%d, %s}", ex.type, ex.pid == getpid() ? "pid" : "other");
  ex.type = 7;
  int e1 = fcntl(sv[0], F_SETOWN_EX, &ex);
  add(" bad type: %d %s", e1, errname(errno));
  ex.type = F_OWNER_PID;
  ex.pid = 0x3fffffff;
  e1 = fcntl(sv[0], F_SETOWN_EX, &ex);
  add(" no such pid: %d %s", e1, errname(errno));
  add(" F_SETOWN 0: %d", fcntl(sv[0], F_SETOWN, 0));
  ex.type = 5;
  ex.pid = 5;
  add(" F_GETOWN_EX: %d", fcntl(sv[0], F_GETOWN_EX, &ex));
  add(" {%d, %d}", ex.type, ex.pid);
  end_line();
  send(sv[0], "u", 1, MSG_OOB);
  add("oob 14 SIGURG to the owner: %d;", (int)urg);
  send(sv[0], "v", 1, 0);
  add(" after a plain send: %d;", (int)urg);
  send(sv[1], "w", 1, MSG_OOB);
  add(" OOB to the end without owner: %d", (int)urg);
  end_line();
  pid_t child = fork();
  if (child == 0) {
    /* urg is 1, inherited; wait (bounded) for the parent's OOB byte to signal this process */
    for (int i = 0; i < 200 && urg < 2; i++) {
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
    }
    _exit(urg);
  }
  fcntl(sv[1], F_SETOWN, child);
  send(sv[0], "c", 1, MSG_OOB);
  int st = 0;
  waitpid(child, &st, 0);
  printf("oob 15 SIGURG to an owner that is another process: child count %d; parent count %d\n", WEXITSTATUS(st), (int)urg);
  done(sv);

  int dg[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, dg);
  z = send(dg[0], "a", 1, MSG_OOB);
  add("oob 16 MSG_OOB on a datagram socket: send=%zd %s", z, errname(errno));
  add(" recv=%s", rx(dg[1], MSG_OOB, 8));
  end_line();
  done(dg);
  socketpair(AF_UNIX, SOCK_SEQPACKET, 0, dg);
  z = send(dg[0], "a", 1, MSG_OOB);
  add("oob 17 MSG_OOB on a seqpacket socket: send=%zd %s", z, errname(errno));
  add(" recv=%s", rx(dg[1], MSG_OOB, 8));
  end_line();
  done(dg);

  /* SCM_RIGHTS on an OOB byte alone: the byte carries the fd */
  pair(sv);
  int p[2];
  pipe(p);
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof cbuf);
  struct iovec iov = {"Z", 1};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = cbuf;
  m.msg_controllen = sizeof cbuf;
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &p[0], sizeof(int));
  ssize_t s = sendmsg(sv[0], &m, MSG_OOB);
  char rb[4] = {0};
  struct iovec riov = {rb, sizeof rb};
  struct msghdr rm = {0};
  char rc[CMSG_SPACE(sizeof(int))];
  rm.msg_iov = &riov;
  rm.msg_iovlen = 1;
  rm.msg_control = rc;
  rm.msg_controllen = sizeof rc;
  ssize_t g = recvmsg(sv[1], &rm, MSG_OOB | MSG_DONTWAIT);
  struct cmsghdr *rcm = g >= 0 ? CMSG_FIRSTHDR(&rm) : NULL;
  printf("oob 18 SCM_RIGHTS riding an OOB byte, read with MSG_OOB: sent=%zd got=%zd '%c' flags=%#x cmsg=%s\n", s, g, rb[0], rm.msg_flags,
         rcm && rcm->cmsg_type == SCM_RIGHTS ? "rights" : "none");
  rm.msg_controllen = sizeof rc;
  g = recvmsg(sv[1], &rm, MSG_DONTWAIT);
  rcm = g >= 0 ? CMSG_FIRSTHDR(&rm) : NULL;
  printf("oob 19 then a plain recvmsg: got=%zd %s cmsg=%s\n", g, g < 0 ? errname(errno) : "", rcm && rcm->cmsg_type == SCM_RIGHTS ? "rights" : "none");
  done(sv);

  /* an unreachable cycle whose only reference is an OOB skb: the collector frees it */
  pair(sv);
  m.msg_controllen = sizeof cbuf;
  memcpy(CMSG_DATA(c), &sv[1], sizeof(int));
  s = sendmsg(sv[0], &m, MSG_OOB); /* sv[1] in flight on its own queue, as the OOB byte */
  close(sv[1]);
  close(sv[0]);
  int gcpair[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, gcpair); /* any close of an AF_UNIX socket runs the collector */
  close(gcpair[0]);
  close(gcpair[1]);
  printf("oob 20 a cycle held only by an OOB skb is collected: sent=%zd (a leak fails the kernel invariants)\n", s);
  close(p[0]);
  close(p[1]);

  pair(sv);
  send(sv[0], "hello", 5, 0);
  rx(sv[1], 0, 2);
  add("oob 21 FIONREAD after a partial read: %d", inq(sv[1]));
  end_line();
  send(sv[0], "o", 1, MSG_OOB);
  add("oob 22 FIONREAD with an OOB byte queued: %d;", inq(sv[1]));
  rx(sv[1], MSG_OOB, 1);
  add(" after reading it: %d;", inq(sv[1]));
  add(" a read: %s;", rx(sv[1], 0, 10));
  add(" FIONREAD %d", inq(sv[1]));
  end_line();
  send(sv[0], "k", 1, MSG_OOB);
  add("oob 23 an OOB byte dropped by a plain read: %s;", rx(sv[1], 0, 10));
  add(" FIONREAD %d;", inq(sv[1]));
  add(" revents %#x", pri(sv[1]));
  end_line();
  done(sv);

  printf("done\n");
  return 0;
}
