/* extract.h - independent-set extraction for large graphs (after EXTRACOL
 * and IE2COL, Wu & Hao 2012): peel large independent sets off the graph,
 * color the much smaller residual graph, give each set a color of its own,
 * then search the whole graph from that coloring. */
#ifndef PRISM_ENGINE_EXTRACT_H
#define PRISM_ENGINE_EXTRACT_H

#include <stdint.h>

#include "graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prism_extraction {
  uint32_t sets;      /* independent sets peeled off */
  uint32_t *set_of;   /* n: the set of each vertex, PRISM_NONE for the residual */
  prism_graph *residual;
  uint32_t *orig;     /* residual vertex -> vertex of g */
  uint64_t iterations;
} prism_extraction;

/* Peel sets until at most `keep` vertices remain (or no set of 2 or more is
 * left). Each set: a tabu search over sets of fixed size s that minimises
 * the edges inside (swap one vertex in for one out), s growing from a greedy
 * start while sets of size s + 1 are found within `effort` iterations; among
 * the sets of the final size met on the way, the one whose vertices have
 * most edges into the residual graph (so the residual gets sparsest).
 * Deterministic for the seed; stops early (fewer sets) at the deadline
 * (prism_now() seconds, 0 = none) or an interrupt. */
void prism_extract(const prism_graph *g, uint32_t keep, uint64_t effort, uint64_t seed,
                   double deadline, prism_extraction *x);
void prism_extraction_free(prism_extraction *x);

/* A coloring of g from a coloring of the residual with colors < k_res: set
 * i takes color k_res + i. Returns the colors used (k_res + sets). */
uint32_t prism_extraction_lift(const prism_extraction *x, const uint32_t *res_colors,
                               uint32_t k_res, uint32_t n, uint32_t *colors);

/* One independent set of g found by the search above (for tests). Returns
 * its size; members listed in out (at most max_degree + 1... n entries). */
uint32_t prism_independent_set(const prism_graph *g, uint64_t effort, uint64_t seed,
                               uint32_t stream, uint32_t *out, uint64_t *iterations);

#ifdef __cplusplus
}
#endif

#endif
