/* engine_internal.h - the engine's and the islands' state, shared by
 * engine.c (the loop, threads, backends), island.c (population moves) and
 * schedule.c (k and first colorings). Not a public header. */
#ifndef PRISM_ENGINE_INTERNAL_H
#define PRISM_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdio.h>

#include "control/controller.h"
#include "cuda/cuda_backend.h"
#include "engine/engine.h"
#include "engine/ladder.h"
#include "engine/pool.h"
#include "engine/progress.h"
#include "engine/replica.h"
#include "engine/telemetry.h"

/* A cell: a HEAD-like sub-population of an island (cell.c), replicas
 * first .. first + R - 1 of the island, with its own GPX ring, elites,
 * convergence and restarts. An island is one cell unless cell_size says
 * otherwise. */
typedef struct cell {
  uint32_t first, R;
  uint32_t *elite1, *elite2; /* this cycle's best, the previous cycle's */
  int64_t elite1_energy, elite2_energy;
  int have_elite1, have_elite2;
  uint32_t gen_best; /* fewest conflicts of a generation's coloring since the
                        cell's last start */
  uint32_t stall;    /* generations since gen_best improved */
  uint32_t distance; /* the farthest pair of ring neighbours (partition distance) */
} cell;

/* One island: a population with its own k, search mode, ladder,
 * cells (recombination rings with elites), reservoir and pool. Islands are processed in
 * turn (island b % I after batch b); on the CPU every island's batch of a
 * round runs at once, on the GPU the next islands' batches stay queued while
 * the host works on one (docs/pipeline.md). Elites migrate around the ring
 * of islands at re-injection. */
typedef struct island {
  uint32_t index, first, R; /* replicas first .. first + R - 1 */
  uint32_t k;               /* colors this island searches with */
  int policy;               /* PRISM_MODE_TABUCOL, _PARTIALCOL or PRISM_MODE_ADAPTIVE */
  int major;                /* adaptive: the mode most replicas run */
  int32_t votes[16];        /* adaptive: last comparisons, +1 PartialCol won, -1 TabuCol */
  uint32_t nvotes;
  uint64_t generations;     /* generations run (all k) */
  int fresh;                /* the last generation started from new colorings */
  int hard;                 /* a k took long: later k start from new colorings */
  prism_replica *rep;       /* e->rep + first */
  prism_batch_cfg cfg;
  int32_t *omega;
  double *reservoir;
  uint32_t *metro;       /* R slots x PRISM_METRO_LEVELS */
  uint32_t *rep_of_slot; /* ladder: which replica (island index) holds slot s */
  cell *cell;            /* C cells */
  uint32_t C;
  uint32_t *cell_of;     /* per replica (island index): its cell */
  uint8_t *reload;       /* per replica: takes a new coloring in this generation */
  uint32_t *parent;      /* per replica: its GPX parents (island indices), 2 each */
  prism_pool pool;
  uint64_t ibatch, batches_at_k, recomb_rounds, swap_sweeps, restarts, starts, diversified;
  uint32_t best_conflicts_at_k, stagnation, distance;
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
  uint32_t n, R, kmax, stop_k, I;
  prism_replica *rep;
  island *isl;
  island **isl_of; /* per replica: its island */
  prism_ladder ladder; /* params.ladder = 1: one ladder over all islands (ladder.c) */
  island *cur;                          /* the island the worker threads work on (NULL: all) */
  int some; /* fresh_share: only the island's replicas with reload set */
  void (*job)(struct engine *e, int t); /* what the worker threads run */
  uint32_t *scratch, *tmp_colors, *children;
  int64_t *conf; /* per replica of an island: its best coloring's conflicts (island.c) */
  uint32_t *tscratch; /* per thread: GPX and dissolve scratch */
  size_t tscratch_len;
  uint64_t batch;
  FILE *telemetry;
  prism_progress progress; /* status lines on stderr */
  uint64_t total_moves;
  prism_batch_stop stop;   /* CPU: early exit inside batches */
  prism_cuda_engine *cuda; /* non-NULL: batches run on the GPU */
  int pipelined;           /* CUDA: islands stay queued */
  prism_controller *ctl;   /* non-NULL: learned control each batch */
  double ctl_s;            /* host time in controller steps */
  uint64_t ctl_steps;
  double planner_us;       /* MBRL: the planner's time in the last controller step */
  /* threads */
  int threads;
  pthread_t *tids;
  pthread_barrier_t start, done;
  int quit;
} engine;

/* engine.c */
void prism_engine_threads_run(engine *e, island *is, void (*job)(engine *, int));
void prism_engine_build_cfg(engine *e, island *is);
double prism_engine_slot_temperature(const engine *e, const island *is, uint32_t s);
void prism_engine_rep_load(const engine *e, prism_replica *r, const prism_batch_cfg *c,
                           const uint32_t *colors, uint32_t k);
void prism_engine_rep_rebuild(const engine *e, prism_replica *r, const prism_batch_cfg *c);
/* Elite migration on the CUDA backend (no-ops on the CPU): device slots of
 * an island that mirror its elite colorings, so that a replica loading a
 * migrating elite takes it device to device (prism_cuda_engine_stash and
 * friends, cuda_backend.h; docs/multigpu.md). Called next to the host's own
 * bookkeeping, which stays as it is:
 *  elite_stash  after slot's host coloring := replica i's best_color;
 *  elite_copy   after dst's host coloring := src's;
 *  elite_load   after replica i was loaded (prism_engine_rep_load) with
 *               the host coloring of donor's slot. */
enum { PRISM_SLOT_ELITE1, PRISM_SLOT_ELITE2 };
void prism_engine_elite_stash(const engine *e, const island *is, uint32_t slot, uint32_t i);
void prism_engine_elite_copy(const engine *e, const island *is, uint32_t dst, uint32_t src);
void prism_engine_elite_load(const engine *e, const island *is, uint32_t i,
                             const island *donor, uint32_t slot);
/* Per-thread scratch of thread t (tscratch_len words). */
static inline uint32_t *prism_engine_tscratch(engine *e, int t) {
  return e->tscratch + (size_t)t * e->tscratch_len;
}

/* island.c: the population moves after an island's batch */
void prism_island_exchange(engine *e, island *is, prism_telemetry *t);
int prism_island_update_reservoir(engine *e, island *is, prism_telemetry *t);
/* After a generation: the modes' results compared, and each replica's mode
 * for the next one (adaptive policy); fills t's per-mode conflicts. */
void prism_island_modes(engine *e, island *is, prism_telemetry *t);
/* The mode replica i of the island runs in the island's next generation. */
int prism_island_mode_of(const engine *e, const island *is, uint32_t i);
/* The belief of every TabuCol replica: aligned to its cell's elite. */
void prism_island_belief(engine *e, island *is);

/* cell.c: the memetic step of every cell after a generation at the
 * island's k: a converged cell (restart_distance, stall_generations) takes
 * a far elite or pool member into its worse replica, or restarts from new
 * colorings; the others recombine when recomb_due (GPX around the cell's
 * ring, elites, re-injection from the next cell). */
void prism_cells_create(engine *e, island *is);
void prism_cells_free(island *is);
/* Every cell starts afresh (no elites, no stall). */
void prism_cells_reset(engine *e, island *is);
/* After a generation: each cell's best result and stall (conflicts[i]:
 * replica i's best coloring's conflicts). */
void prism_cells_note(engine *e, island *is, const int64_t *conflicts);
void prism_cells_generation(engine *e, island *is, prism_telemetry *t, int recomb_due);

/* migrate.c: with o->exchange, after island is's batch at the end of every
 * params.migrate_rounds-th round: the exchange with the other processes
 * (engine/exchange.h). Returns 1 when the solve is over everywhere. */
int prism_engine_migrate(engine *e, island *is);

/* schedule.c: k and first colorings */
/* Every replica of the island at k: from random (or DSATUR-derived)
 * colorings; the island's elites, pool and counters start afresh. */
void prism_schedule_fresh(engine *e, island *is, uint32_t k);
/* The replicas of the island with is->reload[i] from new random (or
 * DSATUR-derived) colorings at the island's k (a cell's restart). */
void prism_schedule_fresh_some(engine *e, island *is);
/* Every replica of the island at k < is->k, from its own best coloring
 * with classes dissolved. */
void prism_schedule_descend(engine *e, island *is, uint32_t k);
/* The k an island takes at the start and after a better coloring. */
uint32_t prism_schedule_next_k(const engine *e, const island *is);
/* Resume: every replica of the island at k from a coloring of the solve's
 * start_pop (of the same island index, modulo the stored islands), with
 * classes dissolved down to k. */
void prism_schedule_resume(engine *e, island *is, uint32_t k);

/* population.c: the replicas' colorings handed to o->on_population (a
 * checkpoint), after a batch and with final = 1 at the end; no-op without
 * the callback. */
void prism_engine_population(engine *e, int final);

#endif
