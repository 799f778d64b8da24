/* population.c - the engine's population handed out for checkpoints: each
 * replica's best coloring since its last start, with its k and island. The
 * host copies are read between batches only (on the GPU they are the
 * colorings of the island's last finished or uploaded batch). */
#include <stdlib.h>

#include "engine/engine_internal.h"
#include "util/check.h"

void prism_engine_population(engine *e, int final) {
  if (!e->o->on_population) return;
  uint32_t *k = PRISM_MALLOC((size_t)e->R * sizeof *k);
  uint32_t *isl = PRISM_MALLOC((size_t)e->R * sizeof *isl);
  const uint32_t **colors = PRISM_MALLOC((size_t)e->R * sizeof *colors);
  for (uint32_t i = 0; i < e->R; i++) {
    k[i] = e->rep[i].k;
    isl[i] = e->isl_of[i]->index;
    colors[i] = e->rep[i].best_color;
  }
  prism_population p = {e->n, e->R, k, isl, (const uint32_t *const *)colors};
  e->o->on_population(e->o->ctx, &p, final);
  free(k);
  free(isl);
  free(colors);
}
