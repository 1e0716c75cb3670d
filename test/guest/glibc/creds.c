/* Credentials: setuid/setgid/setreuid/setregid/setresuid/setresgid and
   getresuid/getresgid through raw syscalls, from root down to an
   unprivileged user, with the EINVAL, EPERM and EFAULT cases Linux gives
   (kernel/sys.c). Run as root. Prints one line per call. */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long r) {
  printf("%-28s = %ld", what, r);
  if (r < 0) printf(" errno %d", errno);
  unsigned a, b, c, d, e, f;
  syscall(SYS_getresuid, &a, &b, &c);
  syscall(SYS_getresgid, &d, &e, &f);
  printf("  uid %u/%u/%u gid %u/%u/%u\n", a, b, c, d, e, f);
}

int main(void) {
  if (syscall(SYS_getuid) != 0) {
    printf("run as root\n");
    return 0;
  }
  show("setgid(-1)", syscall(SYS_setgid, -1));
  show("setuid(-1)", syscall(SYS_setuid, -1));
  show("setgid(-100)", syscall(SYS_setgid, -100));
  /* (getgid() here is 4294967196 on Linux; qemu-user reports -1, so it is checked in test/script/creds.test.ts) */
  show("setgid(0)", syscall(SYS_setgid, 0));
  show("setresuid(-1,-1,-1)", syscall(SYS_setresuid, -1, -1, -1));
  show("setresgid(100,100,0)", syscall(SYS_setresgid, 100, 100, 0));
  show("setresuid(1000,1000,0)", syscall(SYS_setresuid, 1000, 1000, 0));
  printf("geteuid = %ld getegid = %ld\n", syscall(SYS_geteuid), syscall(SYS_getegid));
  show("setgid(7) unprivileged", syscall(SYS_setgid, 7));
  show("setuid(0) saved is 0", syscall(SYS_setuid, 0));
  show("setreuid(1000,2000)", syscall(SYS_setreuid, 1000, 2000));
  show("setuid(0) now", syscall(SYS_setuid, 0));
  show("setreuid(-1,1000)", syscall(SYS_setreuid, -1, 1000));
  show("setreuid(-1,2000)", syscall(SYS_setreuid, -1, 2000));
  show("setreuid(3000,-1)", syscall(SYS_setreuid, 3000, -1));
  show("setreuid(2000,-1)", syscall(SYS_setreuid, 2000, -1));
  show("setresuid(1000,-1,-1)", syscall(SYS_setresuid, 1000, -1, -1));
  show("setresuid(-1,-1,5)", syscall(SYS_setresuid, -1, -1, 5));
  show("setuid(2000) unprivileged", syscall(SYS_setuid, 2000));
  show("setuid(1000) unprivileged", syscall(SYS_setuid, 1000));
  show("setregid(0,-1) unprivileged", syscall(SYS_setregid, 0, -1));
  show("setregid(-1,0) saved gid 0", syscall(SYS_setregid, -1, 0));
  show("setresgid(-1,-1,100)", syscall(SYS_setresgid, -1, -1, 100));
  show("getresuid(bad pointer)", syscall(SYS_getresuid, (void *)8, (void *)8, (void *)8));
  return 0;
}
