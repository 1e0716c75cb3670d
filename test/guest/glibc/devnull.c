/* /dev/null (drivers/char/mem.c): EOF on read, every byte written is taken,
 * seeks land at 0, always ready; a character device 1:3, mode 0666. Go's
 * os/exec opens it for a child's unset stdin. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *err(int r) { return r < 0 ? strerror(errno) : "ok"; }

int main(void) {
  int fd = open("/dev/null", O_RDWR);
  char buf[16] = "xxxxxxxxxxxxxxx";
  printf("open: %s\n", err(fd));
  ssize_t r = read(fd, buf, sizeof buf);
  printf("read: %zd, buffer untouched %s\n", r, buf[0] == 'x' ? "yes" : "no");
  printf("write: %zd\n", write(fd, "hello", 5));
  printf("pwrite: %zd, pread: %zd\n", pwrite(fd, "abc", 3, 100), pread(fd, buf, 4, 100));
  printf("lseek: %ld\n", (long)lseek(fd, 1000, SEEK_SET));
  struct stat st;
  fstat(fd, &st);
  printf("fstat: chr %s, rdev %u:%u, mode %o, size %ld\n", S_ISCHR(st.st_mode) ? "yes" : "no", major(st.st_rdev), minor(st.st_rdev),
         st.st_mode & 07777, (long)st.st_size);
  struct pollfd p = {fd, POLLIN | POLLOUT, 0};
  int n = poll(&p, 1, 0);
  printf("poll: %d, revents %#x\n", n, p.revents);
  close(fd);
  int s = stat("/dev/null", &st);
  printf("stat: %s, chr %s\n", err(s), S_ISCHR(st.st_mode) ? "yes" : "no");
  return 0;
}
