/* The socket calls whose strace lines unixsim's text trace must reproduce
   (test/trace/strace-oracle.test.ts): the same source runs natively under
   strace and, built for riscv64, under unixsim exec. argv[1] is a pathname
   for the listening socket and argv[2] an abstract name, so both runs see
   the same strings. Each process's sequence of calls is fixed whatever
   the interleaving. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_sigpipe(int s) { (void)s; }

static int send_fd(int sock, int fd) {
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
  memset(&ctl, 0, sizeof ctl);
  struct iovec iov = { "here", 4 };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  return sendmsg(sock, &m, 0);
}

static int send_creds(int sock) {
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(struct ucred))]; } ctl;
  memset(&ctl, 0, sizeof ctl);
  struct iovec iov[2] = { { "cr", 2 }, { "eds", 3 } };
  struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_CREDENTIALS;
  c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
  struct ucred u = { getpid(), getuid(), getgid() };
  memcpy(CMSG_DATA(c), &u, sizeof u);
  return sendmsg(sock, &m, MSG_NOSIGNAL);
}

static int client(const struct sockaddr_un *a) {
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connect(s, (const struct sockaddr *)a, sizeof *a) != 0) return 1;
  char go[2];
  recv(s, go, sizeof go, MSG_WAITALL); /* the server has turned SO_PASSCRED on */
  int p[2];
  if (pipe(p) != 0) return 1;
  write(p[1], "motd", 4);
  send_fd(s, p[0]);
  close(p[0]);
  close(p[1]);
  send_creds(s);
  char b[8];
  recv(s, b, sizeof b, 0); /* blocks until the server writes */
  shutdown(s, SHUT_RDWR);
  close(s);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
  unlink(argv[1]);
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bind(l, (struct sockaddr *)&a, sizeof a);
  listen(l, 5);

  /* an abstract datagram name, and a connect that fails */
  struct sockaddr_un ab = { .sun_family = AF_UNIX };
  size_t n = strlen(argv[2]);
  memcpy(ab.sun_path + 1, argv[2], n);
  int d = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  bind(d, (struct sockaddr *)&ab, offsetof(struct sockaddr_un, sun_path) + 1 + n);
  struct sockaddr_un none = { .sun_family = AF_UNIX, .sun_path = "/nonexistent/sock" };
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(c, (struct sockaddr *)&none, sizeof none);
  close(c);
  char buf[64];
  recvfrom(d, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL);

  struct sockaddr_un peer;
  socklen_t plen = sizeof peer;
  fcntl(l, F_SETFL, O_NONBLOCK);
  accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK); /* EAGAIN: nobody yet */
  fcntl(l, F_SETFL, 0);

  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(client(&a));

  plen = sizeof peer;
  int s = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  send(s, "go", 2, 0);
  int sndbuf = 0;
  socklen_t ol = sizeof sndbuf;
  getsockopt(s, SOL_SOCKET, SO_TYPE, &sndbuf, &ol);
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))]; } ctl;
  char data[16];
  struct iovec iov = { data, sizeof data };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
  recvmsg(s, &m, 0);
  m.msg_controllen = sizeof ctl.buf;
  recvmsg(s, &m, MSG_CMSG_CLOEXEC);
  plen = sizeof peer;
  getsockname(s, (struct sockaddr *)&peer, &plen);
  plen = sizeof peer;
  getpeername(s, (struct sockaddr *)&peer, &plen);
  int fl = fcntl(s, F_GETFL);
  fcntl(s, F_SETFL, fl | O_NONBLOCK);
  fcntl(s, F_GETFD);
  recv(s, buf, sizeof buf, 0); /* EAGAIN */
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = s };
  epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
  send(s, "bye", 3, MSG_DONTWAIT);
  int st;
  siginfo_t si;
  memset(&si, 0, sizeof si); /* waitid writes only the first six fields; strace prints si_utime and si_stime too */
  waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
  waitpid(pid, &st, 0);
  waitid(P_ALL, 0, &si, WEXITED | WNOHANG); /* ECHILD */
  waitid(P_PID, pid, NULL, WEXITED | WSTOPPED); /* ECHILD */
  wait4(-1, &st, WNOHANG | WUNTRACED, NULL); /* ECHILD, st untouched */

  /* ioctls on sockets and a pipe: the ints they read and write, struct ifreq, a request strace has no name for */
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  send(sv[0], "abc", 3, 0);
  int iv = 0;
  ioctl(sv[1], FIONREAD, &iv);
  ioctl(sv[0], TIOCOUTQ, &iv);
  ioctl(sv[1], SIOCATMARK, &iv);
  ioctl(sv[1], FIONREAD, (int *)8); /* EFAULT */
  ioctl(sv[1], FIOCLEX);
  ioctl(sv[1], FIONCLEX);
  iv = 1;
  ioctl(sv[1], FIONBIO, &iv);
  iv = 0;
  ioctl(sv[1], FIOASYNC, &iv);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  ioctl(sv[1], SIOCGIFINDEX, &ifr);
  strcpy(ifr.ifr_name, "nope0");
  ioctl(sv[1], SIOCGIFINDEX, &ifr); /* ENODEV */
  ioctl(sv[1], 0x89e0, 0); /* SIOCUNIXFILE of an unnamed socket: ENOENT */
  ioctl(sv[1], _IOR('x', 5, int), 0); /* ENOTTY */
  int pp[2];
  pipe(pp);
  write(pp[1], "xy", 2);
  ioctl(pp[0], FIONREAD, &iv);
  close(pp[0]);
  close(pp[1]);
  close(sv[0]);
  close(sv[1]);

  /* write to a closed peer: EPIPE, then SIGPIPE to a handler */
  signal(SIGPIPE, on_sigpipe);
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  close(sv[1]);
  send(sv[0], "x", 1, 0);
  unlink(argv[1]);
  printf("done %d\n", WEXITSTATUS(st));
  return 0;
}
