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

/* What one batch of the search engine reached (on_batch). */
typedef struct prism_solve_progress {
  uint64_t batches;     /* batches so far, this one included */
  uint32_t k;           /* colors the batch's island searched with */
  uint32_t conflicts;   /* fewest conflicting edges among its replicas */
  uint32_t best_k;      /* colors of the best verified coloring so far */
  double seconds;       /* since the solve started */
} prism_solve_progress;
/* A population of colorings: what a checkpoint holds (checkpoint.h) and
 * what a resumed engine starts from. */
typedef struct prism_population {
  uint32_t n, count;
  const uint32_t *k;             /* count: colors of coloring i (each < k[i]) */
  const uint32_t *island;        /* count: the island it came from */
  const uint32_t *const *colors; /* count colorings of n colors */
} prism_population;
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
  int status_lines;     /* status lines on stderr: 0 none, 1 scrolling, 2 one line
                           updated in place (a terminal); PRISM_PROGRESS_* */
  const char *graph_name;     /* for the telemetry's run record (may be NULL) */
  const char *controller;     /* "none", "fluxnet", "random" (later issues) */
  const char *qtable_path;
  const char *model_path;     /* MBRL world model (--model); NULL: none */
  /* Callbacks (may be NULL). on_improve receives verified colorings only. */
  void (*on_info)(void *ctx, const char *line);
  void (*on_bound)(void *ctx, uint32_t lb);
  void (*on_improve)(void *ctx, uint32_t k, const uint32_t *colors, double seconds);
  /* After every batch (may be NULL); a nonzero return ends the search there,
   * keeping the best coloring (the library's per-handle interrupt). */
  int (*on_batch)(void *ctx, const prism_solve_progress *p);
  void *ctx;
  /* Resume (may be NULL): start_best (n colors) goes through the verifier
   * gate before DSATUR; the islands start from start_pop's colorings. */
  const uint32_t *start_best;
  const prism_population *start_pop;
  /* Checkpoints (may be NULL): called after every batch of the engine with
   * the replicas' colorings, and with final = 1 when the engine stops; pop
   * is valid during the call only. */
  void (*on_population)(void *ctx, const prism_population *pop, int final);
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
