/* Acceptance story: a filesystem socket. A forked server binds, listens and
   accepts on /tmp/test.sock (or argv[1]); the client (the parent) connects,
   retrying while the path does not exist yet (ENOENT) or nobody listens
   (ECONNREFUSED). Each side sends one message and prints what it received.
   The server prints before it exits and the client only after waitpid, so
   the output does not depend on the interleaving. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *path = "/tmp/test.sock";

/* reads until end of file or the buffer is full */
static ssize_t read_all(int fd, char *buf, size_t cap) {
  size_t got = 0;
  while (got < cap) {
    ssize_t n = read(fd, buf + got, cap - got);
    if (n < 0) return -1;
    if (n == 0) break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

static socklen_t make_addr(struct sockaddr_un *a) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  strncpy(a->sun_path, path, sizeof a->sun_path - 1);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static int server(void) {
  struct sockaddr_un a;
  socklen_t len = make_addr(&a);
  unlink(path);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  if (s < 0) { perror("server: socket"); return 1; }
  if (bind(s, (struct sockaddr *)&a, len) != 0) { perror("server: bind"); return 1; }
  if (listen(s, 5) != 0) { perror("server: listen"); return 1; }
  printf("server: bound and listening\n");
  struct sockaddr_un peer;
  socklen_t plen = sizeof peer;
  int c = accept(s, (struct sockaddr *)&peer, &plen);
  if (c < 0) { perror("server: accept"); return 1; }
  printf("server: accepted a connection (client address length %u: unbound)\n", (unsigned)plen);
  char buf[128];
  ssize_t n = read_all(c, buf, sizeof buf - 1);
  if (n < 0) { perror("server: read"); return 1; }
  buf[n] = 0;
  printf("server: received \"%s\" (%zd bytes) then end of file\n", buf, n);
  const char *reply = "hello from the server";
  ssize_t w = write(c, reply, strlen(reply));
  printf("server: sent \"%s\" (%zd bytes)\n", reply, w);
  close(c);
  close(s);
  if (unlink(path) == 0) printf("server: removed the socket file\n");
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1) path = argv[1];
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) exit(server());

  /* the client: nothing is printed until the server has exited */
  char log[1024];
  size_t at = 0;
#define LOG(...) (at += (size_t)snprintf(log + at, sizeof log - at, __VA_ARGS__))
  struct sockaddr_un a;
  socklen_t len = make_addr(&a);
  int s = -1, tries = 0, early_errors_ok = 1;
  for (;;) {
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) { perror("client: socket"); return 1; }
    if (connect(s, (struct sockaddr *)&a, len) == 0) break;
    int e = errno;
    close(s);
    if (e != ENOENT && e != ECONNREFUSED) { early_errors_ok = 0; LOG("client: connect failed: %s\n", strerror(e)); break; }
    if (++tries > 100000) { LOG("client: gave up connecting\n"); break; }
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
  if (early_errors_ok && tries <= 100000) {
    LOG("client: connected (earlier attempts failed only with ENOENT or ECONNREFUSED)\n");
    struct sockaddr_un peer;
    socklen_t plen = sizeof peer;
    if (getpeername(s, (struct sockaddr *)&peer, &plen) == 0)
      LOG("client: the peer's address is the socket path: %s\n", plen == len && strcmp(peer.sun_path, path) == 0 ? "yes" : "no");
    const char *msg = "hello from the client";
    ssize_t w = write(s, msg, strlen(msg));
    LOG("client: sent \"%s\" (%zd bytes) and shut down writing: %d\n", msg, w, shutdown(s, SHUT_WR));
    char buf[128];
    ssize_t n = read_all(s, buf, sizeof buf - 1);
    if (n >= 0) {
      buf[n] = 0;
      LOG("client: received \"%s\" (%zd bytes) then end of file\n", buf, n);
    }
    close(s);
  }
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) perror("waitpid");
  fputs(log, stdout);
  printf("client: the server exited with status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
