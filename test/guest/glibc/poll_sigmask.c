/* The signal mask argument of ppoll and pselect: a signal blocked by the
 * process mask but not by the call's mask interrupts the wait, its handler
 * runs, and the process mask is back afterwards; a pending signal unblocked
 * by the call's mask is reported even with a zero timeout. Output must be
 * the same on Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int handled;
static void on_usr1(int s) { (void)s; handled++; }

static int usr1_blocked(void) {
  sigset_t cur;
  sigprocmask(SIG_BLOCK, NULL, &cur);
  return sigismember(&cur, SIGUSR1);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  sigset_t block, empty;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigemptyset(&empty);
  sigprocmask(SIG_BLOCK, &block, NULL);

  int p[2];
  pipe(p);
  struct pollfd pfd = { .fd = p[0], .events = POLLIN };

  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    usleep(2000);
    kill(parent, SIGUSR1);
    _exit(0);
  }
  int r = ppoll(&pfd, 1, NULL, &empty);
  printf("ppoll: r=%d errno=%s handled=%d usr1 blocked again=%d\n", r, r < 0 ? strerror(errno) : "-", handled,
         usr1_blocked());
  waitpid(child, NULL, 0);

  raise(SIGUSR1); /* blocked: stays pending */
  printf("raised while blocked: handled=%d\n", handled);
  struct timespec zero = { 0, 0 };
  r = ppoll(&pfd, 1, &zero, &block);
  printf("ppoll zero timeout, mask keeps it blocked: r=%d handled=%d\n", r, handled);
  r = ppoll(&pfd, 1, &zero, &empty);
  printf("ppoll zero timeout, mask lets it through: r=%d errno=%s handled=%d usr1 blocked again=%d\n", r,
         r < 0 ? strerror(errno) : "-", handled, usr1_blocked());

  raise(SIGUSR1);
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(p[0], &rd);
  r = pselect(p[0] + 1, &rd, NULL, NULL, &zero, &empty);
  printf("pselect zero timeout, mask lets it through: r=%d errno=%s handled=%d usr1 blocked again=%d\n", r,
         r < 0 ? strerror(errno) : "-", handled, usr1_blocked());

  write(p[1], "x", 1);
  raise(SIGUSR1);
  r = ppoll(&pfd, 1, &zero, &empty);
  printf("ppoll with data ready and a signal pending: r=%d handled=%d usr1 blocked again=%d\n", r, handled,
         usr1_blocked());
  sigprocmask(SIG_UNBLOCK, &block, NULL);
  printf("after unblocking: handled=%d\n", handled);
  return 0;
}
