/* sendfile: from a regular file to a stream socket, a datagram socket, a
 * pipe and another file; the offset argument or the file position; its
 * argument checks (EBADF, ESPIPE, EINVAL for a source that is not a regular
 * file or an O_APPEND destination, EFAULT) and a nonblocking destination
 * that fills up. SO_PEERGROUPS beside it. One line per check, compared with
 * native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

static char big[300000];

int main(void) {
  int sv[2], p[2], d[2];
  char buf[128];
  off_t off;
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
  pipe(p);
  fcntl(p[0], F_SETFL, O_NONBLOCK); /* a read that finds nothing must not hang the probe */
  char path[] = "/tmp/sendfile-probe-XXXXXX";
  int f = mkstemp(path);
  write(f, "abcdefghij", 10);

  off = 2;
  const char *r = res(sendfile(sv[0], f, &off, 5));
  long n = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
  buf[n > 0 ? n : 0] = 0;
  add("stream offset: %s off %ld got %s pos %ld", r, (long)off, buf, (long)lseek(f, 0, SEEK_CUR)); end_line();

  lseek(f, 7, SEEK_SET);
  r = res(sendfile(sv[0], f, NULL, 100));
  n = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
  buf[n > 0 ? n : 0] = 0;
  add("stream position: %s got %s pos %ld", r, buf, (long)lseek(f, 0, SEEK_CUR)); end_line();

  off = 0;
  r = res(sendfile(d[0], f, &off, 10));
  const char *n1 = res(recv(d[1], buf, sizeof buf, MSG_DONTWAIT));
  const char *n2 = res(recv(d[1], buf, sizeof buf, MSG_DONTWAIT));
  add("dgram: %s recv %s then %s", r, n1, n2); end_line();

  off = 4;
  r = res(sendfile(p[1], f, &off, 3));
  n = read(p[0], buf, sizeof buf);
  buf[n > 0 ? n : 0] = 0;
  add("pipe: %s got %s", r, buf); end_line();

  int g = open("/tmp", O_TMPFILE | O_RDWR, 0600);
  if (g < 0) { char gp[] = "/tmp/sendfile-probe-XXXXXX"; g = mkstemp(gp); unlink(gp); }
  off = 0;
  r = res(sendfile(g, f, &off, 10));
  n = pread(g, buf, sizeof buf, 0);
  buf[n > 0 ? n : 0] = 0;
  add("file: %s got %s", r, buf); end_line();

  off = 100;
  const char *past = res(sendfile(sv[0], f, &off, 10));
  off = 0;
  const char *zero = res(sendfile(sv[0], f, &off, 0));
  add("past end: %s zero count: %s", past, zero); end_line();

  write(p[1], "pp", 2);
  const char *frompipe = res(sendfile(sv[0], p[0], NULL, 2));
  read(p[0], buf, sizeof buf);
  send(sv[1], "ss", 2, 0);
  const char *fromsock = res(sendfile(g, sv[0], NULL, 2));
  off = 0;
  const char *sockoff = res(sendfile(g, sv[0], &off, 2));
  const char *sockpipe = res(sendfile(p[1], sv[0], NULL, 2));
  recv(sv[0], buf, sizeof buf, MSG_DONTWAIT);
  read(p[0], buf, sizeof buf);
  add("sources: pipe %s socket %s socket with offset %s", frompipe, fromsock, sockoff); end_line();
  add("socket into pipe: %s", sockpipe); end_line();

  int app = open(path, O_WRONLY | O_APPEND), ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
  off = 0;
  const char *toapp = res(sendfile(app, f, &off, 1));
  const char *tord = res(sendfile(ro, f, NULL, 1));
  const char *fromwr = res(sendfile(sv[0], wo, NULL, 1));
  const char *badfd = res(sendfile(99, f, NULL, 1));
  add("fds: append %s out rdonly %s in wronly %s bad %s", toapp, tord, fromwr, badfd); end_line();

  off = -1;
  const char *neg = res(sendfile(sv[0], f, &off, 1));
  const char *fault = res(sendfile(sv[0], f, (off_t *)8, 1));
  add("offsets: negative %s unmapped %s", neg, fault); end_line();

  int h = open(path, O_RDWR);
  write(h, big, sizeof big);
  int q[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, q);
  fcntl(q[0], F_SETFL, O_NONBLOCK);
  off = 0;
  long first = sendfile(q[0], h, &off, sizeof big);
  const char *second = res(sendfile(q[0], h, &off, sizeof big));
  add("nonblocking full: first %s then %s", first > 200000 ? "most" : res(first), second); end_line();
  add("nonblocking amount: %s", res(first)); end_line();

  socklen_t gl = sizeof buf;
  const char *pg = res(getsockopt(sv[0], SOL_SOCKET, SO_PEERGROUPS, buf, &gl));
  int lone = socket(AF_UNIX, SOCK_STREAM, 0);
  socklen_t gl2 = sizeof buf;
  const char *pg2 = res(getsockopt(lone, SOL_SOCKET, SO_PEERGROUPS, buf, &gl2));
  add("peergroups: %s len %u unconnected %s", pg, gl, pg2); end_line();

  unlink(path);
  printf("done\n");
  return 0;
}
