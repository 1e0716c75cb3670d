/* Process, signal and memory syscalls for the kernel-ABI guest programs
   (forkpipe, sigpipe, sigframe, mmapbrk, execself), on top of rt/sys.h.
   Raw Linux riscv64 interfaces: struct layouts are the kernel's, not glibc's. */
#ifndef UNIXSIM_PSYS_H
#define UNIXSIM_PSYS_H
#include "rt/sys.h"

#define SYS_dup 23
#define SYS_fcntl 25
#define SYS_unlinkat 35
#define SYS_openat 56
#define SYS_pipe2 59
#define SYS_readlinkat 78
#define SYS_nanosleep 101
#define SYS_kill 129
#define SYS_sigaltstack 132
#define SYS_rt_sigaction 134
#define SYS_rt_sigprocmask 135
#define SYS_uname 160
#define SYS_prlimit64 261
#define SYS_getppid 173
#define SYS_brk 214
#define SYS_munmap 215
#define SYS_clone 220
#define SYS_execve 221
#define SYS_mmap 222
#define SYS_mprotect 226
#define SYS_wait4 260
#define SYS_getrandom 278

#define EINTR 4
#define EBADF 9
#define EAGAIN 11
#define EFAULT 14
#define EEXIST 17
#define EMFILE 24
#define EPIPE 32

#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGTERM 15
#define SIGCHLD 17

#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000

#define O_RDWR 2
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_CLOEXEC 02000000
#define AT_FDCWD (-100)
#define F_GETFD 1

#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000

/* struct sigaction as the riscv64 kernel reads it (no sa_restorer) */
struct ksigaction {
  void *handler;
  unsigned long flags;
  unsigned long mask;
};

typedef struct {
  void *ss_sp;
  int ss_flags;
  unsigned long ss_size;
} kstack_t;

struct ksiginfo {
  int si_signo, si_errno, si_code, pad;
  union {
    void *addr;
    struct { int pid, uid, status; } chld;
  } u;
  char rest[128 - 32];
};

/* struct ucontext (riscv64 uapi): uc_mcontext.gregs[0] is pc, gregs[r] is xr */
struct kucontext {
  unsigned long uc_flags;
  struct kucontext *uc_link;
  kstack_t uc_stack;
  unsigned long uc_sigmask;
  unsigned char unused[120];
  unsigned long gregs[32] __attribute__((aligned(16)));
  unsigned long fpregs[32];
  unsigned int fcsr;
};

struct timespec { long tv_sec, tv_nsec; };

static inline long sys_fork(void) { return syscall6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0); }
static inline long sys_wait4(int pid, int *status) { return syscall6(SYS_wait4, pid, (long)status, 0, 0, 0, 0); }
static inline long sys_pipe2(int *fds, int flags) { return syscall6(SYS_pipe2, (long)fds, flags, 0, 0, 0, 0); }
static inline long sys_close(int fd) { return syscall1(SYS_close, fd); }
static inline long sys_getpid(void) { return syscall0(SYS_getpid); }
static inline long sys_kill(int pid, int sig) { return syscall6(SYS_kill, pid, sig, 0, 0, 0, 0); }
static inline long sys_sigaction(int sig, const struct ksigaction *act, struct ksigaction *old) {
  return syscall6(SYS_rt_sigaction, sig, (long)act, (long)old, 8, 0, 0);
}
static inline long sys_sigprocmask(int how, const unsigned long *set, unsigned long *old) {
  return syscall6(SYS_rt_sigprocmask, how, (long)set, (long)old, 8, 0, 0);
}
static inline long sys_sleep_ms(long ms) {
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
  return syscall6(SYS_nanosleep, (long)&ts, 0, 0, 0, 0, 0);
}
static inline long sys_mmap(void *addr, unsigned long len, int prot, int flags, int fd, long off) {
  return syscall6(SYS_mmap, (long)addr, len, prot, flags, fd, off);
}

#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WTERMSIG(s) ((s) & 0x7f)

#endif
