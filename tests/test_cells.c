/* test_cells.c - islands cut into cells (engine/cell.c): HEAD pairs that
 * recombine, converge, take far elites, restart and migrate on their own.
 * The run must not depend on the thread count, the cells must actually
 * converge and restart, and a pair search must still solve. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "color/color.h"
#include "engine/engine.h"
#include "engine/replica.h"
#include "engine/solve.h"
#include "test.h"

static void solve_cells_m(const prism_graph *g, uint32_t target, int threads, int cell_size,
                          int lineages, const char *tel, prism_solve_result *r) {
  prism_solve_opts o;
  prism_solve_opts_defaults(&o);
  o.backend = PRISM_BACKEND_CPU;
  o.target_k = target;
  o.seed = 11;
  o.threads = threads;
  o.time_limit = 0;
  o.params.replicas = 10;
  o.params.islands = 2;
  o.params.cell_size = cell_size;
  o.params.lineages = lineages;
  o.params.batch_moves = 1500;
  o.params.max_batches = 60;
  o.params.stall_generations = 3; /* cells converge often */
  o.params.elite_cycle = 2;       /* and elites migrate often */
  o.params.mode = PRISM_MODE_TABUCOL;
  o.telemetry_path = tel;
  char err[256];
  TEST_REQUIRE(prism_solve(g, &o, r, err, sizeof err) == 0);
}

static void solve_cells(const prism_graph *g, uint32_t target, int threads, int cell_size,
                        const char *tel, prism_solve_result *r) {
  solve_cells_m(g, target, threads, cell_size, 0, tel, r);
}

/* Two runs made the same moves and batches and the same coloring. */
static void check_same_run(const prism_graph *g, const prism_solve_result *a,
                           const prism_solve_result *b) {
  TEST_CHECK_EQ(a->moves, b->moves);
  TEST_CHECK_EQ(a->batches, b->batches);
  TEST_CHECK_EQ(a->best_k, b->best_k);
  TEST_CHECK(memcmp(a->colors, b->colors, g->n * sizeof *a->colors) == 0);
}

PRISM_TEST(cells_same_run_any_thread_count, "cpu") {
  prism_graph *g = prism_test_gnp(180, 0.5, 21, 2);
  char tel[] = "/tmp/prism_cells_XXXXXX";
  int fd = mkstemp(tel);
  TEST_REQUIRE(fd >= 0);
  close(fd);
  prism_solve_result a, b;
  solve_cells(g, 17, 1, 2, tel, &a); /* far below: never solved, all 60 batches */
  /* the cells converged: both ways out were taken */
  const unsigned long long restarts = prism_test_telemetry_max(tel, "restarts");
  const unsigned long long inj = prism_test_telemetry_max(tel, "injections");
  printf("    5 pairs per island: %llu restarts, %llu injections in an island, %llu moves\n",
         restarts, inj, (unsigned long long)a.moves);
  TEST_CHECK(restarts > 0);
  TEST_CHECK(inj > 0);
  solve_cells(g, 17, 3, 2, NULL, &b);
  check_same_run(g, &a, &b);
  free(a.colors);
  free(b.colors);
  /* cells of 3 and 4 (10 replicas: sizes 4+3+3 and 5+5) */
  solve_cells(g, 17, 1, 3, NULL, &a);
  solve_cells(g, 17, 2, 3, NULL, &b);
  check_same_run(g, &a, &b);
  free(a.colors);
  free(b.colors);
  unlink(tel);
  prism_graph_free(g);
}

/* Pairs still solve, and what they print passes the verifier. */
PRISM_TEST(cells_pairs_solve, "cpu") {
  prism_graph *g = prism_test_gnp(150, 0.3, 5, 4);
  prism_solve_result d;
  solve_cells(g, 0, 1, 0, NULL, &d); /* the default's best in 60 batches */
  const uint32_t k = d.best_k;
  free(d.colors);
  prism_solve_result r;
  solve_cells(g, k, 2, 2, NULL, &r);
  TEST_CHECK_EQ(r.status, PRISM_STATUS_SAT);
  TEST_CHECK_EQ(r.best_k, k);
  char msg[256];
  TEST_CHECK_EQ(prism_verify(g, r.colors, r.best_k, msg, sizeof msg), 0);
  free(r.colors);
  prism_graph_free(g);
}

/* Lineages: which replicas cross which. */
PRISM_TEST(cells_lineage_parents, "cpu") {
  uint32_t par[2 * 10];
  const int64_t en[10] = {5, 3, 9, 9, 1, 7, 2, 2, 8, 0};
  /* L = R: HEAD's ring, i with i + 1 */
  prism_lineage_parents(10, 10, en, par);
  for (uint32_t i = 0; i < 10; i++) {
    TEST_CHECK_EQ(par[2 * i], i);
    TEST_CHECK_EQ(par[2 * i + 1], (i + 1) % 10);
  }
  /* 4 lineages {0,1,2} {3,4,5} {6,7} {8,9}, heads 1, 4, 6 (tie to
   * the lower index), 9 */
  prism_lineage_parents(10, 4, en, par);
  const uint32_t head[10] = {1, 1, 1, 4, 4, 4, 6, 6, 9, 9};
  const uint32_t next[10] = {4, 4, 4, 6, 6, 6, 9, 9, 1, 1};
  for (uint32_t i = 0; i < 10; i++) {
    TEST_CHECK_EQ(par[2 * i], head[i]);
    TEST_CHECK_EQ(par[2 * i + 1], next[i]);
  }
  /* one lineage: every replica takes the best coloring twice */
  prism_lineage_parents(10, 1, en, par);
  for (uint32_t i = 0; i < 20; i++) TEST_CHECK_EQ(par[i], 9u);
}

/* How many lineages a cell gets: an explicit count needs 2 replicas per
 * lineage; auto (-1) follows the graph's size, at most one lineage per 3
 * replicas and at least 2; cells of 2 or 3 replicas (the CPU default) keep
 * HEAD's ring. */
PRISM_TEST(cells_lineage_count, "cpu") {
  TEST_CHECK_EQ(prism_lineage_count(0, 500, 66), 66u);   /* the ring */
  TEST_CHECK_EQ(prism_lineage_count(5, 500, 66), 5u);
  TEST_CHECK_EQ(prism_lineage_count(5, 500, 10), 5u);
  TEST_CHECK_EQ(prism_lineage_count(5, 500, 9), 9u);     /* too small: ring */
  TEST_CHECK_EQ(prism_lineage_count(-1, 500, 66), 5u);   /* DSJC500.5 on the GPU */
  TEST_CHECK_EQ(prism_lineage_count(-1, 1000, 66), 9u);  /* DSJC1000.5: round(9.09) */
  TEST_CHECK_EQ(prism_lineage_count(-1, 2368, 66), 22u); /* wap01a: 66 / 3 */
  TEST_CHECK_EQ(prism_lineage_count(-1, 1000, 132), 9u);
  TEST_CHECK_EQ(prism_lineage_count(-1, 2368, 132), 22u); /* round(21.5) */
  TEST_CHECK_EQ(prism_lineage_count(-1, 5000, 66), 22u);  /* 66 / 3 */
  TEST_CHECK_EQ(prism_lineage_count(-1, 50, 66), 2u);    /* at least 2 */
  TEST_CHECK_EQ(prism_lineage_count(-1, 500, 16), 5u);   /* 16 CPU replicas */
  TEST_CHECK_EQ(prism_lineage_count(-1, 1000, 16), 5u);  /* 16 / 3 */
  TEST_CHECK_EQ(prism_lineage_count(-1, 300, 28), 3u);   /* round(2.73) */
  TEST_CHECK_EQ(prism_lineage_count(-1, 1000, 8), 2u);   /* 8 / 3 */
  TEST_CHECK_EQ(prism_lineage_count(-1, 1000, 9), 3u);
  TEST_CHECK_EQ(prism_lineage_count(-1, 1000, 5), 2u);
  TEST_CHECK_EQ(prism_lineage_count(-1, 1000, 4), 2u);
  TEST_CHECK_EQ(prism_lineage_count(-1, 1000, 3), 3u);   /* ring */
  TEST_CHECK_EQ(prism_lineage_count(-1, 1000, 2), 2u);   /* ring */
}

/* With lineages the run still does not depend on the thread count, it is
 * not the ring's run, and it solves (the verifier passes what it prints). */
PRISM_TEST(cells_lineages_same_run_any_thread_count, "cpu") {
  prism_graph *g = prism_test_gnp(150, 0.3, 5, 4);
  prism_solve_result d, a, b;
  solve_cells(g, 0, 1, 0, NULL, &d); /* the ring's best in 60 batches */
  const uint32_t k = d.best_k;
  /* islands of 5 replicas: 2 lineages (sizes 3 and 2) */
  solve_cells_m(g, k + 1, 1, 0, 2, NULL, &a);
  solve_cells_m(g, k + 1, 3, 0, 2, NULL, &b);
  check_same_run(g, &a, &b);
  free(a.colors);
  free(b.colors);
  solve_cells_m(g, k, 2, 0, 2, NULL, &a);
  solve_cells_m(g, k, 2, 0, 0, NULL, &b);
  printf("    k = %u: %llu moves with 2 lineages per island, %llu with the ring\n", k,
         (unsigned long long)a.moves, (unsigned long long)b.moves);
  TEST_CHECK(a.moves != b.moves || memcmp(a.colors, b.colors, g->n * sizeof *a.colors) != 0);
  TEST_CHECK_EQ(a.status, PRISM_STATUS_SAT);
  char msg[256];
  TEST_CHECK_EQ(prism_verify(g, a.colors, a.best_k, msg, sizeof msg), 0);
  free(a.colors);
  free(b.colors);
  free(d.colors);
  prism_graph_free(g);
}
