/* cell.c - the memetic step of HEAD (Moalic & Gondran 2018), per cell.
 *
 * A cell is a sub-population of an island: replicas first .. first + R - 1
 * with a GPX ring (every replica's child is the GPX of its best coloring of
 * the generation with the next replica's), two elites (this cycle's best and
 * the previous cycle's) and its own convergence test. An island is one cell
 * by default; `cell_size` cuts it into cells of that many replicas (2: HEAD
 * pairs), so that one GPU batch runs many independent HEAD searches. At
 * every elite_cycle-th recombination a cell's worst replica takes the
 * previous cycle's elite of the next cell on the ring of all cells (the
 * next island's first cell after an island's last), or its own when that
 * cell searches another k. A converged cell (its ring neighbours closer
 * than restart_distance × n, or no better result for stall_generations
 * generations) puts a far elite or pool member into its worse replica
 * (converge_inject, HEAD's swap), else restarts from new colorings. */
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "engine/engine_internal.h"
#include "util/check.h"

/* Part l of R items cut into L parts in order, sizes differing by at most
 * one (the larger first): items lo .. hi - 1. Cells in an island, lineages
 * in a cell. */
static void split_range(uint32_t R, uint32_t L, uint32_t l, uint32_t *lo, uint32_t *hi) {
  const uint32_t q = R / L, r = R % L;
  *lo = l * q + (l < r ? l : r);
  *hi = *lo + q + (l < r);
}

void prism_cells_create(engine *e, island *is) {
  const uint32_t cs = (uint32_t)e->p.cell_size;
  uint32_t C = cs > 0 ? is->R / cs : 1;
  if (C < 1) C = 1;
  is->C = C;
  is->cell = PRISM_CALLOC(C, sizeof *is->cell);
  is->cell_of = PRISM_MALLOC((size_t)is->R * sizeof *is->cell_of);
  is->reload = PRISM_CALLOC(is->R, 1);
  is->parent = PRISM_MALLOC(2 * (size_t)is->R * sizeof *is->parent);
  for (uint32_t c = 0; c < C; c++) {
    cell *ce = &is->cell[c];
    uint32_t hi;
    split_range(is->R, C, c, &ce->first, &hi);
    ce->R = hi - ce->first;
    for (uint32_t i = 0; i < ce->R; i++) is->cell_of[ce->first + i] = c;
    ce->elite1 = PRISM_MALLOC((size_t)e->n * sizeof *ce->elite1);
    ce->elite2 = PRISM_MALLOC((size_t)e->n * sizeof *ce->elite2);
  }
  prism_cells_reset(e, is);
}

void prism_cells_free(island *is) {
  for (uint32_t c = 0; c < is->C; c++) {
    free(is->cell[c].elite1);
    free(is->cell[c].elite2);
  }
  free(is->cell);
  free(is->cell_of);
  free(is->reload);
  free(is->parent);
}

static void cell_reset(engine *e, cell *ce) {
  ce->have_elite1 = ce->have_elite2 = 0;
  ce->gen_best = UINT32_MAX;
  ce->stall = 0;
  ce->distance = e->n;
}

void prism_cells_reset(engine *e, island *is) {
  for (uint32_t c = 0; c < is->C; c++) cell_reset(e, &is->cell[c]);
  is->distance = e->n;
}

void prism_cells_note(engine *e, island *is, const int64_t *conflicts) {
  (void)e;
  for (uint32_t c = 0; c < is->C; c++) {
    cell *ce = &is->cell[c];
    int64_t gb = -1;
    for (uint32_t i = ce->first; i < ce->first + ce->R; i++)
      if (gb < 0 || conflicts[i] < gb) gb = conflicts[i];
    if ((uint64_t)gb < ce->gen_best) {
      ce->gen_best = (uint32_t)gb;
      ce->stall = 0;
    } else {
      ce->stall++;
    }
  }
}

/* 1 when the cell has converged: stalled, or even its farthest pair of
 * ring neighbours is close (for a HEAD pair, the pair's distance). */
static int cell_converged(engine *e, island *is, cell *ce) {
  if (e->p.stall_generations > 0 && ce->stall >= (uint32_t)e->p.stall_generations) {
    ce->stall = 0; /* counted afresh after the diversification or restart */
    ce->gen_best = UINT32_MAX;
    return 1;
  }
  ce->distance = e->n;
  if (ce->R < 2) return 0;
  ce->distance = 0;
  for (uint32_t i = 0; i < ce->R; i++) {
    const uint32_t j = (i + 1) % ce->R;
    if (ce->R == 2 && i == 1) break;
    const uint32_t d =
        prism_partition_distance(e->n, is->k, is->rep[ce->first + i].best_color,
                                 is->rep[ce->first + j].best_color);
    if (d > ce->distance) ce->distance = d;
  }
  return e->p.restart_distance > 0 &&
         (double)ce->distance < e->p.restart_distance * (double)e->n;
}

/* The replica of the cell with the worse best coloring, and a coloring far
 * from every other replica's best (the previous cycle's elite first, as
 * HEAD does, else the fittest far pool member), or NULL. */
static const uint32_t *cell_far_pick(engine *e, island *is, cell *ce, uint32_t *worst_out) {
  const uint32_t n = e->n;
  const uint32_t need = (uint32_t)(e->p.restart_distance * n) + 1;
  uint32_t worst = ce->first;
  for (uint32_t i = ce->first + 1; i < ce->first + ce->R; i++)
    if (is->rep[i].best_color_energy > is->rep[worst].best_color_energy) worst = i;
  *worst_out = worst;
  const uint32_t *pick = NULL;
  uint32_t best_fit = UINT32_MAX;
  const uint32_t m = (ce->have_elite2 ? 1 : 0) + is->pool.size;
  for (uint32_t c = 0; c < m; c++) {
    const int elite = ce->have_elite2 && c == 0;
    const uint32_t j = c - (ce->have_elite2 ? 1 : 0);
    const uint32_t *cand = elite ? ce->elite2 : is->pool.colors + (size_t)j * n;
    const uint32_t fit = elite ? 0 : 1 + is->pool.fit[j];
    if (fit >= best_fit) continue;
    int far = 1;
    for (uint32_t i = ce->first; i < ce->first + ce->R && far; i++)
      if (i != worst &&
          prism_partition_distance(n, is->k, cand, is->rep[i].best_color) < need)
        far = 0;
    if (far) {
      pick = cand;
      best_fit = fit;
    }
  }
  return pick;
}

static void gpx_share(engine *e, int t) {
  island *is = e->cur;
  uint32_t *scratch = prism_engine_tscratch(e, t);
  for (uint32_t i = (uint32_t)t; i < is->R; i += (uint32_t)e->threads) {
    if (!is->reload[i]) continue;
    const uint32_t a = is->parent[2 * i], b = is->parent[2 * i + 1];
    prism_gpx(e->n, is->k, is->rep[a].best_color, is->rep[b].best_color,
              e->children + (size_t)i * e->n, e->o->seed, is->first + i,
              is->recomb_rounds, scratch);
  }
}

static void load_share(engine *e, int t) {
  island *is = e->cur;
  for (uint32_t i = (uint32_t)t; i < is->R; i += (uint32_t)e->threads)
    if (is->reload[i])
      prism_engine_rep_load(e, &is->rep[i], &is->cfg, e->children + (size_t)i * e->n, is->k);
}

static uint32_t lineage_head(uint32_t R, uint32_t L, uint32_t l, const int64_t *energy) {
  uint32_t lo, hi;
  split_range(R, L, l, &lo, &hi);
  uint32_t h = lo;
  for (uint32_t i = lo + 1; i < hi; i++)
    if (energy[i] < energy[h]) h = i;
  return h;
}

void prism_lineage_parents(uint32_t R, uint32_t L, const int64_t *energy, uint32_t *parent) {
  if (R == 0) return;
  if (L < 1 || L > R) L = R;
  const uint32_t head0 = lineage_head(R, L, 0, energy);
  uint32_t h = head0;
  for (uint32_t l = 0; l < L; l++) {
    const uint32_t next = l + 1 < L ? lineage_head(R, L, l + 1, energy) : head0;
    uint32_t lo, hi;
    split_range(R, L, l, &lo, &hi);
    for (uint32_t i = lo; i < hi; i++) {
      parent[2 * i] = h;
      parent[2 * i + 1] = next;
    }
    h = next;
  }
}

uint32_t prism_lineage_count(int lineages, uint32_t n, uint32_t R) {
  if (lineages > 0) return R >= 2 * (uint32_t)lineages ? (uint32_t)lineages : R;
  if (lineages == 0 || R < 4) return R;
  uint32_t L = (n + PRISM_LINEAGE_VERTICES / 2) / PRISM_LINEAGE_VERTICES;
  const uint32_t most = R / PRISM_LINEAGE_REPLICAS;
  if (L > most) L = most;
  return L < 2 ? 2 : L;
}

/* Every replica's GPX parents (island indices), cell by cell, from the
 * energies of the generation's best colorings, over prism_lineage_count's
 * lineages. */
static void cells_parents(engine *e, island *is) {
  int64_t *en = PRISM_MALLOC((size_t)is->R * sizeof *en);
  for (uint32_t i = 0; i < is->R; i++) en[i] = is->rep[i].best_color_energy;
  for (uint32_t c = 0; c < is->C; c++) {
    const cell *ce = &is->cell[c];
    uint32_t *par = is->parent + 2 * (size_t)ce->first;
    prism_lineage_parents(ce->R, prism_lineage_count(e->p.lineages, e->n, ce->R),
                          en + ce->first, par);
    for (uint32_t i = 0; i < 2 * ce->R; i++) par[i] += ce->first;
  }
  free(en);
}

/* The next cell on the ring of all cells: the next island's first after
 * an island's last (the cell itself when that one searches another k);
 * *isl and *ci: its island and index there. */
static const cell *cell_donor(const engine *e, const island *is, uint32_t c,
                              const island **isl, uint32_t *ci) {
  *isl = is;
  *ci = c + 1;
  if (c + 1 < is->C) return &is->cell[c + 1];
  const island *nx = &e->isl[(is->index + 1) % e->I];
  if (nx->k != is->k) nx = NULL;
  *isl = nx ? nx : is;
  *ci = nx ? 0 : c;
  return &(*isl)->cell[*ci];
}

/* The device-resident copies of a cell's elites (the CUDA engine's peer
 * path, docs/multigpu.md): slot 2c holds elite1, 2c + 1 elite2. */
static uint32_t slot_of(uint32_t c, uint32_t which) { return 2 * c + which; }

enum { CELL_KEEP, CELL_RECOMBINE, CELL_INJECT, CELL_RESTART };

/* The recombination of the cells with act CELL_RECOMBINE or CELL_INJECT
 * (is->reload marks their replicas). */
static void cells_recombine(engine *e, island *is, const uint8_t *act, prism_telemetry *t) {
  const uint32_t n = e->n;
  uint32_t children = 0;
  for (uint32_t c = 0; c < is->C; c++) {
    cell *ce = &is->cell[c];
    if (act[c] != CELL_RECOMBINE && act[c] != CELL_INJECT) continue;
    children += ce->R;
    for (uint32_t i = ce->first; i < ce->first + ce->R; i++) {
      prism_replica *r = &is->rep[i];
      if (!ce->have_elite1 || r->best_color_energy < ce->elite1_energy) {
        memcpy(ce->elite1, r->best_color, (size_t)n * sizeof *ce->elite1);
        ce->elite1_energy = r->best_color_energy;
        ce->have_elite1 = 1;
        prism_engine_elite_stash(e, is, slot_of(c, PRISM_SLOT_ELITE1), i);
      }
    }
    if (is->pool.cap > 0) {
      const uint32_t min_dist = (uint32_t)(e->p.pool_distance * n);
      for (uint32_t i = ce->first; i < ce->first + ce->R; i++)
        prism_pool_offer(&is->pool, is->rep[i].best_color,
                         (uint32_t)prism_count_conflicts(e->g, is->rep[i].best_color),
                         min_dist);
    }
  }
  if (!children) return;
  is->recomb_rounds++;
  cells_parents(e, is);
  prism_engine_threads_run(e, is, gpx_share);  /* every child from the parents' best */
  prism_engine_threads_run(e, is, load_share); /* then every replica takes its child */
  if (e->p.elite_cycle > 0 && is->recomb_rounds % (uint64_t)e->p.elite_cycle == 0) {
    /* first every cell takes its donor's previous elite (before any cell's
     * elite2 moves on, so the ring reads one cycle) */
    for (uint32_t c = 0; c < is->C; c++) {
      cell *ce = &is->cell[c];
      if (act[c] != CELL_RECOMBINE && act[c] != CELL_INJECT) continue;
      const island *disl;
      uint32_t dc;
      const cell *donor = cell_donor(e, is, c, &disl, &dc);
      if (!donor->have_elite2) continue;
      uint32_t worst = ce->first;
      for (uint32_t i = ce->first + 1; i < ce->first + ce->R; i++)
        if (is->rep[i].energy > is->rep[worst].energy) worst = i;
      prism_engine_rep_load(e, &is->rep[worst], &is->cfg, donor->elite2, is->k);
      prism_engine_elite_load(e, is, worst, disl, slot_of(dc, PRISM_SLOT_ELITE2));
    }
    for (uint32_t c = 0; c < is->C; c++) {
      cell *ce = &is->cell[c];
      if (act[c] != CELL_RECOMBINE && act[c] != CELL_INJECT) continue;
      memcpy(ce->elite2, ce->elite1, (size_t)n * sizeof *ce->elite2);
      ce->elite2_energy = ce->elite1_energy;
      ce->have_elite2 = 1;
      ce->have_elite1 = 0;
      prism_engine_elite_copy(e, is, slot_of(c, PRISM_SLOT_ELITE2),
                              slot_of(c, PRISM_SLOT_ELITE1));
    }
  }
  t->recombinations = children;
  prism_island_belief(e, is);
}

static void mark(engine *e, island *is, const cell *ce, uint8_t on) {
  for (uint32_t i = ce->first; i < ce->first + ce->R; i++) {
    is->reload[i] = on;
    if (on) is->rep[i].mode = prism_island_mode_of(e, is, i);
  }
}

void prism_cells_generation(engine *e, island *is, prism_telemetry *t, int recomb_due) {
  const uint32_t n = e->n, C = is->C;
  uint8_t *act = PRISM_MALLOC(C);
  uint32_t *worst = PRISM_MALLOC((size_t)C * sizeof *worst);
  uint32_t *pick = NULL; /* the injected colorings, n words per injecting cell */
  uint32_t npick = 0;
  for (uint32_t c = 0; c < C; c++) {
    cell *ce = &is->cell[c];
    act[c] = CELL_KEEP;
    if (cell_converged(e, is, ce)) {
      const uint32_t *p = e->p.converge_inject ? cell_far_pick(e, is, ce, &worst[c]) : NULL;
      if (p) {
        pick = PRISM_REALLOC(pick, (size_t)(npick + 1) * n * sizeof *pick);
        memcpy(pick + (size_t)npick++ * n, p, (size_t)n * sizeof *pick);
        if (p == ce->elite2) ce->have_elite2 = 0; /* used up, as in HEAD */
        act[c] = CELL_INJECT;
      } else {
        act[c] = CELL_RESTART;
      }
    } else if (recomb_due && ce->R > 1) {
      act[c] = CELL_RECOMBINE;
    }
    mark(e, is, ce, act[c] == CELL_RECOMBINE || act[c] == CELL_INJECT);
  }
  cells_recombine(e, is, act, t);
  /* the converged cells' worse replicas take the far colorings */
  for (uint32_t c = 0, j = 0; c < C; c++)
    if (act[c] == CELL_INJECT) {
      prism_engine_rep_load(e, &is->rep[worst[c]], &is->cfg, pick + (size_t)j++ * n, is->k);
      is->diversified++;
    }
  /* a recombination due goes on with the injected coloring as a parent
   * (HEAD crosses the pair again right after the swap) */
  int again = 0;
  for (uint32_t c = 0; c < C; c++) {
    const int r = act[c] == CELL_INJECT && recomb_due && is->cell[c].R > 1;
    act[c] = r ? CELL_RECOMBINE : act[c] == CELL_RESTART ? CELL_RESTART : CELL_KEEP;
    mark(e, is, &is->cell[c], (uint8_t)r);
    again |= r;
  }
  if (again) cells_recombine(e, is, act, t);
  /* and the others restart: the island when it is one cell (its k's
   * bookkeeping starts afresh too), else the cell's replicas */
  uint32_t restart = 0;
  for (uint32_t c = 0; c < C; c++) {
    mark(e, is, &is->cell[c], act[c] == CELL_RESTART);
    if (act[c] != CELL_RESTART) continue;
    cell_reset(e, &is->cell[c]);
    is->restarts++;
    restart++;
  }
  if (restart && C == 1)
    prism_schedule_fresh(e, is, is->k);
  else if (restart)
    prism_schedule_fresh_some(e, is);
  is->distance = n;
  for (uint32_t c = 0; c < C; c++)
    if (is->cell[c].distance < is->distance) is->distance = is->cell[c].distance;
  memset(is->reload, 0, is->R);
  free(act);
  free(worst);
  free(pick);
}
