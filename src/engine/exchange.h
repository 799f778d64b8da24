/* exchange.h - a solve spread over several processes (src/mpi): the engine
 * calls the hook at fixed rounds, hands it its best coloring and takes one
 * in (migration), and the hook may offer a better coloring of the whole graph
 * found elsewhere (prism_solve_offer verifies it) or end the solve. */
#ifndef PRISM_ENGINE_EXCHANGE_H
#define PRISM_ENGINE_EXCHANGE_H

#include <stdint.h>
#include <stdio.h>

#include "engine/solve.h"
#include "graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A coloring that travels between processes: k colors (0: none), n entries
 * (not necessarily proper). */
typedef struct prism_migrant {
  uint32_t k;
  uint32_t *colors;
} prism_migrant;

typedef struct prism_exchange {
  /* The seed of this process's islands (the bounds and DSATUR keep the
   * solve's seed, so that every process agrees on them). */
  uint64_t engine_seed;
  /* Called by the engine every params.migrate_rounds rounds (a round: each
   * island ran one batch), in the same order on every process. out: this
   * process's emigrant; in: filled when one arrives (k = 0: none). res may
   * improve inside (through prism_solve_offer). Returns 1 when the solve
   * is over everywhere. */
  int (*round)(void *ctx, const prism_graph *g, const prism_solve_opts *o,
               prism_solve_result *res, double t0, const prism_migrant *out,
               prism_migrant *in);
  void *ctx;
  /* Non-NULL: the engine writes its telemetry (run, batch and end records)
   * here instead of opening o->telemetry_path, and leaves it open; the
   * exchanges gather it to rank 0's file (docs/mpi.md). */
  FILE *telemetry;
} prism_exchange;

#ifdef __cplusplus
}
#endif

#endif
