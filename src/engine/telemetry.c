/* telemetry.c - the per-batch record, Betti numbers, change points. */
#include "engine/telemetry.h"

#include <math.h>
#include <string.h>

#include "control/controller.h"

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
          "\"injections\":%llu,\"pool_size\":%u,\"distance\":%u,\"partialcol_replicas\":%u,"
          "\"mode_conflicts\":[%lld,%lld],\"temperature\":[%.6g,%.6g],\"planner_us\":%.1f",
          (unsigned long long)t->batch, t->island, t->elapsed_s, t->k, t->best_k,
          t->best_conflicts, t->mean_conflicts, t->colors_used, t->best_replica,
          (unsigned long long)t->moves, (unsigned long long)t->metro_moves,
          (unsigned long long)t->tunneling_events,
          (unsigned long long)t->tunneling_aborts, t->phase_transition, t->betti[0],
          t->betti[1], t->betti[2], t->reservoir_activity, t->reservoir_max,
          t->swap_acceptance, t->swaps_tried, t->recombinations, t->stagnation,
          t->batch_us, t->mode == 1 ? "partialcol" : "tabucol",
          (unsigned long long)t->restarts, (unsigned long long)t->injections, t->pool_size, t->distance, t->partialcol_replicas,
          (long long)t->mode_conflicts[0], (long long)t->mode_conflicts[1],
          t->temperature[0], t->temperature[1], t->planner_us);
  if (t->controlled) {
    const char *name = t->action >= 0 ? prism_controller_action_name(t->action) : "none";
    fprintf(out, ",\"action\":\"%s\",\"reward\":%.6g", name, t->reward);
  }
  fputs("}\n", out);
}

void prism_json_write_string(const char *s, FILE *out) {
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c < 0x20) fprintf(out, "\\u%04x", c);
    else fputc(c, out);
  }
}

void prism_telemetry_write_run(const prism_telemetry_run *r, FILE *out) {
  fputs("{\"record\":\"run\",\"graph\":\"", out);
  prism_json_write_string(r->graph ? r->graph : "", out);
  fprintf(out,
          "\",\"n\":%u,\"m\":%llu,\"seed\":%llu,\"lower_bound\":%u,\"dsatur_k\":%u,"
          "\"target_k\":%u,\"time_limit\":%.3f,\"backend\":\"%s\",\"device\":\"",
          r->n, (unsigned long long)r->m, (unsigned long long)r->seed, r->lower_bound,
          r->dsatur_k, r->target_k, r->time_limit, r->backend);
  prism_json_write_string(r->device ? r->device : "", out);
  fprintf(out, "\",\"threads\":%d,\"replicas\":%u,\"islands\":%u,\"controller\":\"",
          r->threads, r->replicas, r->islands);
  prism_json_write_string(r->controller ? r->controller : "none", out);
  fputs("\"}\n", out);
}

void prism_telemetry_write_end(uint32_t best_k, double seconds, uint64_t moves,
                               uint64_t batches, FILE *out) {
  fprintf(out,
          "{\"record\":\"end\",\"best_k\":%u,\"seconds\":%.6f,\"moves\":%llu,"
          "\"batches\":%llu}\n",
          best_k, seconds, (unsigned long long)moves, (unsigned long long)batches);
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
