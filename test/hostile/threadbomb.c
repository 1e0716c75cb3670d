/* A thread bomb for test/hostile: create N threads (64 KiB stacks) that wait
   on a barrier, then join them; or stop at the first pthread_create failure
   and say so. Built with glibc (-static -pthread) at test time. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_barrier_t bar;

static void *run(void *a) {
  pthread_barrier_wait(&bar);
  return a;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  pthread_t *t = malloc(n * sizeof *t);
  pthread_barrier_init(&bar, 0, n + 1);
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setstacksize(&at, 64 * 1024);
  int made = 0, err = 0;
  for (int i = 0; i < n; i++) {
    if ((err = pthread_create(&t[i], &at, run, 0)) != 0) break;
    made++;
  }
  if (made < n) {
    printf("created %d, then %s\n", made, strerror(err));
    exit(0);
  }
  pthread_barrier_wait(&bar);
  for (int i = 0; i < made; i++) pthread_join(t[i], 0);
  printf("created and joined %d\n", made);
  return 0;
}
