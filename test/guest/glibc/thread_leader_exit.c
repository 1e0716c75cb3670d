/* The main thread leaves with pthread_exit; the process lives on until its
 * last thread returns, and its exit status is then 0. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *late(void *arg) {
  (void)arg;
  usleep(2000);
  printf("the last thread runs after main left (pid %s)\n", getpid() > 0 ? "ok" : "?");
  fflush(stdout);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, late, NULL);
  printf("main thread leaves\n");
  fflush(stdout);
  pthread_exit(NULL);
}
