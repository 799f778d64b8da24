/* triple.h - a triple buffer: one producer publishes records, one consumer
 * reads the newest complete one. The producer never blocks and never waits
 * for the consumer; the consumer never sees a torn record; a record is only
 * ever replaced by a newer one (what the consumer misses in between was
 * superseded, which is what "newest wins" means for configs and telemetry).
 *
 * The three slots are caller memory (pinned host memory for the GPU
 * pipeline). At any time one slot belongs to the producer (back), one to the
 * consumer (front) and one is shared (middle): publish swaps back and middle
 * and marks the middle fresh; take swaps front and middle when the middle is
 * fresh. Both swaps are one atomic exchange, so the two sides may run on
 * different threads (a CUDA host callback publishes GPU telemetry). */
#ifndef PRISM_PIPELINE_TRIPLE_H
#define PRISM_PIPELINE_TRIPLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prism_triple prism_triple;

/* C++ (the .cu files) sees the type as opaque: <stdatomic.h> is C only. */
#ifndef __cplusplus
#include <stdatomic.h>
struct prism_triple {
  void *slot[3];
  size_t size;              /* bytes per slot */
  atomic_uint middle;       /* slot index | PRISM_TRIPLE_FRESH */
  unsigned back, front;     /* owned by the producer / the consumer */
  atomic_ullong published;  /* records published */
  unsigned long long taken; /* fresh records taken (consumer side) */
};

/* Slots s0..s2 of `size` bytes each; all three start zeroed. */
void prism_triple_init(prism_triple *t, void *s0, void *s1, void *s2, size_t size);
#endif

#define PRISM_TRIPLE_FRESH 4u

/* The same on the heap, for callers that cannot see the struct. */
prism_triple *prism_triple_create(void *s0, void *s1, void *s2, size_t size);
void prism_triple_destroy(prism_triple *t);

/* Records published so far (any thread). */
unsigned long long prism_triple_published(prism_triple *t);

/* Producer: the slot to fill next (valid until the next publish). */
void *prism_triple_back(prism_triple *t);

/* Producer: make the back slot the newest record; returns at once. */
void prism_triple_publish(prism_triple *t);

/* Producer: copy rec (size bytes) into the back slot and publish it. */
void prism_triple_put(prism_triple *t, const void *rec);

/* Consumer: the newest complete record (valid until the next take). *fresh
 * (if not NULL) gets 1 when it was published since the last take. Before
 * anything is published it returns the zeroed initial slot, *fresh = 0. */
const void *prism_triple_take(prism_triple *t, int *fresh);

#ifdef __cplusplus
}
#endif

#endif
