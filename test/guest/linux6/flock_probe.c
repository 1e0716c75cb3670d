/* flock: locks held by an open file description (shared by dup and fork,
 * contended by a second open), shared against exclusive, conversion,
 * LOCK_NB's EWOULDBLOCK, a blocking lock granted when the holder unlocks,
 * release at close, the checks, and a lock on a socket. One line per
 * check, compared with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  char path[] = "/tmp/flock-probe-XXXXXX";
  int a = mkstemp(path);
  int b = open(path, O_RDWR);
  const char *ex = res(flock(a, LOCK_EX));
  const char *other = res(flock(b, LOCK_EX | LOCK_NB));
  const char *othersh = res(flock(b, LOCK_SH | LOCK_NB));
  int d = dup(a);
  const char *dupx = res(flock(d, LOCK_EX | LOCK_NB));
  add("exclusive: %s other open %s shared %s dup %s", ex, other, othersh, dupx); end_line();

  const char *conv = res(flock(a, LOCK_SH));
  const char *sh2 = res(flock(b, LOCK_SH | LOCK_NB));
  const char *up = res(flock(a, LOCK_EX | LOCK_NB));
  const char *un = res(flock(b, LOCK_UN));
  const char *up2 = res(flock(a, LOCK_EX | LOCK_NB));
  add("shared: convert %s second shared %s upgrade while shared %s unlock %s upgrade %s", conv, sh2, up, un, up2); end_line();

  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    const char *inherit = res(flock(a, LOCK_EX | LOCK_NB)); /* the same description */
    printf("child: inherited %s\n", inherit);
    fflush(stdout);
    _exit(0);
  }
  waitpid(c, NULL, 0);

  int p[2];
  pipe(p);
  fflush(stdout);
  c = fork();
  if (c == 0) {
    int own = open(path, O_RDWR);
    flock(a, LOCK_UN);
    flock(own, LOCK_EX);
    write(p[1], "l", 1);
    struct timespec nap = { 0, 30000000 };
    nanosleep(&nap, NULL);
    write(p[1], "u", 1);
    flock(own, LOCK_UN);
    _exit(0);
  }
  char x[2] = {0};
  read(p[0], x, 1);
  const char *busy = res(flock(b, LOCK_EX | LOCK_NB));
  const char *waited = res(flock(b, LOCK_EX));
  read(p[0], x + 1, 1);
  waitpid(c, NULL, 0);
  add("blocking: busy %s waited %s after %c", busy, waited, x[1]); end_line();

  close(b);
  int e = open(path, O_RDWR);
  const char *afterclose = res(flock(e, LOCK_EX | LOCK_NB));
  add("close releases: %s", afterclose); end_line();

  const char *bad = res(flock(e, 0));
  const char *bad2 = res(flock(e, LOCK_SH | LOCK_EX));
  const char *badfd = res(flock(99, LOCK_SH));
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  const char *sock = res(flock(sv[0], LOCK_EX));
  add("checks: op 0 %s sh|ex %s fd %s socket %s", bad, bad2, badfd, sock); end_line();
  unlink(path);
  printf("done\n");
  return 0;
}
