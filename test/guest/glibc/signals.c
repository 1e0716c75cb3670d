/* signal(), sigaction with SA_SIGINFO, raise, sigprocmask, and SIGCHLD
   interrupting nothing (signal() sets SA_RESTART): through glibc. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, chld, info_signo;

static void on_usr1(int s) { usr1++; }
static void on_chld(int s) { chld++; }
static void on_info(int s, siginfo_t *si, void *uc) { info_signo = si->si_signo; }

int main(void) {
  signal(SIGUSR1, on_usr1);
  raise(SIGUSR1);
  raise(SIGUSR1);
  printf("SIGUSR1 handled %d times\n", usr1);
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  raise(SIGUSR1);
  printf("while blocked: %d\n", usr1);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("after unblocking: %d\n", usr1);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_info;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  printf("SA_SIGINFO handler saw signal %d\n", info_signo);

  signal(SIGCHLD, on_chld);
  int p[2];
  pipe(p);
  pid_t pid = fork();
  if (pid == 0) {
    usleep(20000);
    write(p[1], "done", 4);
    _exit(3);
  }
  close(p[1]);
  char buf[8] = {0};
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  int st;
  waitpid(pid, &st, 0);
  printf("read %zd '%s'; child exit %d; SIGCHLD handled %d\n", n, buf, WEXITSTATUS(st), chld);
  signal(SIGPIPE, SIG_IGN);
  close(p[0]);
  pipe(p);
  close(p[0]);
  printf("write to a closed pipe with SIGPIPE ignored: %zd\n", write(p[1], "x", 1));
  return 0;
}
