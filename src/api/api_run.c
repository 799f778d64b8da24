/* api_run.c - include/prism.h: the solve (a thin layer over prism_solve),
 * its callbacks, the interrupt and the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cuda/cuda_backend.h"

/* Colors renumbered 0..k-1 in the order of the original color values (a
 * renumbering keeps a coloring proper). Returns 0, or -1 out of memory. */
static int compact(prism_ctx *p, const uint32_t *in, uint32_t *out) {
  const uint32_t n = p->g->n;
  uint32_t maxc = 0;
  for (uint32_t v = 0; v < n; v++)
    if (in[v] > maxc) maxc = in[v];
  if (n && maxc >= p->map_len) {
    uint32_t *map = realloc(p->map, ((size_t)maxc + 1) * sizeof *map);
    if (!map) return -1;
    p->map = map;
    p->map_len = maxc + 1;
  }
  if (!n) return 0;
  memset(p->map, 0, ((size_t)maxc + 1) * sizeof *p->map);
  for (uint32_t v = 0; v < n; v++) p->map[in[v]] = 1;
  for (uint32_t c = 0, next = 0; c <= maxc; c++)
    if (p->map[c]) p->map[c] = next++;
  for (uint32_t v = 0; v < n; v++) out[v] = p->map[in[v]];
  return 0;
}

/* The engine's hooks; ctx is the handle. */

static void api_improve(void *ctx, uint32_t k, const uint32_t *colors, double seconds) {
  prism_ctx *p = ctx;
  if (p->improve && compact(p, colors, p->scratch) == 0)
    p->improve(p->improve_user, k, p->scratch, p->g->n, seconds);
}

static void api_bound(void *ctx, uint32_t lb) { ((prism_ctx *)ctx)->lower_bound = lb; }

static void api_info(void *ctx, const char *line) {
  prism_ctx *p = ctx;
  if (p->info) p->info(p->info_user, line);
}

/* Once asked to stop, the answer stays "stop" for the rest of the solve
 * (the residual graph's search and the whole graph's after extraction). */
static int api_batch(void *ctx, const prism_solve_progress *b) {
  prism_ctx *p = ctx;
  if (p->stop) return 1;
  if (p->progress) {
    const prism_progress q = {b->seconds, b->batches,  b->k,
                              b->conflicts, b->best_k, p->lower_bound};
    if (p->progress(p->progress_user, &q)) p->stop = 1;
  }
  return p->stop != 0;
}

void prism_interrupt(prism_ctx *p) {
  if (p) p->stop = 1;
}

static int check_backend(prism_ctx *p) {
  if (p->o.backend != PRISM_BACKEND_CUDA) return 0;
  char why[256] = "";
  if (!prism_cuda_available(why, sizeof why))
    return prism_api_fail(p, "backend cuda: %s", why);
  return 0;
}

static int status_of(prism_status s) {
  switch (s) {
  case PRISM_STATUS_SAT: return PRISM_RESULT_SAT;
  case PRISM_STATUS_OPTIMUM: return PRISM_RESULT_OPTIMUM;
  case PRISM_STATUS_UNSAT: return PRISM_RESULT_UNSAT;
  default: return PRISM_RESULT_UNKNOWN;
  }
}

int prism_run(prism_ctx *p) {
  prism_api_clear_result(p);
  if (!p->g) {
    p->stop = 0;
    return prism_api_fail(p, "prism_run: no graph loaded");
  }
  if (check_backend(p)) {
    p->stop = 0;
    return -1;
  }
  prism_solve_opts o = p->o;
  o.on_improve = api_improve;
  o.on_bound = api_bound;
  o.on_info = api_info;
  o.on_batch = api_batch;
  o.ctx = p;
  if (p->stop) o.engine = 0; /* interrupted before the start: DSATUR only */
  prism_solve_result r;
  char err[256];
  int rc = prism_solve(p->g, &o, &r, err, sizeof err);
  p->stop = 0;
  if (rc) return prism_api_fail(p, "%s", err);
  const uint32_t n = p->g->n;
  p->status = status_of(r.status);
  p->k = r.best_k;
  p->lower_bound = r.lower_bound;
  p->seconds = r.seconds;
  if (r.best_k || n == 0) {
    p->colors = malloc((n ? n : 1) * sizeof *p->colors);
    if (!p->colors || compact(p, r.colors, p->colors)) {
      free(r.colors);
      prism_api_clear_result(p);
      return prism_api_fail(p, "out of memory for the result");
    }
  }
  free(r.colors);
  p->err[0] = 0;
  return 0;
}

int prism_result_status(const prism_ctx *p) { return p->status; }

const char *prism_status_name(int status) {
  switch (status) {
  case PRISM_RESULT_UNKNOWN: return "UNKNOWN";
  case PRISM_RESULT_SAT: return "SATISFIABLE";
  case PRISM_RESULT_OPTIMUM: return "OPTIMUM FOUND";
  case PRISM_RESULT_UNSAT: return "UNSATISFIABLE";
  default: return "NONE";
  }
}

uint32_t prism_result_k(const prism_ctx *p) { return p->k; }
const uint32_t *prism_result_colors(const prism_ctx *p) { return p->colors; }
uint32_t prism_result_lower_bound(const prism_ctx *p) { return p->lower_bound; }
double prism_result_seconds(const prism_ctx *p) { return p->seconds; }
