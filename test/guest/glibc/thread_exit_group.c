/* exit() from a thread ends the whole process (exit_group), while the main
 * thread sleeps in read and a third thread sleeps in pthread_cond_wait. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int p[2];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *sleeper(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  for (;;) pthread_cond_wait(&never, &mu);
}

static void *quitter(void *arg) {
  (void)arg;
  usleep(1000);
  printf("thread exits the process with 7\n");
  exit(7);
}

int main(void) {
  if (pipe(p)) return 1;
  printf("main starts\n");
  fflush(stdout);
  pthread_t a, b;
  pthread_create(&a, NULL, sleeper, NULL);
  pthread_create(&b, NULL, quitter, NULL);
  char c;
  read(p[0], &c, 1); /* never returns */
  printf("main should not get here\n");
  return 0;
}
