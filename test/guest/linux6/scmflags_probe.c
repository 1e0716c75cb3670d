/* AF_UNIX of Linux 6.13-6.18: SO_PASSRIGHTS (a receiver refuses SCM_RIGHTS,
 * EPERM to the sender), SO_INQ with its SCM_INQ control message on stream
 * sockets, the SCM flags (SO_PASSCRED, SO_PASSRIGHTS) a connection takes from
 * its listener at connect() rather than at accept(), credentials attached to
 * what is sent to a connection not accepted yet, and the generic options
 * SO_RCVPRIORITY, SO_NETNS_COOKIE, SO_BUF_LOCK, SO_RESERVE_MEM, SO_TXREHASH
 * and SO_RCVMARK; SIOCUNIXFILE. One line per check, compared with native
 * Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include "sockopt-int.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif
#ifndef SO_BUF_LOCK
#define SO_BUF_LOCK 72
#endif
#ifndef SO_RESERVE_MEM
#define SO_RESERVE_MEM 73
#endif
#ifndef SO_TXREHASH
#define SO_TXREHASH 74
#endif
#ifndef SO_RCVMARK
#define SO_RCVMARK 75
#endif
#ifndef SO_RCVPRIORITY
#define SO_RCVPRIORITY 82
#endif
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif
#ifndef SO_INQ
#define SO_INQ 84
#endif
#define SCM_INQ SO_INQ
#ifndef SIOCUNIXFILE
#define SIOCUNIXFILE 0x89e0
#endif

static const int TYPES[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
static const char *const TYPE_NAMES[] = {"stream", "dgram", "seqpacket"};



/* sendmsg of one byte with SCM_RIGHTS carrying nfds copies of fd 0 */
static int send_fds(int s, int nfds, int flags) {
  union { char b[CMSG_SPACE(2 * sizeof(int))]; struct cmsghdr align; } u;
  memset(&u, 0, sizeof u);
  struct iovec io = {(void *)"x", 1};
  struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = CMSG_SPACE(nfds * sizeof(int))};
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
  for (int i = 0; i < nfds; i++) ((int *)CMSG_DATA(c))[i] = 0;
  return (int)sendmsg(s, &m, flags | MSG_DONTWAIT);
}

/* recvmsg into len bytes with ctl bytes of control: "n flags=.. [type:value ...]" or the error;
 * a credential prints as cred(pid is mine, uid); a passed fd as fd; SCM_INQ with its count */
static const char *rx(int fd, size_t len, size_t ctl, int flags) {
  union { char b[256]; struct cmsghdr align; } u;
  memset(&u, 0, sizeof u);
  char d[64];
  struct iovec io = {d, len};
  struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl ? u.b : NULL, .msg_controllen = ctl};
  ssize_t n = recvmsg(fd, &m, flags | MSG_DONTWAIT);
  static char r[8][160];
  static int k;
  char *s = r[k++ & 7];
  if (n < 0) {
    snprintf(s, 160, "%s", errname(errno));
    return s;
  }
  int o = snprintf(s, 160, "%zd:%.*s flags=%#x ctl=%zu", n, (int)n, d, m.msg_flags, (size_t)m.msg_controllen);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c && o < 150; c = CMSG_NXTHDR(&m, c)) {
    int *v = (int *)CMSG_DATA(c);
    if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
      struct ucred *cr = (struct ucred *)CMSG_DATA(c);
      o += snprintf(s + o, 160 - o, " cred(mine=%d,uid=%d)", cr->pid == getpid(), (int)cr->uid);
    } else if (c->cmsg_type == SCM_RIGHTS) {
      o += snprintf(s + o, 160 - o, " rights(%zu)", (size_t)(c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      close(v[0]);
    } else {
      o += snprintf(s + o, 160 - o, " %d:%d/len%zu", c->cmsg_type, c->cmsg_len >= CMSG_LEN(4) ? *v : -1, (size_t)c->cmsg_len);
    }
  }
  return s;
}

static socklen_t abstract(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  size_t n = strlen(name);
  memcpy(a->sun_path + 1, name, n);
  return (socklen_t)(sizeof(sa_family_t) + 1 + n);
}

static int inq(int fd) {
  int v = -1;
  int r = ioctl(fd, FIONREAD, &v);
  return r < 0 ? -errno : v;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  char name[32];
  snprintf(name, sizeof name, "new616-%d", getpid());

  /* SO_PASSRIGHTS: on by default; any nonzero value turns it on; a sender to a socket with it off gets EPERM */
  for (int i = 0; i < 3; i++) {
    int sv[2];
    socketpair(AF_UNIX, TYPES[i], 0, sv);
    add("passrights %s: default=%s", TYPE_NAMES[i], geti(sv[0], SO_PASSRIGHTS));
    add(" off=%s", seti(sv[0], SO_PASSRIGHTS, 0));
    add(" then=%s", geti(sv[0], SO_PASSRIGHTS));
    add(" set 7=%s", seti(sv[1], SO_PASSRIGHTS, 7));
    add(" then=%s", geti(sv[1], SO_PASSRIGHTS));
    add(" set -1=%s", seti(sv[1], SO_PASSRIGHTS, -1));
    add(" then=%s", geti(sv[1], SO_PASSRIGHTS));
    add(" send fd to it=%s", res(send_fds(sv[1], 1, 0)));
    add(" two fds=%s", res(send_fds(sv[1], 2, 0)));
    add(" no fds=%s", res(send_fds(sv[1], 0, 0)));
    add(" from it=%s", res(send_fds(sv[0], 1, 0)));
    add(" queued=%s", rx(sv[0], 8, 64, 0));
    add(" rx=%s", rx(sv[1], 8, 64, 0));
    end_line();
    close(sv[0]);
    close(sv[1]);
  }
  {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int v = 0;
    add("passrights optlen: set 2=%s", res(setsockopt(sv[0], SOL_SOCKET, SO_PASSRIGHTS, &v, 2)));
    add(" get 2=%s", geti_len(sv[0], SO_PASSRIGHTS, 2));
    add(" get 8=%s", geti_len(sv[0], SO_PASSRIGHTS, 8));
    add(" get 0=%s", geti_len(sv[0], SO_PASSRIGHTS, 0));
    end_line();
    /* the order of the checks: a peer that shut its reading side, or closed */
    seti(sv[0], SO_PASSRIGHTS, 0);
    shutdown(sv[0], SHUT_RD);
    add("passrights order: shut rd peer=%s", res(send_fds(sv[1], 1, MSG_NOSIGNAL)));
    close(sv[0]);
    add(" closed peer=%s", res(send_fds(sv[1], 1, MSG_NOSIGNAL)));
    end_line();
    close(sv[1]);
  }
  {
    /* datagrams: sendto a named socket with it off; a connected sender */
    struct sockaddr_un a;
    char dn[40];
    snprintf(dn, sizeof dn, "%s-d", name);
    socklen_t al = abstract(&a, dn);
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind(d, (struct sockaddr *)&a, al);
    seti(d, SO_PASSRIGHTS, 0);
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    memset(&u, 0, sizeof u);
    struct iovec io = {(void *)"y", 1};
    struct msghdr m = {.msg_name = &a, .msg_namelen = al, .msg_iov = &io, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    *(int *)CMSG_DATA(c) = 0;
    add("passrights sendto: named=%s", res(sendmsg(s, &m, MSG_DONTWAIT)));
    add(" queued=%d", inq(d));
    connect(s, (struct sockaddr *)&a, al);
    m.msg_name = NULL;
    m.msg_namelen = 0;
    add(" connected=%s", res(sendmsg(s, &m, MSG_DONTWAIT)));
    add(" on again=%s", seti(d, SO_PASSRIGHTS, 1));
    add(" then=%s", res(sendmsg(s, &m, MSG_DONTWAIT)));
    add(" rx=%s", rx(d, 8, 64, 0));
    end_line();
    close(s);
    close(d);
  }

  /* a connection takes its listener's SCM flags when it connects, not when it is accepted */
  {
    struct sockaddr_un a;
    socklen_t al = abstract(&a, name);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(l, (struct sockaddr *)&a, al);
    listen(l, 8);
    seti(l, SO_PASSRIGHTS, 0);
    int c1 = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(c1, (struct sockaddr *)&a, al);
    seti(l, SO_PASSRIGHTS, 1);
    seti(l, SO_PASSCRED, 1);
    int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(c2, (struct sockaddr *)&a, al);
    seti(l, SO_PASSCRED, 0);
    add("inherit: fd to c1's embryo=%s", res(send_fds(c1, 1, 0)));
    add(" fd to c2's embryo=%s", res(send_fds(c2, 1, 0)));
    int a1 = accept(l, NULL, NULL);
    int a2 = accept(l, NULL, NULL);
    add(" a1 passrights=%s", geti(a1, SO_PASSRIGHTS));
    add(" a1 passcred=%s", geti(a1, SO_PASSCRED));
    add(" a2 passrights=%s", geti(a2, SO_PASSRIGHTS));
    add(" a2 passcred=%s", geti(a2, SO_PASSCRED));
    add(" a2 rx=%s", rx(a2, 8, 64, 0));
    end_line();
    /* what was sent before accept carries the sender's credentials, whatever the flags */
    int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(c3, (struct sockaddr *)&a, al);
    send(c3, "early", 5, MSG_DONTWAIT);
    int a3 = accept(l, NULL, NULL);
    send(c3, "late", 4, MSG_DONTWAIT);
    seti(a3, SO_PASSCRED, 1);
    add("embryo creds: before accept=%s", rx(a3, 5, 64, 0));
    add(" after=%s", rx(a3, 4, 64, 0));
    end_line();
    close(c1), close(c2), close(c3), close(a1), close(a2), close(a3), close(l);
  }

  /* SO_INQ: stream sockets only, 0 or 1, write-only; SCM_INQ after the other control messages */
  for (int i = 0; i < 3; i++) {
    int sv[2];
    socketpair(AF_UNIX, TYPES[i], 0, sv);
    add("inq %s: get=%s", TYPE_NAMES[i], geti(sv[0], SO_INQ));
    add(" set 1=%s", seti(sv[0], SO_INQ, 1));
    add(" get=%s", geti(sv[0], SO_INQ));
    add(" set 2=%s", seti(sv[0], SO_INQ, 2));
    add(" set -1=%s", seti(sv[0], SO_INQ, -1));
    add(" set 0=%s", seti(sv[0], SO_INQ, 0));
    int v = 1;
    add(" optlen 2=%s", res(setsockopt(sv[0], SOL_SOCKET, SO_INQ, &v, 2)));
    end_line();
    close(sv[0]);
    close(sv[1]);
  }
  {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    seti(sv[0], SO_INQ, 1);
    send(sv[1], "abcdef", 6, 0);
    add("inq read: part=%s", rx(sv[0], 2, 64, 0));
    add(" fionread=%d", inq(sv[0]));
    add(" peek=%s", rx(sv[0], 2, 64, MSG_PEEK));
    add(" rest=%s", rx(sv[0], 16, 64, 0));
    add(" empty=%s", rx(sv[0], 16, 64, 0));
    end_line();
    seti(sv[0], SO_PASSCRED, 1);
    send(sv[1], "ab", 2, 0);
    send(sv[1], "cd", 2, 0);
    add("inq creds: first=%s", rx(sv[0], 1, 64, 0));
    add(" across=%s", rx(sv[0], 8, 64, 0));
    seti(sv[0], SO_PASSCRED, 0);
    send_fds(sv[1], 1, 0);
    send(sv[1], "zz", 2, 0);
    add(" rights=%s", rx(sv[0], 8, 64, 0));
    add(" after=%s", rx(sv[0], 8, 64, 0));
    end_line();
    send(sv[1], "abc", 3, 0);
    add("inq control: none=%s", rx(sv[0], 1, 0, 0));
    add(" 16 bytes=%s", rx(sv[0], 1, 16, 0));
    add(" 20 bytes=%s", rx(sv[0], 1, 20, 0));
    end_line();
    send(sv[1], "abc", 3, 0);
    send(sv[1], "Z", 1, MSG_OOB);
    add("inq oob: fionread=%d", inq(sv[0]));
    add(" before mark=%s", rx(sv[0], 8, 64, 0));
    add(" oob=%s", rx(sv[0], 8, 64, MSG_OOB));
    add(" after=%s", rx(sv[0], 8, 64, 0));
    end_line();
    send(sv[1], "abcdef", 6, 0);
    add("inq flags: trunc=%s", rx(sv[0], 2, 64, MSG_TRUNC));
    add(" waitall=%s", rx(sv[0], 4, 64, MSG_WAITALL));
    shutdown(sv[1], SHUT_WR);
    add(" eof=%s", rx(sv[0], 4, 64, 0));
    end_line();
    close(sv[0]);
    close(sv[1]);
  }
  {
    /* SO_INQ is the socket's own: an accepted connection does not take it from the listener */
    struct sockaddr_un a;
    char ln[40];
    snprintf(ln, sizeof ln, "%s-i", name);
    socklen_t al = abstract(&a, ln);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(l, (struct sockaddr *)&a, al);
    add("inq listener: set=%s", seti(l, SO_INQ, 1));
    listen(l, 1);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, al);
    int ac = accept(l, NULL, NULL);
    send(c, "hi", 2, 0);
    add(" accepted=%s", rx(ac, 8, 64, 0));
    end_line();
    close(c), close(ac), close(l);
  }

  /* generic options */
  for (int i = 0; i < 3; i++) {
    int sv[2];
    socketpair(AF_UNIX, TYPES[i], 0, sv);
    add("rcvpriority %s: get=%s", TYPE_NAMES[i], geti(sv[0], SO_RCVPRIORITY));
    add(" set=%s", seti(sv[0], SO_RCVPRIORITY, 5));
    add(" get=%s", geti(sv[0], SO_RCVPRIORITY));
    add(" priority=%s", seti(sv[1], SO_PRIORITY, 3));
    add(" rcvmark get=%s", geti(sv[0], SO_RCVMARK));
    add(" set=%s", seti(sv[0], SO_RCVMARK, 9));
    add(" get=%s", geti(sv[0], SO_RCVMARK));
    send(sv[1], "p", 1, 0);
    add(" rx=%s", rx(sv[0], 4, 64, 0));
    end_line();
    close(sv[0]);
    close(sv[1]);
  }
  {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    uint64_t cookie = 0, cookie2 = 0;
    socklen_t l = 4;
    add("netns cookie: len 4=%s", res(getsockopt(sv[0], SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &l)));
    l = 8;
    int r = getsockopt(sv[0], SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &l);
    add(" len 8=%s/%u", res(r), l);
    uint64_t big[2] = {0, 0};
    l = 16;
    add(" len 16=%s", res(getsockopt(sv[1], SOL_SOCKET, SO_NETNS_COOKIE, big, &l)));
    l = 8;
    getsockopt(sv[1], SOL_SOCKET, SO_NETNS_COOKIE, &cookie2, &l);
    add(" nonzero=%d same=%d", cookie != 0, cookie == cookie2);
    add(" set=%s", seti(sv[0], SO_NETNS_COOKIE, 1));
    end_line();
    add("buf lock: get=%s", geti(sv[0], SO_BUF_LOCK));
    add(" set 1=%s", seti(sv[0], SO_BUF_LOCK, 1));
    add(" get=%s", geti(sv[0], SO_BUF_LOCK));
    add(" set 4=%s", seti(sv[0], SO_BUF_LOCK, 4));
    add(" set 3=%s", seti(sv[0], SO_BUF_LOCK, 3));
    add(" get=%s", geti(sv[0], SO_BUF_LOCK));
    add(" set 0=%s", seti(sv[0], SO_BUF_LOCK, 0));
    add(" after rcvbuf=%s", seti(sv[0], SO_RCVBUF, 4096));
    add(" get=%s", geti(sv[0], SO_BUF_LOCK));
    add(" after sndbuf=%s", seti(sv[0], SO_SNDBUF, 4096));
    add(" get=%s", geti(sv[0], SO_BUF_LOCK));
    add(" fresh=%s", geti(sv[1], SO_BUF_LOCK));
    end_line();
    add("reserve mem: get=%s", geti(sv[0], SO_RESERVE_MEM));
    add(" set=%s", seti(sv[0], SO_RESERVE_MEM, 4096));
    add(" txrehash get=%s", geti(sv[0], SO_TXREHASH));
    add(" set=%s", seti(sv[0], SO_TXREHASH, 1));
    end_line();
    close(sv[0]);
    close(sv[1]);
  }
  /* SIOCUNIXFILE: an O_PATH fd of the bound file (an accepted socket: its listener's), kept after unlink */
  {
    char path[64];
    snprintf(path, sizeof path, "/tmp/unixsim-scmflags-%d", getpid());
    unlink(path);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, path);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    add("unixfile 1: unbound=%s", res(ioctl(l, SIOCUNIXFILE)));
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 2);
    struct stat ps;
    stat(path, &ps);
    int fd = ioctl(l, SIOCUNIXFILE);
    add(" bound=%s", res_ok(fd));
    struct stat st;
    fstat(fd, &st);
    add(" flags=%#o cloexec=%d sock=%d same=%d", fcntl(fd, F_GETFL) & ~0100000, fcntl(fd, F_GETFD), S_ISSOCK(st.st_mode), st.st_ino == ps.st_ino);
    char c;
    add(" read=%s", res(read(fd, &c, 1)));
    close(fd);
    int cl = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(cl, (struct sockaddr *)&a, sizeof a);
    int ac = accept(l, NULL, NULL);
    fd = ioctl(ac, SIOCUNIXFILE);
    fstat(fd, &st);
    add(" accepted=%s same=%d", res_ok(fd), st.st_ino == ps.st_ino);
    close(fd);
    add(" client=%s", res(ioctl(cl, SIOCUNIXFILE)));
    end_line();
    unlink(path);
    fd = ioctl(l, SIOCUNIXFILE);
    char link[128] = {0}, proc[40];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    readlink(proc, link, sizeof link - 1);
    fstat(fd, &st);
    add("unixfile 2: unlinked=%s deleted=%d nlink=%d", res_ok(fd), strstr(link, "(deleted)") != NULL, (int)st.st_nlink);
    close(fd);
    close(l);
    fd = ioctl(ac, SIOCUNIXFILE);
    add(" listener closed=%s", res_ok(fd));
    close(fd);
    char an[40];
    snprintf(an, sizeof an, "%s-f", name);
    struct sockaddr_un ab;
    socklen_t abl = abstract(&ab, an);
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind(d, (struct sockaddr *)&ab, abl);
    add(" abstract=%s", res(ioctl(d, SIOCUNIXFILE)));
    pid_t p = fork();
    if (p == 0) {
      if (setuid(65534) != 0) _exit(2);
      _exit(ioctl(ac, SIOCUNIXFILE) < 0 && errno == EPERM ? 0 : 1);
    }
    int status = 0;
    waitpid(p, &status, 0);
    add(" unprivileged EPERM=%d", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    end_line();
    close(d), close(ac), close(cl);
  }
  printf("done\n");
  return 0;
}
