/* System call wrappers: a7 = number, a0..a5 = arguments, result in a0. */
#include "sys.h"

long syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5) {
  register long r_a7 __asm__("a7") = n;
  register long r_a0 __asm__("a0") = a0;
  register long r_a1 __asm__("a1") = a1;
  register long r_a2 __asm__("a2") = a2;
  register long r_a3 __asm__("a3") = a3;
  register long r_a4 __asm__("a4") = a4;
  register long r_a5 __asm__("a5") = a5;
  __asm__ volatile("ecall"
                   : "+r"(r_a0)
                   : "r"(r_a7), "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5)
                   : "memory");
  return r_a0;
}

ssize_t sys_write(int fd, const void *buf, size_t len) { return syscall3(SYS_write, fd, buf, len); }
ssize_t sys_read(int fd, void *buf, size_t len) { return syscall3(SYS_read, fd, buf, len); }

void sys_exit_group(int code) {
  for (;;) syscall1(SYS_exit_group, code);
}
