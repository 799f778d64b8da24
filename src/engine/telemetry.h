/* telemetry.h - KernelTelemetry: one fixed-size record per batch, produced by
 * either backend, written as JSON Lines and read by the controllers.
 * docs/telemetry.md documents every field. */
#ifndef PRISM_ENGINE_TELEMETRY_H
#define PRISM_ENGINE_TELEMETRY_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prism_telemetry {
  uint64_t batch;            /* batch index since the start of the solve */
  uint32_t island;           /* which island (population) ran it */
  double elapsed_s;          /* seconds since the start of the solve */
  uint32_t k;                /* colors the replicas are searching with */
  uint32_t best_k;           /* best verified coloring so far */
  uint32_t best_conflicts;   /* fewest conflicting edges over replicas */
  double mean_conflicts;     /* mean conflicting edges over replicas */
  uint32_t colors_used;      /* nonempty classes in the best replica */
  uint32_t best_replica;     /* replica with the fewest conflicts */
  uint64_t moves;            /* moves applied in this batch, all replicas */
  uint64_t metro_moves;      /* of which Metropolis (random) moves */
  uint64_t tunneling_events; /* Kempe-chain interchanges applied */
  uint64_t tunneling_aborts; /* chains over the size cap, not applied */
  uint32_t phase_transition; /* 1 when a change point was detected now */
  uint32_t betti[3];         /* of the best replica's conflict graph */
  double reservoir_activity; /* mean reservoir level over vertices */
  double reservoir_max;      /* largest reservoir level */
  double swap_acceptance;    /* replica-exchange acceptance in this sweep */
  uint32_t swaps_tried;
  uint32_t recombinations;   /* GPX children made in this batch */
  uint32_t stagnation;       /* batches since best_conflicts improved */
  double batch_us;           /* wall time of the batch */
  uint32_t mode;             /* the mode most of the island's replicas ran (PRISM_MODE_*) */
  uint32_t partialcol_replicas; /* replicas that ran PartialCol in this batch */
  int64_t mode_conflicts[2]; /* fewest conflicts of a replica's best coloring of the
                                batch, per mode (TabuCol, PartialCol; -1: none ran it) */
  uint64_t restarts;         /* the island's restarts on convergence so far */
  uint64_t injections;       /* converged cells that took a far elite or pool member */
  uint32_t pool_size;        /* colorings in the island's diverse pool */
  uint32_t distance;         /* partition distance between the island's replicas */
  double temperature[2];     /* the island's ladder: coldest and hottest slot */
  uint32_t controlled;       /* 1: a controller ran after this batch (action, reward) */
  int32_t action;            /* the controller's action for the next batch (-1: none) */
  double reward;             /* reward the controller credited at this batch */
  double planner_us;         /* MBRL: host time of the planner in the controller step
                                after the previous batch (0: no plan) */
} prism_telemetry;

void prism_telemetry_write_json(const prism_telemetry *t, FILE *out);

/* The run record (first line of a telemetry file) and the end record (last
 * line): what the report's summary needs (docs/telemetry.md). */
typedef struct prism_telemetry_run {
  const char *graph;   /* path as given (may be NULL) */
  uint32_t n;
  uint64_t m;
  uint64_t seed;
  uint32_t lower_bound, dsatur_k, target_k;
  double time_limit;
  const char *backend; /* "cpu" or "cuda" */
  const char *device;  /* GPU name or "" */
  int threads;
  uint32_t replicas, islands;
  const char *controller;
} prism_telemetry_run;
void prism_telemetry_write_run(const prism_telemetry_run *r, FILE *out);
void prism_telemetry_write_end(uint32_t best_k, double seconds, uint64_t moves,
                               uint64_t batches, FILE *out);
/* A JSON string body (no quotes) with '"', '\\' and control characters escaped. */
void prism_json_write_string(const char *s, FILE *out);

/* Betti numbers of the conflict graph (vertices and edges in conflict):
 * b0 = components, b1 = E - V + b0, b2 = 0 (see docs/telemetry.md). */
void prism_telemetry_betti(uint32_t n, const uint64_t *offsets, const uint32_t *adj,
                           const uint32_t *color, const uint32_t *cv, uint32_t ncv,
                           uint32_t *scratch /* n */, uint32_t betti[3]);

/* Change-point detector over the best-conflict series: a two-window test. */
typedef struct prism_changepoint {
  double hist[64];
  uint32_t count;
  uint32_t cooldown;
} prism_changepoint;

/* Push one value; returns 1 when a change point is detected. */
int prism_changepoint_push(prism_changepoint *cp, double value);
void prism_changepoint_reset(prism_changepoint *cp);

#ifdef __cplusplus
}
#endif

#endif
