/* Links and renames: symlinkat, readlinkat, ELOOP, O_NOFOLLOW, lstat,
 * linkat, renameat2 (rename, RENAME_NOREPLACE, RENAME_EXCHANGE), and what
 * they do to AF_UNIX pathname sockets: a bound socket renamed or linked is
 * reached by its new name, connect follows symbolic links, bind on a
 * dangling symlink is EADDRINUSE. One line per check, compared with native
 * Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <sys/un.h>
#include <unistd.h>

#include <sys/syscall.h>
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif
/* renameat2 by number: musl 1.2.3 has no wrapper */
static int rename2(int od, const char *op, int nd, const char *np, unsigned flags) {
  return (int)syscall(SYS_renameat2, od, op, nd, np, flags);
}


static char dir[64];
static const char *P(const char *name) {
  static char b[8][128];
  static int k;
  char *s = b[k++ & 7];
  snprintf(s, 128, "%s/%s", dir, name);
  return s;
}

static int sock_at(const char *path, int do_bind) {
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {AF_UNIX, {0}};
  strncpy(a.sun_path, path, sizeof a.sun_path - 1);
  int r = do_bind ? bind(s, (struct sockaddr *)&a, sizeof a) : connect(s, (struct sockaddr *)&a, sizeof a);
  if (r < 0) {
    int e = errno;
    close(s);
    errno = e;
    return -1;
  }
  return s;
}

static const char *kind(const char *path) {
  struct stat st;
  if (lstat(path, &st) < 0) return errname(errno);
  return S_ISLNK(st.st_mode) ? "link" : S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : S_ISSOCK(st.st_mode) ? "sock" : "other";
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  snprintf(dir, sizeof dir, "/tmp/unixsim-vfs-%d", getpid());
  mkdir(dir, 0755);
  char buf[128];

  int fd = open(P("file"), O_WRONLY | O_CREAT, 0644);
  write(fd, "hello", 5);
  close(fd);
  add("symlink 1: symlink=%s", res(symlink("file", P("ln"))));
  add(" again=%s", res(symlink("file", P("ln"))));
  add(" empty target=%s", res(symlink("", P("e"))));
  ssize_t n = readlink(P("ln"), buf, sizeof buf);
  add(" readlink=%s '%.*s'", res(n), (int)(n > 0 ? n : 0), buf);
  n = readlink(P("ln"), buf, 2);
  add(" short=%s", res(n));
  add(" of a file=%s", res(readlink(P("file"), buf, sizeof buf)));
  add(" lstat=%s stat=", kind(P("ln")));
  struct stat st;
  stat(P("ln"), &st);
  add("%s size=%ld", S_ISREG(st.st_mode) ? "file" : "?", (long)st.st_size);
  lstat(P("ln"), &st);
  add(" lsize=%ld", (long)st.st_size);
  end_line();

  fd = open(P("ln"), O_RDONLY);
  n = read(fd, buf, sizeof buf);
  close(fd);
  add("symlink 2: open through it=%s read %.*s", res(n), (int)(n > 0 ? n : 0), buf);
  add(" O_NOFOLLOW=%s", res(open(P("ln"), O_RDONLY | O_NOFOLLOW)));
  fd = open(P("ln"), O_PATH | O_NOFOLLOW);
  add(" O_PATH|O_NOFOLLOW=%s", fd >= 0 ? "ok" : errname(errno));
  close(fd);
  symlink("loop2", P("loop1"));
  symlink("loop1", P("loop2"));
  add(" loop=%s", res(open(P("loop1"), O_RDONLY)));
  add(" dangling=%s", res(open(P("missing-link"), O_RDONLY)));
  symlink("nowhere", P("dangle"));
  add(" dangling open=%s", res(open(P("dangle"), O_RDONLY)));
  fd = open(P("dangle"), O_WRONLY | O_CREAT, 0644);
  add(" O_CREAT through it=%s creates %s", fd >= 0 ? "ok" : errname(errno), kind(P("nowhere")));
  close(fd);
  unlink(P("nowhere"));
  add(" O_CREAT|O_EXCL=%s", res(open(P("dangle"), O_WRONLY | O_CREAT | O_EXCL, 0644)));
  end_line();

  mkdir(P("sub"), 0755);
  symlink("sub", P("subln"));
  fd = open(P("subln/inner"), O_WRONLY | O_CREAT, 0644);
  close(fd);
  add("symlink 3: a directory link in the middle=%s", kind(P("sub/inner")));
  symlink("/", P("rootln"));
  add(" absolute=%s", kind(P("rootln/tmp")));
  add(" trailing slash=%s", res(access(P("subln/"), F_OK)));
  add(" unlink removes the link=%s", res(unlink(P("subln"))));
  add(" %s %s", kind(P("subln")), kind(P("sub")));
  add(" rmdir of a link=%s", res(rmdir(P("rootln"))));
  add(" mkdir over a link=%s", res(mkdir(P("dangle"), 0755)));
  end_line();

  add("link 1: link=%s", res(link(P("file"), P("hard"))));
  stat(P("file"), &st);
  add(" nlink=%ld", (long)st.st_nlink);
  add(" again=%s", res(link(P("file"), P("hard"))));
  add(" a directory=%s", res(link(P("sub"), P("subhard"))));
  add(" missing=%s", res(link(P("nofile"), P("x"))));
  add(" of a symlink=%s", res(link(P("ln"), P("lnhard"))));
  add(" is %s", kind(P("lnhard")));
  add(" AT_SYMLINK_FOLLOW=%s", res(linkat(AT_FDCWD, P("ln"), AT_FDCWD, P("lnfollow"), AT_SYMLINK_FOLLOW)));
  add(" is %s", kind(P("lnfollow")));
  end_line();

  add("rename 1: rename=%s", res(rename(P("hard"), P("moved"))));
  add(" %s %s", kind(P("hard")), kind(P("moved")));
  add(" onto a file=%s", res(rename(P("moved"), P("lnfollow"))));
  stat(P("file"), &st);
  add(" nlink=%ld", (long)st.st_nlink);
  add(" same inode=%s", res(rename(P("file"), P("lnfollow"))));
  add(" %s", kind(P("file")));
  add(" dir onto file=%s", res(rename(P("sub"), P("file"))));
  add(" file onto dir=%s", res(rename(P("file"), P("sub"))));
  mkdir(P("full"), 0755);
  mkdir(P("full/x"), 0755);
  mkdir(P("empty"), 0755);
  add(" dir onto empty dir=%s", res(rename(P("empty"), P("sub2"))));
  add(" onto non-empty=%s", res(rename(P("sub2"), P("full"))));
  add(" into itself=%s", res(rename(P("full"), P("full/x/y"))));
  add(" missing=%s", res(rename(P("none"), P("none2"))));
  end_line();

  add("rename 2: NOREPLACE=%s", res(rename2(AT_FDCWD, P("file"), AT_FDCWD, P("ln"), RENAME_NOREPLACE)));
  add(" NOREPLACE|EXCHANGE=%s", res(rename2(AT_FDCWD, P("file"), AT_FDCWD, P("ln"), RENAME_NOREPLACE | RENAME_EXCHANGE)));
  add(" EXCHANGE=%s", res(rename2(AT_FDCWD, P("file"), AT_FDCWD, P("ln"), RENAME_EXCHANGE)));
  add(" now %s %s", kind(P("file")), kind(P("ln")));
  add(" EXCHANGE with a missing one=%s", res(rename2(AT_FDCWD, P("file"), AT_FDCWD, P("nope"), RENAME_EXCHANGE)));
  add(" bad flags=%s", res(rename2(AT_FDCWD, P("file"), AT_FDCWD, P("ln"), 64)));
  end_line();

  /* AF_UNIX pathname sockets and links */
  int srv = sock_at(P("sock"), 1);
  listen(srv, 8);
  add("socket 1: rename the bound path=%s", res(rename(P("sock"), P("sock2"))));
  int c1 = sock_at(P("sock"), 0);
  add(" old name=%s", c1 >= 0 ? "ok" : errname(errno));
  int c2 = sock_at(P("sock2"), 0);
  add(" new name=%s", c2 >= 0 ? "ok" : errname(errno));
  add(" hard link=%s", res(link(P("sock2"), P("sock3"))));
  int c3 = sock_at(P("sock3"), 0);
  add(" by the link=%s", c3 >= 0 ? "ok" : errname(errno));
  symlink("sock2", P("socksym"));
  int c4 = sock_at(P("socksym"), 0);
  add(" through a symlink=%s", c4 >= 0 ? "ok" : errname(errno));
  struct sockaddr_un got;
  socklen_t gl = sizeof got;
  getsockname(srv, (struct sockaddr *)&got, &gl);
  add(" getsockname still the bound name=%d", strcmp(got.sun_path, P("sock")) == 0);
  end_line();
  close(c2);
  close(c3);
  close(c4);
  symlink("nowhere-sock", P("dsym"));
  int b = sock_at(P("dsym"), 1);
  add("socket 2: bind on a dangling symlink=%s", b >= 0 ? "ok" : errname(errno));
  add(" target created=%s", kind(P("nowhere-sock")));
  b = sock_at(P("ln"), 1);
  add(" bind on a symlink to a file=%s", b >= 0 ? "ok" : errname(errno));
  symlink("file", P("tofile"));
  int c5 = sock_at(P("tofile"), 0);
  add(" connect through a symlink to a file=%s", c5 >= 0 ? "ok" : errname(errno));
  int c6 = sock_at(P("loop1"), 0);
  add(" connect through a loop=%s", c6 >= 0 ? "ok" : errname(errno));
  end_line();
  close(srv);

  /* /proc/self/fd/N and /proc/net/unix */
  {
    char lk[128], want[128];
    int sp[2], pp[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
    pipe(pp);
    snprintf(lk, sizeof lk, "/proc/self/fd/%d", sp[0]);
    n = readlink(lk, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    fstat(sp[0], &st);
    snprintf(want, sizeof want, "socket:[%lu]", (unsigned long)st.st_ino);
    add("procfd 1: socket=%d", strcmp(buf, want) == 0);
    add(" open it=%s", res(open(lk, O_RDWR)));
    snprintf(lk, sizeof lk, "/proc/self/fd/%d", pp[1]);
    n = readlink(lk, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    fstat(pp[1], &st);
    snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)st.st_ino);
    add(" pipe=%d", strcmp(buf, want) == 0);
    int rf = open(P("procfile"), O_RDWR | O_CREAT, 0644);
    snprintf(lk, sizeof lk, "/proc/self/fd/%d", rf);
    n = readlink(lk, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    add(" file=%d", strcmp(buf, P("procfile")) == 0);
    unlink(P("procfile"));
    n = readlink(lk, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    snprintf(want, sizeof want, "%s (deleted)", P("procfile"));
    add(" deleted=%d", strcmp(buf, want) == 0);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    snprintf(lk, sizeof lk, "/proc/self/fd/%d", dfd);
    n = readlink(lk, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    add(" dir=%d", strcmp(buf, dir) == 0);
    int ep = epoll_create1(0);
    snprintf(lk, sizeof lk, "/proc/self/fd/%d", ep);
    n = readlink(lk, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    add(" epoll=%s", buf);
    add(" closed fd=%s", res(readlink("/proc/self/fd/999", buf, sizeof buf)));
    end_line();
    close(rf);
    close(dfd);
    close(ep);
    close(pp[0]);
    close(pp[1]);

    /* our own sockets in /proc/net/unix: listening+bound, abstract, a connected pair end */
    int ls = sock_at(P("listener"), 1);
    listen(ls, 4);
    int ab = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un aa = {AF_UNIX, {0}};
    memcpy(aa.sun_path, "\0probe\0x", 8);
    bind(ab, (struct sockaddr *)&aa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 8));
    unsigned long inos[3];
    int fds3[3] = {ls, ab, sp[1]};
    for (int i = 0; i < 3; i++) {
      fstat(fds3[i], &st);
      inos[i] = (unsigned long)st.st_ino;
    }
    FILE *f = fopen("/proc/net/unix", "r");
    char l[512];
    add("procnet 1:");
    if (f && fgets(l, sizeof l, f)) add(" header=%.*s", (int)strcspn(l, "\n"), l);
    const char *who[3] = {"listener", "abstract", "pair"};
    char found[3][200] = {{0}};
    while (f && fgets(l, sizeof l, f)) {
      unsigned long ino;
      char flags[16], type[8], stt[8], path[160] = "";
      if (sscanf(l, "%*s %*s %*s %15s %7s %7s %lu %159s", flags, type, stt, &ino, path) < 4) continue;
      for (int i = 0; i < 3; i++) {
        if (ino != inos[i]) continue;
        const char *shown = path;
        if (i == 0) shown = strcmp(path, P("listener")) == 0 ? "<listener path>" : path;
        snprintf(found[i], sizeof found[i], " %s: flags=%s type=%s st=%s path=%s", who[i], flags, type, stt, shown);
      }
    }
    if (f) fclose(f);
    for (int i = 0; i < 3; i++) add("%s", found[i][0] ? found[i] : " (missing)");
    end_line();
    close(ls);
    close(ab);
    close(sp[0]);
    close(sp[1]);
    unlink(P("listener"));
  }

  const char *names[] = {"file", "ln", "e", "loop1", "loop2", "dangle", "sub/inner", "rootln", "lnhard", "lnfollow", "moved",
                         "sock2", "sock3", "socksym", "dsym", "tofile", "full/x", "full", "sub2", "sub", "hard"};
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (unlink(P(names[i])) < 0) rmdir(P(names[i]));
  }
  add("cleanup: rmdir=%s", res(rmdir(dir)));
  end_line();
  printf("done\n");
  return 0;
}
