/* /dev/null (drivers/char/mem.c: EOF on read, every byte written is taken,
 * seeks land at 0, always ready) and waitid(2) (kernel/exit.c: siginfo for
 * an exited or killed child, WNOWAIT leaves the zombie, WNOHANG with nothing
 * ready reports si_pid 0, argument checks). Go's os/exec uses both. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *err(int r) { return r < 0 ? strerror(errno) : "ok"; }

static void show(const char *what, int r, const siginfo_t *si, pid_t child) {
  printf("%s: %s, si_signo %d, si_code %d, si_pid is the child %s, si_status %d\n", what, err(r), si->si_signo, si->si_code,
         si->si_pid == child ? "yes" : si->si_pid == 0 ? "0" : "no", si->si_status);
}

int main(void) {
  int fd = open("/dev/null", O_RDWR);
  char buf[16] = "xxxxxxxxxxxxxxx";
  printf("open: %s\n", err(fd));
  printf("read: %zd, buffer untouched %s\n", read(fd, buf, sizeof buf), buf[0] == 'x' ? "yes" : "no");
  printf("write: %zd\n", write(fd, "hello", 5));
  printf("pwrite: %zd, pread: %zd\n", pwrite(fd, "abc", 3, 100), pread(fd, buf, 4, 100));
  printf("lseek: %ld\n", (long)lseek(fd, 1000, SEEK_SET));
  struct stat st;
  fstat(fd, &st);
  printf("fstat: chr %s, rdev %u:%u, mode %o, size %ld\n", S_ISCHR(st.st_mode) ? "yes" : "no", major(st.st_rdev), minor(st.st_rdev),
         st.st_mode & 07777, (long)st.st_size);
  struct pollfd p = {fd, POLLIN | POLLOUT, 0};
  int n = poll(&p, 1, 0);
  printf("poll: %d, revents %#x\n", n, p.revents);
  close(fd);
  printf("stat: %s, chr %s\n", err(stat("/dev/null", &st)), S_ISCHR(st.st_mode) ? "yes" : "no");

  siginfo_t si;
  pid_t a = fork();
  if (a == 0) _exit(3);
  memset(&si, 0x55, sizeof si);
  show("waitid WNOWAIT", waitid(P_PID, a, &si, WEXITED | WNOWAIT), &si, a);
  memset(&si, 0x55, sizeof si);
  show("waitid again", waitid(P_ALL, 0, &si, WEXITED), &si, a);
  printf("waitid when reaped: %s\n", err(waitid(P_PID, a, &si, WEXITED)));

  int pipefd[2];
  pipe(pipefd);
  pid_t b = fork();
  if (b == 0) {
    char c;
    read(pipefd[0], &c, 1); /* until the parent says */
    _exit(0);
  }
  memset(&si, 0x55, sizeof si);
  int r = waitid(P_PID, b, &si, WEXITED | WNOHANG);
  /* Linux zeroes the whole report; qemu-user leaves si_status as it was */
  printf("waitid WNOHANG, child running: %s, si_signo %d, si_pid %d\n", err(r), si.si_signo, si.si_pid);
  kill(b, SIGKILL);
  memset(&si, 0x55, sizeof si);
  show("waitid killed", waitid(P_PGID, 0, &si, WEXITED), &si, b);

  printf("no WEXITED: %s\n", err(waitid(P_ALL, 0, &si, WNOHANG)));
  printf("bad option: %s\n", err(waitid(P_ALL, 0, &si, WEXITED | 0x100)));
  printf("P_PID 0: %s\n", err(waitid(P_PID, 0, &si, WEXITED)));
  printf("bad idtype: %s\n", err(waitid((idtype_t)7, 0, &si, WEXITED)));
  printf("no children: %s\n", err(waitid(P_ALL, 0, &si, WEXITED)));
  return 0;
}
