/* mbrl_model.h - the MBRL world model: an ensemble of small MLPs
 * (in -> hidden tanh -> hidden tanh -> out, linear output), each trained
 * online with Adam on its own minibatches, predicting normalised targets.
 * Confidence comes from the members' disagreement (docs/mbrl.md).
 *
 * Member parameters, one flat block of n_params doubles each; the weight
 * matrices are stored transposed (input-major: the column of one input is
 * contiguous):
 *   W1T[in][hidden] b1[hidden] W2T[hidden][hidden] b2[hidden] W3T[hidden][out] b3[out]
 *
 * The output normalisation (running mean and variance of the raw targets,
 * Welford) is part of the model: the members predict (y - mean) / std.
 *
 * Model file (mbrl_model_file.c), all little-endian:
 *   header  magic "\x89PWM\r\n\x1a\n" (8 bytes), u32 version (1),
 *           u32 members, u32 in, u32 hidden, u32 out,
 *           u32 layout_len, layout_len bytes of layout text,
 *           u32 CRC-32 of every header byte before it
 *   body    u64 train_steps, u64 adam_t, f64 norm_count,
 *           f64 norm_mean[out], f64 norm_m2[out],
 *           f64 w[members * n_params], f64 m[...], f64 v[...] (Adam moments)
 *           u32 CRC-32 of every body byte before it
 * Load checks: magic, version, header CRC, shapes (within the limits), size
 * (truncated / trailing), body CRC, layout (in, out and the text must be this
 * build's), finite values. Save: FILE.tmp, fsync, rename. */
#ifndef PRISM_CONTROL_MBRL_MODEL_H
#define PRISM_CONTROL_MBRL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PRISM_MBRL_MODEL_MAGIC "\x89PWM\r\n\x1a\n"
#define PRISM_MBRL_MODEL_VERSION 1u
#define PRISM_MBRL_MAX_IN 256u
#define PRISM_MBRL_MAX_OUT 16u
#define PRISM_MBRL_MAX_HIDDEN 256u
#define PRISM_MBRL_MAX_MEMBERS 16u
#define PRISM_MBRL_MAX_LAYOUT 4096u

typedef struct prism_mbrl_model {
  uint32_t members, in, hidden, out;
  size_t n_params;  /* per member */
  double *w, *m, *v; /* members * n_params: weights, Adam moments */
  uint64_t adam_t;   /* Adam steps (bias correction), all members together */
  uint64_t train_steps;
  double norm_count;
  double norm_mean[PRISM_MBRL_MAX_OUT], norm_m2[PRISM_MBRL_MAX_OUT];
  char layout[PRISM_MBRL_MAX_LAYOUT];
} prism_mbrl_model;

/* Members initialised from (seed): uniform +-sqrt(6/(fan_in+fan_out)),
 * biases 0. Shapes must be within the limits above. */
void prism_mbrl_model_init(prism_mbrl_model *md, uint32_t members, uint32_t in, uint32_t hidden,
                           uint32_t out, const char *layout, uint64_t seed);
void prism_mbrl_model_free(prism_mbrl_model *md);

/* Member mb's prediction y[out] (normalised units) for x[in]. h1, h2
 * (hidden each, may be NULL) receive the hidden activations. */
void prism_mbrl_model_forward(const prism_mbrl_model *md, uint32_t mb, const double *x, double *y,
                              double *h1, double *h2);

/* Loss 0.5 * sum_o (y_o - t_o)^2 of member mb on (x, t) (t normalised);
 * adds dLoss/dw to g[n_params] when g is non-NULL. */
double prism_mbrl_model_loss_grad(const prism_mbrl_model *md, uint32_t mb, const double *x,
                                  const double *t, double *g);

/* One Adam step of member mb with gradient g (beta1 .9, beta2 .999, eps
 * 1e-8). The caller advances adam_t once per round of member steps. */
void prism_mbrl_model_adam(prism_mbrl_model *md, uint32_t mb, const double *g, double lr);

/* Output normalisation. */
void prism_mbrl_model_norm_update(prism_mbrl_model *md, const double *y_raw);
void prism_mbrl_model_normalise(const prism_mbrl_model *md, const double *y_raw, double *y);
void prism_mbrl_model_denormalise(const prism_mbrl_model *md, const double *y, double *y_raw);

/* Ensemble prediction for x: mean (raw units) over members, and the
 * disagreement: the mean over outputs of the members' standard deviation in
 * normalised units (0 with one member). Returns the disagreement. */
double prism_mbrl_model_predict(const prism_mbrl_model *md, const double *x, double *mean_raw);

/* Member mb's prediction in raw units. */
void prism_mbrl_model_predict_member(const prism_mbrl_model *md, uint32_t mb, const double *x,
                                     double *y_raw);

/* Files (0; 1 when the file does not exist, md unchanged; -1 with
 * "FILE: reason" in err). load: md must be initialised with this build's
 * in, out and layout; members and hidden are taken from the file. */
int prism_mbrl_model_load(prism_mbrl_model *md, const char *path, char *err, unsigned err_len);
int prism_mbrl_model_save(const prism_mbrl_model *md, const char *path, char *err,
                          unsigned err_len);
size_t prism_mbrl_model_serialize(const prism_mbrl_model *md, unsigned char **out);
/* Parse a file image (tests); same checks and results as load. */
int prism_mbrl_model_parse(prism_mbrl_model *md, const unsigned char *p, size_t size,
                           const char *path, char *err, unsigned err_len);

#ifdef __cplusplus
}
#endif

#endif
