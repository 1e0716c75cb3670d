/* AF_UNIX ping-pong for the syscall-path benchmark: a parent and a forked
   child bounce a 64-byte message over a SOCK_STREAM socketpair with plain
   write/read, N round trips (argv[1], default 20000), and print a checksum
   of what came back so every run can be compared. */
#include "psys.h"

#define SYS_socketpair 199
#define AF_UNIX 1
#define SOCK_STREAM 1
#define MSG 64

/* Reads exactly n bytes (a stream may return a message in pieces). */
static long read_full(int fd, char *buf, long n) {
  long got = 0;
  while (got < n) {
    long r = sys_read(fd, buf + got, n - got);
    if (r <= 0) return r < 0 ? r : got;
    got += r;
  }
  return got;
}

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 20000;
  int sv[2];
  if (syscall6(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, (long)sv, 0, 0) != 0) return 100;
  long pid = sys_fork();
  if (pid < 0) return 101;
  char buf[MSG];
  if (pid == 0) {
    sys_close(sv[0]);
    for (long r = 0; r < rounds; r++) {
      if (read_full(sv[1], buf, MSG) != MSG) return 102;
      buf[0]++;
      if (sys_write(sv[1], buf, MSG) != MSG) return 103;
    }
    return 0;
  }
  sys_close(sv[1]);
  for (int k = 0; k < MSG; k++) buf[k] = (char)k;
  unsigned long sum = 0;
  for (long r = 0; r < rounds; r++) {
    if (sys_write(sv[0], buf, MSG) != MSG) return 104;
    if (read_full(sv[0], buf, MSG) != MSG) return 105;
    sum = sum * 31 + (unsigned char)buf[0];
  }
  int status = 0;
  if (sys_wait4((int)pid, &status) != pid) return 106;
  printf("rounds=%ld checksum=%lx child=%d\n", rounds, sum, WEXITSTATUS(status));
  return 0;
}
