/* test_pipeline.c - the triple-buffer protocol of src/pipeline/triple.c, on
 * one thread and under two threads (the GPU pipeline's config and telemetry
 * records go through it; here it runs without a GPU). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "pipeline/triple.h"
#include "test.h"

typedef struct rec {
  uint64_t seq;
  uint64_t payload[13];
  uint64_t check;
} rec;

static void rec_fill(rec *r, uint64_t seq) {
  r->seq = seq;
  uint64_t h = seq * 0x9E3779B97F4A7C15ull + 1;
  for (int i = 0; i < 13; i++) {
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    r->payload[i] = h;
  }
  r->check = seq ^ h;
}

static int rec_ok(const rec *r) {
  rec x;
  rec_fill(&x, r->seq);
  return r->seq == 0 ? r->check == 0 : memcmp(&x, r, sizeof x) == 0;
}

static int indices_distinct(const prism_triple *t) {
  unsigned m = atomic_load(&t->middle) & 3u;
  return t->back != t->front && t->back != m && t->front != m && t->back < 3 &&
         t->front < 3 && m < 3;
}

PRISM_TEST(triple_single_thread, "pipeline") {
  rec s[3];
  prism_triple t;
  prism_triple_init(&t, &s[0], &s[1], &s[2], sizeof(rec));
  int fresh = -1;
  const rec *r = prism_triple_take(&t, &fresh);
  TEST_CHECK_EQ(fresh, 0);
  TEST_CHECK_EQ(r->seq, 0);
  rec a;
  rec_fill(&a, 1);
  prism_triple_put(&t, &a);
  TEST_CHECK(indices_distinct(&t));
  r = prism_triple_take(&t, &fresh);
  TEST_CHECK_EQ(fresh, 1);
  TEST_CHECK_EQ(r->seq, 1);
  TEST_CHECK(rec_ok(r));
  r = prism_triple_take(&t, &fresh); /* nothing new: the same record */
  TEST_CHECK_EQ(fresh, 0);
  TEST_CHECK_EQ(r->seq, 1);
  for (uint64_t q = 2; q <= 5; q++) { /* the producer runs ahead: never blocks */
    rec_fill(prism_triple_back(&t), q);
    prism_triple_publish(&t);
    TEST_CHECK(indices_distinct(&t));
  }
  r = prism_triple_take(&t, &fresh); /* the newest, whole */
  TEST_CHECK_EQ(fresh, 1);
  TEST_CHECK_EQ(r->seq, 5);
  TEST_CHECK(rec_ok(r));
  /* the consumer's slot is never handed to the producer */
  const void *front = r;
  for (uint64_t q = 6; q <= 9; q++) {
    TEST_CHECK(prism_triple_back(&t) != front);
    rec_fill(prism_triple_back(&t), q);
    prism_triple_publish(&t);
  }
  TEST_CHECK_EQ(((const rec *)front)->seq, 5); /* untouched while held */
  TEST_CHECK_EQ(prism_triple_published(&t), 9);
  TEST_CHECK_EQ(t.taken, 2);
}

typedef struct race {
  prism_triple *t;
  uint64_t n;
  atomic_int done;
} race;

static void *producer(void *arg) {
  race *x = arg;
  for (uint64_t q = 1; q <= x->n; q++) {
    rec_fill(prism_triple_back(x->t), q);
    prism_triple_publish(x->t);
    if (q % 4096 == 0) sched_yield();
  }
  atomic_store(&x->done, 1);
  return NULL;
}

/* One producer and one consumer on two threads: every record the consumer
 * sees is whole, sequence numbers never go back and rise with every fresh
 * take, and after the producer stops the consumer gets its last record. */
PRISM_TEST(triple_two_threads, "pipeline") {
  rec s[3];
  prism_triple t;
  prism_triple_init(&t, &s[0], &s[1], &s[2], sizeof(rec));
  race x = {&t, 400000, 0};
  pthread_t th;
  TEST_REQUIRE(pthread_create(&th, NULL, producer, &x) == 0);
  uint64_t last = 0, fresh_n = 0, torn = 0, back = 0, stale = 0, spins = 0;
  for (;;) {
    int done = atomic_load(&x.done);
    int fresh;
    const rec *r = prism_triple_take(&t, &fresh);
    spins++;
    if (!rec_ok(r)) torn++;
    if (r->seq < last) back++;
    if (fresh && r->seq <= last && last) stale++;
    if (fresh) fresh_n++;
    last = r->seq;
    if (done && !fresh) break; /* drained after the producer finished */
  }
  pthread_join(th, NULL);
  const rec *r = prism_triple_take(&t, NULL);
  printf("    %llu published, %llu fresh takes in %llu polls\n",
         (unsigned long long)prism_triple_published(&t), (unsigned long long)fresh_n,
         (unsigned long long)spins);
  TEST_CHECK_EQ(torn, 0);
  TEST_CHECK_EQ(back, 0);
  TEST_CHECK_EQ(stale, 0);
  TEST_CHECK_EQ(r->seq, x.n); /* the newest is never lost */
  TEST_CHECK_EQ(prism_triple_published(&t), x.n);
  TEST_CHECK(fresh_n >= 1);
}

/* A producer with no consumer at all finishes: publishing never waits. */
PRISM_TEST(triple_producer_never_blocks, "pipeline") {
  rec s[3];
  prism_triple *t = prism_triple_create(&s[0], &s[1], &s[2], sizeof(rec));
  for (uint64_t q = 1; q <= 100000; q++) {
    rec r;
    rec_fill(&r, q);
    prism_triple_put(t, &r);
  }
  const rec *r = prism_triple_take(t, NULL);
  TEST_CHECK_EQ(r->seq, 100000);
  TEST_CHECK(rec_ok(r));
  prism_triple_destroy(t);
}
