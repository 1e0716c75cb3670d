/* Prints a greeting and its arguments. */
#include "rt/sys.h"

int main(int argc, char **argv) {
  printf("hello, world\n");
  for (int k = 0; k < argc; k++) printf("argv[%d] = %s\n", k, argv[k]);
  return 0;
}
