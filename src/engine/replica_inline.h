/* replica_inline.h - the small helpers both search modes use on the hot
 * path (the conflict or uncolored list, the best-coloring record). */
#ifndef PRISM_ENGINE_REPLICA_INLINE_H
#define PRISM_ENGINE_REPLICA_INLINE_H

#include <string.h>

#include "engine/replica.h"

static inline void prism_cv_add(prism_replica *r, uint32_t v) {
  r->cvpos[v] = r->ncv;
  r->cv[r->ncv++] = v;
}

static inline void prism_cv_remove(prism_replica *r, uint32_t v) {
  uint32_t p = r->cvpos[v], last = r->cv[--r->ncv];
  r->cv[p] = last;
  r->cvpos[last] = p;
  r->cvpos[v] = PRISM_NONE;
}

/* TabuCol's potential-energy terms of vertex v holding color col. */
static inline int64_t prism_potential(const prism_replica *r, const prism_batch_cfg *c,
                                      uint32_t v, uint32_t col) {
  int64_t e = col == c->k - 1 ? c->mu : 0;
  if (r->belief && c->beta && col != r->belief[v]) e += c->beta;
  return e;
}

/* After a move: the aspiration reference and the best coloring of the batch. */
static inline void prism_note_energy(prism_replica *r) {
  if (r->energy < r->best_energy) r->best_energy = r->energy;
  if (r->energy < r->best_color_energy) {
    r->best_color_energy = r->energy;
    memcpy(r->best_color, r->color, (size_t)r->n * sizeof *r->color);
  }
}

#endif
