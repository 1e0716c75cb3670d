/* Process-level calls beside the sockets: process groups and sessions
 * (setpgid, getpgid, setsid, getsid; kill, wait4 and waitid of a group;
 * F_SETOWN to a group), prctl (PR_SET_NAME/PR_GET_NAME, PR_SET_PDEATHSIG,
 * PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS), close_range, fsync and friends,
 * clock_getres. One line per check, compared with native Linux by the
 * fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr1, got_urg;
static void on_usr1(int s) { (void)s; got_usr1++; }

int main(void) {
  signal(SIGUSR1, on_usr1);
  /* a child that leads its own group and session */
  int sync[2];
  pipe(sync);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    char b;
    read(sync[0], &b, 1); /* until the parent has moved it */
    int own = getpgid(0) == getpid();
    const char *lead = res(setsid()); /* a group leader cannot */
    const char *join = res(setpgid(0, getpgid(getppid()))); /* back into the parent's group, in its session */
    fflush(stdout);
    pid_t gc = fork();
    if (gc == 0) {
      pid_t s = setsid(); /* not a group leader: a new session */
      int leader = s == getpid() && getsid(0) == getpid() && getpgid(0) == getpid();
      const char *again = res(setsid());
      printf("grandchild: setsid ok %d leader %d again %s\n", s > 0, leader, again);
      fflush(stdout);
      _exit(0);
    }
    waitpid(gc, NULL, 0);
    const char *other = res(setpgid(0, gc)); /* its group is in another session now, and gone */
    printf("child: own group %d setsid %s join parent's %s into gone %s\n", own, lead, join, other);
    fflush(stdout);
    _exit(0);
  }
  int before = getpgid(c) == getpgid(0);
  const char *mv = res(setpgid(c, c));
  int moved = getpgid(c) == c;
  const char *bad = res(setpgid(c, 999999));
  const char *neg = res(setpgid(c, -1));
  const char *none = res(getpgid(999999));
  add("setpgid: inherited %d move %s moved %d to missing %s negative %s getpgid missing %s", before, mv, moved, bad, neg, none); end_line();
  write(sync[1], "x", 1);
  waitpid(c, NULL, 0);

  /* setsid in a group leader, getsid */
  pid_t me = getpid();
  setpgid(0, 0);
  add("self: setsid as leader %s getsid same as getpgid's session %d", res(setsid()), getsid(0) == getsid(me)); end_line();

  /* kill and wait of a group */
  pid_t g1 = fork();
  if (g1 == 0) { setpgid(0, 0); pause(); _exit(1); }
  setpgid(g1, g1);
  pid_t g2 = fork();
  if (g2 == 0) { pause(); _exit(2); }
  setpgid(g2, g1);
  pid_t other = fork();
  if (other == 0) { pause(); _exit(3); }
  const char *k = res(kill(-g1, SIGTERM));
  int st;
  pid_t w1 = waitpid(-g1, &st, 0);
  pid_t w2 = waitpid(-g1, &st, 0);
  const char *w3 = res(waitpid(-g1, &st, WNOHANG));
  const char *kmissing = res(kill(-999999, 0));
  add("group: kill %s reaped %d %d then %s kill missing %s", k, w1 == g1 || w1 == g2, w2 == g1 || w2 == g2, w3, kmissing); end_line();
  siginfo_t si;
  memset(&si, 0, sizeof si);
  const char *wpg = res(waitid(P_PGID, getpgid(0), &si, WEXITED | WNOHANG));
  kill(other, SIGKILL);
  const char *wpg2 = res(waitid(P_PGID, 0, &si, WEXITED));
  add("waitid pgid: none yet %s then %s pid %d", wpg, wpg2, si.si_pid == other); end_line();

  /* F_SETOWN to a process group: SIGURG to every member */
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  fcntl(sv[1], F_SETOWN, -getpgid(0));
  signal(SIGURG, on_usr1);
  got_usr1 = 0;
  send(sv[0], "!", 1, MSG_OOB);
  add("owner group: getown %d sigurg %d", fcntl(sv[1], F_GETOWN) == -getpgid(0), got_usr1); end_line();
  signal(SIGURG, SIG_DFL);

  /* prctl */
  char name[32] = {0};
  const char *sn = res(prctl(PR_SET_NAME, "probe-name-that-is-long"));
  prctl(PR_GET_NAME, name);
  add("prctl name: %s %s", sn, name); end_line();
  int pd = -1;
  const char *sp = res(prctl(PR_SET_PDEATHSIG, SIGUSR1));
  prctl(PR_GET_PDEATHSIG, &pd);
  const char *spbad = res(prctl(PR_SET_PDEATHSIG, 100));
  add("prctl pdeathsig: %s get %d bad %s", sp, pd, spbad); end_line();
  prctl(PR_SET_PDEATHSIG, 0);
  int d0 = prctl(PR_GET_DUMPABLE);
  const char *dset = res(prctl(PR_SET_DUMPABLE, 0));
  int d1 = prctl(PR_GET_DUMPABLE);
  const char *dbad = res(prctl(PR_SET_DUMPABLE, 7));
  add("prctl dumpable: %d set0 %s now %d bad %s", d0, dset, d1, dbad); end_line();
  int n0 = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  const char *nset = res(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  int n1 = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  const char *nbad = res(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0));
  const char *unknown = res(prctl(9999));
  add("prctl nnp: %d set %s now %d bad %s unknown %s", n0, nset, n1, nbad, unknown); end_line();

  /* PR_SET_PDEATHSIG: the grandchild hears of its parent's exit */
  int pp[2];
  pipe(pp);
  fflush(stdout);
  pid_t mid = fork();
  if (mid == 0) {
    pid_t gc = fork();
    if (gc == 0) {
      got_usr1 = 0;
      prctl(PR_SET_PDEATHSIG, SIGUSR1);
      write(pp[1], "r", 1);
      while (!got_usr1) pause();
      write(pp[1], "d", 1);
      _exit(0);
    }
    char b;
    read(pp[0], &b, 1);
    _exit(0); /* the grandchild's parent goes */
  }
  waitpid(mid, NULL, 0);
  char b2[2] = {0};
  read(pp[0], b2, 1);
  add("pdeathsig delivered: %s", b2); end_line();

  /* close_range */
  int a = dup(0), b = dup(0), cc = dup(0);
  const char *cr = res(syscall(SYS_close_range, a, b, 0));
  int aclosed = fcntl(a, F_GETFD) < 0, bclosed = fcntl(b, F_GETFD) < 0, cstays = fcntl(cc, F_GETFD) >= 0;
  const char *cx = res(syscall(SYS_close_range, cc, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */));
  int ccloexec = fcntl(cc, F_GETFD) == FD_CLOEXEC;
  const char *cbad = res(syscall(SYS_close_range, 5, 4, 0));
  const char *cflag = res(syscall(SYS_close_range, 0, 0, 0x100));
  add("close_range: %s closed %d %d kept %d cloexec %s %d bad range %s bad flag %s", cr, aclosed, bclosed, cstays, cx, ccloexec, cbad, cflag); end_line();

  /* fsync and friends */
  char path[] = "/tmp/process-probe-XXXXXX";
  int f = mkstemp(path);
  int p2[2];
  pipe(p2);
  const char *fs1 = res(fsync(f));
  const char *fs2 = res(fsync(open("/tmp", O_RDONLY)));
  const char *fs3 = res(fsync(p2[0]));
  const char *fs4 = res(fsync(sv[0]));
  const char *fs5 = res(fsync(99));
  const char *fs6 = res(fdatasync(f));
  const char *fs7 = res(syncfs(sv[0]));
  add("fsync: file %s dir %s pipe %s socket %s bad %s fdatasync %s syncfs sock %s", fs1, fs2, fs3, fs4, fs5, fs6, fs7); end_line();
  int fa1 = posix_fadvise(f, 0, 0, POSIX_FADV_SEQUENTIAL), fa2 = posix_fadvise(p2[0], 0, 0, 0), fa3 = posix_fadvise(f, 0, 0, 77);
  add("fadvise: %d pipe %d bad %d", fa1, fa2, fa3); end_line();
  unlink(path);

  struct timespec r1 = {9, 9}, r2 = {9, 9};
  const char *g1r = res(clock_getres(CLOCK_MONOTONIC, &r1));
  clock_getres(CLOCK_MONOTONIC_COARSE, &r2);
  const char *gbad = res(clock_getres(99, &r1));
  add("clock_getres: %s %ld.%09ld coarse >= 1ms %d bad %s", g1r, (long)r1.tv_sec, r1.tv_nsec, r2.tv_nsec >= 1000000, gbad); end_line();
  struct sysinfo sys;
  const char *sinfo = res(sysinfo(&sys));
  struct rusage ru;
  const char *rus = res(getrusage(RUSAGE_SELF, &ru));
  const char *rubad = res(getrusage(5, &ru));
  struct tms tm;
  clock_t ticks = times(&tm);
  add("usage: sysinfo %s ram %d procs %d unit %u getrusage %s bad %s times %d", sinfo, sys.totalram > 0, sys.procs >= 1, sys.mem_unit, rus, rubad, ticks > 0); end_line();
  printf("done\n");
  return 0;
}
