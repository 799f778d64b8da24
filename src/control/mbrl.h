/* mbrl.h - the MBRL controller (docs/mbrl.md): tabular Q-learning over the
 * MBRL state buckets, plus an experience buffer, a world-model ensemble
 * trained online on it, Dyna (synthetic transitions from the model update the
 * Q-table, weighted by the model's confidence) and a rollout planner that
 * acts when the model is confident. */
#ifndef PRISM_CONTROL_MBRL_H
#define PRISM_CONTROL_MBRL_H

#include <stdint.h>

#include "config/params.h"
#include "control/controller.h"
#include "control/mbrl_buffer.h"
#include "control/mbrl_model.h"
#include "control/mbrl_state.h"
#include "control/qtable.h"
#include "engine/telemetry.h"
#include "util/philox.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prism_mbrl {
  prism_qtable table;
  prism_mbrl_buffer buf;
  prism_mbrl_model model;
  prism_params p0; /* the parameters the learner was made with (shapes, rates) */
  /* the episode */
  prism_control_ctx ctx;
  prism_params start;
  prism_rng rng;
  int have_prev, prev_action;
  double prev_x[PRISM_MBRL_DIM];
  double prev_r;
  int have_record;
  uint32_t record_k, record;
  /* episode statistics */
  uint64_t ep_steps, ep_updates, ep_dyna, ep_plans, ep_actions[PRISM_MBRL_ACTIONS];
  double ep_reward, ep_planner_s, ep_batch_s, last_planner_us;
  int have_best;
  uint32_t best_k;
  double best_time;
  prism_params best_params;
  /* one-step error of the model (prequential: each real transition is
   * predicted before the model trains on it) and of persistence
   * (next = current, reward and done = the previous ones), per output */
  uint64_t err_n;
  double err_model[PRISM_MBRL_OUT], err_persist[PRISM_MBRL_OUT];
} prism_mbrl;

prism_mbrl *prism_mbrl_new(const prism_params *p);
void prism_mbrl_free(prism_mbrl *f);
/* Load the Q-table and / or the model (NULL: skip); a missing file is no
 * error. 0, or -1 with err. */
int prism_mbrl_load(prism_mbrl *f, const char *qtable, const char *model, char *err,
                    unsigned err_len);
int prism_mbrl_save(const prism_mbrl *f, const char *qtable, const char *model, char *err,
                    unsigned err_len);
void prism_mbrl_reset_episode(prism_mbrl *f, const prism_control_ctx *ctx, const prism_params *p);
void prism_mbrl_step(prism_mbrl *f, const prism_telemetry *t, prism_params *p);

/* Pieces (tests): */
/* The Q update of (s, a) with reward r toward s_next, step size alpha. */
void prism_mbrl_q_update(prism_mbrl *f, uint32_t s, int a, double r, uint32_t s_next, int done,
                         double alpha, const prism_params *p);
int prism_mbrl_greedy(const prism_mbrl *f, uint32_t s);
/* Adam steps of every member on minibatches from the buffer. */
void prism_mbrl_train(prism_mbrl *f, const prism_params *p);
/* Model confidence in state x: exp(-disagreement / mbrl_conf_scale). */
double prism_mbrl_confidence(const prism_mbrl *f, const double *x, int a, const prism_params *p);

/* Dyna (mbrl_dyna.c): n synthetic transitions from states of the buffer.
 * Returns the Q updates made. */
uint32_t prism_mbrl_dyna(prism_mbrl *f, uint32_t n, const prism_params *p);

/* Planner (mbrl_plan.c): the candidate first action with the best
 * discounted H-step return in one member of the model, drawn per call
 * (later steps keep the config: no-op). */
int prism_mbrl_plan(prism_mbrl *f, const double *x, const prism_params *p);
/* The return of one rollout (tests). */
double prism_mbrl_rollout(const prism_mbrl_model *md, uint32_t member, const double *x, int a0,
                          uint32_t horizon, double discount, const prism_params *start,
                          double stagnation_batches);

#ifdef __cplusplus
}
#endif

#endif
