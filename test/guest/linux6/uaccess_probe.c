/* Copies that fault: a user buffer with a hole in it (a page unmapped in
 * the middle). Linux checks a buffer only against the top of user space
 * before a call (access_ok); a hole is found by the copy, and what the call
 * returns then is each handler's own rule: an empty nonblocking queue is
 * EAGAIN before any copy, a datagram is dequeued (and lost, with its files)
 * before its copy faults, a stream read returns the skbs it copied whole,
 * a pipe counts its pipe buffers, a file the bytes before the hole. One
 * line per check, compared with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static char good[3 * PAGE];

/* fd passing: sends fd over sock with one data byte */
static long send_fd(int sock, int fd) {
  char c = 'f';
  struct iovec iov = { &c, 1 };
  union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
  struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  return sendmsg(sock, &mh, 0);
}

/* recvmsg into buf; the number of fds that arrived in *nfds */
static long recv_fds(int sock, void *buf, size_t len, int *nfds) {
  struct iovec iov = { buf, len };
  union { struct cmsghdr h; char b[CMSG_SPACE(4 * sizeof(int))]; } u;
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b };
  long r = recvmsg(sock, &mh, MSG_DONTWAIT);
  *nfds = 0;
  if (r >= 0)
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
      if (cm->cmsg_type == SCM_RIGHTS) *nfds += (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
  return r;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* page 0 mapped, page 1 a hole, page 2 mapped */
  char *m = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(m + PAGE, PAGE);
  char *hole = m + PAGE;
  memset(m, 'x', PAGE);

  int p[2], s[2], d[2];
  pipe2(p, O_NONBLOCK);
  socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s);
  socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, d);

  add("empty: pipe %s stream %s dgram %s", res(read(p[0], hole, 10)), res(recv(s[1], hole, 10, 0)), res(recv(d[1], hole, 10, 0)));
  end_line();

  add("access_ok: read %s recv %s write %s send %s null0 %s hole0 %s kernel %s",
      res(read(p[0], (void *)-1, 0)), res(recv(s[1], (void *)-1, 0, 0)), res(write(p[1], (void *)-1, 0)),
      res(sendto(-1, (void *)-1, 1, 0, 0, 0)), res(read(p[0], NULL, 0)), res(read(p[0], hole, 0)),
      res(read(p[0], (void *)0xffffffff80000000ul, 10)));
  end_line();

  /* a datagram is dequeued before its copy: a fault loses it; a peek keeps it */
  const char *d1 = res(send(d[0], "abc", 3, 0));
  const char *d2 = res(recv(d[1], hole, 10, 0));
  const char *d3 = res(recv(d[1], good, 10, 0));
  send(d[0], "abc", 3, 0);
  const char *d4 = res(recv(d[1], hole, 10, MSG_PEEK));
  const char *d5 = res(recv(d[1], good, 10, 0));
  add("dgram: send %s recv %s again %s; peek %s recv %s", d1, d2, d3, d4, d5);
  end_line();

  /* stream: the skbs copied whole count; the faulting one stays queued */
  send(s[0], "0123456789", 10, 0);
  send(s[0], "abcdefghij", 10, 0);
  const char *s1 = res(recv(s[1], hole - 12, 20, 0));
  const char *s2 = res(recv(s[1], good, 20, 0));
  add("stream straddle: recv %s rest %s (%.10s)", s1, s2, good);
  end_line();
  send(s[0], "0123456789", 10, 0);
  const char *s3 = res(recv(s[1], hole - 4, 20, MSG_PEEK));
  const char *s4 = res(recv(s[1], hole, 20, 0));
  const char *s5 = res(recv(s[1], good, 20, 0));
  add("stream hole: peek %s recv %s then %s", s3, s4, s5);
  end_line();

  /* sends: the skb whose copy faults is not sent */
  const char *e1 = res(send(s[0], m, 2 * PAGE, 0));
  const char *e2 = res(send(s[0], hole, 10, 0));
  const char *e3 = res(recv(s[1], good, sizeof good, 0));
  const char *e4 = res(send(d[0], hole - 10, 20, 0));
  const char *e5 = res(recv(d[1], good, 20, 0));
  struct iovec iov[2] = { { good, 5 }, { hole, 5 } };
  const char *e6 = res(writev(s[1], iov, 2));
  add("send: stream %s from hole %s then recv %s; dgram %s then %s; writev %s", e1, e2, e3, e4, e5, e6);
  end_line();

  /* pipes count whole pipe buffers (a page each; small writes merge) */
  const char *f1 = res(write(p[1], m, 2 * PAGE));
  const char *f2 = res(write(p[1], hole - 50, 100));
  const char *f3 = res(read(p[0], good, sizeof good));
  write(p[1], good, PAGE);
  write(p[1], good, PAGE);
  const char *f4 = res(read(p[0], m, 2 * PAGE));
  const char *f5 = res(read(p[0], good, sizeof good));
  add("pipe: write %s %s read %s; read %s rest %s", f1, f2, f3, f4, f5);
  end_line();
  write(p[1], good, 10);
  write(p[1], good, 10);
  const char *f6 = res(read(p[0], hole - 12, 20));
  const char *f7 = res(read(p[0], good, sizeof good));
  write(p[1], good, 10);
  const char *f8 = res(write(p[1], hole - 20, 30));
  const char *f9 = res(read(p[0], good, sizeof good));
  add("pipe merges: read %s rest %s; write %s left %s", f6, f7, f8, f9);
  end_line();

  /* eventfd: the counter is taken before the copy */
  int e = eventfd(5, EFD_NONBLOCK);
  const char *h1 = res(read(e, hole, 8));
  const char *h2 = res(read(e, good, 8));
  const char *h3 = res(write(e, hole, 8));
  add("eventfd: read %s then %s write %s", h1, h2, h3);
  end_line();

  /* a file: the bytes before the hole */
  char path[] = "/tmp/uaccessXXXXXX";
  int fd = mkstemp(path);
  unlink(path);
  const char *i1 = res(write(fd, m, 2 * PAGE));
  const char *i2 = res(write(fd, good, 2 * PAGE));
  lseek(fd, 0, SEEK_SET);
  const char *i3 = res(read(fd, m, 2 * PAGE));
  const char *i4 = res(lseek(fd, 0, SEEK_CUR));
  const char *i5 = res(read(fd, hole, 10));
  lseek(fd, 0, SEEK_END);
  const char *i6 = res(read(fd, hole, 10));
  add("file: write %s %s read %s pos %s hole %s at eof %s", i1, i2, i3, i4, i5, i6);
  end_line();

  /* MSG_OOB: the byte is taken before its copy */
  const char *j1 = res(send(s[0], "Z", 1, MSG_OOB));
  const char *j2 = res(recv(s[1], hole, 1, MSG_OOB));
  const char *j3 = res(recv(s[1], good, 1, MSG_OOB));
  add("oob: send %s recv %s again %s", j1, j2, j3);
  end_line();

  /* files in flight: a faulting datagram takes its file with it (the pipe's
     last writer goes, so its reader sees EOF); a stream skb stays, files and all */
  int q[2];
  pipe(q);
  const char *k1 = res(send_fd(d[0], q[1]));
  close(q[1]);
  int n = 0;
  const char *k2 = res(recv_fds(d[1], hole, 10, &n));
  const char *k3 = res(read(q[0], good, 1));
  pipe(q);
  send_fd(s[0], q[1]);
  close(q[1]);
  const char *k4 = res(recv_fds(s[1], hole, 10, &n));
  int n1 = n;
  const char *k5 = res(recv_fds(s[1], good, 10, &n));
  add("rights: dgram send %s recv %s pipe %s; stream recv %s (%d fds) then %s (%d fds)", k1, k2, k3, k4, n1, k5, n);
  end_line();

  /* a blocking read waits for data, then faults */
  int b[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, b);
  pid_t c = fork();
  if (c == 0) {
    usleep(20000);
    send(b[1], "late", 4, 0);
    _exit(0);
  }
  const char *l1 = res(recv(b[0], hole, 10, 0));
  const char *l2 = res(recv(b[0], good, 10, 0));
  waitpid(c, 0, 0);
  shutdown(s[0], SHUT_WR);
  add("blocking: recv %s then %s; eof %s", l1, l2, res(recv(s[1], hole, 10, 0)));
  end_line();
  printf("done\n");
  return 0;
}
