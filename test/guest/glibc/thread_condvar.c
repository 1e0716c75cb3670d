/* A bounded buffer under a mutex and two condition variables: 3 producers, 2 consumers. */
#include <pthread.h>
#include <stdio.h>

#define CAP 4
#define PER_PRODUCER 200
#define PRODUCERS 3
#define CONSUMERS 2

static int buf[CAP], head, count, done_producers;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static long consumed_sum[CONSUMERS];
static int consumed_n[CONSUMERS];

static void *producer(void *arg) {
  long id = (long)arg;
  for (int i = 1; i <= PER_PRODUCER; i++) {
    pthread_mutex_lock(&mu);
    while (count == CAP) pthread_cond_wait(&not_full, &mu);
    buf[(head + count) % CAP] = (int)(id * 1000 + i);
    count++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&mu);
  }
  pthread_mutex_lock(&mu);
  done_producers++;
  pthread_cond_broadcast(&not_empty);
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void *consumer(void *arg) {
  long id = (long)arg;
  for (;;) {
    pthread_mutex_lock(&mu);
    while (count == 0 && done_producers < PRODUCERS) pthread_cond_wait(&not_empty, &mu);
    if (count == 0) {
      pthread_mutex_unlock(&mu);
      return NULL;
    }
    int v = buf[head];
    head = (head + 1) % CAP;
    count--;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&mu);
    consumed_sum[id] += v;
    consumed_n[id]++;
  }
}

int main(void) {
  pthread_t p[PRODUCERS], c[CONSUMERS];
  for (long i = 0; i < CONSUMERS; i++) pthread_create(&c[i], NULL, consumer, (void *)i);
  for (long i = 0; i < PRODUCERS; i++) pthread_create(&p[i], NULL, producer, (void *)i);
  for (int i = 0; i < PRODUCERS; i++) pthread_join(p[i], NULL);
  for (int i = 0; i < CONSUMERS; i++) pthread_join(c[i], NULL);
  long sum = 0;
  int n = 0;
  for (int i = 0; i < CONSUMERS; i++) sum += consumed_sum[i], n += consumed_n[i];
  printf("consumed %d items, sum %ld, buffer empty: %s\n", n, sum, count == 0 ? "yes" : "no");
  return 0;
}
