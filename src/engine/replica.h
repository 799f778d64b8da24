/* replica.h - one replica: a k-coloring under tabu search with an incremental
 * weighted conflict table. This is the specification that the CUDA kernel in
 * src/cuda/ reproduces move for move.
 *
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
 *     beats the best energy: aspiration), ties by the smallest
 *     mix32((v*k + c) ^ salt); and a random conflicting vertex v_r, the one
 *     with the smallest mix32(v ^ salt2); a random color c_r != color v_r.
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
} prism_batch_cfg;

typedef struct prism_replica {
  uint32_t id;              /* RNG stream */
  uint32_t n, k;
  uint32_t *color;          /* n */
  int32_t *G;               /* n*k weighted conflict table */
  uint64_t *tabu;           /* n*k: iteration until which the move is tabu */
  uint32_t *cv, *cvpos;     /* conflicting vertices; cvpos[v] = PRISM_NONE if not */
  uint32_t ncv;
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
  /* counters of the last batch */
  uint64_t moves, metro_moves, tunnels, tunnel_aborts;
  uint32_t conflicts;       /* plain conflicting edges at the end of the last batch */
} prism_replica;

/* Allocate for n vertices and at most kmax colors. */
void prism_replica_init(prism_replica *r, uint32_t id, uint32_t n, uint32_t kmax);
void prism_replica_free(prism_replica *r);

/* Load a coloring (colors < k) and rebuild G, the conflict list, the energy;
 * clears the tabu table; resets best_color and the aspiration reference. */
void prism_replica_load(prism_replica *r, const prism_batch_cfg *c,
                        const uint32_t *colors, uint32_t k);

/* Rebuild G, the conflict list and the energy from the current colors (after
 * the weights or the belief changed); tabu and best are kept. */
void prism_replica_rebuild(prism_replica *r, const prism_batch_cfg *c);

/* The same for a device backend, which rebuilds G, the tabu table and the
 * conflict set itself at the start of the next batch: the host only sets
 * the colors (and best coloring), the energy (an O(m) pass, the same value
 * prism_replica_rebuild gives), solved and dirty. G, tabu and the conflict
 * list on the host are left stale until the device's results come back. */
void prism_replica_load_lazy(prism_replica *r, const prism_batch_cfg *c,
                             const uint32_t *colors, uint32_t k);
void prism_replica_rebuild_lazy(prism_replica *r, const prism_batch_cfg *c);

/* Run one batch of tabu iterations. */
void prism_replica_run_batch(prism_replica *r, const prism_batch_cfg *c);

/* The PRISM_METRO_LEVELS integer Metropolis thresholds for temperature T:
 * thr[d] = exp(-d / (PRISM_EUNIT T)) * 2^32, saturated (T = 0: only d = 0). */
void prism_metro_table(double T, uint32_t *thr);

/* Plain conflicting edges of the current coloring. */
uint32_t prism_replica_conflicts(const prism_replica *r, const prism_batch_cfg *c);

#ifdef __cplusplus
}
#endif

#endif
