/* test_partialcol.c - the PartialCol mode: the partial coloring stays legal,
 * the incremental state equals a rebuild after every batch, the conversions
 * to and from complete colorings, and a solve on a planted coloring. */
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "engine/replica.h"
#include "engine/solve.h"
#include "test.h"
#include "util/philox.h"

static void cfg_for(prism_batch_cfg *c, const prism_graph *g, const int32_t *omega,
                    uint32_t k) {
  memset(c, 0, sizeof *c);
  c->n = g->n;
  c->k = k;
  c->offsets = g->offsets;
  c->adj = g->adj;
  c->omega = omega;
  c->pc_tabu_base = 10;
  c->pc_alpha_fp = 154;
  c->pc_react = 1;
  c->moves = 700;
  c->seed = 9;
}

static void random_colors(uint32_t *col, uint32_t n, uint32_t k, uint64_t seed) {
  prism_rng rng;
  prism_rng_init(&rng, seed, 5, 0, 0);
  for (uint32_t v = 0; v < n; v++) col[v] = prism_rng_below(&rng, k);
}

/* No two adjacent colored vertices share a color. */
static int legal_partial(const prism_graph *g, const uint32_t *col) {
  for (uint32_t v = 0; v < g->n; v++) {
    if (col[v] == PRISM_NONE) continue;
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
      if (col[g->adj[e]] == col[v]) return 0;
  }
  return 1;
}

PRISM_TEST(partialcol_state_matches_rebuild, "cpu") {
  prism_graph *g = prism_test_gnp(150, 0.25, 3, 1);
  const uint32_t k = 12;
  int32_t *omega = malloc(g->n * sizeof *omega);
  for (uint32_t v = 0; v < g->n; v++) omega[v] = PRISM_W0;
  prism_batch_cfg c;
  cfg_for(&c, g, omega, k);
  prism_replica r;
  prism_replica_init(&r, 2, g->n, k);
  r.mode = PRISM_MODE_PARTIALCOL;
  uint32_t *col = malloc(g->n * sizeof *col);
  random_colors(col, g->n, k, 4);
  prism_replica_load(&r, &c, col, k);
  TEST_REQUIRE(legal_partial(g, r.color));
  TEST_CHECK(prism_count_conflicts(g, r.best_color) == prism_count_conflicts(g, col));
  size_t nk = (size_t)g->n * k;
  int32_t *G = malloc(nk * sizeof *G);
  uint64_t moves = 0;
  for (int b = 0; b < 15; b++) {
    prism_replica_run_batch(&r, &c);
    moves += r.moves;
    TEST_REQUIRE(legal_partial(g, r.color));
    /* incremental state == rebuild from the colors */
    memcpy(G, r.G, nk * sizeof *G);
    int64_t energy = r.energy;
    uint32_t ncv = r.ncv;
    uint32_t unc = 0;
    for (uint32_t v = 0; v < g->n; v++) unc += r.color[v] == PRISM_NONE;
    TEST_CHECK_EQ(ncv, unc);
    prism_replica_rebuild(&r, &c);
    TEST_CHECK(memcmp(G, r.G, nk * sizeof *G) == 0);
    TEST_CHECK_EQ(energy, r.energy);
    TEST_CHECK_EQ(r.energy, (int64_t)r.ncv * PRISM_EUNIT);
    for (uint32_t i = 0; i < r.ncv; i++) TEST_CHECK_EQ(r.cvpos[r.cv[i]], i);
    /* the batch's best comes out complete, colors < k */
    for (uint32_t v = 0; v < g->n; v++) TEST_REQUIRE(r.best_color[v] < k);
    TEST_CHECK_EQ(r.conflicts, r.ncv);
  }
  TEST_CHECK(moves > 0);
  free(G);
  free(col);
  free(omega);
  prism_replica_free(&r);
  prism_graph_free(g);
}

PRISM_TEST(partialcol_conversions, "cpu") {
  prism_graph *g = prism_test_gnp(200, 0.2, 8, 2);
  const uint32_t k = 10;
  uint32_t *col = malloc(g->n * sizeof *col), *scratch = malloc(k * sizeof *scratch);
  random_colors(col, g->n, k, 1);
  uint32_t before = (uint32_t)prism_count_conflicts(g, col);
  TEST_REQUIRE(before > 0);
  uint32_t *orig = malloc(g->n * sizeof *orig);
  memcpy(orig, col, g->n * sizeof *col);
  prism_partial_from_complete(g, col);
  TEST_CHECK(legal_partial(g, col));
  /* a vertex changes only if it was in conflict: it is uncolored, or it
   * moved into a class where it has no neighbour */
  uint32_t unc = 0, moved = 0;
  for (uint32_t v = 0; v < g->n; v++) {
    if (col[v] == orig[v]) continue;
    int was_conflicting = 0;
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
      was_conflicting |= orig[g->adj[e]] == orig[v];
    TEST_CHECK(was_conflicting);
    if (col[v] == PRISM_NONE)
      unc++;
    else
      moved++;
  }
  TEST_CHECK(unc > 0);
  TEST_CHECK(unc <= before); /* at most one per conflicting edge */
  /* back to complete: every vertex colored, colors kept, conflicts no worse
   * than putting the uncolored vertices back where they were */
  uint32_t *again = malloc(g->n * sizeof *again);
  memcpy(again, col, g->n * sizeof *col);
  prism_complete_from_partial(g, again, k, 3, 0, 0, scratch);
  for (uint32_t v = 0; v < g->n; v++) {
    TEST_REQUIRE(again[v] < k);
    if (col[v] != PRISM_NONE) TEST_CHECK_EQ(again[v], col[v]);
  }
  TEST_CHECK(prism_count_conflicts(g, again) <= before);
  /* deterministic for the same (seed, stream, counter) */
  uint32_t *twice = malloc(g->n * sizeof *twice);
  memcpy(twice, col, g->n * sizeof *col);
  prism_complete_from_partial(g, twice, k, 3, 0, 0, scratch);
  TEST_CHECK(memcmp(again, twice, g->n * sizeof *again) == 0);
  /* a proper coloring stays as it is */
  uint32_t *proper = malloc(g->n * sizeof *proper);
  uint32_t kd = prism_dsatur(g, proper);
  memcpy(twice, proper, g->n * sizeof *proper);
  prism_partial_from_complete(g, twice);
  TEST_CHECK(memcmp(twice, proper, g->n * sizeof *proper) == 0);
  (void)kd;
  free(proper);
  free(twice);
  free(again);
  free(orig);
  free(col);
  free(scratch);
  prism_graph_free(g);
}

/* A graph with a planted k-coloring: k classes of equal size, each edge
 * between two classes kept with probability p. */
static prism_graph *planted(uint32_t n, uint32_t k, double p, uint64_t seed) {
  prism_rng rng;
  prism_rng_init(&rng, seed, 11, 0, 0);
  uint64_t cap = 1024, m = 0;
  uint32_t *eu = malloc(cap * sizeof *eu), *ev = malloc(cap * sizeof *ev);
  const uint32_t thr = (uint32_t)(p * 4294967295.0);
  for (uint32_t u = 0; u < n; u++)
    for (uint32_t v = u + 1; v < n; v++) {
      if (u % k == v % k || prism_rng_u32(&rng) >= thr) continue;
      if (m == cap) {
        cap *= 2;
        eu = realloc(eu, cap * sizeof *eu);
        ev = realloc(ev, cap * sizeof *ev);
      }
      eu[m] = u;
      ev[m++] = v;
    }
  prism_graph *g = prism_graph_build(n, eu, ev, m, NULL);
  free(eu);
  free(ev);
  return g;
}

PRISM_TEST(partialcol_solves_planted, "cpu") {
  prism_graph *g = planted(120, 8, 0.5, 21);
  prism_solve_opts o;
  prism_solve_opts_defaults(&o);
  o.backend = PRISM_BACKEND_CPU;
  o.target_k = 8;
  o.time_limit = 30;
  o.seed = 2;
  o.params.mode = PRISM_MODE_PARTIALCOL;
  o.params.batch_moves = 3000;
  o.params.start = 1; /* DSATUR (RLF colors this planted graph with 8 at once) */
  prism_solve_result r;
  char err[256];
  TEST_REQUIRE(prism_solve(g, &o, &r, err, sizeof err) == 0);
  TEST_CHECK(r.dsatur_k > 8); /* the search had work to do */
  TEST_CHECK(r.batches > 0);
  TEST_CHECK(r.best_k <= 8);
  TEST_CHECK_EQ(prism_verify(g, r.colors, 8, NULL, 0), 0);
  free(r.colors);
  prism_graph_free(g);
}
