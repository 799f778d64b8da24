/* migrate.c - the engine's side of a solve over several processes
 * (engine/exchange.h): at the end of every params.migrate_rounds-th round,
 * the best coloring of the islands still searching leaves, and one that
 * arrives at the k of the island just processed replaces that island's
 * worst replica. The exchange itself (src/mpi) is synchronous, so that the
 * run is the same for a fixed seed and process count. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "engine/exchange.h"
#include "util/check.h"

/* The emigrant: the best coloring (lowest energy) of an island that is
 * still searching below the best k; k = 0 when none is. */
static void emigrant(const engine *e, prism_migrant *out) {
  const prism_replica *best = NULL;
  uint32_t k = 0;
  for (uint32_t j = 0; j < e->I; j++) {
    const island *is = &e->isl[j];
    if (is->k >= e->res->best_k) continue;
    for (uint32_t i = 0; i < is->R; i++)
      if (!best || is->rep[i].best_color_energy < best->best_color_energy) {
        best = &is->rep[i];
        k = is->k;
      }
  }
  out->k = best ? k : 0;
  if (best) memcpy(out->colors, best->best_color, (size_t)e->n * sizeof *out->colors);
}

/* The immigrant replaces the island's worst replica (highest energy) when
 * the island searches its k. */
static void immigrate(engine *e, island *is, const prism_migrant *in) {
  if (in->k == 0 || in->k != is->k || is->k >= e->res->best_k) return;
  for (uint32_t v = 0; v < e->n; v++)
    if (in->colors[v] >= in->k) return; /* not a k-coloring: dropped */
  uint32_t worst = 0;
  for (uint32_t i = 1; i < is->R; i++)
    if (is->rep[i].energy > is->rep[worst].energy) worst = i;
  prism_engine_rep_load(e, &is->rep[worst], &is->cfg, in->colors, is->k);
}

int prism_engine_migrate(engine *e, island *is) {
  const prism_exchange *x = e->o->exchange;
  const uint64_t round = e->batch / e->I;
  if (!x || e->batch % e->I != 0 || round % (uint64_t)e->p.migrate_rounds != 0) return 0;
  const size_t bytes = (size_t)e->n * sizeof(uint32_t);
  prism_migrant out = {0, PRISM_MALLOC(bytes)}, in = {0, PRISM_MALLOC(bytes)};
  emigrant(e, &out);
  const int stop = x->round(x->ctx, e->g, e->o, e->res, e->t0, &out, &in);
  if (!stop) immigrate(e, is, &in);
  free(out.colors);
  free(in.colors);
  return stop;
}
