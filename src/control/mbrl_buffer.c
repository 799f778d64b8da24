/* mbrl_buffer.c - the experience ring (mbrl_buffer.h). */
#include "control/mbrl_buffer.h"

#include <stdlib.h>
#include <string.h>

#include "util/check.h"

void prism_mbrl_buffer_init(prism_mbrl_buffer *b, uint32_t cap, uint32_t dim) {
  memset(b, 0, sizeof *b);
  PRISM_ASSERT(cap > 0 && dim > 0);
  b->cap = cap;
  b->dim = dim;
  b->s = PRISM_MALLOC((size_t)cap * dim * sizeof *b->s);
  b->s_next = PRISM_MALLOC((size_t)cap * dim * sizeof *b->s_next);
  b->a = PRISM_MALLOC((size_t)cap * sizeof *b->a);
  b->r = PRISM_MALLOC((size_t)cap * sizeof *b->r);
  b->done = PRISM_MALLOC((size_t)cap * sizeof *b->done);
}

void prism_mbrl_buffer_free(prism_mbrl_buffer *b) {
  free(b->s);
  free(b->s_next);
  free(b->a);
  free(b->r);
  free(b->done);
  memset(b, 0, sizeof *b);
}

uint32_t prism_mbrl_buffer_push(prism_mbrl_buffer *b, const double *s, int a,
                                const double *s_next, double r, int done) {
  const uint32_t i = b->head;
  memcpy(b->s + (size_t)i * b->dim, s, b->dim * sizeof *s);
  memcpy(b->s_next + (size_t)i * b->dim, s_next, b->dim * sizeof *s_next);
  b->a[i] = a;
  b->r[i] = r;
  b->done[i] = (uint8_t)(done != 0);
  b->head = i + 1 == b->cap ? 0 : i + 1;
  if (b->count < b->cap) b->count++;
  b->inserted++;
  return i;
}

uint32_t prism_mbrl_buffer_sample(const prism_mbrl_buffer *b, prism_rng *rng) {
  PRISM_ASSERT(b->count > 0);
  return prism_rng_below(rng, b->count);
}
