/* mbrl_state.c - MBRL state features, actions, model targets, the simulated
 * step and the Q-table buckets (mbrl_state.h). */
#include "control/mbrl_state.h"

#include <math.h>
#include <string.h>

#include "control/fluxnet.h"

/* The knobs the actions move, with the scale each is divided by in x. */
static const struct {
  int id;
  double scale;
} knobs[PRISM_MBRL_KNOBS] = {
    {PRISM_PARAM_ID_gen_per_vertex, 30.0},      {PRISM_PARAM_ID_tabu_base, 10.0},
    {PRISM_PARAM_ID_pc_tabu_base, 10.0},        {PRISM_PARAM_ID_global_temperature, 1.0},
    {PRISM_PARAM_ID_chemical_potential, 0.1},   {PRISM_PARAM_ID_tunneling_prob_base, 0.001},
    {PRISM_PARAM_ID_reservoir_leak_rate, 0.1},  {PRISM_PARAM_ID_stress_weight, 1.0},
    {PRISM_PARAM_ID_tunneling_prob_boost, 3.0}, {PRISM_PARAM_ID_stall_generations, 30.0},
};

static const char *const extra_names[PRISM_MBRL_ACTIONS - PRISM_FLUX_ACTIONS] = {
    "tabucol", "partialcol", "adaptive", "tenure+", "tenure-", "gen+",
    "gen-",    "restart+",   "restart-", "ladder1", "ladder0"};

const char *prism_mbrl_action_name(int a) {
  if (a >= 0 && a < PRISM_FLUX_ACTIONS) return prism_flux_action_name(a);
  if (a >= PRISM_FLUX_ACTIONS && a < PRISM_MBRL_ACTIONS) return extra_names[a - PRISM_FLUX_ACTIONS];
  return "?";
}

const char *prism_mbrl_qtable_layout(void) {
  return "mbrl-1 states c=ln(1+100conf/n):4[.693,1.386,2.398] k/dsatur:4[.9,.8,.7] "
         "stag/sb:4[0,.5,2] mode:3 density:3[.1,.4] actions mu+ mu- tun+ tun- temp+ temp- "
         "res+ res- boost3 boost1 noop tabucol partialcol adaptive tenure+ tenure- gen+ gen- "
         "restart+ restart- ladder1 ladder0";
}

const char *prism_mbrl_model_layout(void) {
  return "mbrl-1 x logn/10 density degcv lb/dsatur c k/dsatur ln(1+moves)/15 stag/sb meangap "
         "pcmajor metro swap gpv/30 tabu/10 pctabu/10 temp mu/.1 tun/.001 leak/.1 stress "
         "boost/3 stall/30 mode3 + action22; y dc dk dmoves reward done";
}

void prism_mbrl_set_knobs(const prism_params *p, double *x) {
  for (int i = 0; i < PRISM_MBRL_KNOBS; i++)
    x[PRISM_MBRL_X_KNOBS + i] = prism_params_get(p, knobs[i].id) / knobs[i].scale;
  for (int m = 0; m < 3; m++) x[PRISM_MBRL_X_MODE + m] = p->mode == m;
}

void prism_mbrl_get_knobs(const double *x, const prism_params *base, prism_params *p) {
  *p = *base;
  for (int i = 0; i < PRISM_MBRL_KNOBS; i++)
    prism_params_set_clamped(p, knobs[i].id, x[PRISM_MBRL_X_KNOBS + i] * knobs[i].scale);
  int mode = 0;
  for (int m = 1; m < 3; m++)
    if (x[PRISM_MBRL_X_MODE + m] > x[PRISM_MBRL_X_MODE + mode]) mode = m;
  prism_params_set_clamped(p, PRISM_PARAM_ID_mode, mode);
}

void prism_mbrl_features(const prism_control_ctx *ctx, const prism_telemetry *t,
                         const prism_params *p, double *x) {
  const double n = ctx->n ? ctx->n : 1, dk = ctx->dsatur_k ? ctx->dsatur_k : 1;
  memset(x, 0, PRISM_MBRL_DIM * sizeof *x);
  x[PRISM_MBRL_X_LOGN] = log(n) / 10;
  x[PRISM_MBRL_X_DENSITY] = n > 1 ? 2.0 * (double)ctx->m / (n * (n - 1)) : 0;
  x[PRISM_MBRL_X_DEGREE_CV] = ctx->degree_cv;
  x[PRISM_MBRL_X_BOUND_GAP] = ctx->lower_bound / dk;
  x[PRISM_MBRL_X_CONFLICTS] = log1p(100.0 * t->best_conflicts / n);
  x[PRISM_MBRL_X_COLORS] = t->k / dk;
  x[PRISM_MBRL_X_MOVES] = log1p((double)t->moves) / 15;
  const double sb = p->stagnation_batches > 0 ? p->stagnation_batches : 1;
  const double st = t->stagnation / sb;
  x[PRISM_MBRL_X_STAGNATION] = st < 4 ? st : 4;
  x[PRISM_MBRL_X_MEAN_GAP] = log1p(100.0 * t->mean_conflicts / n) - x[PRISM_MBRL_X_CONFLICTS];
  x[PRISM_MBRL_X_PC_SHARE] = t->mode == 1;
  x[PRISM_MBRL_X_ACCEPT] = t->moves ? (double)t->metro_moves / (double)t->moves : 0;
  x[PRISM_MBRL_X_SWAP] = t->swap_acceptance;
  prism_mbrl_set_knobs(p, x);
}

/* Keep knob id within a factor fluxnet_knob_range of its start value
 * (knobs that start at 0 are left to the table's bounds). */
static void keep_in_range(prism_params *p, const prism_params *start, int id) {
  const double range = p->fluxnet_knob_range >= 1 ? p->fluxnet_knob_range : 1;
  const double s = prism_params_get(start, id), v = prism_params_get(p, id);
  if (s <= 0) return;
  if (v < s / range) prism_params_set_clamped(p, id, s / range);
  else if (v > s * range) prism_params_set_clamped(p, id, s * range);
}

static void scale_knob(prism_params *p, const prism_params *start, int id, double f) {
  const double v = prism_params_get(p, id);
  double nv = v * f;
  /* integers: move by at least one */
  if (id == PRISM_PARAM_ID_tabu_base || id == PRISM_PARAM_ID_pc_tabu_base ||
      id == PRISM_PARAM_ID_stall_generations) {
    nv = f > 1 ? ceil(nv) : floor(nv);
    if (nv == v) nv = f > 1 ? v + 1 : v - 1;
  }
  prism_params_set_clamped(p, id, nv);
  keep_in_range(p, start, id);
}

void prism_mbrl_apply(int a, prism_params *p, const prism_params *start) {
  if (a < PRISM_FLUX_ACTIONS) {
    prism_flux_apply(a, p, start);
    return;
  }
  switch (a) {
    case PRISM_MBRL_A_MODE_TABU: prism_params_set_clamped(p, PRISM_PARAM_ID_mode, 0); break;
    case PRISM_MBRL_A_MODE_PARTIAL: prism_params_set_clamped(p, PRISM_PARAM_ID_mode, 1); break;
    case PRISM_MBRL_A_MODE_ADAPTIVE: prism_params_set_clamped(p, PRISM_PARAM_ID_mode, 2); break;
    case PRISM_MBRL_A_TENURE_UP:
      scale_knob(p, start, PRISM_PARAM_ID_tabu_base, 1.5);
      scale_knob(p, start, PRISM_PARAM_ID_pc_tabu_base, 1.5);
      break;
    case PRISM_MBRL_A_TENURE_DOWN:
      scale_knob(p, start, PRISM_PARAM_ID_tabu_base, 1 / 1.5);
      scale_knob(p, start, PRISM_PARAM_ID_pc_tabu_base, 1 / 1.5);
      break;
    case PRISM_MBRL_A_GEN_UP: scale_knob(p, start, PRISM_PARAM_ID_gen_per_vertex, 1.5); break;
    case PRISM_MBRL_A_GEN_DOWN: scale_knob(p, start, PRISM_PARAM_ID_gen_per_vertex, 1 / 1.5); break;
    case PRISM_MBRL_A_RESTART_SOONER:
      if (p->stall_generations > 0) scale_knob(p, start, PRISM_PARAM_ID_stall_generations, 0.5);
      break;
    case PRISM_MBRL_A_RESTART_LATER:
      if (p->stall_generations > 0) scale_knob(p, start, PRISM_PARAM_ID_stall_generations, 2);
      break;
    case PRISM_MBRL_A_LADDER_ON:
      if (p->global_temperature < 1) prism_params_set_clamped(p, PRISM_PARAM_ID_global_temperature, 1);
      break;
    case PRISM_MBRL_A_LADDER_OFF:
      prism_params_set_clamped(p, PRISM_PARAM_ID_global_temperature, 0);
      break;
    default: break;
  }
}

void prism_mbrl_restore(prism_params *p, const prism_params *start) {
  for (int i = 0; i < PRISM_MBRL_KNOBS; i++)
    prism_params_set_clamped(p, knobs[i].id, prism_params_get(start, knobs[i].id));
  prism_params_set_clamped(p, PRISM_PARAM_ID_mode, start->mode);
}

void prism_mbrl_targets(const double *x, const double *x_next, double r, int done, double *y) {
  y[PRISM_MBRL_Y_CONFLICTS] = x_next[PRISM_MBRL_X_CONFLICTS] - x[PRISM_MBRL_X_CONFLICTS];
  y[PRISM_MBRL_Y_COLORS] = x_next[PRISM_MBRL_X_COLORS] - x[PRISM_MBRL_X_COLORS];
  y[PRISM_MBRL_Y_MOVES] = x_next[PRISM_MBRL_X_MOVES] - x[PRISM_MBRL_X_MOVES];
  y[PRISM_MBRL_Y_REWARD] = r;
  y[PRISM_MBRL_Y_DONE] = done ? 1 : 0;
}

void prism_mbrl_input(const double *x, int a, double *in) {
  memcpy(in, x, PRISM_MBRL_DIM * sizeof *x);
  for (int i = 0; i < PRISM_MBRL_ACTIONS; i++) in[PRISM_MBRL_DIM + i] = i == a;
}

void prism_mbrl_simulate(const double *x, int a, const double *y, const prism_params *start,
                         double stagnation_batches, double *x_next) {
  prism_params p;
  prism_mbrl_get_knobs(x, start, &p);
  prism_mbrl_apply(a, &p, start);
  memcpy(x_next, x, PRISM_MBRL_DIM * sizeof *x);
  double c = x[PRISM_MBRL_X_CONFLICTS] + y[PRISM_MBRL_Y_CONFLICTS];
  x_next[PRISM_MBRL_X_CONFLICTS] = c > 0 ? c : 0;
  double k = x[PRISM_MBRL_X_COLORS] + y[PRISM_MBRL_Y_COLORS];
  x_next[PRISM_MBRL_X_COLORS] = k > 0 ? k : 0;
  double mv = x[PRISM_MBRL_X_MOVES] + y[PRISM_MBRL_Y_MOVES];
  x_next[PRISM_MBRL_X_MOVES] = mv > 0 ? mv : 0;
  /* stagnation: reset by an improvement, else one more batch */
  const double sb = stagnation_batches > 0 ? stagnation_batches : 1;
  double st = y[PRISM_MBRL_Y_CONFLICTS] < -1e-3 ? 0 : x[PRISM_MBRL_X_STAGNATION] + 1 / sb;
  x_next[PRISM_MBRL_X_STAGNATION] = st < 4 ? st : 4;
  if (p.mode == 0) x_next[PRISM_MBRL_X_PC_SHARE] = 0;
  if (p.mode == 1) x_next[PRISM_MBRL_X_PC_SHARE] = 1;
  prism_mbrl_set_knobs(&p, x_next);
}

uint32_t prism_mbrl_state_index(const double *x) {
  static const double ccut[3] = {0.693, 1.386, 2.398}, kcut[3] = {0.9, 0.8, 0.7};
  uint32_t c = 0, d = 0, s, m = 0, den;
  while (c < 3 && x[PRISM_MBRL_X_CONFLICTS] >= ccut[c]) c++;
  while (d < 3 && x[PRISM_MBRL_X_COLORS] < kcut[d]) d++;
  const double st = x[PRISM_MBRL_X_STAGNATION];
  s = st <= 0 ? 0 : st < 0.5 ? 1 : st < 2 ? 2 : 3;
  for (uint32_t i = 1; i < 3; i++)
    if (x[PRISM_MBRL_X_MODE + i] > x[PRISM_MBRL_X_MODE + m]) m = i;
  const double dn = x[PRISM_MBRL_X_DENSITY];
  den = dn < 0.1 ? 0 : dn < 0.4 ? 1 : 2;
  return (((c * 4 + d) * 4 + s) * 3 + m) * 3 + den;
}
