/* color.h - coloring basics: the verifier, DSATUR and a clique lower bound. */
#ifndef PRISM_COLOR_COLOR_H
#define PRISM_COLOR_COLOR_H

#include <stdint.h>

#include "graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PRISM_NO_COLOR UINT32_MAX

/* Verify that colors[0..n) is a proper coloring using colors < k (pass
 * k = 0 to skip the range check). Returns 0 when proper; otherwise returns -1
 * and, if msg != NULL, writes a one-line reason (first bad vertex or edge,
 * 1-based) into msg[0..msg_len). */
int prism_verify(const prism_graph *g, const uint32_t *colors, uint32_t k,
                 char *msg, unsigned msg_len);

/* Number of distinct colors used (max color + 1 when colors are compact). */
uint32_t prism_colors_used(const prism_graph *g, const uint32_t *colors);

/* Count conflicting edges (both ends same color). */
uint64_t prism_count_conflicts(const prism_graph *g, const uint32_t *colors);

/* DSATUR (Brelaz 1979) in O((n + m) log n): colors[v] in 0..K-1; returns K. */
uint32_t prism_dsatur(const prism_graph *g, uint32_t *colors);

/* How DSATUR stores each vertex's set of neighbour colors. AUTO picks bit rows
 * when n * (max_degree + 1) bits is small, else per-vertex hash tables; all
 * layouts give the very same coloring (tests compare them). */
typedef enum prism_dsatur_sets {
  PRISM_DSATUR_SETS_AUTO = 0,
  PRISM_DSATUR_SETS_BITSET,
  PRISM_DSATUR_SETS_HASH
} prism_dsatur_sets;

/* prism_dsatur with an explicit set layout (prism_dsatur uses AUTO). */
uint32_t prism_dsatur_with(const prism_graph *g, uint32_t *colors,
                           prism_dsatur_sets sets);

/* Smallest-last greedy (greedy.c): degeneracy order by a bucket queue,
 * first-fit in reverse; O(n + m). Returns the number of colors, or 0
 * (colors undefined) when prism_now() passed deadline first (<= 0: none). */
uint32_t prism_smallest_last(const prism_graph *g, uint32_t *colors, double deadline);

/* RLF (greedy.c): one class at a time, O(n + m) per class. Returns the
 * number of colors, or 0 (colors undefined) when prism_now() passed
 * deadline first (deadline <= 0: none). */
uint32_t prism_rlf(const prism_graph *g, uint32_t *colors, double deadline);

/* A clique found greedily and improved by a short local search; its size is
 * a lower bound on the chromatic number. `effort` bounds the local search in
 * elementary steps (0 = greedy only). If clique != NULL it receives the
 * vertices (at most max_degree + 1 entries). Deterministic for a seed. */
uint32_t prism_clique_lower_bound(const prism_graph *g, uint64_t seed,
                                  uint64_t effort, uint32_t *clique);

#ifdef __cplusplus
}
#endif

#endif
