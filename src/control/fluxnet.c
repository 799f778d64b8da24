/* fluxnet.c - FluxNet Q-learning: state bucketing, actions, reward, the TD
 * update and best-config tracking (docs/fluxnet.md). */
#include "control/fluxnet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/check.h"

/* ---------------------------------------------------------------- state */

/* Thresholds. Everything is relative to the graph or to the run's own
 * parameters, so one table means the same on a 125- and a 1000-vertex graph. */
static const double conflict_cut[PRISM_FLUX_CONFLICT_LEVELS - 1] = {0.01, 0.03, 0.1};
static const double depth_cut[PRISM_FLUX_DEPTH_LEVELS - 1] = {0.9, 0.8, 0.7};
static const double temp_cut[PRISM_FLUX_TEMP_LEVELS - 1] = {0.9, 1.15};

uint32_t prism_flux_state_index(const prism_flux_features *f) {
  uint32_t s = f->conflict;
  s = s * PRISM_FLUX_DEPTH_LEVELS + f->depth;
  s = s * PRISM_FLUX_TEMP_LEVELS + f->temp;
  s = s * PRISM_FLUX_TRANSITION_LEVELS + f->transition;
  s = s * PRISM_FLUX_STAG_LEVELS + f->stagnation;
  return s;
}

uint32_t prism_flux_state(const prism_control_ctx *ctx, const prism_telemetry *t,
                          const prism_params *p, const prism_params *start,
                          prism_flux_features *out) {
  prism_flux_features f;
  /* conflict level: fewest conflicting edges per vertex */
  double cpv = ctx->n ? (double)t->best_conflicts / ctx->n : 0;
  f.conflict = 0;
  while (f.conflict < PRISM_FLUX_CONFLICT_LEVELS - 1 && cpv >= conflict_cut[f.conflict])
    f.conflict++;
  /* colors: k relative to the DSATUR start (how deep the descent is) */
  double kr = ctx->dsatur_k ? (double)t->k / ctx->dsatur_k : 1;
  f.depth = 0;
  while (f.depth < PRISM_FLUX_DEPTH_LEVELS - 1 && kr < depth_cut[f.depth]) f.depth++;
  /* temperature relative to the start of the episode */
  double t0 = start->global_temperature;
  double tr = t0 > 0 ? p->global_temperature / t0 : (p->global_temperature > 0 ? 2.0 : 1.0);
  f.temp = 0;
  while (f.temp < PRISM_FLUX_TEMP_LEVELS - 1 && tr >= temp_cut[f.temp]) f.temp++;
  f.transition = t->phase_transition ? 1 : 0;
  /* stagnation relative to stagnation_batches: just improved / short / long /
   * very long */
  uint32_t sb = p->stagnation_batches > 0 ? (uint32_t)p->stagnation_batches : 1;
  if (t->stagnation == 0) f.stagnation = 0;
  else if (2.0 * t->stagnation < sb) f.stagnation = 1;
  else if (t->stagnation < 2ull * sb) f.stagnation = 2;
  else f.stagnation = 3;
  if (out) *out = f;
  return prism_flux_state_index(&f);
}

/* -------------------------------------------------------------- actions */

static const char *const action_names[PRISM_FLUX_ACTIONS] = {
    "mu+", "mu-", "tun+", "tun-", "temp+", "temp-", "res+", "res-", "boost3", "boost1", "noop"};

const char *prism_flux_action_name(int a) {
  return a >= 0 && a < PRISM_FLUX_ACTIONS ? action_names[a] : "?";
}

const char *prism_flux_layout(void) {
  /* Everything that gives a state or action index its meaning. A change here
   * makes old table files refused as a layout mismatch. */
  return "fluxnet-1 states conflict/n:4[.01,.03,.1] k/dsatur:4[.9,.8,.7] "
         "temp/start:3[.9,1.15] transition:2 stagnation/sb:4[0,.5,2] "
         "actions mu+ mu- tun+ tun- temp+ temp- res+ res- boost3 boost1 noop";
}

/* Knob floors: the value a 'raise' starts from when the knob is (about) 0,
 * since 0 times any factor stays 0. A 'lower' below half the floor snaps to 0
 * so that the knob can be switched off again. */
#define MU_FLOOR 0.05       /* chemical_potential, conflict units per vertex */
#define TUN_FLOOR 0.0005    /* tunneling_prob_base (the default) */
#define TEMP_FLOOR 0.1      /* global_temperature */
#define LEAK_FLOOR 0.01     /* reservoir_leak_rate */
#define STRESS_FLOOR 0.25   /* stress_weight: w_v = 4 + floor(res[v]) */

/* Keep knob id within a factor `range` of its start value. */
static void keep_in_range(prism_params *p, const prism_params *start, int id, double floor) {
  double range = p->fluxnet_knob_range >= 1 ? p->fluxnet_knob_range : 1;
  double s = prism_params_get(start, id), v = prism_params_get(p, id);
  double lo = s > 0 ? s / range : 0, hi = s > 0 ? s * range : floor * range;
  if (v < lo) prism_params_set_clamped(p, id, lo);
  else if (v > hi) prism_params_set_clamped(p, id, hi);
}

static void raise_knob(prism_params *p, const prism_params *start, int id, double factor,
                       double floor) {
  if (prism_params_get(p, id) < floor / 2) prism_params_set_clamped(p, id, floor);
  else prism_params_scale(p, id, factor);
  keep_in_range(p, start, id, floor);
}

static void lower_knob(prism_params *p, const prism_params *start, int id, double factor,
                       double floor) {
  prism_params_scale(p, id, factor);
  if (prism_params_get(p, id) < floor / 2) prism_params_set_clamped(p, id, 0);
  keep_in_range(p, start, id, floor);
}

void prism_flux_apply(int a, prism_params *p, const prism_params *start) {
  switch (a) {
    case PRISM_FLUX_MU_UP:
      raise_knob(p, start, PRISM_PARAM_ID_chemical_potential, 1.2, MU_FLOOR);
      break;
    case PRISM_FLUX_MU_DOWN:
      lower_knob(p, start, PRISM_PARAM_ID_chemical_potential, 0.8, MU_FLOOR);
      break;
    case PRISM_FLUX_TUN_UP:
      raise_knob(p, start, PRISM_PARAM_ID_tunneling_prob_base, 1.5, TUN_FLOOR);
      break;
    case PRISM_FLUX_TUN_DOWN:
      lower_knob(p, start, PRISM_PARAM_ID_tunneling_prob_base, 0.7, TUN_FLOOR);
      break;
    case PRISM_FLUX_TEMP_UP:
      raise_knob(p, start, PRISM_PARAM_ID_global_temperature, 1.5, TEMP_FLOOR);
      break;
    case PRISM_FLUX_TEMP_DOWN:
      lower_knob(p, start, PRISM_PARAM_ID_global_temperature, 0.8, TEMP_FLOOR);
      break;
    case PRISM_FLUX_RES_UP:
      /* The "strengthen": leak x1.2, so the memory follows the current
       * conflicts (stale ones fade faster), and the memory counts for more in
       * the vertex weights (stress_weight x1.2; from 0 the floor 0.25, since
       * with stress_weight 0 the reservoir has no effect at all). */
      raise_knob(p, start, PRISM_PARAM_ID_reservoir_leak_rate, 1.2, LEAK_FLOOR);
      raise_knob(p, start, PRISM_PARAM_ID_stress_weight, 1.2, STRESS_FLOOR);
      break;
    case PRISM_FLUX_RES_DOWN:
      lower_knob(p, start, PRISM_PARAM_ID_reservoir_leak_rate, 0.8, LEAK_FLOOR);
      lower_knob(p, start, PRISM_PARAM_ID_stress_weight, 0.8, STRESS_FLOOR);
      break;
    case PRISM_FLUX_BOOST_ON:
      prism_params_set_clamped(p, PRISM_PARAM_ID_tunneling_prob_boost, 3.0);
      break;
    case PRISM_FLUX_BOOST_OFF:
      prism_params_set_clamped(p, PRISM_PARAM_ID_tunneling_prob_boost, 1.0);
      break;
    default: break; /* no-op */
  }
}

void prism_flux_restore(prism_params *p, const prism_params *start) {
  static const int knobs[] = {PRISM_PARAM_ID_chemical_potential, PRISM_PARAM_ID_tunneling_prob_base,
                              PRISM_PARAM_ID_global_temperature, PRISM_PARAM_ID_reservoir_leak_rate,
                              PRISM_PARAM_ID_stress_weight, PRISM_PARAM_ID_tunneling_prob_boost};
  for (unsigned i = 0; i < sizeof knobs / sizeof knobs[0]; i++)
    prism_params_set_clamped(p, knobs[i], prism_params_get(start, knobs[i]));
}

/* --------------------------------------------------------------- learning */

double prism_flux_reward(const prism_telemetry *prev, const prism_telemetry *now,
                         uint32_t record_prev, uint32_t record_now, const prism_params *p) {
  double r = log((1.0 + record_prev) / (1.0 + record_now));
  if (now->best_k <= now->k) r += PRISM_FLUX_SOLVE_BONUS; /* this batch solved k */
  if (now->colors_used < now->k) r += PRISM_FLUX_COLOR_WEIGHT; /* a class emptied */
  double sb = p->stagnation_batches > 0 ? p->stagnation_batches : 1;
  double stag = now->stagnation / sb;
  r -= PRISM_FLUX_STAG_WEIGHT * (stag < 2 ? stag : 2);
  return r;
}

double prism_flux_td(double q, double r, double max_next, double alpha, double gamma,
                     int terminal) {
  double target = terminal ? r : r + gamma * max_next;
  return q + alpha * (target - q);
}

double prism_flux_step_size(double alpha, uint64_t n) {
  double mean = n ? 1.0 / (double)n : 1.0;
  return mean > alpha ? mean : alpha;
}

double prism_flux_epsilon_next(double eps, double decay, double floor) {
  if (eps <= floor) return eps;
  double e = eps * decay;
  return e < floor ? floor : e;
}

/* ---------------------------------------------------------------- learner */

prism_fluxnet *prism_fluxnet_new(prism_flux_mode mode, const prism_params *p) {
  prism_fluxnet *f = PRISM_CALLOC(1, sizeof *f);
  f->mode = mode;
  prism_qtable_init(&f->table, PRISM_FLUX_STATES, PRISM_FLUX_ACTIONS, prism_flux_layout());
  f->table.epsilon = p->fluxnet_epsilon;
  f->start = *p;
  f->min_visits = (uint32_t)p->fluxnet_min_visits;
  prism_rng_init(&f->rng, 1, 0x464C5558u /* "FLUX" */, 0, 0);
  return f;
}

void prism_fluxnet_free(prism_fluxnet *f) {
  if (!f) return;
  prism_qtable_free(&f->table);
  free(f);
}

int prism_fluxnet_load(prism_fluxnet *f, const char *path, const prism_params *p, char *err,
                       unsigned err_len) {
  int rc = prism_qtable_load(&f->table, path, err, err_len);
  if (rc == 0 && f->table.epsilon > p->fluxnet_epsilon) f->table.epsilon = p->fluxnet_epsilon;
  return rc;
}

int prism_fluxnet_save(const prism_fluxnet *f, const char *path, char *err, unsigned err_len) {
  return prism_qtable_save(&f->table, path, err, err_len);
}

void prism_fluxnet_reset_episode(prism_fluxnet *f, const prism_control_ctx *ctx,
                                 const prism_params *p) {
  f->ctx = *ctx;
  f->start = *p;
  f->min_visits = (uint32_t)p->fluxnet_min_visits;
  /* one stream per (seed, episode of this table): deterministic for a seed */
  prism_rng_init(&f->rng, ctx->seed, 0x464C5558u, (uint32_t)f->table.episodes, 0);
  f->have_prev = 0;
  f->have_record = 0;
  f->ep_steps = f->ep_updates = 0;
  f->ep_reward = 0;
  memset(f->ep_actions, 0, sizeof f->ep_actions);
  f->have_best = 0;
  f->best_k = 0;
  f->best_time = 0;
  f->best_params = *p;
}

static double uniform01(prism_rng *r) { return prism_rng_u32(r) * (1.0 / 4294967296.0); }

/* An action is known in state s once it has been updated there at least
 * fluxnet_min_visits times (at least once); no-op is always known. Unknown
 * actions are left to exploration: the greedy choice and the bootstrap max
 * only look at known ones, so an untrained state keeps the config as it is
 * and a few lucky updates cannot make an action greedy (a safe policy
 * improvement over the fixed config, as in SPIBB, Laroche et al. 2019). */
static int known(const prism_fluxnet *f, uint32_t s, int a) {
  uint32_t v = f->table.visits[(size_t)s * PRISM_FLUX_ACTIONS + a];
  return a == PRISM_FLUX_NOOP || (v > 0 && v >= f->min_visits);
}

int prism_fluxnet_greedy(prism_fluxnet *f, uint32_t s) {
  const double *q = f->table.q + (size_t)s * PRISM_FLUX_ACTIONS;
  double best = q[PRISM_FLUX_NOOP];
  for (int a = 0; a < PRISM_FLUX_ACTIONS; a++)
    if (known(f, s, a) && q[a] > best) best = q[a];
  if (q[PRISM_FLUX_NOOP] == best) return PRISM_FLUX_NOOP;
  int ties = 0;
  for (int a = 0; a < PRISM_FLUX_ACTIONS; a++) ties += known(f, s, a) && q[a] == best;
  uint32_t pick = prism_rng_below(&f->rng, (uint32_t)ties);
  for (int a = 0; a < PRISM_FLUX_ACTIONS; a++)
    if (known(f, s, a) && q[a] == best && pick-- == 0) return a;
  return PRISM_FLUX_NOOP;
}

double prism_fluxnet_max_q(const prism_fluxnet *f, uint32_t s) {
  const double *q = f->table.q + (size_t)s * PRISM_FLUX_ACTIONS;
  double best = q[PRISM_FLUX_NOOP];
  for (int a = 0; a < PRISM_FLUX_ACTIONS; a++)
    if (known(f, s, a) && q[a] > best) best = q[a];
  return best;
}

void prism_fluxnet_update(prism_fluxnet *f, uint32_t s, int a, double r, uint32_t s_next,
                          int terminal, const prism_params *p) {
  size_t i = (size_t)s * PRISM_FLUX_ACTIONS + (size_t)a;
  double next = terminal ? 0 : prism_fluxnet_max_q(f, s_next);
  f->table.q[i] = prism_flux_td(f->table.q[i], r, next,
                                prism_flux_step_size(p->fluxnet_alpha, f->table.visits[i] + 1ull),
                                p->fluxnet_gamma, terminal);
  if (f->table.visits[i] < UINT32_MAX) f->table.visits[i]++;
  f->table.steps++;
  f->ep_updates++;
  f->table.epsilon =
      prism_flux_epsilon_next(f->table.epsilon, p->fluxnet_epsilon_decay, p->fluxnet_epsilon_min);
}

void prism_fluxnet_step(prism_fluxnet *f, const prism_telemetry *t, prism_params *p) {
  const int solved = t->best_k <= t->k; /* zero conflicts: the engine descends */
  uint32_t s = prism_flux_state(&f->ctx, t, p, &f->start, NULL);
  if (f->ep_steps++ == 0) f->table.episodes++; /* an episode counts once it runs */
  if (solved && (!f->have_best || t->best_k < f->best_k)) {
    /* the config that was in effect for the batch that reached best_k */
    f->have_best = 1;
    f->best_k = t->best_k;
    f->best_time = t->elapsed_s;
    f->best_params = *p;
  }
  if (f->have_prev && f->prev_t.k != t->k) f->have_prev = 0; /* k changed otherwise */
  if (!f->have_record || f->record_k != t->k) { /* first batch at this k */
    f->have_record = 1;
    f->record_k = t->k;
    f->record = t->best_conflicts;
  }
  uint32_t record_prev = f->record;
  if (t->best_conflicts < f->record) f->record = t->best_conflicts;
  if (f->have_prev) {
    double r = prism_flux_reward(&f->prev_t, t, record_prev, f->record, p);
    f->ep_reward += r;
    if (f->mode == PRISM_FLUX_LEARN)
      prism_fluxnet_update(f, f->prev_state, f->prev_action, r, s, solved, p);
  }
  if (solved) {
    /* end of this k's sub-episode: the next batch starts a new k from a
     * dissolved coloring, which no action of ours led to, and with the start
     * config, so that exploration does not pile up over the descent */
    f->have_prev = 0;
    prism_flux_restore(p, &f->start);
    return;
  }
  int a;
  if (f->mode == PRISM_FLUX_RANDOM) a = (int)prism_rng_below(&f->rng, PRISM_FLUX_ACTIONS);
  else if (uniform01(&f->rng) < f->table.epsilon)
    a = (int)prism_rng_below(&f->rng, PRISM_FLUX_ACTIONS);
  else a = prism_fluxnet_greedy(f, s);
  prism_flux_apply(a, p, &f->start);
  f->ep_actions[a]++;
  f->have_prev = 1;
  f->prev_state = s;
  f->prev_action = a;
  f->prev_t = *t;
}
