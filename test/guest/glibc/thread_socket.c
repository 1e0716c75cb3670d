/* Threads doing blocking AF_UNIX I/O on one socketpair: a writer thread streams
 * 200 KB into one end while a reader thread drains the other; a second pair
 * carries the reader's reply back to main, which blocks in recv meanwhile. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOTAL (200 * 1024)
static int sv[2], reply[2];

static void *writer(void *arg) {
  (void)arg;
  unsigned char chunk[3000];
  size_t sent = 0;
  while (sent < TOTAL) {
    size_t n = sizeof chunk < TOTAL - sent ? sizeof chunk : TOTAL - sent;
    for (size_t i = 0; i < n; i++) chunk[i] = (unsigned char)((sent + i) * 7);
    ssize_t w = write(sv[0], chunk, n);
    if (w <= 0) return (void *)1;
    sent += (size_t)w;
  }
  shutdown(sv[0], SHUT_WR);
  return NULL;
}

static void *reader(void *arg) {
  (void)arg;
  unsigned char b[4096];
  size_t got = 0;
  unsigned long sum = 0, bad = 0;
  ssize_t n;
  while ((n = read(sv[1], b, sizeof b)) > 0) {
    for (ssize_t i = 0; i < n; i++) {
      if (b[i] != (unsigned char)((got + i) * 7)) bad++;
      sum += b[i];
    }
    got += (size_t)n;
  }
  char msg[96];
  int len = snprintf(msg, sizeof msg, "reader got %zu bytes, sum %lu, %lu out of order", got, sum, bad);
  send(reply[1], msg, (size_t)len, 0);
  return NULL;
}

int main(void) {
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, reply)) return 1;
  pthread_t r, w;
  pthread_create(&r, NULL, reader, NULL);
  pthread_create(&w, NULL, writer, NULL);
  char msg[128];
  ssize_t n = recv(reply[0], msg, sizeof msg - 1, 0);
  if (n < 0) return 2;
  msg[n] = 0;
  printf("%s\n", msg);
  void *wr;
  pthread_join(w, &wr);
  pthread_join(r, NULL);
  printf("writer %s\n", wr ? "failed" : "ok");
  return 0;
}
