/* island.c - the population moves after an island's batch (one
 * generation) other than the memetic step (cell.c): replica exchange on the
 * temperature ladder, the leaky reservoir, the belief pull, and the
 * adaptive choice of search modes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "engine/engine_internal.h"
#include "util/check.h"
#include "util/philox.h"

/* ------------------------------------------------------- replica exchange */

void prism_island_exchange(engine *e, island *is, prism_telemetry *t) {
  uint32_t tried = 0, accepted = 0;
  uint32_t parity = (uint32_t)(is->swap_sweeps++ & 1);
  prism_rng rng;
  prism_rng_init(&rng, e->o->seed, 0xFFFF0001u + is->index, 0, is->ibatch);
  for (uint32_t s = parity; s + 1 < is->R; s += 2) {
    uint32_t i = is->rep_of_slot[s], j = is->rep_of_slot[s + 1];
    double Ti = prism_engine_slot_temperature(e, is, s);
    double Tj = prism_engine_slot_temperature(e, is, s + 1);
    double Ei = (double)is->rep[i].energy / PRISM_EUNIT;
    double Ej = (double)is->rep[j].energy / PRISM_EUNIT;
    double x =
        (Ti > 0 && Tj > 0) ? (1.0 / Ti - 1.0 / Tj) * (Ei - Ej) : (Ei > Ej ? 1 : -1);
    uint32_t u = prism_rng_u32(&rng);
    tried++;
    if (x >= 0 || (double)u < exp(x) * 4294967296.0) {
      is->rep_of_slot[s] = j;
      is->rep_of_slot[s + 1] = i;
      is->rep[j].slot = s;
      is->rep[i].slot = s + 1;
      is->rep[j].metro_thr = is->metro + (size_t)s * PRISM_METRO_LEVELS;
      is->rep[i].metro_thr = is->metro + (size_t)(s + 1) * PRISM_METRO_LEVELS;
      accepted++;
    }
  }
  t->swaps_tried = tried;
  t->swap_acceptance = tried ? (double)accepted / tried : 0;
}

/* ------------------------------------------------------------- reservoir */

int prism_controller_wanted(const char *controller) {
  return controller && strcmp(controller, "none") != 0;
}

int32_t prism_weight_bound(double stress_weight, const char *controller) {
  if (stress_weight > 0 || prism_controller_wanted(controller)) return PRISM_WMAX;
  return PRISM_W0; /* every weight stays PRISM_W0 (prism_island_update_reservoir) */
}

int prism_island_update_reservoir(engine *e, island *is, prism_telemetry *t) {
  const uint32_t n = e->n;
  double leak = e->p.reservoir_leak_rate, sum = 0, mx = 0;
  for (uint32_t v = 0; v < n; v++) is->reservoir[v] *= 1.0 - leak;
  for (uint32_t i = 0; i < is->R; i++) {
    const prism_replica *r = &is->rep[i];
    for (uint32_t j = 0; j < r->ncv; j++) is->reservoir[r->cv[j]] += 1.0 / is->R;
  }
  int changed = 0;
  for (uint32_t v = 0; v < n; v++) {
    double x = is->reservoir[v];
    sum += x;
    if (x > mx) mx = x;
    int32_t w = PRISM_W0;
    if (e->p.stress_weight > 0) { /* TabuCol's energy; PartialCol counts plainly */
      double bonus = floor(PRISM_W0 * e->p.stress_weight * x);
      w = bonus >= PRISM_WMAX - PRISM_W0 ? PRISM_WMAX : PRISM_W0 + (int32_t)bonus;
    }
    if (w != is->omega[v]) {
      is->omega[v] = w;
      changed = 1;
    }
  }
  t->reservoir_activity = sum / n;
  t->reservoir_max = mx;
  return changed;
}

/* ---------------------------------------------------------------- belief */

typedef struct overlap {
  uint32_t count, a, b;
} overlap;

static int by_count_desc(const void *x, const void *y) {
  const overlap *p = x, *q = y;
  if (p->count != q->count) return p->count < q->count ? 1 : -1;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  return p->b < q->b ? -1 : (p->b > q->b);
}

/* belief[v] = the replica's label for the elite's class of v, matching
 * classes greedily by overlap. */
static void align_belief(engine *e, island *is, prism_replica *r, const uint32_t *elite) {
  const uint32_t k = is->k, n = e->n;
  if (!r->belief) r->belief = PRISM_CALLOC(n, sizeof *r->belief);
  uint32_t *ov = PRISM_CALLOC((size_t)k * k, sizeof *ov);
  for (uint32_t v = 0; v < n; v++) ov[(size_t)elite[v] * k + r->color[v]]++;
  overlap *list = PRISM_MALLOC((size_t)k * k * sizeof *list);
  size_t m = 0;
  for (uint32_t a = 0; a < k; a++)
    for (uint32_t b = 0; b < k; b++)
      if (ov[(size_t)a * k + b]) list[m++] = (overlap){ov[(size_t)a * k + b], a, b};
  qsort(list, m, sizeof *list, by_count_desc);
  uint32_t *map = PRISM_MALLOC((size_t)k * sizeof *map);
  uint8_t *used = PRISM_CALLOC(k, 1);
  for (uint32_t a = 0; a < k; a++) map[a] = PRISM_NONE;
  for (size_t i = 0; i < m; i++)
    if (map[list[i].a] == PRISM_NONE && !used[list[i].b]) {
      map[list[i].a] = list[i].b;
      used[list[i].b] = 1;
    }
  for (uint32_t a = 0, b = 0; a < k; a++) /* unmatched classes take free labels */
    if (map[a] == PRISM_NONE) {
      while (used[b]) b++;
      map[a] = b;
      used[b] = 1;
    }
  for (uint32_t v = 0; v < n; v++) r->belief[v] = map[elite[v]];
  free(ov);
  free(list);
  free(map);
  free(used);
}

/* The belief pull is a TabuCol potential; PartialCol replicas have none.
 * Each replica is pulled toward its cell's elite (this cycle's, else the
 * cell's best coloring of the generation). */
void prism_island_belief(engine *e, island *is) {
  if (e->p.belief_weight <= 0) return;
  for (uint32_t c = 0; c < is->C; c++) {
    const cell *ce = &is->cell[c];
    const uint32_t *elite = NULL;
    if (ce->have_elite1)
      elite = ce->elite1;
    else {
      uint32_t b = ce->first;
      for (uint32_t i = ce->first + 1; i < ce->first + ce->R; i++)
        if (is->rep[i].best_color_energy < is->rep[b].best_color_energy) b = i;
      elite = is->rep[b].best_color;
    }
    memcpy(e->tmp_colors, elite, (size_t)e->n * sizeof *elite);
    for (uint32_t i = ce->first; i < ce->first + ce->R; i++) {
      if (is->rep[i].mode != PRISM_MODE_TABUCOL) continue;
      align_belief(e, is, &is->rep[i], e->tmp_colors);
      prism_engine_rep_rebuild(e, &is->rep[i], &is->cfg);
    }
  }
}

/* ------------------------------------------------------- adaptive modes */

int prism_island_mode_of(const engine *e, const island *is, uint32_t i) {
  if (is->policy != PRISM_MODE_ADAPTIVE) return is->policy;
  const uint64_t g = is->generations;
  if (g < (uint64_t)e->p.mode_probe) /* probe: the replicas alternate */
    return (int)((i + (is->R == 1 ? g : 0)) & 1);
  uint64_t x = (uint64_t)e->p.mode_explore;
  /* the last votes unanimous for the majority: explore 4 times less */
  const uint32_t W = sizeof is->votes / sizeof is->votes[0];
  if (is->nvotes >= W) {
    const int32_t want = is->major == PRISM_MODE_PARTIALCOL ? 1 : -1;
    int unanimous = 1;
    for (uint32_t j = 0; j < W; j++) unanimous &= is->votes[j] == want;
    if (unanimous) x *= 4;
  }
  if (x > 0 && g % x == 0 && i == (g / x) % is->R) return 1 - is->major;
  return is->major;
}

/* The conflicts of every replica's best coloring, O(m) each, split over
 * the worker threads (with hundreds of GPU replicas this was most of the
 * host's time per batch: bench/gpu/RESULTS.md). */
static void conflicts_share(engine *e, int t) {
  island *is = e->cur;
  for (uint32_t i = (uint32_t)t; i < is->R; i += (uint32_t)e->threads)
    e->conf[i] = (int64_t)prism_count_conflicts(e->g, is->rep[i].best_color);
}

void prism_island_modes(engine *e, island *is, prism_telemetry *t) {
  int64_t best[2] = {-1, -1};
  uint32_t pcs = 0;
  int64_t *conf = e->conf;
  prism_engine_threads_run(e, is, conflicts_share);
  for (uint32_t i = 0; i < is->R; i++) {
    const int m = is->rep[i].mode;
    const int64_t c = conf[i];
    pcs += m == PRISM_MODE_PARTIALCOL;
    if (best[m] < 0 || c < best[m]) best[m] = c;
  }
  t->mode_conflicts[0] = best[0];
  t->mode_conflicts[1] = best[1];
  t->partialcol_replicas = pcs;
  t->mode = 2 * pcs > is->R ? PRISM_MODE_PARTIALCOL : PRISM_MODE_TABUCOL;
  is->generations++;
  prism_cells_note(e, is, conf); /* each cell's stall */
  /* a generation from new (random or dissolved) colorings says little about
   * the modes: PartialCol needs a while to fill a random start */
  const int fresh = is->fresh;
  is->fresh = 0;
  if (is->policy != PRISM_MODE_ADAPTIVE || best[0] < 0 || best[1] < 0 || fresh) return;
  const uint32_t W = sizeof is->votes / sizeof is->votes[0];
  is->votes[is->nvotes++ % W] = best[1] < best[0] ? 1 : best[0] < best[1] ? -1 : 0;
  int32_t sum = 0;
  for (uint32_t j = 0; j < W && j < is->nvotes; j++) sum += is->votes[j];
  if (sum > 0) is->major = PRISM_MODE_PARTIALCOL;
  if (sum < 0) is->major = PRISM_MODE_TABUCOL;
}
