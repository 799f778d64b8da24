/* engine.c - replica exchange, recombination, reservoir, belief and the k
 * descent around the per-replica tabu search of replica.c. The host part is
 * shared by every backend; only prism_replica_run_batch has a CUDA twin. */
#include "engine/engine.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "control/controller.h"
#include "cuda/cuda_backend.h"
#include "engine/replica.h"
#include "util/check.h"
#include "util/philox.h"
#include "util/timer.h"

/* One island: a population with its own ladder, recombination ring,
 * reservoir and stagnation state. Islands take turns (island b % I runs
 * batch b); the CUDA backend keeps the next islands' batches queued while
 * the host works on one (docs/pipeline.md). Elites migrate around the ring
 * of islands at re-injection. */
typedef struct island {
  uint32_t index, first, R; /* replicas first .. first + R - 1 */
  prism_replica *rep;       /* e->rep + first */
  prism_batch_cfg cfg;
  int32_t *omega;
  double *reservoir;
  uint32_t *metro;       /* R slots x PRISM_METRO_LEVELS */
  uint32_t *rep_of_slot; /* ladder: which replica (island index) holds slot s */
  uint32_t *elite1, *elite2;
  int64_t elite1_energy, elite2_energy;
  int have_elite1, have_elite2;
  uint64_t ibatch, batches_at_k, recomb_rounds, swap_sweeps;
  uint32_t best_conflicts_at_k, stagnation;
  prism_changepoint cp;
  int transition_active;
  int in_flight; /* CUDA: a batch is queued or running */
} island;

typedef struct engine {
  const prism_graph *g;
  const prism_solve_opts *o;
  prism_solve_result *res;
  prism_params p; /* current parameters (a controller may change them) */
  double t0;
  uint32_t n, R, k, kmax, stop_k, I;
  prism_replica *rep;
  island *isl;
  island *cur;                          /* the island the worker threads work on */
  void (*job)(struct engine *e, int t); /* what the worker threads run */
  uint32_t *scratch, *tmp_colors, *children;
  uint32_t *tscratch; /* per thread: GPX scratch */
  size_t tscratch_len;
  uint64_t batch;
  FILE *telemetry;
  int status_count;
  double last_status;
  uint64_t total_moves;
  prism_cuda_engine *cuda; /* non-NULL: batches run on the GPU */
  int pipelined;           /* CUDA: islands stay queued */
  prism_controller *ctl;   /* non-NULL: learned control each batch */
  double ctl_s;            /* host time in controller steps */
  uint64_t ctl_steps;
  /* threads */
  int threads;
  pthread_t *tids;
  pthread_barrier_t start, done;
  int quit;
} engine;

/* ---------------------------------------------------------------- threads */

typedef struct worker_arg {
  engine *e;
  int index;
} worker_arg;

static void run_share(engine *e, int t) {
  island *is = e->cur;
  for (uint32_t r = (uint32_t)t; r < is->R; r += (uint32_t)e->threads)
    prism_replica_run_batch(&is->rep[r], &is->cfg);
}

static void *worker(void *arg) {
  worker_arg *w = arg;
  engine *e = w->e;
  for (;;) {
    pthread_barrier_wait(&e->start);
    if (e->quit) break;
    e->job(e, w->index);
    pthread_barrier_wait(&e->done);
  }
  free(w);
  return NULL;
}

static void threads_start(engine *e) {
  uint32_t most = 0;
  for (uint32_t j = 0; j < e->I; j++)
    if (e->isl[j].R > most) most = e->isl[j].R;
  e->threads = e->o->threads < (int)most ? e->o->threads : (int)most;
  if (e->threads < 1) e->threads = 1;
  e->tscratch = PRISM_MALLOC((size_t)e->threads * e->tscratch_len * sizeof *e->tscratch);
  if (e->threads <= 1) return;
  if (pthread_barrier_init(&e->start, NULL, (unsigned)e->threads) ||
      pthread_barrier_init(&e->done, NULL, (unsigned)e->threads))
    prism_die("pthread_barrier_init failed");
  e->tids = PRISM_CALLOC((size_t)e->threads, sizeof *e->tids);
  for (int t = 1; t < e->threads; t++) {
    worker_arg *w = PRISM_MALLOC(sizeof *w);
    w->e = e;
    w->index = t;
    if (pthread_create(&e->tids[t], NULL, worker, w)) prism_die("pthread_create failed");
  }
}

/* Run job(e, t) on every thread t of the pool (the caller is thread 0),
 * over island is; every job splits its work by replica index, so results
 * do not depend on the thread count. */
static void threads_run(engine *e, island *is, void (*job)(engine *, int)) {
  e->cur = is;
  e->job = job;
  if (e->threads <= 1) {
    job(e, 0);
    return;
  }
  pthread_barrier_wait(&e->start);
  job(e, 0);
  pthread_barrier_wait(&e->done);
}

static void threads_stop(engine *e) {
  free(e->tscratch);
  if (e->threads <= 1) return;
  e->quit = 1;
  pthread_barrier_wait(&e->start);
  for (int t = 1; t < e->threads; t++) pthread_join(e->tids[t], NULL);
  pthread_barrier_destroy(&e->start);
  pthread_barrier_destroy(&e->done);
  free(e->tids);
}

/* ------------------------------------------------------------ parameters */

static double slot_temperature(const engine *e, const island *is, uint32_t s) {
  double lo = e->p.temp_min, hi = e->p.temp_max;
  double t = is->R == 1 ? lo : lo * pow(hi / lo, (double)s / (double)(is->R - 1));
  return t * e->p.global_temperature;
}

/* Integer Metropolis thresholds, so both backends accept the same moves. */
static void build_metro(engine *e, island *is) {
  for (uint32_t s = 0; s < is->R; s++)
    prism_metro_table(slot_temperature(e, is, s),
                      is->metro + (size_t)s * PRISM_METRO_LEVELS);
  for (uint32_t s = 0; s < is->R; s++)
    is->rep[is->rep_of_slot[s]].metro_thr = is->metro + (size_t)s * PRISM_METRO_LEVELS;
}

static void build_cfg(engine *e, island *is) {
  prism_batch_cfg *c = &is->cfg;
  c->n = e->n;
  c->k = e->k;
  c->offsets = e->g->offsets;
  c->adj = e->g->adj;
  c->omega = is->omega;
  c->mu = (int64_t)llround(e->p.chemical_potential * PRISM_EUNIT);
  c->beta = (int64_t)llround(e->p.belief_weight * PRISM_EUNIT);
  double pt = e->p.tunneling_prob_base;
  if (is->transition_active || is->stagnation >= (uint32_t)e->p.stagnation_batches)
    pt *= e->p.tunneling_prob_boost;
  if (pt > 1) pt = 1;
  double x = pt * 4294967296.0;
  c->tun_thr = x >= 4294967295.0 ? UINT32_MAX : (uint32_t)x;
  c->max_chain = (uint32_t)e->p.tunneling_max_chain;
  c->tabu_base = (uint32_t)e->p.tabu_base;
  c->alpha_fp = (uint32_t)llround(e->p.tabu_alpha * 256.0);
  if (e->p.batch_moves > 0)
    c->moves = (uint32_t)e->p.batch_moves;
  else {
    uint64_t auto_moves = 20 * (uint64_t)e->n;
    c->moves = (uint32_t)(auto_moves < 1000     ? 1000
                          : auto_moves > 200000 ? 200000
                                                : auto_moves);
  }
  c->seed = e->o->seed;
  build_metro(e, is);
}

/* Loads and rebuilds: on the CUDA backend the device rebuilds G, the tabu
 * table and the conflict set, so the host skips them (same energies). */
static void rep_load(const engine *e, prism_replica *r, const prism_batch_cfg *c,
                     const uint32_t *colors, uint32_t k) {
  if (e->cuda)
    prism_replica_load_lazy(r, c, colors, k);
  else
    prism_replica_load(r, c, colors, k);
}

static void rep_rebuild(const engine *e, prism_replica *r, const prism_batch_cfg *c) {
  if (e->cuda)
    prism_replica_rebuild_lazy(r, c);
  else
    prism_replica_rebuild(r, c);
}

/* ---------------------------------------------------------------- belief */

typedef struct overlap {
  uint32_t count, a, b;
} overlap;

static int by_count_desc(const void *x, const void *y) {
  const overlap *p = x, *q = y;
  if (p->count != q->count) return p->count < q->count ? 1 : -1;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  return p->b < q->b ? -1 : (p->b > q->b);
}

/* belief[v] = the replica's label for the elite's class of v, matching
 * classes greedily by overlap. */
static void align_belief(engine *e, prism_replica *r, const uint32_t *elite) {
  const uint32_t k = e->k, n = e->n;
  if (!r->belief) r->belief = PRISM_CALLOC(n, sizeof *r->belief);
  uint32_t *ov = PRISM_CALLOC((size_t)k * k, sizeof *ov);
  for (uint32_t v = 0; v < n; v++) ov[(size_t)elite[v] * k + r->color[v]]++;
  overlap *list = PRISM_MALLOC((size_t)k * k * sizeof *list);
  size_t m = 0;
  for (uint32_t a = 0; a < k; a++)
    for (uint32_t b = 0; b < k; b++)
      if (ov[(size_t)a * k + b]) list[m++] = (overlap){ov[(size_t)a * k + b], a, b};
  qsort(list, m, sizeof *list, by_count_desc);
  uint32_t *map = PRISM_MALLOC((size_t)k * sizeof *map);
  uint8_t *used = PRISM_CALLOC(k, 1);
  for (uint32_t a = 0; a < k; a++) map[a] = PRISM_NONE;
  for (size_t i = 0; i < m; i++)
    if (map[list[i].a] == PRISM_NONE && !used[list[i].b]) {
      map[list[i].a] = list[i].b;
      used[list[i].b] = 1;
    }
  for (uint32_t a = 0, b = 0; a < k; a++) /* unmatched classes take free labels */
    if (map[a] == PRISM_NONE) {
      while (used[b]) b++;
      map[a] = b;
      used[b] = 1;
    }
  for (uint32_t v = 0; v < n; v++) r->belief[v] = map[elite[v]];
  free(ov);
  free(list);
  free(map);
  free(used);
}

static void update_belief(engine *e, island *is) {
  if (e->p.belief_weight <= 0) return;
  const uint32_t *elite = NULL;
  if (is->have_elite1)
    elite = is->elite1;
  else {
    uint32_t b = 0;
    for (uint32_t i = 1; i < is->R; i++)
      if (is->rep[i].best_color_energy < is->rep[b].best_color_energy) b = i;
    elite = is->rep[b].best_color;
  }
  memcpy(e->tmp_colors, elite, (size_t)e->n * sizeof *elite);
  for (uint32_t i = 0; i < is->R; i++) {
    align_belief(e, &is->rep[i], e->tmp_colors);
    rep_rebuild(e, &is->rep[i], &is->cfg);
  }
}

/* ------------------------------------------------------------ k changes */

/* Every replica of the island: the best coloring with classes dissolved
 * one at a time down to e->k (keyed by the replica's global index). */
static void startk_share(engine *e, int t) {
  island *is = e->cur;
  const uint32_t n = e->n, K = e->res->best_k, k = e->k;
  uint32_t *scratch = e->tscratch + (size_t)t * e->tscratch_len;
  uint32_t *const bufs = scratch + 2 * (size_t)n + 2 * (size_t)K + 8; /* 2 colorings */
  for (uint32_t ii = (uint32_t)t; ii < is->R; ii += (uint32_t)e->threads) {
    const uint32_t i = is->first + ii;
    uint32_t *cur = bufs, *next = bufs + n;
    memcpy(cur, e->res->colors, (size_t)n * sizeof *cur);
    for (uint32_t kk = K; kk > k; kk--) {
      prism_dissolve_class(e->g, cur, kk, next, e->o->seed, i, scratch);
      uint32_t *x = cur;
      cur = next;
      next = x;
    }
    if (e->rep[i].belief) {
      free(e->rep[i].belief);
      e->rep[i].belief = NULL;
    }
    rep_load(e, &e->rep[i], &is->cfg, cur, k);
  }
}

static void start_k(engine *e, uint32_t k) {
  e->k = k;
  for (uint32_t j = 0; j < e->I; j++) {
    island *is = &e->isl[j];
    build_cfg(e, is);
    threads_run(e, is, startk_share);
    is->have_elite1 = is->have_elite2 = 0;
    is->batches_at_k = 0;
    is->best_conflicts_at_k = UINT32_MAX;
    is->stagnation = 0;
    prism_changepoint_reset(&is->cp);
  }
}

/* ------------------------------------------------------- population moves */

static void replica_exchange(engine *e, island *is, prism_telemetry *t) {
  uint32_t tried = 0, accepted = 0;
  uint32_t parity = (uint32_t)(is->swap_sweeps++ & 1);
  prism_rng rng;
  prism_rng_init(&rng, e->o->seed, 0xFFFF0001u + is->index, 0, is->ibatch);
  for (uint32_t s = parity; s + 1 < is->R; s += 2) {
    uint32_t i = is->rep_of_slot[s], j = is->rep_of_slot[s + 1];
    double Ti = slot_temperature(e, is, s), Tj = slot_temperature(e, is, s + 1);
    double Ei = (double)is->rep[i].energy / PRISM_EUNIT;
    double Ej = (double)is->rep[j].energy / PRISM_EUNIT;
    double x =
        (Ti > 0 && Tj > 0) ? (1.0 / Ti - 1.0 / Tj) * (Ei - Ej) : (Ei > Ej ? 1 : -1);
    uint32_t u = prism_rng_u32(&rng);
    tried++;
    if (x >= 0 || (double)u < exp(x) * 4294967296.0) {
      is->rep_of_slot[s] = j;
      is->rep_of_slot[s + 1] = i;
      is->rep[j].slot = s;
      is->rep[i].slot = s + 1;
      is->rep[j].metro_thr = is->metro + (size_t)s * PRISM_METRO_LEVELS;
      is->rep[i].metro_thr = is->metro + (size_t)(s + 1) * PRISM_METRO_LEVELS;
      accepted++;
    }
  }
  t->swaps_tried = tried;
  t->swap_acceptance = tried ? (double)accepted / tried : 0;
}

static void gpx_share(engine *e, int t) {
  island *is = e->cur;
  uint32_t *scratch = e->tscratch + (size_t)t * e->tscratch_len;
  for (uint32_t i = (uint32_t)t; i < is->R; i += (uint32_t)e->threads) {
    uint32_t j = (i + 1) % is->R;
    prism_gpx(e->n, e->k, is->rep[i].best_color, is->rep[j].best_color,
              e->children + (size_t)i * e->n, e->o->seed, is->first + i,
              is->recomb_rounds, scratch);
  }
}

static void load_share(engine *e, int t) {
  island *is = e->cur;
  for (uint32_t i = (uint32_t)t; i < is->R; i += (uint32_t)e->threads)
    rep_load(e, &is->rep[i], &is->cfg, e->children + (size_t)i * e->n, e->k);
}

static void recombine(engine *e, island *is, prism_telemetry *t) {
  const uint32_t n = e->n, R = is->R;
  /* elites: best of this cycle, and of the one before (HEAD's scheme) */
  for (uint32_t i = 0; i < R; i++) {
    prism_replica *r = &is->rep[i];
    if (!is->have_elite1 || r->best_color_energy < is->elite1_energy) {
      memcpy(is->elite1, r->best_color, (size_t)n * sizeof *is->elite1);
      is->elite1_energy = r->best_color_energy;
      is->have_elite1 = 1;
    }
  }
  is->recomb_rounds++;
  threads_run(e, is, gpx_share);  /* every child from the parents' best colorings */
  threads_run(e, is, load_share); /* then every replica takes its child */
  int reinject =
      e->p.elite_cycle > 0 && is->recomb_rounds % (uint64_t)e->p.elite_cycle == 0;
  if (reinject) {
    /* the elite of the previous cycle of the next island (itself when
     * there is one island): migration around the ring */
    const island *donor = &e->isl[(is->index + 1) % e->I];
    if (donor->have_elite2) {
      uint32_t worst = 0;
      for (uint32_t i = 1; i < R; i++)
        if (is->rep[i].energy > is->rep[worst].energy) worst = i;
      rep_load(e, &is->rep[worst], &is->cfg, donor->elite2, e->k);
    }
    memcpy(is->elite2, is->elite1, (size_t)n * sizeof *is->elite2);
    is->elite2_energy = is->elite1_energy;
    is->have_elite2 = 1;
    is->have_elite1 = 0;
  }
  t->recombinations = R;
  update_belief(e, is);
}

/* ------------------------------------------------------------- reservoir */

static int update_reservoir(engine *e, island *is, prism_telemetry *t) {
  const uint32_t n = e->n;
  double leak = e->p.reservoir_leak_rate, sum = 0, mx = 0;
  for (uint32_t v = 0; v < n; v++) is->reservoir[v] *= 1.0 - leak;
  for (uint32_t i = 0; i < is->R; i++) {
    const prism_replica *r = &is->rep[i];
    for (uint32_t j = 0; j < r->ncv; j++) is->reservoir[r->cv[j]] += 1.0 / is->R;
  }
  int changed = 0;
  for (uint32_t v = 0; v < n; v++) {
    double x = is->reservoir[v];
    sum += x;
    if (x > mx) mx = x;
    int32_t w = PRISM_W0;
    if (e->p.stress_weight > 0) {
      double bonus = floor(PRISM_W0 * e->p.stress_weight * x);
      w = bonus >= PRISM_WMAX - PRISM_W0 ? PRISM_WMAX : PRISM_W0 + (int32_t)bonus;
    }
    if (w != is->omega[v]) {
      is->omega[v] = w;
      changed = 1;
    }
  }
  t->reservoir_activity = sum / n;
  t->reservoir_max = mx;
  return changed;
}

/* -------------------------------------------------------------- reporting */

static void status_line(engine *e, const prism_telemetry *t, int force) {
  if (!e->o->status_lines) return;
  double now = prism_now();
  if (!force && now - e->last_status < 1.0) return;
  e->last_status = now;
  if (e->status_count++ % 20 == 0)
    fprintf(stderr, "c %9s %5s %5s %9s %9s %11s %8s %6s %8s\n", "seconds", "k", "best",
            "conflicts", "mean", "moves/s", "tunnels", "swap%", "res");
  double el = now - e->t0;
  fprintf(stderr, "c %9.2f %5u %5u %9u %9.1f %11.3g %8llu %6.1f %8.3f\n", el, t->k,
          t->best_k, t->best_conflicts, t->mean_conflicts,
          el > 0 ? (double)e->total_moves / el : 0.0,
          (unsigned long long)t->tunneling_events, 100.0 * t->swap_acceptance,
          t->reservoir_activity);
}

/* The batch's counters: the KernelTelemetry record reduced on the GPU (ct),
 * or summed here over the island's replicas on the CPU backend. */
static void collect(engine *e, island *is, const prism_cuda_telemetry *ct,
                    prism_telemetry *t) {
  uint32_t best = 0;
  double sum = 0;
  if (ct) {
    t->best_conflicts = ct->best_conflicts;
    best = ct->best_replica;
    sum = (double)ct->conflicts_sum;
    t->moves = ct->moves;
    t->metro_moves = ct->metro_moves;
    t->tunneling_events = ct->tunnels;
    t->tunneling_aborts = ct->tunnel_aborts;
  } else {
    for (uint32_t i = 0; i < is->R; i++) {
      prism_replica *r = &is->rep[i];
      uint32_t c = r->conflicts; /* counted by the backend at the end of the batch */
      if (i == 0 || c < t->best_conflicts) {
        t->best_conflicts = c;
        best = i;
      }
      sum += c;
      t->moves += r->moves;
      t->metro_moves += r->metro_moves;
      t->tunneling_events += r->tunnels;
      t->tunneling_aborts += r->tunnel_aborts;
    }
  }
  e->total_moves += t->moves;
  t->best_replica = is->first + best;
  t->mean_conflicts = sum / is->R;
  prism_replica *b = &is->rep[best];
  uint8_t *seen = (uint8_t *)e->scratch;
  memset(seen, 0, e->k);
  t->colors_used = 0;
  for (uint32_t v = 0; v < e->n; v++)
    if (!seen[b->color[v]]) {
      seen[b->color[v]] = 1;
      t->colors_used++;
    }
  prism_telemetry_betti(e->n, e->g->offsets, e->g->adj, b->color, b->cv, b->ncv,
                        e->tmp_colors, t->betti);
}

/* -------------------------------------------------------------- the loop */

static int out_of_time(const engine *e) {
  if (prism_solve_interrupted()) return 1;
  return e->o->time_limit > 0 && prism_now() - e->t0 >= e->o->time_limit;
}

/* The next batch of island is: its config from the current parameters
 * (replicas rebuilt when a controller moved a potential), published to the
 * GPU's triple buffer on the CUDA backend. Called right after the island's
 * previous batch was processed, on both backends, so that they agree. */
static void prepare(engine *e, island *is) {
  int64_t old_mu = is->cfg.mu, old_beta = is->cfg.beta;
  build_cfg(e, is);
  if (is->cfg.mu != old_mu || is->cfg.beta != old_beta) /* a controller moved them */
    for (uint32_t i = 0; i < is->R; i++) rep_rebuild(e, &is->rep[i], &is->cfg);
  if (e->cuda) prism_cuda_engine_publish(e->cuda, is->index, &is->cfg);
}

static void launch(engine *e, island *is) {
  prism_cuda_engine_launch(e->cuda, is->index, is->rep, is->first, is->R);
  is->in_flight = 1;
}

/* Wait for every queued batch and drop its results (k changes, the end). */
static void drain(engine *e) {
  if (!e->cuda) return;
  for (uint32_t j = 0; j < e->I; j++)
    if (e->isl[j].in_flight) {
      prism_cuda_engine_wait(e->cuda, j, NULL, NULL);
      e->isl[j].in_flight = 0;
    }
}

/* Queue every island's batch, in the order they will be processed. */
static void launch_all(engine *e) {
  for (uint32_t d = 0; d < e->I; d++) {
    island *is = &e->isl[(e->batch + d) % e->I];
    if (!is->in_flight) launch(e, is);
  }
}

static void info(const engine *e, const char *line) {
  if (e->o->on_info) e->o->on_info(e->o->ctx, line);
}

static void cuda_finish(engine *e) {
  prism_cuda_pipeline_stats ps;
  prism_cuda_engine_pipeline_stats(e->cuda, &ps);
  if (ps.batches > 0) {
    char line[512];
    snprintf(
        line, sizeof line,
        "gpu pipeline: %llu batches, %u islands, %s; kernels %.1f%% of %.2f s; "
        "gap between kernels %.3f ms mean, %.3f max; config publish -> on device %.3f "
        "ms mean (%.3f max), -> kernel start %.3f ms mean; telemetry on host %.3f ms "
        "after its kernel (%.3f max)",
        (unsigned long long)ps.batches, e->I, e->pipelined ? "pipelined" : "in turn",
        100.0 * ps.busy, ps.span_s, ps.gap_ms_mean, ps.gap_ms_max, ps.cfg_device_ms_mean,
        ps.cfg_device_ms_max, ps.cfg_kernel_ms_mean, ps.tel_ms_mean, ps.tel_ms_max);
    info(e, line);
  }
  if (e->o->trace_path) {
    char err[256];
    if (prism_cuda_engine_write_trace(e->cuda, e->o->trace_path, err, sizeof err))
      prism_die("%s", err);
  }
}

void prism_engine_descend(const prism_graph *g, const prism_solve_opts *o,
                          uint32_t stop_k, double t0, prism_solve_result *res) {
  engine E, *e = &E;
  memset(e, 0, sizeof E);
  e->g = g;
  e->o = o;
  e->res = res;
  e->p = o->params;
  e->t0 = t0;
  e->n = g->n;
  e->stop_k = stop_k;
  e->kmax = res->best_k - 1;
  const uint32_t n = e->n;
  /* the backend first: the replica and island counts depend on it */
  int want_cuda = 0;
  char why[256] = "";
  if (o->backend != PRISM_BACKEND_CPU) {
    want_cuda = prism_cuda_available(why, sizeof why);
    if (!want_cuda && o->backend == PRISM_BACKEND_CUDA)
      prism_die("--backend cuda: %s", why);
  }
  /* auto (0): 4 replicas in 1 island on the CPU; on the GPU 2 islands of one
   * replica per multiprocessor (each island's kernel fills the GPU) */
  uint32_t R = (uint32_t)e->p.replicas, I = (uint32_t)e->p.islands;
  const int sms = want_cuda ? prism_cuda_multiprocessors() : 0;
  if (R == 0) R = want_cuda && sms > 0 ? (uint32_t)(2 * sms > 1024 ? 1024 : 2 * sms) : 4;
  if (I == 0) I = want_cuda ? 2 : 1;
  if (I > R) I = R;
  if (want_cuda) {
    e->cuda = prism_cuda_engine_create(g, R, e->kmax, I, why, sizeof why);
    if (!e->cuda && o->backend == PRISM_BACKEND_CUDA)
      prism_die("--backend cuda: %s", why);
    e->pipelined = e->cuda && e->p.gpu_pipeline && I > 1;
    if (!e->cuda) { /* fell back: the CPU's defaults */
      if (e->p.replicas == 0) R = 4;
      if (e->p.islands == 0) I = 1;
      if (I > R) I = R;
    }
  }
  e->R = R;
  e->I = I;
  if (o->backend != PRISM_BACKEND_CPU) {
    char line[512];
    snprintf(line, sizeof line, "engine backend %s (%s)", e->cuda ? "cuda" : "cpu", why);
    info(e, line);
  }
  e->rep = PRISM_CALLOC(R, sizeof *e->rep);
  for (uint32_t i = 0; i < R; i++) prism_replica_init(&e->rep[i], i, n, e->kmax);
  e->scratch =
      PRISM_MALLOC((2 * (size_t)n + 2 * (size_t)res->best_k + 8) * sizeof(uint32_t));
  e->tmp_colors = PRISM_MALLOC((size_t)n * sizeof(uint32_t));
  e->children = PRISM_MALLOC((size_t)R * n * sizeof(uint32_t));
  if (o->telemetry_path) {
    e->telemetry = fopen(o->telemetry_path, "w");
    if (!e->telemetry) prism_die("cannot open telemetry file '%s'", o->telemetry_path);
  }
  e->isl = PRISM_CALLOC(I, sizeof *e->isl);
  for (uint32_t j = 0, first = 0; j < I; j++) {
    island *is = &e->isl[j];
    is->index = j;
    is->first = first;
    is->R = R / I + (j < R % I);
    first += is->R;
    is->rep = e->rep + is->first;
    is->omega = PRISM_MALLOC((size_t)n * sizeof *is->omega);
    for (uint32_t v = 0; v < n; v++) is->omega[v] = PRISM_W0;
    is->reservoir = PRISM_CALLOC(n, sizeof *is->reservoir);
    is->metro = PRISM_MALLOC((size_t)is->R * PRISM_METRO_LEVELS * sizeof *is->metro);
    is->rep_of_slot = PRISM_MALLOC((size_t)is->R * sizeof *is->rep_of_slot);
    for (uint32_t s = 0; s < is->R; s++) {
      is->rep_of_slot[s] = s;
      is->rep[s].slot = s;
    }
    is->elite1 = PRISM_MALLOC((size_t)n * sizeof(uint32_t));
    is->elite2 = PRISM_MALLOC((size_t)n * sizeof(uint32_t));
  }
  if (I > 1) {
    char line[256];
    snprintf(line, sizeof line, "islands %u of %u..%u replicas%s", I, e->isl[I - 1].R,
             e->isl[0].R, e->pipelined ? ", pipelined on the GPU" : "");
    info(e, line);
  }
  if (o->controller && strcmp(o->controller, "none")) {
    char err[256];
    prism_control_ctx cc = {n, g->m, res->dsatur_k, res->lower_bound, o->seed};
    e->ctl = prism_controller_create(o->controller, &e->p, &cc, o->qtable_path, err,
                                     sizeof err);
    if (!e->ctl) prism_die("controller: %s", err);
  }
  e->tscratch_len =
      4 * (size_t)n + 2 * (size_t)res->best_k + 8; /* scratch, 2 colorings */
  threads_start(e); /* batches on the CPU backend; recombination on both */
  start_k(e, res->best_k - 1);
  for (uint32_t j = 0; j < I; j++) prepare(e, &e->isl[j]);
  if (e->pipelined) launch_all(e);

  while (!out_of_time(e) &&
         (e->p.max_batches == 0 || e->batch < (uint64_t)e->p.max_batches)) {
    island *is = &e->isl[e->batch % I];
    prism_telemetry t;
    memset(&t, 0, sizeof t);
    double tb = prism_now();
    prism_cuda_telemetry ct;
    if (e->cuda) {
      if (!is->in_flight) launch(e, is);
      prism_cuda_engine_wait(e->cuda, is->index, is->rep, &ct);
      is->in_flight = 0;
      t.batch_us = ct.kernel_ms * 1e3;
    } else {
      threads_run(e, is, run_share);
      t.batch_us = (prism_now() - tb) * 1e6;
    }
    const double th = prism_now();
    t.batch = e->batch;
    t.island = is->index;
    t.k = e->k;
    collect(e, is, e->cuda ? &ct : NULL, &t);

    /* a solved replica: verify, report, descend */
    int improved = 0;
    for (uint32_t i = 0; i < is->R && !improved; i++)
      if (is->rep[i].solved && prism_solve_offer(g, o, res, is->rep[i].color, t0))
        improved = 1;
    t.best_k = res->best_k;
    t.elapsed_s = prism_now() - t0;

    if (t.best_conflicts < is->best_conflicts_at_k) {
      is->best_conflicts_at_k = t.best_conflicts;
      is->stagnation = 0;
    } else {
      is->stagnation++;
    }
    t.stagnation = is->stagnation;
    t.phase_transition = (uint32_t)prism_changepoint_push(&is->cp, t.best_conflicts);
    is->transition_active = (int)t.phase_transition;

    if (!improved) {
      if (update_reservoir(e, is, &t))
        for (uint32_t i = 0; i < is->R; i++) rep_rebuild(e, &is->rep[i], &is->cfg);
      is->batches_at_k++;
      if (e->p.swap_interval > 0 && is->batches_at_k % (uint64_t)e->p.swap_interval == 0)
        replica_exchange(e, is, &t);
      if (is->R > 1 && e->p.recomb_interval > 0 &&
          is->batches_at_k % (uint64_t)e->p.recomb_interval == 0)
        recombine(e, is, &t);
    }
    if (e->telemetry) prism_telemetry_write_json(&t, e->telemetry);
    if (e->ctl) {
      const double tc = prism_now();
      prism_controller_step(e->ctl, &t, &e->p);
      e->ctl_s += prism_now() - tc;
      e->ctl_steps++;
    }
    status_line(e, &t, improved);
    is->ibatch++;
    e->batch++;
    if (improved) {
      if (res->best_k <= stop_k) break;
      drain(e); /* batches queued at the old k: dropped, as if never run */
      start_k(e, res->best_k - 1);
      for (uint32_t d = 0; d < I; d++) prepare(e, &e->isl[(e->batch + d) % I]);
      if (e->pipelined) launch_all(e);
      continue;
    }
    prepare(e, is);
    if (e->cuda)
      prism_cuda_engine_trace_host(e->cuda, "host", is->index, th, prism_now());
    if (e->pipelined) launch(e, is);
  }
  drain(e);
  res->moves += e->total_moves;
  res->batches += e->batch;
  if (e->ctl) {
    char err[256];
    if (e->ctl_steps) {
      char line[256];
      snprintf(line, sizeof line,
               "controller %s: %llu steps, %.1f us per step on the host", o->controller,
               (unsigned long long)e->ctl_steps, 1e6 * e->ctl_s / e->ctl_steps);
      info(e, line);
    }
    if (prism_controller_finish(e->ctl, err, sizeof err))
      prism_die("controller: %s", err);
    prism_controller_free(e->ctl);
  }
  if (e->cuda) {
    cuda_finish(e);
    prism_cuda_engine_destroy(e->cuda);
  }
  threads_stop(e);
  if (e->telemetry) fclose(e->telemetry);
  for (uint32_t i = 0; i < R; i++) prism_replica_free(&e->rep[i]);
  free(e->rep);
  for (uint32_t j = 0; j < I; j++) {
    island *is = &e->isl[j];
    free(is->omega);
    free(is->reservoir);
    free(is->metro);
    free(is->rep_of_slot);
    free(is->elite1);
    free(is->elite2);
  }
  free(e->isl);
  free(e->scratch);
  free(e->tmp_colors);
  free(e->children);
}
