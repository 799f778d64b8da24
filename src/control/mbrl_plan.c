/* mbrl_plan.c - the rollout planner: C candidate first actions, each scored
 * by an H-step rollout in one ensemble member drawn for this planning step
 * (the same member for every candidate, so they are compared in one model:
 * Thompson sampling over the ensemble, at a fifth of the cost of averaging),
 * later steps keeping the configuration (no-op); the best discounted return
 * wins (ties: the earlier candidate; no-op is always the first). */
#include <string.h>

#include "control/mbrl.h"

double prism_mbrl_rollout(const prism_mbrl_model *md, uint32_t member, const double *x, int a0,
                          uint32_t horizon, double discount, const prism_params *start,
                          double stagnation_batches) {
  double cur[PRISM_MBRL_DIM], nxt[PRISM_MBRL_DIM], in[PRISM_MBRL_IN], y[PRISM_MBRL_OUT];
  memcpy(cur, x, sizeof cur);
  double ret = 0, g = 1;
  for (uint32_t h = 0; h < horizon; h++) {
    const int a = h == 0 ? a0 : PRISM_MBRL_NOOP;
    prism_mbrl_input(cur, a, in);
    prism_mbrl_model_predict_member(md, member, in, y);
    ret += g * y[PRISM_MBRL_Y_REWARD];
    if (y[PRISM_MBRL_Y_DONE] > 0.5) break;
    prism_mbrl_simulate(cur, a, y, start, stagnation_batches, nxt);
    memcpy(cur, nxt, sizeof cur);
    g *= discount;
  }
  return ret;
}

int prism_mbrl_plan(prism_mbrl *f, const double *x, const prism_params *p) {
  int cand[PRISM_MBRL_ACTIONS];
  uint32_t C = (uint32_t)p->mbrl_candidates;
  /* candidates: no-op first, then a random subset of the others */
  int rest[PRISM_MBRL_ACTIONS - 1], nr = 0;
  for (int a = 0; a < PRISM_MBRL_ACTIONS; a++)
    if (a != PRISM_MBRL_NOOP) rest[nr++] = a;
  if (C > PRISM_MBRL_ACTIONS) C = PRISM_MBRL_ACTIONS;
  cand[0] = PRISM_MBRL_NOOP;
  for (uint32_t i = 1; i < C; i++) { /* partial Fisher-Yates */
    const uint32_t j = i - 1 + prism_rng_below(&f->rng, (uint32_t)nr - (i - 1));
    const int tmp = rest[i - 1];
    rest[i - 1] = rest[j];
    rest[j] = tmp;
    cand[i] = rest[i - 1];
  }
  const uint32_t member = prism_rng_below(&f->rng, f->model.members);
  int best = cand[0];
  double best_ret = 0;
  for (uint32_t i = 0; i < C; i++) {
    const double r = prism_mbrl_rollout(&f->model, member, x, cand[i],
                                        (uint32_t)p->mbrl_horizon, p->mbrl_discount, &f->start,
                                        p->stagnation_batches);
    if (i == 0 || r > best_ret) {
      best_ret = r;
      best = cand[i];
    }
  }
  return best;
}
