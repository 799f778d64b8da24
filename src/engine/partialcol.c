/* partialcol.c - PartialCol (Bloechliger & Zufferey 2008) on one replica: a
 * legal partial k-coloring whose uncolored vertices U (color PRISM_NONE, kept
 * in the replica's cv list) are minimised. A move puts an uncolored vertex v
 * into class c and uncolors v's neighbours in c: |U| changes by G[v][c] - 1,
 * where G[v][c] counts v's colored neighbours of color c. A vertex uncolored
 * from class c may not return to c for `tenure` iterations (aspiration: a
 * move that beats the batch's best |U| is always allowed). Tenure =
 * U[0, tabu_base) + alpha |U| + a reactive term (FOO-PartialCol's idea): the
 * term grows while |U| stays within a narrow band over a window of
 * iterations (the search circles) and shrinks by one otherwise.
 *
 * Energy: |U| * PRISM_EUNIT, so that the ladder and the engine compare it
 * with TabuCol's conflict energy in the same units. Potentials, beliefs,
 * Metropolis moves and tunneling are TabuCol's; this mode has none. */
#include <stdlib.h>
#include <string.h>

#include "engine/replica.h"
#include "engine/replica_inline.h"
#include "util/check.h"
#include "util/philox.h"

#define PC_WINDOW 1000     /* iterations per reactive-tenure window */
#define PC_REACT_STEP 2    /* tenure added after a window that circled */
#define PC_FLAT 2          /* |U| range below which a window circled */

void prism_partialcol_rebuild(prism_replica *r, const prism_batch_cfg *c) {
  const uint32_t n = r->n, k = r->k;
  memset(r->G, 0, (size_t)n * k * sizeof *r->G);
  prism_cv_clear(r);
  for (uint32_t v = 0; v < n; v++) {
    r->cvpos[v] = PRISM_NONE;
    const uint32_t cv = r->color[v];
    if (cv == PRISM_NONE) {
      prism_cv_add(r, v);
      continue;
    }
    for (uint64_t e = c->offsets[v]; e < c->offsets[v + 1]; e++)
      r->G[(size_t)c->adj[e] * k + cv]++;
  }
  r->energy = (int64_t)r->ncv * PRISM_EUNIT;
}

/* v leaves class col for U. */
static inline void uncolor(prism_replica *r, const prism_batch_cfg *c, uint32_t v,
                           uint32_t col) {
  const uint32_t k = r->k;
  r->color[v] = PRISM_NONE;
  prism_note_change(r, v);
  for (uint64_t e = c->offsets[v]; e < c->offsets[v + 1]; e++)
    r->G[(size_t)c->adj[e] * k + col]--;
  prism_cv_add(r, v);
}

/* Uncolored v joins class col; its neighbours there leave for U, each
 * barred from col until `until`. */
static inline void insert(prism_replica *r, const prism_batch_cfg *c, uint32_t v,
                          uint32_t col, uint64_t until) {
  const uint32_t k = r->k;
  for (uint64_t e = c->offsets[v]; e < c->offsets[v + 1]; e++) {
    const uint32_t u = c->adj[e];
    if (r->color[u] == col) {
      uncolor(r, c, u, col);
      r->tabu[(size_t)u * k + col] = prism_tabu_until(r, until);
    }
  }
  r->color[v] = col;
  prism_note_change(r, v);
  for (uint64_t e = c->offsets[v]; e < c->offsets[v + 1]; e++)
    r->G[(size_t)c->adj[e] * k + col]++;
  prism_cv_remove(r, v);
}

/* The reactive tenure term, updated once per window. */
static inline void react(prism_replica *r, const prism_batch_cfg *c) {
  const uint32_t u = r->ncv;
  if (r->pc_window == 0 || u < r->pc_lo) r->pc_lo = u;
  if (r->pc_window == 0 || u > r->pc_hi) r->pc_hi = u;
  if (++r->pc_window < PC_WINDOW) return;
  if (r->pc_hi - r->pc_lo < PC_FLAT) {
    if (r->pc_tenure < r->n) r->pc_tenure += PC_REACT_STEP;
  } else if (r->pc_tenure > 0) {
    r->pc_tenure--;
  }
  r->pc_window = 0;
}

typedef struct pc_best {
  int32_t bd;
  uint32_t bkey, bv, bc;
} pc_best;

/* Consider every move of uncolored vertex v. */
static inline void pc_scan_vertex(const prism_replica *r, uint32_t salt, uint32_t now,
                                  int32_t slack, pc_best *s, uint32_t v) {
  const uint32_t k = r->k;
  const int32_t *row = r->G + (size_t)v * k;
  const uint32_t *tab = r->tabu + (size_t)v * k;
  for (uint32_t col = 0; col < k; col++) {
    const int32_t d = row[col] - 1;
    if (d > s->bd) continue;
    if (tab[col] > now && d >= slack) continue;
    const uint32_t key = prism_mix32((v * k + col) ^ salt);
    if (d < s->bd || key < s->bkey) {
      s->bd = d;
      s->bkey = key;
      s->bv = v;
      s->bc = col;
    }
  }
}

void prism_partialcol_run_batch(prism_replica *r, const prism_batch_cfg *c) {
  const uint32_t k = r->k;
  r->moves = r->metro_moves = r->tunnels = r->tunnel_aborts = 0;
  prism_tabu_rebase(r);
  r->chg_over = 1; /* best_color vs color: not tracked across batches */
  for (uint32_t step = 0; step < c->moves && r->ncv > 0; step++) {
    if (step % PRISM_STOP_EVERY == PRISM_STOP_EVERY - 1 && prism_batch_should_stop(r, c))
      break;
    prism_u32x4 ctr = {{r->id, 2, (uint32_t)r->iter, (uint32_t)(r->iter >> 32)}};
    prism_u32x4 A = prism_philox4x32(ctr, (uint32_t)c->seed, (uint32_t)(c->seed >> 32));
    /* best (v, col) over v in U (or a sample of U: tabucol.c's buckets):
     * fewest colored neighbours in col */
    const int32_t slack = (int32_t)((r->best_energy - r->energy) / PRISM_EUNIT); /* aspiration: d < slack */
    const uint32_t now = (uint32_t)(r->iter - r->tabu_epoch);
    pc_best s = {INT32_MAX, UINT32_MAX, PRISM_NONE, 0};
    if (c->scan_limit == 0 || r->ncv <= c->scan_limit) {
      for (uint32_t i = 0; i < r->ncv; i++) pc_scan_vertex(r, A.v[0], now, slack, &s, r->cv[i]);
    } else {
      const uint32_t mask = (1u << r->bk_bits) - 1;
      uint32_t b0;
      const uint32_t nw =
          prism_sample_window(r, prism_mix32(A.v[0] + 0x632BE5ABu), c->scan_sample, &b0);
      for (uint32_t t = 0, b = b0; t < nw; t++, b = (b + 1) & mask) {
        const uint32_t *item = r->bk_item + r->bk_start[b], len = r->bk_len[b];
        for (uint32_t j = 0; j < len; j++) pc_scan_vertex(r, A.v[0], now, slack, &s, item[j]);
      }
    }
    uint32_t bv = s.bv, bc = s.bc;
    if (bv == PRISM_NONE) { /* every move tabu: a random one (the uncolored vertex
                               with the least hash: the list's order does not
                               matter, so the GPU twin takes the same) */
      uint32_t bh = UINT32_MAX;
      for (uint32_t i = 0; i < r->ncv; i++) {
        const uint32_t h = prism_mix32(r->cv[i] ^ A.v[1]);
        if (bv == PRISM_NONE || h < bh) {
          bh = h;
          bv = r->cv[i];
        }
      }
      bc = (uint32_t)(((uint64_t)A.v[2] * k) >> 32);
    }
    const uint64_t tenure =
        (c->pc_tabu_base ? (((uint64_t)A.v[3] * c->pc_tabu_base) >> 32) : 0) +
        (((uint64_t)c->pc_alpha_fp * r->ncv) >> 8) +
                            (c->pc_react ? r->pc_tenure : 0);
    insert(r, c, bv, bc, r->iter + 1 + tenure);
    r->energy = (int64_t)r->ncv * PRISM_EUNIT;
    r->moves++;
    r->iter++;
    prism_note_energy(r);
    if (c->pc_react) react(r, c);
  }
  r->solved = r->ncv == 0;
  if (r->solved) prism_batch_note_solved(r, c);
  /* the batch's best, completed: every replica hands out complete colorings */
  prism_graph g = prism_replica_graph(c);
  prism_complete_from_partial(&g, r->best_color, k, c->seed, r->id, r->iter, r->queue);
}

/* ------------------------------------------------------------ conversions */

static int by_u64(const void *x, const void *y) {
  const uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return (a > b) - (a < b);
}

void prism_partial_from_complete(const prism_graph *g, uint32_t *colors) {
  const uint32_t n = g->n;
  /* the conflicting vertices as keys (~conflicts, v): most conflicts first,
   * ties by index */
  uint64_t *key = PRISM_MALLOC(((size_t)n + 1) * sizeof *key);
  size_t m = 0;
  for (uint32_t v = 0; v < n; v++) {
    if (colors[v] == PRISM_NONE) continue;
    uint32_t x = 0;
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
      x += colors[g->adj[e]] == colors[v];
    if (x) key[m++] = ((uint64_t)~x << 32) | v;
  }
  qsort(key, m, sizeof *key, by_u64);
  uint32_t k = 0;
  for (uint32_t v = 0; v < n; v++)
    if (colors[v] != PRISM_NONE && colors[v] >= k) k = colors[v] + 1;
  size_t unc = 0;
  for (size_t i = 0; i < m; i++) {
    const uint32_t v = (uint32_t)key[i], cv = colors[v];
    int clash = 0;
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1] && !clash; e++)
      clash = colors[g->adj[e]] == cv;
    if (clash) {
      colors[v] = PRISM_NONE;
      key[unc++] = v; /* the uncolored, in the same order */
    }
  }
  /* then each uncolored vertex into the first class that takes it legally */
  uint8_t *seen = PRISM_CALLOC(k ? k : 1, 1);
  for (size_t i = 0; i < unc; i++) {
    const uint32_t v = (uint32_t)key[i];
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
      if (colors[g->adj[e]] != PRISM_NONE) seen[colors[g->adj[e]]] = 1;
    uint32_t c = 0;
    while (c < k && seen[c]) c++;
    if (c < k) colors[v] = c;
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
      if (colors[g->adj[e]] != PRISM_NONE) seen[colors[g->adj[e]]] = 0;
  }
  free(seen);
  free(key);
}

void prism_complete_from_partial(const prism_graph *g, uint32_t *colors, uint32_t k,
                                 uint64_t seed, uint32_t stream, uint64_t counter,
                                 uint32_t *scratch) {
  prism_rng rng;
  prism_rng_init(&rng, seed, stream, 0x636f6d70u, counter);
  for (uint32_t v = 0; v < g->n; v++) {
    if (colors[v] != PRISM_NONE) continue;
    memset(scratch, 0, (size_t)k * sizeof *scratch);
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
      const uint32_t c = colors[g->adj[e]];
      if (c != PRISM_NONE) scratch[c]++;
    }
    uint32_t best = 0, ties = 0;
    for (uint32_t c = 0; c < k; c++) {
      if (c == 0 || scratch[c] < scratch[best]) {
        best = c;
        ties = 1;
      } else if (scratch[c] == scratch[best] && prism_rng_below(&rng, ++ties) == 0) {
        best = c;
      }
    }
    colors[v] = best;
  }
}
