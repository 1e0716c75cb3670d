/* Signal-driven I/O (O_ASYNC, F_SETOWN, F_SETSIG): SIGIO to a socket's or
 * a pipe's owner when data or a connection arrives, when the peer shuts
 * down or closes, and to a pipe's writers when it is read; nothing without
 * an owner or once O_ASYNC is cleared; F_GETFL shows the flag, F_SETSIG
 * picks another signal; none to a stream reader asleep in recv; POLL_OUT
 * to a writer that found its send buffer full, once there is room. One
 * line per check, compared with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t sigio, usr1;
static void on_sigio(int s) { (void)s; sigio++; }
static void on_usr1(int s) { (void)s; usr1++; }

static void async_on(int fd) {
  fcntl(fd, F_SETOWN, getpid());
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC);
}

int main(void) {
  char buf[64];
  signal(SIGIO, on_sigio);
  signal(SIGUSR1, on_usr1);

  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  send(sv[0], "a", 1, 0);
  fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_ASYNC);
  send(sv[0], "b", 1, 0);
  add("no owner: %d flag %d", sigio, (fcntl(sv[1], F_GETFL) & O_ASYNC) != 0); end_line();

  sigio = 0;
  fcntl(sv[1], F_SETOWN, getpid());
  send(sv[0], "c", 1, 0);
  int on_data = sigio;
  recv(sv[1], buf, sizeof buf, 0);
  int after_read = sigio;
  send(sv[1], "d", 1, 0); /* the other end has no O_ASYNC */
  add("stream data: %d after own read %d after own send %d", on_data, after_read, sigio); end_line();
  recv(sv[0], buf, sizeof buf, 0);

  sigio = 0;
  shutdown(sv[0], SHUT_WR);
  int on_shut = sigio;
  close(sv[0]);
  add("stream shutdown: %d close %d", on_shut, sigio); end_line();

  sigio = 0;
  fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) & ~O_ASYNC);
  int q[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, q);
  async_on(q[1]);
  fcntl(q[1], F_SETFL, fcntl(q[1], F_GETFL) & ~O_ASYNC);
  send(q[0], "e", 1, 0);
  add("cleared: %d flag %d", sigio, (fcntl(q[1], F_GETFL) & O_ASYNC) != 0); end_line();

  int d[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
  sigio = 0;
  async_on(d[1]);
  send(d[0], "f", 1, 0);
  send(d[0], "g", 1, 0);
  add("dgram: %d", sigio); end_line();

  int ls = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "async-probe-%d", getpid());
  socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1);
  bind(ls, (struct sockaddr *)&a, alen);
  listen(ls, 4);
  sigio = 0;
  async_on(ls);
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(c, (struct sockaddr *)&a, alen);
  add("listener connect: %d", sigio); end_line();

  int p[2];
  pipe(p);
  sigio = 0;
  async_on(p[0]);
  write(p[1], "h", 1);
  int pipe_write = sigio;
  read(p[0], buf, sizeof buf);
  add("pipe reader: on write %d after read %d", pipe_write, sigio); end_line();

  int w[2];
  pipe(w);
  sigio = 0;
  async_on(w[1]);
  write(w[1], "i", 1);
  int own_write = sigio;
  read(w[0], buf, sizeof buf);
  int on_read = sigio;
  fcntl(w[0], F_SETFL, O_NONBLOCK);
  read(w[0], buf, sizeof buf); /* EAGAIN: pipe_read still tells the writers */
  int on_eagain = sigio;
  close(w[0]);
  add("pipe writer: own write %d on read %d on empty read %d on last reader's close %d", own_write, on_read, on_eagain, sigio); end_line();

  int r[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, r);
  async_on(r[1]);
  const char *set = res(fcntl(r[1], F_SETSIG, SIGUSR1));
  int got = fcntl(r[1], F_GETSIG);
  const char *bad = res(fcntl(r[1], F_SETSIG, 65));
  add("setsig: %s getsig %d bad %s", set, got, bad); end_line();
  sigio = usr1 = 0;
  send(r[0], "j", 1, 0);
  add("setsig data: usr1 %d sigio %d", usr1, sigio); end_line();
  fcntl(r[1], F_SETSIG, 0);
  send(r[0], "k", 1, 0);
  add("setsig back: usr1 %d sigio %d", usr1, sigio); end_line();

  /* a stream reader asleep in recv hears nothing of the data that wakes it (SOCKWQ_ASYNC_WAITDATA); a datagram reader does */
  for (int type = SOCK_STREAM; type <= SOCK_DGRAM; type++) {
    int b[2];
    socketpair(AF_UNIX, type, 0, b);
    async_on(b[1]);
    sigio = 0;
    pid_t c = fork();
    if (c == 0) {
      struct timespec ts = {0, 200000000}; /* long enough for the parent to be asleep in recv, even on a loaded machine */
      nanosleep(&ts, NULL);
      send(b[0], "l", 1, 0);
      _exit(0);
    }
    ssize_t n = recv(b[1], buf, sizeof buf, 0);
    int asleep = sigio;
    waitpid(c, NULL, 0);
    send(b[0], "m", 1, 0);
    add("reader asleep %s: recv %zd sigio %d, then awake %d", type == SOCK_STREAM ? "stream" : "dgram", n, asleep, sigio); end_line();
    close(b[0]);
    close(b[1]);
  }

  /* a writer that found its send buffer full gets POLL_OUT once room is back, each time; not without having been full,
   * nor when O_ASYNC came on only after it was */
  static char big[4096], sink[65536];
  for (int type = SOCK_STREAM; type <= SOCK_DGRAM; type++) {
    int wv[2], hv[2];
    socketpair(AF_UNIX, type, 0, wv);
    async_on(wv[0]);
    sigio = 0;
    send(wv[0], big, 100, 0);
    recv(wv[1], sink, sizeof sink, 0);
    int not_full = sigio;
    while (send(wv[0], big, sizeof big, MSG_DONTWAIT) > 0) {}
    int filled = sigio;
    while (recv(wv[1], sink, sizeof sink, MSG_DONTWAIT) > 0) {}
    int drained = sigio;
    while (send(wv[0], big, sizeof big, MSG_DONTWAIT) > 0) {}
    while (recv(wv[1], sink, sizeof sink, MSG_DONTWAIT) > 0) {}
    int again = sigio;
    socketpair(AF_UNIX, type, 0, hv);
    while (send(hv[0], big, sizeof big, MSG_DONTWAIT) > 0) {}
    sigio = 0;
    async_on(hv[0]);
    while (recv(hv[1], sink, sizeof sink, MSG_DONTWAIT) > 0) {}
    int late = sigio;
    /* poll finding a datagram socket not writable arms it too (unix_dgram_poll); a stream socket's poll does not */
    fcntl(hv[0], F_SETFL, fcntl(hv[0], F_GETFL) & ~O_ASYNC);
    while (send(hv[0], big, sizeof big, MSG_DONTWAIT) > 0) {}
    async_on(hv[0]);
    sigio = 0;
    struct pollfd p = {hv[0], POLLOUT, 0};
    poll(&p, 1, 0);
    while (recv(hv[1], sink, sizeof sink, MSG_DONTWAIT) > 0) {}
    add("write space %s: not full %d filled %d drained %d again %d async after full %d polled %#x then drained %d",
        type == SOCK_STREAM ? "stream" : "dgram", not_full, filled, drained, again, late, p.revents, sigio); end_line();
    close(wv[0]), close(wv[1]), close(hv[0]), close(hv[1]);
  }

  /* FIOASYNC: O_ASYNC through ioctl; ENOTTY for a file that cannot signal (a regular file, where F_SETFL still takes it) */
  {
    int fa[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, fa);
    fcntl(fa[1], F_SETOWN, getpid());
    sigio = 0;
    int on = 1, off = 0;
    const char *set_on = res(ioctl(fa[1], FIOASYNC, &on));
    int flag_on = (fcntl(fa[1], F_GETFL) & O_ASYNC) != 0;
    send(fa[0], "n", 1, 0);
    int got_on = sigio;
    const char *set_off = res(ioctl(fa[1], FIOASYNC, &off));
    int flag_off = (fcntl(fa[1], F_GETFL) & O_ASYNC) != 0;
    send(fa[0], "o", 1, 0);
    add("fioasync socket: on %s flag %d sigio %d off %s flag %d sigio %d", set_on, flag_on, got_on, set_off, flag_off, sigio);
    add(" fault %s", res(ioctl(fa[1], FIOASYNC, (int *)8)));
    end_line();
    int pp[2];
    pipe(pp);
    const char *pipe_on = res(ioctl(pp[0], FIOASYNC, &on));
    char path[64];
    snprintf(path, sizeof path, "/tmp/unixsim-async-%d", getpid());
    int rf = open(path, O_CREAT | O_RDWR, 0600);
    unlink(path);
    const char *file_on = res(ioctl(rf, FIOASYNC, &on));
    const char *file_setfl = res(fcntl(rf, F_SETFL, O_ASYNC));
    int file_flag = (fcntl(rf, F_GETFL) & O_ASYNC) != 0;
    const char *file_off = res(ioctl(rf, FIOASYNC, &off));
    const char *file_same = res(ioctl(rf, FIOASYNC, &on));
    add("fioasync files: pipe %s regular %s setfl %s flag %d off %s unchanged %s", pipe_on, file_on, file_setfl, file_flag, file_off, file_same);
    end_line();
    close(fa[0]), close(fa[1]), close(pp[0]), close(pp[1]), close(rf);
  }

  printf("done\n");
  return 0;
}
