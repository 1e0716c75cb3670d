/* execve: the program runs itself again with different arguments; a
   close-on-exec fd is gone after the exec, a plain one survives, and a
   handled signal is back to SIG_DFL. The child of a fork execs too. */
#include "psys.h"

static void on_usr1(int sig) {}

int main(int argc, char **argv, char **envp) {
  if (argc > 1 && strcmp(argv[1], "again") == 0) {
    long kept = atol(argv[2]), gone = atol(argv[3]);
    printf("exec'd: argc %d, kept fd %s, cloexec fd %s\n", argc,
           syscall6(SYS_fcntl, kept, F_GETFD, 0, 0, 0, 0) >= 0 ? "open" : "closed",
           syscall6(SYS_fcntl, gone, F_GETFD, 0, 0, 0, 0) == -EBADF ? "closed" : "open");
    struct ksigaction old;
    sys_sigaction(SIGUSR1, 0, &old);
    printf("SIGUSR1 handler after exec: %s\n", old.handler == 0 ? "SIG_DFL" : "set");
    return 7;
  }
  int a[2], b[2];
  sys_pipe2(a, 0);
  sys_pipe2(b, O_CLOEXEC);
  struct ksigaction sa = { (void *)on_usr1, 0, 0 };
  sys_sigaction(SIGUSR1, &sa, 0);
  char kept[4] = {(char)('0' + a[0]), 0}, gone[4] = {(char)('0' + b[0]), 0};
  char *args[] = {argv[0], "again", kept, gone, 0};
  long pid = sys_fork();
  if (pid == 0) {
    syscall3(SYS_execve, argv[0], args, envp);
    return 99;
  }
  int status = 0;
  sys_wait4((int)pid, &status);
  printf("forked child exited with %d\n", WEXITSTATUS(status));
  long r = syscall3(SYS_execve, "/nonexistent/prog", args, envp);
  printf("execve of a missing file: %ld\n", r);
  syscall3(SYS_execve, argv[0], args, envp);
  return 99;
}
