/* controller.c - the controllers behind controller.h: "none" (no controller),
 * "fluxnet" (Q-learning, fluxnet.c) and "random" (a uniformly random FluxNet
 * action each batch: the baseline that tells learning from mere change). */
#include "control/controller.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/fluxnet.h"
#include "util/check.h"

struct prism_controller {
  prism_fluxnet *fx;
  int owns;          /* 0: a handle on the shared learner */
  char *qtable_path; /* saved by finish (owning fluxnet controllers only) */
  int last_action;   /* of the last step (-1: none) */
  double last_reward;
};

static prism_controller *shared;

void prism_controller_share(prism_controller *c) { shared = c; }

prism_controller *prism_controller_create(const char *kind, const prism_params *p,
                                          const prism_control_ctx *ctx,
                                          const char *qtable_path, char *err,
                                          unsigned err_len) {
  if (err_len) err[0] = 0;
  if (!kind || !strcmp(kind, "none")) return NULL;
  int learn = !strcmp(kind, "fluxnet");
  if (!learn && strcmp(kind, "random")) {
    snprintf(err, err_len, "unknown controller '%s' (none, fluxnet, random)", kind);
    return NULL;
  }
  prism_controller *c = PRISM_CALLOC(1, sizeof *c);
  if (learn && shared && shared->fx->mode == PRISM_FLUX_LEARN) {
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

void prism_controller_step(prism_controller *c, const prism_telemetry *t, prism_params *p) {
  if (!c) return;
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
  if (!c || !c->owns || !c->qtable_path) return 0;
  return prism_fluxnet_save(c->fx, c->qtable_path, err, err_len);
}

void prism_controller_free(prism_controller *c) {
  if (!c) return;
  if (c->owns) prism_fluxnet_free(c->fx);
  if (shared == c) shared = NULL;
  free(c->qtable_path);
  free(c);
}

void prism_controller_reset_episode(prism_controller *c, const prism_params *p,
                                    const prism_control_ctx *ctx) {
  if (c) prism_fluxnet_reset_episode(c->fx, ctx, p);
}

int prism_controller_save(const prism_controller *c, const char *path, char *err,
                          unsigned err_len) {
  if (err_len) err[0] = 0;
  if (!c) return 0;
  return prism_fluxnet_save(c->fx, path, err, err_len);
}

void prism_controller_get_stats(const prism_controller *c, prism_controller_stats *s) {
  memset(s, 0, sizeof *s);
  if (!c) return;
  const prism_fluxnet *f = c->fx;
  s->steps = f->ep_steps;
  s->updates = f->ep_updates;
  s->reward = f->ep_reward;
  s->epsilon = f->mode == PRISM_FLUX_LEARN ? f->table.epsilon : 1.0;
  s->total_steps = f->table.steps;
  s->episodes = f->table.episodes;
  s->n_states = f->table.n_states;
  s->n_actions = f->table.n_actions;
  for (uint32_t st = 0; st < f->table.n_states; st++)
    for (uint32_t a = 0; a < f->table.n_actions; a++)
      if (f->table.visits[(size_t)st * f->table.n_actions + a]) {
        s->states_visited++;
        break;
      }
  for (int a = 0; a < PRISM_FLUX_ACTIONS && a < 16; a++) s->actions[a] = f->ep_actions[a];
  s->have_best = f->have_best;
  s->best_k = f->best_k;
  s->best_time = f->best_time;
  s->best = f->have_best ? f->best_params : f->start;
}

const char *prism_controller_action_name(int a) { return prism_flux_action_name(a); }
