/* execve from a non-main thread while the main thread sleeps in read: the
 * other threads end first and the new image runs alone (its pid is the
 * process's). Run with no arguments; the new image gets "after". */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

static int atoi_check(const char *s) { return atoi(s) == getpid(); }

static char self[4096];
static int p[2];

static void *execer(void *arg) {
  (void)arg;
  char pid[32];
  snprintf(pid, sizeof pid, "%d", getpid());
  char *argv[] = {self, "after", pid, NULL};
  execv(self, argv);
  printf("execv failed\n");
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "after") == 0) {
    printf("new image runs, same pid: %s\n", atoi_check(argv[2]) ? "yes" : "no");
    return 5;
  }
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return 1;
  self[n] = 0;
  if (pipe(p)) return 1;
  printf("before exec\n");
  fflush(stdout);
  pthread_t t;
  pthread_create(&t, NULL, execer, NULL);
  char c;
  read(p[0], &c, 1);
  printf("main should not get here\n");
  return 0;
}
