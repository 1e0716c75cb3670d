/* /proc/self/exe, the magic link to the running executable (proc_exe_link):
 * readlink gives its path, open reads the image itself, a writer is refused
 * while it runs (ETXTBSY: exec holds deny_write_access), and execve of the
 * link runs the same program again. One line per check, compared with
 * native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "again") == 0) return 3;

  char self[512];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  self[n > 0 ? n : 0] = 0;
  add("readlink: %s", n > 0 && self[0] == '/' ? "absolute" : n > 0 ? "relative" : errname(errno));
  end_line();

  int w = open("/proc/self/exe", O_RDWR);
  add("open rdwr: %s", res(w));
  end_line();

  int r = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  char head[4] = {0};
  ssize_t got = r >= 0 ? read(r, head, 4) : -1;
  add("open rdonly: %s read %s elf %d", r >= 0 ? "ok" : errname(errno), res(got), memcmp(head, "\177ELF", 4) == 0);
  end_line();

  struct stat a, b;
  int sa = r >= 0 ? fstat(r, &a) : -1, sb = stat(self, &b);
  add("same inode: %d", sa == 0 && sb == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
  end_line();

  char fdpath[64], link[512];
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", r);
  ssize_t m = readlink(fdpath, link, sizeof link - 1);
  link[m > 0 ? m : 0] = 0;
  add("fd link: %s", m > 0 && strcmp(link, self) == 0 ? "same" : "differs");
  end_line();

  fflush(stdout);
  pid_t p = fork();
  if (p == 0) {
    char *av[] = {"renamed", "again", NULL};
    execv("/proc/self/exe", av);
    _exit(100 + errno);
  }
  int st = 0;
  waitpid(p, &st, 0);
  add("execve exit: %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  end_line();

  add("missing pid: %s", res(open("/proc/999999/exe", O_RDONLY)));
  end_line();
  printf("done\n");
  return 0;
}
