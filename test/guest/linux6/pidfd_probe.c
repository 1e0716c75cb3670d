/* pidfds (Linux >= 5.3) and their AF_UNIX uses (Linux >= 6.5): pidfd_open,
 * pidfd_send_signal, a pidfd polls readable once its process has exited,
 * SO_PEERPIDFD, SO_PASSPIDFD with SCM_PIDFD, pidfds passed with SCM_RIGHTS.
 * One line per check, compared with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif


static int pidfd_open(pid_t pid, unsigned flags) { return (int)syscall(SYS_pidfd_open, pid, flags); }
static int pidfd_send_signal(int fd, int sig, void *info, unsigned flags) { return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags); }

static int readable(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  poll(&p, 1, 0);
  return p.revents;
}

static void nap(void) {
  struct timespec ts = {0, 20000000};
  nanosleep(&ts, NULL);
}

/* whether a pidfd names this process: signal 0 through it works and it does not poll readable (alive) */
static int is_self(int pidfd) { return pidfd_send_signal(pidfd, 0, NULL, 0) == 0 && readable(pidfd) == 0; }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);

  int self = pidfd_open(getpid(), 0);
  add("open 1: pidfd_open(self)=%s", res_ok(self));
  add(" cloexec=%d", fcntl(self, F_GETFD));
  add(" flags=%#o", fcntl(self, F_GETFL) & ~0100000);
  add(" polls=%#x", readable(self));
  end_line();
  int e = pidfd_open(0, 0);
  add("open 2: pid 0=%s", res_ok(e));
  e = pidfd_open(-1, 0);
  add(" pid -1=%s", res_ok(e));
  e = pidfd_open(0x3fffffff, 0);
  add(" no such pid=%s", res_ok(e));
  e = pidfd_open(getpid(), 1);
  add(" bad flags=%s", res_ok(e));
  int nb = pidfd_open(getpid(), O_NONBLOCK);
  add(" PIDFD_NONBLOCK=%s", res_ok(nb));
  add(" flags=%#o", fcntl(nb, F_GETFL) & ~0100000);
  end_line();
  close(nb);

  add("signal 1: pidfd_send_signal(self, 0)=%s", res_ok(pidfd_send_signal(self, 0, NULL, 0)));
  add(" bad flags=%s", res_ok(pidfd_send_signal(self, 0, NULL, 99)));
  add(" not a pidfd=%s", res_ok(pidfd_send_signal(1, 0, NULL, 0)));
  add(" bad fd=%s", res_ok(pidfd_send_signal(999, 0, NULL, 0)));
  add(" bad signal=%s", res_ok(pidfd_send_signal(self, 999, NULL, 0)));
  end_line();

  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(3);
  }
  int cfd = pidfd_open(child, 0);
  add("child 1: pidfd of a running child polls %#x", readable(cfd));
  add("; SIGTERM through it=%s", res_ok(pidfd_send_signal(cfd, SIGTERM, NULL, 0)));
  struct pollfd w = {cfd, POLLIN, 0};
  poll(&w, 1, 5000); /* until it has exited */
  add("; once it exited it polls %#x", readable(cfd));
  add("; signal to the zombie=%s", res_ok(pidfd_send_signal(cfd, 0, NULL, 0)));
  int st = 0;
  waitpid(child, &st, 0);
  add("; reaped (killed by %d) it polls %#x", WTERMSIG(st), readable(cfd));
  add("; signal after reaping=%s", res_ok(pidfd_send_signal(cfd, 0, NULL, 0)));
  add("; pidfd_open of the reaped pid=%s", res_ok(pidfd_open(child, 0)));
  end_line();
  close(cfd);

  /* a poller blocked on a child's pidfd wakes when the child exits */
  child = fork();
  if (child == 0) {
    nap();
    _exit(0);
  }
  cfd = pidfd_open(child, 0);
  struct pollfd p = {cfd, POLLIN, 0};
  int n = poll(&p, 1, 5000);
  add("child 2: a blocking poll on the pidfd returns when the child exits %d %#x", n, p.revents);
  end_line();
  waitpid(child, NULL, 0);
  close(cfd);

  /* SO_PEERPIDFD: a pidfd of the peer's process, taken at connect/socketpair */
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  int pfd = -1;
  socklen_t l = sizeof pfd;
  int r = getsockopt(sv[0], SOL_SOCKET, SO_PEERPIDFD, &pfd, &l);
  add("peerpidfd 1: socketpair=%s len=%u", res_ok(r), l);
  add(" refers to self=%d", is_self(pfd));
  add(" cloexec=%d", fcntl(pfd, F_GETFD));
  l = 2;
  r = getsockopt(sv[0], SOL_SOCKET, SO_PEERPIDFD, &pfd, &l);
  add(" short optlen=%s", res_ok(r));
  end_line();
  int u = socket(AF_UNIX, SOCK_STREAM, 0);
  l = sizeof pfd;
  r = getsockopt(u, SOL_SOCKET, SO_PEERPIDFD, &pfd, &l);
  add("peerpidfd 2: unconnected=%s", res_ok(r));
  int d[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
  l = sizeof pfd;
  r = getsockopt(d[0], SOL_SOCKET, SO_PEERPIDFD, &pfd, &l);
  add(" dgram pair=%s", res_ok(r));
  end_line();
  close(u);

  /* SO_PASSPIDFD: each message carries a pidfd of its sender (SCM_PIDFD) */
  int one = 1, v = 0;
  add("passpidfd 1: default=");
  l = sizeof v;
  getsockopt(d[1], SOL_SOCKET, SO_PASSPIDFD, &v, &l);
  add("%d", v);
  add(" set=%s", res_ok(setsockopt(d[1], SOL_SOCKET, SO_PASSPIDFD, &one, sizeof one)));
  l = sizeof v;
  getsockopt(d[1], SOL_SOCKET, SO_PASSPIDFD, &v, &l);
  add(" get=%d", v);
  child = fork();
  if (child == 0) {
    send(d[0], "from child", 10, 0);
    _exit(0);
  }
  siginfo_t exited;
  waitid(P_PID, child, &exited, WEXITED | WNOWAIT); /* the child has sent and exited, but is not reaped yet */
  char buf[32];
  char cbuf[256];
  struct iovec iov = {buf, sizeof buf};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = cbuf;
  m.msg_controllen = sizeof cbuf;
  ssize_t got = recvmsg(d[1], &m, MSG_DONTWAIT);
  add("; a message from a child that exited: %zd", got);
  int cpfd = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    add(" cmsg level=%d type=%d len=%zu", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
    if (c->cmsg_type == SCM_PIDFD) memcpy(&cpfd, CMSG_DATA(c), sizeof cpfd);
  }
  add(" its pidfd polls %#x", readable(cpfd));
  add(" cloexec=%d", fcntl(cpfd, F_GETFD));
  waitpid(child, NULL, 0);
  add(" and after the reap %#x", readable(cpfd));
  end_line();
  int two = 1;
  setsockopt(d[1], SOL_SOCKET, SO_PASSCRED, &two, sizeof two);
  send(d[0], "x", 1, 0);
  m.msg_controllen = sizeof cbuf;
  got = recvmsg(d[1], &m, MSG_DONTWAIT);
  add("passpidfd 2: with SO_PASSCRED too %zd", got);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) add(" type=%d", c->cmsg_type);
  m.msg_controllen = 20;
  send(d[0], "x", 1, 0);
  got = recvmsg(d[1], &m, MSG_DONTWAIT);
  add("; control room for one: %zd flags=%#x", got, m.msg_flags);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) add(" type=%d", c->cmsg_type);
  end_line();
  close(d[0]);
  close(d[1]);

  /* a pidfd passed with SCM_RIGHTS is still a pidfd */
  char sc[CMSG_SPACE(sizeof(int))];
  memset(sc, 0, sizeof sc);
  struct iovec siov = {"p", 1};
  struct msghdr sm = {0};
  sm.msg_iov = &siov;
  sm.msg_iovlen = 1;
  sm.msg_control = sc;
  sm.msg_controllen = sizeof sc;
  struct cmsghdr *c = CMSG_FIRSTHDR(&sm);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &self, sizeof self);
  ssize_t s = sendmsg(sv[0], &sm, 0);
  m.msg_controllen = sizeof cbuf;
  got = recvmsg(sv[1], &m, 0);
  struct cmsghdr *rc = CMSG_FIRSTHDR(&m);
  int passed = -1;
  if (rc) memcpy(&passed, CMSG_DATA(rc), sizeof passed);
  add("rights 1: a pidfd over SCM_RIGHTS sent=%zd got=%zd", s, got);
  add(" is a pidfd of self=%d", is_self(passed));
  add(" signal 0 through it=%s", res_ok(pidfd_send_signal(passed, 0, NULL, 0)));
  end_line();

  printf("done\n");
  return 0;
}
