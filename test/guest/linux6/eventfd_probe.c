/* eventfd: the counter (read takes it all, EFD_SEMAPHORE one at a time),
 * EAGAIN at zero and at the top, the 8-byte rules, poll and epoll
 * readiness, a reader blocked until another process writes, its flags and
 * what the fd looks like. One line per check, compared with native Linux
 * by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *rd(int fd) {
  static char b[4][32];
  static int k;
  char *s = b[k++ & 3];
  uint64_t v = 0;
  ssize_t n = read(fd, &v, sizeof v);
  if (n < 0) snprintf(s, 32, "%s", errname(errno));
  else snprintf(s, 32, "%llu", (unsigned long long)v);
  return s;
}

static const char *wr(int fd, uint64_t v) {
  return res(write(fd, &v, sizeof v));
}

static int revents(int fd) {
  struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
  poll(&p, 1, 0);
  return p.revents;
}

int main(void) {
  int e = eventfd(3, EFD_NONBLOCK);
  const char *w1 = wr(e, 4);
  const char *r1 = rd(e), *r2 = rd(e);
  add("counter: write %s read %s then %s", w1, r1, r2); end_line();

  int s = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  const char *s1 = rd(s), *s2 = rd(s), *s3 = rd(s);
  add("semaphore: %s %s %s", s1, s2, s3); end_line();

  const char *big = wr(e, 0xfffffffffffffffeULL);
  const char *more = wr(e, 1);
  int full = revents(e);
  const char *top = rd(e);
  const char *max = wr(e, 0xffffffffffffffffULL);
  add("top: write %s then %s revents %x read %s max %s", big, more, full, top, max); end_line();

  uint32_t small = 1;
  const char *ws = res(write(e, &small, 4));
  const char *rs = res(read(e, &small, 4));
  uint64_t two[2] = { 5, 6 };
  const char *w16 = res(write(e, two, 16));
  const char *r16 = res(read(e, two, 16));
  add("sizes: write4 %s read4 %s write16 %s read16 %s got %llu", ws, rs, w16, r16, (unsigned long long)two[0]); end_line();

  add("poll empty: %x", revents(e)); end_line();
  wr(e, 1);
  add("poll one: %x", revents(e)); end_line();
  rd(e);

  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 7 }, out[2];
  epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
  int n0 = epoll_wait(ep, out, 2, 0);
  wr(e, 1);
  int n1 = epoll_wait(ep, out, 2, 0);
  int n2 = epoll_wait(ep, out, 2, 0);
  wr(e, 1);
  int n3 = epoll_wait(ep, out, 2, 0);
  add("epoll et: %d %d %d %d data %u", n0, n1, n2, n3, out[0].data.u32); end_line();
  rd(e);

  int b = eventfd(0, 0);
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) {
    usleep(20000);
    uint64_t v = 42;
    write(b, &v, 8);
    _exit(0);
  }
  const char *blocked = rd(b);
  waitpid(p, NULL, 0);
  add("blocking read: %s", blocked); end_line();

  add("flags: bad %s", res(eventfd(0, 0x10))); end_line();
  int fl = fcntl(e, F_GETFL), fd2 = eventfd(0, EFD_CLOEXEC);
  add("fcntl: rdwr %d nonblock %d cloexec %d", (fl & O_ACCMODE) == O_RDWR, (fl & O_NONBLOCK) != 0, fcntl(fd2, F_GETFD) == FD_CLOEXEC); end_line();
  char link[64], path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", e);
  ssize_t m = readlink(path, link, sizeof link - 1);
  link[m > 0 ? m : 0] = 0;
  struct stat st;
  fstat(e, &st);
  add("fd: %s mode %o", link, (unsigned)st.st_mode); end_line();
  printf("done\n");
  return 0;
}
