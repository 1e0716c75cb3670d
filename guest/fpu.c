/* Exercises float and double arithmetic, conversions and rounding; prints results. */
#include "rt/sys.h"

static volatile double vd[] = {0.1, -2.5, 3.0, 1e-310, 1e300, -0.0};
static volatile float vf[] = {0.1f, -2.5f, 3.0f, 1e-40f, 3e38f, 16777217.0f};

static unsigned fflags(void) {
  unsigned v;
  __asm__ volatile("frflags %0" : "=r"(v));
  return v;
}
static void clear_flags(void) { __asm__ volatile("fsflags zero"); }
static double fmin_d(double a, double b) {
  double r;
  __asm__ volatile("fmin.d %0, %1, %2" : "=f"(r) : "f"(a), "f"(b));
  return r;
}
static double fmax_d(double a, double b) {
  double r;
  __asm__ volatile("fmax.d %0, %1, %2" : "=f"(r) : "f"(a), "f"(b));
  return r;
}

int main(void) {
  double acc = 0;
  for (int k = 0; k < 6; k++)
    for (int j = 0; j < 6; j++)
      if (k != 4 && j != 4) acc += vd[k] * 0.5 + vd[j] / 7.0;
  printf("double sum %.9f\n", acc);
  float facc = 0;
  for (int k = 0; k < 6; k++)
    if (k != 4) facc = facc * 0.75f + vf[k];
  printf("float acc %.3f\n", (double)facc);
  printf("sqrt(2) %.15f sqrtf(3) %.7f\n", __builtin_sqrt(2.0), (double)__builtin_sqrtf(3.0f));
  printf("fma %.12f\n", __builtin_fma(vd[0], vd[2], vd[1]));
  clear_flags();
  volatile double tiny = vd[3] * 1e-10;
  printf("underflow flags %x (%.3f)\n", fflags(), tiny * 1e300 * 1e20);
  clear_flags();
  volatile double big = vd[4] * vd[4];
  printf("overflow flags %x (%.3f)\n", fflags(), big > 1e308 ? 1.0 : 0.0);
  clear_flags();
  volatile double q = 1.0 / vd[5];
  printf("divzero flags %x (%s)\n", fflags(), q < 0 ? "-inf" : "+inf");
  long l = (long)(vd[1] * 1e15);
  int i = (int)vf[1];
  unsigned u = (unsigned)vd[2];
  printf("conversions %ld %d %u %ld\n", l, i, u, (long)(float)vd[0]);
  double m = vd[0];
  for (int k = 0; k < 50; k++) m = m * 1.5 - (double)(long)m;
  printf("mix %.9f min %.2f max %.2f\n", m, fmin_d(vd[1], vd[5]), fmax_d(vd[5], 0.0));
  return 0;
}
