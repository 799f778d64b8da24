/* test_exchange.c - the engine's side of a solve over several processes
 * (engine/exchange.h, migrate.c), with an in-process hook instead of MPI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "color/color.h"
#include "engine/exchange.h"
#include "engine/solve.h"
#include "test.h"

typedef struct fake {
  uint32_t n, calls, stop_at, bad_out;
  int echo; /* hand the emigrant back as the immigrant */
  uint64_t batches_seen;
} fake;

static int fake_round(void *ctx, const prism_graph *g, const prism_solve_opts *o,
                      prism_solve_result *res, double t0, const prism_migrant *out,
                      prism_migrant *in) {
  fake *f = ctx;
  f->calls++;
  if (out->k) /* a k-coloring, below the best k */
    for (uint32_t v = 0; v < f->n; v++)
      if (out->colors[v] >= out->k || out->k >= res->best_k) f->bad_out++;
  in->k = 0;
  if (f->echo && out->k) {
    in->k = out->k;
    memcpy(in->colors, out->colors, (size_t)f->n * sizeof *in->colors);
  }
  return f->stop_at && f->calls >= f->stop_at;
}

/* 1 when some batch's mean_conflicts differs between the telemetry files */
static int mean_conflicts_differ(const char *a, const char *b) {
  FILE *f[2] = {fopen(a, "r"), fopen(b, "r")};
  char line[2][4096];
  int differ = 0;
  if (!f[0] || !f[1]) differ = -1;
  while (differ == 0 && fgets(line[0], sizeof line[0], f[0]) &&
         fgets(line[1], sizeof line[1], f[1])) {
    const char *p = strstr(line[0], "\"mean_conflicts\":"), *q = strstr(line[1], "\"mean_conflicts\":");
    if (p && q && strtod(p + 17, NULL) != strtod(q + 17, NULL)) differ = 1;
  }
  for (int i = 0; i < 2; i++)
    if (f[i]) fclose(f[i]);
  return differ == 1;
}

static void opts(prism_solve_opts *o) {
  prism_solve_opts_defaults(o);
  o->backend = PRISM_BACKEND_CPU;
  o->seed = 5;
  o->time_limit = 0;
  o->params.islands = 2;
  o->params.replicas = 4;
  o->params.batch_moves = 1000;
  o->params.max_batches = 40;
  o->params.migrate_rounds = 3;
}

static void solve(const prism_graph *g, prism_solve_opts *o, fake *f, prism_exchange *x,
                  prism_solve_result *r) {
  if (f) {
    x->engine_seed = o->seed;
    x->round = fake_round;
    x->ctx = f;
    x->telemetry = NULL;
    o->exchange = x;
  }
  char err[256];
  TEST_REQUIRE(prism_solve(g, o, r, err, sizeof err) == 0);
}

/* Every migrate_rounds-th round (2 islands: every 6 batches), with k-colorings
 * below the best k; a hook that sends nothing back changes nothing. */
PRISM_TEST(exchange_hook_at_fixed_rounds_neutral, "cpu") {
  prism_graph *g = prism_test_gnp(90, 0.3, 2, 2);
  prism_solve_opts o;
  prism_solve_result plain, hooked;
  opts(&o);
  solve(g, &o, NULL, NULL, &plain);
  fake f = {.n = g->n};
  prism_exchange x;
  opts(&o);
  solve(g, &o, &f, &x, &hooked);
  TEST_CHECK(hooked.best_k > hooked.lower_bound); /* ran every batch */
  TEST_CHECK_EQ(hooked.batches, 40);
  TEST_CHECK_EQ(f.calls, 40 / 6);
  TEST_CHECK_EQ(f.bad_out, 0);
  TEST_CHECK_EQ(hooked.best_k, plain.best_k);
  TEST_CHECK_EQ(hooked.moves, plain.moves);
  TEST_CHECK(memcmp(hooked.colors, plain.colors, g->n * sizeof *plain.colors) == 0);
  free(plain.colors);
  free(hooked.colors);
  prism_graph_free(g);
}

/* The hook ends the solve; immigrants are taken in. */
PRISM_TEST(exchange_stop_and_immigrant, "cpu") {
  prism_graph *g = prism_test_gnp(90, 0.3, 2, 2);
  prism_solve_opts o;
  prism_solve_result r;
  prism_exchange x;
  fake f = {.n = g->n, .stop_at = 2};
  opts(&o);
  solve(g, &o, &f, &x, &r);
  TEST_CHECK_EQ(f.calls, 2);
  TEST_CHECK_EQ(r.batches, 2 * 3 * 2); /* 2 exchanges x 3 rounds x 2 islands */
  free(r.colors);
  /* immigrants (the emigrant sent back) are taken in: the replicas' mean
   * conflicts of some batch (telemetry) differ from the run without them,
   * and the result verifies */
  char tp[2][64];
  fake none = {.n = g->n}, echo = {.n = g->n, .echo = 1};
  for (int i = 0; i < 2; i++) {
    snprintf(tp[i], sizeof tp[i], "/tmp/prism_test_exchange_%d_%d.jsonl", (int)getpid(), i);
    opts(&o);
    o.telemetry_path = tp[i];
    solve(g, &o, i ? &echo : &none, &x, &r);
    char msg[256];
    TEST_CHECK(prism_verify(g, r.colors, 0, msg, sizeof msg) == 0);
    if (i == 0) free(r.colors);
  }
  TEST_CHECK_EQ(echo.calls, 40 / 6);
  TEST_CHECK_EQ(echo.bad_out, 0);
  TEST_CHECK(mean_conflicts_differ(tp[0], tp[1]));
  remove(tp[0]);
  remove(tp[1]);
  free(r.colors);
  prism_graph_free(g);
}
