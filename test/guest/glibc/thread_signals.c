/* Signals and threads: kill() reaches the process and is taken by a thread
 * that does not block it; tgkill (pthread_kill) picks the thread; handlers
 * are shared by all threads; an unhandled fatal signal raised in one thread
 * kills the whole process. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile pid_t usr1_tid, usr2_tid;
static pid_t worker_tid, main_tid;
static int p[2], go[2];

static void on_usr1(int s) { (void)s; usr1_tid = (pid_t)syscall(SYS_gettid); }
static void on_usr2(int s) { (void)s; usr2_tid = (pid_t)syscall(SYS_gettid); }

static void *worker(void *arg) {
  (void)arg;
  worker_tid = (pid_t)syscall(SYS_gettid);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR1);
  pthread_sigmask(SIG_UNBLOCK, &s, NULL);
  char c = 'r';
  write(go[1], &c, 1);
  ssize_t n = read(p[0], &c, 1); /* interrupted by SIGUSR1 (no SA_RESTART) */
  printf("worker read: %zd (%s), SIGUSR1 handled by the worker: %s\n", n, n < 0 && errno == EINTR ? "EINTR" : "?",
         usr1_tid == worker_tid ? "yes" : "no");
  fflush(stdout);
  write(go[1], &c, 1);
  n = read(p[0], &c, 1); /* interrupted by pthread_kill's SIGUSR2 */
  printf("worker read: %zd, SIGUSR2 aimed at the worker handled there: %s\n", n, usr2_tid == worker_tid ? "yes" : "no");
  fflush(stdout);
  write(go[1], &c, 1);
  read(p[0], &c, 1); /* ends with the process */
  return NULL;
}

int main(void) {
  if (pipe(p) || pipe(go)) return 1;
  main_tid = (pid_t)syscall(SYS_gettid);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  sa.sa_handler = on_usr2;
  sigaction(SIGUSR2, &sa, NULL);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &s, NULL); /* the worker inherits this and unblocks it */
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  char c;
  read(go[0], &c, 1);
  usleep(1000); /* let the worker sleep in read */
  kill(getpid(), SIGUSR1);
  read(go[0], &c, 1);
  usleep(1000);
  pthread_kill(t, SIGUSR2);
  read(go[0], &c, 1);
  syscall(SYS_tgkill, getpid(), main_tid, SIGUSR2);
  printf("tgkill at the main thread handled there: %s\n", usr2_tid == main_tid ? "yes" : "no");
  printf("tgkill with the wrong tgid: %s\n", syscall(SYS_tgkill, getpid() + 1000, main_tid, 0) < 0 && errno == ESRCH ? "ESRCH" : "?");
  fflush(stdout);
  usleep(1000);
  pthread_kill(t, SIGTERM); /* default action: the whole process dies */
  for (;;) pause();
}
