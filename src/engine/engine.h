/* engine.h - the replica-exchange search engine (CPU reference). */
#ifndef PRISM_ENGINE_ENGINE_H
#define PRISM_ENGINE_ENGINE_H

#include <stdint.h>

#include "engine/solve.h"
#include "engine/telemetry.h"
#include "graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Descend k from r->best_k - 1 down to stop_k (or the time limit), offering
 * every zero-conflict coloring through prism_solve_offer. */
void prism_engine_descend(const prism_graph *g, const prism_solve_opts *o,
                          uint32_t stop_k, double t0, prism_solve_result *r);

/* Used by the engine: verify and keep an improving coloring (solve.c). */
int prism_solve_offer(const prism_graph *g, const prism_solve_opts *o,
                      prism_solve_result *r, const uint32_t *colors, double t0);
int prism_solve_interrupted(void);

/* GPX (Galinier & Hao 1999): child takes, in turn from p1 and p2, the
 * largest class of the still-unassigned vertices; leftovers get a color drawn
 * from rng words. Deterministic for (seed, stream). */
void prism_gpx(uint32_t n, uint32_t k, const uint32_t *p1, const uint32_t *p2,
               uint32_t *child, uint64_t seed, uint32_t stream, uint64_t counter,
               uint32_t *scratch /* 2*n + 2*k */);

/* The GPX parents of a cell of R replicas cut into L lineages (in order,
 * sizes differing by at most one): every replica of lineage l gets
 * parent[2i] = the head of l and parent[2i + 1] = the head of lineage l + 1
 * (mod L), a head being the lineage's replica of least energy[i] (ties to
 * the lower index). Indices are 0 .. R - 1; L = R is HEAD's ring (i, i + 1). */
void prism_lineage_parents(uint32_t R, uint32_t L, const int64_t *energy, uint32_t *parent);

/* The lineages of a cell of R replicas on an n-vertex graph, from the
 * `lineages` parameter: L > 0 when R >= 2 L; -1 (auto) round(n /
 * PRISM_LINEAGE_VERTICES), at most R / PRISM_LINEAGE_REPLICAS and at least
 * 2, when R >= 4; otherwise (and for 0) R, HEAD's ring. Measured best
 * (docs/engine.md): 5 lineages on DSJC500.5 and 9 on DSJC1000.5 for the
 * GPU's islands of 66; 5 for 16 CPU replicas on DSJC500.5 at k = 48 (2 at
 * the easier k = 49). */
#define PRISM_LINEAGE_VERTICES 110u
#define PRISM_LINEAGE_REPLICAS 3u
uint32_t prism_lineage_count(int lineages, uint32_t n, uint32_t R);

/* The largest vertex weight a run can reach: PRISM_W0 when the weights
 * never move (stress_weight 0 and no controller, which may raise it),
 * PRISM_WMAX otherwise. The CUDA engine sizes G by it. */
int32_t prism_weight_bound(double stress_weight, const char *controller);
/* Whether the engine starts a controller for this --controller name (any
 * name but "none"). */
int prism_controller_wanted(const char *controller);

/* Remove one color from a proper (or not) coloring with k+1 colors: the
 * smallest class is dissolved, its vertices move to the color with fewest
 * conflicts (ties by rng). Output colors are < k. */
void prism_dissolve_class(const prism_graph *g, const uint32_t *in, uint32_t kplus1,
                          uint32_t *out, uint64_t seed, uint32_t stream,
                          uint32_t *scratch /* kplus1 */);

#ifdef __cplusplus
}
#endif

#endif
