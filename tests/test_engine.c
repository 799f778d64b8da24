/* test_engine.c - the CPU engine: replica invariants, GPX, dissolution,
 * telemetry helpers, determinism and end-to-end solves. */
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "engine/engine.h"
#include "engine/replica.h"
#include "engine/solve.h"
#include "graph/read.h"
#include "test.h"
#include "util/philox.h"

/* G(n, p) from the Philox stream: edge {u,v} when a draw is below p*2^32. */
static prism_graph *random_graph(uint32_t n, double p, uint64_t seed) {
  return prism_test_gnp(n, p, seed, 7);
}

typedef struct fixture {
  prism_graph *g;
  prism_batch_cfg cfg;
  int32_t *omega;
  uint32_t *metro;
} fixture;

static void fixture_init(fixture *f, prism_graph *g, uint32_t k, int potentials) {
  memset(f, 0, sizeof *f);
  f->g = g;
  f->omega = malloc(g->n * sizeof *f->omega);
  for (uint32_t v = 0; v < g->n; v++)
    f->omega[v] = potentials ? PRISM_W0 + (int32_t)(v % 5) * 3 : PRISM_W0;
  f->metro = malloc(PRISM_METRO_LEVELS * sizeof *f->metro);
  for (uint32_t d = 0; d < PRISM_METRO_LEVELS; d++)
    f->metro[d] = d < 32 ? (uint32_t)(4294967295.0 / (1.0 + d)) : 0;
  prism_batch_cfg *c = &f->cfg;
  c->n = g->n;
  c->k = k;
  c->offsets = g->offsets;
  c->adj = g->adj;
  c->omega = f->omega;
  c->mu = potentials ? 5 : 0;
  c->beta = potentials ? 3 : 0;
  c->tun_thr = potentials ? 40000000u : 0;
  c->max_chain = 50;
  c->tabu_base = 10;
  c->alpha_fp = 154;
  c->moves = 500;
  c->seed = 42;
}

static void fixture_free(fixture *f) {
  free(f->omega);
  free(f->metro);
  prism_graph_free(f->g);
}

static void random_coloring(uint32_t *col, uint32_t n, uint32_t k, uint64_t seed) {
  prism_rng rng;
  prism_rng_init(&rng, seed, 3, 0, 0);
  for (uint32_t v = 0; v < n; v++) col[v] = prism_rng_below(&rng, k);
}

/* The incremental state must equal a rebuild from the colors alone. */
static int replica_consistent(prism_replica *r, const prism_batch_cfg *c) {
  size_t nk = (size_t)r->n * r->k;
  int32_t *G = malloc(nk * sizeof *G);
  memcpy(G, r->G, nk * sizeof *G);
  int64_t energy = r->energy;
  uint32_t ncv = r->ncv;
  prism_replica_rebuild(r, c);
  int ok = !memcmp(G, r->G, nk * sizeof *G) && energy == r->energy && ncv == r->ncv;
  for (uint32_t i = 0; i < r->ncv; i++) ok &= r->cv[r->cvpos[r->cv[i]]] == r->cv[i];
  free(G);
  return ok;
}

/* Replica id of k colors on the fixture's graph, loaded with a random
 * coloring (seed), with a random belief (seed + 1) when potentials are on.
 * Returns a scratch array of n colors (the caller frees it). */
static uint32_t *replica_start(prism_replica *r, const fixture *f, uint32_t id, uint32_t k,
                               int potentials, uint64_t seed) {
  prism_replica_init(r, id, f->g->n, k);
  r->metro_thr = f->metro;
  uint32_t *col = malloc(f->g->n * sizeof *col);
  random_coloring(col, f->g->n, k, seed);
  prism_replica_load(r, &f->cfg, col, k);
  if (potentials) {
    r->belief = malloc(f->g->n * sizeof *r->belief);
    random_coloring(r->belief, f->g->n, k, seed + 1);
    prism_replica_rebuild(r, &f->cfg);
  }
  return col;
}

static void check_invariants(int potentials) {
  fixture f;
  fixture_init(&f, random_graph(120, 0.3, 5), 9, potentials);
  prism_replica r;
  uint32_t *col = replica_start(&r, &f, 0, 9, potentials, 1);
  uint64_t tunnels = 0, metro = 0;
  for (int b = 0; b < 20; b++) {
    prism_replica_run_batch(&r, &f.cfg);
    tunnels += r.tunnels;
    metro += r.metro_moves;
    TEST_REQUIRE(replica_consistent(&r, &f.cfg));
    TEST_CHECK_EQ(r.ncv == 0, r.solved || prism_count_conflicts(f.g, r.color) == 0);
    TEST_CHECK(r.best_energy <= r.energy);
  }
  TEST_CHECK(metro > 0);
  if (potentials) TEST_CHECK(tunnels > 0);
  prism_replica_free(&r);
  free(col);
  fixture_free(&f);
}

/* The energy change of moving v to col (replica.h). */
static int64_t rule_delta(const prism_replica *r, const prism_batch_cfg *c, uint32_t v,
                          uint32_t col) {
  const int32_t *row = r->G + (size_t)v * r->k;
  const uint32_t a = r->color[v];
  int64_t d = (int64_t)c->omega[v] * (row[col] - row[a]);
  if (col == c->k - 1) d += c->mu;
  if (a == c->k - 1) d -= c->mu;
  if (r->belief && c->beta) d += (col != r->belief[v] ? c->beta : 0) - (a != r->belief[v] ? c->beta : 0);
  return d;
}

/* One TabuCol iteration by the rule of replica.h, written out plainly:
 * every allowed move of every conflicting vertex, the least (delta,
 * mix32(v ^ vsalt), mix32((v k + c) ^ salt)); the random move; Metropolis.
 * Out: the move taken (*mv = PRISM_NONE: none) and whether it was the
 * random one. */
static void rule_move(const prism_replica *r, const prism_batch_cfg *c, uint32_t *mv,
                      uint32_t *mc, int *metro, uint32_t *tied) {
  const uint32_t k = r->k;
  prism_u32x4 ctr = {{r->id, 0, (uint32_t)r->iter, (uint32_t)(r->iter >> 32)}};
  const prism_u32x4 A = prism_philox4x32(ctr, (uint32_t)c->seed, (uint32_t)(c->seed >> 32));
  ctr.v[1] = 1;
  const prism_u32x4 B = prism_philox4x32(ctr, (uint32_t)c->seed, (uint32_t)(c->seed >> 32));
  const uint32_t it = (uint32_t)(r->iter - r->tabu_epoch);
  const int64_t slack = r->best_energy - r->energy;
  int64_t bd = INT64_MAX;
  uint32_t bv = PRISM_NONE, bc = 0, bvk = 0, bck = 0, rv = PRISM_NONE, rk = 0;
  for (uint32_t v = 0; v < r->n; v++) {
    if (r->G[(size_t)v * k + r->color[v]] == 0) continue; /* not conflicting */
    const uint32_t h = prism_mix32(v ^ A.v[1]);
    if (rv == PRISM_NONE || h < rk) {
      rv = v;
      rk = h;
    }
    for (uint32_t col = 0; col < k; col++) {
      if (col == r->color[v]) continue;
      const int64_t d = rule_delta(r, c, v, col);
      if (r->tabu[(size_t)v * k + col] > it && d >= slack) continue;
      const uint32_t vk = prism_mix32(v ^ B.v[3]), ck = prism_mix32((v * k + col) ^ A.v[0]);
      if (bv == PRISM_NONE || d < bd || (d == bd && (vk < bvk || (vk == bvk && ck < bck)))) {
        bd = d;
        bv = v;
        bc = col;
        bvk = vk;
        bck = ck;
      }
    }
  }
  *mv = bv;
  *mc = bc;
  *metro = 0;
  *tied = 0; /* vertices other than bv with an allowed move of delta bd */
  for (uint32_t v = 0; v < r->n && bv != PRISM_NONE; v++) {
    if (v == bv || r->G[(size_t)v * k + r->color[v]] == 0) continue;
    for (uint32_t col = 0; col < k; col++) {
      if (col == r->color[v]) continue;
      const int64_t d = rule_delta(r, c, v, col);
      if (d == bd && !(r->tabu[(size_t)v * k + col] > it && d >= slack)) {
        (*tied)++;
        break;
      }
    }
  }
  if (rv == PRISM_NONE) return;
  uint32_t rc = (uint32_t)(((uint64_t)A.v[2] * (k - 1)) >> 32);
  if (rc >= r->color[rv]) rc++;
  const int64_t dr = rule_delta(r, c, rv, rc);
  const int allowed = !(r->tabu[(size_t)rv * k + rc] > it && dr >= slack);
  if (!allowed || (rv == bv && rc == bc)) return;
  int accept = dr <= bd;
  if (!accept) accept = dr - bd < PRISM_METRO_LEVELS && A.v[3] < r->metro_thr[dr - bd];
  if (accept) {
    *mv = rv;
    *mc = rc;
    *metro = 1;
  }
}

/* The batch takes, iteration by iteration, the move of the rule above
 * (weights and potentials on and off; no tunneling: its chain is checked
 * by engine_kempe_keeps_conflicts). */
static void check_rule(int potentials) {
  fixture f;
  fixture_init(&f, random_graph(90, 0.3, 9), 8, potentials);
  f.cfg.tun_thr = 0;
  f.cfg.moves = 1;
  prism_replica r;
  uint32_t *col = replica_start(&r, &f, 5, 8, potentials, 4);
  uint32_t metro = 0, ties = 0, iters = 0;
  for (int b = 0; b < 3000 && r.ncv > 0; b++) {
    uint32_t mv, mc;
    int m;
    uint32_t tied;
    rule_move(&r, &f.cfg, &mv, &mc, &m, &tied);
    ties += tied > 0; /* the vertex-first order decided */
    memcpy(col, r.color, f.g->n * sizeof *col);
    prism_replica_run_batch(&r, &f.cfg);
    iters++;
    uint32_t changed = 0, cv = PRISM_NONE;
    for (uint32_t v = 0; v < f.g->n; v++)
      if (col[v] != r.color[v]) {
        changed++;
        cv = v;
      }
    TEST_REQUIRE(changed == (mv == PRISM_NONE ? 0u : 1u));
    if (mv != PRISM_NONE) {
      TEST_REQUIRE(cv == mv);
      TEST_REQUIRE(r.color[mv] == mc);
    }
    TEST_REQUIRE(r.metro_moves == (uint64_t)m);
    metro += (uint32_t)m;
  }
  TEST_CHECK(iters > 100);
  TEST_CHECK(metro > 0);
  /* measured: 2015 of 3000 iterations had a tie plain, 129 with weights */
  TEST_CHECK(ties > (potentials ? 20u : iters / 4));
  prism_replica_free(&r);
  free(col);
  fixture_free(&f);
}

PRISM_TEST(engine_tabucol_move_rule_plain, "cpu") { check_rule(0); }
PRISM_TEST(engine_tabucol_move_rule_potentials, "cpu") { check_rule(1); }

PRISM_TEST(engine_replica_incremental_state_plain, "cpu") { check_invariants(0); }
PRISM_TEST(engine_replica_incremental_state_potentials, "cpu") { check_invariants(1); }

PRISM_TEST(engine_replica_reaches_zero_conflicts, "cpu") {
  fixture f;
  fixture_init(&f, random_graph(100, 0.1, 9), 6, 0);
  prism_replica r;
  prism_replica_init(&r, 0, f.g->n, 6);
  r.metro_thr = f.metro;
  uint32_t *col = malloc(f.g->n * sizeof *col);
  random_coloring(col, f.g->n, 6, 3);
  prism_replica_load(&r, &f.cfg, col, 6);
  for (int b = 0; b < 200 && !r.solved; b++) prism_replica_run_batch(&r, &f.cfg);
  TEST_REQUIRE(r.solved);
  TEST_CHECK(prism_verify(f.g, r.color, 6, NULL, 0) == 0);
  TEST_CHECK_EQ(prism_replica_conflicts(&r, &f.cfg), 0);
  prism_replica_free(&r);
  free(col);
  fixture_free(&f);
}

PRISM_TEST(engine_replica_deterministic, "cpu") {
  fixture f;
  fixture_init(&f, random_graph(80, 0.4, 11), 8, 1);
  prism_replica a, b;
  prism_replica_init(&a, 3, f.g->n, 8);
  prism_replica_init(&b, 3, f.g->n, 8);
  a.metro_thr = b.metro_thr = f.metro;
  uint32_t *col = malloc(f.g->n * sizeof *col);
  random_coloring(col, f.g->n, 8, 4);
  prism_replica_load(&a, &f.cfg, col, 8);
  prism_replica_load(&b, &f.cfg, col, 8);
  for (int i = 0; i < 5; i++) {
    prism_replica_run_batch(&a, &f.cfg);
    prism_replica_run_batch(&b, &f.cfg);
  }
  TEST_CHECK(!memcmp(a.color, b.color, f.g->n * sizeof *col));
  TEST_CHECK_EQ(a.energy, b.energy);
  TEST_CHECK_EQ(a.iter, b.iter);
  prism_replica_free(&a);
  prism_replica_free(&b);
  free(col);
  fixture_free(&f);
}

PRISM_TEST(engine_kempe_keeps_conflicts, "cpu") {
  /* tunneling on every iteration, chains unbounded: conflicts never change
   * through a Kempe move, so with no tabu moves the count is constant */
  fixture f;
  fixture_init(&f, random_graph(60, 0.2, 13), 4, 0);
  f.cfg.tun_thr = UINT32_MAX;
  f.cfg.max_chain = 1000000;
  prism_replica r;
  prism_replica_init(&r, 1, f.g->n, 4);
  r.metro_thr = f.metro;
  uint32_t *col = malloc(f.g->n * sizeof *col);
  random_coloring(col, f.g->n, 4, 5);
  prism_replica_load(&r, &f.cfg, col, 4);
  uint32_t before = prism_replica_conflicts(&r, &f.cfg);
  prism_replica_run_batch(&r, &f.cfg);
  TEST_CHECK(r.tunnels > 0);
  TEST_CHECK_EQ(r.moves, 0);
  TEST_CHECK_EQ(prism_replica_conflicts(&r, &f.cfg), before);
  TEST_CHECK(memcmp(col, r.color, f.g->n * sizeof *col) != 0);
  TEST_CHECK(replica_consistent(&r, &f.cfg));
  prism_replica_free(&r);
  free(col);
  fixture_free(&f);
}

PRISM_TEST(engine_gpx_child_is_partition, "cpu") {
  enum { N = 200, K = 7 };
  uint32_t p1[N], p2[N], child[N], scratch[2 * N + 2 * K];
  random_coloring(p1, N, K, 1);
  random_coloring(p2, N, K, 2);
  prism_gpx(N, K, p1, p2, child, 9, 0, 1, scratch);
  for (int v = 0; v < N; v++) TEST_CHECK(child[v] < K);
  /* class 0 of the child is the largest class of p1 */
  uint32_t size[K] = {0}, best = 0;
  for (int v = 0; v < N; v++) size[p1[v]]++;
  for (int c = 1; c < K; c++)
    if (size[c] > size[best]) best = (uint32_t)c;
  for (int v = 0; v < N; v++)
    if (p1[v] == best) TEST_CHECK_EQ(child[v], 0);
  /* identical parents give back the same partition */
  prism_gpx(N, K, p1, p1, child, 9, 0, 1, scratch);
  for (int u = 0; u < N; u++)
    for (int v = u + 1; v < N; v++) TEST_CHECK_EQ(p1[u] == p1[v], child[u] == child[v]);
}

PRISM_TEST(engine_dissolve_removes_one_color, "cpu") {
  prism_graph *g = random_graph(150, 0.2, 17);
  uint32_t *col = malloc(g->n * sizeof *col), *out = malloc(g->n * sizeof *out);
  uint32_t k = prism_dsatur(g, col), scratch[256];
  prism_dissolve_class(g, col, k, out, 1, 0, scratch);
  for (uint32_t v = 0; v < g->n; v++) TEST_CHECK(out[v] < k - 1);
  /* vertices outside the dissolved class keep their partition */
  TEST_CHECK(prism_count_conflicts(g, out) > 0 || prism_colors_used(g, out) <= k - 1);
  free(col);
  free(out);
  prism_graph_free(g);
}

PRISM_TEST(engine_betti_of_known_conflict_graph, "cpu") {
  /* 0-1-2-0 triangle all color 0 (one cycle), 3-4 edge color 1, 5 isolated */
  uint32_t eu[] = {0, 1, 2, 3, 4}, ev[] = {1, 2, 0, 4, 5};
  prism_graph *g = prism_graph_build(6, eu, ev, 5, NULL);
  uint32_t color[6] = {0, 0, 0, 1, 1, 2};
  uint32_t cv[] = {0, 1, 2, 3, 4}, scratch[6], betti[3];
  prism_telemetry_betti(6, g->offsets, g->adj, color, cv, 5, scratch, betti);
  TEST_CHECK_EQ(betti[0], 2);
  TEST_CHECK_EQ(betti[1], 1);
  TEST_CHECK_EQ(betti[2], 0);
  prism_graph_free(g);
}

PRISM_TEST(engine_changepoint_detects_a_drop, "cpu") {
  prism_changepoint cp;
  prism_changepoint_reset(&cp);
  int fired = 0;
  for (int i = 0; i < 20; i++) fired |= prism_changepoint_push(&cp, 30 + (i % 2));
  TEST_CHECK(!fired);
  for (int i = 0; i < 10; i++) fired |= prism_changepoint_push(&cp, 5 + (i % 2));
  TEST_CHECK(fired);
}

static void solve_instance(const char *path, uint32_t target, double limit, int threads,
                           uint32_t *k_out, uint32_t **colors_out) {
  prism_graph *g = NULL;
  prism_diag d;
  *k_out = 0;
  if (prism_graph_read_file(path, PRISM_FORMAT_AUTO, &g, &d)) return;
  prism_solve_opts o;
  prism_solve_opts_defaults(&o);
  o.backend = PRISM_BACKEND_CPU;
  o.target_k = target;
  o.time_limit = limit;
  o.threads = threads;
  o.seed = 5;
  o.params.batch_moves = 2000;
  prism_solve_result r;
  char err[256];
  if (prism_solve(g, &o, &r, err, sizeof err) == 0) {
    *k_out = r.best_k;
    if (prism_verify(g, r.colors, 0, NULL, 0)) *k_out = 0;
    if (colors_out) *colors_out = r.colors;
    else free(r.colors);
  }
  prism_graph_free(g);
}

PRISM_TEST(engine_solve_myciel5_reaches_chi, "cpu") {
  uint32_t k;
  solve_instance(prism_test_path("../examples/myciel5.col"), 6, 20, 1, &k, NULL);
  TEST_CHECK_EQ(k, 6);
}

PRISM_TEST(engine_solve_same_seed_same_coloring, "cpu") {
  const char *dir = prism_test_instances_dir();
  if (!dir) TEST_SKIP("no shared instances folder");
  char path[4096];
  snprintf(path, sizeof path, "%s/DSJC125.5.col", dir);
  uint32_t k1, k2, k3, *c1 = NULL, *c2 = NULL, *c3 = NULL;
  solve_instance(path, 18, 30, 1, &k1, &c1);
  solve_instance(path, 18, 30, 1, &k2, &c2);
  solve_instance(path, 18, 30, 2, &k3, &c3);
  TEST_REQUIRE(k1 && k2 && k3);
  TEST_CHECK(k1 <= 18);
  TEST_CHECK_EQ(k1, k2);
  TEST_CHECK_EQ(k1, k3);
  TEST_CHECK(!memcmp(c1, c2, 125 * sizeof *c1));
  TEST_CHECK(!memcmp(c1, c3, 125 * sizeof *c1));
  free(c1);
  free(c2);
  free(c3);
}

PRISM_TEST(engine_params_table_roundtrip, "cpu") {
  prism_params p;
  prism_params_defaults(&p);
  char err[256];
  TEST_CHECK(prism_params_validate(&p, err, sizeof err) == 0);
  TEST_CHECK(prism_params_parse_assignment(&p, "replicas=12", err, sizeof err) == 0);
  TEST_CHECK_EQ(p.replicas, 12);
  TEST_CHECK(prism_params_parse_assignment(&p, "replicas=1.5", err, sizeof err) != 0);
  TEST_CHECK(prism_params_parse_assignment(&p, "replicas=1025", err, sizeof err) != 0);
  TEST_CHECK(prism_params_parse_assignment(&p, "tabu_alpha=abc", err, sizeof err) != 0);
  TEST_CHECK(prism_params_parse_assignment(&p, "nonsense=1", err, sizeof err) != 0);
  int id = prism_params_find("chemical_potential");
  TEST_REQUIRE(id >= 0);
  prism_params_set_clamped(&p, id, 1e9);
  TEST_CHECK(p.chemical_potential == 100.0);
  prism_params_scale(&p, id, 0.5);
  TEST_CHECK(p.chemical_potential == 50.0);
}

/* The weight bound the CUDA engine sizes G by: the base weight only when
 * nothing can move the weights (stress_weight 0 and no controller). */
PRISM_TEST(engine_weight_bound, "cpu") {
  TEST_CHECK_EQ(prism_weight_bound(0.0, NULL), PRISM_W0);
  TEST_CHECK_EQ(prism_weight_bound(0.0, "none"), PRISM_W0);
  TEST_CHECK_EQ(prism_weight_bound(0.25, NULL), PRISM_WMAX);
  TEST_CHECK_EQ(prism_weight_bound(0.0, "fluxnet"), PRISM_WMAX); /* may raise stress_weight */
  TEST_CHECK_EQ(prism_weight_bound(0.0, "random"), PRISM_WMAX);
  TEST_CHECK_EQ(prism_weight_bound(0.0, "mbrl"), PRISM_WMAX);
}
