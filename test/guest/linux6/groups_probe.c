/* Supplementary groups and the file calls beside them: setgroups and
 * getgroups (sorted, EINVAL when they do not fit, EPERM once not root),
 * a group permission granted through a supplementary group, SO_PEERGROUPS
 * (ERANGE with the length needed), truncate and fchownat (their checks),
 * and epoll_pwait2's timespec timeout. Run as root, as CI does. One line
 * per check, compared with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  gid_t want[3] = { 3003, 1001, 2002 }, got[8];
  const char *set = res(setgroups(3, want));
  int n = getgroups(8, got);
  const char *count = res(getgroups(0, NULL));
  const char *small = res(getgroups(2, got));
  add("groups: set %s get %d [%u %u %u] count %s too small %s", set, n, got[0], got[1], got[2], count, small); end_line();

  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  gid_t peer[8];
  socklen_t len = 4;
  const char *pg1 = res(getsockopt(sv[0], SOL_SOCKET, SO_PEERGROUPS, peer, &len));
  socklen_t len1 = len;
  len = sizeof peer;
  const char *pg2 = res(getsockopt(sv[0], SOL_SOCKET, SO_PEERGROUPS, peer, &len));
  add("peergroups: short %s len %u then %s len %u [%u %u %u]", pg1, len1, pg2, len, peer[0], peer[1], peer[2]); end_line();

  char path[] = "/tmp/groups-probe-XXXXXX";
  int f = mkstemp(path);
  write(f, "0123456789", 10);
  chown(path, 0, 2002);
  chmod(path, 0060); /* group read and write only */
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    setgroups(1, (gid_t[]){ 2002 });
    setgid(4000);
    setuid(4000);
    const char *in = res(open(path, O_RDONLY));
    const char *again = res(setgroups(0, NULL));
    printf("group access: through a supplementary group %s setgroups unprivileged %s\n", strcmp(in, "EACCES") ? "ok" : in, again);
    fflush(stdout);
    _exit(0);
  }
  waitpid(c, NULL, 0);
  chmod(path, 0600);

  const char *tr = res(truncate(path, 4));
  struct stat st;
  stat(path, &st);
  const char *trdir = res(truncate("/tmp", 0));
  const char *trneg = res(truncate(path, -1));
  const char *trnone = res(truncate("/tmp/groups-probe-missing", 0));
  add("truncate: %s size %ld dir %s negative %s missing %s", tr, (long)st.st_size, trdir, trneg, trnone); end_line();

  const char *ch = res(fchownat(AT_FDCWD, path, 4001, 4002, 0));
  stat(path, &st);
  const char *chkeep = res(fchownat(AT_FDCWD, path, -1, 4003, 0));
  struct stat st2;
  stat(path, &st2);
  const char *chempty = res(fchownat(f, "", 4004, -1, AT_EMPTY_PATH));
  struct stat st3;
  fstat(f, &st3);
  const char *chflags = res(fchownat(AT_FDCWD, path, 0, 0, 0x1));
  add("fchownat: %s %u:%u keep uid %s %u:%u empty path %s %u bad flags %s", ch, st.st_uid, st.st_gid, chkeep, st2.st_uid, st2.st_gid, chempty, st3.st_uid, chflags); end_line();
  unlink(path);

  int ep = epoll_create1(0);
  struct epoll_event ev;
  struct timespec zero = { 0, 0 }, tenth = { 0, 100000000 }, bad = { 0, -1 };
  const char *w0 = res(syscall(441, ep, &ev, 1, &zero, NULL, 8));
  const char *w1 = res(syscall(441, ep, &ev, 1, &tenth, NULL, 8));
  const char *wb = res(syscall(441, ep, &ev, 1, &bad, NULL, 8));
  const char *wf = res(syscall(441, 99, &ev, 1, &zero, NULL, 8));
  int pp[2];
  pipe(pp);
  write(pp[1], "x", 1);
  struct epoll_event in = { .events = EPOLLIN, .data.u32 = 9 };
  epoll_ctl(ep, EPOLL_CTL_ADD, pp[0], &in);
  const char *wr = res(syscall(441, ep, &ev, 1, NULL, NULL, 8));
  add("epoll_pwait2: zero %s tenth %s bad %s fd %s ready %s data %u", w0, w1, wb, wf, wr, ev.data.u32); end_line();
  printf("done\n");
  return 0;
}
