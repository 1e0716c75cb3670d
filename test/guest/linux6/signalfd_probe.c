/* signalfd: blocked signals read as struct signalfd_siginfo (kill's sender,
 * SIGCHLD's child and status), several in one read, EAGAIN with none, a
 * reader blocked until a child signals, poll and epoll readiness, the mask
 * updated through the same fd, and the checks. One line per check,
 * compared with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  sigset_t m;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  sigaddset(&m, SIGUSR2);
  sigaddset(&m, SIGCHLD);
  sigprocmask(SIG_BLOCK, &m, NULL);
  int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
  struct signalfd_siginfo si[4];
  const char *empty = res(read(fd, si, sizeof si));
  const char *small = res(read(fd, si, 100));
  add("empty: %s short buffer %s", empty, small); end_line();

  pid_t me = getpid();
  kill(me, SIGUSR2);
  kill(me, SIGUSR1);
  struct pollfd p = { fd, POLLIN, 0 };
  int pr = poll(&p, 1, 0);
  ssize_t n = read(fd, si, sizeof si);
  add("two: poll %d revents %x read %ld first %u code %d pid self %d second %u", pr, p.revents, (long)n, si[0].ssi_signo, si[0].ssi_code,
      si[0].ssi_pid == (uint32_t)me, si[1].ssi_signo); end_line();

  pid_t c = fork();
  if (c == 0) _exit(5);
  int b = signalfd(-1, &m, 0);
  n = read(b, si, sizeof si[0]);
  add("sigchld: read %ld signo %u code %d pid %d status %d", (long)n, si[0].ssi_signo, si[0].ssi_code, si[0].ssi_pid == (uint32_t)c, si[0].ssi_status); end_line();
  waitpid(c, NULL, 0);

  fflush(stdout);
  c = fork();
  if (c == 0) { usleep(20000); kill(getppid(), SIGUSR1); _exit(0); }
  n = read(b, si, sizeof si[0]);
  add("blocking: read %ld signo %u pid child %d", (long)n, si[0].ssi_signo, si[0].ssi_pid == (uint32_t)c); end_line();
  waitpid(c, NULL, 0);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  struct timespec zero = { 0, 0 };
  sigtimedwait(&chld, NULL, &zero); /* that child's SIGCHLD */

  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 3 }, out;
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  int e0 = epoll_wait(ep, &out, 1, 0);
  kill(me, SIGUSR2);
  int e1 = epoll_wait(ep, &out, 1, 0);
  read(fd, si, sizeof si);
  add("epoll: %d then %d data %u", e0, e1, out.data.u32); end_line();

  sigset_t only1;
  sigemptyset(&only1);
  sigaddset(&only1, SIGUSR1);
  const char *upd = res(signalfd(fd, &only1, 0));
  kill(me, SIGUSR2);
  const char *r2 = res(read(fd, si, sizeof si));
  kill(me, SIGUSR1);
  n = read(fd, si, sizeof si);
  sigset_t pend;
  sigpending(&pend);
  add("update: same fd %d usr2 %s usr1 read %ld usr2 still pending %d", strcmp(upd, "EBADF") != 0 && atoi(upd) == fd, r2, (long)n, sigismember(&pend, SIGUSR2)); end_line();

  const char *bad_size = res(syscall(SYS_signalfd4, -1, &m, 4, 0));
  const char *bad_flags = res(signalfd(-1, &m, 0x10));
  const char *not_sfd = res(signalfd(0, &m, 0));
  const char *bad_fd = res(signalfd(99, &m, 0));
  add("checks: size %s flags %s not a signalfd %s fd %s", bad_size, bad_flags, not_sfd, bad_fd); end_line();
  printf("done\n");
  return 0;
}
