/* triple.c - the triple-buffer protocol of triple.h. */
#include "pipeline/triple.h"

#include <stdlib.h>
#include <string.h>

#include "util/check.h"

void prism_triple_init(prism_triple *t, void *s0, void *s1, void *s2, size_t size) {
  t->slot[0] = s0;
  t->slot[1] = s1;
  t->slot[2] = s2;
  t->size = size;
  memset(s0, 0, size);
  memset(s1, 0, size);
  memset(s2, 0, size);
  t->back = 0;
  atomic_init(&t->middle, 1u);
  t->front = 2;
  atomic_init(&t->published, 0ull);
  t->taken = 0;
}

void *prism_triple_back(prism_triple *t) {
  return t->slot[t->back];
}

void prism_triple_publish(prism_triple *t) {
  /* release: the record's bytes are visible before the index that names it */
  unsigned old = atomic_exchange_explicit(&t->middle, t->back | PRISM_TRIPLE_FRESH,
                                          memory_order_acq_rel);
  t->back = old & 3u;
  atomic_fetch_add_explicit(&t->published, 1ull, memory_order_relaxed);
}

void prism_triple_put(prism_triple *t, const void *rec) {
  memcpy(prism_triple_back(t), rec, t->size);
  prism_triple_publish(t);
}

const void *prism_triple_take(prism_triple *t, int *fresh) {
  int f = 0;
  if (atomic_load_explicit(&t->middle, memory_order_relaxed) & PRISM_TRIPLE_FRESH) {
    /* acquire: see the bytes the producer wrote before publishing */
    unsigned old = atomic_exchange_explicit(&t->middle, t->front, memory_order_acq_rel);
    t->front = old & 3u;
    f = 1;
    t->taken++;
  }
  if (fresh) *fresh = f;
  return t->slot[t->front];
}

prism_triple *prism_triple_create(void *s0, void *s1, void *s2, size_t size) {
  prism_triple *t = PRISM_MALLOC(sizeof *t);
  prism_triple_init(t, s0, s1, s2, size);
  return t;
}

void prism_triple_destroy(prism_triple *t) {
  free(t);
}

unsigned long long prism_triple_published(prism_triple *t) {
  return atomic_load_explicit(&t->published, memory_order_relaxed);
}
