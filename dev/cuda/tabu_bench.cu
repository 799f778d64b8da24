/* tabu_bench.cu - scratch harness for the CUDA tabu kernel (llm.c style).
 *
 * Builds a graph (G(n,p) or a DIMACS file), sets up a population the way
 * engine.c does, then
 *   1. checks every kernel variant (shared/global placement, 16/32-bit G,
 *      block size) against the CPU reference prism_replica_run_batch, move
 *      for move, on a few batches of a small population;
 *   2. times the variants on a full population: moves/s per replica and in
 *      total, from the kernel's own time (CUDA events), after a warm-up so
 *      that the conflict count is in its steady range;
 *   3. times the CPU engine on the same population (16 threads, or -j) as
 *      the baseline, and one replica on one core.
 * Every weight is PRISM_W0, so the engine is created with that bound, as
 * engine.c creates it without stress weights or a controller.
 *
 * Build (after `make CUDA_ARCH=sm_90`, which gives build/libprism.a):
 *   nvcc -O3 -arch=sm_90 -Isrc -std=c++17 dev/cuda/tabu_bench.cu build/libprism.a \
 *        -o build/tabu_bench -lpthread
 * Run:
 *   build/tabu_bench [-g FILE | -n N -p P] -k K [-R 132,264] [-Rc CPU_R_LIST] [-m MOVES] [-b BATCHES]
 *                    [-w WARM] [-j CPU_THREADS] [-c CHECK_BATCHES] [-C 0|1] [-v VARIANTS]
 * VARIANTS is a comma list of SMEM:THREADS[:G16], e.g. all:256,G:128:0; -C 0
 * skips the CPU baselines. Built with -DPRISM_CUDA_PROFILE and the engine's
 * .cu files on the command line (before the library), the engine prints the
 * per-phase cycle split of an iteration (see NOTES.md). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "color/color.h"
#include "cuda/cuda_backend.h"
#include "engine/replica.h"
#include "graph/read.h"
#include "util/philox.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static prism_graph *gnp(uint32_t n, double p, uint64_t seed) {
  size_t cap = 1 << 16, m = 0;
  uint32_t *eu = (uint32_t *)malloc(cap * 4), *ev = (uint32_t *)malloc(cap * 4);
  prism_rng rng;
  prism_rng_init(&rng, seed, 11, 0, 0);
  const uint32_t thr = (uint32_t)(p * 4294967295.0);
  for (uint32_t u = 0; u < n; u++)
    for (uint32_t v = u + 1; v < n; v++)
      if (prism_rng_u32(&rng) < thr) {
        if (m == cap) {
          cap *= 2;
          eu = (uint32_t *)realloc(eu, cap * 4);
          ev = (uint32_t *)realloc(ev, cap * 4);
        }
        eu[m] = u;
        ev[m++] = v;
      }
  prism_graph *g = prism_graph_build(n, eu, ev, m, NULL);
  free(eu);
  free(ev);
  return g;
}

/* ------------------------------------------------------------ population */

typedef struct pop {
  uint32_t R, n, k;
  prism_replica *rep;
  uint32_t *metro;
  int32_t *omega;
  prism_batch_cfg cfg;
} pop;

static void pop_init(pop *p, const prism_graph *g, uint32_t R, uint32_t k, uint32_t moves,
                     uint64_t seed) {
  memset(p, 0, sizeof *p);
  p->R = R;
  p->n = g->n;
  p->k = k;
  p->rep = (prism_replica *)calloc(R, sizeof *p->rep);
  p->metro = (uint32_t *)malloc((size_t)R * PRISM_METRO_LEVELS * 4);
  p->omega = (int32_t *)malloc((size_t)g->n * 4);
  for (uint32_t v = 0; v < g->n; v++) p->omega[v] = PRISM_W0;
  prism_batch_cfg *c = &p->cfg;
  c->n = g->n;
  c->k = k;
  c->offsets = g->offsets;
  c->adj = g->adj;
  c->omega = p->omega;
  c->mu = 0;
  c->beta = 0;
  c->tun_thr = (uint32_t)(0.0005 * 4294967296.0); /* the defaults of params.def */
  c->max_chain = 64;
  c->tabu_base = 10;
  c->alpha_fp = (uint32_t)llround(0.6 * 256);
  c->moves = moves;
  c->seed = seed;
  const double tmin = 0.02, tmax = 0.6;
  for (uint32_t s = 0; s < R; s++) {
    double T = R == 1 ? tmin : tmin * pow(tmax / tmin, (double)s / (double)(R - 1));
    for (uint32_t d = 0; d < PRISM_METRO_LEVELS; d++) {
      double x = exp(-(double)d / (PRISM_EUNIT * T)) * 4294967296.0;
      p->metro[(size_t)s * PRISM_METRO_LEVELS + d] = x >= 4294967295.0 ? UINT32_MAX : (uint32_t)x;
    }
  }
  uint32_t *colors = (uint32_t *)malloc((size_t)g->n * 4);
  for (uint32_t i = 0; i < R; i++) {
    prism_rng rng;
    prism_rng_init(&rng, seed, i, 3, 0);
    for (uint32_t v = 0; v < g->n; v++) colors[v] = prism_rng_below(&rng, k);
    prism_replica_init(&p->rep[i], i, g->n, k);
    prism_replica_load(&p->rep[i], c, colors, k);
    p->rep[i].metro_thr = p->metro + (size_t)i * PRISM_METRO_LEVELS;
  }
  free(colors);
}

static void pop_free(pop *p) {
  for (uint32_t i = 0; i < p->R; i++) prism_replica_free(&p->rep[i]);
  free(p->rep);
  free(p->metro);
  free(p->omega);
}

/* ------------------------------------------------------------ CPU engine */

typedef struct cpu_job {
  pop *p;
  int t, threads;
} cpu_job;

static void *cpu_share(void *arg) {
  cpu_job *j = (cpu_job *)arg;
  for (uint32_t r = (uint32_t)j->t; r < j->p->R; r += (uint32_t)j->threads)
    prism_replica_run_batch(&j->p->rep[r], &j->p->cfg);
  return NULL;
}

static void cpu_batch(pop *p, int threads) {
  pthread_t tid[256];
  cpu_job job[256];
  if (threads > 256) threads = 256;
  for (int t = 0; t < threads; t++) {
    job[t].p = p;
    job[t].t = t;
    job[t].threads = threads;
    if (t) pthread_create(&tid[t], NULL, cpu_share, &job[t]);
  }
  cpu_share(&job[0]);
  for (int t = 1; t < threads; t++) pthread_join(tid[t], NULL);
  for (uint32_t i = 0; i < p->R; i++) p->rep[i].dirty = 0;
}

static uint64_t pop_moves(const pop *p) {
  uint64_t m = 0;
  for (uint32_t i = 0; i < p->R; i++) m += p->rep[i].moves;
  return m;
}

static double pop_mean_ncv(const pop *p) {
  double s = 0;
  for (uint32_t i = 0; i < p->R; i++) s += p->rep[i].ncv;
  return s / p->R;
}

/* ------------------------------------------------------------ variants */

typedef struct variant {
  char smem[8];
  int threads, g16;
} variant;

/* "auto" (or threads 0): the engine's own choice, the variables unset */
static void variant_env(const variant *v) {
  char buf[16];
  if (strcmp(v->smem, "auto")) setenv("PRISM_CUDA_SMEM", v->smem, 1);
  else unsetenv("PRISM_CUDA_SMEM");
  snprintf(buf, sizeof buf, "%d", v->threads);
  if (v->threads) setenv("PRISM_CUDA_THREADS", buf, 1);
  else unsetenv("PRISM_CUDA_THREADS");
  setenv("PRISM_CUDA_G16", v->g16 ? "1" : "0", 1);
}

static int same(const prism_replica *a, const prism_replica *b, uint32_t n) {
  if (a->iter != b->iter || a->energy != b->energy || a->best_energy != b->best_energy ||
      a->best_color_energy != b->best_color_energy || a->ncv != b->ncv ||
      a->moves != b->moves || a->metro_moves != b->metro_moves || a->tunnels != b->tunnels ||
      a->tunnel_aborts != b->tunnel_aborts || a->solved != b->solved)
    return 0;
  if (memcmp(a->color, b->color, (size_t)n * 4) || memcmp(a->best_color, b->best_color, (size_t)n * 4))
    return 0;
  for (uint32_t v = 0; v < n; v++)
    if ((a->cvpos[v] == PRISM_NONE) != (b->cvpos[v] == PRISM_NONE)) return 0;
  return 1;
}

/* Variant against the CPU reference: `batches` batches of R replicas. */
static int check_variant(const prism_graph *g, const variant *v, uint32_t k, uint32_t R,
                         uint32_t moves, int batches) {
  variant_env(v);
  pop c, d;
  pop_init(&c, g, R, k, moves, 7);
  pop_init(&d, g, R, k, moves, 7);
  c.cfg.tun_thr = d.cfg.tun_thr = (uint32_t)(0.01 * 4294967296.0); /* more Kempe chains */
  char err[512];
  prism_cuda_engine *ce = prism_cuda_engine_create_w(g, R, k, 1, PRISM_W0, err, sizeof err);
  if (!ce) {
    printf("  check %s:%d:%d: create failed: %s\n", v->smem, v->threads, v->g16, err);
    return 0;
  }
  int ok = 1;
  for (int b = 0; b < batches && ok; b++) {
    cpu_batch(&c, 16);
    prism_cuda_engine_run_batch(ce, d.rep, R, &d.cfg);
    for (uint32_t i = 0; i < R && ok; i++)
      if (!same(&c.rep[i], &d.rep[i], g->n)) {
        printf("  check %s:%d:%d: MISMATCH batch %d replica %u\n", v->smem, v->threads,
               v->g16, b, i);
        ok = 0;
      }
  }
  if (ok)
    printf("  check %-5s threads %3d G16 %d: %d batches x %u moves x %u replicas identical\n",
           v->smem, v->threads, v->g16, batches, moves, R);
  prism_cuda_engine_destroy(ce);
  pop_free(&c);
  pop_free(&d);
  return ok;
}

/* Timing: warm-up batches, then `batches` timed ones. */
static void time_variant(const prism_graph *g, const variant *v, uint32_t k, uint32_t R,
                         uint32_t moves, int warm, int batches, double cpu_core_rate) {
  variant_env(v);
  pop d;
  pop_init(&d, g, R, k, moves, 11);
  char err[512];
  prism_cuda_engine *ce = prism_cuda_engine_create_w(g, R, k, 1, PRISM_W0, err, sizeof err);
  if (!ce) {
    printf("  %s:%d:%d: create failed: %s\n", v->smem, v->threads, v->g16, err);
    pop_free(&d);
    return;
  }
  for (int b = 0; b < warm; b++) prism_cuda_engine_run_batch(ce, d.rep, R, &d.cfg);
  double kms = 0, bms = 0;
  uint64_t mv = 0;
  prism_cuda_stats st;
  for (int b = 0; b < batches; b++) {
    prism_cuda_engine_run_batch(ce, d.rep, R, &d.cfg);
    prism_cuda_engine_stats(ce, &st);
    kms += st.kernel_ms;
    bms += st.batch_ms;
    mv += pop_moves(&d);
  }
  double total = mv / (kms * 1e-3), per = total / R;
  printf("  %-5s %4d  %d  %4u  %7u  %3d  %8.3g  %8.3g  %5.2f  %8.3g  %6.1f  %5.1f%%\n", v->smem,
         st.threads, st.g16, R, st.smem_bytes, st.blocks_per_sm, total, per,
         cpu_core_rate > 0 ? per / cpu_core_rate : 0, mv / (bms * 1e-3), pop_mean_ncv(&d),
         100.0 * (bms - kms) / bms);
  fflush(stdout);
  prism_cuda_engine_destroy(ce);
  pop_free(&d);
}

static int parse_variants(const char *s, variant *out, int max) {
  int n = 0;
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", s);
  for (char *tok = strtok(buf, ","); tok && n < max; tok = strtok(NULL, ",")) {
    variant v;
    memset(&v, 0, sizeof v);
    v.threads = 0;
    v.g16 = 1;
    char *c1 = strchr(tok, ':');
    if (c1) {
      *c1 = 0;
      char *c2 = strchr(c1 + 1, ':');
      if (c2) {
        *c2 = 0;
        v.g16 = atoi(c2 + 1);
      }
      v.threads = atoi(c1 + 1);
    }
    snprintf(v.smem, sizeof v.smem, "%s", tok);
    out[n++] = v;
  }
  return n;
}

int main(int argc, char **argv) {
  const char *file = NULL, *variants = "all:256,all:128,all:512,G:256,small:256,none:256,all:256:0";
  const char *Rlist = "132,264", *Rcpu = NULL;
  uint32_t n = 500, k = 48, moves = 10000;
  double pr = 0.5;
  int warm = 3, batches = 3, jobs = 16, check = 2, cpu = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *o = argv[i], *a = argv[i + 1];
    if (!strcmp(o, "-g")) file = a;
    else if (!strcmp(o, "-n")) n = (uint32_t)atoi(a);
    else if (!strcmp(o, "-p")) pr = atof(a);
    else if (!strcmp(o, "-k")) k = (uint32_t)atoi(a);
    else if (!strcmp(o, "-R")) Rlist = a;
    else if (!strcmp(o, "-Rc")) Rcpu = a;
    else if (!strcmp(o, "-m")) moves = (uint32_t)atoi(a);
    else if (!strcmp(o, "-b")) batches = atoi(a);
    else if (!strcmp(o, "-w")) warm = atoi(a);
    else if (!strcmp(o, "-j")) jobs = atoi(a);
    else if (!strcmp(o, "-c")) check = atoi(a);
    else if (!strcmp(o, "-C")) cpu = atoi(a);
    else if (!strcmp(o, "-v")) variants = a;
    else {
      fprintf(stderr, "unknown option %s\n", o);
      return 2;
    }
  }
  char why[256];
  if (!prism_cuda_available(why, sizeof why)) {
    printf("no CUDA device: %s\n", why);
    return 0;
  }
  prism_graph *g = NULL;
  char name[256];
  if (file) {
    prism_diag diag;
    if (prism_graph_read_file(file, PRISM_FORMAT_AUTO, &g, &diag)) {
      fprintf(stderr, "%s\n", diag.error);
      return 1;
    }
    const char *b = strrchr(file, '/');
    snprintf(name, sizeof name, "%s", b ? b + 1 : file);
  } else {
    g = gnp(n, pr, 1);
    snprintf(name, sizeof name, "G(%u,%.2f)", n, pr);
  }
  printf("# tabu_bench: %s, n %u, m %llu, max degree %u, k %u, %u moves/batch; %s\n", name,
         g->n, (unsigned long long)g->m, g->max_degree, k, moves, why);

  variant vs[32];
  int nv = parse_variants(variants, vs, 32);
  int bad = 0;
  if (check > 0) {
    printf("## check against the CPU reference (16 replicas, %d batches of 2000 moves)\n", check);
    for (int i = 0; i < nv; i++) bad += !check_variant(g, &vs[i], k, 16, 2000, check);
  }

  /* CPU baselines: one replica on one core, and the population on -j threads */
  double core_rate = 0;
  if (cpu) {
    pop c;
    pop_init(&c, g, 1, k, moves, 11);
    for (int b = 0; b < warm; b++) cpu_batch(&c, 1);
    double t = now_s();
    uint64_t mv = 0;
    for (int b = 0; b < batches; b++) {
      cpu_batch(&c, 1);
      mv += pop_moves(&c);
    }
    core_rate = mv / (now_s() - t);
    printf("## CPU, one replica on one core: %.3g moves/s (mean conflicting vertices %.1f)\n",
           core_rate, pop_mean_ncv(&c));
    pop_free(&c);
  }
  char rbuf[256];
  snprintf(rbuf, sizeof rbuf, "%s", Rlist);
  uint32_t Rs[16];
  int nR = 0;
  for (char *tok = strtok(rbuf, ","); tok && nR < 16; tok = strtok(NULL, ",")) Rs[nR++] = (uint32_t)atoi(tok);
  uint32_t Rc[16];
  int nRc = 0;
  if (Rcpu) {
    snprintf(rbuf, sizeof rbuf, "%s", Rcpu);
    for (char *tok = strtok(rbuf, ","); tok && nRc < 16; tok = strtok(NULL, ","))
      Rc[nRc++] = (uint32_t)atoi(tok);
  } else {
    memcpy(Rc, Rs, sizeof Rs);
    nRc = nR;
  }
  for (int ri = 0; ri < nRc && cpu; ri++) {
    const uint32_t R = Rc[ri];
    pop c;
    pop_init(&c, g, R, k, moves, 11);
    for (int b = 0; b < warm; b++) cpu_batch(&c, jobs);
    double t = now_s();
    uint64_t mv = 0;
    for (int b = 0; b < batches; b++) {
      cpu_batch(&c, jobs);
      mv += pop_moves(&c);
    }
    double el = now_s() - t;
    printf("## CPU engine, %u replicas on %d threads: %.3g moves/s total (%.3g per replica)\n",
           R, jobs, mv / el, mv / el / R);
    pop_free(&c);
  }
  printf("## GPU (kernel time; 'call' includes the copies)\n");
  printf("  smem  thr  G16  R    smem_B   b/SM  moves/s   per_rep   x_core  call_m/s  ncv     copy%%\n");
  for (int ri = 0; ri < nR; ri++)
    for (int i = 0; i < nv; i++) time_variant(g, &vs[i], k, Rs[ri], moves, warm, batches, core_rate);
  prism_graph_free(g);
  if (bad) printf("%d variant(s) FAILED the check\n", bad);
  return bad ? 1 : 0;
}
