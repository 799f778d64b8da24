/* telemetry.c - the per-batch record, Betti numbers, change points. */
#include "engine/telemetry.h"

#include <math.h>
#include <string.h>

void prism_telemetry_write_json(const prism_telemetry *t, FILE *out) {
  fprintf(out,
          "{\"batch\":%llu,\"island\":%u,\"elapsed_s\":%.6f,\"k\":%u,\"best_k\":%u,"
          "\"best_conflicts\":%u,\"mean_conflicts\":%.4f,\"colors_used\":%u,"
          "\"best_replica\":%u,\"moves\":%llu,\"metro_moves\":%llu,"
          "\"tunneling_events\":%llu,\"tunneling_aborts\":%llu,"
          "\"phase_transition\":%u,\"betti\":[%u,%u,%u],"
          "\"reservoir_activity\":%.6f,\"reservoir_max\":%.6f,"
          "\"swap_acceptance\":%.4f,\"swaps_tried\":%u,\"recombinations\":%u,"
          "\"stagnation\":%u,\"batch_us\":%.1f,\"mode\":\"%s\",\"restarts\":%llu,"
          "\"pool_size\":%u,\"distance\":%u,\"partialcol_replicas\":%u,"
          "\"mode_conflicts\":[%lld,%lld],\"planner_us\":%.1f}\n",
          (unsigned long long)t->batch, t->island, t->elapsed_s, t->k, t->best_k,
          t->best_conflicts, t->mean_conflicts, t->colors_used, t->best_replica,
          (unsigned long long)t->moves, (unsigned long long)t->metro_moves,
          (unsigned long long)t->tunneling_events,
          (unsigned long long)t->tunneling_aborts, t->phase_transition, t->betti[0],
          t->betti[1], t->betti[2], t->reservoir_activity, t->reservoir_max,
          t->swap_acceptance, t->swaps_tried, t->recombinations, t->stagnation,
          t->batch_us, t->mode == 1 ? "partialcol" : "tabucol",
          (unsigned long long)t->restarts, t->pool_size, t->distance, t->partialcol_replicas,
          (long long)t->mode_conflicts[0], (long long)t->mode_conflicts[1], t->planner_us);
}

static uint32_t find(uint32_t *parent, uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

void prism_telemetry_betti(uint32_t n, const uint64_t *offsets, const uint32_t *adj,
                           const uint32_t *color, const uint32_t *cv, uint32_t ncv,
                           uint32_t *parent, uint32_t betti[3]) {
  (void)n;
  uint64_t edges = 0;
  uint32_t components = ncv;
  for (uint32_t i = 0; i < ncv; i++) parent[cv[i]] = cv[i];
  for (uint32_t i = 0; i < ncv; i++) {
    uint32_t v = cv[i];
    for (uint64_t e = offsets[v]; e < offsets[v + 1]; e++) {
      uint32_t u = adj[e];
      if (u <= v || color[u] != color[v]) continue;
      edges++;
      uint32_t ru = find(parent, u), rv = find(parent, v);
      if (ru != rv) {
        parent[ru] = rv;
        components--;
      }
    }
  }
  betti[0] = components;
  betti[1] = (uint32_t)(edges + components - ncv);
  betti[2] = 0;
}

void prism_changepoint_reset(prism_changepoint *cp) { memset(cp, 0, sizeof *cp); }

/* Two windows of W values: a change point when the means differ by more than
 * 3 pooled standard deviations and by at least one conflict. After a
 * detection the detector waits W values before it can fire again. */
int prism_changepoint_push(prism_changepoint *cp, double value) {
  enum { W = 8 };
  cp->hist[cp->count % 64] = value;
  cp->count++;
  if (cp->cooldown) {
    cp->cooldown--;
    return 0;
  }
  if (cp->count < 2 * W) return 0;
  double m1 = 0, m2 = 0, s1 = 0, s2 = 0;
  for (int i = 0; i < W; i++) {
    m1 += cp->hist[(cp->count - 1 - (uint32_t)i) % 64];
    m2 += cp->hist[(cp->count - 1 - W - (uint32_t)i) % 64];
  }
  m1 /= W;
  m2 /= W;
  for (int i = 0; i < W; i++) {
    double a = cp->hist[(cp->count - 1 - (uint32_t)i) % 64] - m1;
    double b = cp->hist[(cp->count - 1 - W - (uint32_t)i) % 64] - m2;
    s1 += a * a;
    s2 += b * b;
  }
  double sd = sqrt((s1 + s2) / (2.0 * W - 2.0));
  double diff = fabs(m1 - m2);
  if (diff >= 1.0 && diff > 3.0 * sd) {
    cp->cooldown = W;
    return 1;
  }
  return 0;
}
