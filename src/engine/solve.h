/* solve.h - one solve: bounds, DSATUR start, then the search engine with k
 * descending, until the lower bound, the target k or the time limit. Every
 * coloring handed to the caller has passed prism_verify first. */
#ifndef PRISM_ENGINE_SOLVE_H
#define PRISM_ENGINE_SOLVE_H

#include <stdint.h>

#include "config/params.h"
#include "graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum prism_backend {
  PRISM_BACKEND_AUTO = 0,
  PRISM_BACKEND_CPU,
  PRISM_BACKEND_CUDA
} prism_backend;

typedef enum prism_status {
  PRISM_STATUS_UNKNOWN = 0, /* no coloring with <= target colors found */
  PRISM_STATUS_SAT,         /* a coloring found (with <= target when set) */
  PRISM_STATUS_OPTIMUM,     /* a coloring meeting the lower bound */
  PRISM_STATUS_UNSAT        /* target k below the lower bound */
} prism_status;

struct prism_exchange; /* engine/exchange.h */

typedef struct prism_solve_opts {
  prism_params params;
  uint64_t seed;
  int threads;          /* worker threads for the CPU engine (>= 1) */
  double time_limit;    /* seconds; <= 0: none */
  uint32_t target_k;    /* stop at a coloring with <= target_k colors; 0: minimise */
  int engine;           /* 0: DSATUR only; 1: run the search engine */
  prism_backend backend;
  const char *telemetry_path; /* JSON Lines, one record per batch; NULL: none */
  const char *trace_path;     /* CUDA: the pipeline timeline as a Chrome trace; NULL: none */
  int status_lines;     /* scrolling status lines on stderr */
  const char *controller;     /* "none", "fluxnet", "random" (later issues) */
  const char *qtable_path;
  /* Callbacks (may be NULL). on_improve receives verified colorings only. */
  void (*on_info)(void *ctx, const char *line);
  void (*on_bound)(void *ctx, uint32_t lb);
  void (*on_improve)(void *ctx, uint32_t k, const uint32_t *colors, double seconds);
  void *ctx;
  /* Several processes (src/mpi): migration and the global best; NULL: one. */
  const struct prism_exchange *exchange;
} prism_solve_opts;

typedef struct prism_solve_result {
  prism_status status;
  uint32_t lower_bound;
  uint32_t dsatur_k;
  uint32_t best_k;      /* 0 when no coloring (only possible with n = 0) */
  uint32_t *colors;     /* n entries, best verified coloring; caller frees */
  double seconds;
  uint64_t moves;       /* tabu moves applied over all replicas */
  uint64_t batches;
} prism_solve_result;

void prism_solve_opts_defaults(prism_solve_opts *o);

/* Runs the solve. Returns 0, or -1 when the options are invalid (reason in
 * err). */
int prism_solve(const prism_graph *g, const prism_solve_opts *o,
                prism_solve_result *r, char *err, unsigned err_len);

/* Ask a running prism_solve to stop at the next batch (signal-safe). */
void prism_solve_interrupt(void);

#ifdef __cplusplus
}
#endif

#endif
