/* api.h - the handle behind include/prism.h, shared by api.c (graph and
 * settings) and api_run.c (the solve and its result). Not a public header. */
#ifndef PRISM_API_API_H
#define PRISM_API_API_H

#include <stdatomic.h>
#include <stdint.h>

#include "engine/solve.h"
#include "graph/graph.h"
#include "prism.h"

struct prism_ctx {
  prism_graph *g;
  prism_solve_opts o;        /* settings; the callbacks are set by prism_run */
  char err[640];
  /* callbacks */
  prism_progress_fn progress;
  void *progress_user;
  prism_improve_fn improve;
  void *improve_user;
  prism_info_fn info;
  void *info_user;
  /* the last result */
  int status;                /* PRISM_RESULT_* */
  uint32_t k, lower_bound;
  double seconds;
  uint32_t *colors;          /* n, compact 0..k-1; NULL when none */
  uint32_t *scratch;         /* n: compact colors handed to on_improve */
  uint32_t *map;             /* color renumbering, sized map_len */
  uint32_t map_len;
  atomic_int stop;           /* prism_interrupt or a progress callback (lock-free:
                                signal-safe) */
};

/* Set the handle's error line; returns -1. */
int prism_api_fail(prism_ctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop the last result (status NONE). */
void prism_api_clear_result(prism_ctx *p);

#endif
