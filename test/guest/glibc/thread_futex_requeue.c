/* Raw futexes between threads: FUTEX_CMP_REQUEUE moves two waiters from one
 * futex word to another (as musl's condvar does), FUTEX_WAKE there wakes
 * them; a stale expected value gives EAGAIN. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int f1, f2, go, finished;

static long futex(volatile int *a, int op, int val, long val2, volatile int *a2, int val3) {
  return syscall(SYS_futex, a, op, val, val2, a2, val3);
}

static void *waiter(void *arg) {
  (void)arg;
  while (!go) futex(&f1, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
  __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

int main(void) {
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, waiter, NULL);
  printf("stale expected value: %s\n",
         futex(&f1, FUTEX_CMP_REQUEUE_PRIVATE, 0, 2, &f2, 1) < 0 && errno == EAGAIN ? "EAGAIN" : "?");
  long moved = 0;
  while (moved < 2) {
    usleep(1000);
    moved += futex(&f1, FUTEX_CMP_REQUEUE_PRIVATE, 0, 2, &f2, 0);
  }
  printf("requeued %ld waiters\n", moved);
  go = 1;
  long woken = 0;
  while (woken < 2) woken += futex(&f2, FUTEX_WAKE_PRIVATE, 2, 0, NULL, 0);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  printf("woke %ld from the second word, %d finished\n", woken, finished);
  return 0;
}
