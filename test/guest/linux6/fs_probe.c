/* The files around a socket program: statfs/fstatfs (the file system of a
 * path, a socket, a pipe), file timestamps (what updates atime, mtime and
 * ctime; utimensat; a socket's and a pipe's inode), statx, and send() from
 * a file mapping past the end of its file (EFAULT; SIGBUS when touched).
 * Timestamps print as relations (changed, equal), never as values, except
 * those utimensat set. One line per check, compared with native Linux. */
#define _GNU_SOURCE
#include "probe-line.h"
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994
#define PROC_SUPER_MAGIC 0x9fa0
#define SOCKFS_MAGIC 0x534f434b
#define PIPEFS_MAGIC 0x50495045

static const char *magic(long t) {
  switch (t) {
    case TMPFS_MAGIC: return "TMPFS_MAGIC";
    case PROC_SUPER_MAGIC: return "PROC_SUPER_MAGIC";
    case SOCKFS_MAGIC: return "SOCKFS_MAGIC";
    case PIPEFS_MAGIC: return "PIPEFS_MAGIC";
  }
  static char b[32];
  snprintf(b, sizeof b, "%#lx", t);
  return b;
}

/* a pseudo file system's statfs, whole (no blocks, no inodes, its own flags) */
static void pseudo(const char *what, int r, const struct statfs *s) {
  add(" %s=%s %s bsize=%ld blocks=%ld files=%ld namelen=%ld frsize=%ld flags=%#lx", what, res(r), magic((long)s->f_type),
      (long)s->f_bsize, (long)s->f_blocks, (long)s->f_files, (long)s->f_namelen, (long)s->f_frsize, (long)s->f_flags);
}

static int same(struct timespec a, struct timespec b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }
static int later(struct timespec a, struct timespec b) { return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec); }

/* a pause longer than a jiffy at HZ=100, the coarsest timestamp granularity */
static void tick(void) {
  struct timespec d = {0, 11000000};
  nanosleep(&d, NULL);
}

static struct stat st, was;
static void snap(const char *path) {
  was = st;
  stat(path, &st);
}
/* which of a, m, c moved since the last snapshot */
static void moved(const char *what) {
  add(" %s:%s%s%s", what, later(st.st_atim, was.st_atim) ? "a" : "", later(st.st_mtim, was.st_mtim) ? "m" : "",
      later(st.st_ctim, was.st_ctim) ? "c" : "");
  if (same(st.st_atim, was.st_atim) && same(st.st_mtim, was.st_mtim) && same(st.st_ctim, was.st_ctim)) add("-");
}

/* struct statx (include/uapi/linux/stat.h), called raw: musl 1.2.3 has no statx() */
struct sx_ts {
  long long tv_sec;
  unsigned tv_nsec;
  int reserved;
};
struct sx {
  unsigned stx_mask, stx_blksize;
  unsigned long long stx_attributes;
  unsigned stx_nlink, stx_uid, stx_gid;
  unsigned short stx_mode, pad;
  unsigned long long stx_ino, stx_size, stx_blocks, stx_attributes_mask;
  struct sx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
  unsigned rest[36];
};
#define SX_BASIC_STATS 0x7ffu
#define SX_BTIME 0x800u
static long sx_call(int dirfd, const char *path, int flags, unsigned mask, struct sx *buf) {
  return syscall(SYS_statx, dirfd, path, flags, mask, buf);
}

static sigjmp_buf jb;
static volatile sig_atomic_t caught, caught_code;
static void on_fault(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  caught = sig;
  caught_code = si->si_code;
  siglongjmp(jb, 1);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct statfs s;
  memset(&s, 0, sizeof s);

  /* statfs: the tree (/dev: a tmpfs on Linux too; /tmp is whatever the host has), /proc, errors */
  int r = statfs("/dev", &s);
  add("statfs 1: /dev=%s %s bsize=%ld namelen=%ld frsize=%ld", res(r), magic((long)s.f_type), (long)s.f_bsize,
      (long)s.f_namelen, (long)s.f_frsize);
  memset(&s, 0, sizeof s);
  r = statfs("/proc", &s);
  add("; /proc=%s %s bsize=%ld blocks=%ld files=%ld namelen=%ld", res(r), magic((long)s.f_type), (long)s.f_bsize,
      (long)s.f_blocks, (long)s.f_files, (long)s.f_namelen);
  add("; missing=%s bad buffer=%s", res(statfs("/nonexistent/x", &s)), res(syscall(SYS_statfs, "/dev", (void *)8)) /* raw: musl copies through its own buffer */);
  end_line();

  /* fstatfs: a socket lives on sockfs, a pipe on pipefs */
  int sv[2], p[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  pipe(p);
  memset(&s, 0, sizeof s);
  add("fstatfs 1:");
  pseudo("socket", fstatfs(sv[0], &s), &s);
  memset(&s, 0, sizeof s);
  pseudo("; pipe", fstatfs(p[0], &s), &s);
  add("; bad fd=%s", res(fstatfs(-1, &s)));
  end_line();

  /* a pipe's times are its creation, which reads and writes leave alone (a socket's inode gets none from
   * sock_alloc: Linux shows whatever its recycled inode held, mostly 0, so the probe does not print them) */
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct stat ps, ps2;
  fstat(p[0], &ps);
  add("times 1: pipe a=m=c %d, within a second of now %d", same(ps.st_atim, ps.st_mtim) && same(ps.st_mtim, ps.st_ctim),
      labs((long)(ps.st_mtim.tv_sec - now.tv_sec)) <= 1);
  tick();
  char b[4];
  write(p[1], "x", 1);
  read(p[0], b, 1);
  send(sv[0], "x", 1, 0);
  fstat(p[0], &ps2);
  add("; after I/O unchanged %d", same(ps.st_atim, ps2.st_atim) && same(ps.st_mtim, ps2.st_mtim) && same(ps.st_ctim, ps2.st_ctim));
  end_line();

  /* a regular file: created with a = m = c (= birth), then what each call moves */
  char dir[64], path[96], path2[96], path3[96];
  snprintf(dir, sizeof dir, "/tmp/unixsim-fs-probe-%d", getpid());
  snprintf(path, sizeof path, "%s/f", dir);
  snprintf(path2, sizeof path2, "%s/g", dir);
  snprintf(path3, sizeof path3, "%s/h", dir);
  mkdir(dir, 0755);
  struct stat d0, d1;
  stat(dir, &d0);
  tick();
  int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
  stat(path, &st);
  stat(dir, &d1);
  add("times 2: created a=m=c %d; its directory m,c moved %d,%d", same(st.st_atim, st.st_mtim) && same(st.st_mtim, st.st_ctim),
      later(d1.st_mtim, d0.st_mtim), later(d1.st_ctim, d0.st_ctim));
  tick();
  write(fd, "hello", 5);
  snap(path);
  moved("write");
  add(" m=c %d", same(st.st_mtim, st.st_ctim));
  tick();
  pread(fd, b, 4, 0);
  snap(path);
  moved("read");
  tick();
  pread(fd, b, 4, 0);
  snap(path);
  moved("read again");
  tick();
  write(fd, "", 0);
  snap(path);
  moved("empty write");
  end_line();

  tick();
  fchmod(fd, 0600);
  snap(path);
  add("times 3:");
  moved("fchmod");
  tick();
  fchown(fd, getuid(), getgid());
  snap(path);
  moved("fchown to the same owner");
  tick();
  link(path, path2);
  snap(path);
  moved("link");
  stat(dir, &d0);
  tick();
  rename(path2, path3);
  snap(path);
  moved("rename");
  stat(dir, &d1);
  add(" dir m %d", later(d1.st_mtim, d0.st_mtim));
  tick();
  unlink(path3);
  snap(path);
  moved("unlink");
  stat(dir, &st);
  tick();
  DIR *dp = opendir(dir);
  while (readdir(dp)) {}
  closedir(dp);
  snap(dir);
  moved("readdir of the directory");
  stat(path, &st);
  tick();
  ftruncate(fd, 5);
  snap(path);
  moved("ftruncate to the same size");
  tick();
  close(open(path, O_WRONLY | O_TRUNC));
  snap(path);
  moved("O_TRUNC");
  end_line();

  /* utimensat: times set exactly, ctime now; UTIME_OMIT, UTIME_NOW, bad nanoseconds, futimens */
  struct timespec ts[2] = {{1000, 5}, {2000000000, 6}};
  r = utimensat(AT_FDCWD, path, ts, 0);
  snap(path);
  add("utimens 1: set=%s a=%ld.%ld m=%ld.%ld ctime moved %d", res(r), (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
      (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, later(st.st_ctim, was.st_ctim));
  struct timespec ts2[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  tick();
  r = utimensat(AT_FDCWD, path, ts2, 0);
  snap(path);
  add("; omit+now=%s a=%ld.%ld m is c %d", res(r), (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, same(st.st_mtim, st.st_ctim));
  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  add("; bad nsec=%s", res(utimensat(AT_FDCWD, path, bad, 0)));
  struct timespec old[2] = {{-1, 0}, {0, 999999999}};
  r = futimens(fd, old);
  fstat(fd, &st);
  add(" futimens before 1970=%s a=%ld.%ld m=%ld.%ld", res(r), (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
      (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  add(" bad flags=%s missing=%s", res(utimensat(AT_FDCWD, path, NULL, 0x4000)), res(utimensat(AT_FDCWD, "/nonexistent/x", NULL, 0)));
  end_line();

  /* statx: the basic stats and the birth time, the same times as stat */
  struct sx sx;
  memset(&sx, 0, sizeof sx);
  utimensat(AT_FDCWD, path, ts, 0);
  r = (int)sx_call(AT_FDCWD, path, 0, SX_BASIC_STATS | SX_BTIME, &sx);
  stat(path, &st);
  add("statx 1: %s basic=%d btime=%d size=%llu mode=%o a=%lld.%u m=%lld.%u c is stat's %d", res(r),
      (sx.stx_mask & SX_BASIC_STATS) == SX_BASIC_STATS, !!(sx.stx_mask & SX_BTIME), (unsigned long long)sx.stx_size,
      sx.stx_mode, (long long)sx.stx_atime.tv_sec, sx.stx_atime.tv_nsec, (long long)sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec,
      sx.stx_ctime.tv_sec == st.st_ctim.tv_sec && (long)sx.stx_ctime.tv_nsec == st.st_ctim.tv_nsec);
  add(" btime<=ctime %d", sx.stx_btime.tv_sec < sx.stx_ctime.tv_sec ||
      (sx.stx_btime.tv_sec == sx.stx_ctime.tv_sec && sx.stx_btime.tv_nsec <= sx.stx_ctime.tv_nsec));
  add(" reserved mask=%s bad flags=%s", res(sx_call(AT_FDCWD, path, 0, 0x80000000u, &sx)), res(sx_call(AT_FDCWD, path, 0x6000, 0, &sx)));
  r = (int)sx_call(sv[0], "", AT_EMPTY_PATH, SX_BASIC_STATS, &sx);
  add(" a socket=%s mode=%o", res(r), sx.stx_mode & S_IFMT);
  end_line();

  /* a socket bound to a path: its VFS inode has times, created at bind */
  char spath[128];
  snprintf(spath, sizeof spath, "%s/sock", dir);
  int ls = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  strcpy(sa.sun_path, spath);
  bind(ls, (struct sockaddr *)&sa, sizeof sa);
  stat(spath, &st);
  add("times 4: a bound socket's path a=m=c %d, later than the pipe's %d", same(st.st_atim, st.st_mtim) &&
      same(st.st_mtim, st.st_ctim), later(st.st_mtim, ps.st_mtim));
  /* a FIFO's inode, unlike an anonymous pipe's, records its I/O */
  char fpath[128];
  snprintf(fpath, sizeof fpath, "%s/fifo", dir);
  mkfifo(fpath, 0600);
  int fr = open(fpath, O_RDONLY | O_NONBLOCK), fw = open(fpath, O_WRONLY);
  stat(fpath, &st);
  tick();
  write(fw, "x", 1);
  snap(fpath);
  add(";");
  moved("FIFO write");
  tick();
  read(fr, b, 1);
  snap(fpath);
  moved("read");
  end_line();
  close(fr);
  close(fw);
  unlink(fpath);
  close(ls);
  unlink(spath);

  /* send() from a file mapping: the last partial page reads zeros past the end; pages wholly past it are EFAULT */
  long pg = sysconf(_SC_PAGESIZE);
  ftruncate(fd, 100);
  char *m = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
  char *sh = mmap(NULL, 3 * pg, PROT_READ, MAP_SHARED, fd, 0);
  int ds[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, ds);
  add("mapsend 1: within the file=%s", res(send(ds[0], m, 100, 0)));
  add(" past its end in the last page=%s", res(send(ds[0], m + 100, pg - 100, 0)));
  add(" a page past it (private)=%s", res(send(ds[0], m + pg, 16, 0)));
  add(" (shared)=%s", res(send(ds[0], sh + pg, 16, 0)));
  add(" straddling=%s", res(send(ds[0], m + pg - 8, 16, 0)));
  add(" write() from it=%s", res(write(ds[0], m + 2 * pg, 8)));
  end_line();

  struct sigaction sa2;
  memset(&sa2, 0, sizeof sa2);
  sa2.sa_sigaction = on_fault;
  sa2.sa_flags = SA_SIGINFO;
  sigaction(SIGBUS, &sa2, NULL);
  sigaction(SIGSEGV, &sa2, NULL);
  volatile char c = 0;
  if (sigsetjmp(jb, 1) == 0) c = m[pg - 1];
  add("mapsend 2: a load in the last page=%d (fault %d)", c, (int)caught);
  caught = 0;
  if (sigsetjmp(jb, 1) == 0) c = m[pg + 1];
  add("; a load past it: signal %s si_code=%d", caught == SIGBUS ? "SIGBUS" : caught == SIGSEGV ? "SIGSEGV" : "none", (int)caught_code);
  caught = 0;
  if (sigsetjmp(jb, 1) == 0) c = sh[2 * pg];
  add(" (shared) %s", caught == SIGBUS ? "SIGBUS" : caught == SIGSEGV ? "SIGSEGV" : "none");
  end_line();
  munmap(m, 3 * pg);
  munmap(sh, 3 * pg);

  close(fd);
  unlink(path);
  rmdir(dir);
  printf("done\n");
  return 0;
}
