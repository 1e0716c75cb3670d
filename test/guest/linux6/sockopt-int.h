/* setsockopt and getsockopt of an int at SOL_SOCKET, as the probes print them. */
#ifndef UNIXSIM_SOCKOPT_INT_H
#define UNIXSIM_SOCKOPT_INT_H
#include <stdio.h>
#include <sys/socket.h>
#include "probe-line.h"

/* setsockopt of an int; the result */
__attribute__((unused)) static const char *seti(int fd, int opt, int v) {
  return res(setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v));
}

/* getsockopt of an int with optlen len: "value/len" or the error (the value starts as 0x55555555) */
static const char *geti_len(int fd, int opt, socklen_t len) {
  int v = 0x55555555;
  socklen_t l = len;
  int r = getsockopt(fd, SOL_SOCKET, opt, &v, &l);
  static char b[8][48];
  static int k;
  char *s = b[k++ & 7];
  if (r < 0) snprintf(s, 48, "%s", errname(errno));
  else snprintf(s, 48, "%d/%u", v, l);
  return s;
}

/* getsockopt of an int: "value/len" or the error */
__attribute__((unused)) static const char *geti(int fd, int opt) { return geti_len(fd, opt, sizeof(int)); }
#endif
