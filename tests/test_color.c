/* test_color.c - the verifier, DSATUR and the clique bound on small graphs
 * whose chromatic and clique numbers are known. */
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "graph/graph.h"
#include "test.h"
#include "util/philox.h"

/* A tiny edge list that grows; built into a graph with prism_graph_build. */
typedef struct edges {
  uint32_t *u, *v;
  uint64_t count, cap;
} edges;

static void edges_add(edges *e, uint32_t u, uint32_t v) {
  if (e->count == e->cap) {
    e->cap = e->cap ? 2 * e->cap : 64;
    e->u = realloc(e->u, e->cap * sizeof *e->u);
    e->v = realloc(e->v, e->cap * sizeof *e->v);
  }
  e->u[e->count] = u;
  e->v[e->count] = v;
  e->count++;
}

static prism_graph *edges_build(uint32_t n, edges *e) {
  prism_graph *g = prism_graph_build(n, e->u, e->v, e->count, NULL);
  free(e->u);
  free(e->v);
  memset(e, 0, sizeof *e);
  return g;
}

static prism_graph *make_cycle(uint32_t n) {
  edges e = {0};
  for (uint32_t i = 0; i < n; i++) edges_add(&e, i, (i + 1) % n);
  return edges_build(n, &e);
}

static prism_graph *make_complete(uint32_t n) {
  edges e = {0};
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t j = i + 1; j < n; j++) edges_add(&e, i, j);
  return edges_build(n, &e);
}

/* Wheel W_n: hub 0 joined to the cycle 1..n. */
static prism_graph *make_wheel(uint32_t rim) {
  edges e = {0};
  for (uint32_t i = 0; i < rim; i++) {
    edges_add(&e, 0, 1 + i);
    edges_add(&e, 1 + i, 1 + (i + 1) % rim);
  }
  return edges_build(rim + 1, &e);
}

static prism_graph *make_petersen(void) {
  edges e = {0};
  for (uint32_t i = 0; i < 5; i++) {
    edges_add(&e, i, (i + 1) % 5);         /* outer cycle */
    edges_add(&e, i, 5 + i);               /* spokes */
    edges_add(&e, 5 + i, 5 + (i + 2) % 5); /* inner pentagram */
  }
  return edges_build(10, &e);
}

/* Random bipartite graph on a + b vertices (each pair with p = 1/3). */
static prism_graph *make_bipartite(uint32_t a, uint32_t b, uint64_t seed) {
  edges e = {0};
  prism_rng r;
  prism_rng_init(&r, seed, 1, 0, 0);
  for (uint32_t i = 0; i < a; i++)
    for (uint32_t j = 0; j < b; j++)
      if (prism_rng_below(&r, 3) == 0) edges_add(&e, i, a + j);
  return edges_build(a + b, &e);
}

/* G(n, p) with p = num/den plus a clique planted on `size` spread vertices;
 * planted[] receives them. */
static prism_graph *make_planted(uint32_t n, uint32_t num, uint32_t den,
                                 uint32_t size, uint64_t seed, uint32_t *planted) {
  edges e = {0};
  prism_rng r;
  prism_rng_init(&r, seed, 2, 0, 0);
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t j = i + 1; j < n; j++)
      if (prism_rng_below(&r, den) < num) edges_add(&e, i, j);
  for (uint32_t i = 0; i < size; i++) planted[i] = (i * 7919u + 13u) % n;
  for (uint32_t i = 0; i < size; i++)
    for (uint32_t j = i + 1; j < size; j++) edges_add(&e, planted[i], planted[j]);
  return edges_build(n, &e);
}

static int is_clique(const prism_graph *g, const uint32_t *cl, uint32_t size) {
  for (uint32_t i = 0; i < size; i++) {
    if (cl[i] >= g->n) return 0;
    for (uint32_t j = i + 1; j < size; j++)
      if (cl[i] == cl[j] || !prism_graph_has_edge(g, cl[i], cl[j])) return 0;
  }
  return 1;
}

/* DSATUR with every set layout: same colors, proper, K colors used. */
static uint32_t dsatur_checked(const prism_graph *g) {
  uint32_t *c0 = malloc((g->n + 1) * sizeof *c0);
  uint32_t *c1 = malloc((g->n + 1) * sizeof *c1);
  uint32_t *c2 = malloc((g->n + 1) * sizeof *c2);
  uint32_t k = prism_dsatur(g, c0);
  uint32_t kb = prism_dsatur_with(g, c1, PRISM_DSATUR_SETS_BITSET);
  uint32_t kh = prism_dsatur_with(g, c2, PRISM_DSATUR_SETS_HASH);
  char msg[128];
  int ok = prism_verify(g, c0, k, msg, sizeof msg);
  if (ok != 0) printf("    verify: %s\n", msg);
  TEST_CHECK(ok == 0);
  TEST_CHECK_EQ(prism_colors_used(g, c0), k);
  TEST_CHECK_EQ(prism_count_conflicts(g, c0), 0);
  TEST_CHECK_EQ(kb, k);
  TEST_CHECK_EQ(kh, k);
  TEST_CHECK(memcmp(c0, c1, g->n * sizeof *c0) == 0);
  TEST_CHECK(memcmp(c0, c2, g->n * sizeof *c0) == 0);
  free(c0);
  free(c1);
  free(c2);
  return k;
}

PRISM_TEST(color_verify_accepts_proper, "cpu") {
  prism_graph *g = make_cycle(6);
  TEST_REQUIRE(g);
  uint32_t col[6] = {0, 1, 0, 1, 0, 1};
  char msg[128] = "x";
  TEST_CHECK_EQ(prism_verify(g, col, 2, msg, sizeof msg), 0);
  TEST_CHECK(msg[0] == 0);
  TEST_CHECK_EQ(prism_verify(g, col, 0, NULL, 0), 0);
  TEST_CHECK_EQ(prism_colors_used(g, col), 2);
  TEST_CHECK_EQ(prism_count_conflicts(g, col), 0);
  prism_graph_free(g);
}

PRISM_TEST(color_verify_catches_conflict, "cpu") {
  prism_graph *g = make_cycle(8); /* edges i-(i+1) and 0-7 */
  TEST_REQUIRE(g);
  uint32_t col[8] = {0, 1, 0, 1, 1, 0, 1, 2};
  char msg[128];
  TEST_CHECK_EQ(prism_verify(g, col, 3, msg, sizeof msg), -1);
  TEST_CHECK(strcmp(msg, "edge 4-5: both ends have color 1") == 0);
  TEST_CHECK_EQ(prism_count_conflicts(g, col), 1);
  col[7] = 0; /* a second clash on 0-7 (1-based 1-8), found first */
  TEST_CHECK_EQ(prism_count_conflicts(g, col), 2);
  TEST_CHECK_EQ(prism_verify(g, col, 0, msg, sizeof msg), -1);
  TEST_CHECK(strcmp(msg, "edge 1-8: both ends have color 0") == 0);
  /* A short buffer gets a truncated, terminated message. */
  char small[8];
  TEST_CHECK_EQ(prism_verify(g, col, 0, small, sizeof small), -1);
  TEST_CHECK(strlen(small) == sizeof small - 1);
  prism_graph_free(g);
}

PRISM_TEST(color_verify_catches_missing_color, "cpu") {
  prism_graph *g = make_cycle(6);
  TEST_REQUIRE(g);
  /* Vertex 5 (1-based) is uncolored; 2-3 also clash but the missing color is
   * reported first. */
  uint32_t col[6] = {0, 1, 1, 0, PRISM_NO_COLOR, 1};
  char msg[128];
  TEST_CHECK_EQ(prism_verify(g, col, 0, msg, sizeof msg), -1);
  TEST_CHECK(strcmp(msg, "vertex 5 has no color") == 0);
  TEST_CHECK_EQ(prism_colors_used(g, col), 2);
  TEST_CHECK_EQ(prism_count_conflicts(g, col), 1);
  prism_graph_free(g);
}

PRISM_TEST(color_verify_catches_color_out_of_range, "cpu") {
  prism_graph *g = make_cycle(6);
  TEST_REQUIRE(g);
  uint32_t col[6] = {0, 1, 0, 1, 0, 2};
  char msg[128];
  TEST_CHECK_EQ(prism_verify(g, col, 2, msg, sizeof msg), -1);
  TEST_CHECK(strcmp(msg, "vertex 6 has color 2, not below k = 2") == 0);
  TEST_CHECK_EQ(prism_verify(g, col, 3, msg, sizeof msg), 0);
  TEST_CHECK_EQ(prism_verify(g, col, 0, msg, sizeof msg), 0);
  /* Huge, non-compact colors are still counted right. */
  uint32_t wide[6] = {7, 4000000000u, 7, 4000000000u, 7, 12};
  TEST_CHECK_EQ(prism_colors_used(g, wide), 3);
  prism_graph_free(g);
}

PRISM_TEST(color_dsatur_bipartite, "cpu") {
  prism_graph *g = make_bipartite(40, 57, 3);
  TEST_REQUIRE(g);
  TEST_CHECK(g->m > 0);
  TEST_CHECK_EQ(dsatur_checked(g), 2);
  prism_graph_free(g);
  g = make_cycle(10); /* even cycle */
  TEST_CHECK_EQ(dsatur_checked(g), 2);
  prism_graph_free(g);
}

PRISM_TEST(color_dsatur_odd_cycle, "cpu") {
  for (uint32_t n = 3; n <= 11; n += 2) {
    prism_graph *g = make_cycle(n);
    TEST_REQUIRE(g);
    TEST_CHECK_EQ(dsatur_checked(g), 3);
    prism_graph_free(g);
  }
}

PRISM_TEST(color_dsatur_complete, "cpu") {
  for (uint32_t n = 1; n <= 100; n += 33) { /* > 64 colors: hash tables */
    prism_graph *g = make_complete(n);
    TEST_REQUIRE(g);
    TEST_CHECK_EQ(dsatur_checked(g), n);
    prism_graph_free(g);
  }
}

PRISM_TEST(color_dsatur_wheel, "cpu") {
  prism_graph *g = make_wheel(8); /* even rim: 3 colors */
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(dsatur_checked(g), 3);
  prism_graph_free(g);
  g = make_wheel(9); /* odd rim: 4 colors */
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(dsatur_checked(g), 4);
  prism_graph_free(g);
}

PRISM_TEST(color_dsatur_petersen, "cpu") {
  prism_graph *g = make_petersen();
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 15);
  TEST_CHECK_EQ(dsatur_checked(g), 3);
  prism_graph_free(g);
}

PRISM_TEST(color_dsatur_edge_cases, "cpu") {
  prism_graph *g = prism_graph_build(0, NULL, NULL, 0, NULL);
  TEST_REQUIRE(g);
  uint32_t dummy = 0;
  TEST_CHECK_EQ(prism_dsatur(g, &dummy), 0);
  TEST_CHECK_EQ(prism_clique_lower_bound(g, 1, 100, NULL), 0);
  prism_graph_free(g);
  g = prism_graph_build(5, NULL, NULL, 0, NULL); /* no edges */
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(dsatur_checked(g), 1);
  uint32_t cl[1];
  TEST_CHECK_EQ(prism_clique_lower_bound(g, 1, 100, cl), 1);
  prism_graph_free(g);
}

/* Random graphs: DSATUR is proper, deterministic, and all layouts agree. */
PRISM_TEST(color_dsatur_random, "cpu") {
  uint32_t planted[1];
  for (uint64_t s = 1; s <= 9; s += 2) { /* p = s/10: up to ~80 colors */
    prism_graph *g = make_planted(150 + 20 * (uint32_t)s, (uint32_t)s, 10, 1, s, planted);
    TEST_REQUIRE(g);
    uint32_t k = dsatur_checked(g);
    uint32_t lb = prism_clique_lower_bound(g, s, 2000, NULL);
    TEST_CHECK(lb >= 1 && lb <= k);
    prism_graph_free(g);
  }
}

/* Naive O(n^2 + n m) DSATUR with the same rule (saturation, then degree in
 * the uncolored subgraph, then lowest id): the fast one must match it. */
static uint32_t dsatur_naive(const prism_graph *g, uint32_t *colors) {
  uint32_t n = g->n, k = 0;
  uint8_t *seen = calloc((size_t)n * (g->max_degree + 2), 1);
  for (uint32_t v = 0; v < n; v++) colors[v] = PRISM_NO_COLOR;
  for (uint32_t step = 0; step < n; step++) {
    uint32_t best = PRISM_NO_COLOR, bs = 0, bd = 0;
    for (uint32_t v = 0; v < n; v++) {
      if (colors[v] != PRISM_NO_COLOR) continue;
      uint32_t sat = 0, ud = 0;
      for (uint32_t c = 0; c <= g->max_degree; c++) sat += seen[(size_t)v * (g->max_degree + 2) + c];
      for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
        ud += colors[g->adj[e]] == PRISM_NO_COLOR;
      if (best == PRISM_NO_COLOR || sat > bs || (sat == bs && ud > bd)) {
        best = v;
        bs = sat;
        bd = ud;
      }
    }
    uint32_t c = 0;
    while (seen[(size_t)best * (g->max_degree + 2) + c]) c++;
    colors[best] = c;
    if (c + 1 > k) k = c + 1;
    for (uint64_t e = g->offsets[best]; e < g->offsets[best + 1]; e++)
      seen[(size_t)g->adj[e] * (g->max_degree + 2) + c] = 1;
  }
  free(seen);
  return k;
}

PRISM_TEST(color_dsatur_matches_naive, "cpu") {
  uint32_t planted[1];
  for (uint64_t s = 1; s <= 9; s += 2) {
    prism_graph *g = make_planted(60 + 7 * (uint32_t)s, (uint32_t)s, 10, 1, 100 + s, planted);
    TEST_REQUIRE(g);
    uint32_t *a = malloc(g->n * sizeof *a), *b = malloc(g->n * sizeof *b);
    uint32_t ka = prism_dsatur(g, a), kb = dsatur_naive(g, b);
    TEST_CHECK_EQ(ka, kb);
    TEST_CHECK(memcmp(a, b, g->n * sizeof *a) == 0);
    free(a);
    free(b);
    prism_graph_free(g);
  }
  prism_graph *g = make_petersen();
  uint32_t a[10], b[10];
  TEST_CHECK_EQ(prism_dsatur(g, a), dsatur_naive(g, b));
  TEST_CHECK(memcmp(a, b, sizeof a) == 0);
  prism_graph_free(g);
}

PRISM_TEST(color_clique_complete, "cpu") {
  for (uint32_t n = 1; n <= 30; n += 7) {
    prism_graph *g = make_complete(n);
    TEST_REQUIRE(g);
    uint32_t cl[32];
    TEST_CHECK_EQ(prism_clique_lower_bound(g, 7, 0, cl), n);
    TEST_CHECK_EQ(prism_clique_lower_bound(g, 7, 1000, cl), n);
    TEST_CHECK(is_clique(g, cl, n));
    prism_graph_free(g);
  }
  prism_graph *g = make_cycle(7);
  TEST_CHECK_EQ(prism_clique_lower_bound(g, 1, 500, NULL), 2);
  prism_graph_free(g);
  g = make_petersen(); /* triangle-free */
  TEST_CHECK_EQ(prism_clique_lower_bound(g, 1, 500, NULL), 2);
  prism_graph_free(g);
  g = make_wheel(9);
  TEST_CHECK_EQ(prism_clique_lower_bound(g, 1, 500, NULL), 3);
  prism_graph_free(g);
}

PRISM_TEST(color_clique_planted, "cpu") {
  /* G(300, 0.3) has cliques of about 7; a planted 20-clique stands out. */
  uint32_t planted[20];
  prism_graph *g = make_planted(300, 3, 10, 20, 11, planted);
  TEST_REQUIRE(g);
  uint32_t cl[301];
  uint32_t greedy = prism_clique_lower_bound(g, 5, 0, cl);
  TEST_CHECK(is_clique(g, cl, greedy));
  uint32_t lb = prism_clique_lower_bound(g, 5, 20000, cl);
  TEST_CHECK(is_clique(g, cl, lb));
  TEST_CHECK(lb >= greedy);
  TEST_CHECK_EQ(lb, 20);
  /* Same seed, same answer. */
  uint32_t cl2[301];
  TEST_CHECK_EQ(prism_clique_lower_bound(g, 5, 20000, cl2), lb);
  TEST_CHECK(memcmp(cl, cl2, lb * sizeof *cl) == 0);
  uint32_t *colors = malloc(g->n * sizeof *colors);
  uint32_t k = prism_dsatur(g, colors);
  TEST_CHECK(prism_verify(g, colors, k, NULL, 0) == 0);
  TEST_CHECK(lb <= k);
  free(colors);
  prism_graph_free(g);
}

/* The local search must find what greedy misses: a planted clique hidden in
 * a graph whose high-degree vertices lie elsewhere. */
PRISM_TEST(color_clique_local_search_helps, "cpu") {
  edges e = {0};
  uint32_t n = 400;
  prism_rng r;
  prism_rng_init(&r, 99, 3, 0, 0);
  /* Vertices 0..99: dense G(100, 0.6) with small cliques (~ 9-10). */
  for (uint32_t i = 0; i < 100; i++)
    for (uint32_t j = i + 1; j < 100; j++)
      if (prism_rng_below(&r, 10) < 6) edges_add(&e, i, j);
  /* Vertices 100..399: sparse G(300, 0.05) plus a planted 12-clique. */
  for (uint32_t i = 100; i < n; i++)
    for (uint32_t j = i + 1; j < n; j++)
      if (prism_rng_below(&r, 100) < 5) edges_add(&e, i, j);
  for (uint32_t i = 0; i < 12; i++)
    for (uint32_t j = i + 1; j < 12; j++) edges_add(&e, 150 + 20 * i, 150 + 20 * j);
  prism_graph *g = edges_build(n, &e);
  TEST_REQUIRE(g);
  uint32_t cl[400];
  uint32_t greedy = prism_clique_lower_bound(g, 1, 0, cl);
  TEST_CHECK(greedy < 12); /* its seeds all lie in the dense part */
  for (uint64_t seed = 1; seed <= 4; seed++) {
    uint32_t lb = prism_clique_lower_bound(g, seed, 50000, cl);
    TEST_CHECK(is_clique(g, cl, lb));
    TEST_CHECK_EQ(lb, 12);
  }
  prism_graph_free(g);
}

/* Random sparse graph with a hub joined to every 199th vertex. */
static prism_graph *make_sparse_hub(uint32_t n, uint32_t hub_deg, uint64_t seed) {
  uint64_t count = 3 * (uint64_t)n + hub_deg;
  uint32_t *eu = malloc(count * sizeof *eu), *ev = malloc(count * sizeof *ev);
  prism_rng r;
  prism_rng_init(&r, seed, 4, 0, 0);
  for (uint64_t i = 0; i < 3 * (uint64_t)n; i++) {
    eu[i] = prism_rng_below(&r, n);
    ev[i] = prism_rng_below(&r, n);
  }
  for (uint32_t i = 0; i < hub_deg; i++) {
    eu[3 * (uint64_t)n + i] = 0;
    ev[3 * (uint64_t)n + i] = (uint32_t)((1 + (uint64_t)i * 199) % n);
  }
  prism_graph *g = prism_graph_build(n, eu, ev, count, NULL);
  free(eu);
  free(ev);
  return g;
}

/* Both set layouts on a mid-size skewed graph: identical colorings. */
PRISM_TEST(color_dsatur_layouts_agree, "cpu") {
  prism_graph *g = make_sparse_hub(100000, 3000, 5);
  TEST_REQUIRE(g);
  uint32_t k = dsatur_checked(g);
  TEST_CHECK(k >= 3 && k <= 6);
  prism_graph_free(g);
}

/* Scale: a million-vertex sparse graph with a hub (AUTO picks hash tables,
 * as rows of max_degree bits would take 600 MB). */
PRISM_TEST(color_dsatur_large_sparse, "cpu") {
  uint32_t n = 1000000;
  prism_graph *g = make_sparse_hub(n, 5000, 5);
  TEST_REQUIRE(g);
  TEST_CHECK(g->max_degree >= 5000);
  uint32_t *colors = malloc(n * sizeof *colors);
  uint32_t k = prism_dsatur(g, colors);
  char msg[128];
  TEST_CHECK(prism_verify(g, colors, k, msg, sizeof msg) == 0);
  TEST_CHECK(k >= 3 && k <= 6);
  uint32_t *cl = malloc(((size_t)g->max_degree + 1) * sizeof *cl);
  uint32_t lb = prism_clique_lower_bound(g, 3, 10000, cl);
  TEST_CHECK(lb >= 2 && lb <= k);
  TEST_CHECK(is_clique(g, cl, lb));
  free(cl);
  free(colors);
  prism_graph_free(g);
}

/* smallest-last and RLF (greedy.c): proper, exact on easy families, within
 * max degree + 1 on random graphs, and RLF gives up at a past deadline. */
static uint32_t greedy_checked(prism_graph *g, int rlf) {
  uint32_t *col = malloc((g->n ? g->n : 1) * sizeof *col);
  uint32_t k = rlf ? prism_rlf(g, col, 0) : prism_smallest_last(g, col, 0);
  TEST_CHECK(prism_verify(g, col, k, NULL, 0) == 0);
  TEST_CHECK_EQ(prism_colors_used(g, col), k);
  free(col);
  return k;
}

PRISM_TEST(color_greedy_starts, "cpu") {
  for (int rlf = 0; rlf < 2; rlf++) {
    prism_graph *g = make_bipartite(40, 57, 3);
    TEST_CHECK_EQ(greedy_checked(g, rlf), 2);
    prism_graph_free(g);
    g = make_cycle(11);
    TEST_CHECK_EQ(greedy_checked(g, rlf), 3);
    prism_graph_free(g);
    g = make_complete(37);
    TEST_CHECK_EQ(greedy_checked(g, rlf), 37);
    prism_graph_free(g);
    for (uint64_t s = 1; s <= 3; s++) {
      g = prism_test_gnp(300, 0.05 * (double)s, s, 9);
      uint32_t k = greedy_checked(g, rlf);
      TEST_CHECK(k >= 2 && k <= g->max_degree + 1);
      prism_graph_free(g);
    }
  }
  prism_graph *g = prism_test_gnp(300, 0.1, 1, 9);
  uint32_t *col = malloc(g->n * sizeof *col);
  TEST_CHECK_EQ(prism_rlf(g, col, 1e-9), 0); /* the deadline has passed */
  free(col);
  prism_graph_free(g);
}
