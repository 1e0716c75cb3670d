/* Acceptance story: passing an open file with SCM_RIGHTS. The parent
   creates a regular file, writes to it and rewinds; it sends the fd to a
   forked child over a socketpair with sendmsg. The child reads the file
   through the received fd (a new fd for the same open file description).
   After the child exits the parent prints its own file offset: the child's
   reads moved it, because the offset is shared. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char CONTENT[] = "0123456789abcdefghij";

static int child(int sock) {
  char data[16] = {0};
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
  struct iovec iov = { data, sizeof data - 1 };
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl.buf;
  m.msg_controllen = sizeof ctl.buf;
  ssize_t n = recvmsg(sock, &m, 0);
  if (n < 0) { perror("child: recvmsg"); return 1; }
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int))) {
    printf("child: no SCM_RIGHTS message\n");
    return 1;
  }
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  printf("child: recvmsg returned %zd bytes \"%s\" and one fd (msg_flags %d)\n", n, data, m.msg_flags);
  struct stat sb;
  if (fstat(fd, &sb) == 0) printf("child: the fd is a regular file of %lld bytes\n", (long long)sb.st_size);
  char buf[16] = {0};
  ssize_t r = read(fd, buf, 10);
  printf("child: read %zd bytes through it: \"%s\"\n", r, buf);
  printf("child: its offset is now %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  close(fd);
  return 0;
}

int main(void) {
  char name[] = "/tmp/scm_rights.XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) { perror("mkstemp"); return 1; }
  unlink(name);
  ssize_t w = write(fd, CONTENT, strlen(CONTENT));
  lseek(fd, 0, SEEK_SET);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) { perror("socketpair"); return 1; }
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    close(sv[0]);
    close(fd);
    exit(child(sv[1]));
  }
  close(sv[1]);
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
  memset(&ctl, 0, sizeof ctl);
  struct iovec iov = { "file!", 5 };
  struct msghdr m = {0};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl.buf;
  m.msg_controllen = sizeof ctl.buf;
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t s = sendmsg(sv[0], &m, 0);
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) perror("waitpid");
  printf("parent: wrote %zd bytes to a new file and rewound it\n", w);
  printf("parent: sendmsg sent %zd bytes and the fd\n", s);
  printf("parent: the child exited with status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  printf("parent: my offset is now %lld (shared with the child's fd)\n", (long long)lseek(fd, 0, SEEK_CUR));
  char buf[32] = {0};
  printf("parent: reading on gives \"%s\"\n", read(fd, buf, sizeof buf - 1) >= 0 ? buf : "?");
  return 0;
}
