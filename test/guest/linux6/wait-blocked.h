/* Waiting until another thread sleeps in the call a check is about, instead
 * of a fixed pause that a loaded machine can outrun: the thread stores its
 * tid, and the caller polls /proc/self/task/TID/stat until its state is S
 * (sleeping) or D. Where that file does not exist (unixsim has no
 * /proc/self/task), a pause of 50 ms is enough: time there is virtual and a
 * runnable thread always gets there first. */
#ifndef UNIXSIM_WAIT_BLOCKED_H
#define UNIXSIM_WAIT_BLOCKED_H
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Called by the thread that is about to block. */
static void note_tid(volatile int *tid) { *tid = (int)syscall(SYS_gettid); }

/* Returns once the thread whose tid note_tid() stores in *tid sleeps (or after 10 s). */
static void wait_blocked(volatile int *tid) {
  while (*tid == 0) nap_ms(1);
  char path[64], st[256];
  snprintf(path, sizeof path, "/proc/self/task/%d/stat", *tid);
  for (int i = 0; i < 10000; i++) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
      nap_ms(50);
      return;
    }
    ssize_t n = read(fd, st, sizeof st - 1);
    close(fd);
    st[n > 0 ? n : 0] = 0;
    const char *p = strrchr(st, ')'); /* the state follows the command name */
    if (p && (p[2] == 'S' || p[2] == 'D')) return;
    nap_ms(1);
  }
}
#endif
