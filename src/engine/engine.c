/* engine.c - the solve loop around the islands: threads, backends, batch
 * configs, telemetry and reporting. The population moves live in island.c,
 * the k schedule in schedule.c, the search modes in tabucol.c and
 * partialcol.c. The host part is shared by every backend; only
 * prism_replica_run_batch (TabuCol) has a CUDA twin. */
#include "engine/engine_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "engine/exchange.h"
#include "util/check.h"
#include "util/timer.h"

/* ---------------------------------------------------------------- threads */

typedef struct worker_arg {
  engine *e;
  int index;
} worker_arg;

/* A round on the CPU: every replica of every island runs its batch. */
static void run_share(engine *e, int t) {
  for (uint32_t i = (uint32_t)t; i < e->R; i += (uint32_t)e->threads)
    prism_replica_run_batch(&e->rep[i], &e->isl_of[i]->cfg);
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
  e->threads = e->o->threads < (int)e->R ? e->o->threads : (int)e->R;
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
 * over island is (NULL: all replicas); every job splits its work by replica
 * index, so results do not depend on the thread count. */
void prism_engine_threads_run(engine *e, island *is, void (*job)(engine *, int)) {
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

/* Integer Metropolis thresholds, so both backends accept the same moves.
 * With the global ladder, one table per replica from its label (ladder.c). */
static void build_metro(engine *e, island *is) {
  if (e->p.ladder) {
    prism_ladder_metro(e, is);
    return;
  }
  for (uint32_t s = 0; s < is->R; s++)
    prism_metro_table(slot_temperature(e, is, s),
                      is->metro + (size_t)s * PRISM_METRO_LEVELS);
  for (uint32_t s = 0; s < is->R; s++)
    is->rep[is->rep_of_slot[s]].metro_thr = is->metro + (size_t)s * PRISM_METRO_LEVELS;
}

double prism_engine_slot_temperature(const engine *e, const island *is, uint32_t s) {
  return slot_temperature(e, is, s);
}

void prism_engine_build_cfg(engine *e, island *is) {
  prism_batch_cfg *c = &is->cfg;
  c->n = e->n;
  c->k = is->k;
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
  c->pc_tabu_base = (uint32_t)e->p.pc_tabu_base;
  c->pc_alpha_fp = (uint32_t)llround(e->p.pc_tabu_alpha * 256.0);
  c->pc_react = (uint32_t)e->p.pc_reactive;
  c->scan_limit = e->n < (uint32_t)e->p.scan_min_n ? 0 : (uint32_t)e->p.scan_limit;
  c->scan_sample = (uint32_t)e->p.scan_sample;
  if (e->p.batch_moves > 0)
    c->moves = (uint32_t)e->p.batch_moves;
  else {
    double auto_moves = e->p.gen_per_vertex * (double)e->n;
    c->moves = (uint32_t)(auto_moves < 10000    ? 10000
                          : auto_moves > 500000 ? 500000
                                                : auto_moves);
  }
  c->seed = e->o->seed;
  c->stop = e->cuda ? NULL : &e->stop;
  build_metro(e, is);
}

/* Loads and rebuilds: on the CUDA backend the device rebuilds G, the tabu
 * table and the conflict set, so the host skips them (same energies). */
void prism_engine_rep_load(const engine *e, prism_replica *r, const prism_batch_cfg *c,
                           const uint32_t *colors, uint32_t k) {
  if (e->cuda)
    prism_replica_load_lazy(r, c, colors, k);
  else
    prism_replica_load(r, c, colors, k);
}

void prism_engine_rep_rebuild(const engine *e, prism_replica *r, const prism_batch_cfg *c) {
  if (e->cuda)
    prism_replica_rebuild_lazy(r, c);
  else
    prism_replica_rebuild(r, c);
}

/* The device's best coloring of replica i is the host's best_color only
 * after a TabuCol batch (PartialCol's is partial; the host completes it)
 * and until the host loads the replica anew; otherwise the slot keeps what
 * it held, which a later load_stash does not use (its hash no longer
 * matches the host's coloring, so the coloring goes up from the host). */
void prism_engine_elite_stash(const engine *e, const island *is, uint32_t slot, uint32_t i) {
  const prism_replica *r = &is->rep[i];
  if (e->cuda && !r->dirty && r->ran_mode == PRISM_MODE_TABUCOL)
    prism_cuda_engine_stash(e->cuda, is->index, slot, i, r->best_color);
}

void prism_engine_elite_copy(const engine *e, const island *is, uint32_t dst, uint32_t src) {
  if (e->cuda) prism_cuda_engine_stash_copy(e->cuda, is->index, dst, src);
}

void prism_engine_elite_load(const engine *e, const island *is, uint32_t i,
                             const island *donor, uint32_t slot) {
  if (e->cuda) prism_cuda_engine_load_stash(e->cuda, is->index, i, donor->index, slot);
}

/* -------------------------------------------------------------- reporting */

/* The batch's counters: the KernelTelemetry record reduced on the GPU (ct),
 * or summed here over the island's replicas on the CPU backend. */
static void collect(engine *e, island *is, const prism_cuda_telemetry *ct,
                    prism_telemetry *t) {
  uint32_t best = 0, cnt = is->R;
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
    /* after an early exit (the target reached) the replicas above the one
     * that reached it stopped at a time that depends on the threads: the
     * record counts the replicas up to it only, so that it stays the same */
    const uint32_t sid = e->stop.solved_id;
    if (sid != PRISM_NONE && sid >= is->first && sid - is->first < is->R)
      cnt = sid - is->first + 1;
    for (uint32_t i = 0; i < cnt; i++) {
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
  t->mean_conflicts = sum / cnt;
  t->restarts = is->restarts;
  t->injections = is->diversified;
  t->pool_size = is->pool.size;
  prism_replica *b = &is->rep[best];
  uint8_t *seen = (uint8_t *)e->scratch;
  memset(seen, 0, is->k);
  t->colors_used = 0;
  for (uint32_t v = 0; v < e->n; v++) {
    const uint32_t c = b->color[v];
    if (c != PRISM_NONE && !seen[c]) {
      seen[c] = 1;
      t->colors_used++;
    }
  }
  prism_telemetry_betti(e->n, e->g->offsets, e->g->adj, b->color, b->cv, b->ncv,
                        e->tmp_colors, t->betti);
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
    prism_cuda_stats cs;
    prism_cuda_engine_stats(e->cuda, &cs);
    snprintf(line, sizeof line,
             "gpu move selection: incremental in %llu of %llu batches (docs/cuda.md); "
             "blocks of %d threads, %d resident per multiprocessor of %d",
             cs.incr_batches, (unsigned long long)ps.batches, cs.threads, cs.blocks_per_sm,
             cs.sms);
    info(e, line);
  }
  if (e->I > 1) {
    prism_cuda_stats cs;
    prism_cuda_engine_stats(e->cuda, &cs);
    char line[512];
    snprintf(line, sizeof line,
             "gpu elite migration: %s; %llu colorings by peer copy between devices, %llu "
             "copied on one device, %llu staged through the host, %llu device copies "
             "superseded by a later host load (docs/multigpu.md)",
             cs.peer_copy ? "device to device where possible (gpu_peer_copy=1)"
                          : "staged through the host (gpu_peer_copy=0)",
             cs.mig_peer, cs.mig_device, cs.mig_staged, cs.mig_superseded);
    info(e, line);
  }
  if (e->o->trace_path) {
    char err[256];
    if (prism_cuda_engine_write_trace(e->cuda, e->o->trace_path, err, sizeof err))
      prism_die("%s", err);
  }
}

/* What the engine runs with: one 'c' line, the telemetry's run record, and
 * the status lines' state. why: the CUDA device (or why there is none). */
static void report_setup(engine *e, const char *why) {
  const prism_solve_opts *o = e->o;
  const char *backend = e->cuda ? "cuda" : "cpu";
  const int threads = e->threads; /* host threads: batches (CPU), recombination (both) */
  char line[512];
  int gpus = 0;
  if (e->cuda) {
    prism_cuda_stats cs;
    prism_cuda_engine_stats(e->cuda, &cs);
    gpus = cs.devices;
  }
  char device[320] = ""; /* the GPU's name, and how many when several */
  if (e->cuda) snprintf(device, sizeof device, gpus > 1 ? "%s (%d devices)" : "%s", why, gpus);
  snprintf(line, sizeof line, "engine: backend %s%s%s, threads %d, replicas %u, islands %u",
           backend, e->cuda ? ", device " : "", device, threads, e->R, e->I);
  info(e, line);
  if (e->telemetry) {
    prism_telemetry_run run = {o->graph_name, e->n, e->g->m, o->seed,
                               e->res->lower_bound, e->res->dsatur_k, o->target_k,
                               o->time_limit, backend, device, threads,
                               e->R, e->I, o->controller};
    prism_telemetry_write_run(&run, e->telemetry);
  }
  prism_progress_init(&e->progress, o->status_lines, prism_now());
}

/* -------------------------------------------------------------- the loop */

/* std / mean of the vertex degrees (a controller's instance feature) */
static double prism_engine_degree_cv(const prism_graph *g) {
  if (g->n == 0 || g->m == 0) return 0;
  const double mean = 2.0 * (double)g->m / g->n;
  double ss = 0;
  for (uint32_t v = 0; v < g->n; v++) {
    const double d = (double)(g->offsets[v + 1] - g->offsets[v]) - mean;
    ss += d * d;
  }
  return sqrt(ss / g->n) / mean;
}

static int out_of_time(const engine *e) {
  if (prism_solve_interrupted() || e->stop.stop) return 1;
  return e->o->time_limit > 0 && prism_now() - e->t0 >= e->o->time_limit;
}

/* The caller's per-batch hook; nonzero: stop the search. */
static int report_batch(const engine *e, const prism_telemetry *t) {
  const prism_solve_progress p = {e->batch, t->k, t->best_conflicts, e->res->best_k,
                                  prism_now() - e->t0};
  return e->o->on_batch(e->o->ctx, &p);
}

/* The next batch of island is: its config from the current parameters
 * (replicas rebuilt when a controller moved a potential), published to the
 * GPU's triple buffer on the CUDA backend. Called right after the island's
 * previous batch was processed, on both backends, so that they agree. */
static void prepare(engine *e, island *is) {
  int64_t old_mu = is->cfg.mu, old_beta = is->cfg.beta;
  uint32_t old_k = is->cfg.k;
  is->policy = e->p.mode; /* a controller may switch it */
  prism_engine_build_cfg(e, is);
  if (old_k == is->k && (is->cfg.mu != old_mu || is->cfg.beta != old_beta))
    for (uint32_t i = 0; i < is->R; i++) prism_engine_rep_rebuild(e, &is->rep[i], &is->cfg);
  if (e->cuda) prism_cuda_engine_publish(e->cuda, is->index, &is->cfg);
}

static void launch(engine *e, island *is) {
  prism_cuda_engine_launch(e->cuda, is->index, is->rep, is->first, is->R);
  is->in_flight = 1;
}

/* Wait for every queued batch and drop its results (the end). */
static void drain(engine *e) {
  if (!e->cuda) return;
  for (uint32_t j = 0; j < e->I; j++)
    if (e->isl[j].in_flight) {
      prism_cuda_engine_wait(e->cuda, j, NULL, NULL);
      e->isl[j].in_flight = 0;
    }
}

/* The replicas' modes for the island's next generation; called only where
 * every replica is about to load a new coloring (in its new mode). */
static void assign_modes(engine *e, island *is) {
  for (uint32_t i = 0; i < is->R; i++) is->rep[i].mode = prism_island_mode_of(e, is, i);
}

/* After island is's batch: report, offer solved colorings, population
 * moves, and the island's next k. Returns 1 when the solve is over. */
static int process(engine *e, island *is, const prism_cuda_telemetry *ct,
                   prism_telemetry *t) {
  const prism_graph *g = e->g;
  const prism_solve_opts *o = e->o;
  t->batch = e->batch;
  t->island = is->index;
  t->k = is->k;
  collect(e, is, ct, t);
  if (e->p.ladder) prism_ladder_record(e, is); /* before the population moves */
  prism_island_modes(e, is, t);

  /* a solved replica: verify, report (the lowest index first) */
  int improved = 0;
  for (uint32_t i = 0; i < is->R && !improved; i++)
    if (is->rep[i].solved && prism_solve_offer(g, o, e->res, is->rep[i].color, e->t0))
      improved = 1;
  t->best_k = e->res->best_k;
  t->elapsed_s = prism_now() - e->t0;

  if (t->best_conflicts < is->best_conflicts_at_k) {
    is->best_conflicts_at_k = t->best_conflicts;
    is->stagnation = 0;
  } else {
    is->stagnation++;
  }
  t->stagnation = is->stagnation;
  t->phase_transition = (uint32_t)prism_changepoint_push(&is->cp, t->best_conflicts);
  is->transition_active = (int)t->phase_transition;

  const int done = e->res->best_k <= e->stop_k;
  /* out of time: report, but no population moves (O(m) on a large graph) */
  const int over = !done && out_of_time(e);
  if (over) {
  } else if (!done && is->k < e->res->best_k) {
    if (prism_island_update_reservoir(e, is, t))
      for (uint32_t i = 0; i < is->R; i++) prism_engine_rep_rebuild(e, &is->rep[i], &is->cfg);
    is->batches_at_k++;
    if (!e->p.ladder && e->p.swap_interval > 0 &&
        is->batches_at_k % (uint64_t)e->p.swap_interval == 0)
      prism_island_exchange(e, is, t);
    prism_cells_generation(e, is, t,
                           e->p.recomb_interval > 0 &&
                               is->batches_at_k % (uint64_t)e->p.recomb_interval == 0);
  } else if (!done) {
    /* a better coloring is known: this island moves on, dissolving a class
     * of each replica's coloring while the k come easily, from new
     * colorings once one took long (is->hard) */
    const uint32_t dg = (uint32_t)e->p.descend_generations;
    if (dg > 0 && is->batches_at_k + 1 > dg) is->hard = 1;
    assign_modes(e, is);
    if (is->hard)
      prism_schedule_fresh(e, is, prism_schedule_next_k(e, is));
    else
      prism_schedule_descend(e, is, prism_schedule_next_k(e, is));
  }
  /* the global ladder's sweep: once per round, after its last island (the
   * same point of the host's sequence on every backend) */
  const uint64_t round = e->batch / e->I;
  if (e->p.ladder && !done && !over && is->index == e->I - 1 && e->p.swap_interval > 0 &&
      (round + 1) % (uint64_t)e->p.swap_interval == 0)
    prism_ladder_sweep(e, round, t);
  t->distance = is->distance;
  t->temperature[0] = e->p.ladder ? prism_ladder_temperature(e, 0) : slot_temperature(e, is, 0);
  t->temperature[1] = e->p.ladder ? prism_ladder_temperature(e, e->R - 1)
                                  : slot_temperature(e, is, is->R - 1);
  t->action = -1;
  t->planner_us = e->planner_us;
  if (e->ctl) {
    const double tc = prism_now();
    prism_controller_step(e->ctl, t, &e->p);
    e->ctl_s += prism_now() - tc;
    e->ctl_steps++;
    t->controlled = 1;
    t->action = prism_controller_last(e->ctl, &t->reward);
    e->planner_us = prism_controller_planner_us(e->ctl);
  }
  if (e->telemetry) prism_telemetry_write_json(t, e->telemetry);
  const double now = prism_now();
  prism_progress_update(&e->progress, t, now, now - e->t0, e->total_moves, is->R,
                        e->ctl ? (t->action >= 0 ? prism_controller_action_name(t->action)
                                                 : "none")
                               : NULL,
                        improved);
  is->ibatch++;
  return done;
}

static void create_islands(engine *e) {
  const uint32_t n = e->n, I = e->I, R = e->R;
  e->isl = PRISM_CALLOC(I, sizeof *e->isl);
  prism_ladder_init(&e->ladder, R);
  e->isl_of = PRISM_MALLOC((size_t)R * sizeof *e->isl_of);
  for (uint32_t j = 0, first = 0; j < I; j++) {
    island *is = &e->isl[j];
    is->index = j;
    is->first = first;
    is->R = R / I + (j < R % I);
    first += is->R;
    is->rep = e->rep + is->first;
    is->policy = e->p.mode;
    is->major = PRISM_MODE_TABUCOL;
    for (uint32_t i = 0; i < is->R; i++) {
      e->isl_of[is->first + i] = is;
      is->rep[i].mode = prism_island_mode_of(e, is, i);
    }
    is->omega = PRISM_MALLOC((size_t)n * sizeof *is->omega);
    for (uint32_t v = 0; v < n; v++) is->omega[v] = PRISM_W0;
    is->reservoir = PRISM_CALLOC(n, sizeof *is->reservoir);
    is->metro = PRISM_MALLOC((size_t)is->R * PRISM_METRO_LEVELS * sizeof *is->metro);
    is->rep_of_slot = PRISM_MALLOC((size_t)is->R * sizeof *is->rep_of_slot);
    for (uint32_t s = 0; s < is->R; s++) {
      is->rep_of_slot[s] = s;
      is->rep[s].slot = s;
    }
    prism_cells_create(e, is);
    prism_pool_init(&is->pool, n, (uint32_t)e->p.pool_size);
  }
}

static void free_islands(engine *e) {
  for (uint32_t j = 0; j < e->I; j++) {
    island *is = &e->isl[j];
    free(is->omega);
    free(is->reservoir);
    free(is->metro);
    free(is->rep_of_slot);
    prism_cells_free(is);
    prism_pool_free(&is->pool);
  }
  free(e->isl);
  free(e->isl_of);
  prism_ladder_free(&e->ladder);
}

/* The backend and the replica and island counts (auto: 2 replicas per
 * island, 1 island, on the CPU; on the GPU 2 islands of one replica per
 * multiprocessor per device); creates the CUDA engine when it is used.
 * why gets the device's description or why there is none. */
static void engine_backend(engine *e, char *why, size_t why_len) {
  const prism_solve_opts *o = e->o;
  const prism_graph *g = e->g;
  const uint32_t n = e->n;
  int want_cuda = 0;
  if (o->backend != PRISM_BACKEND_CPU) {
    want_cuda = prism_cuda_available(why, why_len);
    if (!want_cuda && o->backend == PRISM_BACKEND_CUDA)
      prism_die("--backend cuda: %s", why);
  }
  /* auto (0): 2 replicas per island, 1 island, on the CPU; on the GPU 2
   * islands per device and one replica per multiprocessor: the islands of a
   * device run at the same time on their own streams, each on half the
   * SMs, and the host works on one while the other runs (docs/pipeline.md;
   * two replicas per multiprocessor in islands that took turns reached
   * DSJC500.5 -> 48 in 10.5 s median, this in 5.9 s: bench/gpu/RESULTS.md) */
  uint32_t R = (uint32_t)e->p.replicas, I = (uint32_t)e->p.islands;
  const int sms = want_cuda ? prism_cuda_multiprocessors() : 0;
  int ndev = want_cuda ? prism_cuda_devices_selected() : 0;
  if (ndev < 1) ndev = 1;
  if (I == 0) I = want_cuda ? 2u * (uint32_t)ndev : 1;
  if (R == 0)
    R = want_cuda && sms > 0 ? (uint32_t)(sms * ndev > 1024 ? 1024 : sms * ndev) : 2 * I;
  if (e->p.replicas == 0 && want_cuda) {
    /* the host loads, recombines and checks every replica in O(n + m) a
     * generation: on a large graph two per multiprocessor cost seconds per
     * generation, so auto keeps R (n + m) to about 2e8 */
    const uint64_t cap = 200000000ull / ((uint64_t)n + g->m + 1);
    const uint32_t floor_r = 2 * I;
    if (R > cap) R = cap < floor_r ? floor_r : (uint32_t)cap;
  }
  if (I > R) I = R;
  if (want_cuda) {
    e->cuda = prism_cuda_engine_create_w(
        g, R, e->kmax, I, prism_weight_bound(e->p.stress_weight, o->controller), why, why_len);
    if (!e->cuda && o->backend == PRISM_BACKEND_CUDA)
      prism_die("--backend cuda: %s", why);
    e->pipelined = e->cuda && e->p.gpu_pipeline && I > 1;
    if (e->cuda) {
      prism_cuda_engine_set_deadline(e->cuda, e->stop.deadline);
      prism_cuda_engine_set_peer_copy(e->cuda, e->p.gpu_peer_copy);
    }
    if (!e->cuda) { /* fell back: the CPU's defaults */
      if (e->p.islands == 0) I = 1;
      if (e->p.replicas == 0) R = 2 * I;
      if (I > R) I = R;
    }
  }
  e->R = R;
  e->I = I;
}

/* The replicas, scratch, telemetry file, islands and controller. */
static void engine_setup(engine *e, const char *why) {
  const prism_solve_opts *o = e->o;
  const prism_graph *g = e->g;
  prism_solve_result *res = e->res;
  const uint32_t n = e->n, R = e->R, I = e->I;
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
  e->conf = PRISM_MALLOC((size_t)R * sizeof *e->conf);
  if (o->exchange && o->exchange->telemetry) {
    e->telemetry = o->exchange->telemetry; /* several processes: merged at exchanges */
  } else if (o->telemetry_path) {
    e->telemetry = fopen(o->telemetry_path, "w");
    if (!e->telemetry) prism_die("cannot open telemetry file '%s'", o->telemetry_path);
  }
  create_islands(e);
  {
    char line[256];
    static const char *const policy[] = {"tabucol", "partialcol", "adaptive"};
    char cells[64] = "";
    if (e->isl[0].C > 1)
      snprintf(cells, sizeof cells, " in %u cells of %u..%u", e->isl[0].C,
               e->isl[0].cell[e->isl[0].C - 1].R, e->isl[0].cell[0].R);
    snprintf(line, sizeof line, "islands %u of %u..%u replicas%s, search mode %s%s", I,
             e->isl[I - 1].R, e->isl[0].R, cells, policy[e->isl[0].policy],
             e->pipelined ? ", pipelined on the GPU" : "");
    info(e, line);
  }
  if (prism_controller_wanted(o->controller)) {
    char err[256];
    prism_control_ctx cc = {n, g->m, res->dsatur_k, res->lower_bound, o->seed,
                            prism_engine_degree_cv(g)};
    e->ctl = prism_controller_create_with_model(o->controller, &e->p, &cc, o->qtable_path,
                                                o->model_path, err, sizeof err);
    if (!e->ctl) prism_die("controller: %s", err);
  }
  e->tscratch_len =
      4 * (size_t)n + 2 * (size_t)res->best_k + 8; /* scratch, 2 colorings */
}

/* Every island at its first k, then batches until the target, the time
 * limit or max_batches. */
static void engine_run(engine *e, const char *why) {
  const prism_solve_opts *o = e->o;
  const uint32_t n = e->n, I = e->I;
  threads_start(e); /* batches on the CPU backend; recombination on both */
  report_setup(e, why);
  for (uint32_t j = 0; j < I; j++) {
    island *is = &e->isl[j];
    const uint32_t k = prism_schedule_next_k(e, is);
    if (o->start_pop && o->start_pop->count > 0 && o->start_pop->n == n)
      prism_schedule_resume(e, is, k); /* --resume: from the checkpoint's colorings */
    else if (o->target_k && k == o->target_k && e->p.k_schedule == 0)
      prism_schedule_fresh(e, is, k); /* straight at the target */
    else
      prism_schedule_descend(e, is, k);
    prepare(e, is);
  }
  if (e->pipelined)
    for (uint32_t j = 0; j < I; j++) launch(e, &e->isl[j]);

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
      if (is->index == 0) prism_engine_threads_run(e, NULL, run_share); /* the round */
      t.batch_us = (prism_now() - tb) * 1e6;
    }
    const double th = prism_now();
    const int done = process(e, is, e->cuda ? &ct : NULL, &t);
    e->batch++;
    if (done || prism_engine_migrate(e, is) || (o->on_batch && report_batch(e, &t)) ||
        out_of_time(e))
      break;
    prism_engine_population(e, 0); /* checkpoints */
    prepare(e, is);
    if (e->cuda) prism_cuda_engine_trace_host(e->cuda, "host", is->index, th, prism_now());
    if (e->pipelined) launch(e, is);
  }
}

/* Drain the pipeline, report, write the telemetry's end record, free. */
static void engine_finish(engine *e) {
  const prism_solve_opts *o = e->o;
  prism_solve_result *res = e->res;
  const uint32_t R = e->R, I = e->I;
  const double t0 = e->t0;
  drain(e);
  prism_engine_population(e, 1);
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
      char desc[1024];
      prism_controller_describe(e->ctl, desc, sizeof desc);
      if (desc[0]) info(e, desc);
    }
    if (prism_controller_finish(e->ctl, err, sizeof err))
      prism_die("controller: %s", err);
    prism_controller_free(e->ctl);
  }
  if (e->cuda) {
    cuda_finish(e);
    prism_cuda_engine_destroy(e->cuda);
  }
  {
    uint64_t restarts = 0;
    for (uint32_t j = 0; j < I; j++) restarts += e->isl[j].restarts;
    char line[256];
    uint64_t div = 0;
    for (uint32_t j = 0; j < I; j++) div += e->isl[j].diversified;
    snprintf(line, sizeof line,
             "islands: converged %llu times: %llu injections of an elite or pool member, "
             "%llu restarts",
             (unsigned long long)(restarts + div), (unsigned long long)div,
             (unsigned long long)restarts);
    info(e, line);
  }
  if (e->p.ladder) {
    char line[256];
    const prism_ladder *l = &e->ladder;
    snprintf(line, sizeof line,
             "ladder over all %u replicas: %llu sweeps, %llu of %llu swaps accepted", e->R,
             (unsigned long long)l->sweeps, (unsigned long long)l->accepted,
             (unsigned long long)l->tried);
    info(e, line);
  }
  threads_stop(e);
  prism_progress_end(&e->progress);
  if (e->telemetry) {
    prism_telemetry_write_end(res->best_k, prism_now() - t0, e->total_moves, e->batch,
                              e->telemetry);
    if (o->exchange && e->telemetry == o->exchange->telemetry) {
      if (fflush(e->telemetry)) prism_die("cannot write the telemetry buffer");
    } else if (fclose(e->telemetry)) {
      prism_die("cannot write telemetry file '%s'", o->telemetry_path);
    }
  }
  for (uint32_t i = 0; i < R; i++) prism_replica_free(&e->rep[i]);
  free(e->rep);
  free_islands(e);
  free(e->scratch);
  free(e->tmp_colors);
  free(e->children);
  free(e->conf);
}

void prism_engine_descend(const prism_graph *g, const prism_solve_opts *o,
                          uint32_t stop_k, double t0, prism_solve_result *res) {
  engine E, *e = &E;
  memset(e, 0, sizeof E);
  prism_solve_opts local; /* several processes: this one's islands' seed */
  if (o->exchange) {
    local = *o;
    local.seed = o->exchange->engine_seed;
    o = &local;
  }
  e->g = g;
  e->o = o;
  e->res = res;
  e->p = o->params;
  e->t0 = t0;
  e->n = g->n;
  e->stop_k = stop_k;
  e->kmax = res->best_k - 1;
  e->stop.solved_id = PRISM_NONE;
  e->stop.target_k = stop_k;
  e->stop.deadline = o->time_limit > 0 ? t0 + o->time_limit : 0;
  char why[256] = "";
  engine_backend(e, why, sizeof why);
  engine_setup(e, why);
  engine_run(e, why);
  engine_finish(e);
}
