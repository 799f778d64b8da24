/* replica.h - one replica: a k-coloring searched by one mode, with an
 * incremental table G[v][c]. Two modes share the state:
 *
 *  TABUCOL (tabucol.c): a complete k-coloring with conflicts, moves that
 *    minimise the energy below. This is the specification that the CUDA
 *    kernel in src/cuda/ reproduces move for move.
 *  PARTIALCOL (partialcol.c): a legal partial k-coloring; the uncolored
 *    vertices (color PRISM_NONE) sit in the cv list and their count is the
 *    objective (Bloechliger & Zufferey 2008). CPU only for now.
 *
 * TabuCol:
 * Energy (integer, PRISM_EUNIT units per plain conflict edge):
 *   E = sum over conflicting edges {u,v} of w_u * w_v        (reservoir weights)
 *     + mu   * |{v : color v = k-1}|                          (chemical potential)
 *     + beta * |{v : color v != belief v}|                    (belief pull)
 * with w_v = PRISM_W0 + stress bonus, so with no stress every conflict costs
 * PRISM_EUNIT. G[v][c] = sum of w_u over neighbours u of v with color c, so
 * moving v from a to c changes E by w_v * (G[v][c] - G[v][a]) + the two
 * potential terms: O(1) per candidate, O(deg v) to apply.
 *
 * One iteration (counter-based RNG words keyed by (seed, replica, iter)):
 *  1. scan the conflicting vertices: best non-tabu move (tabu unless the move
 *     beats the best energy: aspiration); ties go to the vertex with the
 *     smallest mix32(v ^ vsalt), then to its color with the smallest
 *     mix32((v*k + c) ^ salt) (vertex first, so that a GPU block finds the
 *     winner from per-vertex row minima and scans one row); and a random
 *     conflicting vertex v_r, the one with the smallest mix32(v ^ salt2); a
 *     random color c_r != color v_r.
 *  2. with probability tun_thr / 2^32: a Kempe-chain interchange of colors
 *     {color v_r, c_r} on the chain through v_r (tunneling), if the chain has
 *     at most max_chain vertices; it leaves the conflict count unchanged.
 *  3. else the Metropolis move (v_r, c_r) if allowed by tabu and accepted
 *     against the best move at the replica's temperature (integer thresholds
 *     from a table), else the best move. The moved vertex's old color becomes
 *     tabu for U[0, tabu_base) + alpha * |conflicting| iterations.
 *  4. the batch ends after `moves` iterations or at zero conflicts. */
#ifndef PRISM_ENGINE_REPLICA_H
#define PRISM_ENGINE_REPLICA_H

#include <stdint.h>

#include "graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PRISM_W0 4          /* base vertex weight */
#define PRISM_WMAX 64       /* largest vertex weight */
#define PRISM_EUNIT (PRISM_W0 * PRISM_W0)
#define PRISM_METRO_LEVELS 1024 /* energy differences >= this are never accepted */
#define PRISM_NONE UINT32_MAX

/* Search modes (island.mode, replica.mode). */
enum { PRISM_MODE_TABUCOL = 0, PRISM_MODE_PARTIALCOL = 1, PRISM_MODES, PRISM_MODE_ADAPTIVE = PRISM_MODES };

/* When a batch may end early on the CPU (the GPU runs whole batches): the
 * clock and the interrupt flag are read every PRISM_STOP_EVERY iterations,
 * and a replica stops when one with a smaller id has already reached the
 * solve's target (so the lowest such replica, the one reported, never
 * depends on timing). */
#define PRISM_STOP_EVERY 256
typedef struct prism_batch_stop {
  double deadline;             /* prism_now() seconds; 0: none */
  uint32_t target_k;           /* a solved replica with k <= this ends the solve */
  volatile uint32_t solved_id; /* smallest id that reached target_k (or PRISM_NONE) */
  volatile int stop;           /* set by the first replica that saw the deadline */
} prism_batch_stop;

/* What every replica reads during a batch; built by the host each batch. */
typedef struct prism_batch_cfg {
  uint32_t n, k;
  const uint64_t *offsets;
  const uint32_t *adj;
  const int32_t *omega;     /* n vertex weights in [PRISM_W0, PRISM_WMAX] */
  int64_t mu;               /* chemical potential, energy units */
  int64_t beta;             /* belief pull, energy units (0: off) */
  uint32_t tun_thr;         /* tunneling probability * 2^32 */
  uint32_t max_chain;       /* largest Kempe chain swapped */
  uint32_t tabu_base;       /* tenure = U[0,tabu_base) + (alpha_fp*ncv >> 8) */
  uint32_t alpha_fp;
  uint32_t moves;           /* iterations per batch */
  uint64_t seed;
  /* PartialCol: tenure = U[0,pc_tabu_base) + (pc_alpha_fp*|U| >> 8) + reactive part */
  uint32_t pc_tabu_base, pc_alpha_fp;
  uint32_t pc_react;        /* 1: the reactive (FOO) tenure term is on */
  /* Large conflict sets: above scan_limit conflicting (uncolored) vertices
   * a move looks at a sample of them, whole buckets of the replica's bucket
   * split (a fixed hash of the vertex) from a random bucket on, until at
   * least scan_sample vertices (0: always the exact scan). CPU only: the
   * CUDA kernel scans exactly (its agreement tests keep ncv below). */
  uint32_t scan_limit, scan_sample;
  prism_batch_stop *stop;   /* CPU early exit; NULL: run whole batches */
} prism_batch_cfg;

typedef struct prism_replica {
  uint32_t id;              /* RNG stream */
  uint32_t n, k;
  int mode;                 /* PRISM_MODE_* */
  int ran_mode;        /* the mode of the last batch run (its best_color on a device) */
  uint32_t *color;          /* n */
  int32_t *G;               /* n*k weighted conflict table */
  uint32_t *tabu;           /* n*k: the move is tabu until iteration tabu_epoch +
                               this (0: free); re-based at every batch start */
  uint64_t tabu_epoch;
  uint32_t *cv, *cvpos;     /* conflicting (TabuCol) or uncolored (PartialCol)
                               vertices; cvpos[v] = PRISM_NONE if not */
  int32_t *rowmin;          /* TabuCol: min of G[v][c] over c != color v, when */
  uint8_t *rowmin_ok;       /* ... this flag says it is current (a scan bound) */
  uint32_t ncv;
  /* the cv list again, split into 2^bk_bits buckets by prism_bucket_of(v):
   * bucket b's members are bk_item[bk_start[b] .. + bk_len[b]) (sampled scans) */
  uint32_t bk_bits;
  uint32_t *bk_start, *bk_len, *bk_item, *bk_pos;
  /* best_color follows color lazily: the vertices recolored since it was
   * last brought up to date (chg_over: more than chg_cap, or unknown) */
  uint32_t *chg, *chg_mark, nchg, chg_cap, chg_stamp;
  int chg_over;
  uint32_t *belief;         /* n, elite-aligned colors, or NULL */
  uint32_t *best_color;     /* best coloring since the last reset */
  int64_t best_color_energy;
  uint32_t best_color_conflicts;
  int64_t energy;           /* current energy */
  int64_t best_energy;      /* aspiration reference since the last reset */
  uint64_t iter;            /* iterations ever (the RNG counter) */
  const uint32_t *metro_thr; /* PRISM_METRO_LEVELS thresholds for its slot */
  uint32_t slot;            /* ladder slot (temperature index) */
  int solved;               /* zero conflicts reached */
  int dirty;                /* host changed it since the last batch: 1 = colors,
                               weights or belief (G must be rebuilt, tabu kept),
                               2 = loaded anew (tabu cleared too). A device
                               backend uploads and clears it. */
  /* scratch for Kempe chains */
  uint32_t *queue, *mark;
  uint32_t stamp;
  /* PartialCol's reactive tenure (FOO): the extra term and its window */
  uint32_t pc_tenure, pc_lo, pc_hi, pc_window;
  /* counters of the last batch */
  uint64_t moves, metro_moves, tunnels, tunnel_aborts;
  uint32_t conflicts;       /* plain conflicting edges at the end of the last batch
                               (PartialCol: uncolored vertices) */
} prism_replica;

/* Allocate for n vertices and at most kmax colors. */
void prism_replica_init(prism_replica *r, uint32_t id, uint32_t n, uint32_t kmax);
void prism_replica_free(prism_replica *r);

/* Load a complete coloring (colors < k) and rebuild G, the conflict list,
 * the energy; clears the tabu table; resets best_color and the aspiration
 * reference. A PartialCol replica first turns it into a legal partial
 * coloring (prism_partial_from_complete). */
void prism_replica_load(prism_replica *r, const prism_batch_cfg *c,
                        const uint32_t *colors, uint32_t k);

/* Rebuild G, the conflict list and the energy from the current colors (after
 * the weights or the belief changed); tabu and best are kept. */
void prism_replica_rebuild(prism_replica *r, const prism_batch_cfg *c);

/* The same for a device backend, which rebuilds G, the tabu table and the
 * conflict set itself at the start of the next batch: the host only sets
 * the colors (and best coloring), the energy (an O(m) pass, the same value
 * prism_replica_rebuild gives), solved and dirty. G, tabu and the conflict
 * list on the host are left stale until the device's results come back.
 * A PartialCol replica is loaded / rebuilt in full (O(m) either way). */
void prism_replica_load_lazy(prism_replica *r, const prism_batch_cfg *c,
                             const uint32_t *colors, uint32_t k);
void prism_replica_rebuild_lazy(prism_replica *r, const prism_batch_cfg *c);

/* Run one batch of iterations of the replica's mode. Afterwards best_color
 * is a complete coloring (colors < k) in both modes, ready for GPX. */
void prism_replica_run_batch(prism_replica *r, const prism_batch_cfg *c);

/* The modes' batches (tabucol.c, partialcol.c). */
void prism_tabucol_run_batch(prism_replica *r, const prism_batch_cfg *c);
void prism_partialcol_run_batch(prism_replica *r, const prism_batch_cfg *c);
void prism_partialcol_rebuild(prism_replica *r, const prism_batch_cfg *c);

/* Conversions between the modes (partialcol.c), deterministic for
 * (seed, stream, counter):
 *  partial_from_complete: uncolor conflicting vertices, most conflicts
 *    first (ties by vertex order), until the coloring is legal; then put
 *    each uncolored vertex, in the same order, into the first class (below
 *    the largest color present) where it has no neighbour;
 *  complete_from_partial: each uncolored vertex takes the color with the
 *    fewest colored neighbours (ties at random). In place; scratch: k.
 * A replica's cfg gives the graph as prism_replica_graph(c). */
void prism_partial_from_complete(const prism_graph *g, uint32_t *colors);
void prism_complete_from_partial(const prism_graph *g, uint32_t *colors, uint32_t k,
                                 uint64_t seed, uint32_t stream, uint64_t counter,
                                 uint32_t *scratch /* k */);

static inline prism_graph prism_replica_graph(const prism_batch_cfg *c) {
  prism_graph g = {c->n, 0, (uint64_t *)c->offsets, (uint32_t *)c->adj, 0};
  return g;
}

/* Check for stopping inside a batch (CPU); 1 = stop now. */
int prism_batch_should_stop(const prism_replica *r, const prism_batch_cfg *c);
/* A replica solved at c->k: record it for the early exit. */
void prism_batch_note_solved(const prism_replica *r, const prism_batch_cfg *c);

/* The PRISM_METRO_LEVELS integer Metropolis thresholds for temperature T:
 * thr[d] = exp(-d / (PRISM_EUNIT T)) * 2^32, saturated (T = 0: only d = 0). */
void prism_metro_table(double T, uint32_t *thr);

/* Plain conflicting edges of the current coloring. */
uint32_t prism_replica_conflicts(const prism_replica *r, const prism_batch_cfg *c);

#ifdef __cplusplus
}
#endif

#endif
