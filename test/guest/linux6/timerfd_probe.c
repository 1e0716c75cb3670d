/* timerfd: a one-shot timer a blocking read waits for, EAGAIN before it
 * fires, timerfd_gettime before and after, a periodic timer's count of
 * periods (at least, since the native run takes real time), an absolute
 * time already past with its overruns, disarming, epoll waiting for it,
 * and the argument checks. One line per check, compared with native Linux
 * by the fidelity test. */
#define _GNU_SOURCE
#include <errno.h>
#include "errname.h"
#include "probe-line.h"
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static long long ticks(int fd) {
  uint64_t v = 0;
  return read(fd, &v, sizeof v) == 8 ? (long long)v : -errno;
}

static struct itimerspec spec(long vs, long vns, long is, long ins) {
  struct itimerspec s = { { is, ins }, { vs, vns } };
  return s;
}

int main(void) {
  int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct itimerspec s = spec(0, 200000000, 0, 0), cur;
  const char *set = res(timerfd_settime(t, 0, &s, NULL));
  long long early = ticks(t);
  timerfd_gettime(t, &cur);
  int pending = cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 200000000;
  struct pollfd p = { t, POLLIN, 0 };
  int pr = poll(&p, 1, 1000);
  long long got = ticks(t);
  timerfd_gettime(t, &cur);
  add("one shot: set %s early %s pending %d poll %d got %lld after %ld.%09ld", set, early == -EAGAIN ? "EAGAIN" : "?", pending, pr, got,
      (long)cur.it_value.tv_sec, cur.it_value.tv_nsec); end_line();

  int b = timerfd_create(CLOCK_MONOTONIC, 0);
  s = spec(0, 50000000, 0, 0);
  timerfd_settime(b, 0, &s, NULL);
  add("blocking read: %lld", ticks(b)); end_line();

  s = spec(0, 100000000, 0, 100000000);
  timerfd_settime(t, 0, &s, NULL);
  struct timespec nap = { 0, 350000000 };
  nanosleep(&nap, NULL);
  long long periods = ticks(t);
  timerfd_gettime(t, &cur);
  add("periodic: at least 3 %d interval %ld next within %d", periods >= 3, cur.it_interval.tv_nsec, cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 100000000); end_line();

  struct itimerspec old;
  s = spec(0, 0, 0, 0);
  timerfd_settime(t, 0, &s, &old);
  timerfd_gettime(t, &cur);
  add("disarm: old interval %ld now %ld.%09ld read %s", old.it_interval.tv_nsec, (long)cur.it_value.tv_sec, cur.it_value.tv_nsec,
      ticks(t) == -EAGAIN ? "EAGAIN" : "?"); end_line();

  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  /* 300 ms ago (the simulated machine has been up for under a second), every 100 ms */
  s = spec(now.tv_sec, now.tv_nsec - 300000000, 0, 100000000);
  if (s.it_value.tv_nsec < 0) { s.it_value.tv_sec--; s.it_value.tv_nsec += 1000000000; }
  timerfd_settime(t, TFD_TIMER_ABSTIME, &s, NULL);
  p.revents = 0;
  poll(&p, 1, 1000);
  long long over = ticks(t);
  add("absolute past: overruns %s", over >= 4 && over <= 5 ? "4-5" : "?"); end_line();

  int rt = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  struct timespec wall;
  clock_gettime(CLOCK_REALTIME, &wall);
  s = spec(wall.tv_sec, wall.tv_nsec, 0, 0);
  s.it_value.tv_nsec += 50000000;
  if (s.it_value.tv_nsec >= 1000000000) { s.it_value.tv_sec++; s.it_value.tv_nsec -= 1000000000; }
  const char *rset = res(timerfd_settime(rt, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &s, NULL));
  int ep = epoll_create1(0);
  struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 5 }, out;
  epoll_ctl(ep, EPOLL_CTL_ADD, rt, &ev);
  int n = epoll_wait(ep, &out, 1, 2000);
  add("realtime absolute: set %s epoll %d data %u read %lld", rset, n, out.data.u32, ticks(rt)); end_line();

  uint32_t small;
  s = spec(0, 1000, 0, 0);
  timerfd_settime(t, 0, &s, NULL);
  poll(&p, 1, 1000);
  const char *rsmall = res(read(t, &small, 4));
  s = spec(0, 1000000000, 0, 0);
  const char *bad_ns = res(timerfd_settime(t, 0, &s, NULL));
  s = spec(1, 0, 0, 0);
  const char *bad_flags = res(timerfd_settime(t, 8, &s, NULL));
  const char *not_timer = res(timerfd_settime(1, 0, &s, NULL));
  const char *bad_fd = res(timerfd_settime(99, 0, &s, NULL));
  const char *bad_clock = res(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
  const char *bad_cflags = res(timerfd_create(CLOCK_MONOTONIC, 0x10));
  const char *fault = res(timerfd_settime(t, 0, (struct itimerspec *)8, NULL));
  add("checks: read4 %s nsec %s flags %s not a timer %s fd %s clock %s create flags %s fault %s", rsmall, bad_ns, bad_flags, not_timer, bad_fd,
      bad_clock, bad_cflags, fault); end_line();
  printf("done\n");
  return 0;
}
