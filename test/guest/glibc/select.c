/* select(2) (pselect6 on riscv64) over pipes and AF_UNIX sockets: readiness
 * bits, the count, timeouts with the time left, EBADF, and a child whose write
 * wakes a parent blocked in select. Output must be the same on Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, int r, fd_set *rd, fd_set *wr, int a, int b) {
  printf("%s: r=%d%s%s", what, r, r < 0 ? " errno=" : "", r < 0 ? strerror(errno) : "");
  if (r >= 0 && rd) printf(" rd[a]=%d rd[b]=%d", FD_ISSET(a, rd) != 0, FD_ISSET(b, rd) != 0);
  if (r >= 0 && wr) printf(" wr[a]=%d wr[b]=%d", FD_ISSET(a, wr) != 0, FD_ISSET(b, wr) != 0);
  printf("\n");
}

int main(void) {
  int p[2], sv[2];
  pipe(p);
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  int maxfd = (p[1] > sv[1] ? p[1] : sv[1]) + 1;
  fd_set rd, wr;
  struct timeval tv;

  FD_ZERO(&rd); FD_SET(p[0], &rd); FD_SET(sv[0], &rd);
  tv.tv_sec = 0; tv.tv_usec = 0;
  show("empty, zero timeout", select(maxfd, &rd, NULL, NULL, &tv), &rd, NULL, p[0], sv[0]);

  FD_ZERO(&rd); FD_SET(p[0], &rd); FD_SET(sv[0], &rd);
  FD_ZERO(&wr); FD_SET(p[1], &wr); FD_SET(sv[1], &wr);
  write(sv[1], "x", 1);
  tv.tv_sec = 1; tv.tv_usec = 0;
  int r = select(maxfd, &rd, &wr, NULL, &tv);
  show("socket readable, both writable", r, &rd, NULL, p[0], sv[0]);
  show("  write side", r, NULL, &wr, p[1], sv[1]);

  FD_ZERO(&rd); FD_SET(p[0], &rd);
  tv.tv_sec = 0; tv.tv_usec = 20000;
  show("timeout", select(p[0] + 1, &rd, NULL, NULL, &tv), &rd, NULL, p[0], p[0]);
  printf("  time left zero: %d\n", tv.tv_sec == 0 && tv.tv_usec == 0);

  int closed = dup(p[0]);
  close(closed);
  FD_ZERO(&rd); FD_SET(closed, &rd);
  tv.tv_sec = 0; tv.tv_usec = 0;
  show("closed fd", select(closed + 1, &rd, NULL, NULL, &tv), NULL, NULL, 0, 0);

  show("negative nfds", select(-1, NULL, NULL, NULL, NULL), NULL, NULL, 0, 0);

  pid_t child = fork();
  if (child == 0) {
    usleep(1000);
    write(p[1], "y", 1);
    _exit(0);
  }
  FD_ZERO(&rd); FD_SET(p[0], &rd);
  show("blocked until the child writes", select(p[0] + 1, &rd, NULL, NULL, NULL), &rd, NULL, p[0], p[0]);
  waitpid(child, NULL, 0);

  close(p[1]);
  char c;
  read(p[0], &c, 1);
  FD_ZERO(&rd); FD_SET(p[0], &rd);
  show("writer closed: readable (EOF)", select(p[0] + 1, &rd, NULL, NULL, NULL), &rd, NULL, p[0], p[0]);
  return 0;
}
