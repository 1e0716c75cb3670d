/* memfd_create: an anonymous file to write, read back, fstat, see in
 * /proc/self/fd, pass over SCM_RIGHTS, and seal (F_ADD_SEALS/F_GET_SEALS:
 * grow, shrink, write, seal), with its checks. One line per check, compared
 * with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  int m = memfd_create("probe", MFD_CLOEXEC);
  const char *w = res(write(m, "hello memfd", 11));
  lseek(m, 6, SEEK_SET);
  char buf[32] = {0};
  read(m, buf, sizeof buf - 1);
  struct stat st;
  fstat(m, &st);
  add("file: write %s read %s size %ld nlink %ld reg %d mode %o cloexec %d", w, buf, (long)st.st_size, (long)st.st_nlink, S_ISREG(st.st_mode),
      (unsigned)(st.st_mode & 0777), fcntl(m, F_GETFD) == FD_CLOEXEC); end_line();
  char path[64], link[128];
  snprintf(path, sizeof path, "/proc/self/fd/%d", m);
  ssize_t n = readlink(path, link, sizeof link - 1);
  link[n > 0 ? n : 0] = 0;
  add("link: %s", link); end_line();

  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    char b;
    struct iovec iov = { &b, 1 };
    union { struct cmsghdr h; char x[CMSG_SPACE(sizeof(int))]; } ctl;
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.x, .msg_controllen = sizeof ctl.x };
    recvmsg(sv[1], &mh, 0);
    int got;
    memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof got);
    char r[16] = {0};
    pread(got, r, 5, 0);
    write(got, "!", 1); /* at the shared offset */
    printf("passed: read %s\n", r);
    fflush(stdout);
    _exit(0);
  }
  {
    char b = 'x';
    struct iovec iov = { &b, 1 };
    union { struct cmsghdr h; char x[CMSG_SPACE(sizeof(int))]; } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.x, .msg_controllen = sizeof ctl.x };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &m, sizeof m);
    sendmsg(sv[0], &mh, 0);
  }
  waitpid(c, NULL, 0);
  fstat(m, &st);
  add("after child: size %ld", (long)st.st_size); end_line();

  int unsealable = fcntl(m, F_GET_SEALS);
  const char *nosealadd = res(fcntl(m, F_ADD_SEALS, F_SEAL_GROW));
  add("no sealing: get %d add %s", unsealable, nosealadd); end_line();

  int s = memfd_create("sealed", MFD_ALLOW_SEALING);
  write(s, "0123456789", 10);
  int g0 = fcntl(s, F_GET_SEALS);
  const char *add1 = res(fcntl(s, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK));
  const char *grow = res(ftruncate(s, 20));
  const char *shrink = res(ftruncate(s, 5));
  const char *same = res(ftruncate(s, 10));
  const char *past = res(pwrite(s, "ab", 2, 9));
  const char *inside = res(pwrite(s, "ab", 2, 0));
  add("grow and shrink: get %d add %s grow %s shrink %s same %s write past %s inside %s", g0, add1, grow, shrink, same, past, inside); end_line();
  const char *add2 = res(fcntl(s, F_ADD_SEALS, F_SEAL_WRITE));
  const char *wr = res(pwrite(s, "z", 1, 0));
  const char *add3 = res(fcntl(s, F_ADD_SEALS, F_SEAL_SEAL));
  const char *add4 = res(fcntl(s, F_ADD_SEALS, F_SEAL_SHRINK));
  int g1 = fcntl(s, F_GET_SEALS);
  add("write seal: add %s write %s seal %s then %s get %d", add2, wr, add3, add4, g1); end_line();

  char tmp[] = "/tmp/memfd-probe-XXXXXX";
  int reg = mkstemp(tmp);
  unlink(tmp);
  char longname[300];
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = 0;
  const char *notm = res(fcntl(reg, F_GET_SEALS));
  const char *flags = res(memfd_create("x", 0x100));
  const char *name = res(memfd_create(longname, 0));
  const char *fault = res(memfd_create((char *)8, 0));
  add("checks: regular file %s flags %s long name %s fault %s", notm, flags, name, fault); end_line();
  printf("done\n");
  return 0;
}
