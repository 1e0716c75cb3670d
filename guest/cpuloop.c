/* CPU-bound loop for the hart benchmark: integer mixing, multiplies, and
   array loads/stores; prints a checksum so every run can be compared. */
#include "rt/sys.h"

static unsigned long table[1024];

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 200000;
  unsigned long x = 0x9e3779b97f4a7c15ul, sum = 0;
  for (int k = 0; k < 1024; k++) table[k] = k * 0x1234567ul;
  for (long r = 0; r < rounds; r++) {
    for (int k = 0; k < 16; k++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      unsigned idx = (unsigned)(x >> 54);
      table[idx] += x;
      sum += table[(idx + 1) & 1023] * 3 + (x >> 3);
    }
  }
  printf("rounds=%ld checksum=%lx\n", rounds, sum);
  return 0;
}
