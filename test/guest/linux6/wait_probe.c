/* waitid (kernel_waitid): its idtypes, option checks, the siginfo it
 * fills, WNOWAIT leaving a child waitable, WNOHANG with nothing to report,
 * and waiting through a pidfd. One line per check, compared with native
 * Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open(pid_t pid, unsigned flags) { return (int)syscall(SYS_pidfd_open, pid, flags); }

/* the fields waitid fills, with the pid shown as whether it is the child's */
static void show(const siginfo_t *si, pid_t child) {
  add(" signo=%d code=%d pid=%s status=%d uid=%d", si->si_signo, si->si_code,
      si->si_pid == child ? "child" : si->si_pid == 0 ? "0" : "other", si->si_status, (int)si->si_uid == (int)getuid());
}

static pid_t spawn_exit(int code) {
  pid_t c = fork();
  if (c == 0) _exit(code);
  return c;
}

static pid_t spawn_pause(void) {
  pid_t c = fork();
  if (c == 0) {
    for (;;) pause();
  }
  return c;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  siginfo_t si;

  pid_t c = spawn_exit(7);
  add("args 1: no WEXITED/WSTOPPED/WCONTINUED=%s", res(waitid(P_PID, c, &si, WNOHANG)));
  add(" unknown option bit=%s", res(waitid(P_PID, c, &si, WEXITED | 0x100)));
  add(" bad idtype=%s", res(waitid((idtype_t)7, c, &si, WEXITED)));
  add(" P_PID 0=%s", res(waitid(P_PID, 0, &si, WEXITED)));
  add(" P_PGID -1=%s", res(waitid(P_PGID, -1, &si, WEXITED)));
  add(" P_PIDFD -1=%s", res(waitid(P_PIDFD, -1, &si, WEXITED)));
  add(" P_PIDFD of a non-pidfd=%s", res(waitid(P_PIDFD, 1, &si, WEXITED)));
  add(" P_PIDFD bad fd=%s", res(waitid(P_PIDFD, 999, &si, WEXITED)));
  add(" not a child=%s", res(waitid(P_PID, getpid(), &si, WEXITED)));
  end_line();

  memset(&si, 0x55, sizeof si);
  add("exit 1: WNOWAIT=%s", res(waitid(P_PID, c, &si, WEXITED | WNOWAIT)));
  show(&si, c);
  memset(&si, 0x55, sizeof si);
  add("; again=%s", res(waitid(P_ALL, 0, &si, WEXITED)));
  show(&si, c);
  add("; then=%s", res(waitid(P_PID, c, &si, WEXITED | WNOHANG)));
  end_line();

  c = spawn_pause();
  memset(&si, 0x55, sizeof si);
  add("nohang 1: a running child=%s", res(waitid(P_ALL, 0, &si, WEXITED | WNOHANG)));
  show(&si, c);
  add(" errno=%d", si.si_errno);
  kill(c, SIGTERM);
  memset(&si, 0x55, sizeof si);
  add("; killed=%s", res(waitid(P_PGID, 0, &si, WEXITED)));
  show(&si, c);
  end_line();

  int st = 0;
  c = spawn_exit(3);
  add("wait4 1: WNOWAIT=%s", res(wait4(c, &st, WNOWAIT, NULL)));
  add(" WEXITED=%s", res(wait4(c, &st, WEXITED, NULL)));
  pid_t r = wait4(c, &st, 0, NULL);
  add(" plain=%s status=%#x", r == c ? "child" : res(r), st);
  end_line();

  c = spawn_pause();
  int pfd = pidfd_open(c, 0);
  int nb = pidfd_open(c, O_NONBLOCK);
  add("pidfd 1: nonblocking, running=%s", res(waitid(P_PIDFD, nb, &si, WEXITED)));
  memset(&si, 0x55, sizeof si);
  add(" blocking WNOHANG=%s", res(waitid(P_PIDFD, pfd, &si, WEXITED | WNOHANG)));
  add(" pid=%d", si.si_pid);
  kill(c, SIGKILL);
  memset(&si, 0x55, sizeof si);
  add("; after SIGKILL=%s", res(waitid(P_PIDFD, pfd, &si, WEXITED)));
  show(&si, c);
  add("; once reaped=%s", res(waitid(P_PIDFD, pfd, &si, WEXITED)));
  end_line();

  add("none 1: no children=%s", res(waitid(P_ALL, 0, &si, WEXITED)));
  add(" wait4=%s", res(wait4(-1, &st, 0, NULL)));
  end_line();
  printf("done\n");
  return 0;
}
