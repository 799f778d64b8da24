/* ckpt.h - the color command's checkpoints: --checkpoint FILE (written
 * every --checkpoint-every seconds and when the solve stops: time limit,
 * SIGINT/SIGTERM, done) and --resume FILE (engine/checkpoint.h). */
#ifndef PRISM_CLI_CKPT_H
#define PRISM_CLI_CKPT_H

#include "engine/checkpoint.h"
#include "engine/solve.h"
#include "graph/graph.h"

typedef struct prism_cli_ckpt {
  const char *path;   /* --checkpoint; NULL: none */
  double every;       /* --checkpoint-every, seconds (> 0) */
  const char *resume; /* --resume; NULL: none */
  /* internal */
  const prism_solve_opts *o;
  double last;
  int saving, loaded;
  prism_checkpoint save, in;
  prism_population pop;
  uint64_t writes;
} prism_cli_ckpt;

/* Before the solve: load --resume (refused with "FILE: what" in err),
 * take its seed unless seed_given, point o at its colorings, and hook
 * the checkpoint writer into o. 0 or -1. */
int prism_cli_ckpt_start(prism_cli_ckpt *c, const prism_graph *g, prism_solve_opts *o,
                         int seed_given, char *err, unsigned err_len);

/* The solve's callbacks: a better verified coloring, the population. */
void prism_cli_ckpt_improve(prism_cli_ckpt *c, const uint32_t *colors, uint32_t k);
void prism_cli_ckpt_population(prism_cli_ckpt *c, const prism_population *p, int final);

/* After the solve: the last checkpoint (the result's best coloring). 0, or
 * -1 with "FILE: what" in err. */
int prism_cli_ckpt_finish(prism_cli_ckpt *c, const prism_solve_result *r, char *err,
                          unsigned err_len);
void prism_cli_ckpt_free(prism_cli_ckpt *c);

#endif
