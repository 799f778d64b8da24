/* solve.c - bounds, DSATUR start, then the engine; the verifier gates every
 * coloring before the caller sees it. */
#include "engine/solve.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "engine/engine.h"
#include "engine/extract.h"
#include "util/check.h"
#include "util/timer.h"

static volatile sig_atomic_t interrupted;

void prism_solve_interrupt(void) { interrupted = 1; }
int prism_solve_interrupted(void) { return interrupted != 0; }

void prism_solve_opts_defaults(prism_solve_opts *o) {
  memset(o, 0, sizeof *o);
  prism_params_defaults(&o->params);
  o->seed = 1;
  o->threads = 1;
  o->engine = 1;
  o->backend = PRISM_BACKEND_AUTO;
  o->controller = "none";
}

static void info(const prism_solve_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void info(const prism_solve_opts *o, const char *fmt, ...) {
  if (!o->on_info) return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  o->on_info(o->ctx, line);
}

/* The gate: verify, keep, report. Returns 1 when accepted as a new best. */
int prism_solve_offer(const prism_graph *g, const prism_solve_opts *o,
                      prism_solve_result *r, const uint32_t *colors, double t0) {
  char msg[256];
  uint32_t k = prism_colors_used(g, colors);
  if (r->best_k && k >= r->best_k) return 0;
  if (prism_verify(g, colors, 0, msg, sizeof msg))
    prism_die("internal error: engine produced an improper coloring: %s", msg);
  memcpy(r->colors, colors, (size_t)g->n * sizeof *colors);
  r->best_k = k;
  if (o->on_improve) o->on_improve(o->ctx, k, r->colors, prism_now() - t0);
  return 1;
}

/* ------------------------------------------------ independent-set extraction */

static int extraction_wanted(const prism_graph *g, const prism_solve_opts *o) {
  if (o->params.extract == 1) return 1;
  if (o->params.extract != 2 || g->n < 1500) return 0;
  double density = 2.0 * (double)g->m / ((double)g->n * (g->n - 1));
  return density >= 0.25;
}

typedef struct lift_ctx {
  const prism_graph *g;
  const prism_solve_opts *o;
  prism_solve_result *r;
  const prism_extraction *x;
  uint32_t *colors;
  double t0;
} lift_ctx;

/* A verified coloring of the residual graph: lifted to the whole graph and
 * offered there (verified again on the whole graph). */
static void lift_improve(void *ctx, uint32_t k, const uint32_t *colors, double seconds) {
  lift_ctx *l = ctx;
  (void)seconds;
  prism_extraction_lift(l->x, colors, k, l->g->n, l->colors);
  prism_solve_offer(l->g, l->o, l->r, l->colors, l->t0);
}

/* The residual search's batches, reported to the caller in whole-graph
 * colors (the extracted sets added). */
static int lift_batch(void *ctx, const prism_solve_progress *p) {
  lift_ctx *l = ctx;
  prism_solve_progress q = *p;
  q.k += l->x->sets;
  q.best_k = l->r->best_k;
  q.seconds = prism_now() - l->t0;
  return l->o->on_batch(l->o->ctx, &q);
}

/* Peel independent sets, color the residual graph for a share of the time
 * left, keep the best lifted coloring in r; the whole graph is searched from
 * it afterwards. */
static void solve_extracted(const prism_graph *g, const prism_solve_opts *o,
                            prism_solve_result *r, double t0) {
  double tx = prism_now();
  prism_extraction x;
  uint32_t keep = (uint32_t)(o->params.extract_keep * g->n);
  /* at most a quarter of the time left for the peeling */
  double deadline = o->time_limit > 0 ? tx + 0.25 * (o->time_limit - (tx - t0)) : 0;
  prism_extract(g, keep, (uint64_t)o->params.extract_effort, o->seed, deadline, &x);
  info(o, "extraction: %u independent sets with %u vertices, residual %u vertices and "
          "%llu edges (%.2f s, %llu iterations)",
       x.sets, g->n - x.residual->n, x.residual->n, (unsigned long long)x.residual->m,
       prism_now() - tx, (unsigned long long)x.iterations);
  if (x.sets > 0 && x.residual->n > 0 && !interrupted) {
    prism_solve_opts so = *o;
    so.params.extract = 0;
    so.target_k = o->target_k > x.sets ? o->target_k - x.sets : 0;
    if (o->time_limit > 0) {
      double left = o->time_limit - (prism_now() - t0);
      so.time_limit = left * o->params.extract_time;
      if (so.time_limit <= 0.01) so.time_limit = 0.01;
    }
    lift_ctx l = {g, o, r, &x, PRISM_MALLOC((size_t)g->n * sizeof(uint32_t)), t0};
    so.on_improve = lift_improve;
    so.on_batch = o->on_batch ? lift_batch : NULL;
    so.on_bound = NULL;
    so.on_info = NULL;
    so.ctx = &l;
    so.exchange = NULL; /* the residual solve is this process's own */
    so.telemetry_path = NULL;
    so.trace_path = NULL;
    so.start_best = NULL; /* checkpoints hold the whole graph's colorings */
    so.start_pop = NULL;
    so.on_population = NULL;
    so.status_lines = o->status_lines;
    prism_solve_result sr;
    char err[256];
    if (prism_solve(x.residual, &so, &sr, err, sizeof err) == 0) {
      info(o, "extraction: residual colored with %u colors -> %u on the whole graph (%.2f s)",
           sr.best_k, sr.best_k + x.sets, sr.seconds);
      r->moves += sr.moves;
      r->batches += sr.batches;
      free(sr.colors);
    }
    free(l.colors);
  }
  prism_extraction_free(&x);
}

/* The first coloring: DSATUR, smallest-last and RLF, each while time is
 * left (or the one the `start` parameter names); each is offered, so the
 * first with the fewest colors is kept and printed (ties: DSATUR, the start
 * of earlier versions, keeps the DIMACS results as they were). */
static void start_coloring(const prism_graph *g, const prism_solve_opts *o,
                           prism_solve_result *r, double t0) {
  static const char *const names[] = {"", "DSATUR", "RLF", "smallest-last"};
  const int only = o->engine ? o->params.start : 1; /* --dsatur-only: DSATUR */
  const double deadline = o->time_limit > 0 ? t0 + o->time_limit : 0;
  static const int order[] = {1, 3, 2};
  uint32_t *colors = PRISM_MALLOC((size_t)g->n * sizeof *colors);
  uint32_t best = 0;
  int won = 0;
  for (int i = 0; i < 3; i++) {
    const int how = order[i];
    if (only && how != only) continue;
    if (r->best_k && ((deadline > 0 && prism_now() >= deadline) || interrupted ||
                      r->best_k <= r->lower_bound || r->best_k <= o->target_k))
      break;
    double ts = prism_now();
    uint32_t k = how == 1   ? prism_dsatur(g, colors)
                 : how == 2 ? prism_rlf(g, colors, r->best_k ? deadline : 0)
                            : prism_smallest_last(g, colors, r->best_k ? deadline : 0);
    if (k == 0) {
      info(o, "%s: out of time after %.3f s", names[how], prism_now() - ts);
      continue;
    }
    if (how == 1) r->dsatur_k = k;
    info(o, "%s %u colors (%.3f s)", names[how], k, prism_now() - ts);
    if (!best || k < best) {
      best = k;
      won = how;
    }
    prism_solve_offer(g, o, r, colors, t0);
  }
  if (!only) info(o, "start: %s, %u colors", names[won], best);
  free(colors);
}

int prism_solve(const prism_graph *g, const prism_solve_opts *o,
                prism_solve_result *r, char *err, unsigned err_len) {
  double t0 = prism_now();
  memset(r, 0, sizeof *r);
  if (prism_params_validate(&o->params, err, err_len)) return -1;
  if (o->threads < 1 || o->threads > 1024) {
    snprintf(err, err_len, "--threads must be in [1, 1024]");
    return -1;
  }
  r->colors = PRISM_CALLOC(g->n ? g->n : 1, sizeof *r->colors);
  if (g->n == 0) {
    r->status = PRISM_STATUS_OPTIMUM;
    r->seconds = prism_now() - t0;
    if (o->on_bound) o->on_bound(o->ctx, 0);
    return 0;
  }

  uint32_t lb = prism_clique_lower_bound(g, o->seed, (uint64_t)o->params.clique_effort, NULL);
  r->lower_bound = lb;
  if (o->on_bound) o->on_bound(o->ctx, lb);
  info(o, "clique lower bound %u (%.3f s)", lb, prism_now() - t0);
  if (o->target_k && o->target_k < lb) {
    r->status = PRISM_STATUS_UNSAT;
    r->seconds = prism_now() - t0;
    return 0;
  }

  if (o->start_best) { /* --resume: the stored coloring, through the gate */
    prism_solve_offer(g, o, r, o->start_best, t0);
    info(o, "resumed from a checkpoint: %u colors", r->best_k);
  }
  start_coloring(g, o, r, t0);

  uint32_t stop_k = o->target_k > lb ? o->target_k : lb;
  if (o->engine && r->best_k > stop_k && !interrupted && !o->start_pop &&
      extraction_wanted(g, o))
    solve_extracted(g, o, r, t0);
  if (o->engine && r->best_k > stop_k && !interrupted &&
      (o->time_limit <= 0 || prism_now() - t0 < o->time_limit))
    prism_engine_descend(g, o, stop_k, t0, r);

  if (o->target_k)
    r->status = r->best_k <= o->target_k ? PRISM_STATUS_SAT : PRISM_STATUS_UNKNOWN;
  else
    r->status = PRISM_STATUS_SAT;
  if (r->best_k == lb) r->status = PRISM_STATUS_OPTIMUM;
  r->seconds = prism_now() - t0;
  return 0;
}
