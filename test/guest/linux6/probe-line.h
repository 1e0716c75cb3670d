/* One output line per check: add() appends to it, end_line() prints it. */
#ifndef UNIXSIM_PROBE_LINE_H
#define UNIXSIM_PROBE_LINE_H
#include <stdarg.h>
#include <stdio.h>
#include "errname.h"

static char line[1024];
static size_t used;
static void add(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  used += (size_t)vsnprintf(line + used, sizeof line - used, fmt, ap);
  va_end(ap);
}
static void end_line(void) {
  printf("%s\n", line);
  used = 0;
}

/* A call's result as a check prints it: its errno name when it failed,
 * else its value (res) or just "ok" where the value differs between runs,
 * such as a new fd's number (res_ok). Eight results fit in one line. */
static const char *res(long r) {
  static char b[8][32];
  static int k;
  char *s = b[k++ & 7];
  if (r < 0) snprintf(s, 32, "%s", errname(errno));
  else snprintf(s, 32, "%ld", r);
  return s;
}
__attribute__((unused)) static const char *res_ok(long r) { return r < 0 ? res(r) : "ok"; }
#endif
