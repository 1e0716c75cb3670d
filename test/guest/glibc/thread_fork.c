/* A thread forks: the child has one thread (the forking one) and exits;
 * the forking thread reaps it; so does a wait from another thread. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *forker(void *arg) {
  (void)arg;
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    printf("child of a thread: parent is the process: %s\n", getppid() > 0 ? "yes" : "no");
    fflush(stdout);
    _exit(3);
  }
  int st;
  pid_t r = waitpid(c, &st, 0);
  printf("thread reaped its child: %s, exit %d\n", r == c ? "yes" : "no", WEXITSTATUS(st));
  fflush(stdout);
  c = fork();
  if (c == 0) _exit(4);
  return (void *)(long)c;
}

int main(void) {
  pthread_t t;
  void *ret;
  pthread_create(&t, NULL, forker, NULL);
  pthread_join(t, &ret);
  int st;
  pid_t r = waitpid((pid_t)(long)ret, &st, 0);
  printf("main reaped the thread's second child: %s, exit %d\n", r == (pid_t)(long)ret ? "yes" : "no", WEXITSTATUS(st));
  return 0;
}
