/* AF_UNIX fidelity probe: runs catalogue items (shared/AF_UNIX-SEMANTICS.md)
   one after another in a single process and prints one line per item: the
   item number, what was done, and each result as a return value or
   "-1 ERRNO". test/guest/fidelity.test.ts builds it for riscv64 (run under
   qemu-riscv64 and unixsim exec) and for the host (run natively: Linux
   itself) and compares the lines.
   Everything is deterministic: one process, nonblocking sockets, socketpairs;
   no fd numbers, pids or autobind names are printed (only their class).
   Pathname sockets live in a fresh mkdtemp directory of fixed name length;
   abstract names carry the pid at a fixed width, so concurrent runs on one
   host cannot collide. Values that depend on host sysctls are avoided
   (wmem_max: only SO_SNDBUF values below it are set). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- output ---- */
static char L[4096];
static size_t Lat;
static void B(const char *item) { Lat = (size_t)snprintf(L, sizeof L, "%s", item); }
static void A(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Lat += (size_t)vsnprintf(L + Lat, sizeof L - Lat, fmt, ap);
  va_end(ap);
}
/* one write per line, so that a run that hangs shows how far it got */
static void P(void) {
  if (Lat >= sizeof L) Lat = sizeof L - 1;
  L[Lat++] = '\n';
  if (write(1, L, Lat) < 0) exit(4);
}

static const char *ename(int e) {
  switch (e) {
#define N(x) case x: return #x;
    N(EPERM) N(ENOENT) N(ESRCH) N(EINTR) N(ENXIO) N(EBADF) N(EAGAIN) N(ENOMEM) N(EACCES) N(EFAULT)
    N(EEXIST) N(ENOTDIR) N(EISDIR) N(EINVAL) N(EMFILE) N(ENOSPC) N(EPIPE) N(EDOM) N(ENOTSOCK)
    N(EDESTADDRREQ) N(EMSGSIZE) N(EPROTOTYPE) N(ENOPROTOOPT) N(EPROTONOSUPPORT) N(ESOCKTNOSUPPORT)
    N(EOPNOTSUPP) N(EAFNOSUPPORT) N(EADDRINUSE) N(ECONNRESET) N(EISCONN) N(ENOTCONN)
    N(ETOOMANYREFS) N(ECONNREFUSED) N(EINPROGRESS) N(ENOSYS)
#undef N
  }
  static char b[16];
  snprintf(b, sizeof b, "E%d", e);
  return b;
}
/* a result: the number, or -1 and the errno name */
static char rbuf[64][48];
static int rat;
static const char *R(long r) {
  char *b = rbuf[rat++ & 63];
  if (r == -1) snprintf(b, 48, "-1 %s", ename(errno));
  else snprintf(b, 48, "%ld", r);
  return b;
}
/* a result that is an fd: "fd" or -1 ERRNO */
static const char *F(long r) { return r >= 0 ? "fd" : R(r); }
#define T(label, expr) A(" %s=%s", label, R((long)(expr)))
#define TF(label, expr) A(" %s=%s", label, F((long)(expr)))

static const char *pbits(int r) {
  static char b[8][96];
  static int at;
  char *s = b[at++ & 7];
  s[0] = 0;
  static const struct { int bit; const char *name; } names[] = {
    {POLLIN, "IN"}, {POLLPRI, "PRI"}, {POLLOUT, "OUT"}, {POLLERR, "ERR"}, {POLLHUP, "HUP"},
    {POLLNVAL, "NVAL"}, {POLLRDNORM, "RDNORM"}, {POLLRDBAND, "RDBAND"}, {POLLWRNORM, "WRNORM"},
    {POLLWRBAND, "WRBAND"}, {POLLRDHUP, "RDHUP"},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (r & names[i].bit) {
      if (s[0]) strcat(s, "|");
      strcat(s, names[i].name);
    }
  if (!s[0]) strcpy(s, "0");
  return s;
}
static int pollfd1(int fd) {
  struct pollfd p = {fd, POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLRDNORM | POLLWRNORM | POLLRDBAND | POLLWRBAND, 0};
  int r = poll(&p, 1, 0);
  return r < 0 ? -1 : p.revents;
}
#define TP(label, fd) A(" %s=%s", label, pbits(pollfd1(fd)))

/* ---- addresses ---- */
static char dir[] = "/tmp/afprobe.XXXXXX";
static char absprefix[32];
static const size_t SUN = offsetof(struct sockaddr_un, sun_path);

static socklen_t pathaddr(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", dir, name);
  return (socklen_t)(SUN + strlen(a->sun_path) + 1);
}
static const char *pathof(const char *name) {
  static char b[4][128];
  static int at;
  char *s = b[at++ & 3];
  snprintf(s, 128, "%s/%s", dir, name);
  return s;
}
/* abstract "\0<prefix><name>" */
static socklen_t absaddr(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "%s%s", absprefix, name);
  return (socklen_t)(SUN + 1 + (size_t)n);
}
#define SA(a) ((struct sockaddr *)(a))

static int sock(int type) { return socket(AF_UNIX, type, 0); }
/* a listener on an abstract name */
static int listener(int type, const char *name, int backlog) {
  struct sockaddr_un a;
  socklen_t l = absaddr(&a, name);
  int s = sock(type);
  if (bind(s, SA(&a), l) != 0 || listen(s, backlog) != 0) {
    printf("setup: listener %s failed: %s\n", name, ename(errno));
    exit(3);
  }
  return s;
}
static int connect_abs(int s, const char *name) {
  struct sockaddr_un a;
  socklen_t l = absaddr(&a, name);
  return connect(s, SA(&a), l);
}
/* a connected pair through a listener: *c client, *a accepted */
static void conn_pair(int type, const char *name, int *c, int *acc) {
  int l = listener(type, name, 4);
  *c = sock(type);
  if (connect_abs(*c, name) != 0) { printf("setup: connect %s: %s\n", name, ename(errno)); exit(3); }
  *acc = accept(l, NULL, NULL);
  close(l);
}
static void pair(int type, int sv[2]) {
  if (socketpair(AF_UNIX, type, 0, sv) != 0) { printf("setup: socketpair: %s\n", ename(errno)); exit(3); }
}
static int getint(int fd, int opt) {
  int v = -12345;
  socklen_t l = sizeof v;
  if (getsockopt(fd, SOL_SOCKET, opt, &v, &l) != 0) return -1000 - errno;
  return v;
}
/* SIOCOUTQ (0x5411, <linux/sockios.h>): what the send buffer is charged (sk_wmem_alloc: skb truesizes). */
static int getoutq(int fd) {
  int v = -12345;
  if (ioctl(fd, 0x5411, &v) != 0) return -1000 - errno;
  return v;
}
static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static int sigpipes;
static void on_sigpipe(int s) { (void)s; sigpipes++; }

/* ---- SCM helpers ---- */
static ssize_t send_fds(int s, const char *data, size_t len, const int *fds, int n, int flags) {
  char ctl[CMSG_SPACE(sizeof(int) * 256)];
  memset(ctl, 0, sizeof ctl);
  struct iovec iov = {(void *)data, len};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  if (n >= 0) {
    m.msg_control = ctl;
    m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
  }
  return sendmsg(s, &m, flags);
}
struct rcv {
  ssize_t ret;
  int err;
  int flags;
  size_t controllen;
  int nfds;
  int fds[256];
  int ncred;
  struct ucred cred;
  int order; /* 1 if credentials came before rights */
  int firstlen; /* cmsg_len of the first cmsg */
  char data[512];
};
static struct rcv rcvmsg(int s, size_t buflen, size_t controllen, int flags, int null_control) {
  static char ctl[8192];
  struct rcv r;
  memset(&r, 0, sizeof r);
  memset(ctl, 0, sizeof ctl);
  struct iovec iov = {r.data, buflen};
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = null_control ? NULL : ctl;
  m.msg_controllen = controllen;
  m.msg_flags = 0x7f0000;
  r.ret = recvmsg(s, &m, flags | MSG_DONTWAIT); /* one process: never wait */
  r.err = r.ret < 0 ? errno : 0;
  r.flags = m.msg_flags;
  r.controllen = m.msg_controllen;
  if (r.ret < 0) return r;
  int idx = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c), idx++) {
    if (idx == 0) r.firstlen = (int)c->cmsg_len;
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_RIGHTS) {
      int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      memcpy(r.fds + r.nfds, CMSG_DATA(c), sizeof(int) * (size_t)n);
      r.nfds += n;
    } else if (c->cmsg_type == SCM_CREDENTIALS) {
      r.ncred++;
      memset(&r.cred, 0, sizeof r.cred);
      memcpy(&r.cred, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0) < sizeof r.cred ? c->cmsg_len - CMSG_LEN(0) : sizeof r.cred);
      if (r.nfds == 0) r.order = 1;
    }
  }
  return r;
}
static const char *flagstr(int f) {
  static char b[4][64];
  static int at;
  char *s = b[at++ & 3];
  s[0] = 0;
  if (f & MSG_TRUNC) strcat(s, "TRUNC|");
  if (f & MSG_CTRUNC) strcat(s, "CTRUNC|");
  if (f & MSG_EOR) strcat(s, "EOR|");
  if (f & MSG_CMSG_CLOEXEC) strcat(s, "CMSG_CLOEXEC|");
  int rest = f & ~(MSG_TRUNC | MSG_CTRUNC | MSG_EOR | MSG_CMSG_CLOEXEC);
  if (rest) sprintf(s + strlen(s), "0x%x|", rest);
  if (!s[0]) return "0";
  s[strlen(s) - 1] = 0;
  return s;
}
static void closefds(struct rcv *r) {
  for (int i = 0; i < r->nfds; i++) close(r->fds[i]);
}
/* a result of rcvmsg: ret[ ERR] flags, controllen, nfds */
static void Arcv(const char *label, struct rcv *r) {
  if (r->ret < 0) A(" %s=-1 %s", label, ename(r->err));
  else A(" %s=%zd flags=%s controllen=%zu fds=%d", label, r->ret, flagstr(r->flags), r->controllen, r->nfds);
}
static int same_file(int a, int b) {
  struct stat x, y;
  if (fstat(a, &x) || fstat(b, &y)) return 0;
  return x.st_ino == y.st_ino && x.st_dev == y.st_dev;
}

/* ================= A ================= */
static void section_a(void) {
  int s, t, u;
  struct sockaddr_un a, g;
  socklen_t l, gl;

  B("1 socket:");
  s = sock(SOCK_STREAM); TF("stream", s); close(s);
  s = sock(SOCK_DGRAM); TF("dgram", s); close(s);
  s = sock(SOCK_SEQPACKET); TF("seqpacket", s); close(s);
  s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  A(" flags: nonblock=%d cloexec=%d", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0, fcntl(s, F_GETFD));
  close(s);
  s = socket(AF_UNIX, SOCK_STREAM, 1); TF("proto1", s); close(s);
  TF("proto2", socket(AF_UNIX, SOCK_STREAM, 2));
  s = socket(AF_UNIX, SOCK_RAW, 0); A(" raw=%s SO_TYPE=%d", F(s), getint(s, SO_TYPE)); close(s);
  TF("rdm", socket(AF_UNIX, SOCK_RDM, 0));
  TF("type10", socket(AF_UNIX, 10, 0));
  TF("type11", socket(AF_UNIX, 11, 0));
  TF("badflag", socket(AF_UNIX, SOCK_STREAM | 0x1000, 0));
  P();

  B("2 fstat:");
  s = sock(SOCK_STREAM);
  struct stat sb;
  T("fstat", fstat(s, &sb));
  A(" mode=0%o", sb.st_mode);
  close(s);
  P();

  B("3 getsockname(unbound):");
  s = sock(SOCK_STREAM);
  memset(&g, 0x55, sizeof g);
  gl = sizeof g;
  T("ret", getsockname(s, SA(&g), &gl));
  A(" len=%u family=%d", gl, g.sun_family);
  close(s);
  P();

  B("4 bind EINVAL:");
  s = sock(SOCK_STREAM);
  absaddr(&a, "b4");
  T("len1", bind(s, SA(&a), 1));
  a.sun_family = AF_INET;
  T("len2_inet", bind(s, SA(&a), 2));
  T("inet", bind(s, SA(&a), 10));
  a.sun_family = AF_UNIX;
  char big[200];
  memset(big, 0, sizeof big);
  memcpy(big, &a, sizeof a);
  T("len111", bind(s, SA(big), 111));
  T("len129", bind(s, SA(big), 129));
  close(s);
  P();

  B("5 autobind:");
  s = sock(SOCK_STREAM);
  a.sun_family = AF_UNIX;
  T("bind2", bind(s, SA(&a), 2));
  gl = sizeof g;
  getsockname(s, SA(&g), &gl);
  int hex = 1;
  for (int i = 1; i < 6; i++) hex &= (g.sun_path[i] >= '0' && g.sun_path[i] <= '9') || (g.sun_path[i] >= 'a' && g.sun_path[i] <= 'f');
  A(" len=%u nul=%d hex5=%d", gl, g.sun_path[0] == 0, hex);
  struct sockaddr_un auto1 = g;
  socklen_t auto1l = gl;
  T("listen", listen(s, 1));
  t = sock(SOCK_STREAM);
  T("connect", connect(t, SA(&auto1), auto1l));
  close(t);
  P();

  B("6 autobound name taken:");
  t = sock(SOCK_STREAM);
  T("bind", bind(t, SA(&auto1), auto1l));
  close(t);
  P();

  B("7 autobind when bound:");
  a.sun_family = AF_UNIX;
  T("bind2", bind(s, SA(&a), 2));
  gl = sizeof g;
  getsockname(s, SA(&g), &gl);
  A(" same=%d", gl == auto1l && memcmp(&g, &auto1, gl) == 0);
  close(s);
  P();

  B("8 abstract with NULs:");
  s = sock(SOCK_STREAM);
  l = absaddr(&a, "n8");
  a.sun_path[l - SUN] = 0;
  a.sun_path[l - SUN + 1] = 'x';
  l += 3; /* "\0<prefix>n8\0x\0" */
  T("bind", bind(s, SA(&a), l));
  gl = sizeof g;
  getsockname(s, SA(&g), &gl);
  A(" bound_len=%u got_len=%u same=%d", l, gl, memcmp(&g, &a, l) == 0);
  close(s);
  P();

  B("9 abstract lengths:");
  s = sock(SOCK_STREAM);
  t = sock(SOCK_STREAM);
  l = absaddr(&a, "n9/");
  T("bind_long", bind(s, SA(&a), l));
  T("bind_short", bind(t, SA(&a), l - 1));
  T("listen_short", listen(t, 1));
  u = sock(SOCK_STREAM);
  T("connect_long", connect(u, SA(&a), l));
  close(u);
  close(t);
  u = sock(SOCK_STREAM);
  T("connect_short_after_close", connect(u, SA(&a), l - 1));
  close(u);
  close(s);
  P();

  B("11 abstract rebind:");
  s = sock(SOCK_STREAM);
  t = sock(SOCK_STREAM);
  l = absaddr(&a, "n11");
  T("bind", bind(s, SA(&a), l));
  T("again", bind(t, SA(&a), l));
  close(s);
  T("after_close", bind(t, SA(&a), l));
  close(t);
  P();

  B("12 abstract per type:");
  s = sock(SOCK_STREAM);
  t = sock(SOCK_DGRAM);
  u = sock(SOCK_SEQPACKET);
  l = absaddr(&a, "n12");
  T("stream", bind(s, SA(&a), l));
  T("dgram", bind(t, SA(&a), l));
  close(s);
  s = sock(SOCK_STREAM);
  T("stream_connect_dgram_name", connect(s, SA(&a), l));
  T("seqpacket_connect", connect(u, SA(&a), l));
  close(s); close(t); close(u);
  P();

  B("14 pathname ends at NUL:");
  s = sock(SOCK_STREAM);
  t = sock(SOCK_STREAM);
  l = pathaddr(&a, "p14");
  T("bind", bind(s, SA(&a), l));
  pathaddr(&a, "p14");
  size_t pl = strlen(a.sun_path);
  a.sun_path[pl + 1] = 'a';
  T("bind_with_tail", bind(t, SA(&a), (socklen_t)(l + 2)));
  close(s); close(t);
  unlink(pathof("p14"));
  P();

  B("15 pathname getsockname:");
  s = sock(SOCK_STREAM);
  l = pathaddr(&a, "p15");
  T("bind_no_nul", bind(s, SA(&a), l - 1));
  gl = sizeof g;
  getsockname(s, SA(&g), &gl);
  A(" len=%u expect=%u", gl, l);
  t = sock(SOCK_STREAM);
  pathaddr(&a, "p15b");
  T("bind_110", bind(t, SA(&a), 110));
  gl = sizeof g;
  getsockname(t, SA(&g), &gl);
  A(" len=%u expect=%zu", gl, SUN + strlen(a.sun_path) + 1);
  close(s); close(t);
  unlink(pathof("p15"));
  unlink(pathof("p15b"));
  P();

  B("16 108-byte path:");
  s = sock(SOCK_STREAM);
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  memset(a.sun_path, 'q', sizeof a.sun_path);
  memcpy(a.sun_path, dir, strlen(dir));
  a.sun_path[strlen(dir)] = '/';
  char longpath[120];
  memcpy(longpath, a.sun_path, 108);
  longpath[108] = 0;
  T("bind", bind(s, SA(&a), 110));
  char gb[200];
  memset(gb, 0x55, sizeof gb);
  gl = 110;
  T("getsockname", getsockname(s, SA(gb), &gl));
  A(" len=%u last=0x%02x", gl, (unsigned char)gb[109]);
  gl = 200;
  memset(gb, 0x55, sizeof gb);
  getsockname(s, SA(gb), &gl);
  A(" len_big=%u byte110=0x%02x", gl, (unsigned char)gb[110]);
  close(s);
  unlink(longpath);
  P();

  B("17 short addrlen:");
  s = sock(SOCK_STREAM);
  l = absaddr(&a, "n17");
  bind(s, SA(&a), l);
  memset(&g, 0x55, sizeof g);
  gl = 4;
  T("ret", getsockname(s, SA(&g), &gl));
  A(" len=%u copied=%d untouched=%d", gl, g.sun_path[0] == 0 && g.sun_path[1] == a.sun_path[1], (unsigned char)g.sun_path[2] == 0x55);
  int neg = -1;
  T("neg", getsockname(s, SA(&g), (socklen_t *)&neg));
  close(s);
  P();

  B("18 socket file mode:");
  mode_t old = umask(022);
  s = sock(SOCK_STREAM);
  l = pathaddr(&a, "p18");
  bind(s, SA(&a), l);
  stat(pathof("p18"), &sb);
  A(" umask022=0%o", sb.st_mode);
  t = sock(SOCK_STREAM);
  T("fchmod", fchmod(t, 0640));
  l = pathaddr(&a, "p18b");
  bind(t, SA(&a), l);
  stat(pathof("p18b"), &sb);
  A(" fchmod0640=0%o", sb.st_mode);
  umask(old);
  close(s); close(t);
  unlink(pathof("p18")); unlink(pathof("p18b"));
  P();

  B("19 bind existing path:");
  int f = open(pathof("file19"), O_CREAT | O_WRONLY, 0644);
  close(f);
  s = sock(SOCK_STREAM);
  l = pathaddr(&a, "file19");
  T("regular_file", bind(s, SA(&a), l));
  l = pathaddr(&a, "nodir/s");
  T("missing_parent", bind(s, SA(&a), l));
  l = pathaddr(&a, "file19/s");
  T("parent_is_file", bind(s, SA(&a), l));
  close(s);
  unlink(pathof("file19"));
  P();

  B("20 second bind:");
  s = sock(SOCK_STREAM);
  l = absaddr(&a, "n20");
  bind(s, SA(&a), l);
  l = absaddr(&a, "n20b");
  T("abstract", bind(s, SA(&a), l));
  close(s);
  s = sock(SOCK_STREAM);
  l = pathaddr(&a, "p20");
  bind(s, SA(&a), l);
  T("path_exists", bind(s, SA(&a), l));
  l = pathaddr(&a, "p20b");
  T("path_new", bind(s, SA(&a), l));
  close(s);
  unlink(pathof("p20"));
  unlink(pathof("p20b"));
  P();

  B("21 bind after listen / connected:");
  s = listener(SOCK_STREAM, "n21", 1);
  l = absaddr(&a, "n21b");
  T("after_listen", bind(s, SA(&a), l));
  close(s);
  int sv[2];
  pair(SOCK_STREAM, sv);
  T("pair_end", bind(sv[0], SA(&a), l));
  close(sv[0]); close(sv[1]);
  P();

  B("22 open socket file:");
  s = sock(SOCK_STREAM);
  l = pathaddr(&a, "p22");
  bind(s, SA(&a), l);
  T("rdonly", open(pathof("p22"), O_RDONLY));
  T("rdwr", open(pathof("p22"), O_RDWR));
  close(s);
  unlink(pathof("p22"));
  P();

  B("23 closed bound socket file:");
  s = sock(SOCK_STREAM);
  l = pathaddr(&a, "p23");
  bind(s, SA(&a), l);
  listen(s, 1);
  close(s);
  s = sock(SOCK_STREAM);
  T("connect", connect(s, SA(&a), l));
  T("bind", bind(s, SA(&a), l));
  close(s);
  unlink(pathof("p23"));
  P();

  B("24 unlink live listener:");
  s = sock(SOCK_STREAM);
  l = pathaddr(&a, "p24");
  bind(s, SA(&a), l);
  listen(s, 1);
  t = sock(SOCK_STREAM);
  T("connect", connect(t, SA(&a), l));
  T("unlink", unlink(pathof("p24")));
  u = sock(SOCK_STREAM);
  T("connect_after", connect(u, SA(&a), l));
  gl = sizeof g;
  getsockname(s, SA(&g), &gl);
  A(" name_len=%u", gl);
  T("accept_still", accept(s, NULL, NULL) >= 0 ? 0 : -1);
  T("rebind_new", bind(u, SA(&a), l));
  close(s); close(t); close(u);
  unlink(pathof("p24"));
  P();

  B("25 connect errors:");
  s = sock(SOCK_STREAM);
  l = pathaddr(&a, "missing");
  T("missing", connect(s, SA(&a), l));
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strcpy(a.sun_path, "/tmp");
  T("directory", connect(s, SA(&a), SUN + 5));
  l = absaddr(&a, "nobody");
  T("abstract_unbound", connect(s, SA(&a), l));
  close(s);
  P();

  B("26 EPROTOTYPE:");
  s = sock(SOCK_STREAM);
  l = pathaddr(&a, "p26s");
  bind(s, SA(&a), l);
  listen(s, 1);
  t = sock(SOCK_DGRAM);
  T("dgram_to_stream", connect(t, SA(&a), l));
  T("dgram_sendto_stream", sendto(t, "x", 1, 0, SA(&a), l));
  u = sock(SOCK_SEQPACKET);
  T("seqpacket_to_stream", connect(u, SA(&a), l));
  close(u);
  close(t);
  t = sock(SOCK_DGRAM);
  l = pathaddr(&a, "p26d");
  bind(t, SA(&a), l);
  u = sock(SOCK_STREAM);
  T("stream_to_dgram", connect(u, SA(&a), l));
  close(s); close(t); close(u);
  unlink(pathof("p26s")); unlink(pathof("p26d"));
  P();

  B("27 connect EINVAL:");
  s = sock(SOCK_STREAM);
  l = absaddr(&a, "n27");
  a.sun_family = AF_UNSPEC;
  T("unspec", connect(s, SA(&a), l));
  a.sun_family = AF_UNIX;
  T("len2", connect(s, SA(&a), 2));
  T("len1", connect(s, SA(&a), 1));
  close(s);
  P();

  B("28 SO_PASSCRED autobind:");
  s = listener(SOCK_STREAM, "n28", 2);
  t = sock(SOCK_STREAM);
  int one = 1;
  T("setsockopt", setsockopt(t, SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
  gl = sizeof g;
  getsockname(t, SA(&g), &gl);
  A(" len_before=%u", gl);
  T("connect", connect_abs(t, "n28"));
  gl = sizeof g;
  getsockname(t, SA(&g), &gl);
  A(" len_after=%u", gl);
  u = accept(s, SA(&g), (gl = sizeof g, &gl));
  A(" accept_peer_len=%u", gl);
  close(s); close(t); close(u);
  P();
}

/* ================= B ================= */
static void section_b(void) {
  int s, t, u, v, sv[2];
  struct sockaddr_un a, g;
  socklen_t l, gl;
  char buf[1024];

  B("29 listen errors:");
  s = sock(SOCK_STREAM);
  T("unbound", listen(s, 1));
  close(s);
  s = sock(SOCK_DGRAM);
  T("dgram", listen(s, 1));
  close(s);
  P();

  B("30 listen twice:");
  s = listener(SOCK_STREAM, "n30", 1);
  T("raise", listen(s, 10));
  T("lower", listen(s, 0));
  close(s);
  P();

  B("31 listen on connected:");
  pair(SOCK_STREAM, sv);
  T("pair_end", listen(sv[0], 1));
  close(sv[0]); close(sv[1]);
  conn_pair(SOCK_STREAM, "n31", &t, &u);
  T("client", listen(t, 1));
  close(t); close(u);
  P();

  B("32 backlog -1:");
  s = listener(SOCK_STREAM, "n32", -1);
  int ok = 0;
  int cs[8];
  for (int i = 0; i < 8; i++) {
    cs[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (connect_abs(cs[i], "n32") == 0) ok++;
  }
  A(" connects_ok=%d/8", ok);
  for (int i = 0; i < 8; i++) close(cs[i]);
  close(s);
  P();

  B("33 listen(0):");
  s = listener(SOCK_STREAM, "n33", 0);
  t = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  u = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  T("connect#1", connect_abs(t, "n33"));
  T("connect#2(nonblock)", connect_abs(u, "n33"));
  P();

  B("34 after EAGAIN:");
  T("send", send(u, "x", 1, MSG_NOSIGNAL));
  T("getpeername", getpeername(u, SA(&g), (gl = sizeof g, &gl)));
  TP("poll_listener", s);
  v = accept(s, NULL, NULL);
  T("retry_after_accept", connect_abs(u, "n33"));
  close(t); close(u); close(v); close(s);
  P();

  B("36 connect without accept:");
  s = listener(SOCK_STREAM, "n36", 1);
  t = sock(SOCK_STREAM);
  T("connect", connect_abs(t, "n36"));
  T("write", write(t, "early", 5));
  TP("poll_client", t);
  u = accept(s, NULL, NULL);
  T("read_after_accept", read(u, buf, sizeof buf));
  close(s); close(t); close(u);
  P();

  B("37 ECONNREFUSED:");
  s = sock(SOCK_STREAM);
  l = absaddr(&a, "n37");
  bind(s, SA(&a), l);
  t = sock(SOCK_STREAM);
  T("not_listening", connect(t, SA(&a), l));
  listen(s, 1);
  T("shut_rd_listener", shutdown(s, SHUT_RD));
  T("connect_after_shut_rd", connect(t, SA(&a), l));
  close(s); close(t);
  P();

  B("38 connect state:");
  s = listener(SOCK_STREAM, "n38", 4);
  t = sock(SOCK_STREAM);
  connect_abs(t, "n38");
  T("connected", connect_abs(t, "n38"));
  T("connected_missing_target", connect_abs(t, "n38-none"));
  T("listener_to_self", connect_abs(s, "n38"));
  close(t); close(s);
  P();

  B("39 accept errors:");
  s = sock(SOCK_STREAM);
  TF("unbound", accept(s, NULL, NULL));
  l = absaddr(&a, "n39");
  bind(s, SA(&a), l);
  TF("not_listening", accept(s, NULL, NULL));
  close(s);
  s = sock(SOCK_DGRAM);
  TF("dgram", accept(s, NULL, NULL));
  close(s);
  pair(SOCK_STREAM, sv);
  TF("pair_end", accept(sv[0], NULL, NULL));
  close(sv[0]); close(sv[1]);
  P();

  B("40 nonblocking accept:");
  s = listener(SOCK_STREAM | SOCK_NONBLOCK, "n40", 1);
  TF("empty", accept(s, NULL, NULL));
  TF("accept4_dontwait_flag", accept4(s, NULL, NULL, SOCK_NONBLOCK));
  close(s);
  P();

  B("41 listener SHUT_RD:");
  s = listener(SOCK_STREAM, "n41", 2);
  t = sock(SOCK_STREAM);
  connect_abs(t, "n41");
  T("shutdown", shutdown(s, SHUT_RD));
  TP("poll", s);
  u = accept(s, NULL, NULL);
  A(" pending_accept=%s", F(u));
  TF("empty_nonblock", accept4(s, NULL, NULL, 0) < 0 ? -1 : 0);
  close(u);
  nonblock(s);
  TF("empty_ononblock", accept(s, NULL, NULL));
  fcntl(s, F_SETFL, 0);
  TF("empty_blocking", accept(s, NULL, NULL));
  close(s); close(t);
  P();

  B("42 accept address:");
  s = listener(SOCK_STREAM, "n42", 2);
  t = sock(SOCK_STREAM);
  connect_abs(t, "n42");
  gl = sizeof g;
  u = accept(s, SA(&g), &gl);
  A(" unbound_client_len=%u", gl);
  close(u); close(t);
  t = sock(SOCK_STREAM);
  l = absaddr(&a, "n42c");
  bind(t, SA(&a), l);
  connect_abs(t, "n42");
  gl = sizeof g;
  u = accept(s, SA(&g), &gl);
  A(" bound_client_len=%u expect=%u same=%d", gl, l, memcmp(&g, &a, l) == 0);
  close(u); close(t); close(s);
  P();

  B("43 accept4 flags:");
  s = listener(SOCK_STREAM | SOCK_NONBLOCK, "n43", 2);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  t = sock(SOCK_STREAM);
  connect_abs(t, "n43");
  TF("bad_flag", accept4(s, NULL, NULL, O_APPEND));
  u = accept4(s, NULL, NULL, 0);
  A(" accepted=%s nonblock=%d passcred=%d", F(u), (fcntl(u, F_GETFL) & O_NONBLOCK) != 0, getint(u, SO_PASSCRED));
  close(u); close(t);
  t = sock(SOCK_STREAM);
  connect_abs(t, "n43");
  u = accept4(s, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  A(" flags_nonblock=%d cloexec=%d", (fcntl(u, F_GETFL) & O_NONBLOCK) != 0, fcntl(u, F_GETFD));
  close(u); close(t); close(s);
  P();

  B("44 names on a connection:");
  s = listener(SOCK_STREAM, "n44", 2);
  t = sock(SOCK_STREAM);
  connect_abs(t, "n44");
  u = accept(s, NULL, NULL);
  l = absaddr(&a, "n44");
  gl = sizeof g; getsockname(u, SA(&g), &gl);
  A(" accepted_name=%s", gl == l && !memcmp(&g, &a, l) ? "listener" : "other");
  gl = sizeof g; getpeername(t, SA(&g), &gl);
  A(" client_peer=%s", gl == l && !memcmp(&g, &a, l) ? "listener" : "other");
  gl = sizeof g; getpeername(u, SA(&g), &gl);
  A(" accepted_peer_len=%u", gl);
  gl = sizeof g; getsockname(t, SA(&g), &gl);
  A(" client_name_len=%u", gl);
  l = absaddr(&a, "n44c");
  T("client_bind_later", bind(t, SA(&a), l));
  write(t, "z", 1);
  gl = sizeof g;
  recvfrom(u, buf, 1, 0, SA(&g), &gl);
  A(" recvfrom_len=%u", gl);
  gl = sizeof g; getpeername(u, SA(&g), &gl);
  A(" accepted_peer_len_after=%u", gl);
  close(u); close(t); close(s);
  P();

  B("45 getpeername ENOTCONN:");
  s = sock(SOCK_STREAM);
  T("unconnected", getpeername(s, SA(&g), (gl = sizeof g, &gl)));
  close(s);
  s = listener(SOCK_STREAM, "n45", 1);
  T("listener", getpeername(s, SA(&g), (gl = sizeof g, &gl)));
  close(s);
  P();

  B("46 stream recvfrom address:");
  pair(SOCK_STREAM, sv);
  write(sv[0], "a", 1);
  memset(&g, 0x55, sizeof g);
  gl = sizeof g;
  T("recvfrom", recvfrom(sv[1], buf, 1, 0, SA(&g), &gl));
  A(" unbound_len=%u", gl);
  l = absaddr(&a, "n46");
  bind(sv[0], SA(&a), l);
  write(sv[0], "b", 1);
  gl = sizeof g;
  recvfrom(sv[1], buf, 1, 0, SA(&g), &gl);
  A(" bound_len=%u expect=%u", gl, l);
  close(sv[0]); close(sv[1]);
  P();

  B("47 listener closed with pending:");
  s = listener(SOCK_STREAM, "n47", 4);
  t = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  u = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  connect_abs(t, "n47");
  connect_abs(u, "n47");
  write(t, "lost", 4);
  close(s);
  TP("poll", t);
  T("read", read(t, buf, sizeof buf));
  T("read2", read(t, buf, sizeof buf));
  A(" so_error=%d", getint(t, SO_ERROR));
  T("write", send(t, "x", 1, MSG_NOSIGNAL));
  int e1 = getint(u, SO_ERROR);
  int e2 = getint(u, SO_ERROR);
  A(" other: so_error=%d so_error2=%d", e1, e2);
  T("read", read(u, buf, sizeof buf));
  close(t); close(u);
  P();

  B("48 peer closed, empty queue:");
  pair(SOCK_STREAM, sv);
  write(sv[0], "data", 4);
  close(sv[0]);
  T("read", read(sv[1], buf, sizeof buf));
  T("eof", read(sv[1], buf, sizeof buf));
  T("eof2", read(sv[1], buf, sizeof buf));
  T("waitall", recv(sv[1], buf, 10, MSG_WAITALL));
  TP("poll", sv[1]);
  close(sv[1]);
  P();

  B("49 peer closed with unread data:");
  pair(SOCK_STREAM, sv);
  write(sv[0], "to1", 3);
  write(sv[1], "unread", 6);
  close(sv[1]);
  T("stream_read", read(sv[0], buf, sizeof buf));
  T("then", read(sv[0], buf, sizeof buf));
  T("then", read(sv[0], buf, sizeof buf));
  close(sv[0]);
  pair(SOCK_SEQPACKET, sv);
  write(sv[0], "to1", 3);
  write(sv[1], "unread", 6);
  close(sv[1]);
  T("seqpacket_read", read(sv[0], buf, sizeof buf));
  T("then", read(sv[0], buf, sizeof buf));
  T("then", read(sv[0], buf, sizeof buf));
  close(sv[0]);
  P();

  B("50 EPIPE and SIGPIPE:");
  signal(SIGPIPE, on_sigpipe);
  sigpipes = 0;
  pair(SOCK_STREAM, sv);
  close(sv[1]);
  T("write", write(sv[0], "x", 1));
  A(" sigpipes=%d", sigpipes);
  T("nosignal", send(sv[0], "x", 1, MSG_NOSIGNAL));
  A(" sigpipes=%d", sigpipes);
  close(sv[0]);
  pair(SOCK_STREAM, sv);
  shutdown(sv[1], SHUT_RD);
  T("peer_shut_rd", send(sv[0], "x", 1, MSG_NOSIGNAL));
  shutdown(sv[0], SHUT_WR);
  T("own_shut_wr", write(sv[0], "x", 1));
  A(" sigpipes=%d", sigpipes);
  signal(SIGPIPE, SIG_IGN);
  T("ignored", write(sv[0], "x", 1));
  A(" sigpipes=%d", sigpipes);
  close(sv[0]); close(sv[1]);
  P();

  B("51 seqpacket EPIPE:");
  signal(SIGPIPE, on_sigpipe);
  sigpipes = 0;
  pair(SOCK_SEQPACKET, sv);
  close(sv[1]);
  T("write", write(sv[0], "x", 1));
  A(" sigpipes=%d", sigpipes);
  close(sv[0]);
  pair(SOCK_SEQPACKET, sv);
  shutdown(sv[0], SHUT_WR);
  T("own_shut_wr", write(sv[0], "x", 1));
  A(" sigpipes=%d", sigpipes);
  close(sv[0]); close(sv[1]);
  signal(SIGPIPE, SIG_IGN);
  P();

  B("52 not connected:");
  s = sock(SOCK_STREAM);
  T("stream_send", send(s, "x", 1, MSG_NOSIGNAL));
  T("stream_write", write(s, "x", 1));
  T("stream_recv", recv(s, buf, 1, MSG_DONTWAIT));
  T("stream_read", read(s, buf, 1));
  close(s);
  s = listener(SOCK_STREAM, "n52", 1);
  T("listener_send", send(s, "x", 1, MSG_NOSIGNAL));
  T("listener_recv", recv(s, buf, 1, MSG_DONTWAIT));
  close(s);
  s = sock(SOCK_SEQPACKET);
  T("seqpacket_send", send(s, "x", 1, MSG_NOSIGNAL));
  T("seqpacket_recv", recv(s, buf, 1, MSG_DONTWAIT));
  close(s);
  P();

  B("53 stream sendto:");
  pair(SOCK_STREAM, sv);
  l = absaddr(&a, "n53");
  T("connected", sendto(sv[0], "x", 1, MSG_NOSIGNAL, SA(&a), l));
  T("connected_null_addr", sendto(sv[0], "x", 1, MSG_NOSIGNAL, NULL, 0));
  close(sv[0]); close(sv[1]);
  s = sock(SOCK_STREAM);
  T("unconnected", sendto(s, "x", 1, MSG_NOSIGNAL, SA(&a), l));
  close(s);
  P();

  B("54 seqpacket sendto:");
  pair(SOCK_SEQPACKET, sv);
  T("connected", sendto(sv[0], "x", 1, MSG_NOSIGNAL, SA(&a), l));
  T("recv", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
  close(sv[0]); close(sv[1]);
  s = sock(SOCK_SEQPACKET);
  T("unconnected", sendto(s, "x", 1, MSG_NOSIGNAL, SA(&a), l));
  close(s);
  P();

  B("55 shutdown args:");
  pair(SOCK_STREAM, sv);
  T("how3", shutdown(sv[0], 3));
  T("how-1", shutdown(sv[0], -1));
  close(sv[0]); close(sv[1]);
  s = sock(SOCK_STREAM);
  T("unconnected", shutdown(s, SHUT_RDWR));
  close(s);
  int pp[2];
  if (pipe(pp) == 0) {
    T("pipe", shutdown(pp[0], SHUT_RD));
    close(pp[0]);
    close(pp[1]);
  }
  P();

  B("56 SHUT_RD:");
  pair(SOCK_STREAM, sv);
  write(sv[1], "queued", 6);
  shutdown(sv[0], SHUT_RD);
  T("read_queued", read(sv[0], buf, sizeof buf));
  T("then", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
  T("peer_write", send(sv[1], "x", 1, MSG_NOSIGNAL));
  T("own_write", write(sv[0], "back", 4));
  T("peer_read", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
  TP("poll_self", sv[0]);
  TP("poll_peer", sv[1]);
  close(sv[0]); close(sv[1]);
  P();

  B("57 SHUT_WR:");
  pair(SOCK_STREAM, sv);
  write(sv[0], "last", 4);
  shutdown(sv[0], SHUT_WR);
  T("own_write", send(sv[0], "x", 1, MSG_NOSIGNAL));
  nonblock(sv[1]);
  T("peer_read", read(sv[1], buf, sizeof buf));
  T("peer_eof_nonblock", read(sv[1], buf, sizeof buf));
  T("peer_write", write(sv[1], "ok", 2));
  T("own_read", read(sv[0], buf, sizeof buf));
  TP("poll_self", sv[0]);
  TP("poll_peer", sv[1]);
  close(sv[0]); close(sv[1]);
  P();

  B("58 SHUT_RDWR both:");
  pair(SOCK_STREAM, sv);
  write(sv[0], "ab", 2);
  write(sv[1], "cd", 2);
  shutdown(sv[0], SHUT_RDWR);
  shutdown(sv[1], SHUT_RDWR);
  T("read0", read(sv[0], buf, sizeof buf));
  T("read1", read(sv[1], buf, sizeof buf));
  T("eof0", read(sv[0], buf, sizeof buf));
  TP("poll", sv[0]);
  close(sv[0]); close(sv[1]);
  P();

  B("59 poll after shutdown:");
  pair(SOCK_STREAM, sv);
  shutdown(sv[0], SHUT_RDWR);
  TP("own_rdwr", sv[0]);
  TP("peer_of_rdwr", sv[1]);
  close(sv[0]); close(sv[1]);
  pair(SOCK_STREAM, sv);
  shutdown(sv[0], SHUT_RD);
  TP("own_rd", sv[0]);
  TP("peer_of_rd", sv[1]);
  close(sv[0]); close(sv[1]);
  pair(SOCK_STREAM, sv);
  shutdown(sv[0], SHUT_WR);
  TP("own_wr", sv[0]);
  TP("peer_of_wr", sv[1]);
  close(sv[0]);
  TP("peer_closed", sv[1]);
  close(sv[1]);
  pair(SOCK_SEQPACKET, sv);
  close(sv[0]);
  TP("seqpacket_peer_closed", sv[1]);
  close(sv[1]);
  P();

  B("60 poll fresh/listener:");
  s = sock(SOCK_STREAM);
  TP("fresh_stream", s);
  l = absaddr(&a, "n60");
  bind(s, SA(&a), l);
  TP("bound", s);
  listen(s, 1);
  TP("listener", s);
  t = sock(SOCK_STREAM);
  connect(t, SA(&a), l);
  TP("listener_pending", s);
  TP("client_pending", t);
  close(s); close(t);
  s = sock(SOCK_SEQPACKET);
  TP("fresh_seqpacket", s);
  close(s);
  s = sock(SOCK_DGRAM);
  TP("fresh_dgram", s);
  close(s);
  P();

  B("61 POLLOUT and sndbuf:");
  pair(SOCK_STREAM, sv);
  int sz = 8192;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  nonblock(sv[0]);
  long total = 0, n;
  static char chunk[65536];
  memset(chunk, 'c', sizeof chunk);
  TP("empty", sv[0]);
  T("write100", write(sv[0], chunk, 100));
  TP("after100", sv[0]);
  A(" outq=%d", getoutq(sv[0]));
  while ((n = write(sv[0], chunk, 1000)) > 0) total += n;
  A(" filled_with_1000s=%ld outq=%d", total + 100, getoutq(sv[0]));
  T("then", write(sv[0], chunk, 1000));
  TP("full", sv[0]);
  T("write1", write(sv[0], chunk, 1));
  close(sv[0]); close(sv[1]);
  P();

  B("62 stream boundaries:");
  pair(SOCK_STREAM, sv);
  write(sv[0], chunk, 20);
  write(sv[0], chunk, 20);
  T("recv40", recv(sv[1], buf, 40, 0));
  write(sv[0], chunk, 512);
  T("recv256", recv(sv[1], buf, 256, 0));
  T("recv256", recv(sv[1], buf, 256, 0));
  P();

  B("63 stream peek:");
  write(sv[0], "abc", 3);
  write(sv[0], "def", 3);
  memset(buf, 0, 16);
  T("peek", recv(sv[1], buf, 16, MSG_PEEK));
  A(" data=%s", buf);
  memset(buf, 0, 16);
  T("read", recv(sv[1], buf, 16, 0));
  A(" data=%s", buf);
  P();

  B("65 EAGAIN:");
  T("dontwait", recv(sv[1], buf, 16, MSG_DONTWAIT));
  T("waitall_dontwait", recv(sv[1], buf, 16, MSG_DONTWAIT | MSG_WAITALL));
  nonblock(sv[1]);
  T("o_nonblock", read(sv[1], buf, 16));
  T("o_nonblock_waitall", recv(sv[1], buf, 16, MSG_WAITALL));
  fcntl(sv[1], F_SETFL, 0);
  P();

  B("66 zero-byte reads:");
  write(sv[0], "q", 1);
  struct iovec iov0 = {buf, 0};
  struct msghdr m0 = {0};
  m0.msg_iov = &iov0; m0.msg_iovlen = 1;
  T("recvmsg0", recvmsg(sv[1], &m0, 0));
  A(" flags=%s", flagstr(m0.msg_flags));
  T("fionread", ioctl(sv[1], FIONREAD, &n) == 0 ? (long)(int)n : -1);
  T("read0", read(sv[1], buf, 0));
  recv(sv[1], buf, 1, 0);
  T("recvmsg0_empty_dontwait", recvmsg(sv[1], &m0, MSG_DONTWAIT));
  T("read0_empty", read(sv[1], buf, 0));
  P();

  B("67 stream MSG_TRUNC:");
  write(sv[0], chunk, 512);
  struct iovec iov = {buf, 256};
  struct msghdr m = {0};
  m.msg_iov = &iov; m.msg_iovlen = 1;
  T("recvmsg_trunc", recvmsg(sv[1], &m, MSG_TRUNC));
  A(" flags=%s", flagstr(m.msg_flags));
  recv(sv[1], buf, 256, 0);
  close(sv[0]); close(sv[1]);
  P();

  B("68 SO_RCVTIMEO:");
  pair(SOCK_STREAM, sv);
  struct timeval tv = {0, 1000000};
  T("usec_1e6", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
  tv.tv_usec = -1;
  T("usec_neg", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
  tv.tv_usec = 20000;
  T("20ms", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
  T("read_expires", read(sv[0], buf, 1));
  struct timeval got;
  socklen_t gotl = sizeof got;
  getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &got, &gotl);
  A(" get=%ld.%06ld", (long)got.tv_sec, (long)got.tv_usec);
  close(sv[0]); close(sv[1]);
  P();

  B("69 SO_SNDBUF:");
  s = sock(SOCK_STREAM);
  A(" default=%d rcvbuf_default=%d", getint(s, SO_SNDBUF), getint(s, SO_RCVBUF));
  sz = 10000;
  T("set10000", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz));
  A(" get=%d", getint(s, SO_SNDBUF));
  sz = 1;
  setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  A(" set1_get=%d", getint(s, SO_SNDBUF));
  sz = 1;
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
  A(" rcvbuf_set1_get=%d", getint(s, SO_RCVBUF));
  close(s);
  P();

  B("70 flow control:");
  pair(SOCK_STREAM, sv);
  sz = 20000;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  T("nonblock_big", send(sv[0], chunk, 65536, MSG_DONTWAIT));
  A(" outq=%d", getoutq(sv[0]));
  T("again", send(sv[0], chunk, 100, MSG_DONTWAIT));
  sz = 4096;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  T("after_shrink", send(sv[0], chunk, 1, MSG_DONTWAIT));
  total = 0;
  while ((n = recv(sv[1], chunk, sizeof chunk, MSG_DONTWAIT)) > 0) total += n;
  A(" drained=%ld", total);
  T("after_drain", send(sv[0], chunk, 100, MSG_DONTWAIT));
  close(sv[0]); close(sv[1]);
  P();

  B("73 zero write:");
  pair(SOCK_STREAM, sv);
  T("write0", write(sv[0], buf, 0));
  T("send0", send(sv[0], buf, 0, 0));
  T("recv", recv(sv[1], buf, 1, MSG_DONTWAIT));
  close(sv[0]); close(sv[1]);
  P();

  B("74 MSG_OOB:");
  pair(SOCK_SEQPACKET, sv);
  T("seqpacket", send(sv[0], "x", 1, MSG_OOB));
  close(sv[0]); close(sv[1]);
  pair(SOCK_DGRAM, sv);
  T("dgram", send(sv[0], "x", 1, MSG_OOB));
  close(sv[0]); close(sv[1]);
  P();

  B("129 SO_TYPE etc:");
  s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
  A(" type=%d domain=%d protocol=%d acceptconn=%d", getint(s, SO_TYPE), getint(s, SO_DOMAIN), getint(s, SO_PROTOCOL), getint(s, SO_ACCEPTCONN));
  l = absaddr(&a, "n129");
  bind(s, SA(&a), l);
  listen(s, 1);
  A(" acceptconn_listening=%d", getint(s, SO_ACCEPTCONN));
  close(s);
  P();

  B("131 option errors:");
  s = sock(SOCK_STREAM);
  int val = 0;
  socklen_t vl = sizeof val;
  T("get_unknown", getsockopt(s, SOL_SOCKET, 9999, &val, &vl));
  T("set_unknown", setsockopt(s, SOL_SOCKET, 9999, &val, sizeof val));
  T("get_level6", getsockopt(s, 6, 1, &val, &vl));
  T("set_level6", setsockopt(s, 6, 1, &val, sizeof val));
  int negl = -1;
  T("get_neglen", getsockopt(s, SOL_SOCKET, SO_TYPE, &val, (socklen_t *)&negl));
  T("set_shortlen", setsockopt(s, SOL_SOCKET, SO_PASSCRED, &val, 2));
  vl = 2;
  T("get_shortlen", getsockopt(s, SOL_SOCKET, SO_TYPE, &val, &vl));
  A(" len=%u", vl);
  close(s);
  P();

  B("132 SO_PASSCRED per socket:");
  pair(SOCK_STREAM, sv);
  one = 1;
  setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  A(" set=%d peer=%d", getint(sv[0], SO_PASSCRED), getint(sv[1], SO_PASSCRED));
  close(sv[0]); close(sv[1]);
  P();

  B("133 FIONREAD:");
  pair(SOCK_STREAM, sv);
  write(sv[0], "abc", 3);
  write(sv[0], "de", 2);
  int q = -1;
  T("stream", ioctl(sv[1], FIONREAD, &q));
  A(" n=%d", q);
  close(sv[0]); close(sv[1]);
  pair(SOCK_SEQPACKET, sv);
  write(sv[0], "abc", 3);
  write(sv[0], "de", 2);
  T("seqpacket", ioctl(sv[1], FIONREAD, &q));
  A(" n=%d", q);
  close(sv[0]); close(sv[1]);
  pair(SOCK_DGRAM, sv);
  write(sv[0], "abc", 3);
  write(sv[0], "de", 2);
  T("dgram", ioctl(sv[1], FIONREAD, &q));
  A(" n=%d", q);
  close(sv[0]); close(sv[1]);
  s = listener(SOCK_STREAM, "n133", 1);
  T("listener", ioctl(s, FIONREAD, &q));
  close(s);
  P();
}

/* ================= C: datagram ================= */
static void section_c(void) {
  int s, t, u, sv[2];
  struct sockaddr_un a, g;
  socklen_t l, gl;
  char buf[1024];
  static char chunk[300000];
  memset(chunk, 'd', sizeof chunk);

  B("75 dgram boundaries:");
  pair(SOCK_DGRAM, sv);
  send(sv[0], chunk, 20, 0);
  send(sv[0], chunk, 20, 0);
  T("recv40", recv(sv[1], buf, 40, 0));
  T("recv40", recv(sv[1], buf, 40, 0));
  P();

  B("76 dgram truncation:");
  send(sv[0], chunk, 100, 0);
  struct iovec iov = {buf, 10};
  struct msghdr m = {0};
  m.msg_iov = &iov; m.msg_iovlen = 1;
  T("recvmsg10", recvmsg(sv[1], &m, 0));
  A(" flags=%s", flagstr(m.msg_flags));
  T("rest_gone", recv(sv[1], buf, 100, MSG_DONTWAIT));
  send(sv[0], chunk, 100, 0);
  T("recv_flag_trunc", recv(sv[1], buf, 10, MSG_TRUNC));
  P();

  B("77 dgram peek:");
  send(sv[0], "one", 3, 0);
  send(sv[0], "two!", 4, 0);
  T("peek", recv(sv[1], buf, 100, MSG_PEEK));
  T("peek", recv(sv[1], buf, 100, MSG_PEEK));
  T("recv", recv(sv[1], buf, 100, 0));
  T("recv", recv(sv[1], buf, 100, 0));
  P();

  B("78 peek|trunc size:");
  send(sv[0], chunk, 77, 0);
  T("size", recv(sv[1], NULL, 0, MSG_PEEK | MSG_TRUNC));
  T("still", recv(sv[1], buf, 100, 0));
  T("empty", recv(sv[1], NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT));
  P();

  B("79 zero-length datagram:");
  T("send0", send(sv[0], buf, 0, 0));
  T("recv", recv(sv[1], buf, 100, MSG_DONTWAIT));
  T("empty", recv(sv[1], buf, 100, MSG_DONTWAIT));
  send(sv[0], "abc", 3, 0);
  iov.iov_len = 0;
  T("recvmsg0", recvmsg(sv[1], &m, 0));
  A(" flags=%s", flagstr(m.msg_flags));
  T("consumed", recv(sv[1], buf, 100, MSG_DONTWAIT));
  P();

  B("80 EMSGSIZE:");
  T("212960", send(sv[0], chunk, 212960, MSG_DONTWAIT));
  T("212961", send(sv[0], chunk, 212961, MSG_DONTWAIT));
  T("recv", recv(sv[1], chunk, sizeof chunk, MSG_DONTWAIT));
  close(sv[0]); close(sv[1]);
  P();

  B("81 dgram send unconnected:");
  s = sock(SOCK_DGRAM);
  T("send", send(s, "x", 1, 0));
  T("write", write(s, "x", 1));
  P();

  B("82 sender address:");
  t = sock(SOCK_DGRAM);
  l = absaddr(&a, "d82");
  bind(t, SA(&a), l);
  T("sendto_unbound", sendto(s, "x", 1, 0, SA(&a), l));
  memset(&g, 0x55, sizeof g);
  gl = sizeof g;
  recvfrom(t, buf, 10, 0, SA(&g), &gl);
  A(" from_len=%u", gl);
  struct sockaddr_un b;
  socklen_t bl = absaddr(&b, "d82s");
  bind(s, SA(&b), bl);
  sendto(s, "x", 1, 0, SA(&a), l);
  gl = sizeof g;
  recvfrom(t, buf, 10, 0, SA(&g), &gl);
  A(" bound_from_len=%u expect=%u same=%d", gl, bl, memcmp(&g, &b, bl) == 0);
  close(s);
  P();

  B("83 SO_PASSCRED autobind by sendto:");
  s = sock(SOCK_DGRAM);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  sendto(s, "x", 1, 0, SA(&a), l);
  gl = sizeof g;
  recvfrom(t, buf, 10, 0, SA(&g), &gl);
  A(" from_len=%u", gl);
  close(s);
  P();

  B("84 dgram connect:");
  s = sock(SOCK_DGRAM);
  T("connect", connect(s, SA(&a), l));
  T("send", send(s, "hi", 2, 0));
  T("recv", recv(t, buf, 10, MSG_DONTWAIT));
  gl = sizeof g;
  T("getpeername", getpeername(s, SA(&g), &gl));
  A(" len=%u", gl);
  T("reconnect", connect(s, SA(&a), l));
  T("connect_self", connect(t, SA(&a), l));
  T("send_self", send(t, "me", 2, 0));
  T("recv_self", recv(t, buf, 10, MSG_DONTWAIT));
  P();

  B("85 AF_UNSPEC:");
  struct sockaddr un = {0};
  un.sa_family = AF_UNSPEC;
  T("disconnect", connect(s, &un, sizeof un));
  T("getpeername", getpeername(s, SA(&g), (gl = sizeof g, &gl)));
  T("send", send(s, "x", 1, 0));
  T("disconnect_t", connect(t, &un, sizeof un));
  close(s);
  P();

  B("86 reconnect purges queue:");
  /* t bound (d82) ; u bound d86; s connected to t and t connected to s */
  s = sock(SOCK_DGRAM);
  bl = absaddr(&b, "d86s");
  bind(s, SA(&b), bl);
  T("s_to_t", connect(s, SA(&a), l));
  T("t_to_s", connect(t, SA(&b), bl));
  send(t, "queued", 6, 0);
  u = sock(SOCK_DGRAM);
  struct sockaddr_un c;
  socklen_t cl = absaddr(&c, "d86u");
  bind(u, SA(&c), cl);
  T("s_to_u", connect(s, SA(&c), cl));
  T("s_recv_after", recv(s, buf, 10, MSG_DONTWAIT));
  T("t_send", send(t, "x", 1, 0));
  T("t_send_again", send(t, "x", 1, 0));
  A(" t_so_error=%d", getint(t, SO_ERROR));
  close(s); close(u);
  P();

  B("87 EPERM:");
  /* u connected to s; t sends to u */
  s = sock(SOCK_DGRAM);
  bl = absaddr(&b, "d87s");
  bind(s, SA(&b), bl);
  u = sock(SOCK_DGRAM);
  cl = absaddr(&c, "d87u");
  bind(u, SA(&c), cl);
  connect(u, SA(&b), bl);
  T("sendto", sendto(t, "x", 1, 0, SA(&c), cl));
  T("connect", connect(t, SA(&c), cl));
  T("from_peer", sendto(s, "x", 1, 0, SA(&c), cl));
  P();

  B("88 connected peer closed:");
  T("u_send", send(u, "x", 1, 0));
  close(s);
  T("send", send(u, "x", 1, 0));
  T("send_again", send(u, "x", 1, 0));
  T("getpeername", getpeername(u, SA(&g), (gl = sizeof g, &gl)));
  close(u);
  P();

  B("89 recv after peer closed:");
  pair(SOCK_DGRAM, sv);
  send(sv[0], "x", 1, 0);
  close(sv[0]);
  T("recv", recv(sv[1], buf, 10, MSG_DONTWAIT));
  T("then", recv(sv[1], buf, 10, MSG_DONTWAIT));
  TP("poll", sv[1]);
  T("send", send(sv[1], "x", 1, 0));
  T("send_again", send(sv[1], "x", 1, 0));
  close(sv[1]);
  P();

  B("90 sendto closed path:");
  s = sock(SOCK_DGRAM);
  struct sockaddr_un pa;
  socklen_t pal = pathaddr(&pa, "d90");
  bind(s, SA(&pa), pal);
  close(s);
  s = sock(SOCK_DGRAM);
  T("sendto", sendto(s, "x", 1, 0, SA(&pa), pal));
  T("connect", connect(s, SA(&pa), pal));
  close(s);
  unlink(pathof("d90"));
  P();

  B("91 dgram SHUT_WR:");
  signal(SIGPIPE, on_sigpipe);
  sigpipes = 0;
  s = sock(SOCK_DGRAM);
  shutdown(s, SHUT_WR);
  T("sendto", sendto(s, "x", 1, 0, SA(&a), l));
  A(" sigpipes=%d", sigpipes);
  close(s);
  pair(SOCK_DGRAM, sv);
  shutdown(sv[0], SHUT_WR);
  T("pair_send", send(sv[0], "x", 1, 0));
  T("peer_send", send(sv[1], "y", 1, 0));
  T("own_recv", recv(sv[0], buf, 10, MSG_DONTWAIT));
  A(" sigpipes=%d", sigpipes);
  close(sv[0]); close(sv[1]);
  signal(SIGPIPE, SIG_IGN);
  P();

  B("92 dgram SHUT_RD:");
  pair(SOCK_DGRAM, sv);
  shutdown(sv[1], SHUT_RD);
  T("send_to_shut_rd", send(sv[0], "x", 1, 0));
  T("own_recv_nonblock", recv(sv[1], buf, 10, MSG_DONTWAIT));
  T("own_recv_blocking", recv(sv[1], buf, 10, 0));
  close(sv[0]); close(sv[1]);
  P();

  B("93 max_dgram_qlen:");
  /* a fresh receiver (t is still connected to a closed socket) */
  close(t);
  t = sock(SOCK_DGRAM);
  l = absaddr(&a, "d93");
  bind(t, SA(&a), l);
  s = sock(SOCK_DGRAM);
  int ok = 0;
  long r = 0;
  for (int i = 0; i < 20; i++) {
    r = sendto(s, "m", 1, MSG_DONTWAIT, SA(&a), l);
    if (r != 1) break;
    ok++;
  }
  A(" queued=%d next=%s", ok, R(r));
  TP("poll_sender", s);
  recv(t, buf, 10, MSG_DONTWAIT);
  T("after_one_recv", sendto(s, "m", 1, MSG_DONTWAIT, SA(&a), l));
  close(s);
  pair(SOCK_DGRAM, sv);
  ok = 0;
  for (int i = 0; i < 40; i++) {
    if (send(sv[0], "m", 1, MSG_DONTWAIT) != 1) break;
    ok++;
  }
  A(" pair_queued=%d", ok);
  close(sv[0]); close(sv[1]);
  s = sock(SOCK_DGRAM);
  connect(s, SA(&a), l);
  ok = 0;
  for (int i = 0; i < 40; i++) {
    if (send(s, "m", 1, MSG_DONTWAIT) != 1) break;
    ok++;
  }
  A(" oneway_connected_queued=%d", ok);
  TP("poll_oneway_full", s);
  close(s);
  close(t);
  P();

  B("94/95 dgram poll:");
  pair(SOCK_DGRAM, sv);
  TP("pair", sv[0]);
  shutdown(sv[0], SHUT_WR);
  TP("shut_wr", sv[0]);
  shutdown(sv[0], SHUT_RDWR);
  TP("shut_rdwr", sv[0]);
  TP("peer", sv[1]);
  close(sv[0]); close(sv[1]);
  P();
}

/* ================= D ================= */
static void section_d(void) {
  int sv[2], s, t, u;
  char buf[256];
  struct sockaddr_un g;
  socklen_t gl;

  B("96 seqpacket boundaries:");
  s = listener(SOCK_SEQPACKET, "q96", 0);
  t = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
  T("connect#1", connect_abs(t, "q96"));
  u = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
  T("connect#2", connect_abs(u, "q96"));
  close(u);
  u = accept(s, NULL, NULL);
  send(t, "abcdefghij", 10, 0);
  send(t, "klm", 3, 0);
  struct iovec iov = {buf, 4};
  struct msghdr m = {0};
  m.msg_iov = &iov; m.msg_iovlen = 1;
  T("recvmsg4", recvmsg(u, &m, 0));
  A(" flags=%s", flagstr(m.msg_flags));
  iov.iov_len = 100;
  T("next", recvmsg(u, &m, 0));
  A(" flags=%s", flagstr(m.msg_flags));
  send(t, "abcdefghij", 10, 0);
  T("recv_trunc_flag", recv(u, buf, 4, MSG_TRUNC));
  static char big[300000];
  T("emsgsize", send(t, big, 212961, MSG_DONTWAIT));
  close(s); close(t); close(u);
  P();

  B("97/98 seqpacket EOF and empty message:");
  pair(SOCK_SEQPACKET, sv);
  T("send0", send(sv[0], buf, 0, 0));
  T("recv0", recv(sv[1], buf, 10, MSG_DONTWAIT));
  T("empty", recv(sv[1], buf, 10, MSG_DONTWAIT));
  send(sv[0], "x", 1, 0);
  shutdown(sv[0], SHUT_WR);
  T("drain", recv(sv[1], buf, 10, MSG_DONTWAIT));
  T("eof_nonblock", recv(sv[1], buf, 10, MSG_DONTWAIT));
  close(sv[0]);
  T("closed", recv(sv[1], buf, 10, 0));
  close(sv[1]);
  P();

  B("99 seqpacket peek size:");
  pair(SOCK_SEQPACKET, sv);
  send(sv[0], big, 33, 0);
  T("size", recvfrom(sv[1], NULL, 0, MSG_TRUNC | MSG_PEEK, NULL, NULL));
  close(sv[0]); close(sv[1]);
  P();

  B("100 socketpair:");
  T("stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv)); close(sv[0]); close(sv[1]);
  T("dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)); close(sv[0]); close(sv[1]);
  T("seqpacket", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv)); close(sv[0]); close(sv[1]);
  T("proto1", socketpair(AF_UNIX, SOCK_STREAM, 1, sv)); close(sv[0]); close(sv[1]);
  T("raw", socketpair(AF_UNIX, SOCK_RAW, 0, sv));
  A(" raw_type=%d", getint(sv[0], SO_TYPE));
  close(sv[0]); close(sv[1]);
  T("nonblock", socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
  A(" flags=%d,%d cloexec=%d,%d", (fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0, (fcntl(sv[1], F_GETFL) & O_NONBLOCK) != 0, fcntl(sv[0], F_GETFD), fcntl(sv[1], F_GETFD));
  close(sv[0]); close(sv[1]);
  T("proto2", socketpair(AF_UNIX, SOCK_STREAM, 2, sv));
  T("inet", socketpair(AF_INET, SOCK_STREAM, 0, sv));
  T("rdm", socketpair(AF_UNIX, SOCK_RDM, 0, sv));
  P();

  B("101 pair names:");
  pair(SOCK_STREAM, sv);
  gl = sizeof g; getsockname(sv[0], SA(&g), &gl);
  A(" name_len=%u", gl);
  gl = sizeof g; getpeername(sv[0], SA(&g), &gl);
  A(" peer_len=%u", gl);
  struct sockaddr_un a;
  socklen_t l = absaddr(&a, "q101");
  T("bind", bind(sv[0], SA(&a), l));
  gl = sizeof g; getpeername(sv[1], SA(&g), &gl);
  A(" peer_len_after=%u", gl);
  close(sv[0]); close(sv[1]);
  P();

  B("102 SO_PEERCRED on pairs:");
  for (int type = 1; type <= 5; type += (type == 2 ? 3 : 1)) {
    pair(type, sv);
    struct ucred cr;
    socklen_t cl = sizeof cr;
    int r = getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &cr, &cl);
    A(" type%d=%d pid_is_self=%d uid=%d gid=%d len=%u", type, r, cr.pid == getpid(), (int)cr.uid, (int)cr.gid, cl);
    close(sv[0]); close(sv[1]);
  }
  P();

  B("103 one end closed:");
  pair(SOCK_DGRAM, sv);
  close(sv[0]);
  T("dgram_write", send(sv[1], "x", 1, 0));
  T("then", send(sv[1], "x", 1, 0));
  T("read", recv(sv[1], buf, 1, MSG_DONTWAIT));
  close(sv[1]);
  pair(SOCK_SEQPACKET, sv);
  close(sv[0]);
  T("seqpacket_read", recv(sv[1], buf, 1, 0));
  T("seqpacket_write", send(sv[1], "x", 1, MSG_NOSIGNAL));
  close(sv[1]);
  P();

  B("127 SO_PEERCRED:");
  s = listener(SOCK_STREAM, "q127", 2);
  t = sock(SOCK_STREAM);
  struct ucred cr;
  socklen_t cl = sizeof cr;
  memset(&cr, 0x55, sizeof cr);
  int r = getsockopt(t, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
  A(" unconnected=%d pid=%d uid=%d gid=%d", r, cr.pid, (int)cr.uid, (int)cr.gid);
  connect_abs(t, "q127");
  u = accept(s, NULL, NULL);
  cl = sizeof cr;
  r = getsockopt(t, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
  A(" client=%d self=%d", r, cr.pid == getpid());
  cl = sizeof cr;
  r = getsockopt(u, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
  A(" accepted=%d self=%d", r, cr.pid == getpid());
  cl = sizeof cr;
  r = getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
  A(" listener=%d self=%d", r, cr.pid == getpid());
  cl = 8;
  r = getsockopt(u, SOL_SOCKET, SO_PEERCRED, &cr, &cl);
  A(" short=%d len=%u", r, cl);
  close(s); close(t); close(u);
  P();
}

/* ================= E ================= */
static void section_e(void) {
  int sv[2], fds[256];
  char buf[512];
  int file = open(pathof("scmfile"), O_CREAT | O_RDWR, 0600);
  write(file, "0123456789", 10);
  lseek(file, 0, SEEK_SET);
  struct rcv r;

  B("104 SCM_RIGHTS 3 fds:");
  pair(SOCK_STREAM, sv);
  int three[3] = {file, 0, file};
  T("send", send_fds(sv[0], "x", 1, three, 3, 0));
  r = rcvmsg(sv[1], 16, 64, 0, 0);
  Arcv("recv", &r);
  A(" same=%d,%d,%d increasing=%d", same_file(r.fds[0], file), same_file(r.fds[1], 0), same_file(r.fds[2], file), r.fds[0] < r.fds[1] && r.fds[1] < r.fds[2]);
  char c1;
  read(r.fds[0], &c1, 1);
  A(" shared_offset=%ld", (long)lseek(file, 0, SEEK_CUR));
  lseek(file, 0, SEEK_SET);
  closefds(&r);
  P();

  B("105 cloexec:");
  int ce = fcntl(file, F_DUPFD_CLOEXEC, 0);
  send_fds(sv[0], "x", 1, &ce, 1, 0);
  r = rcvmsg(sv[1], 16, 64, 0, 0);
  A(" sender_cloexec=%d received_cloexec=%d", fcntl(ce, F_GETFD), fcntl(r.fds[0], F_GETFD));
  closefds(&r);
  send_fds(sv[0], "x", 1, &file, 1, 0);
  r = rcvmsg(sv[1], 16, 64, MSG_CMSG_CLOEXEC, 0);
  A(" msg_cmsg_cloexec=%d flags=%s", fcntl(r.fds[0], F_GETFD), flagstr(r.flags));
  closefds(&r);
  close(ce);
  P();

  B("106 SCM_MAX_FD:");
  for (int i = 0; i < 256; i++) fds[i] = file;
  T("254", send_fds(sv[0], "x", 1, fds, 254, 0));
  T("253", send_fds(sv[0], "x", 1, fds, 253, 0));
  r = rcvmsg(sv[1], 16, 4096, 0, 0);
  Arcv("recv", &r);
  closefds(&r);
  P();

  B("107 bad fds:");
  int bad = -1;
  T("minus1", send_fds(sv[0], "x", 1, &bad, 1, 0));
  int closed = dup(file);
  close(closed);
  T("closed", send_fds(sv[0], "x", 1, &closed, 1, 0));
  int opath = open(dir, O_PATH);
  T("o_path", send_fds(sv[0], "x", 1, &opath, 1, 0));
  r = rcvmsg(sv[1], 16, 64, 0, 0);
  Arcv("recv", &r);
  closefds(&r);
  close(opath);
  T("nothing_else", recv(sv[1], buf, 16, MSG_DONTWAIT));
  P();

  B("108 control format:");
  {
    char ctl[64];
    struct iovec iov = {"x", 1};
    struct msghdr m = {0};
    m.msg_iov = &iov; m.msg_iovlen = 1;
    m.msg_control = ctl;
    struct cmsghdr *c = (struct cmsghdr *)ctl;
    memset(ctl, 0, sizeof ctl);
    m.msg_controllen = 24;
    c->cmsg_len = 12; c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS;
    T("len12", sendmsg(sv[0], &m, 0));
    c->cmsg_len = 40;
    T("past_end", sendmsg(sv[0], &m, 0));
    c->cmsg_len = 20; c->cmsg_type = 99;
    memcpy(CMSG_DATA(c), &file, 4);
    T("unknown_type", sendmsg(sv[0], &m, 0));
    c->cmsg_level = 99;
    T("other_level", sendmsg(sv[0], &m, 0));
    m.msg_controllen = 15;
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS;
    T("controllen15", sendmsg(sv[0], &m, 0));
    r = rcvmsg(sv[1], 16, 64, 0, 0);
    Arcv("recv", &r);
    closefds(&r);
  }
  P();

  B("109 zero fds:");
  T("send", send_fds(sv[0], "ab", 2, fds, 0, 0));
  T("plain", send(sv[0], "cd", 2, 0));
  r = rcvmsg(sv[1], 16, 64, 0, 0);
  Arcv("recv", &r);
  P();

  B("111 no control space:");
  send_fds(sv[0], "x", 1, &file, 1, 0);
  r = rcvmsg(sv[1], 16, 16, 0, 0);
  Arcv("controllen16", &r);
  send_fds(sv[0], "x", 1, &file, 1, 0);
  r = rcvmsg(sv[1], 16, 17, 0, 0);
  Arcv("controllen17", &r);
  send_fds(sv[0], "x", 1, &file, 1, 0);
  r = rcvmsg(sv[1], 16, 0, 0, 1);
  Arcv("null", &r);
  P();

  B("112 truncated fds:");
  send_fds(sv[0], "x", 1, three, 3, 0);
  r = rcvmsg(sv[1], 16, 24, 0, 0);
  Arcv("3into24", &r);
  A(" cmsg_len=%d", r.firstlen);
  closefds(&r);
  send_fds(sv[0], "x", 1, &file, 1, 0);
  r = rcvmsg(sv[1], 16, 20, 0, 0);
  Arcv("1into20", &r);
  A(" cmsg_len=%d", r.firstlen);
  closefds(&r);
  P();

  B("113 msg_flags:");
  send(sv[0], "y", 1, 0);
  r = rcvmsg(sv[1], 16, 64, 0, 0);
  Arcv("ok", &r);
  r = rcvmsg(sv[1], 16, 64, MSG_DONTWAIT, 0);
  A(" error_leaves_flags=0x%x", r.flags);
  P();

  B("115 read drops fds:");
  send_fds(sv[0], "zz", 2, &file, 1, 0);
  T("read", read(sv[1], buf, 16));
  T("still_works", send(sv[0], "w", 1, 0));
  r = rcvmsg(sv[1], 16, 64, 0, 0);
  Arcv("recv", &r);
  P();

  B("116 zero payload with fds:");
  T("stream_send0", send_fds(sv[0], "", 0, &file, 1, 0));
  T("recv", recv(sv[1], buf, 16, MSG_DONTWAIT));
  int dp[2];
  pair(SOCK_DGRAM, dp);
  T("dgram_send0", send_fds(dp[0], "", 0, &file, 1, 0));
  r = rcvmsg(dp[1], 16, 64, MSG_DONTWAIT, 0);
  Arcv("dgram_recv", &r);
  closefds(&r);
  close(dp[0]); close(dp[1]);
  pair(SOCK_SEQPACKET, dp);
  T("seqpacket_send0", send_fds(dp[0], "", 0, &file, 1, 0));
  r = rcvmsg(dp[1], 16, 64, MSG_DONTWAIT, 0);
  Arcv("seqpacket_recv", &r);
  closefds(&r);
  close(dp[0]); close(dp[1]);
  P();

  B("117 stream barrier:");
  send(sv[0], "aaaa", 4, 0);
  send_fds(sv[0], "b", 1, &file, 1, 0);
  send(sv[0], "cccc", 4, 0);
  r = rcvmsg(sv[1], 20, 64, 0, 0);
  Arcv("first", &r);
  closefds(&r);
  r = rcvmsg(sv[1], 20, 64, 0, 0);
  Arcv("second", &r);
  send_fds(sv[0], "dd", 2, &file, 1, 0);
  send_fds(sv[0], "ee", 2, &file, 1, 0);
  r = rcvmsg(sv[1], 20, 64, 0, 0);
  Arcv("two_fd_sends", &r);
  closefds(&r);
  r = rcvmsg(sv[1], 20, 64, 0, 0);
  Arcv("then", &r);
  closefds(&r);
  P();

  B("118 partial read takes fds:");
  memset(buf, 'f', 20);
  send_fds(sv[0], buf, 20, &file, 1, 0);
  T("read10", read(sv[1], buf, 10));
  r = rcvmsg(sv[1], 20, 64, 0, 0);
  Arcv("rest", &r);
  send_fds(sv[0], buf, 20, &file, 1, 0);
  r = rcvmsg(sv[1], 10, 64, 0, 0);
  Arcv("recvmsg10", &r);
  closefds(&r);
  r = rcvmsg(sv[1], 20, 64, 0, 0);
  Arcv("rest", &r);
  P();

  B("119 large send fds with first chunk:");
  {
    int bp[2];
    pair(SOCK_STREAM, bp);
    static char big[200000];
    int sz = 200000;
    setsockopt(bp[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    T("send", send_fds(bp[0], big, 150000, &file, 1, MSG_DONTWAIT));
    long total = 0;
    int nf = 0, msgs = 0;
    for (;;) {
      r = rcvmsg(bp[1], 512, 64, MSG_DONTWAIT, 0);
      if (r.ret <= 0) break;
      if (r.nfds && msgs) nf += 100;
      nf += r.nfds;
      msgs++;
      total += r.ret;
      closefds(&r);
    }
    A(" received=%ld fds=%d first_recv_has_fd=%d", total, nf, nf == 1);
    close(bp[0]); close(bp[1]);
  }
  P();

  B("120 peek installs fds:");
  send_fds(sv[0], "p", 1, &file, 1, 0);
  struct rcv p1 = rcvmsg(sv[1], 16, 64, MSG_PEEK, 0);
  Arcv("peek", &p1);
  struct rcv p2 = rcvmsg(sv[1], 16, 64, MSG_PEEK, 0);
  Arcv("peek2", &p2);
  r = rcvmsg(sv[1], 16, 64, 0, 0);
  Arcv("recv", &r);
  A(" distinct=%d same_file=%d", p1.fds[0] != p2.fds[0] && p2.fds[0] != r.fds[0] && p1.fds[0] != r.fds[0], same_file(p1.fds[0], file) && same_file(r.fds[0], file));
  closefds(&p1); closefds(&p2); closefds(&r);
  P();

  B("121 zero-byte recvmsg with fd:");
  send_fds(sv[0], "q", 1, &file, 1, 0);
  r = rcvmsg(sv[1], 0, 64, 0, 0);
  Arcv("stream0", &r);
  closefds(&r);
  r = rcvmsg(sv[1], 16, 64, 0, 0);
  Arcv("then", &r);
  pair(SOCK_DGRAM, dp);
  send_fds(dp[0], "q", 1, &file, 1, 0);
  r = rcvmsg(dp[1], 0, 64, 0, 0);
  Arcv("dgram0", &r);
  closefds(&r);
  T("dgram_then", recv(dp[1], buf, 16, MSG_DONTWAIT));
  close(dp[0]); close(dp[1]);
  P();

  B("122 SCM_CREDENTIALS send:");
  {
    char ctl[64];
    struct iovec iov = {"c", 1};
    struct msghdr m = {0};
    m.msg_iov = &iov; m.msg_iovlen = 1;
    m.msg_control = ctl;
    struct cmsghdr *c = (struct cmsghdr *)ctl;
    memset(ctl, 0, sizeof ctl);
    struct ucred uc = {getpid(), getuid(), getgid()};
    m.msg_controllen = CMSG_SPACE(sizeof uc);
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof uc) - 4;
    memcpy(CMSG_DATA(c), &uc, sizeof uc);
    T("len24", sendmsg(sv[0], &m, 0));
    c->cmsg_len = CMSG_LEN(sizeof uc);
    T("own", sendmsg(sv[0], &m, 0));
    uc.pid = 0x3ffffff0;
    memcpy(CMSG_DATA(c), &uc, sizeof uc);
    T("nonexistent_pid_root", sendmsg(sv[0], &m, 0));
    recv(sv[1], buf, 16, MSG_DONTWAIT);
  }
  P();

  B("123 credentials delivered:");
  {
    int cp[2];
    pair(SOCK_STREAM, cp);
    send(cp[0], "a", 1, 0);
    int one = 1;
    setsockopt(cp[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
    r = rcvmsg(cp[1], 16, 64, 0, 0);
    Arcv("late_passcred", &r);
    A(" creds=%d pid=%d uid=%d gid=%d", r.ncred, r.cred.pid, (int)r.cred.uid, (int)r.cred.gid);
    send_fds(cp[0], "b", 1, &file, 1, 0);
    r = rcvmsg(cp[1], 16, 64, 0, 0);
    Arcv("with_fd", &r);
    A(" creds=%d self=%d uid=%d gid=%d creds_first=%d", r.ncred, r.cred.pid == getpid(), (int)r.cred.uid, (int)r.cred.gid, r.order);
    closefds(&r);
    send(cp[0], "c", 1, 0);
    send(cp[0], "d", 1, 0);
    r = rcvmsg(cp[1], 16, 64, 0, 0);
    Arcv("merge", &r);
    r = rcvmsg(cp[1], 16, 64, 0, 0);
    A(" creds=%d", r.ncred);
    send(cp[0], "ef", 2, 0);
    r = rcvmsg(cp[1], 1, 64, 0, 0);
    Arcv("partial1", &r);
    A(" creds=%d", r.ncred);
    r = rcvmsg(cp[1], 1, 64, 0, 0);
    Arcv("partial2", &r);
    A(" creds=%d", r.ncred);
    close(cp[0]); close(cp[1]);
  }
  P();

  B("125/126 credential truncation:");
  {
    int cp[2];
    pair(SOCK_DGRAM, cp);
    int one = 1;
    setsockopt(cp[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
    send(cp[0], "a", 1, 0);
    r = rcvmsg(cp[1], 16, 20, 0, 0);
    Arcv("ctl20", &r);
    A(" cmsg_len=%d", r.firstlen);
    send(cp[0], "a", 1, 0);
    r = rcvmsg(cp[1], 16, 16, 0, 0);
    Arcv("ctl16", &r);
    A(" cmsg_len=%d", r.firstlen);
    send(cp[0], "a", 1, 0);
    r = rcvmsg(cp[1], 16, 8, 0, 0);
    Arcv("ctl8", &r);
    send(cp[0], "a", 1, 0);
    r = rcvmsg(cp[1], 16, 0, 0, 1);
    Arcv("null", &r);
    close(cp[0]); close(cp[1]);
  }
  P();

  close(sv[0]); close(sv[1]);
  close(file);
  unlink(pathof("scmfile"));
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  if (!mkdtemp(dir)) { printf("mkdtemp: %s\n", ename(errno)); return 2; }
  snprintf(absprefix, sizeof absprefix, "afp%08d.", (int)getpid());
  section_a();
  section_b();
  section_d();
  section_e();
  section_c();
  rmdir(dir);
  B("done");
  P();
  return 0;
}
