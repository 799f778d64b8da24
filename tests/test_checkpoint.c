/* test_checkpoint.c - the checkpoint file (engine/checkpoint.h): round
 * trip, every corruption refused with its reason, the broken files of
 * tests/broken_checkpoint/, atomic writes, and a resumed solve that starts
 * from the stored population and keeps the stored best. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "color/color.h"
#include "cuda/cuda_backend.h"
#include "engine/checkpoint.h"
#include "engine/solve.h"
#include "graph/read.h"
#include "test.h"
#include "util/atomic_file.h"
#include "util/philox.h"

/* A checkpoint of g: DSATUR's coloring as best, `count` random colorings
 * over 2 islands at k = best_k - 1. */
static void make_checkpoint(const prism_graph *g, uint32_t count, prism_checkpoint *c) {
  prism_checkpoint_init(c, g, 77);
  uint32_t *colors = malloc((size_t)g->n * sizeof *colors);
  uint32_t k = prism_dsatur(g, colors);
  prism_checkpoint_set_best(c, colors, k);
  uint32_t *pop = malloc((size_t)count * g->n * sizeof *pop);
  uint32_t *ks = malloc(count * sizeof *ks), *isl = malloc(count * sizeof *isl);
  const uint32_t **rows = malloc(count * sizeof *rows);
  prism_rng rng;
  prism_rng_init(&rng, 5, 1, 2, 3);
  for (uint32_t i = 0; i < count; i++) {
    ks[i] = k - 1;
    isl[i] = i % 2;
    rows[i] = pop + (size_t)i * g->n;
    for (uint32_t v = 0; v < g->n; v++) pop[(size_t)i * g->n + v] = prism_rng_below(&rng, k - 1);
  }
  prism_population p = {g->n, count, ks, isl, rows};
  prism_checkpoint_set_population(c, &p);
  free(colors);
  free(pop);
  free(ks);
  free(isl);
  free(rows);
}

static int parse_fails_with(const unsigned char *buf, size_t len, const prism_graph *g,
                            const char *what) {
  prism_checkpoint c;
  char err[512] = "";
  if (prism_checkpoint_parse(buf, len, g, &c, err, sizeof err) == 0) {
    prism_checkpoint_free(&c);
    printf("    accepted, expected '%s'\n", what);
    return 0;
  }
  if (!strstr(err, what)) {
    printf("    error '%s', expected '%s'\n", err, what);
    return 0;
  }
  return 1;
}

PRISM_TEST(checkpoint_round_trip, "cpu") {
  prism_graph *g = prism_test_gnp(120, 0.3, 3, 1);
  prism_checkpoint c, d;
  make_checkpoint(g, 6, &c);
  TEST_CHECK_EQ(c.count, 6);
  TEST_CHECK_EQ(c.k, c.best_k - 1);
  unsigned char *buf;
  size_t len = prism_checkpoint_serialize(&c, &buf);
  char err[512];
  TEST_REQUIRE(prism_checkpoint_parse(buf, len, g, &d, err, sizeof err) == 0);
  TEST_CHECK_EQ(d.n, g->n);
  TEST_CHECK_EQ(d.m, g->m);
  TEST_CHECK(d.graph_hash == c.graph_hash);
  TEST_CHECK(d.seed == 77);
  TEST_CHECK_EQ(d.k, c.k);
  TEST_CHECK_EQ(d.best_k, c.best_k);
  TEST_CHECK_EQ(d.count, c.count);
  TEST_CHECK(memcmp(d.best, c.best, g->n * sizeof *d.best) == 0);
  TEST_CHECK(memcmp(d.colors, c.colors, (size_t)c.count * g->n * sizeof *d.colors) == 0);
  TEST_CHECK(memcmp(d.ks, c.ks, c.count * sizeof *d.ks) == 0);
  TEST_CHECK(memcmp(d.island, c.island, c.count * sizeof *d.island) == 0);
  prism_population p = prism_checkpoint_population(&d);
  TEST_CHECK_EQ(p.count, 6);
  TEST_CHECK(p.colors[5] == d.colors + 5 * (size_t)g->n);
  /* the same bytes again: serialization is a function of the content */
  unsigned char *buf2;
  size_t len2 = prism_checkpoint_serialize(&d, &buf2);
  TEST_CHECK(len2 == len && memcmp(buf, buf2, len) == 0);
  free(buf);
  free(buf2);
  prism_checkpoint_free(&c);
  prism_checkpoint_free(&d);
  prism_graph_free(g);
}

PRISM_TEST(checkpoint_corruption_refused, "cpu") {
  prism_graph *g = prism_test_gnp(60, 0.3, 4, 1);
  prism_checkpoint c;
  make_checkpoint(g, 3, &c);
  unsigned char *buf;
  size_t len = prism_checkpoint_serialize(&c, &buf);
  /* truncated anywhere */
  TEST_CHECK(parse_fails_with(buf, 0, g, "bad magic"));
  size_t cuts[] = {8, 23, 31, 40, len / 2, len - 8, len - 1};
  for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
    TEST_CHECK(parse_fails_with(buf, cuts[i], g, "truncated"));
  /* every single flipped byte */
  int refused = 0;
  for (size_t i = 0; i < len; i++) {
    buf[i] ^= 0x10;
    prism_checkpoint d;
    char err[512];
    if (prism_checkpoint_parse(buf, len, g, &d, err, sizeof err) != 0) refused++;
    else prism_checkpoint_free(&d);
    buf[i] ^= 0x10;
  }
  TEST_CHECK_EQ(refused, len);
  buf[len / 2] ^= 1;
  TEST_CHECK(parse_fails_with(buf, len, g, "checksum mismatch"));
  buf[len / 2] ^= 1;
  /* magic, version, trailing bytes */
  buf[0] = 'X';
  TEST_CHECK(parse_fails_with(buf, len, g, "bad magic"));
  buf[0] = 'P';
  buf[8] = 2;
  TEST_CHECK(parse_fails_with(buf, len, g, "unsupported checkpoint version 2"));
  buf[8] = 1;
  unsigned char *longer = calloc(len + 4, 1);
  memcpy(longer, buf, len);
  TEST_CHECK(parse_fails_with(longer, len + 4, g, "bytes after the end"));
  /* intact: accepted */
  prism_checkpoint d;
  char err[512];
  TEST_CHECK(prism_checkpoint_parse(buf, len, g, &d, err, sizeof err) == 0);
  prism_checkpoint_free(&d);
  free(longer);
  free(buf);
  prism_checkpoint_free(&c);
  prism_graph_free(g);
}

PRISM_TEST(checkpoint_wrong_graph_refused, "cpu") {
  prism_graph *g = prism_test_gnp(60, 0.3, 4, 1);
  prism_graph *same_size = prism_test_gnp(60, 0.3, 4, 2);
  prism_graph *other = prism_test_gnp(61, 0.3, 4, 1);
  prism_checkpoint c;
  make_checkpoint(g, 2, &c);
  unsigned char *buf;
  size_t len = prism_checkpoint_serialize(&c, &buf);
  TEST_CHECK(parse_fails_with(buf, len, other, "checkpoint of another graph (60 vertices"));
  if (same_size->m == g->m)
    TEST_CHECK(parse_fails_with(buf, len, same_size, "different edges"));
  else
    TEST_CHECK(parse_fails_with(buf, len, same_size, "another graph"));
  /* same n and m, one edge moved: only the fingerprint tells */
  uint32_t u[] = {0, 1}, v[] = {1, 2}, w[] = {2, 2}; /* 0-1 1-2 against 0-2 1-2 */
  prism_graph *a = prism_graph_build(3, u, v, 2, NULL);
  prism_graph *b = prism_graph_build(3, u, w, 2, NULL);
  prism_checkpoint ca;
  make_checkpoint(a, 1, &ca);
  unsigned char *ba;
  size_t la = prism_checkpoint_serialize(&ca, &ba);
  TEST_CHECK(parse_fails_with(ba, la, b, "different edges"));
  free(ba);
  prism_checkpoint_free(&ca);
  prism_graph_free(a);
  prism_graph_free(b);
  free(buf);
  prism_checkpoint_free(&c);
  prism_graph_free(g);
  prism_graph_free(same_size);
  prism_graph_free(other);
}

/* Content with a valid checksum but wrong colors: refused too (the stored
 * best coloring is never trusted). */
PRISM_TEST(checkpoint_bad_content_refused, "cpu") {
  prism_graph *g = prism_test_gnp(60, 0.3, 4, 1);
  prism_checkpoint c;
  make_checkpoint(g, 2, &c);
  unsigned char *buf;
  size_t len;
  uint32_t u = g->adj[g->offsets[0]]; /* a neighbour of vertex 0 */
  uint32_t saved = c.best[u];
  c.best[u] = c.best[0]; /* a conflict */
  len = prism_checkpoint_serialize(&c, &buf);
  TEST_CHECK(parse_fails_with(buf, len, g, "does not verify"));
  free(buf);
  c.best[u] = saved;
  const uint32_t b1 = c.best[1];
  c.best[1] = c.best_k; /* a color out of range */
  len = prism_checkpoint_serialize(&c, &buf);
  TEST_CHECK(parse_fails_with(buf, len, g, "color >= its"));
  free(buf);
  c.best_k++; /* in range, but one color unused: says k + 1, uses k */
  c.best[1] = b1;
  len = prism_checkpoint_serialize(&c, &buf);
  TEST_CHECK(parse_fails_with(buf, len, g, "uses"));
  free(buf);
  c.best_k--;
  c.colors[7] = c.ks[0]; /* population color out of range */
  len = prism_checkpoint_serialize(&c, &buf);
  TEST_CHECK(parse_fails_with(buf, len, g, "coloring 1 of the population"));
  free(buf);
  prism_checkpoint_free(&c);
  prism_graph_free(g);
}

/* set_best renumbers a coloring that skips colors; set_population keeps at
 * most PRISM_CHECKPOINT_MAX_POP colorings, spread over the islands, and
 * skips ones out of range. */
PRISM_TEST(checkpoint_set_population_and_best, "cpu") {
  uint32_t u[] = {0, 1}, v[] = {1, 2};
  prism_graph *g = prism_graph_build(4, u, v, 2, NULL);
  prism_checkpoint c;
  prism_checkpoint_init(&c, g, 1);
  uint32_t skip[] = {0, 5, 0, 9}; /* 3 colors: 0, 5, 9 */
  prism_checkpoint_set_best(&c, skip, 3);
  TEST_CHECK_EQ(c.best_k, 3);
  TEST_CHECK(c.best[0] == 0 && c.best[1] == 1 && c.best[2] == 0 && c.best[3] == 2);
  enum { COUNT = 200 };
  static uint32_t rows[COUNT][4], ks[COUNT], isl[COUNT];
  static const uint32_t *ptr[COUNT];
  for (uint32_t i = 0; i < COUNT; i++) {
    ks[i] = 2;
    isl[i] = i < 150 ? 0 : 1; /* island 0: 150 colorings, island 1: 50 */
    ptr[i] = rows[i];
    for (uint32_t x = 0; x < 4; x++) rows[i][x] = (i + x) % 2;
  }
  rows[1][2] = 2; /* out of range for k = 2 */
  prism_population p = {4, COUNT, ks, isl, ptr};
  prism_checkpoint_set_population(&c, &p);
  TEST_CHECK_EQ(c.count, PRISM_CHECKPOINT_MAX_POP);
  uint32_t per[2] = {0, 0};
  for (uint32_t i = 0; i < c.count; i++) {
    per[c.island[i]]++;
    for (uint32_t x = 0; x < 4; x++) TEST_CHECK(c.colors[(size_t)i * 4 + x] < 2);
  }
  TEST_CHECK_EQ(per[0], PRISM_CHECKPOINT_MAX_POP / 2);
  TEST_CHECK_EQ(per[1], PRISM_CHECKPOINT_MAX_POP / 2);
  TEST_CHECK_EQ(c.k, 2);
  prism_checkpoint_free(&c);
  prism_graph_free(g);
  /* a large graph keeps fewer colorings: 2^24 words' worth */
  const uint32_t n = 1u << 21;
  g = prism_graph_build(n, u, v, 0, NULL);
  prism_checkpoint_init(&c, g, 1);
  uint32_t *zero = calloc(n, sizeof *zero);
  for (uint32_t i = 0; i < 10; i++) {
    ptr[i] = zero;
    ks[i] = 1;
    isl[i] = 0;
  }
  prism_population big = {n, 10, ks, isl, ptr};
  prism_checkpoint_set_population(&c, &big);
  TEST_CHECK_EQ(c.count, (1u << 24) / n);
  free(zero);
  prism_checkpoint_free(&c);
  prism_graph_free(g);
}

PRISM_TEST(checkpoint_file_atomic, "cpu") {
  char dir[] = "/tmp/prism_ckpt_XXXXXX";
  TEST_REQUIRE(mkdtemp(dir));
  char path[256], bad[256];
  snprintf(path, sizeof path, "%s/run.ckp", dir);
  snprintf(bad, sizeof bad, "%s/missing/run.ckp", dir);
  prism_graph *g = prism_test_gnp(80, 0.2, 9, 1);
  prism_checkpoint c, d;
  make_checkpoint(g, 4, &c);
  char err[1024];
  TEST_CHECK(prism_checkpoint_save(&c, path, err, sizeof err) == 0);
  TEST_CHECK(prism_checkpoint_save(&c, path, err, sizeof err) == 0); /* over the old one */
  TEST_CHECK(prism_checkpoint_save(&c, bad, err, sizeof err) == -1);
  TEST_CHECK(strstr(err, "cannot write the checkpoint") != NULL);
  TEST_REQUIRE(prism_checkpoint_load(path, g, &d, err, sizeof err) == 0);
  TEST_CHECK_EQ(d.count, 4);
  TEST_CHECK_EQ(d.best_k, c.best_k);
  prism_checkpoint_free(&d);
  TEST_CHECK(prism_checkpoint_load(bad, g, &d, err, sizeof err) == -1);
  TEST_CHECK(strncmp(err, bad, strlen(bad)) == 0 && strstr(err, "cannot open"));
  /* nothing but the file itself is left in the directory */
  DIR *dd = opendir(dir);
  TEST_REQUIRE(dd);
  struct dirent *ent;
  int files = 0;
  while ((ent = readdir(dd)))
    if (ent->d_name[0] != '.') files++;
  closedir(dd);
  TEST_CHECK_EQ(files, 1);
  /* atomic writes of plain bytes */
  TEST_CHECK(prism_atomic_write(path, "abc", 3) == 0);
  struct stat st;
  TEST_CHECK(stat(path, &st) == 0 && st.st_size == 3);
  unlink(path);
  rmdir(dir);
  prism_checkpoint_free(&c);
  prism_graph_free(g);
}

/* ----------------------------------------------------------- resuming */

typedef struct capture {
  prism_checkpoint c;
  uint32_t first_k;    /* k of the first coloring the solve reported */
  uint32_t pop_k;      /* smallest k of the first population handed out */
  int reports, pops;
} capture;

static void cap_improve(void *ctx, uint32_t k, const uint32_t *colors, double s) {
  capture *cp = ctx;
  if (cp->reports++ == 0) cp->first_k = k;
  prism_checkpoint_set_best(&cp->c, colors, k);
}

static void cap_population(void *ctx, const prism_population *p, int final) {
  capture *cp = ctx;
  prism_checkpoint_set_population(&cp->c, p);
  if (cp->pops++ == 0) cp->pop_k = cp->c.k;
}

static void cap_opts(prism_solve_opts *o, capture *cp, int batches, int moves,
                     prism_backend backend) {
  prism_solve_opts_defaults(o);
  o->backend = backend;
  o->seed = 3;
  o->time_limit = 0;
  o->params.max_batches = batches;
  o->params.batch_moves = moves;
  o->on_improve = cap_improve;
  o->on_population = cap_population;
  o->ctx = cp;
}

/* A solve checkpointed, then resumed through the file: the resumed solve
 * reports the stored best first, searches from the stored k and never ends
 * worse than the stored best. */
PRISM_TEST(checkpoint_resume_continues, "cpu") {
  prism_graph *g = prism_test_gnp(100, 0.5, 21, 1);
  capture a = {0}, b = {0};
  prism_checkpoint_init(&a.c, g, 3);
  prism_solve_opts o;
  cap_opts(&o, &a, 20, 3000, PRISM_BACKEND_CPU);
  prism_solve_result r;
  char err[512], path[] = "/tmp/prism_ckpt_XXXXXX";
  TEST_REQUIRE(prism_solve(g, &o, &r, err, sizeof err) == 0);
  TEST_REQUIRE(r.best_k < r.dsatur_k && a.c.count > 0);
  TEST_CHECK_EQ(a.c.best_k, r.best_k);
  int fd = mkstemp(path);
  TEST_REQUIRE(fd >= 0);
  close(fd);
  TEST_REQUIRE(prism_checkpoint_save(&a.c, path, err, sizeof err) == 0);
  prism_checkpoint in;
  TEST_REQUIRE(prism_checkpoint_load(path, g, &in, err, sizeof err) == 0);
  unlink(path);
  prism_population pop = prism_checkpoint_population(&in);
  prism_checkpoint_init(&b.c, g, 3);
  cap_opts(&o, &b, 6, 3000, PRISM_BACKEND_CPU);
  o.start_best = in.best;
  o.start_pop = &pop;
  prism_solve_result s;
  TEST_REQUIRE(prism_solve(g, &o, &s, err, sizeof err) == 0);
  TEST_CHECK_EQ(b.first_k, r.best_k); /* the stored best, reported first */
  TEST_CHECK(s.best_k <= r.best_k);
  TEST_CHECK(prism_verify(g, s.colors, s.best_k, err, sizeof err) == 0);
  TEST_CHECK(b.pop_k <= in.k); /* searching at the stored k (or below) */
  TEST_CHECK(s.moves > 0);
  free(r.colors);
  free(s.colors);
  prism_checkpoint_free(&in);
  prism_checkpoint_free(&a.c);
  prism_checkpoint_free(&b.c);
  prism_graph_free(g);
}

/* The population seeds the engine: a stored proper coloring with K colors
 * next to a stored best of K + 2 or more (DSATUR's) is found in one batch
 * of one move, which no start from the best alone can do (dissolving one
 * class of it leaves at least K + 1 colors). */
static void resume_seeds(prism_backend first, prism_backend then) {
  prism_graph *g = prism_test_gnp(100, 0.5, 21, 1);
  capture a = {0}, b = {0};
  prism_checkpoint_init(&a.c, g, 3);
  prism_solve_opts o;
  cap_opts(&o, &a, 20, 3000, first);
  prism_solve_result r;
  char err[512];
  TEST_REQUIRE(prism_solve(g, &o, &r, err, sizeof err) == 0);
  const uint32_t K = r.best_k;
  if (K + 2 > r.dsatur_k) {
    prism_checkpoint_free(&a.c);
    free(r.colors);
    prism_graph_free(g);
    TEST_SKIP("the search did not get 2 colors below DSATUR");
  }
  uint32_t *ds = malloc(g->n * sizeof *ds), isl = 0, kk = K;
  prism_dsatur(g, ds);
  prism_checkpoint_set_best(&a.c, r.colors, K); /* renumbered to 0 .. K-1 */
  const uint32_t *row = a.c.best;
  prism_population pop = {g->n, 1, &kk, &isl, &row};
  prism_checkpoint_init(&b.c, g, 3);
  cap_opts(&o, &b, 1, 1, then);
  o.start_best = ds;
  o.start_pop = &pop;
  prism_solve_result s;
  TEST_CHECK(prism_solve(g, &o, &s, err, sizeof err) == 0);
  TEST_CHECK_EQ(s.best_k, K);
  TEST_CHECK_EQ(s.batches, 1);
  free(ds);
  free(r.colors);
  free(s.colors);
  prism_checkpoint_free(&a.c);
  prism_checkpoint_free(&b.c);
  prism_graph_free(g);
}

PRISM_TEST(checkpoint_resume_seeds_population, "cpu") {
  resume_seeds(PRISM_BACKEND_CPU, PRISM_BACKEND_CPU);
}

/* On the GPU the stored colorings reach the replicas through the host's
 * load path (dirty replicas are uploaded at the next launch): the same
 * check, and checkpoints crossing backends (run with make gpu-test). */
PRISM_TEST(checkpoint_resume_cuda, "gpu") {
  char why[256];
  if (!prism_cuda_available(why, sizeof why)) TEST_SKIP("no CUDA device");
  resume_seeds(PRISM_BACKEND_CUDA, PRISM_BACKEND_CUDA);
  resume_seeds(PRISM_BACKEND_CPU, PRISM_BACKEND_CUDA);
  resume_seeds(PRISM_BACKEND_CUDA, PRISM_BACKEND_CPU);
}

/* ------------------------------------------- tests/broken_checkpoint/ */

/* Every file listed in broken_checkpoint/EXPECTED is refused with
 * "PATH: what", and every .ckp file of the folder is listed. */
PRISM_TEST(checkpoint_broken_files_refused, "cpu") {
  char dir[4096], path[8192], line[1024];
  snprintf(dir, sizeof dir, "%s", prism_test_path("broken_checkpoint"));
  prism_graph *g = NULL;
  prism_diag diag;
  TEST_REQUIRE(prism_graph_read_file(prism_test_path("../examples/myciel5.col"),
                                     PRISM_FORMAT_AUTO, &g, &diag) == 0);
  snprintf(path, sizeof path, "%s/EXPECTED", dir);
  FILE *f = fopen(path, "r");
  TEST_REQUIRE(f);
  static char listed[64][1024];
  int count = 0;
  while (fgets(line, sizeof line, f) && count < 64) {
    line[strcspn(line, "\r\n")] = 0;
    char *tab = strchr(line, '\t');
    if (line[0] == '#' || !tab) continue;
    *tab = 0;
    snprintf(listed[count++], sizeof listed[0], "%s", line);
    snprintf(path, sizeof path, "%s/%s", dir, line);
    prism_checkpoint c;
    char err[1024];
    int rc = prism_checkpoint_load(path, g, &c, err, sizeof err);
    if (rc == 0) prism_checkpoint_free(&c);
    if (rc == 0 || strncmp(err, path, strlen(path)) || !strstr(err, tab + 1)) {
      printf("    %s: rc %d, '%s'\n", line, rc, rc ? err : "");
      TEST_CHECK(0);
    }
  }
  fclose(f);
  TEST_CHECK(count >= 10);
  DIR *d = opendir(dir);
  TEST_REQUIRE(d);
  struct dirent *ent;
  while ((ent = readdir(d))) {
    size_t len = strlen(ent->d_name);
    if (len < 4 || strcmp(ent->d_name + len - 4, ".ckp")) continue;
    int found = 0;
    for (int i = 0; i < count; i++) found |= !strcmp(listed[i], ent->d_name);
    if (!found) printf("    %s is not in EXPECTED\n", ent->d_name);
    TEST_CHECK(found);
  }
  closedir(d);
  prism_graph_free(g);
}
