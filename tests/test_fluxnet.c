/* test_fluxnet.c - FluxNet: the TD update, the state bucketing, the actions
 * and their bounds, exploration, the reward, the Q-table file format (round
 * trip, every kind of damage refused, atomic save), the controller kinds, and
 * end-to-end solves with learning and transfer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/controller.h"
#include "control/fluxnet.h"
#include "control/qtable.h"
#include "engine/solve.h"
#include "graph/graph.h"
#include "test.h"
#include "util/philox.h"

static int near(double a, double b) { return fabs(a - b) < 1e-12; }

/* A fresh temporary directory per call; returns its path (static buffer). */
static const char *tmpdir(void) {
  static char dir[64];
  snprintf(dir, sizeof dir, "/tmp/prism_fluxnet_XXXXXX");
  return mkdtemp(dir);
}

static int file_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

static unsigned char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *p = malloc((size_t)n + 1);
  *len = fread(p, 1, (size_t)n, f);
  fclose(f);
  return p;
}

static void write_all(const char *path, const void *p, size_t len) {
  FILE *f = fopen(path, "wb");
  fwrite(p, 1, len, f);
  fclose(f);
}

/* ---------------------------------------------------------- the update */

/* The parameter defaults with the temperature and tunneling knobs that
 * FluxNet scales set to nonzero values: the engine's defaults have them at
 * 0 (off, measured best in bench/results/tuning_2026-12-01.md), where a
 * multiplicative action has nothing to scale. */
static void flux_params_defaults(prism_params *p) {
  prism_params_defaults(p);
  p->global_temperature = 1.0;
  p->tunneling_prob_base = 0.0005;
}

PRISM_TEST(fluxnet_td_update_hand_computed, "cpu") {
  /* Q = 0.5, r = 1, max Q' = 2, alpha 0.1, gamma 0.95:
   * 0.5 + 0.1 * (1 + 0.95 * 2 - 0.5) = 0.5 + 0.1 * 2.4 = 0.74 */
  TEST_CHECK(near(prism_flux_td(0.5, 1.0, 2.0, 0.1, 0.95, 0), 0.74));
  /* terminal: the target is r alone: 0.5 + 0.1 * (1 - 0.5) = 0.55 */
  TEST_CHECK(near(prism_flux_td(0.5, 1.0, 2.0, 0.1, 0.95, 1), 0.55));
  /* alpha 1 jumps to the target, alpha 0 keeps Q */
  TEST_CHECK(near(prism_flux_td(-3.0, 0.25, 1.0, 1.0, 0.5, 0), 0.75));
  TEST_CHECK(near(prism_flux_td(-3.0, 0.25, 1.0, 0.0, 0.5, 0), -3.0));
}

PRISM_TEST(fluxnet_step_size, "cpu") {
  /* max(alpha, 1/n): 1, 1/2, ..., 1/10, then alpha 0.1 */
  TEST_CHECK(near(prism_flux_step_size(0.1, 1), 1.0));
  TEST_CHECK(near(prism_flux_step_size(0.1, 2), 0.5));
  TEST_CHECK(near(prism_flux_step_size(0.1, 4), 0.25));
  TEST_CHECK(near(prism_flux_step_size(0.1, 10), 0.1));
  TEST_CHECK(near(prism_flux_step_size(0.1, 11), 0.1));
  TEST_CHECK(near(prism_flux_step_size(0.1, 1000000), 0.1));
  TEST_CHECK(near(prism_flux_step_size(0.5, 3), 0.5));
}

PRISM_TEST(fluxnet_update_uses_known_actions, "cpu") {
  prism_params p;
  flux_params_defaults(&p);
  p.fluxnet_min_visits = 1; /* an action counts after one update */
  prism_fluxnet *f = prism_fluxnet_new(PRISM_FLUX_LEARN, &p);
  const int A = PRISM_FLUX_ACTIONS, NOOP = PRISM_FLUX_NOOP;
  double *q = f->table.q;
  /* state 7: no-op worth -1, an unvisited action holds a (stale) 5.0 that must
   * be ignored by the bootstrap max and the greedy choice */
  q[7 * A + NOOP] = -1.0;
  q[7 * A + PRISM_FLUX_TEMP_UP] = 5.0;
  TEST_CHECK(near(prism_fluxnet_max_q(f, 7), -1.0));
  TEST_CHECK_EQ(prism_fluxnet_greedy(f, 7), NOOP);
  /* state 3, first update of tun+ (step 1/1 = 1: the target itself), reward
   * 1, next state 7 (max over known = -1): 1 + 0.95 * -1 = 0.05 */
  q[3 * A + NOOP] = 0.2;
  q[3 * A + PRISM_FLUX_TUN_UP] = 99.0; /* never visited: forgotten by the 1st update */
  double eps = f->table.epsilon;
  prism_fluxnet_update(f, 3, PRISM_FLUX_TUN_UP, 1.0, 7, 0, &p);
  TEST_CHECK(near(q[3 * A + PRISM_FLUX_TUN_UP], 0.05));
  TEST_CHECK_EQ(f->table.visits[3 * A + PRISM_FLUX_TUN_UP], 1);
  TEST_CHECK_EQ(f->table.steps, 1);
  TEST_CHECK(near(f->table.epsilon, eps * p.fluxnet_epsilon_decay));
  /* known now, but worth less than no-op (0.05 < 0.2): no-op stays greedy */
  TEST_CHECK_EQ(prism_fluxnet_greedy(f, 3), NOOP);
  TEST_CHECK(near(prism_fluxnet_max_q(f, 3), 0.2));
  /* second update, terminal, reward 2, step 1/2: 0.05 + 0.5 * (2 - 0.05) = 1.025 */
  prism_fluxnet_update(f, 3, PRISM_FLUX_TUN_UP, 2.0, 7, 1, &p);
  TEST_CHECK(near(q[3 * A + PRISM_FLUX_TUN_UP], 1.025));
  /* better than no-op now: greedy and the max use it */
  TEST_CHECK_EQ(prism_fluxnet_greedy(f, 3), PRISM_FLUX_TUN_UP);
  TEST_CHECK(near(prism_fluxnet_max_q(f, 3), 1.025));
  /* from the 11th update on, the constant alpha 0.1 of the TD rule: eight
   * more terminal updates with reward 2 keep the mean of the targets... */
  for (int i = 0; i < 8; i++) prism_fluxnet_update(f, 3, PRISM_FLUX_TUN_UP, 2.0, 7, 1, &p);
  /* targets 0.05, 2 x 9: mean 1.805 */
  TEST_CHECK(near(q[3 * A + PRISM_FLUX_TUN_UP], (0.05 + 9 * 2.0) / 10));
  /* ...and the 11th: Q + 0.1 * (r + 0.95 * max Q(7) - Q), non-terminal */
  double before = q[3 * A + PRISM_FLUX_TUN_UP];
  prism_fluxnet_update(f, 3, PRISM_FLUX_TUN_UP, 0.5, 7, 0, &p);
  TEST_CHECK(near(q[3 * A + PRISM_FLUX_TUN_UP],
                  prism_flux_td(before, 0.5, -1.0, 0.1, 0.95, 0)));
  TEST_CHECK(near(q[3 * A + PRISM_FLUX_TUN_UP], before + 0.1 * (0.5 - 0.95 - before)));
  /* in an untouched state the greedy action is no-op */
  TEST_CHECK_EQ(prism_fluxnet_greedy(f, 100), NOOP);
  prism_fluxnet_free(f);
}

PRISM_TEST(fluxnet_min_visits_guard_the_greedy_choice, "cpu") {
  prism_params p;
  flux_params_defaults(&p);
  TEST_CHECK_EQ(p.fluxnet_min_visits, 30);
  p.fluxnet_min_visits = 3;
  prism_fluxnet *f = prism_fluxnet_new(PRISM_FLUX_LEARN, &p);
  const int A = PRISM_FLUX_ACTIONS;
  /* two big rewards for temp- in state 9: still not trusted */
  prism_fluxnet_update(f, 9, PRISM_FLUX_TEMP_DOWN, 4.0, 9, 1, &p);
  prism_fluxnet_update(f, 9, PRISM_FLUX_TEMP_DOWN, 6.0, 9, 1, &p);
  TEST_CHECK(near(f->table.q[9 * A + PRISM_FLUX_TEMP_DOWN], 5.0)); /* mean of 4, 6 */
  TEST_CHECK_EQ(prism_fluxnet_greedy(f, 9), PRISM_FLUX_NOOP);
  TEST_CHECK(near(prism_fluxnet_max_q(f, 9), 0.0));
  /* the third update makes it known: mean of 4, 6, 8 = 6 */
  prism_fluxnet_update(f, 9, PRISM_FLUX_TEMP_DOWN, 8.0, 9, 1, &p);
  TEST_CHECK(near(f->table.q[9 * A + PRISM_FLUX_TEMP_DOWN], 6.0));
  TEST_CHECK_EQ(prism_fluxnet_greedy(f, 9), PRISM_FLUX_TEMP_DOWN);
  TEST_CHECK(near(prism_fluxnet_max_q(f, 9), 6.0));
  prism_fluxnet_free(f);
}

/* ----------------------------------------------------------- bucketing */

static prism_telemetry telem(uint32_t k, uint32_t best_k, uint32_t conflicts, uint32_t stag) {
  prism_telemetry t;
  memset(&t, 0, sizeof t);
  t.k = k;
  t.best_k = best_k;
  t.best_conflicts = conflicts;
  t.mean_conflicts = conflicts;
  t.colors_used = k;
  t.stagnation = stag;
  return t;
}

PRISM_TEST(fluxnet_bucketing_is_relative_to_the_graph, "cpu") {
  prism_params p;
  flux_params_defaults(&p);
  /* a small and a large graph in the same relative situation: 2% conflicts
   * per vertex, k at 80% of the DSATUR start, stagnation at 75% of
   * stagnation_batches */
  prism_control_ctx small = {100, 1000, 20, 5, 1, 0}, large = {10000, 4000000, 200, 40, 1, 0};
  prism_params ps = p, pl = p;
  ps.stagnation_batches = 20;
  pl.stagnation_batches = 40;
  prism_telemetry ts = telem(16, 17, 2, 15), tl = telem(160, 161, 200, 30);
  prism_flux_features fs, fl;
  uint32_t s1 = prism_flux_state(&small, &ts, &ps, &ps, &fs);
  uint32_t s2 = prism_flux_state(&large, &tl, &pl, &pl, &fl);
  TEST_CHECK_EQ(s1, s2);
  TEST_CHECK_EQ(fs.conflict, 1); /* 0.02 in [0.01, 0.03) */
  TEST_CHECK_EQ(fs.depth, 1);    /* 0.8 in [0.8, 0.9) */
  TEST_CHECK_EQ(fs.temp, 1);     /* at the start temperature */
  TEST_CHECK_EQ(fs.stagnation, 2);
  /* the same absolute conflict count means different things */
  prism_telemetry tl2 = telem(160, 161, 2, 30);
  TEST_CHECK(prism_flux_state(&large, &tl2, &pl, &pl, &fl) != s1);
  TEST_CHECK_EQ(fl.conflict, 0);
}

PRISM_TEST(fluxnet_bucketing_features, "cpu") {
  prism_params p, start;
  flux_params_defaults(&p);
  start = p;
  prism_control_ctx ctx = {1000, 10000, 50, 10, 1, 0};
  prism_flux_features f;
  /* conflicts per vertex: 0.009 / 0.01 / 0.03 / 0.1 */
  uint32_t cuts[][2] = {{0, 0}, {9, 0}, {10, 1}, {29, 1}, {30, 2}, {99, 2}, {100, 3}, {5000, 3}};
  for (unsigned i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    prism_telemetry t = telem(40, 41, cuts[i][0], 0);
    prism_flux_state(&ctx, &t, &p, &start, &f);
    TEST_CHECK_EQ(f.conflict, cuts[i][1]);
  }
  /* k / dsatur: 50 -> 0, 45 -> 0 (0.9), 44 -> 1, 40 -> 1, 39 -> 2, 35 -> 2, 34 -> 3 */
  uint32_t ks[][2] = {{50, 0}, {45, 0}, {44, 1}, {40, 1}, {39, 2}, {35, 2}, {34, 3}, {10, 3}};
  for (unsigned i = 0; i < sizeof ks / sizeof ks[0]; i++) {
    prism_telemetry t = telem(ks[i][0], ks[i][0] + 1, 5, 0);
    prism_flux_state(&ctx, &t, &p, &start, &f);
    TEST_CHECK_EQ(f.depth, ks[i][1]);
  }
  /* temperature relative to the start: x0.8 low, x1 normal, x1.5 high */
  prism_telemetry t = telem(40, 41, 5, 0);
  p.global_temperature = 0.8;
  prism_flux_state(&ctx, &t, &p, &start, &f);
  TEST_CHECK_EQ(f.temp, 0);
  p.global_temperature = 1.5;
  prism_flux_state(&ctx, &t, &p, &start, &f);
  TEST_CHECK_EQ(f.temp, 2);
  start.global_temperature = 1.5; /* relative: the same value at the start is normal */
  prism_flux_state(&ctx, &t, &p, &start, &f);
  TEST_CHECK_EQ(f.temp, 1);
  /* stagnation with stagnation_batches 20: 0 | 1..9 | 10..39 | 40.. */
  uint32_t st[][2] = {{0, 0}, {1, 1}, {9, 1}, {10, 2}, {39, 2}, {40, 3}, {100000, 3}};
  for (unsigned i = 0; i < sizeof st / sizeof st[0]; i++) {
    prism_telemetry u = telem(40, 41, 5, st[i][0]);
    prism_flux_state(&ctx, &u, &p, &start, &f);
    TEST_CHECK_EQ(f.stagnation, st[i][1]);
  }
  t.phase_transition = 1;
  prism_flux_state(&ctx, &t, &p, &start, &f);
  TEST_CHECK_EQ(f.transition, 1);
}

PRISM_TEST(fluxnet_state_index_is_a_bijection, "cpu") {
  static uint8_t seen[PRISM_FLUX_STATES];
  memset(seen, 0, sizeof seen);
  prism_flux_features f;
  uint32_t count = 0;
  for (f.conflict = 0; f.conflict < PRISM_FLUX_CONFLICT_LEVELS; f.conflict++)
    for (f.depth = 0; f.depth < PRISM_FLUX_DEPTH_LEVELS; f.depth++)
      for (f.temp = 0; f.temp < PRISM_FLUX_TEMP_LEVELS; f.temp++)
        for (f.transition = 0; f.transition < PRISM_FLUX_TRANSITION_LEVELS; f.transition++)
          for (f.stagnation = 0; f.stagnation < PRISM_FLUX_STAG_LEVELS; f.stagnation++) {
            uint32_t s = prism_flux_state_index(&f);
            TEST_REQUIRE(s < PRISM_FLUX_STATES);
            TEST_CHECK(!seen[s]);
            seen[s] = 1;
            count++;
          }
  TEST_CHECK_EQ(count, PRISM_FLUX_STATES);
}

/* ------------------------------------------------------------- actions */

PRISM_TEST(fluxnet_actions_change_the_right_knob, "cpu") {
  prism_params start, p;
  flux_params_defaults(&start);
  p = start;
  prism_flux_apply(PRISM_FLUX_MU_UP, &p, &start); /* 0 -> the floor */
  TEST_CHECK(near(p.chemical_potential, 0.05));
  prism_flux_apply(PRISM_FLUX_MU_UP, &p, &start);
  TEST_CHECK(near(p.chemical_potential, 0.06));
  prism_flux_apply(PRISM_FLUX_MU_DOWN, &p, &start);
  TEST_CHECK(near(p.chemical_potential, 0.048));
  for (int i = 0; i < 10; i++) prism_flux_apply(PRISM_FLUX_MU_DOWN, &p, &start);
  TEST_CHECK(p.chemical_potential == 0); /* lowered below half the floor: off */
  p = start;
  prism_flux_apply(PRISM_FLUX_TUN_UP, &p, &start);
  TEST_CHECK(near(p.tunneling_prob_base, start.tunneling_prob_base * 1.5));
  p = start;
  prism_flux_apply(PRISM_FLUX_TUN_DOWN, &p, &start);
  TEST_CHECK(near(p.tunneling_prob_base, start.tunneling_prob_base * 0.7));
  p = start;
  prism_flux_apply(PRISM_FLUX_TEMP_UP, &p, &start);
  TEST_CHECK(near(p.global_temperature, 1.5));
  p = start;
  prism_flux_apply(PRISM_FLUX_TEMP_DOWN, &p, &start);
  TEST_CHECK(near(p.global_temperature, 0.8));
  p = start;
  prism_flux_apply(PRISM_FLUX_RES_UP, &p, &start);
  TEST_CHECK(near(p.reservoir_leak_rate, start.reservoir_leak_rate * 1.2));
  TEST_CHECK(near(p.stress_weight, 0.25)); /* switched on from 0 */
  prism_flux_apply(PRISM_FLUX_RES_DOWN, &p, &start);
  TEST_CHECK(near(p.reservoir_leak_rate, start.reservoir_leak_rate * 1.2 * 0.8));
  TEST_CHECK(near(p.stress_weight, 0.2));
  prism_flux_apply(PRISM_FLUX_BOOST_ON, &p, &start);
  TEST_CHECK(near(p.tunneling_prob_boost, 3.0));
  prism_flux_apply(PRISM_FLUX_BOOST_OFF, &p, &start);
  TEST_CHECK(near(p.tunneling_prob_boost, 1.0));
  prism_params q = p;
  prism_flux_apply(PRISM_FLUX_NOOP, &p, &start);
  TEST_CHECK(!memcmp(&p, &q, sizeof p));
  /* every action touches only its own knobs */
  for (int a = 0; a < PRISM_FLUX_ACTIONS; a++) {
    p = start;
    prism_flux_apply(a, &p, &start);
    prism_params r = p;
    r.chemical_potential = start.chemical_potential;
    r.tunneling_prob_base = start.tunneling_prob_base;
    r.global_temperature = start.global_temperature;
    r.reservoir_leak_rate = start.reservoir_leak_rate;
    r.stress_weight = start.stress_weight;
    r.tunneling_prob_boost = start.tunneling_prob_boost;
    TEST_CHECK(!memcmp(&r, &start, sizeof r));
  }
  TEST_CHECK(!strcmp(prism_flux_action_name(PRISM_FLUX_NOOP), "noop"));
  TEST_CHECK(!strcmp(prism_controller_action_name(PRISM_FLUX_TUN_UP), "tun+"));
}

PRISM_TEST(fluxnet_actions_clamp_through_bounds, "cpu") {
  char err[256];
  prism_params start, p;
  flux_params_defaults(&start);
  /* the knob range: within a factor fluxnet_knob_range of the start */
  p = start;
  for (int i = 0; i < 50; i++) prism_flux_apply(PRISM_FLUX_TEMP_UP, &p, &start);
  TEST_CHECK(near(p.global_temperature, start.global_temperature * start.fluxnet_knob_range));
  for (int i = 0; i < 50; i++) prism_flux_apply(PRISM_FLUX_TEMP_DOWN, &p, &start);
  TEST_CHECK(near(p.global_temperature, start.global_temperature / start.fluxnet_knob_range));
  for (int i = 0; i < 50; i++) prism_flux_apply(PRISM_FLUX_MU_UP, &p, &start);
  TEST_CHECK(near(p.chemical_potential, 0.05 * start.fluxnet_knob_range));
  /* with a huge range the parameter table's bounds hold */
  start.fluxnet_knob_range = 1000;
  start.tunneling_prob_base = 0.5;
  start.global_temperature = 50;
  start.reservoir_leak_rate = 0.9;
  start.stress_weight = 10;
  p = start;
  for (int i = 0; i < 200; i++) {
    prism_flux_apply(PRISM_FLUX_TUN_UP, &p, &start);
    prism_flux_apply(PRISM_FLUX_TEMP_UP, &p, &start);
    prism_flux_apply(PRISM_FLUX_RES_UP, &p, &start);
    prism_flux_apply(PRISM_FLUX_MU_UP, &p, &start);
  }
  TEST_CHECK(p.tunneling_prob_base == 1.0);
  TEST_CHECK(p.global_temperature == 100.0);
  TEST_CHECK(p.reservoir_leak_rate == 1.0);
  TEST_CHECK(p.stress_weight == 16.0);
  TEST_CHECK(p.chemical_potential <= 100.0);
  TEST_CHECK_EQ(prism_params_validate(&p, err, sizeof err), 0);
  /* a long random walk over all actions never leaves the table's bounds */
  flux_params_defaults(&start);
  p = start;
  prism_rng rng;
  prism_rng_init(&rng, 42, 1, 2, 3);
  for (int i = 0; i < 20000; i++) {
    prism_flux_apply((int)prism_rng_below(&rng, PRISM_FLUX_ACTIONS), &p, &start);
    if (i % 997 == 0) TEST_CHECK_EQ(prism_params_validate(&p, err, sizeof err), 0);
  }
  TEST_CHECK_EQ(prism_params_validate(&p, err, sizeof err), 0);
  TEST_CHECK(p.global_temperature <= start.global_temperature * start.fluxnet_knob_range + 1e-12);
}

/* ---------------------------------------------------------- exploration */

PRISM_TEST(fluxnet_epsilon_decay_and_floor, "cpu") {
  TEST_CHECK(near(prism_flux_epsilon_next(0.3, 0.999, 0.05), 0.2997));
  double e = 0.3;
  int steps = 0;
  while (e > 0.05 && steps < 100000) {
    e = prism_flux_epsilon_next(e, 0.999, 0.05);
    steps++;
  }
  TEST_CHECK(e == 0.05);
  /* ln(0.05 / 0.3) / ln(0.999) = 1790.9: the floor is reached at step 1791 */
  TEST_CHECK_EQ(steps, 1791);
  TEST_CHECK(prism_flux_epsilon_next(0.05, 0.999, 0.05) == 0.05);
  TEST_CHECK(prism_flux_epsilon_next(0.0, 0.999, 0.05) == 0.0); /* below the floor: kept */
  /* the learner decays once per update, from the table's defaults */
  prism_params p;
  flux_params_defaults(&p);
  TEST_CHECK(near(p.fluxnet_epsilon, 0.3));
  TEST_CHECK(near(p.fluxnet_epsilon_decay, 0.999));
  TEST_CHECK(near(p.fluxnet_epsilon_min, 0.05));
  TEST_CHECK(near(p.fluxnet_alpha, 0.1));
  TEST_CHECK(near(p.fluxnet_gamma, 0.95));
  prism_fluxnet *f = prism_fluxnet_new(PRISM_FLUX_LEARN, &p);
  for (int i = 0; i < 5000; i++) prism_fluxnet_update(f, 0, PRISM_FLUX_NOOP, 0, 0, 0, &p);
  TEST_CHECK(f->table.epsilon == 0.05);
  prism_fluxnet_free(f);
}

/* --------------------------------------------------------------- reward */

PRISM_TEST(fluxnet_reward_terms, "cpu") {
  prism_params p;
  flux_params_defaults(&p); /* stagnation_batches 20 */
  prism_telemetry a = telem(30, 31, 10, 0), b = telem(30, 31, 5, 0);
  /* halving the record: ln(11 / 6), whatever the graph size */
  TEST_CHECK(near(prism_flux_reward(&a, &b, 10, 5, &p), log(11.0 / 6.0)));
  TEST_CHECK(near(prism_flux_reward(&a, &b, 1000, 545, &p), log(1001.0 / 546.0)));
  /* no new record, 10 batches of stagnation: -0.05 * 10/20 */
  prism_telemetry c = telem(30, 31, 12, 10);
  TEST_CHECK(near(prism_flux_reward(&a, &c, 10, 10, &p), -0.025));
  /* stagnation penalty capped at 2 * 0.05 */
  c.stagnation = 1000;
  TEST_CHECK(near(prism_flux_reward(&a, &c, 10, 10, &p), -0.1));
  /* the same relative stagnation with a different stagnation_batches */
  prism_params p2 = p;
  p2.stagnation_batches = 40;
  prism_telemetry c2 = telem(30, 31, 12, 20);
  TEST_CHECK(near(prism_flux_reward(&a, &c2, 10, 10, &p2), -0.025));
  /* solved: zero conflicts and best_k == k */
  prism_telemetry s = telem(30, 30, 0, 0);
  TEST_CHECK(near(prism_flux_reward(&a, &s, 3, 0, &p), log(4.0) + 1.0));
  /* color term: a class emptied */
  prism_telemetry e = telem(30, 31, 10, 0);
  e.colors_used = 29;
  TEST_CHECK(near(prism_flux_reward(&a, &e, 10, 10, &p), 0.05));
}

/* ------------------------------------------------------- the table file */

static prism_fluxnet *filled_learner(void) {
  prism_params p;
  flux_params_defaults(&p);
  prism_fluxnet *f = prism_fluxnet_new(PRISM_FLUX_LEARN, &p);
  for (uint32_t i = 0; i < f->table.n_states * f->table.n_actions; i++) {
    f->table.q[i] = sin((double)i) * 3.5 - 0.25;
    f->table.visits[i] = i * 7u;
  }
  f->table.epsilon = 0.123;
  f->table.steps = 123456789012ull;
  f->table.episodes = 42;
  return f;
}

PRISM_TEST(fluxnet_qtable_roundtrip, "cpu") {
  const char *d = tmpdir();
  TEST_REQUIRE(d);
  char path[256], err[512];
  snprintf(path, sizeof path, "%s/q.bin", d);
  prism_fluxnet *f = filled_learner();
  TEST_REQUIRE(prism_fluxnet_save(f, path, err, sizeof err) == 0);
  prism_params p;
  flux_params_defaults(&p);
  prism_fluxnet *g = prism_fluxnet_new(PRISM_FLUX_LEARN, &p);
  TEST_REQUIRE(prism_fluxnet_load(g, path, &p, err, sizeof err) == 0);
  size_t cells = (size_t)f->table.n_states * f->table.n_actions;
  TEST_CHECK(!memcmp(f->table.q, g->table.q, cells * sizeof *f->table.q));
  TEST_CHECK(!memcmp(f->table.visits, g->table.visits, cells * sizeof *f->table.visits));
  TEST_CHECK(g->table.epsilon == 0.123);
  TEST_CHECK(g->table.steps == 123456789012ull);
  TEST_CHECK_EQ(g->table.episodes, 42);
  /* the loaded exploration rate never exceeds fluxnet_epsilon */
  p.fluxnet_epsilon = 0.01;
  TEST_REQUIRE(prism_fluxnet_load(g, path, &p, err, sizeof err) == 0);
  TEST_CHECK(g->table.epsilon == 0.01);
  /* a missing file is not an error: 1, table untouched */
  char missing[300];
  snprintf(missing, sizeof missing, "%s/none.bin", d);
  TEST_CHECK_EQ(prism_fluxnet_load(g, missing, &p, err, sizeof err), 1);
  /* byte-exact: serialise the loaded table again */
  g->table.epsilon = 0.123;
  unsigned char *a, *b;
  size_t la = prism_qtable_serialize(&f->table, &a), lb = prism_qtable_serialize(&g->table, &b);
  TEST_CHECK(la == lb && !memcmp(a, b, la));
  free(a);
  free(b);
  prism_fluxnet_free(f);
  prism_fluxnet_free(g);
  unlink(path);
  rmdir(d);
}

/* Load path into a fresh learner; returns the load's result, err filled. */
static int try_load(const char *path, char *err, unsigned len) {
  prism_params p;
  flux_params_defaults(&p);
  prism_fluxnet *g = prism_fluxnet_new(PRISM_FLUX_LEARN, &p);
  g->table.q[5] = 77;
  int rc = prism_fluxnet_load(g, path, &p, err, len);
  if (rc < 0 && g->table.q[5] != 77) rc = 99; /* a refused file changed the table */
  prism_fluxnet_free(g);
  return rc;
}

PRISM_TEST(fluxnet_qtable_refuses_damage, "cpu") {
  const char *d = tmpdir();
  TEST_REQUIRE(d);
  char path[256], bad[300], err[512];
  snprintf(path, sizeof path, "%s/q.bin", d);
  snprintf(bad, sizeof bad, "%s/bad.bin", d);
  prism_fluxnet *f = filled_learner();
  TEST_REQUIRE(prism_fluxnet_save(f, path, err, sizeof err) == 0);
  size_t len;
  unsigned char *img = read_all(path, &len);
  TEST_REQUIRE(img && len > 100);
  /* truncated, at many lengths: always refused, "truncated" */
  size_t cuts[] = {0, 3, 8, 12, 20, 27, 40, 200, len / 2, len - 5, len - 1};
  for (unsigned i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    write_all(bad, img, cuts[i]);
    TEST_CHECK_EQ(try_load(bad, err, sizeof err), -1);
    if (!strstr(err, "truncated")) printf("    cut %zu: %s\n", cuts[i], err);
    TEST_CHECK(strstr(err, "truncated") != NULL);
    TEST_CHECK(!strncmp(err, bad, strlen(bad))); /* "FILE: ..." */
  }
  /* a trailing byte */
  unsigned char *longer = malloc(len + 1);
  memcpy(longer, img, len);
  longer[len] = 0;
  write_all(bad, longer, len + 1);
  TEST_CHECK_EQ(try_load(bad, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "trailing") != NULL);
  free(longer);
  /* one flipped bit anywhere (sampled over the whole file): refused */
  for (size_t pos = 0; pos < len; pos += (pos < 64 ? 1 : 211)) {
    img[pos] ^= 0x10;
    write_all(bad, img, len);
    int rc = try_load(bad, err, sizeof err);
    if (rc != -1) printf("    flip at %zu accepted\n", pos);
    TEST_CHECK_EQ(rc, -1);
    img[pos] ^= 0x10;
  }
  /* a flipped byte in the Q values: the checksum */
  img[len - 100] ^= 0xFF;
  write_all(bad, img, len);
  TEST_CHECK_EQ(try_load(bad, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "checksum mismatch") != NULL);
  img[len - 100] ^= 0xFF;
  /* header damage: the header checksum */
  img[13] ^= 0x01; /* n_states */
  write_all(bad, img, len);
  TEST_CHECK_EQ(try_load(bad, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "checksum mismatch") != NULL);
  img[13] ^= 0x01;
  /* wrong magic */
  img[1] = 'X';
  write_all(bad, img, len);
  TEST_CHECK_EQ(try_load(bad, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "bad magic") != NULL);
  img[1] = 'P';
  write_all(bad, "hello, I am not a table\n", 24);
  TEST_CHECK_EQ(try_load(bad, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "bad magic") != NULL);
  /* another version */
  img[8] = 2;
  write_all(bad, img, len);
  TEST_CHECK_EQ(try_load(bad, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "version 2") != NULL);
  img[8] = 1;
  /* a value that is not a number (checksum right): refused */
  {
    prism_fluxnet *h = filled_learner();
    h->table.q[17] = NAN;
    TEST_REQUIRE(prism_fluxnet_save(h, bad, err, sizeof err) == 0);
    TEST_CHECK_EQ(try_load(bad, err, sizeof err), -1);
    TEST_CHECK(strstr(err, "not finite") != NULL);
    prism_fluxnet_free(h);
  }
  /* the intact image still loads */
  write_all(bad, img, len);
  TEST_CHECK_EQ(try_load(bad, err, sizeof err), 0);
  free(img);
  prism_fluxnet_free(f);
  unlink(path);
  unlink(bad);
  rmdir(d);
}

PRISM_TEST(fluxnet_qtable_refuses_layout_mismatch, "cpu") {
  const char *d = tmpdir();
  TEST_REQUIRE(d);
  char path[256], err[512];
  snprintf(path, sizeof path, "%s/q.bin", d);
  /* a valid file of another layout: 10 actions */
  prism_qtable t;
  prism_qtable_init(&t, PRISM_FLUX_STATES, 10, prism_flux_layout());
  TEST_REQUIRE(prism_qtable_save(&t, path, err, sizeof err) == 0);
  prism_qtable_free(&t);
  TEST_CHECK_EQ(try_load(path, err, sizeof err), -1);
  char want[256];
  snprintf(want, sizeof want, "layout mismatch (states %u actions 10, expected states %u actions %u)",
           PRISM_FLUX_STATES, PRISM_FLUX_STATES, PRISM_FLUX_ACTIONS);
  TEST_CHECK(strstr(err, want) != NULL);
  /* same sizes, other bucket layout text */
  prism_qtable_init(&t, PRISM_FLUX_STATES, PRISM_FLUX_ACTIONS, "fluxnet-0 something else");
  TEST_REQUIRE(prism_qtable_save(&t, path, err, sizeof err) == 0);
  prism_qtable_free(&t);
  TEST_CHECK_EQ(try_load(path, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "layout mismatch") != NULL);
  TEST_CHECK(strstr(err, "fluxnet-0 something else") != NULL);
  unlink(path);
  rmdir(d);
}

PRISM_TEST(fluxnet_qtable_fixtures, "cpu") {
  /* hand-made broken files in tests/broken_qtable/: each must be refused with
   * the message in its EXPECTED line */
  FILE *e = fopen(prism_test_path("broken_qtable/EXPECTED"), "r");
  if (!e) TEST_SKIP("tests/broken_qtable/EXPECTED not found");
  char line[512], err[512];
  int n = 0;
  while (fgets(line, sizeof line, e)) {
    char *tab = strchr(line, '\t');
    if (line[0] == '#' || !tab) continue;
    *tab = 0;
    char *want = tab + 1;
    want[strcspn(want, "\n")] = 0;
    char rel[600];
    snprintf(rel, sizeof rel, "broken_qtable/%s", line);
    int rc = try_load(prism_test_path(rel), err, sizeof err);
    if (rc != -1 || !strstr(err, want)) printf("    %s: rc %d, '%s'\n", line, rc, err);
    TEST_CHECK_EQ(rc, -1);
    TEST_CHECK(strstr(err, want) != NULL);
    n++;
  }
  fclose(e);
  TEST_CHECK(n >= 5);
}

PRISM_TEST(fluxnet_qtable_atomic_save, "cpu") {
  const char *d = tmpdir();
  TEST_REQUIRE(d);
  char path[256], tmp[300], err[512];
  snprintf(path, sizeof path, "%s/q.bin", d);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  prism_fluxnet *f = filled_learner();
  TEST_REQUIRE(prism_fluxnet_save(f, path, err, sizeof err) == 0);
  TEST_CHECK(file_exists(path));
  TEST_CHECK(!file_exists(tmp)); /* renamed away */
  /* a stale .tmp from a crashed writer is simply replaced */
  write_all(tmp, "half a table", 12);
  f->table.q[0] = 1234.5;
  TEST_REQUIRE(prism_fluxnet_save(f, path, err, sizeof err) == 0);
  TEST_CHECK(!file_exists(tmp));
  TEST_CHECK_EQ(try_load(path, err, sizeof err), 0);
  /* a save that cannot happen leaves the old file complete */
  size_t before_len = 0;
  unsigned char *before = read_all(path, &before_len);
  TEST_REQUIRE(mkdir(tmp, 0755) == 0); /* FILE.tmp is a directory: open fails */
  f->table.q[0] = -1;
  TEST_CHECK_EQ(prism_fluxnet_save(f, path, err, sizeof err), -1);
  TEST_CHECK(strstr(err, "cannot write") != NULL);
  size_t after_len = 0;
  unsigned char *after = read_all(path, &after_len);
  TEST_CHECK(before_len == after_len && !memcmp(before, after, before_len));
  free(before);
  free(after);
  rmdir(tmp);
  /* saving into a missing directory fails cleanly */
  char nodir[300];
  snprintf(nodir, sizeof nodir, "%s/no/such/dir/q.bin", d);
  TEST_CHECK_EQ(prism_fluxnet_save(f, nodir, err, sizeof err), -1);
  prism_fluxnet_free(f);
  unlink(path);
  rmdir(d);
}

/* ---------------------------------------------------------- controllers */

PRISM_TEST(fluxnet_controller_kinds, "cpu") {
  prism_params p;
  flux_params_defaults(&p);
  prism_control_ctx ctx = {100, 1000, 20, 5, 1, 0};
  char err[512];
  strcpy(err, "junk");
  TEST_CHECK(prism_controller_create("none", &p, &ctx, NULL, err, sizeof err) == NULL);
  TEST_CHECK(err[0] == 0);
  TEST_CHECK(prism_controller_create(NULL, &p, &ctx, NULL, err, sizeof err) == NULL);
  TEST_CHECK(err[0] == 0);
  TEST_CHECK(prism_controller_create("bogus", &p, &ctx, NULL, err, sizeof err) == NULL);
  TEST_CHECK(strstr(err, "unknown controller 'bogus'") != NULL);
  /* a broken table is refused at create with the file's message */
  const char *d = tmpdir();
  TEST_REQUIRE(d);
  char path[256];
  snprintf(path, sizeof path, "%s/q.bin", d);
  write_all(path, "\x89PQT\r\n\x1a\n\x01\x00", 10);
  TEST_CHECK(prism_controller_create("fluxnet", &p, &ctx, path, err, sizeof err) == NULL);
  TEST_CHECK(strstr(err, "truncated") != NULL);
  unlink(path);
  /* random and fluxnet: steps keep every parameter valid */
  const char *kinds[] = {"random", "fluxnet"};
  for (int k = 0; k < 2; k++) {
    prism_controller *c = prism_controller_create(kinds[k], &p, &ctx, path, err, sizeof err);
    TEST_REQUIRE(c != NULL);
    prism_params q = p;
    for (uint32_t b = 0; b < 3000; b++) {
      prism_telemetry t = telem(15, 16, (b * 7919u) % 40, b % 60);
      t.batch = b;
      prism_controller_step(c, &t, &q);
    }
    TEST_CHECK_EQ(prism_params_validate(&q, err, sizeof err), 0);
    prism_controller_stats st;
    prism_controller_get_stats(c, &st);
    TEST_CHECK_EQ(st.steps, 3000);
    uint64_t taken = 0;
    for (int a = 0; a < PRISM_FLUX_ACTIONS; a++) {
      taken += st.actions[a];
      if (k == 0) TEST_CHECK(st.actions[a] > 150); /* uniform: ~273 each */
    }
    TEST_CHECK_EQ(taken, 3000);
    TEST_CHECK_EQ(prism_controller_finish(c, err, sizeof err), 0);
    prism_controller_free(c);
    /* only the learning controller writes the table */
    TEST_CHECK_EQ(file_exists(path), k == 1);
  }
  TEST_CHECK_EQ(try_load(path, err, sizeof err), 0);
  unlink(path);
  rmdir(d);
}

PRISM_TEST(fluxnet_is_deterministic_for_a_seed, "cpu") {
  prism_params p;
  flux_params_defaults(&p);
  prism_control_ctx ctx = {200, 5000, 30, 8, 77, 0};
  prism_fluxnet *f[2];
  prism_params q[2];
  for (int i = 0; i < 2; i++) {
    f[i] = prism_fluxnet_new(PRISM_FLUX_LEARN, &p);
    prism_fluxnet_reset_episode(f[i], &ctx, &p);
    q[i] = p;
    for (uint32_t b = 0; b < 2000; b++) {
      uint32_t k = 25 - b / 500; /* four k, each ending solved */
      prism_telemetry t = telem(k, b % 500 == 499 ? k : k + 1, b % 500 == 499 ? 0 : 3 + (b * 31u) % 11,
                                b % 50);
      prism_fluxnet_step(f[i], &t, &q[i]);
    }
  }
  size_t cells = (size_t)f[0]->table.n_states * f[0]->table.n_actions;
  TEST_CHECK(!memcmp(f[0]->table.q, f[1]->table.q, cells * sizeof(double)));
  TEST_CHECK(!memcmp(&q[0], &q[1], sizeof q[0]));
  TEST_CHECK(f[0]->have_best && f[0]->best_k == 22);
  /* 2000 steps, four sub-episodes: no update across a solved batch */
  TEST_CHECK_EQ(f[0]->ep_updates, 2000 - 4);
  TEST_CHECK_EQ(f[0]->table.episodes, 1);
  prism_fluxnet_free(f[0]);
  prism_fluxnet_free(f[1]);
}

/* --------------------------------------------------------- end to end */

static prism_graph *gnp(uint32_t n, double p, uint64_t seed) {
  return prism_test_gnp(n, p, seed, 9);
}

static void solve_opts(prism_solve_opts *o, const char *controller, const char *qtable,
                       uint64_t seed) {
  prism_solve_opts_defaults(o);
  o->backend = PRISM_BACKEND_CPU;
  o->time_limit = 0.4; /* minimising below chi: the engine runs to the limit */
  o->seed = seed;
  o->params.batch_moves = 500;
  o->controller = controller;
  o->qtable_path = qtable;
}

PRISM_TEST(fluxnet_solve_learns_and_saves, "cpu") {
  prism_graph *g = gnp(70, 0.5, 3);
  TEST_REQUIRE(g);
  const char *d = tmpdir();
  TEST_REQUIRE(d);
  char path[256], err[512];
  snprintf(path, sizeof path, "%s/q.bin", d);
  prism_solve_opts o;
  prism_solve_result r;
  uint64_t steps[3] = {0, 0, 0};
  for (int run = 0; run < 2; run++) {
    solve_opts(&o, "fluxnet", path, 1 + run);
    TEST_REQUIRE(prism_solve(g, &o, &r, err, sizeof err) == 0);
    TEST_CHECK(r.batches > 0);
    free(r.colors);
    /* loaded at start, saved at exit: the table grows run after run */
    prism_params p;
    flux_params_defaults(&p);
    prism_fluxnet *f = prism_fluxnet_new(PRISM_FLUX_LEARN, &p);
    TEST_REQUIRE(prism_fluxnet_load(f, path, &p, err, sizeof err) == 0);
    steps[run + 1] = f->table.steps;
    TEST_CHECK(f->table.steps > steps[run]);
    TEST_CHECK_EQ(f->table.episodes, (uint64_t)run + 1);
    TEST_CHECK(f->table.epsilon < 0.3);
    prism_fluxnet_free(f);
  }
  char tmp[300];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  TEST_CHECK(!file_exists(tmp));
  /* random runs too (it neither reads nor writes a table) */
  solve_opts(&o, "random", NULL, 9);
  TEST_REQUIRE(prism_solve(g, &o, &r, err, sizeof err) == 0);
  TEST_CHECK(r.batches > 0 && r.best_k > 0);
  free(r.colors);
  unlink(path);
  rmdir(d);
  prism_graph_free(g);
}

PRISM_TEST(fluxnet_shared_learner_transfers_across_graphs, "cpu") {
  prism_graph *g1 = gnp(60, 0.5, 4), *g2 = gnp(90, 0.3, 5);
  TEST_REQUIRE(g1 && g2);
  prism_params p;
  flux_params_defaults(&p);
  prism_control_ctx ctx0 = {0};
  char err[512];
  prism_controller *c = prism_controller_create("fluxnet", &p, &ctx0, NULL, err, sizeof err);
  TEST_REQUIRE(c);
  prism_controller_share(c);
  prism_solve_opts o;
  prism_solve_result r;
  prism_controller_stats st;
  uint64_t total = 0;
  prism_graph *gs[3] = {g1, g2, g1};
  for (int i = 0; i < 3; i++) {
    solve_opts(&o, "fluxnet", "/nonexistent/dir/never-written.bin", 10 + i);
    TEST_REQUIRE(prism_solve(gs[i], &o, &r, err, sizeof err) == 0);
    free(r.colors);
    prism_controller_get_stats(c, &st);
    TEST_CHECK(st.steps > 0);
    TEST_CHECK(st.total_steps > total); /* one table keeps growing over graphs */
    TEST_CHECK_EQ(st.episodes, (uint64_t)i + 1);
    total = st.total_steps;
  }
  TEST_CHECK(st.states_visited > 0);
  prism_controller_share(NULL);
  const char *d = tmpdir();
  TEST_REQUIRE(d);
  char path[256];
  snprintf(path, sizeof path, "%s/q.bin", d);
  TEST_CHECK_EQ(prism_controller_save(c, path, err, sizeof err), 0);
  prism_controller_free(c);
  /* the saved table is the shared one */
  prism_fluxnet *f = prism_fluxnet_new(PRISM_FLUX_LEARN, &p);
  TEST_REQUIRE(prism_fluxnet_load(f, path, &p, err, sizeof err) == 0);
  TEST_CHECK(f->table.steps == total);
  TEST_CHECK_EQ(f->table.episodes, 3);
  prism_fluxnet_free(f);
  unlink(path);
  rmdir(d);
  prism_graph_free(g1);
  prism_graph_free(g2);
}
