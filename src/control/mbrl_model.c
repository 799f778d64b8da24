/* mbrl_model.c - the world-model ensemble: forward and backward passes,
 * Adam, output normalisation and the ensemble prediction (mbrl_model.h). */
#include "control/mbrl_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/check.h"
#include "util/philox.h"

/* Offsets of the blocks inside one member's parameters. */
typedef struct layout_off {
  size_t w1, b1, w2, b2, w3, b3, total;
} layout_off;

static layout_off offsets(const prism_mbrl_model *md) {
  layout_off o;
  const size_t I = md->in, H = md->hidden, O = md->out;
  o.w1 = 0;
  o.b1 = o.w1 + H * I;
  o.w2 = o.b1 + H;
  o.b2 = o.w2 + H * H;
  o.w3 = o.b2 + H;
  o.b3 = o.w3 + O * H;
  o.total = o.b3 + O;
  return o;
}

static double uniform_pm(prism_rng *r, double a) {
  return (2.0 * (prism_rng_u32(r) * (1.0 / 4294967296.0)) - 1.0) * a;
}

void prism_mbrl_model_init(prism_mbrl_model *md, uint32_t members, uint32_t in, uint32_t hidden,
                           uint32_t out, const char *layout, uint64_t seed) {
  memset(md, 0, sizeof *md);
  PRISM_ASSERT(members >= 1 && members <= PRISM_MBRL_MAX_MEMBERS);
  PRISM_ASSERT(in >= 1 && in <= PRISM_MBRL_MAX_IN && out >= 1 && out <= PRISM_MBRL_MAX_OUT);
  PRISM_ASSERT(hidden >= 1 && hidden <= PRISM_MBRL_MAX_HIDDEN);
  md->members = members;
  md->in = in;
  md->hidden = hidden;
  md->out = out;
  snprintf(md->layout, sizeof md->layout, "%s", layout ? layout : "");
  const layout_off o = offsets(md);
  md->n_params = o.total;
  const size_t all = (size_t)members * o.total;
  md->w = PRISM_CALLOC(all, sizeof *md->w);
  md->m = PRISM_CALLOC(all, sizeof *md->m);
  md->v = PRISM_CALLOC(all, sizeof *md->v);
  prism_rng rng;
  prism_rng_init(&rng, seed, 0x574D4F44u /* "WMOD" */, 0, 0);
  for (uint32_t mb = 0; mb < members; mb++) {
    double *w = md->w + (size_t)mb * o.total;
    const double a1 = sqrt(6.0 / (in + hidden)), a2 = sqrt(6.0 / (2.0 * hidden)),
                 a3 = sqrt(6.0 / (hidden + out));
    for (size_t i = 0; i < (size_t)hidden * in; i++) w[o.w1 + i] = uniform_pm(&rng, a1);
    for (size_t i = 0; i < (size_t)hidden * hidden; i++) w[o.w2 + i] = uniform_pm(&rng, a2);
    for (size_t i = 0; i < (size_t)out * hidden; i++) w[o.w3 + i] = uniform_pm(&rng, a3);
  }
}

void prism_mbrl_model_free(prism_mbrl_model *md) {
  free(md->w);
  free(md->m);
  free(md->v);
  md->w = md->m = md->v = NULL;
}

/* y = W x + b with W stored transposed (WT: C rows of R): y accumulates
 * one input's column at a time, which vectorises over y without reordering
 * any sum, and skips zero inputs (the action one-hot is mostly zeros). */
static void affine(const double *WT, const double *b, const double *x, uint32_t R, uint32_t C,
                   double *y) {
  for (uint32_t r = 0; r < R; r++) y[r] = b[r];
  for (uint32_t c = 0; c < C; c++) {
    const double xc = x[c];
    if (xc == 0) continue;
    const double *col = WT + (size_t)c * R;
    for (uint32_t r = 0; r < R; r++) y[r] += col[r] * xc;
  }
}

void prism_mbrl_model_forward(const prism_mbrl_model *md, uint32_t mb, const double *x, double *y,
                              double *h1, double *h2) {
  double a[PRISM_MBRL_MAX_HIDDEN], b[PRISM_MBRL_MAX_HIDDEN];
  const layout_off o = offsets(md);
  const double *w = md->w + (size_t)mb * md->n_params;
  const uint32_t H = md->hidden;
  affine(w + o.w1, w + o.b1, x, H, md->in, a);
  for (uint32_t j = 0; j < H; j++) a[j] = tanh(a[j]);
  affine(w + o.w2, w + o.b2, a, H, H, b);
  for (uint32_t j = 0; j < H; j++) b[j] = tanh(b[j]);
  affine(w + o.w3, w + o.b3, b, md->out, H, y);
  if (h1) memcpy(h1, a, H * sizeof *a);
  if (h2) memcpy(h2, b, H * sizeof *b);
}

double prism_mbrl_model_loss_grad(const prism_mbrl_model *md, uint32_t mb, const double *x,
                                  const double *t, double *g) {
  double h1[PRISM_MBRL_MAX_HIDDEN], h2[PRISM_MBRL_MAX_HIDDEN], y[PRISM_MBRL_MAX_OUT];
  double dy[PRISM_MBRL_MAX_OUT], d2[PRISM_MBRL_MAX_HIDDEN], d1[PRISM_MBRL_MAX_HIDDEN];
  prism_mbrl_model_forward(md, mb, x, y, h1, h2);
  double loss = 0;
  for (uint32_t k = 0; k < md->out; k++) {
    dy[k] = y[k] - t[k];
    loss += 0.5 * dy[k] * dy[k];
  }
  if (!g) return loss;
  const layout_off o = offsets(md);
  const double *w = md->w + (size_t)mb * md->n_params;
  const uint32_t H = md->hidden, I = md->in, O = md->out;
  /* the weights are stored transposed: WT[input][output] */
  /* output layer */
  for (uint32_t k = 0; k < O; k++) g[o.b3 + k] += dy[k];
  for (uint32_t j = 0; j < H; j++) {
    double *gr = g + o.w3 + (size_t)j * O;
    for (uint32_t k = 0; k < O; k++) gr[k] += h2[j] * dy[k];
  }
  /* second hidden layer: d2 = (W3^T dy) * (1 - h2^2) */
  for (uint32_t j = 0; j < H; j++) {
    const double *col = w + o.w3 + (size_t)j * O;
    double s = 0;
    for (uint32_t k = 0; k < O; k++) s += col[k] * dy[k];
    d2[j] = s * (1 - h2[j] * h2[j]);
  }
  for (uint32_t j = 0; j < H; j++) g[o.b2 + j] += d2[j];
  for (uint32_t i = 0; i < H; i++) {
    double *gr = g + o.w2 + (size_t)i * H;
    for (uint32_t j = 0; j < H; j++) gr[j] += h1[i] * d2[j];
  }
  /* first hidden layer: d1 = (W2^T d2) * (1 - h1^2) */
  for (uint32_t i = 0; i < H; i++) {
    const double *col = w + o.w2 + (size_t)i * H;
    double s = 0;
    for (uint32_t j = 0; j < H; j++) s += col[j] * d2[j];
    d1[i] = s * (1 - h1[i] * h1[i]);
    g[o.b1 + i] += d1[i];
  }
  for (uint32_t c = 0; c < I; c++) {
    if (x[c] == 0) continue;
    double *gr = g + o.w1 + (size_t)c * H;
    for (uint32_t i = 0; i < H; i++) gr[i] += x[c] * d1[i];
  }
  return loss;
}

void prism_mbrl_model_adam(prism_mbrl_model *md, uint32_t mb, const double *g, double lr) {
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const double t = (double)(md->adam_t + 1);
  const double c1 = 1 - pow(b1, t), c2 = 1 - pow(b2, t);
  double *w = md->w + (size_t)mb * md->n_params, *m = md->m + (size_t)mb * md->n_params,
         *v = md->v + (size_t)mb * md->n_params;
  for (size_t i = 0; i < md->n_params; i++) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    w[i] -= lr * (m[i] / c1) / (sqrt(v[i] / c2) + eps);
  }
}

/* ---------------------------------------------------------- normalisation */

void prism_mbrl_model_norm_update(prism_mbrl_model *md, const double *y_raw) {
  md->norm_count += 1;
  for (uint32_t k = 0; k < md->out; k++) {
    double d = y_raw[k] - md->norm_mean[k];
    md->norm_mean[k] += d / md->norm_count;
    md->norm_m2[k] += d * (y_raw[k] - md->norm_mean[k]);
  }
}

static double norm_std(const prism_mbrl_model *md, uint32_t k) {
  if (md->norm_count < 2) return 1;
  double s = sqrt(md->norm_m2[k] / md->norm_count);
  return s > 1e-3 ? s : 1e-3;
}

void prism_mbrl_model_normalise(const prism_mbrl_model *md, const double *y_raw, double *y) {
  for (uint32_t k = 0; k < md->out; k++) y[k] = (y_raw[k] - md->norm_mean[k]) / norm_std(md, k);
}

void prism_mbrl_model_denormalise(const prism_mbrl_model *md, const double *y, double *y_raw) {
  for (uint32_t k = 0; k < md->out; k++) y_raw[k] = y[k] * norm_std(md, k) + md->norm_mean[k];
}

void prism_mbrl_model_predict_member(const prism_mbrl_model *md, uint32_t mb, const double *x,
                                     double *y_raw) {
  double y[PRISM_MBRL_MAX_OUT];
  prism_mbrl_model_forward(md, mb, x, y, NULL, NULL);
  prism_mbrl_model_denormalise(md, y, y_raw);
}

double prism_mbrl_model_predict(const prism_mbrl_model *md, const double *x, double *mean_raw) {
  double sum[PRISM_MBRL_MAX_OUT] = {0}, sq[PRISM_MBRL_MAX_OUT] = {0}, y[PRISM_MBRL_MAX_OUT];
  const uint32_t E = md->members, O = md->out;
  for (uint32_t mb = 0; mb < E; mb++) {
    prism_mbrl_model_forward(md, mb, x, y, NULL, NULL);
    for (uint32_t k = 0; k < O; k++) {
      sum[k] += y[k];
      sq[k] += y[k] * y[k];
    }
  }
  double dis = 0;
  for (uint32_t k = 0; k < O; k++) {
    const double mu = sum[k] / E, var = sq[k] / E - mu * mu;
    y[k] = mu;
    dis += var > 0 ? sqrt(var) : 0;
  }
  prism_mbrl_model_denormalise(md, y, mean_raw);
  return dis / O;
}
