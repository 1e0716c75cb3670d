/* The riscv64 signal frame: a SIGSEGV handler that edits the saved context
   (skips the faulting load, sets a0), temporaries and FP registers restored
   by rt_sigreturn, the handler mask, SA_NODEFER, SA_RESETHAND, sigaltstack
   with SA_ONSTACK; finally killed by SIGTERM (exit status 143). */
#include "psys.h"

static volatile long fault_addr = -1, fault_code;
static volatile int in_mask, nodefer_mask, usr2_runs, on_alt, alt_flags;
static char altstack[16384] __attribute__((aligned(16)));

static void on_segv(int sig, struct ksiginfo *info, void *ucv) {
  struct kucontext *uc = ucv;
  fault_addr = (long)info->u.addr;
  fault_code = info->si_code;
  uc->gregs[0] += 4;  /* skip the 4-byte load */
  uc->gregs[10] = 42; /* its destination, a0 */
}

static void on_usr1(int sig) {
  unsigned long cur;
  sys_sigprocmask(0, 0, &cur);
  in_mask = (cur >> (SIGUSR1 - 1)) & 1;
  char here;
  on_alt = &here >= altstack && &here < altstack + sizeof altstack;
  kstack_t now;
  syscall6(SYS_sigaltstack, 0, (long)&now, 0, 0, 0, 0);
  alt_flags = now.ss_flags;
  /* clobber temporaries and FP registers: the frame must bring them back */
  __asm__ volatile("li t3, 7\n li t4, 8\n fmv.d.x ft0, zero\n fmv.d.x fa0, zero" ::: "t3", "t4", "ft0", "fa0");
}

static void on_usr2(int sig) {
  unsigned long cur;
  sys_sigprocmask(0, 0, &cur);
  nodefer_mask = (cur >> (SIGUSR2 - 1)) & 1;
  usr2_runs++;
}

int main(void) {
  struct ksigaction sa = { (void *)on_segv, SA_SIGINFO, 0 };
  sys_sigaction(SIGSEGV, &sa, 0);
  register long a0 __asm__("a0") = 0;
  __asm__ volatile(".option push\n .option norvc\n ld a0, 0(a0)\n .option pop" : "+r"(a0) :: "memory");
  printf("load from NULL: handler saw addr %ld code %ld, resumed with a0 = %ld\n", fault_addr, fault_code, a0);

  kstack_t ss = { altstack, 0, sizeof altstack };
  printf("sigaltstack: %ld\n", syscall6(SYS_sigaltstack, (long)&ss, 0, 0, 0, 0, 0));
  struct ksigaction su = { (void *)on_usr1, SA_ONSTACK, 0 };
  sys_sigaction(SIGUSR1, &su, 0);
  long pid = sys_getpid();
  register long t3 __asm__("t3") = 1234;
  register long t4 __asm__("t4") = 5678;
  register long a7 __asm__("a7") = SYS_kill;
  register long k0 __asm__("a0") = pid;
  register long k1 __asm__("a1") = SIGUSR1;
  union { double d; unsigned long u; } in = { 2.5 }, out;
  __asm__ volatile("fmv.d.x ft0, %[in]\n ecall\n fmv.x.d %[out], ft0"
                   : "+r"(k0), "+r"(t3), "+r"(t4), [out] "=r"(out.u)
                   : "r"(a7), "r"(k1), [in] "r"(in.u)
                   : "ft0", "memory");
  printf("kill returned %ld; t3 %ld t4 %ld ft0 %s after the handler\n", k0, t3, t4, out.d == 2.5 ? "intact" : "clobbered");
  printf("SIGUSR1 blocked in its handler: %d; ran on the alternate stack: %d (ss_flags %d)\n", in_mask, on_alt, alt_flags);
  unsigned long cur;
  sys_sigprocmask(0, 0, &cur);
  printf("mask after return: %lu\n", cur);

  struct ksigaction s2 = { (void *)on_usr2, SA_NODEFER | SA_RESETHAND, 0 };
  sys_sigaction(SIGUSR2, &s2, 0);
  sys_kill(pid, SIGUSR2);
  struct ksigaction old;
  sys_sigaction(SIGUSR2, 0, &old);
  printf("SA_NODEFER: blocked in handler %d; SA_RESETHAND: runs %d, handler now %s\n", nodefer_mask, usr2_runs,
         old.handler == 0 ? "SIG_DFL" : "still set");

  printf("now SIGTERM\n");
  sys_kill(pid, SIGTERM);
  printf("not reached\n");
  return 0;
}
