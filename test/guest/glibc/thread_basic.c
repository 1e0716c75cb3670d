/* pthread_create/join: return values, shared memory, one pid, distinct tids, a shared fd table. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int counters[4];
static pid_t tids[4], pids[4];
static int pipefd[2];

static void *work(void *arg) {
  long k = (long)arg;
  pids[k] = getpid();
  tids[k] = (pid_t)syscall(SYS_gettid);
  for (int i = 0; i < 1000 * (k + 1); i++) counters[k]++;
  char c = (char)('a' + k);
  write(pipefd[1], &c, 1); /* an fd the main thread opened */
  return (void *)(k * 10 + 1);
}

int main(void) {
  if (pipe(pipefd) != 0) return 1;
  pthread_t th[4];
  for (long k = 0; k < 4; k++)
    if (pthread_create(&th[k], NULL, work, (void *)k) != 0) return 2;
  long total = 0;
  for (int k = 0; k < 4; k++) {
    void *ret;
    if (pthread_join(th[k], &ret) != 0) return 3;
    printf("thread %d returned %ld, counted %d\n", k, (long)ret, counters[k]);
    total += (long)ret;
  }
  int same = 1, distinct = 1;
  pid_t me = (pid_t)syscall(SYS_gettid);
  for (int k = 0; k < 4; k++) {
    if (pids[k] != getpid()) same = 0;
    if (tids[k] == me || tids[k] == getpid()) distinct = 0;
    for (int j = 0; j < k; j++)
      if (tids[j] == tids[k]) distinct = 0;
  }
  printf("total %ld, same pid %s, distinct tids %s, main tid is pid %s\n", total, same ? "yes" : "no",
         distinct ? "yes" : "no", me == getpid() ? "yes" : "no");
  char buf[8];
  int seen = 0;
  ssize_t n = read(pipefd[0], buf, sizeof buf);
  for (ssize_t i = 0; i < n; i++) seen |= 1 << (buf[i] - 'a');
  printf("pipe carried %zd bytes from %s threads\n", n, seen == 15 ? "all" : "some");
  /* A thread that closes an fd closes it for the whole process. */
  close(pipefd[1]);
  printf("read after the last writer closed: %zd\n", read(pipefd[0], buf, sizeof buf));
  return 0;
}
