/* Signal handlers: SIGPIPE counted while writes to a pipe without readers
   fail with EPIPE; SIGCHLD (SA_SIGINFO) interrupting a blocking read,
   which fails with EINTR without SA_RESTART and is restarted with it. */
#include "psys.h"

static volatile int pipes, chlds, last_signo, last_code;

static void on_pipe(int sig) { pipes++; }

static void on_chld(int sig, struct ksiginfo *info, void *uc) {
  chlds++;
  last_signo = info->si_signo;
  last_code = ((struct kucontext *)uc)->gregs[0] != 0;
}

/* Child 1 exits after 150 ms (its SIGCHLD interrupts the parent's read);
   child 2 writes one byte after 400 ms and exits. The margins are for
   qemu-riscv64 on a loaded host: the parent must be asleep in read before
   child 1 exits (under unixsim the sleeps are virtual time and cost nothing). */
static void round(int flags, const char *name) {
  struct ksigaction sa = { (void *)on_chld, SA_SIGINFO | flags, 0 };
  sys_sigaction(SIGCHLD, &sa, 0);
  chlds = 0;
  int p[2];
  sys_pipe2(p, 0);
  if (sys_fork() == 0) { sys_sleep_ms(150); sys_exit_group(0); }
  if (sys_fork() == 0) { sys_sleep_ms(400); sys_write(p[1], "x", 1); sys_exit_group(0); }
  sys_close(p[1]);
  char c = 0;
  long r = sys_read(p[0], &c, 1);
  if (r == -EINTR) printf("%s: read interrupted (EINTR), handler ran %d, signo %d, pc saved %d\n", name, chlds, last_signo, last_code);
  else printf("%s: read returned %ld '%c'\n", name, r, c);
  int reaped = 0, status;
  while (reaped < 2) {
    long w = sys_wait4(-1, &status);
    if (w > 0) reaped++;
    else if (w != -EINTR) { printf("wait4: %ld\n", w); break; }
  }
  printf("%s: reaped %d children, SIGCHLD handled %d times\n", name, reaped, chlds);
  sys_close(p[0]);
}

int main(void) {
  struct ksigaction sa = { (void *)on_pipe, 0, 0 };
  sys_sigaction(SIGPIPE, &sa, 0);
  int p[2];
  sys_pipe2(p, 0);
  sys_close(p[0]);
  int epipes = 0;
  for (int k = 0; k < 5; k++)
    if (sys_write(p[1], "data", 4) == -EPIPE) epipes++;
  printf("EPIPE %d times, SIGPIPE handled %d times\n", epipes, pipes);
  sys_close(p[1]);
  round(0, "no SA_RESTART");
  round(SA_RESTART, "SA_RESTART");
  return 0;
}
