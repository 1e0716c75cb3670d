/* Acceptance story: socketpair + fork. The parent and the child each keep
   one end of a stream socketpair and talk both ways; then the child exits
   and the parent reads end of file and gets EPIPE on a write. The child
   prints before it exits and the parent only after waitpid, so the output
   does not depend on the interleaving. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static ssize_t read_n(int fd, char *buf, size_t want) {
  size_t got = 0;
  while (got < want) {
    ssize_t n = read(fd, buf + got, want - got);
    if (n <= 0) return n < 0 ? -1 : (ssize_t)got;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

int main(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) { perror("socketpair"); return 1; }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    close(sv[0]);
    char buf[64] = {0};
    ssize_t n = read_n(sv[1], buf, 12);
    printf("child: received \"%s\" (%zd bytes)\n", buf, n);
    const char *reply = "pong from the child";
    printf("child: sent \"%s\" (%zd bytes)\n", reply, write(sv[1], reply, strlen(reply)));
    n = read_n(sv[1], buf, 3);
    buf[n > 0 ? n : 0] = 0;
    printf("child: received \"%s\", exiting with 7\n", buf);
    exit(7);
  }
  close(sv[1]);
  char log[1024];
  size_t at = 0;
#define LOG(...) (at += (size_t)snprintf(log + at, sizeof log - at, __VA_ARGS__))
  const char *msg = "ping, child!";
  LOG("parent: sent \"%s\" (%zd bytes)\n", msg, write(sv[0], msg, strlen(msg)));
  char buf[64] = {0};
  ssize_t n = read_n(sv[0], buf, 19);
  LOG("parent: received \"%s\" (%zd bytes)\n", buf, n);
  LOG("parent: sent \"bye\" (%zd bytes)\n", write(sv[0], "bye", 3));
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) perror("waitpid");
  n = read(sv[0], buf, sizeof buf);
  LOG("parent: after the child exited, read returns %zd (end of file)\n", n);
  signal(SIGPIPE, SIG_IGN);
  n = write(sv[0], "x", 1);
  LOG("parent: and write returns %zd (%s)\n", n, n < 0 && errno == EPIPE ? "EPIPE" : "?");
  fputs(log, stdout);
  printf("parent: the child exited with status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  return 0;
}
