/* controller.c - the controllers behind controller.h: "none" (no controller),
 * "fluxnet" (Q-learning, fluxnet.c), "random" (a uniformly random FluxNet
 * action each batch: the baseline that tells learning from mere change) and
 * "mbrl" (Q-learning with a world model, Dyna and a planner, mbrl.c). */
#include "control/controller.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/fluxnet.h"
#include "control/mbrl.h"
#include "util/check.h"

struct prism_controller {
  prism_fluxnet *fx; /* fluxnet, random */
  prism_mbrl *mb;    /* mbrl */
  int owns;          /* 0: a handle on the shared learner */
  char *qtable_path; /* saved by finish (owning learning controllers only) */
  char *model_path;  /* mbrl: the world model, saved by finish */
  int last_action;   /* of the last step (-1: none) */
  double last_reward;
};

static char *dup_or_null(const char *s) {
  if (!s || !*s) return NULL;
  char *d = strdup(s);
  if (!d) prism_die("out of memory");
  return d;
}

static prism_controller *create_mbrl(const prism_params *p, const prism_control_ctx *ctx,
                                     const char *qtable_path, const char *model_path,
                                     char *err, unsigned err_len);

static prism_controller *shared;

void prism_controller_share(prism_controller *c) { shared = c; }

prism_controller *prism_controller_create(const char *kind, const prism_params *p,
                                          const prism_control_ctx *ctx,
                                          const char *qtable_path, char *err,
                                          unsigned err_len) {
  return prism_controller_create_with_model(kind, p, ctx, qtable_path, NULL, err, err_len);
}

prism_controller *prism_controller_create_with_model(const char *kind, const prism_params *p,
                                                     const prism_control_ctx *ctx,
                                                     const char *qtable_path,
                                                     const char *model_path, char *err,
                                                     unsigned err_len) {
  if (err_len) err[0] = 0;
  if (!kind || !strcmp(kind, "none")) return NULL;
  if (!strcmp(kind, "mbrl")) return create_mbrl(p, ctx, qtable_path, model_path, err, err_len);
  int learn = !strcmp(kind, "fluxnet");
  if (!learn && strcmp(kind, "random")) {
    snprintf(err, err_len, "unknown controller '%s' (none, fluxnet, random, mbrl)", kind);
    return NULL;
  }
  prism_controller *c = PRISM_CALLOC(1, sizeof *c);
  if (learn && shared && shared->fx && shared->fx->mode == PRISM_FLUX_LEARN) {
    c->fx = shared->fx;
    prism_fluxnet_reset_episode(c->fx, ctx, p);
    return c;
  }
  c->owns = 1;
  c->fx = prism_fluxnet_new(learn ? PRISM_FLUX_LEARN : PRISM_FLUX_RANDOM, p);
  if (learn && qtable_path && *qtable_path) {
    if (prism_fluxnet_load(c->fx, qtable_path, p, err, err_len) < 0) {
      prism_fluxnet_free(c->fx);
      free(c);
      return NULL;
    }
    c->qtable_path = strdup(qtable_path);
    if (!c->qtable_path) prism_die("out of memory");
  }
  prism_fluxnet_reset_episode(c->fx, ctx, p);
  return c;
}

static prism_controller *create_mbrl(const prism_params *p, const prism_control_ctx *ctx,
                                     const char *qtable_path, const char *model_path,
                                     char *err, unsigned err_len) {
  prism_controller *c = PRISM_CALLOC(1, sizeof *c);
  if (shared && shared->mb) { /* a handle on the learner of prism train */
    c->mb = shared->mb;
    prism_mbrl_reset_episode(c->mb, ctx, p);
    return c;
  }
  c->owns = 1;
  c->mb = prism_mbrl_new(p);
  if (prism_mbrl_load(c->mb, qtable_path, model_path, err, err_len) < 0) {
    prism_mbrl_free(c->mb);
    free(c);
    return NULL;
  }
  c->qtable_path = dup_or_null(qtable_path);
  c->model_path = dup_or_null(model_path);
  prism_mbrl_reset_episode(c->mb, ctx, p);
  return c;
}

void prism_controller_step(prism_controller *c, const prism_telemetry *t, prism_params *p) {
  if (!c) return;
  if (c->mb) {
    const double before = c->mb->ep_reward;
    prism_mbrl_step(c->mb, t, p);
    c->last_reward = c->mb->ep_reward - before;
    c->last_action = c->mb->have_prev ? c->mb->prev_action : -1;
    return;
  }
  const double before = c->fx->ep_reward;
  prism_fluxnet_step(c->fx, t, p);
  c->last_reward = c->fx->ep_reward - before;
  c->last_action = c->fx->have_prev ? c->fx->prev_action : -1;
}

int prism_controller_last(const prism_controller *c, double *reward) {
  *reward = c ? c->last_reward : 0.0;
  return c ? c->last_action : -1;
}

int prism_controller_finish(prism_controller *c, char *err, unsigned err_len) {
  if (err_len) err[0] = 0;
  if (!c || !c->owns) return 0;
  if (c->mb) return prism_mbrl_save(c->mb, c->qtable_path, c->model_path, err, err_len);
  if (!c->qtable_path) return 0;
  return prism_fluxnet_save(c->fx, c->qtable_path, err, err_len);
}

void prism_controller_free(prism_controller *c) {
  if (!c) return;
  if (c->owns) {
    prism_fluxnet_free(c->fx);
    prism_mbrl_free(c->mb);
  }
  if (shared == c) shared = NULL;
  free(c->qtable_path);
  free(c->model_path);
  free(c);
}

void prism_controller_reset_episode(prism_controller *c, const prism_params *p,
                                    const prism_control_ctx *ctx) {
  if (c && c->mb) prism_mbrl_reset_episode(c->mb, ctx, p);
  else if (c) prism_fluxnet_reset_episode(c->fx, ctx, p);
}

int prism_controller_save(const prism_controller *c, const char *path, char *err,
                          unsigned err_len) {
  if (err_len) err[0] = 0;
  if (!c) return 0;
  if (c->mb) return prism_mbrl_save(c->mb, path, NULL, err, err_len);
  return prism_fluxnet_save(c->fx, path, err, err_len);
}

int prism_controller_save_model(const prism_controller *c, const char *path, char *err,
                                unsigned err_len) {
  if (err_len) err[0] = 0;
  if (!c || !c->mb) return 0;
  return prism_mbrl_save(c->mb, NULL, path, err, err_len);
}

double prism_controller_planner_us(const prism_controller *c) {
  return c && c->mb ? c->mb->last_planner_us : 0;
}

void prism_controller_describe(const prism_controller *c, char *out, unsigned len) {
  if (len) out[0] = 0;
  if (!c || !c->mb) return;
  const prism_mbrl *f = c->mb;
  const double per_plan = f->ep_plans ? f->ep_planner_s / f->ep_plans : 0;
  const double mean_batch = f->ep_steps ? f->ep_batch_s / f->ep_steps : 0;
  int w = snprintf(out, len,
                   "mbrl: %llu plans in %llu steps (planner %.1f us per plan = %.2f%% of a mean "
                   "batch of %.1f us; %.2f%% of all batch time), %llu Dyna updates, buffer %u, "
                   "model steps %llu",
                   (unsigned long long)f->ep_plans, (unsigned long long)f->ep_steps,
                   1e6 * per_plan, mean_batch > 0 ? 100 * per_plan / mean_batch : 0.0,
                   1e6 * mean_batch,
                   f->ep_batch_s > 0 ? 100 * f->ep_planner_s / f->ep_batch_s : 0.0,
                   (unsigned long long)f->ep_dyna, f->buf.count,
                   (unsigned long long)f->model.train_steps);
  static const char *const names[PRISM_MBRL_OUT] = {"conflicts", "colors", "moves", "reward",
                                                    "done"};
  if (f->err_n && w > 0 && (unsigned)w < len) {
    w += snprintf(out + w, len - (unsigned)w, "; one-step RMSE model/persistence over %llu:",
                  (unsigned long long)f->err_n);
    for (int k = 0; k < PRISM_MBRL_OUT && w > 0 && (unsigned)w < len; k++)
      w += snprintf(out + w, len - (unsigned)w, " %s %.4g/%.4g", names[k],
                    sqrt(f->err_model[k] / f->err_n), sqrt(f->err_persist[k] / f->err_n));
  }
}

/* The Q-table's share of the statistics (both learning controllers). */
static void table_stats(const prism_qtable *t, prism_controller_stats *s) {
  s->total_steps = t->steps;
  s->episodes = t->episodes;
  s->n_states = t->n_states;
  s->n_actions = t->n_actions;
  for (uint32_t st = 0; st < t->n_states; st++)
    for (uint32_t a = 0; a < t->n_actions; a++)
      if (t->visits[(size_t)st * t->n_actions + a]) {
        s->states_visited++;
        break;
      }
}

static void get_stats_mbrl(const prism_mbrl *f, prism_controller_stats *s) {
  s->steps = f->ep_steps;
  s->updates = f->ep_updates;
  s->reward = f->ep_reward;
  s->epsilon = f->table.epsilon;
  table_stats(&f->table, s);
  for (int a = 0; a < PRISM_MBRL_ACTIONS && a < 16; a++) s->actions[a] = f->ep_actions[a];
  s->have_best = f->have_best;
  s->best_k = f->best_k;
  s->best_time = f->best_time;
  s->best = f->have_best ? f->best_params : f->start;
}

void prism_controller_get_stats(const prism_controller *c, prism_controller_stats *s) {
  memset(s, 0, sizeof *s);
  if (!c) return;
  if (c->mb) {
    get_stats_mbrl(c->mb, s);
    return;
  }
  const prism_fluxnet *f = c->fx;
  s->steps = f->ep_steps;
  s->updates = f->ep_updates;
  s->reward = f->ep_reward;
  s->epsilon = f->mode == PRISM_FLUX_LEARN ? f->table.epsilon : 1.0;
  table_stats(&f->table, s);
  for (int a = 0; a < PRISM_FLUX_ACTIONS && a < 16; a++) s->actions[a] = f->ep_actions[a];
  s->have_best = f->have_best;
  s->best_k = f->best_k;
  s->best_time = f->best_time;
  s->best = f->have_best ? f->best_params : f->start;
}

const char *prism_controller_action_name(int a) { return prism_mbrl_action_name(a); }
