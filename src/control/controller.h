/* controller.h - learned control of the engine: after every batch the engine
 * hands the batch's telemetry to the controller, which may change the
 * RuntimeConfig (only through prism_params_scale / prism_params_set_clamped,
 * so every value stays inside the parameter table's bounds). */
#ifndef PRISM_CONTROL_CONTROLLER_H
#define PRISM_CONTROL_CONTROLLER_H

#include <stdint.h>

#include "config/params.h"
#include "engine/telemetry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a controller may know of the graph, to bucket relative to it. */
typedef struct prism_control_ctx {
  uint32_t n;
  uint64_t m;
  uint32_t dsatur_k;    /* colors of the DSATUR start */
  uint32_t lower_bound; /* clique bound */
  uint64_t seed;
  double degree_cv; /* std / mean of the vertex degrees (0: unknown) */
} prism_control_ctx;

typedef struct prism_controller prism_controller;

/* kind: "none" (returns NULL, no error), "fluxnet", "random", "mbrl". qtable_path
 * (may be NULL) is loaded now when it exists and saved by
 * prism_controller_finish. Returns NULL with err set on failure. */
prism_controller *prism_controller_create(const char *kind, const prism_params *p,
                                          const prism_control_ctx *ctx,
                                          const char *qtable_path, char *err,
                                          unsigned err_len);

/* kind "mbrl" also takes a world-model file (may be NULL), loaded now when
 * it exists and saved by prism_controller_finish; for the other kinds
 * model_path is ignored. */
prism_controller *prism_controller_create_with_model(const char *kind, const prism_params *p,
                                                     const prism_control_ctx *ctx,
                                                     const char *qtable_path,
                                                     const char *model_path, char *err,
                                                     unsigned err_len);

/* One batch: learn from the telemetry and adjust *p for the next batch. */
void prism_controller_step(prism_controller *c, const prism_telemetry *t, prism_params *p);

/* What the last step did: the action applied for the next batch (-1: none,
 * e.g. the k was just solved and the start config restored) and, in
 * *reward, the reward credited at that step (0 when none). */
int prism_controller_last(const prism_controller *c, double *reward);

/* Save what must persist (the Q-table); 0 or -1 with err. */
int prism_controller_finish(prism_controller *c, char *err, unsigned err_len);
void prism_controller_free(prism_controller *c);

/* --- FluxNet additions (docs/fluxnet.md) ------------------------------ */

/* A new episode (another graph or seed): keeps what was learned (the
 * Q-table and the exploration rate), forgets the last transition, takes p as
 * the start config. */
void prism_controller_reset_episode(prism_controller *c, const prism_params *p,
                                    const prism_control_ctx *ctx);

/* Save the Q-table now (atomically), whatever qtable_path was given. */
int prism_controller_save(const prism_controller *c, const char *path, char *err,
                          unsigned err_len);

/* Share one learner across solves (prism train): while c is shared, every
 * "fluxnet" controller the engine creates is a handle on c (the engine's
 * create calls reset_episode, its finish saves nothing, its free keeps c).
 * NULL ends the sharing. */
void prism_controller_share(prism_controller *c);

typedef struct prism_controller_stats {
  uint64_t steps;          /* batches seen in the current episode */
  uint64_t updates;        /* TD updates in the current episode */
  double reward;           /* sum of rewards in the current episode */
  double epsilon;          /* exploration rate now */
  uint64_t total_steps;    /* TD updates over the table's life */
  uint64_t episodes;       /* episodes over the table's life */
  uint32_t states_visited; /* states with at least one update */
  uint32_t n_states, n_actions;
  uint64_t actions[16];    /* actions taken in the current episode */
  int have_best;           /* a k was solved in this episode */
  uint32_t best_k;         /* the lowest k reached in this episode */
  double best_time;        /* when (seconds since the solve started) */
  prism_params best;       /* the config in effect when best_k was reached */
} prism_controller_stats;

void prism_controller_get_stats(const prism_controller *c, prism_controller_stats *s);

/* --- MBRL additions (docs/mbrl.md) -------------------------------------- */

/* Save the world model now (atomically); 0 for other kinds. */
int prism_controller_save_model(const prism_controller *c, const char *path, char *err,
                                unsigned err_len);
/* Host time of the planner in the last step (us; 0: it did not plan). */
double prism_controller_planner_us(const prism_controller *c);
/* One line on the MBRL episode (plans, planner share of batch time, Dyna,
 * one-step errors); empty for other kinds. */
void prism_controller_describe(const prism_controller *c, char *out, unsigned len);

/* Name of action a of FluxNet's action set ("mu+", ..., "noop"). */
const char *prism_controller_action_name(int a);

#ifdef __cplusplus
}
#endif

#endif
