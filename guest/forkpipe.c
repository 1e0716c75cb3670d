/* fork + pipe + wait4: three children write a line each into one pipe and
   exit with distinct codes; the parent reads to end of file and reaps them.
   Output does not depend on the interleaving. */
#include "psys.h"

int main(void) {
  int p[2];
  if (sys_pipe2(p, 0) != 0) return 100;
  long parent = sys_getpid();
  long pids[3];
  for (int k = 0; k < 3; k++) {
    long pid = sys_fork();
    if (pid < 0) return 101;
    if (pid == 0) {
      sys_close(p[0]);
      char line[32] = "child ?: ppid ok\n";
      line[6] = (char)('0' + k);
      if (syscall0(SYS_getppid) != parent) line[9] = 'X';
      sys_write(p[1], line, strlen(line));
      return 10 + k;
    }
    pids[k] = pid;
  }
  sys_close(p[1]);
  char buf[256];
  long total = 0, n;
  int seen[3] = {0, 0, 0};
  while ((n = sys_read(p[0], buf + total, sizeof buf - total)) > 0) total += n;
  if (n < 0) printf("read failed: %ld\n", n);
  for (long i = 0; i + 6 < total; i++)
    if (buf[i] == 'c' && buf[i + 5] == ' ' && buf[i + 6] >= '0' && buf[i + 6] <= '2') seen[buf[i + 6] - '0']++;
  printf("read %ld bytes; lines from children: %d %d %d\n", total, seen[0], seen[1], seen[2]);
  int codes = 0;
  for (int k = 0; k < 3; k++) {
    int status = 0;
    long r = sys_wait4((int)pids[k], &status);
    if (r != pids[k]) printf("wait4 returned %ld\n", r);
    printf("child %d exited with %d\n", k, WEXITSTATUS(status));
    codes += WEXITSTATUS(status);
  }
  int status;
  printf("another wait4: %ld\n", sys_wait4(-1, &status));
  return codes;
}
