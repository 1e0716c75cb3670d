/* fork, pipe, waitpid and exit statuses through glibc's wrappers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  int p[2];
  if (pipe(p) != 0) return 1;
  fflush(stdout);
  pid_t kids[4];
  for (int k = 0; k < 4; k++) {
    kids[k] = fork();
    if (kids[k] == 0) {
      char msg[32];
      int n = snprintf(msg, sizeof msg, "[%d]", k);
      write(p[1], msg, n);
      if (k == 3) abort();
      exit(20 + k);
    }
  }
  close(p[1]);
  char buf[128];
  ssize_t total = 0, n;
  while ((n = read(p[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
  buf[total] = 0;
  printf("pipe carried %zd bytes\n", total);
  for (int k = 0; k < 4; k++) {
    int st;
    pid_t r = waitpid(kids[k], &st, 0);
    if (WIFEXITED(st)) printf("child %d: %s, exit %d\n", k, r == kids[k] ? "reaped" : "?", WEXITSTATUS(st));
    else printf("child %d: %s, killed by signal %d\n", k, r == kids[k] ? "reaped" : "?", WTERMSIG(st));
  }
  printf("waitpid with no children: %d\n", waitpid(-1, NULL, 0));
  return 0;
}
