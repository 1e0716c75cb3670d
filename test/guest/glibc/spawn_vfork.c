/* posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK) on a separate stack, then
 * execve in the child) and vfork: the parent resumes once the child has
 * exec'd or exited, and reaps it. */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    printf("spawned child runs with %d args\n", argc);
    return 3;
  }
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return 1;
  self[n] = 0;
  fflush(stdout);
  pid_t pid;
  char *args[] = {self, "child", "x", NULL};
  int err = posix_spawn(&pid, self, NULL, NULL, args, environ);
  int st;
  printf("posix_spawn: %d, reaped: %s, exit %d\n", err, waitpid(pid, &st, 0) == pid ? "yes" : "no", WEXITSTATUS(st));
  char *missing[] = {"/no/such/program", NULL};
  err = posix_spawn(&pid, "/no/such/program", NULL, NULL, missing, environ);
  printf("posix_spawn of a missing file: %s\n", strerror(err));
  volatile int touched = 0;
  pid_t c = vfork();
  if (c == 0) {
    touched = 1; /* the parent's memory: it sees this */
    _exit(4);
  }
  printf("vfork child %s, shared memory written: %s, exit %d\n", waitpid(c, &st, 0) == c ? "reaped" : "?",
         touched ? "yes" : "no", WEXITSTATUS(st));
  return 0;
}
