/* test_schedule.c - the k schedule (straight to -k K, or descending when
 * minimising; fresh starts after a hard k), read back from the telemetry,
 * and the adaptive modes' determinism. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "color/color.h"
#include "engine/replica.h"
#include "engine/solve.h"
#include "test.h"

/* The "k" of each telemetry line, in order (at most cap). */
static int telemetry_ks(const char *path, uint32_t *ks, int cap) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[4096];
  int n = 0;
  while (n < cap && fgets(line, sizeof line, f)) {
    const char *p = strstr(line, "\"k\":");
    if (p) ks[n++] = (uint32_t)strtoul(p + 4, NULL, 10);
  }
  fclose(f);
  return n;
}

static void solve_with(const prism_graph *g, uint32_t target, int k_schedule,
                       const char *tel, prism_solve_result *r) {
  prism_solve_opts o;
  prism_solve_opts_defaults(&o);
  o.backend = PRISM_BACKEND_CPU;
  o.target_k = target;
  o.seed = 4;
  o.time_limit = 0;
  o.params.max_batches = 12;
  o.params.batch_moves = 2000;
  o.params.k_schedule = k_schedule;
  o.params.start = 1; /* DSATUR: the descent below starts from its count */
  o.telemetry_path = tel;
  char err[256];
  TEST_REQUIRE(prism_solve(g, &o, r, err, sizeof err) == 0);
}

PRISM_TEST(schedule_straight_to_target, "cpu") {
  prism_graph *g = prism_test_gnp(200, 0.5, 12, 3);
  char tel[] = "/tmp/prism_sched_XXXXXX";
  int fd = mkstemp(tel);
  TEST_REQUIRE(fd >= 0);
  close(fd);
  /* a k well below DSATUR's: the first batch already searches at it */
  prism_solve_result r;
  solve_with(g, 1, 0, tel, &r); /* below the bound: no search at all */
  TEST_CHECK_EQ(r.status, PRISM_STATUS_UNSAT);
  free(r.colors);
  prism_solve_result d;
  solve_with(g, 0, 0, NULL, &d); /* DSATUR's count, for the target below */
  uint32_t target = d.dsatur_k - 5;
  free(d.colors);
  solve_with(g, target, 0, tel, &r);
  uint32_t ks[64];
  int n = telemetry_ks(tel, ks, 64);
  TEST_REQUIRE(n > 0);
  TEST_CHECK_EQ(ks[0], target);
  for (int i = 0; i < n; i++) TEST_CHECK(ks[i] == target);
  free(r.colors);
  /* k_schedule = 1: descends from DSATUR - 1 */
  solve_with(g, target, 1, tel, &r);
  n = telemetry_ks(tel, ks, 64);
  TEST_REQUIRE(n > 0);
  TEST_CHECK_EQ(ks[0], r.dsatur_k - 1);
  for (int i = 1; i < n; i++) TEST_CHECK(ks[i] <= ks[i - 1]); /* never up */
  free(r.colors);
  unlink(tel);
  prism_graph_free(g);
}

PRISM_TEST(schedule_minimising_descends, "cpu") {
  prism_graph *g = prism_test_gnp(150, 0.3, 2, 9);
  char tel[] = "/tmp/prism_sched_XXXXXX";
  int fd = mkstemp(tel);
  TEST_REQUIRE(fd >= 0);
  close(fd);
  prism_solve_result r;
  solve_with(g, 0, 0, tel, &r);
  uint32_t ks[64];
  int n = telemetry_ks(tel, ks, 64);
  TEST_REQUIRE(n > 1);
  TEST_CHECK_EQ(ks[0], r.dsatur_k - 1);
  /* every k searched is below the best known at that time, and the final
   * best is below DSATUR: the descent went somewhere */
  TEST_CHECK(r.best_k < r.dsatur_k);
  for (int i = 0; i < n; i++) TEST_CHECK(ks[i] < r.dsatur_k);
  TEST_CHECK_EQ(prism_verify(g, r.colors, r.best_k, NULL, 0), 0);
  free(r.colors);
  unlink(tel);
  prism_graph_free(g);
}

/* Every mode gives the same coloring with 1 and 3 threads. */
PRISM_TEST(schedule_modes_deterministic, "cpu") {
  prism_graph *g = prism_test_gnp(120, 0.4, 6, 1);
  for (int mode = 0; mode <= 2; mode++) {
    uint32_t *c[2];
    uint32_t k[2];
    for (int t = 0; t < 2; t++) {
      prism_solve_opts o;
      prism_solve_opts_defaults(&o);
      o.backend = PRISM_BACKEND_CPU;
      o.seed = 11;
      o.threads = t ? 3 : 1;
      o.params.mode = mode;
      o.params.islands = 2;
      o.params.replicas = 5;
      o.params.batch_moves = 1500;
      o.params.max_batches = 30;
      o.params.pool_size = 4;
      o.params.mode_probe = 2;
      o.params.mode_explore = 3;
      o.params.stall_generations = 4;
      prism_solve_result r;
      char err[256];
      TEST_REQUIRE(prism_solve(g, &o, &r, err, sizeof err) == 0);
      c[t] = r.colors;
      k[t] = r.best_k;
    }
    TEST_CHECK_EQ(k[0], k[1]);
    TEST_CHECK(memcmp(c[0], c[1], g->n * sizeof *c[0]) == 0);
    free(c[0]);
    free(c[1]);
  }
  prism_graph_free(g);
}

/* A batch that would run for minutes stops at the time limit: the clock is
 * read inside batches (every PRISM_STOP_EVERY iterations). The bound is
 * loose on purpose: it checks that the limit holds, not how fast. */
PRISM_TEST(schedule_time_limit_inside_batches, "cpu") {
  prism_graph *g = prism_test_gnp(400, 0.5, 3, 3);
  prism_solve_opts o;
  prism_solve_opts_defaults(&o);
  o.backend = PRISM_BACKEND_CPU;
  o.target_k = 20; /* far below what G(400, 1/2) allows: never reached */
  o.time_limit = 1.5; /* the bounds and starts fit, even under ASan on a busy machine */
  o.params.batch_moves = 100000000; /* one batch: minutes of moves */
  o.params.mode = PRISM_MODE_TABUCOL;
  prism_solve_result r;
  char err[256];
  TEST_REQUIRE(prism_solve(g, &o, &r, err, sizeof err) == 0);
  TEST_CHECK(r.seconds < 8.0);
  TEST_CHECK(r.moves > 0 && r.moves < 100000000ull);
  TEST_CHECK_EQ(r.status, PRISM_STATUS_UNKNOWN);
  free(r.colors);
  o.params.mode = PRISM_MODE_PARTIALCOL;
  TEST_REQUIRE(prism_solve(g, &o, &r, err, sizeof err) == 0);
  TEST_CHECK(r.seconds < 8.0);
  free(r.colors);
  prism_graph_free(g);
}
