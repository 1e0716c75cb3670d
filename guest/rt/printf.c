/* A small printf to fd 1: %d %i %u %x %ld %lu %lx %s %c %f (%.Nf) %%. Output is buffered per call. */
#include "sys.h"

struct out {
  char buf[512];
  size_t len;
};

static void flush(struct out *o) {
  if (o->len) sys_write(1, o->buf, o->len);
  o->len = 0;
}

static void put(struct out *o, char c) {
  if (o->len == sizeof o->buf) flush(o);
  o->buf[o->len++] = c;
}

static void put_unsigned(struct out *o, unsigned long v, unsigned base) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (n) put(o, tmp[--n]);
}

static void put_signed(struct out *o, long v) {
  if (v < 0) {
    put(o, '-');
    put_unsigned(o, -(unsigned long)v, 10);
  } else
    put_unsigned(o, (unsigned long)v, 10);
}

/* Fixed-point rendering; exact enough for test output, identical on every platform that runs it. */
static void put_double(struct out *o, double x, int prec) {
  if (x != x) { put(o, 'n'); put(o, 'a'); put(o, 'n'); return; }
  if (x < 0 || (x == 0 && 1 / x < 0)) { put(o, '-'); x = -x; }
  if (x > 1.8e19) { put(o, 'i'); put(o, 'n'); put(o, 'f'); return; }
  double scale = 1;
  for (int k = 0; k < prec; k++) scale *= 10;
  unsigned long ip = (unsigned long)x;
  double frac = x - (double)ip;
  unsigned long fp = (unsigned long)(frac * scale + 0.5);
  if ((double)fp >= scale) { ip++; fp = 0; }
  put_unsigned(o, ip, 10);
  if (prec == 0) return;
  put(o, '.');
  char digits[24];
  for (int k = prec - 1; k >= 0; k--) { digits[k] = '0' + fp % 10; fp /= 10; }
  for (int k = 0; k < prec; k++) put(o, digits[k]);
}

int printf(const char *fmt, ...) {
  struct out o;
  o.len = 0;
  va_list ap;
  va_start(ap, fmt);
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') { put(&o, *p); continue; }
    p++;
    int prec = 6, is_long = 0;
    if (*p == '.') {
      prec = 0;
      for (p++; *p >= '0' && *p <= '9'; p++) prec = prec * 10 + (*p - '0');
    }
    while (*p == 'l') is_long = 1, p++;
    switch (*p) {
      case 'd': case 'i': put_signed(&o, is_long ? va_arg(ap, long) : va_arg(ap, int)); break;
      case 'u': put_unsigned(&o, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10); break;
      case 'x': put_unsigned(&o, is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16); break;
      case 'c': put(&o, (char)va_arg(ap, int)); break;
      case 's': { const char *s = va_arg(ap, const char *); while (*s) put(&o, *s++); break; }
      case 'f': put_double(&o, va_arg(ap, double), prec); break;
      case '%': put(&o, '%'); break;
      default: put(&o, '%'); put(&o, *p); break;
    }
  }
  va_end(ap);
  flush(&o);
  return 0;
}

int puts(const char *s) {
  sys_write(1, s, strlen(s));
  sys_write(1, "\n", 1);
  return 0;
}
