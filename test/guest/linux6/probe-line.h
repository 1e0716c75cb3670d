/* One output line per check: add() appends to it, end_line() prints it. */
#include <stdarg.h>
#include <stdio.h>

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
