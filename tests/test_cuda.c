/* test_cuda.c - the CUDA engine against the CPU engine, move for move: two
 * identical populations, set up as engine.c sets them up, run batch by batch
 * with prism_replica_run_batch and with prism_cuda_engine_run_batch; after
 * every batch each replica must hold the same colors, energies, iteration
 * counter, best coloring, counters and conflict set. Between batches the
 * host changes things the way engine.c does (weights, reloads, beliefs,
 * ladder swaps, cfg), so that the upload paths are exercised too.
 *
 * Every test is labelled "gpu" and skips without a CUDA device (CI, and any
 * build without nvcc, where src/cuda/cuda_absent.c stands in). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "color/color.h"
#include "cuda/cuda_backend.h"
#include "engine/replica.h"
#include "engine/solve.h"
#include "graph/read.h"
#include "test.h"
#include "util/philox.h"
#include "util/timer.h"

#define NEED_GPU()                                                    \
  do {                                                                \
    char why_[256], msg_[300];                                        \
    if (!prism_cuda_available(why_, sizeof why_)) {                   \
      snprintf(msg_, sizeof msg_, "no CUDA device: %s", why_);        \
      TEST_SKIP(msg_);                                                \
    }                                                                 \
  } while (0)

/* ------------------------------------------------------------- graphs */

typedef struct edge_list {
  uint32_t *u, *v;
  size_t m, cap;
} edge_list;

static void el_add(edge_list *e, uint32_t u, uint32_t v) {
  if (e->m == e->cap) {
    e->cap = e->cap ? 2 * e->cap : 1024;
    e->u = realloc(e->u, e->cap * sizeof *e->u);
    e->v = realloc(e->v, e->cap * sizeof *e->v);
  }
  e->u[e->m] = u;
  e->v[e->m++] = v;
}

static prism_graph *el_build(uint32_t n, edge_list *e) {
  prism_graph *g = prism_graph_build(n, e->u, e->v, e->m, NULL);
  free(e->u);
  free(e->v);
  memset(e, 0, sizeof *e);
  return g;
}

/* G(n, p), plus `hub` vertices joined to every other vertex. */
static prism_graph *gnp(uint32_t n, double p, uint32_t hubs, uint64_t seed) {
  edge_list e = {0};
  prism_rng rng;
  prism_rng_init(&rng, seed, 11, 0, 0);
  const uint32_t thr = (uint32_t)(p * 4294967295.0);
  for (uint32_t u = 0; u < n; u++)
    for (uint32_t v = u + 1; v < n; v++) {
      if (u >= hubs && p <= 0) break;
      if (u < hubs || prism_rng_u32(&rng) < thr) el_add(&e, u, v);
    }
  return el_build(n, &e);
}

/* A DIMACS instance: DSJC250.5 from the shared instances when present, else
 * a G(250, 0.5) written as DIMACS text and read back through the parser. */
static prism_graph *dimacs_instance(const char **name) {
  const char *dir = prism_test_instances_dir();
  prism_graph *g = NULL;
  prism_diag diag;
  if (dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/DSJC250.5.col", dir);
    if (prism_graph_read_file(path, PRISM_FORMAT_DIMACS, &g, &diag) == 0) {
      *name = "DSJC250.5";
      return g;
    }
  }
  prism_graph *h = gnp(250, 0.5, 0, 250);
  size_t cap = 64 + (size_t)h->m * 24, len = 0;
  char *buf = malloc(cap);
  len += (size_t)snprintf(buf + len, cap - len, "c generated G(250, 0.5)\np edge %u %llu\n",
                          h->n, (unsigned long long)h->m);
  for (uint32_t u = 0; u < h->n; u++)
    for (uint64_t i = h->offsets[u]; i < h->offsets[u + 1]; i++)
      if (h->adj[i] > u) len += (size_t)snprintf(buf + len, cap - len, "e %u %u\n", u + 1, h->adj[i] + 1);
  prism_graph_free(h);
  if (prism_graph_read_buffer(buf, len, "generated.col", PRISM_FORMAT_DIMACS, &g, &diag)) g = NULL;
  free(buf);
  *name = "generated G(250,0.5) DIMACS";
  return g;
}

/* ------------------------------------------------------- populations */

typedef struct scenario {
  uint32_t R, k, kmax, batches, moves;
  double mu, beta;      /* conflict units, as the params */
  uint32_t belief_mask; /* replicas (bit i) that get a belief array */
  double tun_prob;
  uint32_t max_chain;
  uint32_t tabu_base;
  double alpha;
  int stress;  /* some vertex weights above PRISM_W0 */
  int perturb; /* host-side changes between batches */
  uint64_t seed;
  double tmin, tmax;
  int threads_hint; /* PRISM_CUDA_THREADS for this run (0: the default) */
  uint32_t pc_mask;   /* replicas (bit i % 32) in PartialCol mode */
  uint32_t pc_base;   /* PartialCol tenure: U[0, pc_base) + pc_alpha |U| + reactive */
  double pc_alpha;
  int32_t wmax; /* the engine's weight bound (0: PRISM_WMAX) */
} scenario;

typedef struct pop {
  uint32_t R, n, k;
  prism_replica *rep;
  uint32_t *metro, *rep_of_slot;
  int32_t *omega;
  prism_batch_cfg cfg;
} pop;

static void build_metro(pop *p, const scenario *s) {
  for (uint32_t sl = 0; sl < p->R; sl++) {
    double T = p->R == 1 ? s->tmin
                         : s->tmin * pow(s->tmax / s->tmin, (double)sl / (double)(p->R - 1));
    prism_metro_table(T, p->metro + (size_t)sl * PRISM_METRO_LEVELS);
  }
  for (uint32_t sl = 0; sl < p->R; sl++)
    p->rep[p->rep_of_slot[sl]].metro_thr = p->metro + (size_t)sl * PRISM_METRO_LEVELS;
}

static uint32_t prob32(double pr) {
  double x = pr * 4294967296.0;
  return x >= 4294967295.0 ? UINT32_MAX : (uint32_t)x;
}

static void random_colors(uint32_t *c, uint32_t n, uint32_t k, uint64_t seed, uint32_t stream) {
  prism_rng rng;
  prism_rng_init(&rng, seed, stream, 3, 0);
  for (uint32_t v = 0; v < n; v++) c[v] = prism_rng_below(&rng, k);
}

static void random_belief(prism_replica *r, uint32_t n, uint32_t k, uint64_t seed, uint32_t id) {
  if (!r->belief) r->belief = calloc(n, sizeof *r->belief);
  random_colors(r->belief, n, k, seed ^ 0xBE11EFull, id);
}

static void pop_init(pop *p, const prism_graph *g, const scenario *s) {
  memset(p, 0, sizeof *p);
  p->R = s->R;
  p->n = g->n;
  p->k = s->k;
  p->rep = calloc(s->R, sizeof *p->rep);
  p->metro = malloc((size_t)s->R * PRISM_METRO_LEVELS * sizeof *p->metro);
  p->rep_of_slot = malloc(s->R * sizeof *p->rep_of_slot);
  p->omega = malloc(g->n * sizeof *p->omega);
  for (uint32_t v = 0; v < g->n; v++)
    p->omega[v] = s->stress && v % 7 == 3 ? PRISM_W0 + (int32_t)(v % 13) * 4 : PRISM_W0;
  prism_batch_cfg *c = &p->cfg;
  c->n = g->n;
  c->k = s->k;
  c->offsets = g->offsets;
  c->adj = g->adj;
  c->omega = p->omega;
  c->mu = (int64_t)llround(s->mu * PRISM_EUNIT);
  c->beta = (int64_t)llround(s->beta * PRISM_EUNIT);
  c->tun_thr = prob32(s->tun_prob);
  c->max_chain = s->max_chain;
  c->tabu_base = s->tabu_base;
  c->alpha_fp = (uint32_t)llround(s->alpha * 256.0);
  c->moves = s->moves;
  c->seed = s->seed;
  c->pc_tabu_base = s->pc_base;
  c->pc_alpha_fp = (uint32_t)llround(s->pc_alpha * 256.0);
  c->pc_react = 1;
  uint32_t *colors = malloc(g->n * sizeof *colors);
  for (uint32_t i = 0; i < s->R; i++) {
    p->rep_of_slot[i] = i;
    prism_replica_init(&p->rep[i], i, g->n, s->kmax);
    p->rep[i].slot = i;
    if (s->pc_mask >> (i % 32) & 1) p->rep[i].mode = PRISM_MODE_PARTIALCOL;
    random_colors(colors, g->n, s->k, s->seed, i);
    prism_replica_load(&p->rep[i], c, colors, s->k);
    if (s->belief_mask >> (i % 32) & 1) {
      random_belief(&p->rep[i], g->n, s->k, s->seed, i);
      prism_replica_rebuild(&p->rep[i], c);
    }
  }
  free(colors);
  build_metro(p, s);
}

static void pop_free(pop *p) {
  for (uint32_t i = 0; i < p->R; i++) prism_replica_free(&p->rep[i]);
  free(p->rep);
  free(p->metro);
  free(p->rep_of_slot);
  free(p->omega);
}

/* What engine.c does between batches, scripted: the same on both sides. */
static void perturb(pop *p, const scenario *s, uint32_t batch) {
  const uint32_t n = p->n, R = p->R;
  /* replica exchange: swap neighbouring slots */
  for (uint32_t sl = batch & 1; sl + 1 < R; sl += 2) {
    uint32_t i = p->rep_of_slot[sl], j = p->rep_of_slot[sl + 1];
    p->rep_of_slot[sl] = j;
    p->rep_of_slot[sl + 1] = i;
    p->rep[j].slot = sl;
    p->rep[i].slot = sl + 1;
    p->rep[j].metro_thr = p->metro + (size_t)sl * PRISM_METRO_LEVELS;
    p->rep[i].metro_thr = p->metro + (size_t)(sl + 1) * PRISM_METRO_LEVELS;
  }
  switch (batch % 4) {
    case 0: { /* reservoir: new weights (within the bound), every replica rebuilt (dirty = 1) */
      const int32_t wmax = s->wmax ? s->wmax : PRISM_WMAX;
      for (uint32_t v = 0; v < n; v++)
        if ((v * 2654435761u + batch) % 11 == 0)
          p->omega[v] = PRISM_W0 + (int32_t)((v + batch) % (uint32_t)(wmax - PRISM_W0 + 1));
      for (uint32_t i = 0; i < R; i++) prism_replica_rebuild(&p->rep[i], &p->cfg);
      break;
    }
    case 1: { /* recombination: one replica loaded anew (dirty = 2) */
      uint32_t *colors = malloc(n * sizeof *colors);
      uint32_t i = batch % R;
      memcpy(colors, p->rep[(i + 1) % R].best_color, n * sizeof *colors);
      for (uint32_t v = 0; v < n; v += 5) colors[v] = (colors[v] + 1) % p->k;
      prism_replica_load(&p->rep[i], &p->cfg, colors, p->k);
      free(colors);
      break;
    }
    case 2: /* belief: a new elite pull on one replica */
      if (s->beta > 0) {
        uint32_t i = (batch / 4) % R;
        random_belief(&p->rep[i], n, p->k, s->seed + batch, i);
        prism_replica_rebuild(&p->rep[i], &p->cfg);
      }
      break;
    default: /* the controller moves cfg knobs (no rebuild, like build_cfg) */
      p->cfg.tabu_base = s->tabu_base + batch % 3;
      p->cfg.tun_thr = batch % 8 == 3 ? prob32(s->tun_prob * 4 > 1 ? 1 : s->tun_prob * 4)
                                      : prob32(s->tun_prob);
      p->cfg.max_chain = s->max_chain ? s->max_chain + batch % 5 : 0;
      break;
  }
}

/* Same state? Prints the first difference of each kind. */
static int same_replica(const prism_replica *c, const prism_replica *gp, uint32_t n,
                        uint32_t batch, uint32_t i) {
  int ok = 1;
#define SAME(field)                                                                  \
  if (c->field != gp->field) {                                                       \
    printf("    batch %u replica %u: %s cpu %lld gpu %lld\n", batch, i, #field,        \
           (long long)c->field, (long long)gp->field);                               \
    ok = 0;                                                                          \
  }
  SAME(iter);
  SAME(energy);
  SAME(best_energy);
  SAME(best_color_energy);
  SAME(ncv);
  SAME(solved);
  SAME(moves);
  SAME(metro_moves);
  SAME(tunnels);
  SAME(tunnel_aborts);
  SAME(dirty);
  SAME(conflicts);
  SAME(mode);
  SAME(pc_tenure);
  SAME(pc_window);
#undef SAME
  for (uint32_t v = 0; v < n; v++)
    if (c->color[v] != gp->color[v]) {
      printf("    batch %u replica %u: color[%u] cpu %u gpu %u\n", batch, i, v, c->color[v],
             gp->color[v]);
      ok = 0;
      break;
    }
  for (uint32_t v = 0; v < n; v++)
    if (c->best_color[v] != gp->best_color[v]) {
      printf("    batch %u replica %u: best_color[%u] cpu %u gpu %u\n", batch, i, v,
             c->best_color[v], gp->best_color[v]);
      ok = 0;
      break;
    }
  /* the conflict set: same members; the GPU's cv / cvpos consistent */
  uint32_t members = 0;
  for (uint32_t v = 0; v < n; v++) {
    int in_c = c->cvpos[v] != PRISM_NONE, in_g = gp->cvpos[v] != PRISM_NONE;
    if (in_c != in_g) {
      printf("    batch %u replica %u: vertex %u in the conflict set cpu %d gpu %d\n", batch,
             i, v, in_c, in_g);
      ok = 0;
      break;
    }
    if (in_g) {
      members++;
      if (gp->cvpos[v] >= gp->ncv || gp->cv[gp->cvpos[v]] != v) {
        printf("    batch %u replica %u: gpu cvpos[%u] inconsistent\n", batch, i, v);
        ok = 0;
        break;
      }
    }
  }
  if (members != gp->ncv) {
    printf("    batch %u replica %u: gpu ncv %u but %u members\n", batch, i, gp->ncv, members);
    ok = 0;
  }
  return ok;
}

typedef struct match_result {
  uint64_t moves, tunnels, aborts, metro, solved;
  uint32_t batches_run;
  int g16;                   /* the GPU's G in 16-bit words */
  unsigned long long incr;   /* batches with the incremental selection */
} match_result;

/* Runs the scenario on both engines and compares after every batch. */
static int run_match(const prism_graph *g, const scenario *s, match_result *out) {
  pop cpu, gpu;
  pop_init(&cpu, g, s);
  pop_init(&gpu, g, s);
  char err[512];
  char *old_threads = getenv("PRISM_CUDA_THREADS");
  char th[16];
  if (s->threads_hint && !old_threads) {
    snprintf(th, sizeof th, "%d", s->threads_hint);
    setenv("PRISM_CUDA_THREADS", th, 1);
  }
  prism_cuda_engine *ce = prism_cuda_engine_create_w(g, s->R, s->kmax, 1,
                                                     s->wmax ? s->wmax : PRISM_WMAX, err,
                                                     sizeof err);
  if (s->threads_hint && !old_threads) unsetenv("PRISM_CUDA_THREADS");
  if (!ce) printf("    create: %s\n", err);
  TEST_CHECK(ce != NULL);
  int ok = ce != NULL;
  match_result res;
  memset(&res, 0, sizeof res);
  for (uint32_t b = 0; ok && b < s->batches; b++) {
    for (uint32_t i = 0; i < s->R; i++) prism_replica_run_batch(&cpu.rep[i], &cpu.cfg);
    /* the CPU leaves dirty as it was; the GPU engine clears it */
    for (uint32_t i = 0; i < s->R; i++) cpu.rep[i].dirty = 0;
    prism_cuda_engine_run_batch(ce, gpu.rep, s->R, &gpu.cfg);
    for (uint32_t i = 0; i < s->R && ok; i++) {
      ok = same_replica(&cpu.rep[i], &gpu.rep[i], g->n, b, i);
      res.moves += gpu.rep[i].moves;
      res.tunnels += gpu.rep[i].tunnels;
      res.aborts += gpu.rep[i].tunnel_aborts;
      res.metro += gpu.rep[i].metro_moves;
      res.solved += (uint64_t)gpu.rep[i].solved;
      if (ok && gpu.rep[i].solved) {
        char msg[256];
        int v = prism_verify(g, gpu.rep[i].color, s->k, msg, sizeof msg);
        if (v) printf("    batch %u replica %u: solved but %s\n", b, i, msg);
        ok = v == 0;
      }
      if (ok && gpu.rep[i].mode == PRISM_MODE_PARTIALCOL) {
        /* a legal partial coloring whose uncolored vertices are the list */
        uint32_t none = 0;
        const uint32_t *c = gpu.rep[i].color;
        for (uint32_t v = 0; v < g->n && ok; v++) {
          if (c[v] == PRISM_NONE) {
            none++;
            continue;
          }
          for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
            if (c[g->adj[e]] == c[v]) {
              printf("    batch %u replica %u: %u and %u both colored %u\n", b, i, v,
                     g->adj[e], c[v]);
              ok = 0;
              break;
            }
        }
        if (none != gpu.rep[i].ncv) printf("    batch %u replica %u: %u uncolored, list %u\n",
                                           b, i, none, gpu.rep[i].ncv);
        ok = ok && none == gpu.rep[i].ncv;
      } else if (ok) {
        /* the host's own conflict count agrees with the downloaded set */
        uint64_t cc = prism_count_conflicts(g, gpu.rep[i].color);
        uint32_t rc = prism_replica_conflicts(&gpu.rep[i], &gpu.cfg);
        if (cc != rc) printf("    batch %u replica %u: conflicts %llu vs %u\n", b, i,
                             (unsigned long long)cc, rc);
        ok = cc == rc;
      }
    }
    res.batches_run = b + 1;
    if (s->perturb && b + 1 < s->batches) {
      perturb(&cpu, s, b);
      perturb(&gpu, s, b);
    }
  }
  TEST_CHECK(ok);
  if (ce) {
    prism_cuda_stats st;
    prism_cuda_engine_stats(ce, &st);
    printf("    n %u k %u R %u: %u batches x %u moves identical; threads %d, smem %u B "
           "(small %d G %d tabu %d, G16 %d, incremental %llu); moves %llu metro %llu tunnels %llu aborts %llu "
           "solved %llu\n",
           g->n, s->k, s->R, res.batches_run, s->moves, st.threads, st.smem_bytes,
           st.smem_small, st.smem_G, st.smem_tabu, st.g16, st.incr_batches,
           (unsigned long long)res.moves,
           (unsigned long long)res.metro, (unsigned long long)res.tunnels,
           (unsigned long long)res.aborts, (unsigned long long)res.solved);
    res.g16 = st.g16;
    res.incr = (unsigned long long)st.incr_batches;
    prism_cuda_engine_destroy(ce);
  }
  if (out) *out = res;
  pop_free(&cpu);
  pop_free(&gpu);
  return ok;
}

static scenario base_scenario(void) {
  scenario s;
  memset(&s, 0, sizeof s);
  s.pc_base = 10;
  s.pc_alpha = 0.6;
  s.R = 4;
  s.batches = 4;
  s.moves = 500;
  s.tun_prob = 0.01;
  s.max_chain = 16;
  s.tabu_base = 10;
  s.alpha = 0.6;
  s.seed = 12345;
  s.tmin = 0.02;
  s.tmax = 0.6;
  s.perturb = 1;
  return s;
}

static uint32_t dsatur_k(const prism_graph *g) {
  uint32_t *c = malloc(g->n * sizeof *c);
  uint32_t k = prism_dsatur(g, c);
  free(c);
  return k;
}

/* ---------------------------------------------------------------- tests */

/* Tiny: what compute-sanitizer racecheck runs (prism_tests cuda_small_tiny). */
PRISM_TEST(cuda_small_tiny, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(80, 0.15, 0, 9);
  scenario s = base_scenario();
  s.R = 2;
  s.k = dsatur_k(g) - 1;
  s.kmax = s.k + 1;
  s.batches = 3;
  s.moves = 300;
  s.mu = 0.25;
  s.beta = 0.5;
  s.belief_mask = 0x1;
  s.stress = 1;
  s.tun_prob = 0.1;
  s.max_chain = 30;
  s.threads_hint = 64;
  match_result r;
  run_match(g, &s, &r);
  TEST_CHECK(r.tunnels > 0 && r.aborts > 0);
  prism_graph_free(g);
}

/* Small and quick: what compute-sanitizer memcheck runs (cuda_small). */
PRISM_TEST(cuda_small_match_plain, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(120, 0.1, 0, 1);
  scenario s = base_scenario();
  s.k = dsatur_k(g) - 1;
  s.kmax = s.k + 2;
  s.tun_prob = 0.05;
  s.max_chain = 40;
  match_result r;
  run_match(g, &s, &r);
  TEST_CHECK(r.tunnels > 0 && r.aborts > 0);
  prism_graph_free(g);
}

PRISM_TEST(cuda_small_match_potentials, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(150, 0.15, 0, 2);
  scenario s = base_scenario();
  s.k = dsatur_k(g) - 2;
  s.kmax = s.k + 1;
  s.mu = 0.3;
  s.beta = 0.5;
  s.belief_mask = 0x5;
  s.stress = 1;
  s.tun_prob = 0.05;
  s.max_chain = 60;
  run_match(g, &s, NULL);
  prism_graph_free(g);
}

/* PartialCol (partialcol.cuh): every replica, then mixed with TabuCol in
 * one launch (the adaptive policy), then a long tenure so that every move
 * is often tabu (the random-move branch). */
PRISM_TEST(cuda_small_match_partialcol, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(150, 0.15, 0, 4);
  scenario s = base_scenario();
  s.k = dsatur_k(g) - 2;
  s.kmax = s.k + 2;
  s.pc_mask = 0xF;
  s.batches = 5;
  s.moves = 1500; /* past the reactive window of 1000 */
  match_result r;
  run_match(g, &s, &r);
  TEST_CHECK(r.moves > 0);
  s.pc_mask = 0x5; /* replicas 0 and 2 PartialCol, 1 and 3 TabuCol */
  s.k = dsatur_k(g) - 1;
  s.mu = 0.3;
  s.beta = 0.5;
  s.belief_mask = 0x3;
  run_match(g, &s, &r);
  s.pc_mask = 0xF;
  s.k = dsatur_k(g) - 3;
  s.pc_base = 400;
  s.pc_alpha = 20;
  s.batches = 2;
  s.moves = 600;
  run_match(g, &s, &r);
  prism_graph_free(g);
}

PRISM_TEST(cuda_match_medium_gnp, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(500, 0.5, 0, 3);
  scenario s = base_scenario();
  s.R = 8;
  s.k = 50;
  s.kmax = 60;
  s.batches = 6;
  s.moves = 3000;
  s.mu = 0.2;
  s.beta = 0.25;
  s.belief_mask = 0xAA;
  s.stress = 1;
  s.tun_prob = 0.002;
  s.max_chain = 64;
  run_match(g, &s, NULL);
  prism_graph_free(g);
}

PRISM_TEST(cuda_match_dimacs, "gpu") {
  NEED_GPU();
  const char *name = "";
  prism_graph *g = dimacs_instance(&name);
  TEST_REQUIRE(g != NULL);
  printf("    instance: %s\n", name);
  scenario s = base_scenario();
  s.R = 8;
  s.k = 29;
  s.kmax = 32;
  s.batches = 5;
  s.moves = 4000;
  s.tun_prob = 0.001;
  s.max_chain = 64;
  s.stress = 1;
  run_match(g, &s, NULL);
  prism_graph_free(g);
}

/* max_degree > 1024 (three hubs): neighbour loops span many strides of the
 * block, and G entries outgrow 16 bits unless every weight stays PRISM_W0. */
static void match_high_degree(int stress, int32_t wmax, match_result *r) {
  memset(r, 0, sizeof *r);
  prism_graph *g = gnp(1500, 0.01, 3, 4);
  TEST_CHECK(g->max_degree * PRISM_WMAX > 0xFFFFu && g->max_degree * PRISM_W0 <= 0xFFFFu);
  scenario s = base_scenario();
  s.R = 4;
  s.k = dsatur_k(g) - 1;
  s.kmax = s.k + 1;
  s.moves = 2000;
  s.mu = 0.1;
  s.beta = 0.3;
  s.belief_mask = 0x3;
  s.stress = stress;
  s.tun_prob = 0.02;
  s.max_chain = 0; /* no cap */
  s.wmax = wmax;
  run_match(g, &s, r);
  prism_graph_free(g);
}

/* Stress weights, up to the bound PRISM_WMAX: 32-bit G. */
PRISM_TEST(cuda_match_high_degree, "gpu") {
  NEED_GPU();
  match_result r;
  match_high_degree(1, 0, &r);
  TEST_CHECK_EQ(r.g16, 0);
}

/* Weights that never move (stress_weight 0, no controller: the bound is
 * PRISM_W0, engine.c): 16-bit G and the incremental selection, move for
 * move with the CPU; a weight above the bound would be refused at upload. */
PRISM_TEST(cuda_match_high_degree_plain_weights, "gpu") {
  NEED_GPU();
  match_result r;
  match_high_degree(0, PRISM_W0, &r);
  TEST_CHECK_EQ(r.g16, 1);
  TEST_CHECK(r.incr > 0);
}

/* Every placement (tables in shared or global memory, 16/32-bit G, block
 * sizes) must take the same moves. */
PRISM_TEST(cuda_match_placements, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(200, 0.3, 0, 5);
  static const char *smem[] = {"none", "small", "G", "all"};
  static const char *threads[] = {"32", "64", "128", "256", "512"};
  for (int i = 0; i < 4; i++)
    for (int g16 = 0; g16 < 2; g16++) {
      setenv("PRISM_CUDA_SMEM", smem[i], 1);
      setenv("PRISM_CUDA_G16", g16 ? "1" : "0", 1);
      setenv("PRISM_CUDA_THREADS", threads[(i * 2 + g16) % 5], 1);
      printf("    PRISM_CUDA_SMEM=%s PRISM_CUDA_G16=%d PRISM_CUDA_THREADS=%s\n", smem[i], g16,
             threads[(i * 2 + g16) % 5]);
      scenario s = base_scenario();
      s.k = dsatur_k(g) - 2;
      s.kmax = s.k + 3;
      s.mu = 0.2;
      s.beta = 0.2;
      s.belief_mask = 0x6;
      s.stress = 1;
      s.tun_prob = 0.02;
      s.max_chain = 20;
      s.batches = 3;
      s.moves = 800;
      int ok = run_match(g, &s, NULL);
      unsetenv("PRISM_CUDA_SMEM");
      unsetenv("PRISM_CUDA_G16");
      unsetenv("PRISM_CUDA_THREADS");
      if (!ok) break;
    }
  prism_graph_free(g);
}

/* A sparse random graph with m edges drawn as random pairs (duplicates and
 * self-loops dropped by the builder): the O(n^2) G(n, p) loop cannot make
 * n = 1 000 000. */
static prism_graph *sparse_random(uint32_t n, uint64_t m, uint64_t seed) {
  edge_list e = {0};
  prism_rng rng;
  prism_rng_init(&rng, seed, 13, 0, 0);
  for (uint64_t i = 0; i < m; i++) {
    uint32_t u = prism_rng_below(&rng, n), v = prism_rng_below(&rng, n);
    if (u != v) el_add(&e, u, v);
  }
  return el_build(n, &e);
}

/* Two replicas from random colorings (every vertex conflicts, so the scan
 * covers n x k candidates) for a couple of short batches. */
static void match_large(prism_graph *g, uint32_t moves, double mu, int stress,
                        uint32_t max_chain) {
  scenario s = base_scenario();
  s.R = 2;
  s.k = dsatur_k(g) - 1;
  s.kmax = s.k + 1;
  s.batches = 2;
  s.moves = moves;
  s.mu = mu;
  s.stress = stress;
  s.tun_prob = 0.05;
  s.max_chain = max_chain;
  run_match(g, &s, NULL);
  printf("    n %u m %llu max degree %u\n", g->n, (unsigned long long)g->m, g->max_degree);
}

/* The sizes: n = 10 000 with m >= 10 000 000 (G and tabu tables in
 * global memory, 32-bit G: max degree x 64 > 65535). */
PRISM_TEST(cuda_match_large_dense, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(10000, 0.201, 0, 21);
  TEST_REQUIRE(g->m >= 10000000);
  match_large(g, 60, 0.1, 1, 200);
  prism_graph_free(g);
}

/* n = 1 000 000, sparse (~5 M edges). */
PRISM_TEST(cuda_match_large_sparse, "gpu") {
  NEED_GPU();
  prism_graph *g = sparse_random(1000000, 5000000, 22);
  TEST_REQUIRE(g->n == 1000000 && g->m > 4900000);
  match_large(g, 40, 0, 0, 1000);
  prism_graph_free(g);
}

/* Replicas that reach zero conflicts stop early, flag solved and hold
 * proper colorings (run_match verifies each). */
PRISM_TEST(cuda_solved_colorings_verify, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(300, 0.1, 0, 6);
  scenario s = base_scenario();
  s.R = 8;
  s.k = dsatur_k(g);
  s.kmax = s.k;
  s.batches = 6;
  s.moves = 5000;
  s.perturb = 0;
  match_result r;
  run_match(g, &s, &r);
  TEST_CHECK(r.solved > 0);
  prism_graph_free(g);
}

/* The whole solver with --backend cuda: with a batch budget instead of a
 * clock, the CPU and CUDA backends must give the same coloring, with one
 * island (GPU in step with the host) and with two and three (the GPU runs
 * one island while the host works on another), and the same with the
 * pipeline off. ladder: the temperature ladder over all islands (ladder.c),
 * with temperatures on, whose labels must reach each island's batch at the
 * same point on both backends. */
/* the engine's last line with ladder = 1: the swaps accepted */
static void ladder_info(void *ctx, const char *line) {
  unsigned long long sweeps, accepted, tried;
  unsigned R;
  if (sscanf(line, "ladder over all %u replicas: %llu sweeps, %llu of %llu", &R, &sweeps,
             &accepted, &tried) == 4)
    *(unsigned long long *)ctx = accepted;
}

/* The options every whole-solve comparison starts from: seed 3, 8
 * replicas, 25 batches of 2000 moves, no time limit. */
static void both_opts(prism_solve_opts *o, int islands, int pipeline, int mode) {
  prism_solve_opts_defaults(o);
  o->seed = 3;
  o->params.replicas = 8;
  o->params.batch_moves = 2000;
  o->params.islands = islands;
  o->params.gpu_pipeline = pipeline;
  o->params.max_batches = 25;
  o->params.mode = mode;
  o->time_limit = 0;
}

/* One solve on each backend with options o: the CUDA engine makes the CPU
 * engine's moves and batches and ends with its coloring, which verifies. */
static void run_both(const prism_graph *g, prism_solve_opts *o, const char *what) {
  prism_solve_result rc, rg;
  char err[256];
  o->backend = PRISM_BACKEND_CPU;
  TEST_REQUIRE(prism_solve(g, o, &rc, err, sizeof err) == 0);
  o->backend = PRISM_BACKEND_CUDA;
  TEST_REQUIRE(prism_solve(g, o, &rg, err, sizeof err) == 0);
  TEST_CHECK(rg.best_k > 0 && rg.best_k <= rg.dsatur_k);
  char msg[256];
  TEST_CHECK_EQ(prism_verify(g, rg.colors, rg.best_k, msg, sizeof msg), 0);
  printf("    %s: cpu k %u in %.2f s (%llu moves); cuda k %u in %.2f s (%llu moves)\n", what,
         rc.best_k, rc.seconds, (unsigned long long)rc.moves, rg.best_k, rg.seconds,
         (unsigned long long)rg.moves);
  TEST_CHECK_EQ(rg.best_k, rc.best_k);
  TEST_CHECK_EQ(rg.moves, rc.moves);
  TEST_CHECK_EQ(rg.batches, rc.batches);
  TEST_CHECK(memcmp(rg.colors, rc.colors, g->n * sizeof *rg.colors) == 0);
  free(rc.colors);
  free(rg.colors);
}

/* cell_size > 0: islands cut into cells that converge quickly (stall 3,
 * elites every 2 rounds), so cells inject, restart and migrate. */
static void solve_both_all(const prism_graph *g, int islands, int pipeline, int ladder,
                           int cell_size, int mode) {
  prism_solve_opts o;
  both_opts(&o, islands, pipeline, mode);
  if (cell_size > 0) {
    o.params.cell_size = cell_size;
    o.params.stall_generations = 3;
    o.params.elite_cycle = 2;
    o.params.replicas = 12;
  }
  unsigned long long accepted = 0;
  if (ladder) {
    o.params.ladder = 1;
    o.params.global_temperature = 1;
    o.on_info = ladder_info;
    o.ctx = &accepted;
  }
  char what[128];
  snprintf(what, sizeof what, "islands %d pipeline %d ladder %d cells of %d mode %d", islands,
           pipeline, ladder, cell_size, mode);
  run_both(g, &o, what);
  if (ladder) TEST_CHECK(accepted > 0); /* labels moved (the runs are the same) */
}

static void solve_both(const prism_graph *g, int islands, int pipeline, int ladder) {
  solve_both_all(g, islands, pipeline, ladder, 0, PRISM_MODE_TABUCOL);
}

static void solve_both_cells(const prism_graph *g, int islands, int pipeline,
                             int cell_size) {
  solve_both_all(g, islands, pipeline, 0, cell_size, PRISM_MODE_TABUCOL);
}

static void solve_both_mode(const prism_graph *g, int islands, int pipeline, int mode) {
  solve_both_all(g, islands, pipeline, 0, 0, mode);
}

PRISM_TEST(cuda_solve_end_to_end, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(250, 0.5, 0, 7);
  solve_both(g, 1, 1, 0);
  solve_both(g, 2, 1, 0);
  solve_both(g, 3, 1, 0);
  solve_both(g, 2, 0, 0);
  prism_graph_free(g);
}

/* The temperature ladder over all islands (ladder = 1, temperatures on):
 * the labels of each round's sweep reach every island's batch at the same
 * point on both backends, pipelined or in turn. */
PRISM_TEST(cuda_global_ladder, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(250, 0.5, 0, 7);
  solve_both(g, 3, 1, 1);
  solve_both(g, 3, 0, 1);
  prism_graph_free(g);
}

/* Islands cut into cells (cell.c: HEAD pairs and triples that inject,
 * restart and migrate on their own): the host steps are shared, so the GPU
 * still makes the CPU engine's moves. */
PRISM_TEST(cuda_solve_cells, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(250, 0.5, 0, 7);
  solve_both_cells(g, 2, 1, 2);
  solve_both_cells(g, 1, 0, 3);
  prism_graph_free(g);
}

/* Cells cut into lineages (cell.c): islands of 12 replicas, 3 and 6
 * lineages (auto gives the GPU's islands of 66 round(n / 110), at most 22); the heads
 * are picked on the host from the batch's energies, so the GPU still makes
 * the CPU engine's moves. */
static void solve_both_lineages(const prism_graph *g, int islands, int pipeline, int lineages) {
  prism_solve_opts o;
  both_opts(&o, islands, pipeline, PRISM_MODE_TABUCOL);
  o.params.replicas = 12 * (uint32_t)islands;
  o.params.lineages = lineages;
  o.params.stall_generations = 3;
  char what[96];
  snprintf(what, sizeof what, "islands %d of 12, pipeline %d, %d lineages each", islands,
           pipeline, lineages);
  run_both(g, &o, what);
}

PRISM_TEST(cuda_solve_lineages, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(250, 0.5, 0, 7);
  solve_both_lineages(g, 2, 1, 3);
  solve_both_lineages(g, 1, 0, 6);
  prism_graph_free(g);
}

/* The diverse pool (pool.c, DLMCOL's admission rule) on both backends:
 * islands that converge every few generations take far pool members in
 * (HEAD's swap), and the GPU still makes the CPU engine's moves. */
PRISM_TEST(cuda_solve_pool, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(120, 0.5, 0, 9);
  prism_solve_opts o;
  both_opts(&o, 2, 1, PRISM_MODE_TABUCOL);
  o.params.batch_moves = 1000;
  o.params.max_batches = 20;
  o.params.pool_size = 4;
  o.params.pool_distance = 0.05;
  o.params.stall_generations = 2;
  char tel[] = "/tmp/prism_cuda_pool_XXXXXX";
  int fd = mkstemp(tel);
  TEST_REQUIRE(fd >= 0);
  close(fd);
  o.telemetry_path = tel; /* written by each run in turn: the CUDA run's */
  run_both(g, &o, "pool of 4 per island, 2 islands of 4");
  const unsigned long long pool = prism_test_telemetry_max(tel, "pool_size"),
                           inj = prism_test_telemetry_max(tel, "injections");
  printf("    pool members at most %llu, injections %llu\n", pool, inj);
  TEST_CHECK(pool > 1);
  TEST_CHECK(inj > 0);
  unlink(tel);
  prism_graph_free(g);
}

/* Whole solves in PartialCol and in the adaptive policy (replicas of both
 * modes in one island, modes switching between generations). */
PRISM_TEST(cuda_solve_modes, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(250, 0.5, 0, 7);
  solve_both_mode(g, 2, 1, PRISM_MODE_PARTIALCOL);
  solve_both_mode(g, 2, 1, PRISM_MODE_ADAPTIVE);
  /* adaptive cells that migrate elites often: PartialCol bests (partial on
   * the device) and reloaded replicas must not reach the peer path's slots */
  solve_both_all(g, 2, 1, 0, 2, PRISM_MODE_ADAPTIVE);
  prism_graph_free(g);
}

/* Islands over two devices (multi.cu): devices 0 and 1 when there are two,
 * else device 0 twice (two engines on one device: the same code path). The
 * whole solve still equals the CPU engine's, move for move, so the result
 * does not depend on the device count. A bad --gpus list is refused. */
PRISM_TEST(cuda_islands_over_devices, "gpu") {
  NEED_GPU();
  const int count = prism_cuda_device_count();
  char err[256];
  TEST_CHECK(prism_cuda_set_devices("0,x", err, sizeof err) != 0);
  TEST_CHECK(strstr(err, "--gpus") != NULL);
  TEST_CHECK(prism_cuda_set_devices("99", err, sizeof err) != 0);
  TEST_CHECK(strstr(err, "does not exist") != NULL);
  TEST_REQUIRE(prism_cuda_set_devices(count >= 2 ? "0,1" : "0,0", err, sizeof err) == 0);
  prism_graph *g = gnp(250, 0.5, 0, 7);
  prism_cuda_engine *ce = prism_cuda_engine_create(g, 8, 40, 2, err, sizeof err);
  TEST_REQUIRE(ce != NULL);
  prism_cuda_stats st;
  prism_cuda_engine_stats(ce, &st);
  TEST_CHECK_EQ(st.devices, 2);
  prism_cuda_engine_destroy(ce);
  printf("    devices %s\n", count >= 2 ? "0,1" : "0,0 (one device)");
  solve_both(g, 2, 1, 0);
  solve_both(g, 3, 1, 0);
  solve_both(g, 3, 1, 1);
  TEST_REQUIRE(prism_cuda_set_devices("all", err, sizeof err) == 0);
  prism_graph_free(g);
}

/* Elite migration device to device (multi.cu: prism_cuda_engine_stash,
 * load_stash) against the staged path through the host (gpu_peer_copy=0):
 * three islands over two engines (devices 0 and 1 when there are two, else
 * device 0 twice), an elite re-injected at every recombination, all
 * islands at one k (straight at a target k) so that elites move between
 * the engines. Both runs equal the CPU engine's move for move: the same
 * result, the same conflicts after every batch and the same final population
 * (every replica's coloring: a migrated coloring the device took wrong, or
 * too late, shows there). The end-of-run 'c' line says the device path
 * moved colorings and the staged one none. */
typedef struct mig_count {
  unsigned long long peer, device, staged, superseded;
  int seen;
  uint64_t trail; /* hash of every batch's k and conflicts */
  uint64_t pop;   /* hash of the final population */
  uint32_t pop_count;
} mig_count;

static uint64_t mig_mix(uint64_t h, uint64_t x) {
  h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}

static int mig_batch(void *ctx, const prism_solve_progress *p) {
  mig_count *m = ctx;
  m->trail = mig_mix(m->trail, ((uint64_t)p->k << 32) | p->conflicts);
  return 0;
}

static void mig_population(void *ctx, const prism_population *p, int final) {
  mig_count *m = ctx;
  if (!final) return;
  m->pop = 0;
  m->pop_count = p->count;
  for (uint32_t i = 0; i < p->count; i++)
    for (uint32_t v = 0; v < p->n; v++) m->pop = mig_mix(m->pop, p->colors[i][v]);
}

static void mig_info(void *ctx, const char *line) {
  mig_count *m = ctx;
  const char *p = strstr(line, "gpu elite migration: ");
  if (!p || !(p = strstr(p, "; "))) return;
  m->seen += sscanf(p,
                    "; %llu colorings by peer copy between devices, %llu copied on one device, "
                    "%llu staged through the host, %llu device copies",
                    &m->peer, &m->device, &m->staged, &m->superseded) == 4;
}

static void solve_migrating(const prism_graph *g, uint32_t target, int backend, int peer,
                            prism_solve_result *r, mig_count *m) {
  prism_solve_opts o;
  prism_solve_opts_defaults(&o);
  o.seed = 5;
  o.params.replicas = 6;
  o.params.islands = 3;
  o.params.batch_moves = 300;
  o.params.max_batches = 15;
  o.params.elite_cycle = 1; /* an elite migrates at every recombination */
  o.params.gpu_peer_copy = peer;
  o.params.mode = PRISM_MODE_TABUCOL;
  o.target_k = target;
  o.time_limit = 0;
  o.backend = backend;
  memset(m, 0, sizeof *m);
  o.on_info = mig_info;
  o.on_batch = mig_batch;
  o.on_population = mig_population;
  o.ctx = m;
  char err[256];
  TEST_REQUIRE(prism_solve(g, &o, r, err, sizeof err) == 0);
}

PRISM_TEST(cuda_migration_peer_and_staged, "gpu") {
  NEED_GPU();
  const int count = prism_cuda_device_count();
  char err[256];
  TEST_REQUIRE(prism_cuda_set_devices(count >= 2 ? "0,1" : "0,0", err, sizeof err) == 0);
  prism_graph *g = gnp(90, 0.5, 0, 11);
  const uint32_t target = dsatur_k(g) - 7; /* out of reach: every batch runs in full */
  prism_solve_result rc, rp, rs;
  mig_count mc, mp, ms;
  solve_migrating(g, target, PRISM_BACKEND_CPU, 1, &rc, &mc);
  solve_migrating(g, target, PRISM_BACKEND_CUDA, 1, &rp, &mp);
  solve_migrating(g, target, PRISM_BACKEND_CUDA, 0, &rs, &ms);
  printf("    devices %s, k %u..%u: cpu k %u (%llu moves); device path k %u (%llu moves): %llu "
         "peer, %llu one device, %llu staged, %llu superseded; staged path k %u (%llu "
         "moves): %llu staged\n",
         count >= 2 ? "0,1" : "0,0 (one device)", target, rc.dsatur_k, rc.best_k,
         (unsigned long long)rc.moves, rp.best_k, (unsigned long long)rp.moves, mp.peer,
         mp.device, mp.staged, mp.superseded, rs.best_k, (unsigned long long)rs.moves,
         ms.staged);
  TEST_CHECK_EQ(mc.seen, 0); /* the CPU engine has no such line */
  TEST_CHECK_EQ(mp.seen, 1);
  TEST_CHECK_EQ(ms.seen, 1);
  TEST_CHECK_EQ(rp.batches, rc.batches);
  TEST_CHECK_EQ(rs.batches, rc.batches);
  TEST_CHECK_EQ(rp.moves, rc.moves);
  TEST_CHECK_EQ(rs.moves, rc.moves);
  TEST_CHECK_EQ(rp.best_k, rc.best_k);
  TEST_CHECK_EQ(rs.best_k, rc.best_k);
  TEST_CHECK(memcmp(rp.colors, rc.colors, g->n * sizeof *rc.colors) == 0);
  TEST_CHECK(memcmp(rs.colors, rc.colors, g->n * sizeof *rc.colors) == 0);
  TEST_CHECK_EQ(mp.trail, mc.trail);
  TEST_CHECK_EQ(ms.trail, mc.trail);
  TEST_CHECK(mc.pop_count == 6 && mp.pop_count == 6 && ms.pop_count == 6);
  TEST_CHECK_EQ(mp.pop, mc.pop);
  TEST_CHECK_EQ(ms.pop, mc.pop);
  /* the device path moved colorings (between the engines too), the staged
   * one moved them all through the host */
  TEST_CHECK(mp.peer + mp.device > 0);
  TEST_CHECK(count < 2 || mp.peer > 0);
  TEST_CHECK_EQ(ms.peer + ms.device, 0);
  TEST_CHECK(ms.staged > 0);
  TEST_CHECK_EQ(ms.superseded, 0);
  TEST_CHECK_EQ(ms.staged, mp.peer + mp.device + mp.staged);
  TEST_REQUIRE(prism_cuda_set_devices("all", err, sizeof err) == 0);
  free(rc.colors);
  free(rp.colors);
  free(rs.colors);
  prism_graph_free(g);
}

/* The time limit holds inside a GPU batch: a batch of 10^8 moves (minutes
 * on the GPU) ends once the host raises the stop flag at the deadline. */
PRISM_TEST(cuda_time_limit_inside_batches, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(400, 0.5, 0, 3);
  prism_solve_opts o;
  prism_solve_opts_defaults(&o);
  o.backend = PRISM_BACKEND_CUDA;
  o.target_k = 20; /* far below what G(400, 1/2) allows: never reached */
  o.time_limit = 1.5;
  o.params.batch_moves = 100000000;
  prism_solve_result r;
  char err[256];
  TEST_REQUIRE(prism_solve(g, &o, &r, err, sizeof err) == 0);
  TEST_CHECK(r.seconds < 8.0);
  TEST_CHECK(r.moves > 0 && r.moves < 100000000ull);
  TEST_CHECK_EQ(r.status, PRISM_STATUS_UNKNOWN);
  free(r.colors);
  prism_graph_free(g);
}

/* The pipeline API with two groups: group 0 runs a long batch while 100
 * configs are published for group 1 (the producer never waits); group 1's
 * launch takes the newest of them, both groups' results match the CPU run
 * with the same configs, each telemetry record names the config it ran
 * with, and done() follows the batch (it is an event query). */
PRISM_TEST(cuda_pipeline_groups, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(400, 0.3, 0, 31);
  scenario s = base_scenario();
  s.R = 6;
  s.k = dsatur_k(g) - 2;
  s.kmax = s.k + 1;
  s.moves = 20000;
  pop cpu, gpu;
  pop_init(&cpu, g, &s);
  pop_init(&gpu, g, &s);
  char err[512];
  prism_cuda_engine *ce = prism_cuda_engine_create(g, s.R, s.kmax, 2, err, sizeof err);
  TEST_REQUIRE(ce != NULL);
  prism_batch_cfg c0 = gpu.cfg, c1 = gpu.cfg;
  c1.moves = 3000;
  prism_cuda_engine_publish(ce, 0, &c0);
  const double t0 = prism_now();
  prism_cuda_engine_launch(ce, 0, gpu.rep, 0, 3);
  const double t1 = prism_now();
  int done_right_after = prism_cuda_engine_done(ce, 0);
  /* the stages are reached in order: a later one never before an earlier */
  const int st_k = prism_cuda_engine_reached(ce, 0, PRISM_CUDA_KERNEL_DONE);
  const int st_c = prism_cuda_engine_reached(ce, 0, PRISM_CUDA_CONFIG_ON_DEVICE);
  TEST_CHECK(st_c || !st_k);
  for (uint32_t i = 1; i <= 100; i++) {
    c1.tabu_base = 5 + i % 7;
    prism_cuda_engine_publish(ce, 1, &c1);
  }
  const double t2 = prism_now();
  prism_cuda_engine_launch(ce, 1, gpu.rep + 3, 3, 3);
  prism_cuda_telemetry tel0, tel1;
  prism_cuda_engine_wait(ce, 1, gpu.rep + 3, &tel1);
  prism_cuda_engine_wait(ce, 0, gpu.rep, &tel0);
  TEST_CHECK_EQ(prism_cuda_engine_done(ce, 0), 1);
  TEST_CHECK_EQ(prism_cuda_engine_reached(ce, 1, PRISM_CUDA_CONFIG_ON_DEVICE), 1);
  TEST_CHECK_EQ(prism_cuda_engine_reached(ce, 1, PRISM_CUDA_KERNEL_DONE), 1);
  TEST_CHECK_EQ(prism_cuda_engine_reached(ce, 1, PRISM_CUDA_RESULTS_ON_HOST), 1);
  printf("    launch %.3f ms; 100 configs published in %.3f ms; done() right after the "
         "launch: %d; kernels %.2f / %.2f ms; telemetry %.3f / %.3f ms after its kernel\n",
         1e3 * (t1 - t0), 1e3 * (t2 - t1), done_right_after, tel0.kernel_ms, tel1.kernel_ms,
         tel0.tel_latency_ms, tel1.tel_latency_ms);
  TEST_CHECK_EQ(tel0.seq, 1);
  TEST_CHECK_EQ(tel1.seq, 100);
  TEST_CHECK_EQ(tel0.count, 3);
  TEST_CHECK_EQ(tel1.count, 3);
  /* the CPU with the same configs: group 1 ran with the 100th */
  for (uint32_t i = 0; i < 3; i++) prism_replica_run_batch(&cpu.rep[i], &c0);
  for (uint32_t i = 3; i < 6; i++) prism_replica_run_batch(&cpu.rep[i], &c1);
  uint64_t moves0 = 0, moves1 = 0;
  uint32_t best1 = UINT32_MAX;
  for (uint32_t i = 0; i < 6; i++) {
    cpu.rep[i].dirty = 0;
    TEST_CHECK(same_replica(&cpu.rep[i], &gpu.rep[i], g->n, 0, i));
    if (i < 3) moves0 += cpu.rep[i].moves;
    else {
      moves1 += cpu.rep[i].moves;
      if (cpu.rep[i].conflicts < best1) best1 = cpu.rep[i].conflicts;
    }
  }
  TEST_CHECK_EQ(tel0.moves, moves0);
  TEST_CHECK_EQ(tel1.moves, moves1);
  TEST_CHECK_EQ(tel1.best_conflicts, best1);
  prism_cuda_pipeline_stats ps;
  prism_cuda_engine_pipeline_stats(ce, &ps);
  TEST_CHECK_EQ(ps.batches, 2);
  printf("    timeline: busy %.1f%%, config -> device %.3f ms mean, publish %.2f us each\n",
         100 * ps.busy, ps.cfg_device_ms_mean, ps.publish_us_mean);
  prism_cuda_engine_destroy(ce);
  pop_free(&cpu);
  pop_free(&gpu);
  prism_graph_free(g);
}

PRISM_TEST(cuda_create_rejects_oversized, "gpu") {
  NEED_GPU();
  prism_graph *g = gnp(100000, 0, 0, 8);
  char err[512] = "";
  prism_cuda_engine *ce = prism_cuda_engine_create(g, 4, 50000, 1, err, sizeof err);
  TEST_CHECK(ce == NULL);
  TEST_CHECK(strstr(err, "too large") != NULL);
  printf("    %s\n", err);
  prism_cuda_engine_destroy(ce);
  prism_graph_free(g);
}
