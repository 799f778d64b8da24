/* test_mbrl.c - the MBRL controller: the world model's gradients against
 * finite differences, Adam fitting, the experience ring, the model file
 * (round trip, every corruption refused, tests/broken_model), Dyna changing
 * Q-values, the planner on a hand-built model, the actions, and solves with
 * --controller mbrl. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/controller.h"
#include "control/fluxnet.h"
#include "control/mbrl.h"
#include "control/qtable.h"
#include "engine/solve.h"
#include "test.h"

static const char *tmpdir(void) {
  static char dir[64];
  snprintf(dir, sizeof dir, "/tmp/prism_mbrl_XXXXXX");
  return mkdtemp(dir);
}

static int file_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

static double urand(prism_rng *r) { return prism_rng_u32(r) * (1.0 / 4294967296.0); }

/* ------------------------------------------------------------ the model */

PRISM_TEST(mbrl_model_gradient_matches_finite_differences, "cpu") {
  prism_mbrl_model md;
  prism_mbrl_model_init(&md, 2, 7, 6, 3, "test", 5);
  prism_rng r;
  prism_rng_init(&r, 3, 1, 0, 0);
  /* biases nonzero too, so that their gradients are exercised */
  for (size_t i = 0; i < 2 * md.n_params; i++) md.w[i] += 0.1 * (urand(&r) - 0.5);
  double x[7], t[3];
  for (int i = 0; i < 7; i++) x[i] = 2 * urand(&r) - 1;
  for (int i = 0; i < 3; i++) t[i] = 2 * urand(&r) - 1;
  double *g = calloc(md.n_params, sizeof *g);
  TEST_REQUIRE(g);
  for (uint32_t mb = 0; mb < 2; mb++) {
    memset(g, 0, md.n_params * sizeof *g);
    prism_mbrl_model_loss_grad(&md, mb, x, t, g);
    double worst = 0;
    for (size_t i = 0; i < md.n_params; i++) {
      double *w = md.w + mb * md.n_params + i, keep = *w, h = 1e-6;
      *w = keep + h;
      double lp = prism_mbrl_model_loss_grad(&md, mb, x, t, NULL);
      *w = keep - h;
      double lm = prism_mbrl_model_loss_grad(&md, mb, x, t, NULL);
      *w = keep;
      double num = (lp - lm) / (2 * h), err = fabs(num - g[i]) / (1e-6 + fabs(num) + fabs(g[i]));
      if (err > worst) worst = err;
    }
    if (worst > 1e-5) printf("    member %u: worst relative gradient error %g\n", mb, worst);
    TEST_CHECK(worst < 1e-5);
  }
  /* gradients accumulate (a minibatch is a sum) */
  double *g2 = calloc(md.n_params, sizeof *g2);
  TEST_REQUIRE(g2);
  prism_mbrl_model_loss_grad(&md, 0, x, t, g2);
  prism_mbrl_model_loss_grad(&md, 0, x, t, g2);
  memset(g, 0, md.n_params * sizeof *g);
  prism_mbrl_model_loss_grad(&md, 0, x, t, g);
  for (size_t i = 0; i < md.n_params; i++) TEST_CHECK(fabs(g2[i] - 2 * g[i]) < 1e-12);
  free(g);
  free(g2);
  prism_mbrl_model_free(&md);
}

PRISM_TEST(mbrl_model_adam_fits_a_function, "cpu") {
  /* y = (x0 * x1, sin(x2)) on [-1, 1]^3: the loss must fall by 10x */
  prism_mbrl_model md;
  prism_mbrl_model_init(&md, 1, 3, 16, 2, "test", 7);
  prism_rng r;
  prism_rng_init(&r, 11, 2, 0, 0);
  double *g = malloc(md.n_params * sizeof *g);
  TEST_REQUIRE(g);
  double first = 0, last = 0;
  for (int step = 0; step < 3000; step++) {
    memset(g, 0, md.n_params * sizeof *g);
    double loss = 0;
    for (int b = 0; b < 16; b++) {
      double x[3] = {2 * urand(&r) - 1, 2 * urand(&r) - 1, 2 * urand(&r) - 1};
      double t[2] = {x[0] * x[1], sin(x[2])};
      loss += prism_mbrl_model_loss_grad(&md, 0, x, t, g);
    }
    for (size_t i = 0; i < md.n_params; i++) g[i] /= 16;
    prism_mbrl_model_adam(&md, 0, g, 0.01);
    md.adam_t++;
    if (step < 50) first += loss;
    if (step >= 2950) last += loss;
  }
  TEST_CHECK(last < first / 10);
  free(g);
  prism_mbrl_model_free(&md);
}

PRISM_TEST(mbrl_model_disagreement_and_normalisation, "cpu") {
  prism_mbrl_model md;
  prism_mbrl_model_init(&md, 3, 4, 8, 2, "test", 9);
  double x[4] = {0.5, -0.2, 0.1, 0.9}, y[2];
  TEST_CHECK(prism_mbrl_model_predict(&md, x, y) > 0); /* different random members */
  memcpy(md.w + md.n_params, md.w, md.n_params * sizeof *md.w);
  memcpy(md.w + 2 * md.n_params, md.w, md.n_params * sizeof *md.w);
  TEST_CHECK(prism_mbrl_model_predict(&md, x, y) < 1e-12); /* identical members agree */
  /* normalisation: mean and population std of what was seen */
  const double ys[4][2] = {{1, 10}, {3, 10}, {5, 10}, {7, 10}};
  for (int i = 0; i < 4; i++) prism_mbrl_model_norm_update(&md, ys[i]);
  double n[2], back[2];
  prism_mbrl_model_normalise(&md, ys[3], n);
  TEST_CHECK(fabs(n[0] - 3 / sqrt(5.0)) < 1e-12); /* (7 - 4) / sqrt(5) */
  TEST_CHECK(fabs(n[1]) < 1e-9);                  /* constant: std floored, no division by 0 */
  prism_mbrl_model_denormalise(&md, n, back);
  TEST_CHECK(fabs(back[0] - 7) < 1e-12 && fabs(back[1] - 10) < 1e-9);
  prism_mbrl_model_free(&md);
}

/* ------------------------------------------------------------ the buffer */

PRISM_TEST(mbrl_buffer_wraps_around, "cpu") {
  prism_mbrl_buffer b;
  prism_mbrl_buffer_init(&b, 5, 2);
  for (int i = 0; i < 12; i++) {
    double s[2] = {i, -i}, s2[2] = {i + 0.5, 0};
    TEST_CHECK_EQ(prism_mbrl_buffer_push(&b, s, i % 3, s2, i * 0.25, i == 11), i % 5);
    TEST_CHECK_EQ(b.count, i + 1 < 5 ? i + 1 : 5);
  }
  TEST_CHECK_EQ(b.head, 2);
  TEST_CHECK_EQ(b.inserted, 12);
  /* slot i holds the last transition written there: 10, 11, 7, 8, 9 */
  const int want[5] = {10, 11, 7, 8, 9};
  for (uint32_t i = 0; i < 5; i++) {
    TEST_CHECK(prism_mbrl_buffer_state(&b, i)[0] == want[i]);
    TEST_CHECK(prism_mbrl_buffer_state(&b, i)[1] == -want[i]);
    TEST_CHECK(prism_mbrl_buffer_next(&b, i)[0] == want[i] + 0.5);
    TEST_CHECK_EQ(b.a[i], want[i] % 3);
    TEST_CHECK(b.r[i] == want[i] * 0.25);
    TEST_CHECK_EQ(b.done[i], want[i] == 11);
  }
  prism_mbrl_buffer_free(&b);
}

PRISM_TEST(mbrl_buffer_insert_is_constant_work, "cpu") {
  /* O(1) insert: no reallocation, and a push into a full ring writes exactly
   * one slot (every other byte of the storage is unchanged) */
  prism_mbrl_buffer b;
  prism_mbrl_buffer_init(&b, 64, 3);
  double s[3] = {1, 2, 3};
  for (int i = 0; i < 64; i++) {
    s[0] = i;
    prism_mbrl_buffer_push(&b, s, 1, s, 0, 0);
  }
  double *keep_s = b.s, *copy = malloc(64 * 3 * sizeof *copy);
  TEST_REQUIRE(copy);
  memcpy(copy, b.s, 64 * 3 * sizeof *copy);
  s[0] = 1000;
  uint32_t slot = prism_mbrl_buffer_push(&b, s, 2, s, 0, 0);
  TEST_CHECK(b.s == keep_s);
  int changed = 0;
  for (int i = 0; i < 64 * 3; i++) changed += b.s[i] != copy[i];
  TEST_CHECK_EQ(changed, 1);
  TEST_CHECK(b.s[slot * 3] == 1000);
  free(copy);
  prism_mbrl_buffer_free(&b);
}

PRISM_TEST(mbrl_buffer_samples_uniformly, "cpu") {
  prism_mbrl_buffer b;
  prism_mbrl_buffer_init(&b, 50, 1);
  double s = 0;
  for (int i = 0; i < 80; i++) prism_mbrl_buffer_push(&b, &s, 0, &s, 0, 0); /* wrapped */
  prism_rng r;
  prism_rng_init(&r, 5, 3, 0, 0);
  uint32_t hist[50] = {0};
  const uint32_t N = 100000;
  for (uint32_t i = 0; i < N; i++) {
    uint32_t k = prism_mbrl_buffer_sample(&b, &r);
    TEST_REQUIRE(k < 50);
    hist[k]++;
  }
  /* chi-square with 49 degrees of freedom: 99.9% below 85.4 */
  double chi = 0, e = N / 50.0;
  for (int k = 0; k < 50; k++) chi += (hist[k] - e) * (hist[k] - e) / e;
  TEST_CHECK(chi < 85.4);
  prism_mbrl_buffer_free(&b);
}

/* ------------------------------------------------------------ the file */

static void small_model(prism_mbrl_model *md) {
  prism_mbrl_model_init(md, 2, PRISM_MBRL_IN, 8, PRISM_MBRL_OUT, prism_mbrl_model_layout(), 3);
  double y[PRISM_MBRL_OUT] = {0.1, 0, 0.01, -0.2, 0};
  for (int i = 0; i < 5; i++) {
    y[0] = 0.1 * i;
    prism_mbrl_model_norm_update(md, y);
  }
  for (size_t i = 0; i < md->members * md->n_params; i++) {
    md->m[i] = 1e-3 * (double)(i % 7);
    md->v[i] = 1e-6 * (double)(i % 5);
  }
  md->adam_t = 42;
  md->train_steps = 42;
}

static int parse_into_fresh(const unsigned char *p, size_t n, char *err, unsigned len) {
  prism_mbrl_model md;
  prism_mbrl_model_init(&md, 5, PRISM_MBRL_IN, 64, PRISM_MBRL_OUT, prism_mbrl_model_layout(), 1);
  int rc = prism_mbrl_model_parse(&md, p, n, "m.wm", err, len);
  prism_mbrl_model_free(&md);
  return rc;
}

PRISM_TEST(mbrl_model_file_round_trip, "cpu") {
  const char *d = tmpdir();
  TEST_REQUIRE(d);
  char path[256], tmp[300], err[512];
  snprintf(path, sizeof path, "%s/m.wm", d);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  prism_mbrl_model a, b;
  small_model(&a);
  TEST_REQUIRE(prism_mbrl_model_save(&a, path, err, sizeof err) == 0);
  TEST_CHECK(!file_exists(tmp));
  /* b starts with other shapes: the file's are taken */
  prism_mbrl_model_init(&b, 5, PRISM_MBRL_IN, 64, PRISM_MBRL_OUT, prism_mbrl_model_layout(), 9);
  TEST_REQUIRE(prism_mbrl_model_load(&b, path, err, sizeof err) == 0);
  TEST_CHECK_EQ(b.members, 2);
  TEST_CHECK_EQ(b.hidden, 8);
  unsigned char *sa, *sb;
  size_t la = prism_mbrl_model_serialize(&a, &sa), lb = prism_mbrl_model_serialize(&b, &sb);
  TEST_CHECK(la == lb && !memcmp(sa, sb, la));
  double x[PRISM_MBRL_IN] = {0}, ya[PRISM_MBRL_OUT], yb[PRISM_MBRL_OUT];
  x[3] = 0.5;
  x[PRISM_MBRL_DIM + 2] = 1;
  prism_mbrl_model_predict(&a, x, ya);
  prism_mbrl_model_predict(&b, x, yb);
  TEST_CHECK(!memcmp(ya, yb, sizeof ya));
  /* a missing file is no error and changes nothing */
  char missing[300];
  snprintf(missing, sizeof missing, "%s/none.wm", d);
  TEST_CHECK_EQ(prism_mbrl_model_load(&b, missing, err, sizeof err), 1);
  free(sa);
  free(sb);
  prism_mbrl_model_free(&a);
  prism_mbrl_model_free(&b);
  unlink(path);
  rmdir(d);
}

static void put32(unsigned char *p, uint32_t x) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(x >> (8 * i));
}

PRISM_TEST(mbrl_model_file_corruptions_refused, "cpu") {
  prism_mbrl_model a;
  small_model(&a);
  unsigned char *img;
  size_t len = prism_mbrl_model_serialize(&a, &img);
  const size_t header = 8 + 24 + strlen(a.layout) + 4;
  char err[512];
  unsigned char *c = malloc(len + 8);
  TEST_REQUIRE(c);
  TEST_CHECK_EQ(parse_into_fresh(img, len, err, sizeof err), 0);
  /* every truncation */
  const size_t cuts[] = {0, 4, 8, 20, 32, header - 1, header, header + 100, len / 2, len - 1};
  for (unsigned i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    TEST_CHECK_EQ(parse_into_fresh(img, cuts[i], err, sizeof err), -1);
    if (!strstr(err, "truncated")) printf("    cut %zu: %s\n", cuts[i], err);
    TEST_CHECK(strstr(err, "m.wm: truncated") != NULL);
  }
  /* trailing bytes */
  memcpy(c, img, len);
  c[len] = 0;
  TEST_CHECK_EQ(parse_into_fresh(c, len + 1, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "trailing bytes") != NULL);
  /* a flipped bit anywhere: header or body checksum */
  const size_t flips[] = {40, header - 2, header + 3, header + 500, len - 5};
  for (unsigned i = 0; i < sizeof flips / sizeof flips[0]; i++) {
    memcpy(c, img, len);
    c[flips[i]] ^= 0x10;
    TEST_CHECK_EQ(parse_into_fresh(c, len, err, sizeof err), -1);
    TEST_CHECK(strstr(err, flips[i] < header ? "checksum mismatch in the header"
                                             : "checksum mismatch (corrupted file)") != NULL);
  }
  /* magic, version */
  memcpy(c, img, len);
  c[1] = 'X';
  TEST_CHECK_EQ(parse_into_fresh(c, len, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "bad magic") != NULL);
  memcpy(c, img, len);
  put32(c + 8, 2);
  TEST_CHECK_EQ(parse_into_fresh(c, len, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "unsupported model version 2") != NULL);
  /* other shapes or layout (valid checksums): refused by name */
  prism_mbrl_model o;
  unsigned char *oi;
  prism_mbrl_model_init(&o, 1, PRISM_MBRL_IN - 1, 4, PRISM_MBRL_OUT, prism_mbrl_model_layout(), 1);
  size_t ol = prism_mbrl_model_serialize(&o, &oi);
  TEST_CHECK_EQ(parse_into_fresh(oi, ol, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "shape mismatch") != NULL);
  free(oi);
  prism_mbrl_model_free(&o);
  prism_mbrl_model_init(&o, 1, PRISM_MBRL_IN, 4, PRISM_MBRL_OUT, "another layout", 1);
  ol = prism_mbrl_model_serialize(&o, &oi);
  TEST_CHECK_EQ(parse_into_fresh(oi, ol, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "layout mismatch") != NULL);
  free(oi);
  prism_mbrl_model_free(&o);
  /* a NaN weight with a correct checksum */
  a.w[3] = NAN;
  free(img);
  len = prism_mbrl_model_serialize(&a, &img);
  TEST_CHECK_EQ(parse_into_fresh(img, len, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "corrupt value") != NULL);
  free(c);
  free(img);
  prism_mbrl_model_free(&a);
}

PRISM_TEST(mbrl_model_fixtures, "cpu") {
  /* hand-made broken files in tests/broken_model/ (bench-free: made by
   * tests/broken_model/make.py from a valid tiny model): each must be
   * refused with the message in its EXPECTED line */
  FILE *e = fopen(prism_test_path("broken_model/EXPECTED"), "r");
  if (!e) TEST_SKIP("tests/broken_model/EXPECTED not found");
  char line[512], err[512];
  int n = 0;
  while (fgets(line, sizeof line, e)) {
    char *tab = strchr(line, '\t');
    if (line[0] == '#' || !tab) continue;
    *tab = 0;
    char *want = tab + 1;
    want[strcspn(want, "\n")] = 0;
    char rel[600];
    snprintf(rel, sizeof rel, "broken_model/%s", line);
    prism_mbrl_model md;
    prism_mbrl_model_init(&md, 5, PRISM_MBRL_IN, 64, PRISM_MBRL_OUT, prism_mbrl_model_layout(), 1);
    int rc = prism_mbrl_model_load(&md, prism_test_path(rel), err, sizeof err);
    prism_mbrl_model_free(&md);
    if (rc != -1 || !strstr(err, want)) printf("    %s: rc %d, '%s'\n", line, rc, err);
    TEST_CHECK_EQ(rc, -1);
    TEST_CHECK(strstr(err, want) != NULL);
    n++;
  }
  fclose(e);
  TEST_CHECK(n >= 5);
}

/* ------------------------------------------------------ actions, state */

PRISM_TEST(mbrl_actions_move_the_engine_knobs, "cpu") {
  prism_params p, start;
  prism_params_defaults(&start);
  p = start;
  prism_mbrl_apply(PRISM_MBRL_A_MODE_PARTIAL, &p, &start);
  TEST_CHECK_EQ(p.mode, 1);
  prism_mbrl_apply(PRISM_MBRL_A_MODE_TABU, &p, &start);
  TEST_CHECK_EQ(p.mode, 0);
  prism_mbrl_apply(PRISM_MBRL_A_TENURE_UP, &p, &start);
  TEST_CHECK_EQ(p.tabu_base, 15);
  TEST_CHECK_EQ(p.pc_tabu_base, 15);
  prism_mbrl_apply(PRISM_MBRL_A_GEN_DOWN, &p, &start);
  TEST_CHECK(fabs(p.gen_per_vertex - 20) < 1e-9);
  prism_mbrl_apply(PRISM_MBRL_A_RESTART_SOONER, &p, &start);
  TEST_CHECK_EQ(p.stall_generations, 15);
  prism_mbrl_apply(PRISM_MBRL_A_LADDER_ON, &p, &start);
  TEST_CHECK(p.global_temperature == 1);
  prism_mbrl_apply(PRISM_MBRL_A_LADDER_OFF, &p, &start);
  TEST_CHECK(p.global_temperature == 0);
  /* bounded: within fluxnet_knob_range (4) of the start */
  for (int i = 0; i < 20; i++) prism_mbrl_apply(PRISM_MBRL_A_GEN_UP, &p, &start);
  TEST_CHECK(fabs(p.gen_per_vertex - 120) < 1e-9);
  /* the state vector gives the knobs back exactly */
  double x[PRISM_MBRL_DIM] = {0};
  prism_mbrl_set_knobs(&p, x);
  prism_params q;
  prism_mbrl_get_knobs(x, &start, &q);
  TEST_CHECK(!memcmp(&p, &q, sizeof p));
  prism_mbrl_restore(&p, &start);
  TEST_CHECK(!memcmp(&p, &start, sizeof p));
  /* no-op changes nothing */
  prism_mbrl_apply(PRISM_MBRL_NOOP, &p, &start);
  TEST_CHECK(!memcmp(&p, &start, sizeof p));
}

PRISM_TEST(mbrl_state_has_instance_and_search_features, "cpu") {
  prism_params p;
  prism_params_defaults(&p);
  prism_control_ctx a = {125, 3875, 20, 10, 1, 0.1}, b = {125, 3875, 20, 16, 1, 0.4};
  prism_telemetry t;
  memset(&t, 0, sizeof t);
  t.k = 18;
  t.best_k = 19;
  t.best_conflicts = 5;
  t.mean_conflicts = 8;
  t.moves = 20000;
  t.stagnation = 10;
  double xa[PRISM_MBRL_DIM], xb[PRISM_MBRL_DIM];
  prism_mbrl_features(&a, &t, &p, xa);
  prism_mbrl_features(&b, &t, &p, xb);
  TEST_CHECK(fabs(xa[PRISM_MBRL_X_DENSITY] - 0.5) < 1e-12);
  TEST_CHECK(xa[PRISM_MBRL_X_BOUND_GAP] == 0.5 && xb[PRISM_MBRL_X_BOUND_GAP] == 0.8);
  TEST_CHECK(xa[PRISM_MBRL_X_DEGREE_CV] != xb[PRISM_MBRL_X_DEGREE_CV]);
  TEST_CHECK(fabs(xa[PRISM_MBRL_X_COLORS] - 0.9) < 1e-12);
  TEST_CHECK(fabs(xa[PRISM_MBRL_X_STAGNATION] - 0.5) < 1e-12);
  TEST_CHECK(xa[PRISM_MBRL_X_MODE + 2] == 1); /* adaptive by default */
  TEST_CHECK(prism_mbrl_state_index(xa) < PRISM_MBRL_STATES);
  /* the simulated step: an improvement resets stagnation, actions move knobs */
  double y[PRISM_MBRL_OUT] = {-0.5, 0, 0, 0.1, 0}, xn[PRISM_MBRL_DIM];
  prism_mbrl_simulate(xa, PRISM_MBRL_A_MODE_PARTIAL, y, &p, p.stagnation_batches, xn);
  TEST_CHECK(fabs(xn[PRISM_MBRL_X_CONFLICTS] - (xa[PRISM_MBRL_X_CONFLICTS] - 0.5)) < 1e-12);
  TEST_CHECK(xn[PRISM_MBRL_X_STAGNATION] == 0);
  TEST_CHECK(xn[PRISM_MBRL_X_MODE + 1] == 1 && xn[PRISM_MBRL_X_PC_SHARE] == 1);
  y[0] = 0;
  prism_mbrl_simulate(xa, PRISM_MBRL_NOOP, y, &p, p.stagnation_batches, xn);
  TEST_CHECK(fabs(xn[PRISM_MBRL_X_STAGNATION] - 0.55) < 1e-12);
}

/* ----------------------------------------------------- Dyna, the planner */

/* A learner whose buffer holds n transitions of a toy world. */
static prism_mbrl *toy_learner(prism_params *p, uint32_t n) {
  prism_params_defaults(p);
  p->mbrl_ensemble = 2;
  p->mbrl_hidden = 8;
  prism_mbrl *f = prism_mbrl_new(p);
  prism_control_ctx ctx = {100, 2000, 12, 6, 3, 0.2};
  prism_mbrl_reset_episode(f, &ctx, p);
  prism_rng r;
  prism_rng_init(&r, 21, 0, 0, 0);
  for (uint32_t i = 0; i < n; i++) {
    double x[PRISM_MBRL_DIM] = {0}, x2[PRISM_MBRL_DIM];
    x[PRISM_MBRL_X_CONFLICTS] = 3 * urand(&r);
    x[PRISM_MBRL_X_COLORS] = 0.8;
    x[PRISM_MBRL_X_DENSITY] = 0.4;
    prism_mbrl_set_knobs(p, x);
    memcpy(x2, x, sizeof x);
    x2[PRISM_MBRL_X_CONFLICTS] *= 0.9;
    const int a = (int)prism_rng_below(&r, PRISM_MBRL_ACTIONS);
    double y[PRISM_MBRL_OUT];
    prism_mbrl_targets(x, x2, a == PRISM_MBRL_A_GEN_UP ? 1.0 : 0.0, 0, y);
    prism_mbrl_model_norm_update(&f->model, y);
    prism_mbrl_buffer_push(&f->buf, x, a, x2, y[PRISM_MBRL_Y_REWARD], 0);
  }
  return f;
}

PRISM_TEST(mbrl_dyna_changes_q_values, "cpu") {
  prism_params p;
  prism_mbrl *f = toy_learner(&p, 200);
  for (int i = 0; i < 200; i++) prism_mbrl_train(f, &p);
  const size_t cells = (size_t)PRISM_MBRL_STATES * PRISM_MBRL_ACTIONS;
  for (size_t i = 0; i < cells; i++) TEST_REQUIRE(f->table.q[i] == 0);
  TEST_CHECK_EQ(prism_mbrl_dyna(f, 500, &p), 500);
  size_t changed = 0;
  for (size_t i = 0; i < cells; i++) changed += f->table.q[i] != 0;
  TEST_CHECK(changed > 20);
  /* the model learned that gen+ pays in this world: Dyna alone (no real
   * update) makes it the greedy action in the states the buffer covers */
  for (int i = 0; i < 20; i++) prism_mbrl_dyna(f, 500, &p);
  const uint32_t s = prism_mbrl_state_index(prism_mbrl_buffer_state(&f->buf, 0));
  TEST_CHECK_EQ(prism_mbrl_greedy(f, s), PRISM_MBRL_A_GEN_UP);
  for (size_t i = 0; i < cells; i++) TEST_CHECK(f->table.visits[i] == 0); /* no real visits */
  prism_mbrl_free(f);
}

PRISM_TEST(mbrl_dyna_weight_follows_confidence, "cpu") {
  /* the same learner and draws, once with a confident model (large
   * mbrl_conf_scale: confidence ~1) and once with a doubtful one (tiny scale:
   * confidence ~0): the doubtful model's synthetic updates move Q much less */
  prism_params p;
  double moved[2] = {0, 0};
  const double scale[2] = {1000.0, 0.01};
  for (int run = 0; run < 2; run++) {
    prism_mbrl *f = toy_learner(&p, 100);
    for (int i = 0; i < 50; i++) prism_mbrl_train(f, &p);
    p.mbrl_conf_scale = scale[run];
    prism_mbrl_dyna(f, 300, &p);
    for (size_t i = 0; i < (size_t)PRISM_MBRL_STATES * PRISM_MBRL_ACTIONS; i++)
      moved[run] += fabs(f->table.q[i]);
    prism_mbrl_free(f);
  }
  TEST_CHECK(moved[0] > 0);
  TEST_CHECK(moved[1] < 0.5 * moved[0]);
}

/* A hand-built single-member model: hidden unit j carries action j's
 * one-hot through two tanh layers; the reward output is value[a] * tanh(tanh(1));
 * the other outputs are 0 (done: -1, never). */
static void toy_model(prism_mbrl_model *md, const double *value) {
  prism_mbrl_model_init(md, 1, PRISM_MBRL_IN, 32, PRISM_MBRL_OUT, prism_mbrl_model_layout(), 1);
  memset(md->w, 0, md->n_params * sizeof *md->w);
  const size_t H = 32, I = PRISM_MBRL_IN;
  const size_t w1 = 0, b1 = H * I, w2 = b1 + H, b2 = w2 + H * H, w3 = b2 + H, b3 = w3 + 5 * H;
  (void)b1;
  (void)b2;
  for (size_t j = 0; j < PRISM_MBRL_ACTIONS; j++) {
    md->w[w1 + (PRISM_MBRL_DIM + j) * H + j] = 1; /* transposed: W1T[in][hidden] */
    md->w[w2 + j * H + j] = 1;
    md->w[w3 + j * 5 + PRISM_MBRL_Y_REWARD] = value[j];
  }
  md->w[b3 + PRISM_MBRL_Y_DONE] = -1;
}

PRISM_TEST(mbrl_planner_picks_the_best_action_of_a_toy_model, "cpu") {
  prism_params p;
  prism_params_defaults(&p);
  p.mbrl_candidates = PRISM_MBRL_ACTIONS;
  p.mbrl_horizon = 10;
  p.mbrl_discount = 0.99;
  prism_mbrl *f = prism_mbrl_new(&p);
  prism_control_ctx ctx = {100, 2000, 12, 6, 3, 0.2};
  prism_mbrl_reset_episode(f, &ctx, &p);
  double value[PRISM_MBRL_ACTIONS];
  prism_rng r;
  prism_rng_init(&r, 8, 0, 0, 0);
  for (int trial = 0; trial < 5; trial++) {
    int best = (int)prism_rng_below(&r, PRISM_MBRL_ACTIONS);
    for (int a = 0; a < PRISM_MBRL_ACTIONS; a++) value[a] = urand(&r) - 0.5;
    value[best] = 1;
    prism_mbrl_model_free(&f->model);
    toy_model(&f->model, value);
    double x[PRISM_MBRL_DIM] = {0};
    x[PRISM_MBRL_X_CONFLICTS] = 1;
    prism_mbrl_set_knobs(&p, x);
    /* one rollout: value[a0] h + sum_{i=1..9} 0.99^i value[noop] h */
    const double h = tanh(tanh(1.0));
    double want = value[best] * h;
    for (int i = 1; i < 10; i++) want += pow(0.99, i) * value[PRISM_MBRL_NOOP] * h;
    double got = prism_mbrl_rollout(&f->model, 0, x, best, 10, 0.99, &p, p.stagnation_batches);
    TEST_CHECK(fabs(got - want) < 1e-9);
    TEST_CHECK_EQ(prism_mbrl_plan(f, x, &p), best);
  }
  /* done ends a rollout: only the first reward counts */
  f->model.w[f->model.n_params - PRISM_MBRL_OUT + PRISM_MBRL_Y_DONE] = 5;
  double x[PRISM_MBRL_DIM] = {0};
  prism_mbrl_set_knobs(&p, x);
  double got = prism_mbrl_rollout(&f->model, 0, x, 0, 10, 0.99, &p, p.stagnation_batches);
  TEST_CHECK(fabs(got - value[0] * tanh(tanh(1.0))) < 1e-9);
  prism_mbrl_free(f);
}

/* ------------------------------------------------------------ end to end */

static void mbrl_opts(prism_solve_opts *o, const char *q, const char *m, uint64_t seed) {
  prism_solve_opts_defaults(o);
  o->backend = PRISM_BACKEND_CPU;
  o->time_limit = 0;
  o->seed = seed;
  o->params.batch_moves = 300;
  o->params.max_batches = 120;
  o->params.mbrl_warmup = 16;
  o->params.mbrl_plan_conf = 0; /* plan whenever the model is warm */
  o->params.mbrl_ensemble = 2;
  o->params.mbrl_hidden = 16;
  o->controller = "mbrl";
  o->qtable_path = q;
  o->model_path = m;
}

PRISM_TEST(mbrl_solve_learns_saves_and_is_deterministic, "cpu") {
  prism_graph *g = prism_test_gnp(70, 0.5, 3, 9);
  TEST_REQUIRE(g);
  const char *d = tmpdir();
  TEST_REQUIRE(d);
  char q[256], m[256], err[512];
  snprintf(q, sizeof q, "%s/q.qt", d);
  snprintf(m, sizeof m, "%s/m.wm", d);
  prism_solve_opts o;
  prism_solve_result r[3];
  for (int run = 0; run < 3; run++) {
    mbrl_opts(&o, run < 2 ? NULL : q, run < 2 ? NULL : m, 5);
    o.threads = run == 1 ? 2 : 1;
    TEST_REQUIRE(prism_solve(g, &o, &r[run], err, sizeof err) == 0);
    TEST_CHECK(r[run].best_k > 0 && r[run].batches > 0);
  }
  /* same seed: same result whatever the thread count (no file involved) */
  TEST_CHECK_EQ(r[0].best_k, r[1].best_k);
  TEST_CHECK_EQ(r[0].moves, r[1].moves);
  TEST_CHECK(!memcmp(r[0].colors, r[1].colors, g->n * sizeof *r[0].colors));
  TEST_CHECK(file_exists(q) && file_exists(m));
  /* both files load into a fresh learner; the Q-table has real updates */
  prism_params p;
  prism_params_defaults(&p);
  p.mbrl_ensemble = 2;
  p.mbrl_hidden = 16;
  prism_mbrl *f = prism_mbrl_new(&p);
  TEST_CHECK(prism_mbrl_load(f, q, m, err, sizeof err) == 0);
  TEST_CHECK(f->table.steps > 50);
  TEST_CHECK(f->model.train_steps > 50);
  prism_mbrl_free(f);
  for (int run = 0; run < 3; run++) free(r[run].colors);
  unlink(q);
  unlink(m);
  rmdir(d);
  prism_graph_free(g);
}

PRISM_TEST(mbrl_controller_plans_and_runs_dyna, "cpu") {
  prism_params p;
  prism_params_defaults(&p);
  p.mbrl_warmup = 8;
  p.mbrl_plan_conf = 0;
  p.mbrl_ensemble = 2;
  p.mbrl_hidden = 8;
  p.fluxnet_epsilon = 0;
  p.fluxnet_epsilon_min = 0;
  prism_control_ctx ctx = {100, 2000, 12, 6, 3, 0.2};
  char err[256];
  prism_controller *c = prism_controller_create_with_model("mbrl", &p, &ctx, NULL, NULL, err,
                                                          sizeof err);
  TEST_REQUIRE(c);
  prism_params q = p;
  for (uint32_t b = 0; b < 60; b++) {
    prism_telemetry t;
    memset(&t, 0, sizeof t);
    t.k = 11;
    t.best_k = 12;
    t.best_conflicts = 20 - b / 4;
    t.mean_conflicts = 25;
    t.moves = 10000;
    t.stagnation = b % 4;
    t.batch_us = 1000;
    prism_controller_step(c, &t, &q);
  }
  char line[512];
  prism_controller_describe(c, line, sizeof line);
  unsigned long long plans = 0, dyna = 0;
  TEST_CHECK(sscanf(line, "mbrl: %llu plans", &plans) == 1 && plans > 40);
  const char *dy = strstr(line, " batch time), ");
  TEST_CHECK(dy && sscanf(dy, " batch time), %llu Dyna", &dyna) == 1 && dyna > 40 * 5 - 1);
  TEST_CHECK(strstr(line, "one-step RMSE model/persistence") != NULL);
  char v[512];
  TEST_CHECK(prism_params_validate(&q, v, sizeof v) == 0); /* every knob in bounds */
  prism_controller_free(c);
}
