/* Memory syscalls: brk growth and shrink, anonymous and fixed mmap,
   MAP_FIXED_NOREPLACE, munmap, mprotect with a SIGSEGV handler that makes
   the page writable again, a file-backed private mapping; plus getrandom,
   uname, prlimit64(RLIMIT_NOFILE) bounding dup, readlinkat of /proc/self/exe. */
#include "psys.h"

static volatile int segvs;
static char *ro_page;

static void on_segv(int sig) {
  segvs++;
  syscall6(SYS_mprotect, (long)ro_page, 4096, PROT_READ | PROT_WRITE, 0, 0, 0);
}

int main(int argc, char **argv) {
  long b0 = syscall1(SYS_brk, 0);
  long b1 = syscall1(SYS_brk, b0 + 100000);
  char *heap = (char *)b0;
  for (long i = 0; i < 100000; i += 4096) heap[i] = (char)(i >> 12);
  long sum = 0;
  for (long i = 0; i < 100000; i += 4096) sum += heap[i];
  long b2 = syscall1(SYS_brk, b0 + 5000);
  printf("brk grew by %ld, sum %ld, shrank to +%ld\n", b1 - b0, sum, b2 - b0);

  unsigned long len = 1 << 20;
  long m = sys_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  unsigned char *p = (unsigned char *)m;
  printf("mmap: aligned %d, zero %d\n", (m & 4095) == 0, p[12345] == 0 && p[len - 1] == 0);
  for (unsigned long i = 0; i < len; i += 512) p[i] = (unsigned char)(i >> 9);
  long fixed = sys_mmap(p + 8192, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("MAP_FIXED in place %d, replaced page reads %d, neighbour %d\n", fixed == m + 8192, p[8192], p[4096]);
  long nr = sys_mmap(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  /* Linux refuses with EEXIST; some qemu-user versions treat the flag as a hint: either way p stays */
  printf("MAP_FIXED_NOREPLACE kept the old mapping: %d\n", nr != m && p[4096] == 8);
  printf("munmap: %ld, bad munmap: %ld\n", syscall6(SYS_munmap, m, len, 0, 0, 0, 0), syscall6(SYS_munmap, m + 1, 10, 0, 0, 0, 0));

  ro_page = (char *)sys_mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct ksigaction sa = { (void *)on_segv, 0, 0 };
  sys_sigaction(SIGSEGV, &sa, 0);
  ro_page[100] = 'w';
  __asm__ volatile("" ::: "memory"); /* the store happens before segvs is read */
  printf("store to a read-only page: %d fault(s), then it holds '%c'\n", segvs, ro_page[100]);

  int fd = (int)syscall6(SYS_openat, AT_FDCWD, (long)"/tmp/unixsim-mmapbrk.txt", O_RDWR | O_CREAT | O_TRUNC, 0600, 0, 0);
  sys_write(fd, "file-backed mapping\n", 20);
  long fm = sys_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  char *fp = (char *)fm;
  fp[0] = 'F';
  char back[32] = {0};
  syscall6(67 /* pread64 */, fd, (long)back, 20, 0, 0, 0);
  char seen[32] = {0};
  memcpy(seen, fp, 20);
  printf("mapped file: %s", seen);
  printf("file after a private write: %s", back);
  sys_close(fd);
  syscall6(SYS_unlinkat, AT_FDCWD, (long)"/tmp/unixsim-mmapbrk.txt", 0, 0, 0, 0);

  unsigned char rnd[16];
  printf("getrandom: %ld\n", syscall6(SYS_getrandom, (long)rnd, 16, 0, 0, 0, 0));
  char uts[6][65];
  syscall1(SYS_uname, uts);
  printf("uname: %s %s\n", uts[0], uts[4]);

  unsigned long lim[2] = {0, 0};
  syscall6(SYS_prlimit64, 0, 7, 0, (long)lim, 0, 0);
  unsigned long newlim[2] = {16, lim[1]};
  printf("prlimit64 set: %ld\n", syscall6(SYS_prlimit64, 0, 7, (long)newlim, 0, 0, 0));
  long last = 0, r;
  while ((r = syscall1(SYS_dup, 0)) >= 0) last = r;
  printf("dup stops after fd %ld with %ld\n", last, r);

  char exe[256] = {0};
  long n = syscall6(SYS_readlinkat, AT_FDCWD, (long)"/proc/self/exe", (long)exe, sizeof exe - 1, 0, 0);
  printf("/proc/self/exe: %ld bytes, same as argv[0]: %d\n", n, strcmp(exe, argv[0]) == 0);
  return 0;
}
