/* test_scan.c - the move structures for large graphs: the bucket split of
 * the conflict list against the list itself, sampled scans against the
 * exact scan, and the lazily kept best coloring against its energy. */
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "engine/replica.h"
#include "test.h"
#include "util/philox.h"

typedef struct scan_fix {
  prism_graph *g;
  prism_batch_cfg cfg;
  int32_t *omega;
  uint32_t *metro;
} scan_fix;

static void scan_fix_init(scan_fix *f, uint32_t n, double p, uint32_t k) {
  memset(f, 0, sizeof *f);
  f->g = prism_test_gnp(n, p, 11, 7);
  f->omega = malloc(n * sizeof *f->omega);
  for (uint32_t v = 0; v < n; v++) f->omega[v] = PRISM_W0;
  f->metro = calloc(PRISM_METRO_LEVELS, sizeof *f->metro);
  f->metro[0] = UINT32_MAX;
  prism_batch_cfg *c = &f->cfg;
  c->n = n;
  c->k = k;
  c->offsets = f->g->offsets;
  c->adj = f->g->adj;
  c->omega = f->omega;
  c->max_chain = 50;
  c->tabu_base = 10;
  c->alpha_fp = 154;
  c->pc_tabu_base = 10;
  c->pc_alpha_fp = 154;
  c->pc_react = 1;
  c->moves = 3000;
  c->seed = 77;
}

static void scan_fix_free(scan_fix *f) {
  free(f->omega);
  free(f->metro);
  prism_graph_free(f->g);
}

static void scan_rep(prism_replica *r, const scan_fix *f, int mode, uint32_t k) {
  prism_replica_init(r, 3, f->g->n, k);
  r->mode = mode;
  r->metro_thr = f->metro;
  uint32_t *col = malloc(f->g->n * sizeof *col);
  for (uint32_t v = 0; v < f->g->n; v++) col[v] = prism_mix32(v * 31u + 5u) % k;
  prism_replica_load(r, &f->cfg, col, k);
  free(col);
}

/* The buckets hold exactly the cv list's vertices, each in its own bucket,
 * with consistent positions. */
static int buckets_consistent(const prism_replica *r) {
  const uint32_t nb = 1u << r->bk_bits;
  uint64_t total = 0;
  for (uint32_t b = 0; b < nb; b++) {
    if (r->bk_len[b] > r->bk_start[b + 1] - r->bk_start[b]) return 0;
    for (uint32_t j = 0; j < r->bk_len[b]; j++) {
      const uint32_t v = r->bk_item[r->bk_start[b] + j];
      if (r->bk_pos[v] != j || r->cvpos[v] == PRISM_NONE) return 0;
    }
    total += r->bk_len[b];
  }
  return total == r->ncv;
}

PRISM_TEST(scan_buckets_follow_the_conflict_list, "cpu") {
  for (int mode = 0; mode < PRISM_MODES; mode++) {
    scan_fix f;
    scan_fix_init(&f, 3000, 0.01, 4);
    f.cfg.scan_limit = 200;
    f.cfg.scan_sample = 16;
    prism_replica r;
    scan_rep(&r, &f, mode, 4);
    TEST_CHECK(r.bk_bits >= 4);
    TEST_REQUIRE(r.ncv > f.cfg.scan_limit); /* the sampled scan runs */
    TEST_REQUIRE(buckets_consistent(&r));
    for (int b = 0; b < 6; b++) {
      prism_replica_run_batch(&r, &f.cfg);
      TEST_REQUIRE(buckets_consistent(&r));
    }
    prism_replica_free(&r);
    scan_fix_free(&f);
  }
}

/* A sample that must cover every bucket is the whole list: the sampled
 * scan then takes the exact scan's decisions, move for move. */
PRISM_TEST(scan_sample_of_everything_is_the_exact_scan, "cpu") {
  for (int mode = 0; mode < PRISM_MODES; mode++) {
    scan_fix f;
    scan_fix_init(&f, 2000, 0.01, 4);
    prism_batch_cfg exact = f.cfg, sampled = f.cfg;
    exact.scan_limit = 0;
    sampled.scan_limit = 1;
    sampled.scan_sample = 1000000;
    prism_replica a, b;
    scan_rep(&a, &f, mode, 4);
    scan_rep(&b, &f, mode, 4);
    for (int t = 0; t < 4; t++) {
      prism_replica_run_batch(&a, &exact);
      prism_replica_run_batch(&b, &sampled);
      TEST_CHECK_EQ(a.moves, b.moves);
      TEST_CHECK_EQ(a.ncv, b.ncv);
      TEST_REQUIRE(!memcmp(a.color, b.color, f.g->n * sizeof *a.color));
      TEST_REQUIRE(!memcmp(a.best_color, b.best_color, f.g->n * sizeof *a.color));
    }
    prism_replica_free(&a);
    prism_replica_free(&b);
    scan_fix_free(&f);
  }
}

/* The best coloring, kept lazily through the change log, has the energy
 * recorded for it (plain TabuCol: conflicts * EUNIT), with and without
 * sampling, and with a log too small to hold every change. */
PRISM_TEST(scan_lazy_best_coloring_matches_its_energy, "cpu") {
  for (int sample = 0; sample < 2; sample++) {
    scan_fix f;
    scan_fix_init(&f, 3000, 0.01, 4);
    f.cfg.scan_limit = sample ? 100 : 0;
    f.cfg.scan_sample = 8;
    prism_replica r;
    scan_rep(&r, &f, PRISM_MODE_TABUCOL, 4);
    for (int t = 0; t < 5; t++) {
      if (t == 3) r.chg_cap = 3; /* overflow: the O(n) copy path */
      prism_replica_run_batch(&r, &f.cfg);
      TEST_CHECK_EQ((int64_t)prism_count_conflicts(f.g, r.best_color) * PRISM_EUNIT,
                    r.best_color_energy);
      TEST_CHECK(r.best_color_energy <= r.energy);
    }
    prism_replica_free(&r);
    scan_fix_free(&f);
  }
}

/* PartialCol with sampling stays legal and its best coloring is complete. */
PRISM_TEST(scan_sampled_partialcol_stays_legal, "cpu") {
  scan_fix f;
  scan_fix_init(&f, 3000, 0.01, 4);
  f.cfg.scan_limit = 50;
  f.cfg.scan_sample = 8;
  prism_replica r;
  scan_rep(&r, &f, PRISM_MODE_PARTIALCOL, 4);
  uint32_t u0 = r.ncv;
  for (int t = 0; t < 5; t++) {
    prism_replica_run_batch(&r, &f.cfg);
    uint32_t bad = 0;
    for (uint32_t v = 0; v < f.g->n; v++) {
      if (r.color[v] == PRISM_NONE) continue;
      for (uint64_t e = f.g->offsets[v]; e < f.g->offsets[v + 1]; e++)
        bad += r.color[f.g->adj[e]] == r.color[v];
      TEST_CHECK(r.best_color[v] < 4);
    }
    TEST_CHECK_EQ(bad, 0);
  }
  TEST_CHECK(r.ncv < u0);
  prism_replica_free(&r);
  scan_fix_free(&f);
}
