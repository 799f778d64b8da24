/* mbrl_buffer.h - the MBRL experience buffer: a ring of transitions
 * (state, action, next state, reward, done) with O(1) insert (the oldest is
 * overwritten once full) and uniform sampling from a Philox stream. States
 * are fixed-length double vectors (dim given at creation). */
#ifndef PRISM_CONTROL_MBRL_BUFFER_H
#define PRISM_CONTROL_MBRL_BUFFER_H

#include <stdint.h>

#include "util/philox.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prism_mbrl_buffer {
  uint32_t cap, dim;
  uint32_t count; /* transitions held, <= cap */
  uint32_t head;  /* slot of the next insert */
  uint64_t inserted; /* over the buffer's life */
  double *s, *s_next; /* cap * dim each */
  int32_t *a;
  double *r;
  uint8_t *done;
} prism_mbrl_buffer;

void prism_mbrl_buffer_init(prism_mbrl_buffer *b, uint32_t cap, uint32_t dim);
void prism_mbrl_buffer_free(prism_mbrl_buffer *b);

/* Insert one transition (copies dim doubles from s and s_next); returns the
 * slot it went to. */
uint32_t prism_mbrl_buffer_push(prism_mbrl_buffer *b, const double *s, int a,
                                const double *s_next, double r, int done);

/* Uniform slot in [0, count) (count > 0). */
uint32_t prism_mbrl_buffer_sample(const prism_mbrl_buffer *b, prism_rng *rng);

/* Slot i's vectors. */
static inline const double *prism_mbrl_buffer_state(const prism_mbrl_buffer *b, uint32_t i) {
  return b->s + (uint64_t)i * b->dim;
}
static inline const double *prism_mbrl_buffer_next(const prism_mbrl_buffer *b, uint32_t i) {
  return b->s_next + (uint64_t)i * b->dim;
}

#ifdef __cplusplus
}
#endif

#endif
