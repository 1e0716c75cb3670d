/* A file kept alive by the call that uses it (Linux's fdget/fdput): one
 * thread blocks in recv, accept or poll on an fd that another thread then
 * closes. The blocked call holds its own reference, so the socket stays
 * alive and connected until the call returns; only then is it released.
 * One line per check, compared with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "wait-blocked.h"
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>


static const char *err(long r) { return r < 0 ? errname(errno) : "ok"; }

static int sv[2];
static char got[64];
static volatile int tid; /* the blocking thread's, for wait_blocked */

static void *recv_thread(void *arg) {
  (void)arg;
  char b[16] = {0};
  note_tid(&tid);
  ssize_t n = recv(sv[0], b, sizeof b - 1, 0);
  snprintf(got, sizeof got, "recv=%zd %s data=%s", n, err(n), n > 0 ? b : "-");
  return NULL;
}

static void check_recv(void) {
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pthread_t th;
  tid = 0;
  pthread_create(&th, NULL, recv_thread, NULL);
  wait_blocked(&tid);
  int c = close(sv[0]);
  struct pollfd p = {sv[1], POLLIN | POLLOUT | POLLRDHUP, 0};
  poll(&p, 1, 0);
  printf("recv 1 close while another thread is in recv: close=%d peer revents=%#x\n", c, p.revents);
  ssize_t w = send(sv[1], "x", 1, MSG_NOSIGNAL);
  pthread_join(th, NULL);
  printf("recv 2 the peer's send reaches the blocked recv: send=%zd %s, %s\n", w, err(w), got);
  w = send(sv[1], "y", 1, MSG_NOSIGNAL);
  p.revents = 0;
  poll(&p, 1, 0);
  printf("recv 3 once the recv returned the socket is released: send=%zd %s revents=%#x\n", w, err(w), p.revents);
  close(sv[1]);
}

static int lfd;
static struct sockaddr_un addr;
static socklen_t alen;

static void *accept_thread(void *arg) {
  (void)arg;
  note_tid(&tid);
  int a = accept(lfd, NULL, NULL);
  char b[16] = {0};
  ssize_t n = a >= 0 ? read(a, b, sizeof b - 1) : -1;
  snprintf(got, sizeof got, "accept %s read=%zd data=%s", a >= 0 ? "ok" : errname(errno), n, n > 0 ? b : "-");
  if (a >= 0) close(a);
  return NULL;
}

static void check_accept(void) {
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, "\0fdget-probe", 12);
  alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 12);
  lfd = socket(AF_UNIX, SOCK_STREAM, 0);
  bind(lfd, (struct sockaddr *)&addr, alen);
  listen(lfd, 4);
  pthread_t th;
  tid = 0;
  pthread_create(&th, NULL, accept_thread, NULL);
  wait_blocked(&tid);
  int c = close(lfd);
  int cfd = socket(AF_UNIX, SOCK_STREAM, 0);
  int r = connect(cfd, (struct sockaddr *)&addr, alen);
  printf("accept 1 connect after the listener's fd was closed in accept: close=%d connect=%d %s\n", c, r, err(r));
  ssize_t w = write(cfd, "hello", 5);
  pthread_join(th, NULL);
  printf("accept 2 the blocked accept takes it: write=%zd, %s\n", w, got);
  int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
  r = connect(c2, (struct sockaddr *)&addr, alen);
  printf("accept 3 once accept returned the listener is gone: connect=%d %s\n", r, err(r));
  close(c2);
  close(cfd);
}

static int pv[2];
static void *poll_thread(void *arg) {
  (void)arg;
  struct pollfd p = {pv[0], POLLIN, 0};
  note_tid(&tid);
  int n = poll(&p, 1, 5000);
  snprintf(got, sizeof got, "poll=%d revents=%#x", n, p.revents);
  return NULL;
}

static void check_poll(void) {
  socketpair(AF_UNIX, SOCK_STREAM, 0, pv);
  pthread_t th;
  tid = 0;
  pthread_create(&th, NULL, poll_thread, NULL);
  wait_blocked(&tid);
  int c = close(pv[0]);
  struct pollfd p = {pv[1], POLLIN | POLLOUT | POLLRDHUP, 0};
  poll(&p, 1, 0);
  printf("poll 1 close while another thread polls it: close=%d peer revents=%#x\n", c, p.revents);
  ssize_t w = send(pv[1], "x", 1, MSG_NOSIGNAL);
  pthread_join(th, NULL);
  printf("poll 2 data wakes the poll, which finds the fd closed: send=%zd %s, %s\n", w, err(w), got);
  w = send(pv[1], "y", 1, MSG_NOSIGNAL);
  printf("poll 3 once poll returned the socket is released: send=%zd %s\n", w, err(w));
  close(pv[1]);
}

static void *read_dgram_thread(void *arg) {
  (void)arg;
  char b[16] = {0};
  note_tid(&tid);
  ssize_t n = read(sv[0], b, sizeof b - 1);
  snprintf(got, sizeof got, "read=%zd %s data=%s", n, err(n), n > 0 ? b : "-");
  return NULL;
}

static void check_dgram(void) {
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  pthread_t th;
  tid = 0;
  pthread_create(&th, NULL, read_dgram_thread, NULL);
  wait_blocked(&tid);
  close(sv[0]);
  ssize_t w = send(sv[1], "dg", 2, MSG_DONTWAIT);
  pthread_join(th, NULL);
  printf("dgram 1 a datagram reaches a read blocked on a closed fd: send=%zd %s, %s\n", w, err(w), got);
  w = send(sv[1], "dg", 2, MSG_DONTWAIT);
  printf("dgram 2 then the socket is gone: send=%zd %s\n", w, err(w));
  close(sv[1]);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  check_recv();
  check_accept();
  check_poll();
  check_dgram();
  printf("done\n");
  return 0;
}
