/* Socket options and small calls of Linux 6.x on AF_UNIX: SO_PEEK_OFF with
 * MSG_PEEK, SO_RCVLOWAT, SO_SNDLOWAT, SO_*BUFFORCE, SO_LINGER, SO_RCVTIMEO /
 * SO_SNDTIMEO read-back, SO_PASSSEC, SO_NO_CHECK, SO_MARK, SO_BUSY_POLL,
 * SO_TIMESTAMP(NS), SO_ZEROCOPY with their optlen rules; FIOCLEX/FIONCLEX;
 * readv/writev beyond IOV_MAX; zero-length writes on record sockets. One
 * line per check, compared with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include "sockopt-int.h"
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SO_BUSY_POLL
#define SO_BUSY_POLL 46
#endif
#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif





static const char *rx(int fd, int flags, size_t len) {
  char b[64] = {0};
  ssize_t n = recv(fd, b, len, flags | MSG_DONTWAIT);
  static char r[8][80];
  static int k;
  char *s = r[k++ & 7];
  if (n < 0) snprintf(s, 80, "%s", errname(errno));
  else snprintf(s, 80, "%zd:%.*s", n, (int)n, b);
  return s;
}

static void opt_line(const char *name, int opt, int type) {
  int sv[2];
  socketpair(AF_UNIX, type, 0, sv);
  add("%s: default=%s", name, geti(sv[0], opt));
  add(" set1=%s", seti(sv[0], opt, 1));
  add(" get=%s", geti(sv[0], opt));
  add(" set7=%s", seti(sv[0], opt, 7));
  add(" get=%s", geti(sv[0], opt));
  add(" set-1=%s", seti(sv[0], opt, -1));
  add(" get=%s", geti(sv[0], opt));
  short sh = 1;
  add(" short=%s", res(setsockopt(sv[0], SOL_SOCKET, opt, &sh, sizeof sh)));
  char big[16] = {0};
  socklen_t bl = sizeof big;
  int r = getsockopt(sv[0], SOL_SOCKET, opt, big, &bl);
  add(" getbig=%s/%u", res(r), bl);
  bl = 2;
  r = getsockopt(sv[0], SOL_SOCKET, opt, big, &bl);
  add(" get2=%s/%u", res(r), bl);
  end_line();
  close(sv[0]);
  close(sv[1]);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  int sv[2];

  /* SO_PEEK_OFF on a stream socket */
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  add("peekoff 1 stream: default=%s", geti(sv[1], SO_PEEK_OFF));
  add(" set0=%s", seti(sv[1], SO_PEEK_OFF, 0));
  send(sv[0], "abcdef", 6, 0);
  add(" peek=%s", rx(sv[1], MSG_PEEK, 2));
  add(" peek=%s", rx(sv[1], MSG_PEEK, 2));
  add(" off=%s", geti(sv[1], SO_PEEK_OFF));
  add(" read=%s", rx(sv[1], 0, 3));
  add(" off=%s", geti(sv[1], SO_PEEK_OFF));
  add(" peek=%s", rx(sv[1], MSG_PEEK, 10));
  add(" off=%s", geti(sv[1], SO_PEEK_OFF));
  add(" peek=%s", rx(sv[1], MSG_PEEK, 10));
  add(" set-1=%s", seti(sv[1], SO_PEEK_OFF, -1));
  add(" peek=%s", rx(sv[1], MSG_PEEK, 10));
  add(" set-5=%s", seti(sv[1], SO_PEEK_OFF, -5));
  add(" off=%s", geti(sv[1], SO_PEEK_OFF));
  end_line();
  close(sv[0]);
  close(sv[1]);

  /* SO_PEEK_OFF on datagram sockets: whole datagrams are skipped */
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  seti(sv[1], SO_PEEK_OFF, 0);
  send(sv[0], "abc", 3, 0);
  send(sv[0], "defg", 4, 0);
  add("peekoff 2 dgram: peek=%s", rx(sv[1], MSG_PEEK, 2));
  add(" off=%s", geti(sv[1], SO_PEEK_OFF));
  add(" peek=%s", rx(sv[1], MSG_PEEK, 10));
  add(" off=%s", geti(sv[1], SO_PEEK_OFF));
  add(" peek=%s", rx(sv[1], MSG_PEEK, 10));
  add(" off=%s", geti(sv[1], SO_PEEK_OFF));
  add(" read=%s", rx(sv[1], 0, 10));
  add(" off=%s", geti(sv[1], SO_PEEK_OFF));
  add(" peek=%s", rx(sv[1], MSG_PEEK, 10));
  add(" off=%s", geti(sv[1], SO_PEEK_OFF));
  end_line();
  close(sv[0]);
  close(sv[1]);

  /* SO_RCVLOWAT: clamping and its effect on reads and poll */
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  add("rcvlowat 1: default=%s", geti(sv[1], SO_RCVLOWAT));
  add(" set0=%s", seti(sv[1], SO_RCVLOWAT, 0));
  add(" get=%s", geti(sv[1], SO_RCVLOWAT));
  add(" set-3=%s", seti(sv[1], SO_RCVLOWAT, -3));
  add(" get=%s", geti(sv[1], SO_RCVLOWAT));
  add(" set4=%s", seti(sv[1], SO_RCVLOWAT, 4));
  add(" get=%s", geti(sv[1], SO_RCVLOWAT));
  send(sv[0], "ab", 2, 0);
  struct pollfd p = {sv[1], POLLIN, 0};
  add(" poll=%d", poll(&p, 1, 0));
  add(" revents=%#x", p.revents);
  add(" nonblocking read=%s", rx(sv[1], 0, 10));
  end_line();
  close(sv[0]);
  close(sv[1]);

  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  seti(sv[1], SO_RCVLOWAT, 4);
  if (fork() == 0) {
    for (int i = 0; i < 3; i++) {
      usleep(10000);
      send(sv[0], "xy", 2, 0);
    }
    _exit(0);
  }
  char b[16] = {0};
  /* at most 4: if the reader comes late and all 6 bytes are there, 2 must be left for the next read,
   * which would otherwise wait for ever (the writer is gone, but the parent holds its end open) */
  ssize_t n = recv(sv[1], b, 4, 0);
  add("rcvlowat 2 a blocking read waits for the low mark: %zd", n);
  seti(sv[1], SO_RCVLOWAT, 100);
  n = recv(sv[1], b, 2, 0);
  add("; a low mark above the buffer waits for the buffer %zd", n);
  end_line();
  close(sv[0]);
  close(sv[1]);

  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  add("sndlowat: default=%s", geti(sv[0], SO_SNDLOWAT));
  add(" set=%s", seti(sv[0], SO_SNDLOWAT, 5));
  add(" get=%s", geti(sv[0], SO_SNDLOWAT));
  end_line();

  add("bufforce: sndbufforce 1000=%s", seti(sv[0], SO_SNDBUFFORCE, 1000));
  add(" get=%s", geti(sv[0], SO_SNDBUF));
  add(" 100000000=%s", seti(sv[0], SO_SNDBUFFORCE, 100000000));
  add(" get=%s", geti(sv[0], SO_SNDBUF));
  add(" -1=%s", seti(sv[0], SO_SNDBUFFORCE, -1));
  add(" get=%s", geti(sv[0], SO_SNDBUF));
  add(" rcvbufforce 5000000=%s", seti(sv[0], SO_RCVBUFFORCE, 5000000));
  add(" get=%s", geti(sv[0], SO_RCVBUF));
  add(" 1=%s", seti(sv[0], SO_RCVBUFFORCE, 1));
  add(" get=%s", geti(sv[0], SO_RCVBUF));
  add(" getforce=%s", geti(sv[0], SO_SNDBUFFORCE));
  end_line();

  struct linger lg;
  socklen_t ll = sizeof lg;
  memset(&lg, 0x55, sizeof lg);
  int r = getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, &ll);
  add("linger: default=%s {%d,%d}/%u", res(r), lg.l_onoff, lg.l_linger, ll);
  lg.l_onoff = 1;
  lg.l_linger = 7;
  add(" set{1,7}=%s", res(setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg)));
  ll = sizeof lg;
  getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, &ll);
  add(" get={%d,%d}", lg.l_onoff, lg.l_linger);
  lg.l_onoff = 0;
  lg.l_linger = 3;
  add(" set{0,3}=%s", res(setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg)));
  ll = sizeof lg;
  getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, &ll);
  add(" get={%d,%d}", lg.l_onoff, lg.l_linger);
  lg.l_onoff = 5;
  lg.l_linger = -1;
  add(" set{5,-1}=%s", res(setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg)));
  ll = sizeof lg;
  getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, &ll);
  add(" get={%d,%d}", lg.l_onoff, lg.l_linger);
  add(" short=%s", res(setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, 4)));
  ll = 4;
  r = getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, &ll);
  add(" get4=%s/%u", res(r), ll);
  end_line();

  struct timeval tvs[] = {{0, 1}, {1, 500000}, {0, 0}, {-1, 0}, {LONG_MAX / 1000, 0}, {2147483647, 999999}};
  add("timeo:");
  for (unsigned i = 0; i < sizeof tvs / sizeof tvs[0]; i++) {
    struct timeval tv = tvs[i];
    r = setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct timeval g = {7, 7};
    socklen_t gl = sizeof g;
    getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &g, &gl);
    add(" {%ld,%ld}:%s->{%ld,%ld}", (long)tv.tv_sec, (long)tv.tv_usec, res(r), (long)g.tv_sec, (long)g.tv_usec);
  }
  end_line();
  close(sv[0]);
  close(sv[1]);

  opt_line("passsec", SO_PASSSEC, SOCK_STREAM);
  opt_line("nocheck", SO_NO_CHECK, SOCK_DGRAM);
  opt_line("mark", SO_MARK, SOCK_STREAM);
  opt_line("busypoll", SO_BUSY_POLL, SOCK_STREAM);
  opt_line("timestamp", SO_TIMESTAMP, SOCK_DGRAM);
  opt_line("timestampns", SO_TIMESTAMPNS, SOCK_DGRAM);
  opt_line("zerocopy", SO_ZEROCOPY, SOCK_STREAM);
  opt_line("priority", SO_PRIORITY, SOCK_STREAM);

  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  add("fioclex: FIOCLEX=%s", res(ioctl(sv[0], FIOCLEX)));
  add(" FD_CLOEXEC=%d", fcntl(sv[0], F_GETFD));
  add(" FIONCLEX=%s", res(ioctl(sv[0], FIONCLEX)));
  add(" FD_CLOEXEC=%d", fcntl(sv[0], F_GETFD));
  add(" bad fd=%s", res(ioctl(999, FIOCLEX)));
  int pp[2];
  pipe(pp);
  add(" on a pipe=%s", res(ioctl(pp[0], FIOCLEX)));
  add(" FD_CLOEXEC=%d", fcntl(pp[0], F_GETFD));
  end_line();
  close(pp[0]);
  close(pp[1]);

  static struct iovec iov[1025];
  for (int i = 0; i < 1025; i++) {
    iov[i].iov_base = "z";
    iov[i].iov_len = 1;
  }
  add("iovmax: writev 1024=%s", res(writev(sv[0], iov, 1024)));
  add(" 1025=%s", res(writev(sv[0], iov, 1025)));
  add(" -1=%s", res(writev(sv[0], iov, -1)));
  add(" readv 1025=%s", res(readv(sv[1], iov, 1025)));
  add(" 0=%s", res(writev(sv[0], iov, 0)));
  end_line();
  close(sv[0]);
  close(sv[1]);

  int types[] = {SOCK_DGRAM, SOCK_SEQPACKET};
  const char *names[] = {"dgram", "seqpacket"};
  for (int i = 0; i < 2; i++) {
    socketpair(AF_UNIX, types[i], 0, sv);
    add("zerolen %s: writev(0 iovecs)=%s", names[i], res(writev(sv[0], iov, 0)));
    struct iovec empty = {"", 0};
    add(" writev(empty iovec)=%s", res(writev(sv[0], &empty, 1)));
    add(" write(0)=%s", res(write(sv[0], "", 0)));
    add(" send(0)=%s", res(send(sv[0], "", 0, 0)));
    int q = -1;
    ioctl(sv[1], FIONREAD, &q);
    add(" FIONREAD=%d", q);
    int count = 0;
    while (recv(sv[1], b, sizeof b, MSG_DONTWAIT) >= 0) count++;
    add(" records=%d", count);
    end_line();
    close(sv[0]);
    close(sv[1]);
  }

  /* edge-triggered entries are signalled only by wakeups whose key they asked for */
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLOUT | EPOLLET, {.u32 = 1}};
  epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
  struct epoll_event got[4];
  add("epollet: writer-only entry first=%d", epoll_wait(ep, got, 4, 0));
  add(" again=%d", epoll_wait(ep, got, 4, 0));
  send(sv[1], "data", 4, 0);
  add(" after data arrives=%d", epoll_wait(ep, got, 4, 0));
  int ep2 = epoll_create1(0);
  struct epoll_event ev2 = {EPOLLIN | EPOLLET, {.u32 = 2}};
  epoll_ctl(ep2, EPOLL_CTL_ADD, sv[0], &ev2);
  add("; reader entry first=%d", epoll_wait(ep2, got, 4, 0));
  send(sv[0], "y", 1, 0);
  recv(sv[1], b, sizeof b, MSG_DONTWAIT);
  add(" after the peer reads (write space only)=%d", epoll_wait(ep2, got, 4, 0));
  send(sv[1], "x", 1, 0);
  add(" more data=%d", epoll_wait(ep2, got, 4, 0));
  shutdown(sv[1], SHUT_WR);
  add("; writer entry on the peer's shutdown=%d", epoll_wait(ep, got, 4, 0));
  add(" events=%#x", got[0].events);
  end_line();
  close(ep);
  close(ep2);
  close(sv[0]);
  close(sv[1]);

  /* a pipe's read wakes its writers only when the pipe was full (pipe_read's was_full), so an
   * edge-triggered EPOLLOUT entry fires again only after a full pipe is read; its writes always wake
   * the readers once the pipe has been polled (pipe->poll_usage), also when they fail with EAGAIN */
  {
    int p[2];
    pipe(p);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    int pe = epoll_create1(0);
    struct epoll_event pev = {EPOLLOUT | EPOLLET, {.u32 = 3}};
    epoll_ctl(pe, EPOLL_CTL_ADD, p[1], &pev);
    static char page[4096], sink[8192];
    add("epollet pipe: writer first=%d", epoll_wait(pe, got, 4, 0));
    write(p[1], "abc", 3);
    add(" after a write=%d", epoll_wait(pe, got, 4, 0));
    read(p[0], sink, 1);
    add(" after a read of a pipe not full=%d", epoll_wait(pe, got, 4, 0));
    int pages = 0;
    while (write(p[1], page, sizeof page) > 0) pages++;
    add(" pages to fill it=%d then=%d", pages, epoll_wait(pe, got, 4, 0));
    read(p[0], sink, 100);
    add(" after a read of the full pipe=%d", epoll_wait(pe, got, 4, 0));
    read(p[0], sink, sizeof sink);
    add(" after another read=%d", epoll_wait(pe, got, 4, 0));
    int re = epoll_create1(0);
    struct epoll_event rev = {EPOLLIN | EPOLLET, {.u32 = 4}};
    epoll_ctl(re, EPOLL_CTL_ADD, p[0], &rev);
    add("; reader first=%d", epoll_wait(re, got, 4, 0));
    add(" again=%d", epoll_wait(re, got, 4, 0));
    write(p[1], "z", 1);
    add(" after a write to a pipe not empty=%d", epoll_wait(re, got, 4, 0));
    while (write(p[1], page, sizeof page) > 0) {}
    add(" filled=%d", epoll_wait(re, got, 4, 0));
    add(" again=%d", epoll_wait(re, got, 4, 0));
    int failed = write(p[1], page, sizeof page) < 0 && errno == EAGAIN;
    add(" after a write that fails with EAGAIN=%d", failed ? epoll_wait(re, got, 4, 0) : -1);
    end_line();
    close(pe);
    close(re);
    close(p[0]);
    close(p[1]);
  }

  printf("done\n");
  return 0;
}
