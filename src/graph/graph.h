/* graph.h - the one graph type: undirected, simple, CSR. */
#ifndef PRISM_GRAPH_GRAPH_H
#define PRISM_GRAPH_GRAPH_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Hard limits checked before anything is allocated. */
#define PRISM_MAX_VERTICES ((uint32_t)1 << 28)   /* 268M vertices */
#define PRISM_MAX_EDGES ((uint64_t)1 << 32)      /* 4G undirected edges */

/* Undirected simple graph in CSR form. Vertices are 0..n-1; each undirected
 * edge {u,v} appears twice in adj (in u's and v's lists); lists are sorted
 * ascending and hold no self-loops and no repeats. */
typedef struct prism_graph {
  uint32_t n;
  uint64_t m;        /* undirected edges */
  uint64_t *offsets; /* n + 1 entries; neighbours of v: adj[offsets[v]..offsets[v+1]) */
  uint32_t *adj;     /* 2m entries */
  uint32_t max_degree;
} prism_graph;

/* What prism_graph_build dropped from the raw edge list. */
typedef struct prism_build_stats {
  uint64_t self_loops;
  uint64_t duplicates; /* repeated edges, either direction */
} prism_build_stats;

/* Build a graph on n vertices from `count` 0-based pairs (eu[i], ev[i]).
 * Every endpoint must be < n (the readers check this with file and line).
 * Self-loops and repeated edges are dropped and counted in *stats (may be
 * NULL). The arrays are not kept. */
prism_graph *prism_graph_build(uint32_t n, const uint32_t *eu,
                               const uint32_t *ev, uint64_t count,
                               prism_build_stats *stats);

void prism_graph_free(prism_graph *g);

static inline uint32_t prism_graph_degree(const prism_graph *g, uint32_t v) {
  return (uint32_t)(g->offsets[v + 1] - g->offsets[v]);
}

/* 1 if {u,v} is an edge (binary search in the shorter list). */
int prism_graph_has_edge(const prism_graph *g, uint32_t u, uint32_t v);

#ifdef __cplusplus
}
#endif

#endif
