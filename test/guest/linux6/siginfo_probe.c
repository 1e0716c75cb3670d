/* What a signal carries: the siginfo an SA_SIGINFO handler and
 * sigtimedwait see for kill (SI_USER, the sender's pid and uid), tgkill
 * (SI_TKILL), SIGCHLD (CLD_EXITED/CLD_KILLED, the child's pid and status),
 * SIGALRM from a timer and SIGURG (SI_KERNEL), SIGPIPE (SI_USER from the
 * writer itself), SIGIO with F_SETSIG (POLL_IN, si_fd, si_band); a signal
 * already pending is not queued twice. One line per check, compared with
 * native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile siginfo_t last;
static volatile sig_atomic_t hits;
static void on(int s, siginfo_t *si, void *uc) {
  (void)s; (void)uc;
  memcpy((void *)&last, si, sizeof *si);
  hits++;
}

static void handle(int sig) {
  struct sigaction sa = { .sa_sigaction = on, .sa_flags = SA_SIGINFO | SA_RESTART };
  sigaction(sig, &sa, NULL);
}

/* waitpid, again after a handler interrupted it */
static void reap(pid_t c) {
  while (waitpid(c, NULL, 0) < 0 && errno == EINTR) {}
}

static const char *code(int c) {
  static char b[16];
  switch (c) {
    case SI_USER: return "SI_USER";
    case SI_KERNEL: return "SI_KERNEL";
    case SI_TKILL: return "SI_TKILL";
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    default: snprintf(b, sizeof b, "%d", c); return b;
  }
}

int main(void) {
  pid_t me = getpid();
  handle(SIGUSR1);
  kill(me, SIGUSR1);
  add("kill: %s pid self %d uid %u", code(last.si_code), last.si_pid == me, last.si_uid); end_line();

  syscall(SYS_tgkill, me, (pid_t)syscall(SYS_gettid), SIGUSR1);
  add("tgkill: %s pid self %d", code(last.si_code), last.si_pid == me); end_line();

  handle(SIGUSR2);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) { kill(getppid(), SIGUSR2); _exit(0); }
  reap(c);
  add("from a child: %s pid child %d", code(last.si_code), last.si_pid == c); end_line();

  /* SIGCHLD through sigtimedwait (blocked, so no earlier child's SIGCHLD can reach a handler first) */
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  struct timespec two = { 2, 0 };
  siginfo_t ci;
  c = fork();
  if (c == 0) _exit(7);
  sigtimedwait(&chld, &ci, &two);
  add("sigchld exit: %s pid %d status %d", code(ci.si_code), ci.si_pid == c, ci.si_status); end_line();
  reap(c);
  c = fork();
  if (c == 0) { pause(); _exit(0); }
  kill(c, SIGKILL);
  sigtimedwait(&chld, &ci, &two);
  add("sigchld killed: %s pid %d status %d", code(ci.si_code), ci.si_pid == c, ci.si_status); end_line();
  reap(c);
  sigprocmask(SIG_UNBLOCK, &chld, NULL);

  handle(SIGALRM);
  hits = 0;
  struct itimerval it = { { 0, 0 }, { 0, 20000 } };
  setitimer(ITIMER_REAL, &it, NULL);
  while (!hits) pause();
  add("itimer: %s", code(last.si_code)); end_line();

  handle(SIGPIPE);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  close(sv[1]);
  send(sv[0], "x", 1, 0);
  add("sigpipe: %s pid self %d", code(last.si_code), last.si_pid == me); end_line();

  handle(SIGURG);
  int u[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, u);
  fcntl(u[1], F_SETOWN, me);
  send(u[0], "!", 1, MSG_OOB);
  add("sigurg: %s", code(last.si_code)); end_line();

  handle(SIGRTMIN + 1);
  int a[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, a);
  fcntl(a[1], F_SETOWN, me);
  fcntl(a[1], F_SETSIG, SIGRTMIN + 1);
  fcntl(a[1], F_SETFL, O_ASYNC);
  hits = 0;
  send(a[0], "io", 2, 0);
  add("sigio setsig: hits %d code %d fd %d band %lx", hits, last.si_code, last.si_fd == a[1], (long)last.si_band); end_line();

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  kill(me, SIGUSR1);
  fflush(stdout);
  c = fork();
  if (c == 0) { kill(getppid(), SIGUSR1); _exit(0); }
  reap(c);
  siginfo_t w;
  struct timespec zero = { 0, 0 };
  int got = sigtimedwait(&set, &w, &zero);
  int again = sigtimedwait(&set, NULL, &zero);
  add("sigtimedwait: %d %s first sender kept %d then %s", got, code(w.si_code), w.si_pid == me, again < 0 ? errname(errno) : "?"); end_line();
  printf("done\n");
  return 0;
}
