/* Raw Linux riscv64 system calls and tiny helpers for unixsim guests (no libc). */
#ifndef UNIXSIM_SYS_H
#define UNIXSIM_SYS_H

typedef unsigned long size_t;
typedef long ssize_t;
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)

/* riscv64 Linux syscall numbers (asm-generic/unistd.h) */
#define SYS_read 63
#define SYS_write 64
#define SYS_close 57
#define SYS_exit 93
#define SYS_exit_group 94
#define SYS_getpid 172

long syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5);
#define syscall0(n) syscall6((n), 0, 0, 0, 0, 0, 0)
#define syscall1(n, a) syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define syscall3(n, a, b, c) syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

ssize_t sys_write(int fd, const void *buf, size_t len);
ssize_t sys_read(int fd, void *buf, size_t len);
__attribute__((noreturn)) void sys_exit_group(int code);

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
long atol(const char *s);

int printf(const char *fmt, ...);
int puts(const char *s);

#endif
