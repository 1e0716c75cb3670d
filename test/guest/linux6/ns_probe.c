/* Namespaces a socket program meets (man 7 network_namespaces, man 7
 * pid_namespaces): the abstract socket namespace is per network namespace
 * and a socket stays in its creator's; pathname sockets are reachable from
 * any; /proc/net/unix lists the reader's namespace. In a new pid namespace
 * the first child is pid 1, and pids in SO_PEERCRED and SCM_CREDENTIALS are
 * translated into the receiver's namespace (0 when not visible there).
 * Each part runs in a child of its own, which unshares. unshare needs
 * CAP_SYS_ADMIN: the native run must be root (the test checks that it
 * could unshare). One line per check, compared with native Linux. */
#define _GNU_SOURCE
#include "probe-line.h"
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  strcpy(a->sun_path + 1, name);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static socklen_t path_addr(struct sockaddr_un *a, const char *path) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  strcpy(a->sun_path, path);
  return (socklen_t)sizeof *a;
}

/* lines of /proc/net/unix (the reader's network namespace; /proc/PID/net/unix: that process's) naming `name`, and all its lines */
static void proc_pid_net_unix(const char *file, const char *name, int *named, int *lines) {
  *named = *lines = 0;
  FILE *f = fopen(file, "r");
  if (!f) return;
  char l[512];
  while (fgets(l, sizeof l, f)) {
    (*lines)++;
    if (strstr(l, name)) (*named)++;
  }
  fclose(f);
}
static void proc_net_unix(const char *name, int *named, int *lines) { proc_pid_net_unix("/proc/net/unix", name, named, lines); }

static int listener(const struct sockaddr_un *a, socklen_t len) {
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  if (bind(s, (const struct sockaddr *)a, len) < 0 || listen(s, 8) < 0) return -1;
  return s;
}

static int connect_to(const struct sockaddr_un *a, socklen_t len) {
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  int r = connect(s, (const struct sockaddr *)a, len);
  if (r < 0) {
    close(s);
    return -1;
  }
  return s;
}

static pid_t peer_pid(int s) {
  struct ucred c;
  socklen_t len = sizeof c;
  memset(&c, 0xff, sizeof c);
  if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &c, &len) < 0) return -1;
  return c.pid;
}

static void passcred(int s) {
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
}

/* sends one byte, with SCM_CREDENTIALS naming `pid` when pid >= 0 */
static long send_creds(int s, pid_t pid) {
  char b = 'x';
  struct iovec iov = {&b, 1};
  union {
    char buf[CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } u;
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  if (pid >= 0) {
    memset(&u, 0, sizeof u);
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    struct ucred uc = {pid, getuid(), getgid()};
    memcpy(CMSG_DATA(c), &uc, sizeof uc);
  }
  return sendmsg(s, &m, 0);
}

/* receives one byte; the pid of its SCM_CREDENTIALS, or -1 when none came */
static pid_t recv_creds(int s) {
  char b;
  struct iovec iov = {&b, 1};
  union {
    char buf[CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } u;
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = u.buf;
  m.msg_controllen = sizeof u.buf;
  if (recvmsg(s, &m, 0) != 1) return -2;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
      struct ucred uc;
      memcpy(&uc, CMSG_DATA(c), sizeof uc);
      return uc.pid;
    }
  }
  return -1;
}

static void finish(pid_t c) {
  int st = 0;
  waitpid(c, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) printf("child: ended with status %#x\n", st);
}

/* The network namespace: abstract names, a socket made before unshare, pathname sockets, /proc/net/unix. */
static void netns(void) {
  char name[64], path[96];
  snprintf(name, sizeof name, "unixsim-ns-probe-%d", getpid());
  snprintf(path, sizeof path, "/tmp/unixsim-ns-probe-%d.sock", getpid());
  unlink(path);
  struct sockaddr_un aa, pa;
  socklen_t alen = abstract_addr(&aa, name), plen = path_addr(&pa, path);
  int la = listener(&aa, alen), lp = listener(&pa, plen);
  pid_t c = fork();
  if (c == 0) {
    int before = socket(AF_UNIX, SOCK_STREAM, 0); /* stays in the first namespace */
    int r = unshare(CLONE_NEWNET);
    add("netns 1: unshare(CLONE_NEWNET)=%s", res(r));
    add(" connect to the first namespace's abstract name=%s", res(connect_to(&aa, alen) < 0 ? -1 : 0));
    add(" from a socket made before unshare=%s", res(connect(before, (struct sockaddr *)&aa, alen)));
    int mine = listener(&aa, alen);
    add(" the same name bound again here=%s", res_ok(mine));
    int s = connect_to(&aa, alen);
    add(" and reached here=%s", res_ok(s));
    add(" a pathname socket from here=%s", res_ok(connect_to(&pa, plen)));
    end_line();
    char only_here[80];
    snprintf(only_here, sizeof only_here, "%s-only-here", name);
    struct sockaddr_un oh;
    socklen_t ohlen = abstract_addr(&oh, only_here);
    listener(&oh, ohlen);
    int named, lines;
    proc_net_unix(name, &named, &lines);
    add("netns 2: /proc/net/unix here names it %d times in %d lines", named, lines);
    int auto1 = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un any = {.sun_family = AF_UNIX};
    add("; autobind here=%s", res(bind(auto1, (struct sockaddr *)&any, sizeof(sa_family_t))));
    proc_net_unix("@", &named, &lines);
    add(" abstract lines now=%d", named);
    char parent[64];
    snprintf(parent, sizeof parent, "/proc/%d/net/unix", getppid());
    proc_pid_net_unix(parent, name, &named, &lines);
    add("; the parent's %s names it %d times", "/proc/PID/net/unix", named);
    end_line();
    _exit(0);
  }
  finish(c);
  int named, lines;
  proc_net_unix(name, &named, &lines);
  add("netns 3: the first namespace's /proc/net/unix names it %d times", named);
  /* clone(CLONE_NEWNET): the child alone is in the new namespace */
  c = (pid_t)syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) {
    printf("netns 4: clone(CLONE_NEWNET) child: connect to the parent's abstract name=%s\n", res(connect_to(&aa, alen) < 0 ? -1 : 0));
    _exit(0);
  }
  add("; clone(CLONE_NEWNET)=%s", res_ok(c));
  finish(c); /* its line first: lines are written in more than one write */
  end_line();
  close(la);
  close(lp);
  unlink(path);
}

/* The pid namespace: pid 1, getppid 0, the unsharer's next children, credentials translated both ways. */
static void pidns(void) {
  pid_t me = getpid();
  char path[96];
  snprintf(path, sizeof path, "/tmp/unixsim-ns-probe-pid-%d.sock", me);
  unlink(path);
  struct sockaddr_un pa;
  socklen_t plen = path_addr(&pa, path);
  int l = listener(&pa, plen);
  int sp[2], gone[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sp); /* made outside: its SO_PEERCRED is this process */
  passcred(sp[0]);
  passcred(sp[1]);
  pipe(gone);
  int r = unshare(CLONE_NEWPID);
  add("pidns 1: unshare(CLONE_NEWPID)=%s getpid unchanged=%d", res(r), getpid() == me);
  add(" again before a child=%s", res(unshare(CLONE_NEWPID)));
  add(" a thread now=%s", res(syscall(SYS_clone, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, 0, 0, 0, 0)));
  end_line();
  pid_t c = fork();
  if (c == 0) {
    close(gone[0]);
    add("pidns 2: in the child getpid=%d getppid=%d gettid=%ld", getpid(), getppid(), (long)syscall(SYS_gettid));
    add(" SO_PEERCRED of a pair made outside=%d", peer_pid(sp[1]));
    int s = connect_to(&pa, plen);
    add(" of the outside listener=%d", peer_pid(s));
    int in[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, in);
    add(" of a pair made here=%d", peer_pid(in[0]));
    end_line();
    add("pidns 3: send with SO_PASSCRED=%s", res(send_creds(sp[1], -1)));
    add(" explicit pid 1=%s", res(send_creds(sp[1], 1)));
    add(" a pid not in this namespace=%s", res(send_creds(sp[1], 999)));
    add(" the outside's creds arrive with pid=%d", recv_creds(sp[1]));
    end_line();
    int ready[2];
    pipe(ready);
    pid_t g = fork();
    if (g == 0) {
      printf("pidns 4: the grandchild getpid=%d getppid=%d\n", getpid(), getppid());
      send_creds(sp[1], -1);
      write(ready[1], "r", 1);
      pause(); /* holds the pipe's write end until its namespace's init exits and takes it along */
      _exit(0);
    }
    close(gone[1]);
    char r1;
    read(ready[0], &r1, 1);
    add("pidns 5: fork in the namespace=%d kill(1, 0)=%s", g, res(kill(1, 0)));
    add(" kill(the grandchild, 0)=%s", res(kill(g, 0)));
    end_line();
    _exit(0); /* init leaves the grandchild behind */
  }
  close(gone[1]);
  close(sp[1]); /* only the namespace holds it now: should it die early, the reads below see EOF */
  int a = accept(l, NULL, NULL);
  add("pidns 6: outside, SO_PEERCRED of the child's connection is fork's value=%d", peer_pid(a) == c);
  pid_t p1 = recv_creds(sp[0]), p2 = recv_creds(sp[0]);
  add(" SCM_CREDENTIALS pids are fork's value=%d,%d", p1 == c, p2 == c);
  add(" own creds to the child=%s", res(send_creds(sp[0], -1)));
  pid_t p3 = recv_creds(sp[0]);
  add(" the grandchild's pid is another outside pid=%d", p3 > 0 && p3 != c && p3 != me);
  char b;
  ssize_t n = read(gone[0], &b, 1);
  int st = 0;
  pid_t w = waitpid(c, &st, 0);
  end_line(); /* after the namespace's own lines */
  add("pidns 7: once init exited the grandchild was killed (EOF)=%s; waitpid=fork's value %d status=%#x", res(n), w == c, st);
  add(" fork into the dead namespace=%s", res(fork()));
  end_line();
  close(l);
  unlink(path);
}

/* A namespace's init takes no signal it has no handler for from inside its namespace, not even SIGKILL, and from
 * outside only SIGKILL and SIGSTOP (sig_task_ignored, SIGNAL_UNKILLABLE). The outside waits for init's report with a
 * timeout: under qemu-user init has host handlers, so the signals reach it and it hangs in emulating their default. */
static void init_signals(void) {
  int rep[2];
  pipe(rep);
  unshare(CLONE_NEWPID);
  pid_t c = fork();
  if (c == 0) {
    pid_t g = fork();
    if (g == 0) {
      char m[64];
      int term = kill(1, SIGTERM), k9 = kill(1, SIGKILL);
      int len = snprintf(m, sizeof m, "SIGTERM=%s SIGKILL=%s", res(term), res(k9));
      write(rep[1], m, (size_t)len);
      _exit(0);
    }
    waitpid(g, NULL, 0);
    write(rep[1], "; init alive after them", 24);
    pause();
    _exit(0);
  }
  close(rep[1]);
  char m[128];
  size_t got = 0;
  struct pollfd pf = {rep[0], POLLIN, 0};
  while (got < sizeof m - 1 && poll(&pf, 1, 500) == 1) {
    ssize_t n = read(rep[0], m + got, sizeof m - 1 - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  m[got] = 0;
  printf("initsig 1: from inside %s\n", m);
  int term = kill(c, SIGTERM);
  struct timespec d = {0, 20000000};
  nanosleep(&d, NULL);
  int alive = kill(c, 0) == 0 && waitpid(c, NULL, WNOHANG) == 0;
  int k9 = kill(c, SIGKILL);
  int st = 0;
  waitpid(c, &st, 0);
  printf("initsig 2: from outside SIGTERM=%s and init still there %d; SIGKILL=%s: %s\n", res(term), alive, res(k9),
         WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "killed by SIGKILL" : "not killed");
}

static const char *self_exe;
static volatile sig_atomic_t usr1;
static void on_usr1(int s) { (void)s; usr1++; }

/* the program execve'd as pid 1 of a new namespace: libc's idea of its own tid (set_tid_address) must name it there */
static int exec_in_ns(void) {
  signal(SIGUSR1, on_usr1);
  int r = raise(SIGUSR1);
  printf("clonepid 3: execve'd in the namespace getpid=%d gettid=%ld raise(SIGUSR1)=%s handled=%d\n", getpid(),
         (long)syscall(SYS_gettid), res(r), (int)usr1);
  return 0;
}

/* clone(CLONE_NEWPID): the child is pid 1 at once. */
static void clone_newpid(void) {
  pid_t c = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) {
    pid_t k = fork();
    if (k == 0) _exit(3);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, 2, &si, WEXITED);
    printf("clonepid 1: clone(CLONE_NEWPID) child getpid=%d getppid=%d; its child=%d waitid(P_PID, 2)=%s si_pid=%d si_status=%d\n",
           getpid(), getppid(), k, res(r), si.si_pid, si.si_status);
    _exit(0);
  }
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int r = waitid(P_PID, c, &si, WEXITED);
  add("clonepid 2: clone(CLONE_NEWPID)=%s waitid=%s si_pid is clone's value %d", res_ok(c), res(r), c > 0 && si.si_pid == c);
  add(" with CLONE_THREAD=%s", res(syscall(SYS_clone, CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, 0, 0, 0, 0)));
  end_line();
  c = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) {
    char *args[] = {(char *)self_exe, "exec-in-ns", NULL};
    execv(self_exe, args);
    printf("clonepid 3: execve failed: %s\n", errname(errno));
    _exit(1);
  }
  finish(c);
}

/* What needs CAP_SYS_ADMIN and what does not; flags unshare does not know. */
static void perms(void) {
  add("perm 1: unshare(0)=%s CLONE_FILES=%s CLONE_FS=%s unknown flag=%s", res(unshare(0)), res(unshare(CLONE_FILES)),
      res(unshare(CLONE_FS)), res(unshare(0x1)));
  end_line();
  pid_t c = fork();
  if (c == 0) {
    setresuid(65534, 65534, 65534);
    add("perm 2: as uid 65534 CLONE_NEWNET=%s CLONE_NEWPID=%s CLONE_NEWUTS=%s", res(unshare(CLONE_NEWNET)),
        res(unshare(CLONE_NEWPID)), res(unshare(CLONE_NEWUTS)));
    add(" clone(CLONE_NEWNET)=%s", res(syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0)));
    end_line();
    _exit(0);
  }
  finish(c);
  c = fork();
  if (c == 0) {
    add("userns 1: unshare(CLONE_NEWUSER)=%s", res(unshare(CLONE_NEWUSER)));
    end_line();
    _exit(0);
  }
  finish(c);
}

static void in_child(void (*part)(void)) {
  pid_t c = fork();
  if (c == 0) {
    part();
    _exit(0);
  }
  finish(c);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  self_exe = argv[0][0] == '/' ? argv[0] : "/proc/self/exe";
  if (argc > 1 && strcmp(argv[1], "exec-in-ns") == 0) return exec_in_ns();
  in_child(netns);
  in_child(pidns);
  in_child(init_signals);
  in_child(clone_newpid);
  in_child(perms);
  printf("done\n");
  return 0;
}
