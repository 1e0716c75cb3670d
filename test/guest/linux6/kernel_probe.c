/* The rest of the kernel a socket program touches: signals and timers on
 * virtual time (setitimer/getitimer, alarm, sigpending, rt_sigtimedwait,
 * nanosleep and socket timeouts interrupted by a handled signal), capget,
 * SIOCGIFINDEX for lo, recvmmsg's timeout, and execve of a #! script.
 * One line per check, compared with native Linux by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* <linux/capability.h>, which musl's headers do not carry */
struct __user_cap_header_struct {
  unsigned version;
  int pid;
};
struct __user_cap_data_struct {
  unsigned effective, permitted, inheritable;
};
#define _LINUX_CAPABILITY_VERSION_3 0x20080522
#define CAP_KILL 5
#define CAP_SETUID 7
#define CAP_NET_ADMIN 12


static volatile sig_atomic_t alarms;
static void on_alarm(int s) { (void)s; alarms++; }

static void handle(int sig, int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = flags;
  sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc > 1 && strcmp(argv[1], "from-script") == 0) {
    printf("script: run by #! with argc=%d argv[1]=%s argv[2] is the script=%d argv[3]=%s\n", argc, argv[1],
           argc > 2 && strstr(argv[2], "unixsim-probe-script") != NULL, argc > 3 ? argv[3] : "-");
    return 0;
  }

  /* sigpending and rt_sigtimedwait */
  sigset_t set, pend;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  raise(SIGUSR1);
  sigemptyset(&pend);
  add("sigpending 1: %s", res(sigpending(&pend)));
  add(" SIGUSR1 pending=%d SIGUSR2=%d", sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2));
  siginfo_t si;
  memset(&si, 0, sizeof si);
  struct timespec zero = {0, 0};
  int r = sigtimedwait(&set, &si, &zero);
  add("; sigtimedwait takes it: %s si_signo=%d", res(r), si.si_signo);
  add(" still pending=");
  sigpending(&pend);
  add("%d", sigismember(&pend, SIGUSR1));
  struct timespec shortwait = {0, 10000000};
  r = sigtimedwait(&set, &si, &shortwait);
  add("; none pending with a timeout: %s", res(r));
  struct timespec bad = {0, 2000000000};
  r = sigtimedwait(&set, &si, &bad);
  add("; bad timespec: %s", res(r));
  end_line();

  /* alarm */
  handle(SIGALRM, SA_RESTART);
  add("alarm 1: alarm(5)=%u", alarm(5));
  add(" alarm(0)=%u", alarm(0));
  add(" alarm(0) again=%u", alarm(0));
  end_line();

  /* setitimer / getitimer ITIMER_REAL */
  struct itimerval it = {{0, 0}, {0, 30000}}, old, cur;
  r = setitimer(ITIMER_REAL, &it, &old);
  add("itimer 1: setitimer 30ms=%s old={%ld,%ld}", res(r), (long)old.it_value.tv_sec, (long)old.it_value.tv_usec);
  getitimer(ITIMER_REAL, &cur);
  add(" armed=%d within=%d", cur.it_value.tv_usec > 0 || cur.it_value.tv_sec > 0, cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 30000);
  struct timespec longsleep = {5, 0}, rem = {0, 0};
  alarms = 0;
  r = nanosleep(&longsleep, &rem);
  add("; nanosleep interrupted by the handled SIGALRM (SA_RESTART): %s alarms=%d rem<5s=%d", res(r), (int)alarms,
      rem.tv_sec < 5 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
  getitimer(ITIMER_REAL, &cur);
  add(" disarmed={%ld,%ld}", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
  end_line();

  struct itimerval per = {{0, 10000}, {0, 10000}};
  setitimer(ITIMER_REAL, &per, NULL);
  alarms = 0;
  for (int i = 0; i < 20 && alarms < 3; i++) {
    struct timespec t1 = {1, 0};
    nanosleep(&t1, NULL);
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, &old);
  add("itimer 2: a periodic timer fired %d times; its interval read back {%ld,%ld}", (int)alarms, (long)old.it_interval.tv_sec,
      (long)old.it_interval.tv_usec);
  r = setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 1000000}}, NULL);
  add("; usec 1000000=%s", res(r));
  r = setitimer(99, &off, NULL);
  add(" bad which=%s", res(r));
  end_line();

  /* a socket call with SO_RCVTIMEO interrupted by a handled signal is EINTR even with SA_RESTART */
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  struct timeval tv = {2, 0};
  setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 20000}}, NULL);
  char b[8];
  alarms = 0;
  ssize_t n = recv(sv[0], b, sizeof b, 0);
  add("rcvtimeo 1: recv with SO_RCVTIMEO interrupted (SA_RESTART): %s alarms=%d", res(n), (int)alarms);
  /* without a timeout the same recv is restarted, and completes when data comes */
  if (fork() == 0) {
    struct timespec t = {0, 60000000};
    nanosleep(&t, NULL);
    send(sv[1], "late", 4, 0);
    _exit(0);
  }
  int sv2 = sv[1];
  (void)sv2;
  struct timeval none = {0, 0};
  setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
  setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 20000}}, NULL);
  alarms = 0;
  n = recv(sv[0], b, sizeof b, 0);
  add("; without SO_RCVTIMEO it restarts: %s alarms=%d", res(n), (int)alarms);
  wait(NULL);
  end_line();
  close(sv[0]);
  close(sv[1]);

  /* recv(MSG_WAITALL) and a handled signal: partial data is returned; with none, EINTR or a restart by SA_RESTART;
   * with SO_RCVTIMEO the timeout returns what came, or EAGAIN (unix_stream_read_generic, sock_intr_errno) */
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  char big[16];
  send(sv[1], "abc", 3, 0);
  setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 20000}}, NULL);
  alarms = 0;
  n = recv(sv[0], big, sizeof big, MSG_WAITALL);
  add("waitall 1: 3 bytes then a handled signal (SA_RESTART): %s alarms=%d", res(n), (int)alarms);
  handle(SIGALRM, 0);
  setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 20000}}, NULL);
  alarms = 0;
  n = recv(sv[0], big, sizeof big, MSG_WAITALL);
  add("; no data, no SA_RESTART: %s alarms=%d", res(n), (int)alarms);
  handle(SIGALRM, SA_RESTART);
  if (fork() == 0) {
    struct timespec t = {0, 60000000};
    nanosleep(&t, NULL);
    send(sv[1], "0123456789abcdef", 16, 0);
    _exit(0);
  }
  setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 20000}}, NULL);
  alarms = 0;
  n = recv(sv[0], big, sizeof big, MSG_WAITALL);
  add("; no data, SA_RESTART: restarted and got %s alarms=%d", res(n), (int)alarms);
  wait(NULL);
  struct timeval tmo = {0, 30000};
  setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof tmo);
  send(sv[1], "xy", 2, 0);
  n = recv(sv[0], big, sizeof big, MSG_WAITALL);
  add("; SO_RCVTIMEO with 2 bytes: %s", res(n));
  n = recv(sv[0], big, sizeof big, MSG_WAITALL);
  add(" with none: %s", res(n));
  send(sv[1], "z", 1, 0);
  setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 20000}}, NULL);
  alarms = 0;
  n = recv(sv[0], big, sizeof big, MSG_WAITALL);
  add("; 1 byte then a signal under SO_RCVTIMEO: %s alarms=%d", res(n), (int)alarms);
  end_line();
  close(sv[0]);
  close(sv[1]);

  /* capget: the version handshake, and root's capabilities */
  struct __user_cap_header_struct h = {0, 0};
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  r = (int)syscall(SYS_capget, &h, NULL);
  add("capget 1: probe=%s version=%#x", res(r), h.version);
  h.version = _LINUX_CAPABILITY_VERSION_3;
  h.pid = 0;
  r = (int)syscall(SYS_capget, &h, d);
  add(" v3=%s CAP_NET_ADMIN=%d CAP_KILL=%d CAP_SETUID=%d inheritable=%#x", res(r), !!(d[0].effective & (1u << CAP_NET_ADMIN)),
      !!(d[0].effective & (1u << CAP_KILL)), !!(d[0].permitted & (1u << CAP_SETUID)), d[0].inheritable);
  h.version = 0x12345678;
  r = (int)syscall(SYS_capget, &h, d);
  add(" bad version=%s now %#x", res(r), h.version);
  h.version = _LINUX_CAPABILITY_VERSION_3;
  h.pid = 0x3fffffff;
  r = (int)syscall(SYS_capget, &h, d);
  add(" no such pid=%s", res(r));
  end_line();
  h.pid = 0;
  r = (int)syscall(SYS_capget, &h, d);
  d[0].effective &= ~(1u << CAP_NET_ADMIN);
  r = (int)syscall(SYS_capset, &h, d);
  add("capset 1: drop CAP_NET_ADMIN from the effective set=%s", res(r));
  r = (int)syscall(SYS_capget, &h, d);
  add(" now=%d", !!(d[0].effective & (1u << CAP_NET_ADMIN)));
  d[0].effective |= 1u << CAP_NET_ADMIN;
  r = (int)syscall(SYS_capset, &h, d);
  add(" raise it again=%s", res(r));
  end_line();

  /* SIOCGIFINDEX for lo on an AF_UNIX socket */
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  r = ioctl(s, SIOCGIFINDEX, &ifr);
  add("ifindex 1: lo=%s index=%d", res(r), ifr.ifr_ifindex);
  strcpy(ifr.ifr_name, "nosuchif0");
  r = ioctl(s, SIOCGIFINDEX, &ifr);
  add(" nosuchif0=%s", res(r));
  end_line();
  close(s);

  /* recvmmsg's timeout */
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  send(sv[0], "one", 3, 0);
  send(sv[0], "two", 3, 0);
  struct mmsghdr mm[3];
  char bufs[3][8];
  struct iovec iovs[3];
  memset(mm, 0, sizeof mm);
  for (int i = 0; i < 3; i++) {
    iovs[i].iov_base = bufs[i];
    iovs[i].iov_len = 8;
    mm[i].msg_hdr.msg_iov = &iovs[i];
    mm[i].msg_hdr.msg_iovlen = 1;
  }
  send(sv[0], "three", 5, 0);
  struct timespec tz = {0, 0};
  r = recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, &tz);
  add("recvmmsg 1: a zero timeout returns after the first=%s", res(r));
  struct timespec tl = {1, 0};
  r = recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, &tl);
  add(" then with time left=%s", res(r));
  struct timespec badt = {0, 1000000000};
  r = recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, &badt);
  add(" bad timeout=%s", res(r));
  end_line();
  close(sv[0]);
  close(sv[1]);

  /* execve of #! scripts */
  char path[64];
  snprintf(path, sizeof path, "/tmp/unixsim-probe-script-%d", getpid());
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  dprintf(fd, "#!/nonexistent/interpreter -x\necho never\n");
  close(fd);
  char *args[] = {path, NULL};
  r = execve(path, args, NULL);
  add("shebang 1: missing interpreter=%s", res(r));
  fd = open(path, O_WRONLY | O_TRUNC);
  dprintf(fd, "#!%s from-script\n", argv[0][0] == '/' ? argv[0] : "/proc/self/exe");
  close(fd);
  pid_t c = fork();
  if (c == 0) {
    char *a2[] = {path, "extra", NULL};
    execve(path, a2, NULL);
    printf("script: execve failed: %s\n", errname(errno));
    _exit(1);
  }
  int st = 0;
  waitpid(c, &st, 0);
  add("; the script's child exited %d", WEXITSTATUS(st));
  end_line();
  unlink(path);

  printf("done\n");
  return 0;
}
