/* schedule.c - which k each island searches, and the colorings it starts
 * from. With -k K the islands start at K at once (from random colorings, as
 * HEAD does, or from DSATUR reduced to K); when minimising they descend from
 * the best coloring one class at a time, each replica from its own coloring
 * so that the population stays diverse. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "util/check.h"
#include "util/philox.h"

uint32_t prism_schedule_next_k(const engine *e, const island *is) {
  (void)is;
  const uint32_t best = e->res->best_k, target = e->o->target_k;
  return target && target < best && e->p.k_schedule == 0 ? target : best - 1;
}

/* Start the island's bookkeeping afresh at k (the colorings follow). */
static void reset(engine *e, island *is, uint32_t k) {
  is->k = k;
  prism_cells_reset(e, is);
  is->batches_at_k = 0;
  is->best_conflicts_at_k = UINT32_MAX;
  is->stagnation = 0;
  is->fresh = 1;
  prism_changepoint_reset(&is->cp);
  prism_pool_clear(&is->pool, k);
  for (uint32_t i = 0; i < is->R; i++) {
    prism_replica *r = &is->rep[i];
    if (r->belief) {
      free(r->belief);
      r->belief = NULL;
    }
  }
  prism_engine_build_cfg(e, is); /* the loads below need the new k's config */
}

/* colors (complete, < kin) reduced to kout classes, one dissolved at a time;
 * scratch: 2n + kin words; returns the buffer that holds the result. */
static uint32_t *dissolve_to(engine *e, const uint32_t *colors, uint32_t kin, uint32_t kout,
                             uint32_t stream, uint32_t *scratch) {
  const uint32_t n = e->n;
  uint32_t *cur = scratch + kin + 8, *next = cur + n;
  memcpy(cur, colors, (size_t)n * sizeof *cur);
  for (uint32_t kk = kin; kk > kout; kk--) {
    prism_dissolve_class(e->g, cur, kk, next, e->o->seed, stream, scratch);
    uint32_t *x = cur;
    cur = next;
    next = x;
  }
  return cur;
}

static void fresh_share(engine *e, int t) {
  island *is = e->cur;
  const uint32_t n = e->n, k = is->k;
  uint32_t *scratch = prism_engine_tscratch(e, t);
  for (uint32_t ii = (uint32_t)t; ii < is->R; ii += (uint32_t)e->threads) {
    if (e->some && !is->reload[ii]) continue;
    const uint32_t i = is->first + ii;
    const uint32_t *colors;
    if (e->p.init_colors == 1) {
      colors = dissolve_to(e, e->res->colors, e->res->best_k, k, i, scratch);
    } else {
      uint32_t *c = scratch;
      prism_rng rng;
      prism_rng_init(&rng, e->o->seed, i, 0x696e6974u, is->starts);
      for (uint32_t v = 0; v < n; v++) c[v] = prism_rng_below(&rng, k);
      colors = c;
    }
    prism_engine_rep_load(e, &e->rep[i], &is->cfg, colors, k);
  }
}

void prism_schedule_fresh(engine *e, island *is, uint32_t k) {
  reset(e, is, k);
  prism_engine_threads_run(e, is, fresh_share);
  is->starts++;
}

void prism_schedule_fresh_some(engine *e, island *is) {
  e->some = 1;
  prism_engine_threads_run(e, is, fresh_share);
  e->some = 0;
  is->starts++;
}

/* Each replica from its own coloring: the solved one's proper coloring, the
 * others' best of the last batch; at the very start, DSATUR's. */
static void descend_share(engine *e, int t) {
  island *is = e->cur;
  const uint32_t k = is->k;
  uint32_t *scratch = prism_engine_tscratch(e, t);
  for (uint32_t ii = (uint32_t)t; ii < is->R; ii += (uint32_t)e->threads) {
    const uint32_t i = is->first + ii;
    prism_replica *r = &e->rep[i];
    const uint32_t *from = e->res->colors;
    uint32_t kin = e->res->best_k;
    if (is->starts > 0) {
      from = r->solved ? r->color : r->best_color;
      kin = r->k;
    }
    const uint32_t *colors = dissolve_to(e, from, kin, k, i, scratch);
    prism_engine_rep_load(e, r, &is->cfg, colors, k);
  }
}

void prism_schedule_descend(engine *e, island *is, uint32_t k) {
  /* the replicas still hold colorings at the old k until they load */
  is->k = k;
  reset(e, is, k);
  prism_engine_threads_run(e, is, descend_share);
  is->starts++;
}

/* Resume: the entry a replica of island `target` takes, the ii-th
 * (cyclically) of those stored for that island (all when there are none). */
static uint32_t resume_pick(const prism_population *p, uint32_t target, uint32_t ii) {
  uint32_t len = 0;
  for (uint32_t j = 0; j < p->count; j++) len += p->island[j] == target;
  const int all = len == 0;
  if (all) len = p->count;
  uint32_t want = ii % len;
  for (uint32_t j = 0; j < p->count; j++)
    if ((all || p->island[j] == target) && want-- == 0) return j;
  return 0;
}

static void resume_share(engine *e, int t) {
  island *is = e->cur;
  const prism_population *p = e->o->start_pop;
  uint32_t islands = 1;
  for (uint32_t j = 0; j < p->count; j++)
    if (p->island[j] + 1 > islands) islands = p->island[j] + 1;
  uint32_t *scratch = prism_engine_tscratch(e, t);
  for (uint32_t ii = (uint32_t)t; ii < is->R; ii += (uint32_t)e->threads) {
    const uint32_t i = is->first + ii, j = resume_pick(p, is->index % islands, ii);
    const uint32_t *from = p->colors[j];
    uint32_t kin = p->k[j];
    if (kin > e->res->best_k) { /* more colors than the best: start as descend does */
      from = e->res->colors;
      kin = e->res->best_k;
    }
    const uint32_t *colors = kin > is->k ? dissolve_to(e, from, kin, is->k, i, scratch) : from;
    prism_engine_rep_load(e, &e->rep[i], &is->cfg, colors, is->k);
  }
}

void prism_schedule_resume(engine *e, island *is, uint32_t k) {
  reset(e, is, k);
  prism_engine_threads_run(e, is, resume_share);
  is->starts++;
}
