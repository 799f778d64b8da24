/* test_api.c - include/prism.h as a program uses it: graphs from arrays and
 * files, settings by name and their errors, callbacks with colorings
 * checked here against the edges, interrupts from a thread, a signal
 * handler and a progress callback. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prism.h"
#include "test.h"

/* Petersen graph: outer 5-cycle, inner pentagram, spokes; chromatic 3. */
static const uint32_t petersen[] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 0, 5, 7, 7, 9, 9, 6, 6, 8,
                                    8, 5, 0, 5, 1, 6, 2, 7, 3, 8, 4, 9};

/* Edges with both ends of one color, or a color >= k: 0 for a proper
 * k-coloring. */
static uint64_t bad_edges(const uint32_t *edges, uint64_t m, const uint32_t *colors,
                          uint32_t n, uint32_t k) {
  uint64_t bad = 0;
  for (uint32_t v = 0; v < n; v++) bad += colors[v] >= k;
  for (uint64_t i = 0; i < m; i++) bad += colors[edges[2 * i]] == colors[edges[2 * i + 1]];
  return bad;
}

/* Distinct colors used. */
static uint32_t used(const uint32_t *colors, uint32_t n) {
  uint32_t k = 0;
  for (uint32_t v = 0; v < n; v++) {
    uint32_t u = 0;
    while (u < v && colors[u] != colors[v]) u++;
    k += u == v;
  }
  return k;
}

/* G(n, 1/2) as an edge array (the test framework's generator). */
static uint32_t *gnp_edges(uint32_t n, uint64_t *m) {
  prism_graph *g = prism_test_gnp(n, 0.5, 3, 1);
  uint32_t *e = malloc(2 * g->m * sizeof *e);
  *m = 0;
  for (uint32_t u = 0; u < n; u++)
    for (uint64_t i = g->offsets[u]; i < g->offsets[u + 1]; i++)
      if (g->adj[i] > u) {
        e[2 * *m] = u;
        e[2 * *m + 1] = g->adj[i];
        (*m)++;
      }
  prism_graph_free(g);
  return e;
}

PRISM_TEST(api_version, "cpu") {
  TEST_CHECK(!strcmp(prism_version(), PRISM_VERSION_STRING));
  TEST_CHECK_EQ(PRISM_VERSION_NUMBER,
                PRISM_VERSION_MAJOR * 65536 + PRISM_VERSION_MINOR * 256 + PRISM_VERSION_PATCH);
}

PRISM_TEST(api_arrays_target, "cpu") {
  prism_ctx *p = prism_new();
  TEST_REQUIRE(p);
  TEST_CHECK_EQ(prism_result_status(p), PRISM_RESULT_NONE);
  uint32_t edges[34];
  memcpy(edges, petersen, sizeof petersen);
  edges[30] = 1, edges[31] = 0, edges[32] = 5, edges[33] = 0; /* repeats, reversed */
  TEST_REQUIRE(prism_load_edges(p, 10, edges, 17) == 0);
  TEST_CHECK_EQ(prism_num_vertices(p), 10);
  TEST_CHECK_EQ(prism_num_edges(p), 15);
  uint32_t deg = 99;
  const uint32_t *nb = prism_neighbors(p, 0, &deg);
  TEST_REQUIRE(nb && deg == 3);
  TEST_CHECK(nb[0] == 1 && nb[1] == 4 && nb[2] == 5);
  TEST_CHECK(prism_neighbors(p, 10, &deg) == NULL && deg == 0);
  TEST_REQUIRE(prism_set_param(p, "target_k", 3) == 0);
  TEST_REQUIRE(prism_set_param(p, "time_limit", 30) == 0);
  TEST_REQUIRE(prism_run(p) == 0);
  TEST_CHECK_EQ(prism_result_status(p), PRISM_RESULT_SAT);
  TEST_CHECK_EQ(prism_result_k(p), 3);
  TEST_CHECK_EQ(prism_result_lower_bound(p), 2);
  const uint32_t *c = prism_result_colors(p);
  TEST_REQUIRE(c);
  TEST_CHECK_EQ(bad_edges(petersen, 15, c, 10, 3), 0);
  TEST_CHECK_EQ(used(c, 10), 3);
  /* below the clique bound: impossible, no coloring */
  TEST_REQUIRE(prism_set_param(p, "k", 1) == 0);
  TEST_REQUIRE(prism_run(p) == 0);
  TEST_CHECK_EQ(prism_result_status(p), PRISM_RESULT_UNSAT);
  TEST_CHECK(prism_result_colors(p) == NULL && prism_result_k(p) == 0);
  TEST_CHECK(!strcmp(prism_status_name(PRISM_RESULT_UNSAT), "UNSATISFIABLE"));
  /* the empty graph */
  TEST_REQUIRE(prism_load_edges(p, 0, NULL, 0) == 0);
  TEST_CHECK_EQ(prism_result_status(p), PRISM_RESULT_NONE);
  TEST_REQUIRE(prism_set_param(p, "k", 0) == 0);
  TEST_REQUIRE(prism_run(p) == 0);
  TEST_CHECK_EQ(prism_result_status(p), PRISM_RESULT_OPTIMUM);
  prism_free(p);
}

PRISM_TEST(api_load_file, "cpu") {
  prism_ctx *p = prism_new();
  TEST_REQUIRE(prism_load_file(p, "examples/myciel5.col", "dimacs") == 0);
  TEST_CHECK_EQ(prism_num_vertices(p), 47);
  TEST_CHECK_EQ(prism_num_edges(p), 236);
  TEST_REQUIRE(prism_set_option(p, "k", "6") == 0);
  TEST_REQUIRE(prism_run(p) == 0);
  TEST_CHECK_EQ(prism_result_status(p), PRISM_RESULT_SAT);
  TEST_CHECK(prism_result_k(p) <= 6 && prism_result_k(p) >= 1);
  /* a broken file: FILE:LINE: what, the graph kept */
  TEST_CHECK(prism_load_file(p, prism_test_path("broken/dimacs_edge_before_header.col"),
                             NULL) == -1);
  TEST_CHECK(strstr(prism_error(p), "dimacs_edge_before_header.col:2: ") != NULL);
  TEST_CHECK_EQ(prism_num_vertices(p), 47);
  TEST_CHECK(prism_load_file(p, "no/such/file.col", NULL) == -1);
  TEST_CHECK(strstr(prism_error(p), "no/such/file.col") != NULL);
  TEST_CHECK(prism_load_file(p, "examples/myciel5.col", "xml") == -1);
  TEST_CHECK(strstr(prism_error(p), "unknown format 'xml'") != NULL);
  prism_free(p);
}

PRISM_TEST(api_settings_errors, "cpu") {
  prism_ctx *p = prism_new();
  double v = -1;
  TEST_CHECK(prism_run(p) == -1);
  TEST_CHECK(strstr(prism_error(p), "no graph") != NULL);
  TEST_CHECK(prism_set_param(p, "no_such_param", 1) == -1);
  TEST_CHECK(strstr(prism_error(p), "unknown parameter 'no_such_param'") != NULL);
  TEST_CHECK(prism_get_param(p, "no_such_param", &v) == -1);
  /* out of range or not an integer: an error, the value unchanged */
  TEST_REQUIRE(prism_get_param(p, "replicas", &v) == 0 && v == 0);
  TEST_CHECK(prism_set_param(p, "replicas", 5000) == -1);
  TEST_CHECK(strstr(prism_error(p), "out of range") != NULL);
  TEST_CHECK(prism_set_param(p, "replicas", 2.5) == -1);
  TEST_CHECK(prism_set_option(p, "replicas", "four") == -1);
  TEST_CHECK(strstr(prism_error(p), "not a number") != NULL);
  TEST_CHECK(prism_get_param(p, "replicas", &v) == 0 && v == 0);
  TEST_CHECK(prism_set_param(p, "replicas", 4) == 0 && prism_error(p)[0] == 0);
  TEST_CHECK(prism_get_param(p, "replicas", &v) == 0 && v == 4);
  TEST_CHECK(prism_set_option(p, "tabu_alpha", "0.25") == 0);
  TEST_CHECK(prism_get_param(p, "tabu_alpha", &v) == 0 && v == 0.25);
  /* the settings outside the table */
  TEST_CHECK(prism_get_param(p, "time_limit", &v) == 0 && v == 60);
  TEST_CHECK(prism_set_param(p, "threads", 0) == -1);
  TEST_CHECK(prism_set_param(p, "threads", 2) == 0);
  TEST_CHECK(prism_get_param(p, "threads", &v) == 0 && v == 2);
  TEST_CHECK(prism_set_param(p, "time_limit", -1) == -1);
  TEST_CHECK(prism_set_param(p, "seed", 1.5) == -1);
  TEST_CHECK(prism_set_option(p, "seed", "12345678901") == 0);
  TEST_CHECK(prism_get_param(p, "seed", &v) == 0 && v == 12345678901.0);
  TEST_CHECK(prism_set_option(p, "backend", "gpu") == -1);
  TEST_CHECK(prism_set_option(p, "backend", "cpu") == 0);
  TEST_CHECK(prism_get_param(p, "backend", &v) == 0 && v == 1);
  TEST_CHECK(prism_set_param(p, "dsatur_only", 1) == 0);
  TEST_CHECK(prism_get_param(p, "dsatur_only", &v) == 0 && v == 1);
  /* every table parameter by its listed name */
  TEST_CHECK(prism_param_count() > 10);
  for (int i = 0; i < prism_param_count(); i++)
    TEST_CHECK(prism_get_param(p, prism_param_name(i), &v) == 0);
  TEST_CHECK(prism_param_name(prism_param_count()) == NULL);
  /* bad arrays: the handle's graph unchanged */
  const uint32_t out_of_range[] = {0, 1, 1, 3};
  TEST_CHECK(prism_load_edges(p, 3, out_of_range, 2) == -1);
  TEST_CHECK(strstr(prism_error(p), "endpoint not below n = 3") != NULL);
  const uint32_t loop[] = {0, 1, 2, 2};
  TEST_CHECK(prism_load_edges(p, 3, loop, 2) == -1);
  TEST_CHECK(strstr(prism_error(p), "self-loop on vertex 2") != NULL);
  TEST_CHECK_EQ(prism_num_vertices(p), 0);
  TEST_CHECK(prism_load_edges(p, 3, NULL, 1) == -1);
  prism_free(p);
  prism_free(NULL);
}

/* ------------------------------------------------------------- callbacks */

typedef struct watch {
  const uint32_t *edges;
  uint64_t m;
  uint32_t n, improvements, last_k, bad, progress, last_best, stop_at;
} watch;

static void on_improve(void *user, uint32_t k, const uint32_t *colors, uint32_t n,
                       double seconds) {
  watch *w = user;
  w->improvements++;
  if (n != w->n || bad_edges(w->edges, w->m, colors, n, k) || used(colors, n) != k ||
      (w->last_k && k >= w->last_k) || seconds < 0)
    w->bad++;
  w->last_k = k;
}

static int on_progress(void *user, const prism_progress *q) {
  watch *w = user;
  w->progress++;
  if (q->batches != w->progress || q->best_k != w->last_k || q->lower_bound == 0)
    w->bad++;
  return w->stop_at && q->batches >= w->stop_at;
}

PRISM_TEST(api_callbacks, "cpu") {
  uint64_t m;
  uint32_t *edges = gnp_edges(90, &m);
  watch w = {edges, m, 90, 0, 0, 0, 0, 0, 0};
  prism_ctx *p = prism_new();
  TEST_REQUIRE(prism_load_edges(p, 90, edges, m) == 0);
  prism_on_improve(p, on_improve, &w);
  prism_on_progress(p, on_progress, &w);
  TEST_REQUIRE(prism_set_param(p, "max_batches", 30) == 0);
  TEST_REQUIRE(prism_run(p) == 0);
  TEST_CHECK_EQ(w.bad, 0);
  TEST_CHECK(w.improvements >= 1); /* DSATUR's coloring at least */
  TEST_CHECK_EQ(w.progress, 30);
  TEST_CHECK_EQ(w.last_k, prism_result_k(p));
  TEST_CHECK_EQ(bad_edges(edges, m, prism_result_colors(p), 90, prism_result_k(p)), 0);
  /* the progress callback stops the solve */
  w = (watch){edges, m, 90, 0, 0, 0, 0, 0, 7};
  TEST_REQUIRE(prism_set_param(p, "max_batches", 0) == 0);
  TEST_REQUIRE(prism_run(p) == 0);
  TEST_CHECK_EQ(w.progress, 7);
  TEST_CHECK_EQ(w.bad, 0);
  TEST_CHECK_EQ(bad_edges(edges, m, prism_result_colors(p), 90, prism_result_k(p)), 0);
  /* with independent-set extraction first: the residual graph's batches are
   * reported in whole-graph colors, its colorings lifted and checked */
  w = (watch){edges, m, 90, 0, 0, 0, 0, 0, 5};
  TEST_REQUIRE(prism_set_param(p, "extract", 1) == 0);
  TEST_REQUIRE(prism_run(p) == 0);
  TEST_CHECK_EQ(w.progress, 5);
  TEST_CHECK_EQ(w.bad, 0);
  TEST_CHECK_EQ(w.last_k, prism_result_k(p));
  prism_free(p);
  free(edges);
}

PRISM_TEST(api_same_seed, "cpu") {
  uint64_t m;
  uint32_t *edges = gnp_edges(80, &m);
  uint32_t *first = NULL;
  for (int run = 0; run < 2; run++) {
    prism_ctx *p = prism_new();
    TEST_REQUIRE(prism_load_edges(p, 80, edges, m) == 0);
    TEST_REQUIRE(prism_set_param(p, "max_batches", 15) == 0);
    TEST_REQUIRE(prism_set_param(p, "seed", 5) == 0);
    TEST_REQUIRE(prism_set_param(p, "threads", run ? 2 : 1) == 0);
    TEST_REQUIRE(prism_run(p) == 0);
    if (!run) {
      first = malloc(80 * sizeof *first);
      memcpy(first, prism_result_colors(p), 80 * sizeof *first);
    } else {
      TEST_CHECK(!memcmp(first, prism_result_colors(p), 80 * sizeof *first));
    }
    prism_free(p);
  }
  free(first);
  free(edges);
}

/* ------------------------------------------------------------ interrupts */

static void *interrupt_later(void *arg) {
  struct timespec ts = {0, 200 * 1000 * 1000};
  nanosleep(&ts, NULL);
  prism_interrupt(arg);
  return NULL;
}

static prism_ctx *signal_ctx;
static void on_signal(int sig) {
  (void)sig;
  prism_interrupt(signal_ctx);
}
static int raise_at_3(void *user, const prism_progress *q) {
  (*(uint32_t *)user)++;
  if (q->batches == 3) raise(SIGUSR1);
  return 0;
}
static int count_batches(void *user, const prism_progress *q) {
  (void)q;
  (*(uint32_t *)user)++;
  return 0;
}

PRISM_TEST(api_interrupt, "cpu") {
  prism_ctx *p = prism_new();
  TEST_REQUIRE(prism_load_edges(p, 10, petersen, 15) == 0);
  /* minimising Petersen never meets the clique bound 2: without the
   * interrupt only the (safety) time limit would end it */
  TEST_REQUIRE(prism_set_param(p, "time_limit", 120) == 0);
  pthread_t t;
  TEST_REQUIRE(pthread_create(&t, NULL, interrupt_later, p) == 0);
  TEST_REQUIRE(prism_run(p) == 0);
  pthread_join(t, NULL);
  TEST_CHECK(prism_result_seconds(p) < 100);
  TEST_CHECK_EQ(prism_result_status(p), PRISM_RESULT_SAT);
  TEST_CHECK_EQ(prism_result_k(p), 3);
  TEST_CHECK_EQ(bad_edges(petersen, 15, prism_result_colors(p), 10, 3), 0);

  /* from a signal handler, raised during batch 3 */
  uint32_t calls = 0;
  signal_ctx = p;
  void (*old)(int) = signal(SIGUSR1, on_signal);
  prism_on_progress(p, raise_at_3, &calls);
  TEST_REQUIRE(prism_run(p) == 0);
  signal(SIGUSR1, old);
  TEST_CHECK_EQ(calls, 3);
  TEST_CHECK_EQ(prism_result_k(p), 3);

  /* the request was cleared: the next solve runs its 5 batches */
  calls = 0;
  prism_on_progress(p, count_batches, &calls);
  TEST_REQUIRE(prism_set_param(p, "max_batches", 5) == 0);
  TEST_REQUIRE(prism_run(p) == 0);
  TEST_CHECK_EQ(calls, 5);
  /* an interrupt before the start: DSATUR's coloring only, no batch */
  calls = 0;
  prism_interrupt(p);
  TEST_REQUIRE(prism_run(p) == 0);
  TEST_CHECK_EQ(calls, 0);
  TEST_CHECK_EQ(bad_edges(petersen, 15, prism_result_colors(p), 10, prism_result_k(p)), 0);
  prism_free(p);
}

/* ------------------------------------------------- handles, backends */

typedef struct job {
  const uint32_t *edges;
  uint64_t m;
  uint32_t colors[80];
  int rc;
} job;

static void *solve_job(void *arg) {
  job *j = arg;
  prism_ctx *p = prism_new();
  j->rc = prism_load_edges(p, 80, j->edges, j->m) || prism_set_param(p, "seed", 9) ||
          prism_set_param(p, "max_batches", 10) || prism_set_option(p, "backend", "cpu") ||
          prism_run(p) || !prism_result_colors(p);
  if (!j->rc) memcpy(j->colors, prism_result_colors(p), sizeof j->colors);
  prism_free(p);
  return NULL;
}

/* Two handles solving at once in two threads get what one alone gets. */
PRISM_TEST(api_two_handles_in_threads, "cpu") {
  uint64_t m;
  uint32_t *edges = gnp_edges(80, &m);
  job alone = {edges, m, {0}, 1}, a = alone, b = alone;
  solve_job(&alone);
  TEST_REQUIRE(alone.rc == 0);
  pthread_t ta, tb;
  TEST_REQUIRE(pthread_create(&ta, NULL, solve_job, &a) == 0);
  TEST_REQUIRE(pthread_create(&tb, NULL, solve_job, &b) == 0);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  TEST_CHECK(a.rc == 0 && b.rc == 0);
  TEST_CHECK(!memcmp(a.colors, alone.colors, sizeof a.colors));
  TEST_CHECK(!memcmp(b.colors, alone.colors, sizeof b.colors));
  free(edges);
}

/* backend cuda without a usable GPU: an error on the handle, not an exit */
PRISM_TEST(api_backend_cuda, "cpu") {
  prism_ctx *p = prism_new();
  TEST_REQUIRE(prism_load_edges(p, 10, petersen, 15) == 0);
  TEST_REQUIRE(prism_set_option(p, "backend", "cuda") == 0);
  TEST_REQUIRE(prism_set_param(p, "k", 3) == 0);
  if (prism_run(p) == 0) {
    TEST_CHECK_EQ(bad_edges(petersen, 15, prism_result_colors(p), 10, prism_result_k(p)), 0);
  } else {
    TEST_CHECK(strstr(prism_error(p), "backend cuda: ") != NULL);
    TEST_CHECK_EQ(prism_result_status(p), PRISM_RESULT_NONE);
  }
  prism_free(p);
}
