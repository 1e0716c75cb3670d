/* Hostile guests for test/hostile: each mode tries to take the host down
   (memory, processes, time, output) and prints what the kernel answered.
   Run as `hostile MODE [N]`; under unixsim with a small --memory budget
   each ends quickly with an errno, a signal, or a limit the run reports. */
#include "psys.h"

#define SYS_setuid 146
#define PROT_NONE 0
#define SYS_rt_sigsuspend 133
#define SYS_setrlimit 164
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7

static long mib(long n) { return n << 20; }

/* Maps N MiB (one mapping, or N mappings of 1 MiB when `split`) and touches every page: the OOM rule applies. */
static int touch(long n, int split) {
  long len = mib(n), chunk = split ? mib(1) : len;
  for (long done = 0; done < len; done += chunk) {
    char *p = (char *)sys_mmap(0, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (done == 0 || (long)p < 0) printf("mmap %ld MiB: %s\n", chunk >> 20, (long)p < 0 ? "failed" : "ok");
    if ((long)p < 0) return 1;
    for (long i = 0; i < chunk; i += 4096) p[i] = 1;
  }
  printf("touched all\n");
  return 0;
}

/* Reserves 64 GiB PROT_NONE (as Go's runtime does), then uses one page of it. */
static int reserve(void) {
  long len = 64L << 30;
  char *p = (char *)sys_mmap(0, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("reserve 64 GiB: %s\n", (long)p < 0 ? "failed" : "ok");
  long r = syscall6(SYS_mprotect, (long)(p + (1L << 30)), 4096, PROT_READ | PROT_WRITE, 0, 0, 0);
  p[(1L << 30) + 10] = 42;
  printf("mprotect a page inside: %ld, reads back %d\n", r, p[(1L << 30) + 10]);
  printf("munmap a middle part: %ld\n", syscall6(SYS_munmap, (long)(p + (2L << 30)), 1L << 30, 0, 0, 0, 0));
  return 0;
}

/* A parent with N MiB touched forks children that each write it all (copy-on-write fan-out). */
static int cow(long n) {
  long len = mib(n);
  char *p = (char *)sys_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (long i = 0; i < len; i += 4096) p[i] = 1;
  for (int c = 0; c < 20; c++) {
    long pid = sys_fork();
    if (pid == 0) {
      for (long i = 0; i < len; i += 4096) p[i] = 2;
      sys_sleep_ms(1000);
      sys_exit_group(0);
    }
    if (pid < 0) {
      printf("fork %d: %ld\n", c, pid);
      break;
    }
  }
  int st;
  while (sys_wait4(-1, &st) > 0) {}
  printf("parent done\n");
  return 0;
}

/* MAP_SHARED anonymous memory is the same memory in a fork child. */
static int shared(void) {
  int *p = (int *)sys_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  int *q = (int *)sys_mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  long pid = sys_fork();
  if (pid == 0) {
    *p = 7;
    *q = 7;
    sys_exit_group(0);
  }
  int st;
  sys_wait4(pid, &st);
  printf("shared sees %d, private sees %d\n", *p, *q);
  return 0;
}

/* Forks until refused, each child sleeping; as uid 1000 with RLIMIT_NPROC N when given. */
static int forkbomb(long n) {
  if (n) {
    unsigned long lim[2] = { n, n };
    syscall6(SYS_setrlimit, RLIMIT_NPROC, (long)lim, 0, 0, 0, 0);
    syscall1(SYS_setuid, 1000);
  }
  long made = 0, err = 0;
  for (;;) {
    long pid = sys_fork();
    if (pid == 0) {
      sys_sleep_ms(10);
      sys_exit_group(0);
    }
    if (pid < 0) {
      err = pid;
      break;
    }
    made++;
  }
  printf("forked %ld, then %ld\n", made, err);
  int st;
  while (sys_wait4(-1, &st) > 0) {}
  return 0;
}

/* Pipes filled with 64 KiB each until the kernel refuses. */
static int pipes(void) {
  static char buf[65536];
  long filled = 0, r = 0;
  for (;;) {
    int fds[2];
    r = sys_pipe2(fds, 04000 /* O_NONBLOCK */);
    if (r < 0) break;
    r = sys_write(fds[1], buf, sizeof buf);
    if (r != (long)sizeof buf) break;
    filled++;
  }
  printf("filled %ld pipes, then %ld\n", filled, r);
  return 0;
}

/* Files of 4 MiB in /tmp until the filesystem is full. */
static int files(void) {
  static char buf[1 << 20];
  char name[] = "/tmp/fillXXX";
  long r = 0, made = 0;
  for (int i = 0; i < 1000; i++) {
    name[9] = '0' + i / 100; name[10] = '0' + i / 10 % 10; name[11] = '0' + i % 10;
    int fd = syscall6(SYS_openat, -100, (long)name, 0101 /* O_CREAT|O_WRONLY */, 0644, 0, 0);
    for (int k = 0; k < 4; k++) {
      r = sys_write(fd, buf, sizeof buf);
      if (r != (long)sizeof buf) break;
    }
    sys_close(fd);
    if (r != (long)sizeof buf) break;
    made++;
  }
  printf("wrote %ld files, then %ld\n", made, r);
  return 0;
}

/* Writes to stdout for ever. */
__attribute__((noreturn)) static int flood(void) {
  static char line[4096];
  for (int i = 0; i < 4095; i++) line[i] = 'x';
  line[4095] = '\n';
  for (;;) sys_write(1, line, sizeof line);
}

/* Sleeps until the end of time; or suspends for a signal that never comes. */
static int sleepy(long suspend) {
  printf("sleeping\n");
  if (suspend) {
    unsigned long none = 0;
    printf("sigsuspend: %ld\n", syscall6(SYS_rt_sigsuspend, (long)&none, 8, 0, 0, 0, 0));
  }
  struct timespec ts = { 0x7fffffffffffffffL, 999999999 };
  printf("nanosleep: %ld\n", syscall6(SYS_nanosleep, (long)&ts, 0, 0, 0, 0, 0));
  return 0;
}

/* 100k dups of stdin after raising RLIMIT_NOFILE. */
static int dups(long n) {
  unsigned long lim[2] = { n + 16, n + 16 };
  printf("setrlimit: %ld\n", syscall6(SYS_setrlimit, RLIMIT_NOFILE, (long)lim, 0, 0, 0, 0));
  long last = 0;
  for (long i = 0; i < n; i++) last = syscall1(SYS_dup, 0);
  printf("last dup %ld\n", last);
  return 0;
}

/* Writes a 2.3 KB ELF with 40 writable bss segments of 256 MiB into /tmp and execve()s it. */
static int execbomb(void) {
  static unsigned char elf[64 + 41 * 56];
  unsigned char *h = elf;
  h[0] = 0x7f; h[1] = 'E'; h[2] = 'L'; h[3] = 'F'; h[4] = 2; h[5] = 1; h[6] = 1;
  h[16] = 2;                            /* ET_EXEC */
  h[18] = 243;                          /* EM_RISCV */
  h[20] = 1;                            /* EV_CURRENT */
  *(long *)(h + 24) = 0x10000;          /* e_entry */
  *(long *)(h + 32) = 64;               /* e_phoff */
  h[52] = 64; h[54] = 56; h[56] = 40;   /* e_ehsize, e_phentsize, e_phnum */
  for (int k = 0; k < 40; k++) {
    unsigned char *ph = elf + 64 + 56 * k;
    *(int *)ph = 1;                                     /* PT_LOAD */
    *(int *)(ph + 4) = 7;                               /* RWX */
    *(long *)(ph + 16) = 0x10000 + ((long)k << 28);     /* p_vaddr */
    *(long *)(ph + 40) = 1L << 28;                      /* p_memsz: 256 MiB of bss */
  }
  int fd = syscall6(SYS_openat, -100, (long)"/tmp/bomb", 01101 /* O_CREAT|O_WRONLY|O_TRUNC */, 0755, 0, 0);
  sys_write(fd, elf, 64 + 40 * 56);
  sys_close(fd);
  char *argv[] = { "/tmp/bomb", 0 };
  long r = syscall6(SYS_execve, (long)"/tmp/bomb", (long)argv, 0, 0, 0, 0);
  printf("execve of the bomb: %ld\n", r);
  return 0;
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  long n = argc > 2 ? atol(argv[2]) : 0;
  if (!strcmp(m, "touch")) return touch(n, 0);
  if (!strcmp(m, "touchsplit")) return touch(n, 1);
  if (!strcmp(m, "reserve")) return reserve();
  if (!strcmp(m, "cow")) return cow(n);
  if (!strcmp(m, "shared")) return shared();
  if (!strcmp(m, "forkbomb")) return forkbomb(n);
  if (!strcmp(m, "pipes")) return pipes();
  if (!strcmp(m, "files")) return files();
  if (!strcmp(m, "flood")) return flood();
  if (!strcmp(m, "sleep")) return sleepy(n);
  if (!strcmp(m, "spin")) for (;;) {}
  if (!strcmp(m, "dups")) return dups(n);
  if (!strcmp(m, "execbomb")) return execbomb();
  printf("usage: hostile touch|touchsplit|reserve|cow|shared|forkbomb|pipes|files|flood|sleep|spin|dups|execbomb [N]\n");
  return 2;
}
