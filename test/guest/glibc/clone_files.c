/* clone without CLONE_VM: with CLONE_FILES the child shares the fd table
   (its close and open are the parent's), with CLONE_FS the cwd and umask;
   without them it has copies. Raw clone(2), so the child runs on a copy of
   the parent's stack, as after fork. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long rawclone(unsigned long flags) { return syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0); }

static void run(const char *what, unsigned long flags) {
  int fd = open("/", O_RDONLY);
  char before[64], after[64];
  getcwd(before, sizeof before);
  long pid = rawclone(flags);
  if (pid == 0) {
    int copy = dup(fd);
    close(fd);
    chdir("/tmp");
    umask(077);
    _exit(copy);
  }
  int st;
  waitpid(pid, &st, 0);
  int copy = WEXITSTATUS(st);
  getcwd(after, sizeof after);
  mode_t m = umask(022);
  int ours = fcntl(fd, F_GETFD) >= 0, theirs = fcntl(copy, F_GETFD) >= 0;
  printf("%s: the child's close of fd %d %s ours, its dup (fd %d) %s ours, cwd %s -> %s, umask %03o\n", what, fd,
         ours ? "left open" : "closed", copy, theirs ? "is" : "is not", before, after, m);
  if (ours) close(fd);
  if (theirs) close(copy);
  chdir("/");
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  chdir("/");
  run("plain fork", 0);
  run("CLONE_FILES", CLONE_FILES);
  run("CLONE_FS", CLONE_FS);
  run("CLONE_FILES|CLONE_FS", CLONE_FILES | CLONE_FS);
  return 0;
}
