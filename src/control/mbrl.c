/* mbrl.c - the MBRL learner: episode bookkeeping, the real Q update, model
 * training from the buffer, and the per-batch step that ties the buffer, the
 * model, Dyna and the planner together (mbrl.h, docs/mbrl.md). */
#include "control/mbrl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/fluxnet.h"
#include "util/check.h"
#include "util/timer.h"

prism_mbrl *prism_mbrl_new(const prism_params *p) {
  prism_mbrl *f = PRISM_CALLOC(1, sizeof *f);
  f->p0 = *p;
  prism_qtable_init(&f->table, PRISM_MBRL_STATES, PRISM_MBRL_ACTIONS, prism_mbrl_qtable_layout());
  f->table.epsilon = p->fluxnet_epsilon;
  prism_mbrl_buffer_init(&f->buf, (uint32_t)p->mbrl_buffer, PRISM_MBRL_DIM);
  prism_mbrl_model_init(&f->model, (uint32_t)p->mbrl_ensemble, PRISM_MBRL_IN,
                        (uint32_t)p->mbrl_hidden, PRISM_MBRL_OUT, prism_mbrl_model_layout(), 1);
  f->start = *p;
  prism_rng_init(&f->rng, 1, 0x4D42524Cu /* "MBRL" */, 0, 0);
  return f;
}

void prism_mbrl_free(prism_mbrl *f) {
  if (!f) return;
  prism_qtable_free(&f->table);
  prism_mbrl_buffer_free(&f->buf);
  prism_mbrl_model_free(&f->model);
  free(f);
}

int prism_mbrl_load(prism_mbrl *f, const char *qtable, const char *model, char *err,
                    unsigned err_len) {
  if (qtable && *qtable) {
    if (prism_qtable_load(&f->table, qtable, err, err_len) < 0) return -1;
    if (f->table.epsilon > f->p0.fluxnet_epsilon) f->table.epsilon = f->p0.fluxnet_epsilon;
  }
  if (model && *model && prism_mbrl_model_load(&f->model, model, err, err_len) < 0) return -1;
  return 0;
}

int prism_mbrl_save(const prism_mbrl *f, const char *qtable, const char *model, char *err,
                    unsigned err_len) {
  if (qtable && *qtable && prism_qtable_save(&f->table, qtable, err, err_len)) return -1;
  if (model && *model && prism_mbrl_model_save(&f->model, model, err, err_len)) return -1;
  return 0;
}

void prism_mbrl_reset_episode(prism_mbrl *f, const prism_control_ctx *ctx, const prism_params *p) {
  f->ctx = *ctx;
  f->start = *p;
  prism_rng_init(&f->rng, ctx->seed, 0x4D42524Cu, (uint32_t)f->table.episodes, 0);
  f->have_prev = 0;
  f->have_record = 0;
  f->ep_steps = f->ep_updates = f->ep_dyna = f->ep_plans = 0;
  memset(f->ep_actions, 0, sizeof f->ep_actions);
  f->ep_reward = f->ep_planner_s = f->ep_batch_s = f->last_planner_us = 0;
  f->prev_r = 0;
  f->have_best = 0;
  f->best_k = 0;
  f->best_time = 0;
  f->best_params = *p;
  f->err_n = 0;
  memset(f->err_model, 0, sizeof f->err_model);
  memset(f->err_persist, 0, sizeof f->err_persist);
}

/* ------------------------------------------------------------- Q-learning */

int prism_mbrl_greedy(const prism_mbrl *f, uint32_t s) {
  const double *q = f->table.q + (size_t)s * PRISM_MBRL_ACTIONS;
  int best = PRISM_MBRL_NOOP; /* ties: no-op, then the lowest index */
  for (int a = 0; a < PRISM_MBRL_ACTIONS; a++)
    if (q[a] > q[best]) best = a;
  return best;
}

static double max_q(const prism_mbrl *f, uint32_t s) {
  return f->table.q[(size_t)s * PRISM_MBRL_ACTIONS + (size_t)prism_mbrl_greedy(f, s)];
}

void prism_mbrl_q_update(prism_mbrl *f, uint32_t s, int a, double r, uint32_t s_next, int done,
                         double alpha, const prism_params *p) {
  const size_t i = (size_t)s * PRISM_MBRL_ACTIONS + (size_t)a;
  const double next = done ? 0 : max_q(f, s_next);
  f->table.q[i] = prism_flux_td(f->table.q[i], r, next, alpha, p->fluxnet_gamma, done);
}

/* ------------------------------------------------------------------ model */

void prism_mbrl_train(prism_mbrl *f, const prism_params *p) {
  prism_mbrl_model *md = &f->model;
  const uint32_t B = (uint32_t)p->mbrl_minibatch;
  if (f->buf.count == 0 || p->mbrl_train_steps <= 0) return;
  double *g = PRISM_MALLOC(md->n_params * sizeof *g);
  double in[PRISM_MBRL_IN], y[PRISM_MBRL_OUT], t[PRISM_MBRL_OUT];
  for (int32_t step = 0; step < p->mbrl_train_steps; step++) {
    for (uint32_t mb = 0; mb < md->members; mb++) {
      memset(g, 0, md->n_params * sizeof *g);
      for (uint32_t b = 0; b < B; b++) { /* each member its own minibatch */
        const uint32_t i = prism_mbrl_buffer_sample(&f->buf, &f->rng);
        const double *x = prism_mbrl_buffer_state(&f->buf, i);
        prism_mbrl_input(x, f->buf.a[i], in);
        prism_mbrl_targets(x, prism_mbrl_buffer_next(&f->buf, i), f->buf.r[i], f->buf.done[i], y);
        prism_mbrl_model_normalise(md, y, t);
        prism_mbrl_model_loss_grad(md, mb, in, t, g);
      }
      for (size_t k = 0; k < md->n_params; k++) g[k] /= B;
      prism_mbrl_model_adam(md, mb, g, p->mbrl_lr);
    }
    md->adam_t++;
    md->train_steps++;
  }
  free(g);
}

double prism_mbrl_confidence(const prism_mbrl *f, const double *x, int a, const prism_params *p) {
  double in[PRISM_MBRL_IN], y[PRISM_MBRL_OUT];
  prism_mbrl_input(x, a, in);
  const double dis = prism_mbrl_model_predict(&f->model, in, y);
  return exp(-dis / p->mbrl_conf_scale);
}

/* The model's and persistence's squared errors on a real transition, before
 * the model learns from it. */
static void score_one_step(prism_mbrl *f, const double *x, int a, const double *y_true) {
  double in[PRISM_MBRL_IN], y[PRISM_MBRL_OUT];
  prism_mbrl_input(x, a, in);
  prism_mbrl_model_predict(&f->model, in, y);
  const double persist[PRISM_MBRL_OUT] = {0, 0, 0, f->prev_r, 0};
  for (int k = 0; k < PRISM_MBRL_OUT; k++) {
    f->err_model[k] += (y[k] - y_true[k]) * (y[k] - y_true[k]);
    f->err_persist[k] += (persist[k] - y_true[k]) * (persist[k] - y_true[k]);
  }
  f->err_n++;
}

/* ------------------------------------------------------------------- step */

static void track_best(prism_mbrl *f, const prism_telemetry *t, const prism_params *p) {
  if (t->best_k <= t->k && (!f->have_best || t->best_k < f->best_k)) {
    f->have_best = 1;
    f->best_k = t->best_k;
    f->best_time = t->elapsed_s;
    f->best_params = *p;
  }
}

/* Reward of the batch t (FluxNet's: conflict records, solve bonus, colors,
 * stagnation penalty). */
static double reward_of(prism_mbrl *f, const prism_telemetry *t, const prism_params *p) {
  if (!f->have_record || f->record_k != t->k) {
    f->have_record = 1;
    f->record_k = t->k;
    f->record = t->best_conflicts;
  }
  const uint32_t record_prev = f->record;
  if (t->best_conflicts < f->record) f->record = t->best_conflicts;
  return prism_flux_reward(t, t, record_prev, f->record, p);
}

/* The model is used (Dyna, planner, scored) once it has trained on
 * mbrl_warmup real transitions, in this run or, loaded from a file, before. */
static int warm(const prism_mbrl *f, const prism_params *p) {
  return f->model.train_steps >= (uint64_t)p->mbrl_warmup && f->buf.count > 0;
}

/* Learn from the real transition prev -> x. */
static void learn(prism_mbrl *f, const double *x, double r, int done, const prism_params *p) {
  double y[PRISM_MBRL_OUT];
  prism_mbrl_targets(f->prev_x, x, r, done, y);
  if (warm(f, p)) score_one_step(f, f->prev_x, f->prev_action, y);
  prism_mbrl_model_norm_update(&f->model, y);
  prism_mbrl_buffer_push(&f->buf, f->prev_x, f->prev_action, x, r, done);
  const uint32_t s = prism_mbrl_state_index(f->prev_x), s2 = prism_mbrl_state_index(x);
  const size_t i = (size_t)s * PRISM_MBRL_ACTIONS + (size_t)f->prev_action;
  prism_mbrl_q_update(f, s, f->prev_action, r, s2, done,
                      prism_flux_step_size(p->fluxnet_alpha, f->table.visits[i] + 1ull), p);
  if (f->table.visits[i] < UINT32_MAX) f->table.visits[i]++;
  f->table.steps++;
  f->ep_updates++;
  f->table.epsilon =
      prism_flux_epsilon_next(f->table.epsilon, p->fluxnet_epsilon_decay, p->fluxnet_epsilon_min);
  prism_mbrl_train(f, p);
  if (warm(f, p) && p->mbrl_dyna > 0)
    f->ep_dyna += prism_mbrl_dyna(f, (uint32_t)p->mbrl_dyna, p);
}

static int choose(prism_mbrl *f, const double *x, const prism_params *p) {
  if (prism_rng_u32(&f->rng) * (1.0 / 4294967296.0) < f->table.epsilon)
    return (int)prism_rng_below(&f->rng, PRISM_MBRL_ACTIONS);
  if (warm(f, p) &&
      prism_mbrl_confidence(f, x, PRISM_MBRL_NOOP, p) >= p->mbrl_plan_conf) {
    const double t0 = prism_now();
    const int a = prism_mbrl_plan(f, x, p);
    const double dt = prism_now() - t0;
    f->ep_planner_s += dt;
    f->last_planner_us = dt * 1e6;
    f->ep_plans++;
    return a;
  }
  return prism_mbrl_greedy(f, prism_mbrl_state_index(x));
}

void prism_mbrl_step(prism_mbrl *f, const prism_telemetry *t, prism_params *p) {
  const int solved = t->best_k <= t->k;
  double x[PRISM_MBRL_DIM];
  prism_mbrl_features(&f->ctx, t, p, x);
  if (f->ep_steps++ == 0) f->table.episodes++;
  f->ep_batch_s += t->batch_us * 1e-6;
  f->last_planner_us = 0;
  track_best(f, t, p);
  if (f->have_prev && fabs(f->prev_x[PRISM_MBRL_X_COLORS] - x[PRISM_MBRL_X_COLORS]) > 1e-12)
    f->have_prev = 0; /* k changed by something other than our action */
  const double r = reward_of(f, t, p);
  if (f->have_prev) {
    f->ep_reward += r;
    learn(f, x, r, solved, p);
    f->prev_r = r;
  }
  if (solved) { /* the next k starts from the start config, as in FluxNet */
    f->have_prev = 0;
    prism_mbrl_restore(p, &f->start);
    return;
  }
  const int a = choose(f, x, p);
  prism_mbrl_apply(a, p, &f->start);
  f->ep_actions[a]++;
  f->have_prev = 1;
  f->prev_action = a;
  memcpy(f->prev_x, x, sizeof x);
}
