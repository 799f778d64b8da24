/* fluxnet.h - FluxNet: a tabular Q-learning controller that adjusts the
 * RuntimeConfig (prism_params) once per batch from the batch's telemetry.
 * docs/fluxnet.md describes the state, the actions, the reward and the file.
 *
 * The learner (prism_fluxnet) holds the Q-table, the exploration rate and the
 * state of the current episode (one solve). It outlives episodes:
 * prism_fluxnet_reset_episode starts a new graph and keeps the table, which is
 * what makes transfer between graphs work. */
#ifndef PRISM_CONTROL_FLUXNET_H
#define PRISM_CONTROL_FLUXNET_H

#include <stdint.h>

#include "config/params.h"
#include "control/controller.h"
#include "control/qtable.h"
#include "engine/telemetry.h"
#include "util/philox.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- state */

/* Bucket counts of the five state features. */
#define PRISM_FLUX_CONFLICT_LEVELS 4 /* best conflicts per vertex */
#define PRISM_FLUX_DEPTH_LEVELS 4    /* k relative to the DSATUR start */
#define PRISM_FLUX_TEMP_LEVELS 3     /* global_temperature vs. its start value */
#define PRISM_FLUX_TRANSITION_LEVELS 2
#define PRISM_FLUX_STAG_LEVELS 4 /* stagnation vs. stagnation_batches */
#define PRISM_FLUX_STATES                                                        \
  (PRISM_FLUX_CONFLICT_LEVELS * PRISM_FLUX_DEPTH_LEVELS * PRISM_FLUX_TEMP_LEVELS * \
   PRISM_FLUX_TRANSITION_LEVELS * PRISM_FLUX_STAG_LEVELS)

typedef struct prism_flux_features {
  uint32_t conflict, depth, temp, transition, stagnation;
} prism_flux_features;

/* Discretise one telemetry record. start holds the parameters the episode
 * began with (the temperature level is relative to it). Returns the state
 * index in [0, PRISM_FLUX_STATES); f (may be NULL) receives the features. */
uint32_t prism_flux_state(const prism_control_ctx *ctx, const prism_telemetry *t,
                          const prism_params *p, const prism_params *start,
                          prism_flux_features *f);
uint32_t prism_flux_state_index(const prism_flux_features *f);

/* -------------------------------------------------------------- actions */

typedef enum prism_flux_action {
  PRISM_FLUX_MU_UP = 0,    /* chemical_potential x1.2 (from ~0: the floor 0.05) */
  PRISM_FLUX_MU_DOWN,      /* chemical_potential x0.8 (below half the floor: 0) */
  PRISM_FLUX_TUN_UP,       /* tunneling_prob_base x1.5 */
  PRISM_FLUX_TUN_DOWN,     /* tunneling_prob_base x0.7 */
  PRISM_FLUX_TEMP_UP,      /* global_temperature x1.5 */
  PRISM_FLUX_TEMP_DOWN,    /* global_temperature x0.8 */
  PRISM_FLUX_RES_UP,       /* reservoir_leak_rate x1.2, stress_weight x1.2 */
  PRISM_FLUX_RES_DOWN,     /* reservoir_leak_rate x0.8, stress_weight x0.8 */
  PRISM_FLUX_BOOST_ON,     /* tunneling_prob_boost = 3 */
  PRISM_FLUX_BOOST_OFF,    /* tunneling_prob_boost = 1 */
  PRISM_FLUX_NOOP,
  PRISM_FLUX_ACTIONS
} prism_flux_action;

const char *prism_flux_action_name(int a);

/* Apply action a to *p. Every change goes through prism_params_scale /
 * prism_params_set_clamped (the table's bounds), and each knob is further kept
 * within a factor fluxnet_knob_range of its start value (zero-start knobs:
 * within [0, floor * range]). */
void prism_flux_apply(int a, prism_params *p, const prism_params *start);

/* Put the six knobs the actions move back to their start values. */
void prism_flux_restore(prism_params *p, const prism_params *start);

/* The layout text stored in (and checked against) Q-table files. */
const char *prism_flux_layout(void);

/* --------------------------------------------------------------- learning */

/* Reward of the transition prev -> now (the batch that ran after the action).
 * record = the fewest conflicts seen so far at this k (before / after now):
 *   ln((1 + record_prev) / (1 + record_now))   conflict reduction: a new record
 *                                              (a ratio, so scale-free)
 * + 1.0          when the batch reached zero conflicts (k solved)
 * + 0.05         when the best replica leaves a color class empty (color term)
 * - 0.05 * min(2, stagnation / stagnation_batches)    stagnation penalty */
double prism_flux_reward(const prism_telemetry *prev, const prism_telemetry *now,
                         uint32_t record_prev, uint32_t record_now, const prism_params *p);
#define PRISM_FLUX_SOLVE_BONUS 1.0
#define PRISM_FLUX_COLOR_WEIGHT 0.05
#define PRISM_FLUX_STAG_WEIGHT 0.05

/* Q <- Q + alpha (r + gamma max_next - Q); terminal: the target is r. */
double prism_flux_td(double q, double r, double max_next, double alpha, double gamma,
                     int terminal);

/* Step size of the n-th update (n >= 1) of one (state, action):
 * max(alpha, 1/n). The first 1/alpha updates average their targets (no
 * memory of the arbitrary initial 0, so tables learned side by side and
 * merged are not biased toward 0 where an action was tried only a few
 * times); after that the constant alpha of the TD rule. */
double prism_flux_step_size(double alpha, uint64_t n);

/* One step of the exploration schedule: eps * decay, never below floor (an
 * epsilon already at or below the floor is left as it is). */
double prism_flux_epsilon_next(double eps, double decay, double floor);

/* ---------------------------------------------------------------- learner */

typedef enum prism_flux_mode { PRISM_FLUX_LEARN = 0, PRISM_FLUX_RANDOM } prism_flux_mode;

typedef struct prism_fluxnet {
  prism_flux_mode mode;
  prism_qtable table;
  uint32_t min_visits; /* fluxnet_min_visits: updates before an action counts */
  /* the episode */
  prism_control_ctx ctx;
  prism_params start;
  prism_rng rng;
  int have_prev;
  uint32_t prev_state;
  int prev_action;
  prism_telemetry prev_t;
  int have_record;
  uint32_t record_k, record; /* fewest conflicts seen at k = record_k */
  /* episode statistics */
  uint64_t ep_steps, ep_updates;
  double ep_reward;
  uint64_t ep_actions[PRISM_FLUX_ACTIONS];
  int have_best;
  uint32_t best_k;
  double best_time;
  prism_params best_params; /* the config in effect when best_k was reached */
} prism_fluxnet;

/* A learner with an empty table; epsilon from p->fluxnet_epsilon. */
prism_fluxnet *prism_fluxnet_new(prism_flux_mode mode, const prism_params *p);
void prism_fluxnet_free(prism_fluxnet *f);

/* Load a table file (see qtable.h); a missing file is not an error (returns
 * 1). The exploration rate becomes min(file's epsilon, p->fluxnet_epsilon). */
int prism_fluxnet_load(prism_fluxnet *f, const char *path, const prism_params *p, char *err,
                       unsigned err_len);
int prism_fluxnet_save(const prism_fluxnet *f, const char *path, char *err, unsigned err_len);

/* A new episode (graph): keeps the table and epsilon, forgets the previous
 * transition, records p as the start config, reseeds from ctx->seed. */
void prism_fluxnet_reset_episode(prism_fluxnet *f, const prism_control_ctx *ctx,
                                 const prism_params *p);

/* One batch: TD update for the previous action, then choose and apply the
 * next one (RANDOM mode: a uniformly random action, no learning). */
void prism_fluxnet_step(prism_fluxnet *f, const prism_telemetry *t, prism_params *p);

/* Greedy action of state s among the known actions (those updated in s at
 * least fluxnet_min_visits times, and no-op); ties: no-op if it is among the best, else a random
 * one of them. */
int prism_fluxnet_greedy(prism_fluxnet *f, uint32_t s);
/* max over the known actions of s (the bootstrap of the TD target). */
double prism_fluxnet_max_q(const prism_fluxnet *f, uint32_t s);
/* The TD update of (s, a) with reward r and next state s_next, with the
 * step size prism_flux_step_size(alpha, visits + 1). Decays epsilon. */
void prism_fluxnet_update(prism_fluxnet *f, uint32_t s, int a, double r, uint32_t s_next,
                          int terminal, const prism_params *p);

#ifdef __cplusplus
}
#endif

#endif
