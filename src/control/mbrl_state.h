/* mbrl_state.h - what the MBRL controller sees and does (docs/mbrl.md):
 *
 * the state, a vector of PRISM_MBRL_DIM doubles:
 *   instance  log(n)/10, density, degree spread (std/mean of the degrees),
 *             clique bound / DSATUR colors
 *   search    conflicts c = ln(1 + 100 best_conflicts / n), colors k / DSATUR
 *             colors, moves ln(1 + moves)/15, stagnation / stagnation_batches
 *             (at most 4), mean-vs-best conflict gap, majority mode
 *             (PartialCol = 1), Metropolis acceptance, swap acceptance
 *   knobs     the current values of the knobs the actions move (linear
 *             scales, so the vector gives the parameters back exactly), and
 *             the search mode one-hot
 * the actions: FluxNet's 11 plus search mode (TabuCol / PartialCol /
 * adaptive), tabu tenure up/down, generation length up/down, restart
 * sooner/later (stall_generations) and ladder on/off;
 * the model's outputs: the changes of conflicts, colors and moves, the
 * reward and done;
 * the Q-table state: buckets of conflicts, depth, stagnation, mode and
 * density. */
#ifndef PRISM_CONTROL_MBRL_STATE_H
#define PRISM_CONTROL_MBRL_STATE_H

#include <stdint.h>

#include "config/params.h"
#include "control/controller.h"
#include "engine/telemetry.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
  PRISM_MBRL_X_LOGN = 0,
  PRISM_MBRL_X_DENSITY,
  PRISM_MBRL_X_DEGREE_CV,
  PRISM_MBRL_X_BOUND_GAP,
  PRISM_MBRL_X_CONFLICTS,
  PRISM_MBRL_X_COLORS,
  PRISM_MBRL_X_MOVES,
  PRISM_MBRL_X_STAGNATION,
  PRISM_MBRL_X_MEAN_GAP,
  PRISM_MBRL_X_PC_SHARE,
  PRISM_MBRL_X_ACCEPT,
  PRISM_MBRL_X_SWAP,
  PRISM_MBRL_X_KNOBS, /* PRISM_MBRL_KNOBS entries */
  PRISM_MBRL_KNOBS = 10,
  PRISM_MBRL_X_MODE = PRISM_MBRL_X_KNOBS + PRISM_MBRL_KNOBS, /* 3 entries: one-hot */
  PRISM_MBRL_DIM = PRISM_MBRL_X_MODE + 3
};

/* model outputs */
enum {
  PRISM_MBRL_Y_CONFLICTS = 0, /* change of x[CONFLICTS] */
  PRISM_MBRL_Y_COLORS,        /* change of x[COLORS] */
  PRISM_MBRL_Y_MOVES,         /* change of x[MOVES] */
  PRISM_MBRL_Y_REWARD,
  PRISM_MBRL_Y_DONE,
  PRISM_MBRL_OUT
};

/* actions: 0 .. PRISM_FLUX_ACTIONS-1 are FluxNet's (fluxnet.h), then: */
enum {
  PRISM_MBRL_A_MODE_TABU = 11,
  PRISM_MBRL_A_MODE_PARTIAL,
  PRISM_MBRL_A_MODE_ADAPTIVE,
  PRISM_MBRL_A_TENURE_UP,
  PRISM_MBRL_A_TENURE_DOWN,
  PRISM_MBRL_A_GEN_UP,
  PRISM_MBRL_A_GEN_DOWN,
  PRISM_MBRL_A_RESTART_SOONER,
  PRISM_MBRL_A_RESTART_LATER,
  PRISM_MBRL_A_LADDER_ON,
  PRISM_MBRL_A_LADDER_OFF,
  PRISM_MBRL_ACTIONS
};
#define PRISM_MBRL_NOOP 10 /* PRISM_FLUX_NOOP */
#define PRISM_MBRL_IN (PRISM_MBRL_DIM + PRISM_MBRL_ACTIONS)

/* Q-table buckets: conflicts 4 x depth 4 x stagnation 4 x mode 3 x density 3 */
#define PRISM_MBRL_STATES (4 * 4 * 4 * 3 * 3)

const char *prism_mbrl_action_name(int a);
/* The layout texts of the Q-table and model files. */
const char *prism_mbrl_qtable_layout(void);
const char *prism_mbrl_model_layout(void);

/* The state of one batch's telemetry under parameters p. */
void prism_mbrl_features(const prism_control_ctx *ctx, const prism_telemetry *t,
                         const prism_params *p, double *x);
/* Write p's knob values (and mode) into x. */
void prism_mbrl_set_knobs(const prism_params *p, double *x);
/* base with the knobs (and mode) of x. */
void prism_mbrl_get_knobs(const double *x, const prism_params *base, prism_params *p);

/* Apply action a to p (clamped by the table; knobs kept within a factor
 * fluxnet_knob_range of start). */
void prism_mbrl_apply(int a, prism_params *p, const prism_params *start);
/* The knobs back to their start values. */
void prism_mbrl_restore(prism_params *p, const prism_params *start);

/* The model's targets for a real transition x -> x_next with reward r. */
void prism_mbrl_targets(const double *x, const double *x_next, double r, int done, double *y);
/* Model input: x followed by the one-hot of a. */
void prism_mbrl_input(const double *x, int a, double *in);
/* A simulated step: x_next from x, action a (applied to the knobs from
 * start) and the model's outputs y. */
void prism_mbrl_simulate(const double *x, int a, const double *y, const prism_params *start,
                         double stagnation_batches, double *x_next);

/* Q-table state of x. */
uint32_t prism_mbrl_state_index(const double *x);

#ifdef __cplusplus
}
#endif

#endif
