/* replica.c - a replica's state: allocation, loading, rebuilding, and the
 * batch dispatch to its search mode (tabucol.c, partialcol.c). */
#include "engine/replica.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/replica_inline.h"
#include "util/check.h"
#include "util/timer.h"

int prism_solve_interrupted(void); /* solve.c */

void prism_replica_init(prism_replica *r, uint32_t id, uint32_t n, uint32_t kmax) {
  memset(r, 0, sizeof *r);
  r->id = id;
  r->n = n;
  size_t nk = (size_t)n * kmax;
  r->color = PRISM_CALLOC(n, sizeof *r->color);
  r->best_color = PRISM_CALLOC(n, sizeof *r->best_color);
  r->G = PRISM_CALLOC(nk, sizeof *r->G);
  r->tabu = PRISM_CALLOC(nk, sizeof *r->tabu);
  r->cv = PRISM_CALLOC(n, sizeof *r->cv);
  r->cvpos = PRISM_CALLOC(n, sizeof *r->cvpos);
  r->rowmin = PRISM_CALLOC(n, sizeof *r->rowmin);
  r->rowmin_ok = PRISM_CALLOC(n, sizeof *r->rowmin_ok);
  r->queue = PRISM_CALLOC(n, sizeof *r->queue);
  r->mark = PRISM_CALLOC(n, sizeof *r->mark);
  /* 16 to 32 vertices per bucket */
  while (r->bk_bits < 24 && ((uint64_t)n >> (r->bk_bits + 1)) >= 16) r->bk_bits++;
  const uint32_t nb = 1u << r->bk_bits;
  r->bk_start = PRISM_CALLOC((size_t)nb + 1, sizeof *r->bk_start);
  r->bk_len = PRISM_CALLOC(nb, sizeof *r->bk_len);
  r->bk_item = PRISM_CALLOC(n, sizeof *r->bk_item);
  r->bk_pos = PRISM_CALLOC(n, sizeof *r->bk_pos);
  for (uint32_t v = 0; v < n; v++) r->bk_start[prism_bucket_of(r, v) + 1]++;
  for (uint32_t b = 0; b < nb; b++) r->bk_start[b + 1] += r->bk_start[b];
  r->chg_cap = n / 4 + 16;
  r->chg = PRISM_CALLOC(r->chg_cap, sizeof *r->chg);
  r->chg_mark = PRISM_CALLOC(n, sizeof *r->chg_mark);
  r->chg_stamp = 1;
  r->chg_over = 1;
}

void prism_replica_free(prism_replica *r) {
  free(r->color);
  free(r->best_color);
  free(r->G);
  free(r->tabu);
  free(r->cv);
  free(r->cvpos);
  free(r->rowmin);
  free(r->rowmin_ok);
  free(r->queue);
  free(r->mark);
  free(r->belief);
  free(r->bk_start);
  free(r->bk_len);
  free(r->bk_item);
  free(r->bk_pos);
  free(r->chg);
  free(r->chg_mark);
  memset(r, 0, sizeof *r);
}

static void tabucol_rebuild(prism_replica *r, const prism_batch_cfg *c) {
  const uint32_t n = r->n, k = r->k;
  memset(r->G, 0, (size_t)n * k * sizeof *r->G);
  for (uint32_t v = 0; v < n; v++) {
    int32_t *row = r->G + (size_t)v * k;
    for (uint64_t e = c->offsets[v]; e < c->offsets[v + 1]; e++) {
      uint32_t u = c->adj[e];
      row[r->color[u]] += c->omega[u];
    }
  }
  int64_t energy2 = 0, pot = 0;
  prism_cv_clear(r);
  for (uint32_t v = 0; v < n; v++) {
    int32_t g = r->G[(size_t)v * k + r->color[v]];
    r->cvpos[v] = PRISM_NONE;
    if (g > 0) prism_cv_add(r, v);
    energy2 += (int64_t)c->omega[v] * g;
    pot += prism_potential(r, c, v, r->color[v]);
  }
  r->energy = energy2 / 2 + pot;
  memset(r->rowmin_ok, 0, n); /* recomputed when a scan needs them */
}

void prism_replica_rebuild(prism_replica *r, const prism_batch_cfg *c) {
  if (r->mode == PRISM_MODE_PARTIALCOL)
    prism_partialcol_rebuild(r, c);
  else
    tabucol_rebuild(r, c);
  r->solved = r->ncv == 0;
  if (r->dirty < 1) r->dirty = 1;
}

/* The colors given, as the replica's mode holds them (in r->color). */
static void take_colors(prism_replica *r, const prism_batch_cfg *c, const uint32_t *colors,
                        uint32_t k) {
  r->k = k;
  memcpy(r->color, colors, (size_t)r->n * sizeof *colors);
  if (r->mode == PRISM_MODE_PARTIALCOL) {
    prism_graph g = prism_replica_graph(c);
    prism_partial_from_complete(&g, r->color);
  }
}

void prism_replica_load(prism_replica *r, const prism_batch_cfg *c,
                        const uint32_t *colors, uint32_t k) {
  take_colors(r, c, colors, k);
  memset(r->tabu, 0, (size_t)r->n * k * sizeof *r->tabu);
  r->tabu_epoch = r->iter;
  r->pc_tenure = r->pc_window = 0;
  prism_replica_rebuild(r, c);
  memcpy(r->best_color, colors, (size_t)r->n * sizeof *r->color);
  r->best_color_energy = r->energy;
  r->best_energy = r->energy;
  r->dirty = 2;
}

/* E of the current colors without G: the weighted conflicting edges (each
 * seen from both ends) and the potentials; *clean = no conflicting edge. */
static int64_t energy_of(const prism_replica *r, const prism_batch_cfg *c, int *clean) {
  int64_t energy2 = 0, pot = 0;
  for (uint32_t v = 0; v < r->n; v++) {
    const uint32_t cv = r->color[v];
    int64_t g = 0;
    for (uint64_t e = c->offsets[v]; e < c->offsets[v + 1]; e++) {
      const uint32_t u = c->adj[e];
      if (r->color[u] == cv) g += c->omega[u];
    }
    energy2 += (int64_t)c->omega[v] * g;
    pot += prism_potential(r, c, v, cv);
  }
  *clean = energy2 == 0;
  return energy2 / 2 + pot;
}

void prism_replica_rebuild_lazy(prism_replica *r, const prism_batch_cfg *c) {
  if (r->mode == PRISM_MODE_PARTIALCOL) { /* O(m) either way: the full rebuild */
    prism_replica_rebuild(r, c);
    return;
  }
  int clean;
  r->energy = energy_of(r, c, &clean);
  r->solved = clean;
  if (r->dirty < 1) r->dirty = 1;
}

void prism_replica_load_lazy(prism_replica *r, const prism_batch_cfg *c,
                             const uint32_t *colors, uint32_t k) {
  if (r->mode == PRISM_MODE_PARTIALCOL) {
    prism_replica_load(r, c, colors, k);
    return;
  }
  take_colors(r, c, colors, k);
  prism_replica_rebuild_lazy(r, c);
  memcpy(r->best_color, r->color, (size_t)r->n * sizeof *r->color);
  r->best_color_energy = r->energy;
  r->best_energy = r->energy;
  r->dirty = 2;
}

uint32_t prism_replica_conflicts(const prism_replica *r, const prism_batch_cfg *c) {
  if (r->mode == PRISM_MODE_PARTIALCOL) return r->ncv; /* uncolored vertices */
  uint64_t twice = 0;
  for (uint32_t i = 0; i < r->ncv; i++) {
    uint32_t v = r->cv[i], col = r->color[v];
    for (uint64_t e = c->offsets[v]; e < c->offsets[v + 1]; e++)
      twice += r->color[c->adj[e]] == col;
  }
  return (uint32_t)(twice / 2);
}

void prism_replica_run_batch(prism_replica *r, const prism_batch_cfg *c) {
  r->ran_mode = r->mode;
  if (r->mode == PRISM_MODE_PARTIALCOL)
    prism_partialcol_run_batch(r, c);
  else
    prism_tabucol_run_batch(r, c);
  r->conflicts = prism_replica_conflicts(r, c); /* telemetry; the GPU reduces it too */
}

int prism_batch_should_stop(const prism_replica *r, const prism_batch_cfg *c) {
  prism_batch_stop *s = c->stop;
  if (!s) return 0;
  if (__atomic_load_n(&s->solved_id, __ATOMIC_RELAXED) < r->id) return 1;
  if (__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) return 1;
  if ((s->deadline > 0 && prism_now() >= s->deadline) || prism_solve_interrupted()) {
    __atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
    return 1;
  }
  return 0;
}

void prism_batch_note_solved(const prism_replica *r, const prism_batch_cfg *c) {
  prism_batch_stop *s = c->stop;
  if (!s || r->k > s->target_k) return;
  uint32_t cur = __atomic_load_n(&s->solved_id, __ATOMIC_RELAXED);
  while (r->id < cur &&
         !__atomic_compare_exchange_n(&s->solved_id, &cur, r->id, 0, __ATOMIC_RELAXED,
                                      __ATOMIC_RELAXED)) {
  }
}

void prism_metro_table(double T, uint32_t *thr) {
  for (uint32_t d = 0; d < PRISM_METRO_LEVELS; d++) {
    double pr = T > 0 ? exp(-(double)d / (PRISM_EUNIT * T)) : (d == 0);
    double x = pr * 4294967296.0;
    thr[d] = x >= 4294967295.0 ? UINT32_MAX : (uint32_t)x;
  }
}
