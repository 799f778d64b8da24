/* test_ladder.c - the temperature ladder over all islands (params.ladder =
 * 1, src/engine/ladder.c): a run is the same whatever the thread count,
 * swaps happen, and the ladder changes the search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "engine/solve.h"
#include "test.h"

typedef struct ladder_info {
  unsigned long long sweeps, accepted, tried;
  int seen;
} ladder_info;

static void on_info(void *ctx, const char *line) {
  ladder_info *li = ctx;
  unsigned R;
  if (sscanf(line, "ladder over all %u replicas: %llu sweeps, %llu of %llu swaps accepted", &R,
             &li->sweeps, &li->accepted, &li->tried) == 4)
    li->seen = 1;
}

static void solve(const prism_graph *g, int mode, int ladder, int threads,
                  prism_solve_result *r, ladder_info *li) {
  prism_solve_opts o;
  prism_solve_opts_defaults(&o);
  o.backend = PRISM_BACKEND_CPU;
  o.seed = 5;
  o.threads = threads;
  o.time_limit = 0;
  o.params.mode = mode;
  o.params.islands = 3;
  o.params.replicas = 10; /* islands of 4, 3 and 3 */
  o.params.batch_moves = 1500;
  o.params.max_batches = 36;
  o.params.global_temperature = 1;
  o.params.ladder = ladder;
  memset(li, 0, sizeof *li);
  o.on_info = on_info;
  o.ctx = li;
  char err[256];
  TEST_REQUIRE(prism_solve(g, &o, r, err, sizeof err) == 0);
}

/* Same seed: the same moves and coloring with 1 and 2 threads, in TabuCol
 * and in the adaptive mode; swaps were tried and accepted; the global
 * ladder's run differs from the per-island ladder's. */
PRISM_TEST(ladder_global_threads_deterministic, "cpu") {
  prism_graph *g = prism_test_gnp(150, 0.5, 9, 1);
  for (int mode = 0; mode <= 2; mode += 2) {
    prism_solve_result r1, r2, r0;
    ladder_info l1, l2, l0;
    solve(g, mode, 1, 1, &r1, &l1);
    solve(g, mode, 1, 2, &r2, &l2);
    solve(g, mode, 0, 2, &r0, &l0);
    printf("    mode %d: k %u, %llu moves; ladder %llu sweeps, %llu of %llu swaps accepted; "
           "per-island ladder %llu moves\n",
           mode, r1.best_k, (unsigned long long)r1.moves, l1.sweeps, l1.accepted, l1.tried,
           (unsigned long long)r0.moves);
    TEST_CHECK(l1.seen && l2.seen && !l0.seen);
    TEST_CHECK_EQ(l1.sweeps, 12); /* 36 batches of 3 islands: 12 rounds */
    TEST_CHECK(l1.tried > 0 && l1.accepted > 0);
    TEST_CHECK_EQ(l1.tried, l2.tried);
    TEST_CHECK_EQ(l1.accepted, l2.accepted);
    TEST_CHECK_EQ(r1.moves, r2.moves);
    TEST_CHECK_EQ(r1.best_k, r2.best_k);
    TEST_CHECK(memcmp(r1.colors, r2.colors, g->n * sizeof *r1.colors) == 0);
    TEST_CHECK_EQ(prism_verify(g, r1.colors, r1.best_k, NULL, 0), 0);
    TEST_CHECK(r0.moves != r1.moves ||
               memcmp(r0.colors, r1.colors, g->n * sizeof *r1.colors) != 0);
    free(r1.colors);
    free(r2.colors);
    free(r0.colors);
  }
  prism_graph_free(g);
}
