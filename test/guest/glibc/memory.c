/* malloc through brk and mmap, realloc across the mmap threshold, calloc,
   free, and an explicit mmap/munmap; deep recursion grows the stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static long depth(long n) {
  volatile char pad[256];
  pad[0] = (char)n;
  return n == 0 ? pad[0] : depth(n - 1) + 1 + pad[0] * 0;
}

int main(void) {
  long sum = 0;
  char *small[100];
  for (int i = 0; i < 100; i++) {
    small[i] = malloc(100 + i);
    memset(small[i], i, 100 + i);
  }
  for (int i = 0; i < 100; i++) sum += small[i][99];
  for (int i = 0; i < 100; i += 2) free(small[i]);
  char *big = malloc(1 << 20);
  memset(big, 7, 1 << 20);
  big = realloc(big, 3 << 20);
  sum += big[(1 << 20) - 1] + big[0];
  free(big);
  int *z = calloc(50000, sizeof(int));
  for (int i = 0; i < 50000; i++) sum += z[i];
  free(z);
  char *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  strcpy(m + 60000, "mapped");
  printf("sum %ld, %s\n", sum, m + 60000);
  printf("munmap %d\n", munmap(m, 65536));
  printf("recursion depth %ld\n", depth(5000));
  return 0;
}
