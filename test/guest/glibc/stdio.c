/* stdio, string formatting, strtod and qsort from a static glibc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(int argc, char **argv) {
  printf("hello from glibc, argc %d\n", argc);
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  int v[] = {5, 3, 9, 1, 7};
  qsort(v, 5, sizeof v[0], cmp);
  printf("sorted: %d %d %d %d %d\n", v[0], v[1], v[2], v[3], v[4]);
  printf("pi ~ %.6f, e ~ %g, %s\n", 3.14159265358979, strtod("2.718281828", NULL), getenv("UNIXSIM_UNSET") ? "env?" : "no env");
  char buf[64];
  snprintf(buf, sizeof buf, "%08x|%-5s|%+d", 0xbeef, "ab", 42);
  puts(buf);
  fprintf(stderr, "to stderr\n");
  return 5;
}
