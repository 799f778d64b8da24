/* cuda_backend.h - the C face of the CUDA engine (extern "C"). The build
 * compiles the .cu files of src/cuda with nvcc when it is found, else cuda_absent.c. */
#ifndef PRISM_CUDA_BACKEND_H
#define PRISM_CUDA_BACKEND_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdint.h>

#include "engine/replica.h"
#include "graph/graph.h"

/* 1 when a usable CUDA device is present; else 0 and a reason in why (on
 * success, why names the device). */
int prism_cuda_available(char *why, unsigned why_len);

/* CUDA devices (0 without). */
int prism_cuda_device_count(void);

/* Multiprocessors of device 0 (0 without a device). */
int prism_cuda_multiprocessors(void);

/* The devices of the engines created from now on: "all" (the default) or a
 * list "0,1,..." (a device may be listed twice: two engines on one device,
 * for tests). The groups (islands) are dealt to them in turn (multi.cu).
 * Returns 0, or -1 with a message in err (no such device, bad list). */
#define PRISM_CUDA_MAX_DEVICES 16
int prism_cuda_set_devices(const char *spec, char *err, unsigned err_len);

/* How many devices that list names now (0 without CUDA). */
int prism_cuda_devices_selected(void);

/* The GPU twin of prism_replica_run_batch for a whole population. The device
 * owns each replica's G and tabu tables; the host mirror (color, best_color,
 * energies, conflict set, conflicts, iteration counter, per-batch counters,
 * solved) is refreshed after every batch. Replicas with dirty != 0 are
 * uploaded first (see replica.h) and their flag cleared.
 *
 * The replicas are split into `groups` contiguous ranges (the engine's
 * islands); each group has its own RuntimeConfig, vertex weights, events and
 * triple buffers, and at most one batch in flight, so that the GPU runs one
 * group while the host works on another (docs/pipeline.md). */
typedef struct prism_cuda_engine prism_cuda_engine;

/* The streams: each group has its own, one per stage (so the groups of a
 * device run at the same time where their blocks fit), and the engine has
 * one per shared purpose. */
enum {
  PRISM_STREAM_UPLOAD,   /* per group: config, weights, replica scalars, dirty colorings */
  PRISM_STREAM_EXEC,     /* per group: the batch kernel and the telemetry reduction */
  PRISM_STREAM_DOWNLOAD, /* per group: results and the telemetry record */
  PRISM_STREAMS_GROUP,
  PRISM_STREAM_PEER = PRISM_STREAMS_GROUP, /* engine: transfers between GPUs (multi-GPU) */
  PRISM_STREAM_AUX,                        /* engine: clock calibration, auxiliary work */
  PRISM_STREAMS
};

prism_cuda_engine *prism_cuda_engine_create(const prism_graph *g, uint32_t replicas,
                                            uint32_t kmax, uint32_t groups, char *err,
                                            unsigned err_len);
/* The same, for a run whose vertex weights never exceed wmax (in [1,
 * PRISM_WMAX]; prism_cuda_engine_create takes PRISM_WMAX). G's entries are
 * at most max_degree x wmax, so a smaller bound gives 16-bit G (and the
 * incremental selection) to graphs of larger degree; a weight above it is
 * an error at upload. */
prism_cuda_engine *prism_cuda_engine_create_w(const prism_graph *g, uint32_t replicas,
                                              uint32_t kmax, uint32_t groups, int32_t wmax,
                                              char *err, unsigned err_len);
void prism_cuda_engine_destroy(prism_cuda_engine *ce);

/* Batches still running when prism_now() passes deadline (or the solve is
 * interrupted) stop within a few hundred iterations (0: none). */
void prism_cuda_engine_set_deadline(prism_cuda_engine *ce, double deadline);

/* Synchronous: publish cfg, launch replicas [0, replicas) as group 0, wait. */
void prism_cuda_engine_run_batch(prism_cuda_engine *ce, prism_replica *reps,
                                 uint32_t replicas, const prism_batch_cfg *cfg);

/* The asynchronous pipeline, per group:
 *  publish  the config for the group's next batch, into the group's pinned
 *           triple buffer; returns at once (the producer never blocks);
 *  launch   queue on the engine's streams, ordered by events: uploads (the
 *           newest published config, changed weights, replica scalars,
 *           dirty colorings) on the upload stream, the batch kernel and the
 *           telemetry reduction on the exec stream, the downloads and the
 *           telemetry record on the download stream; returns at once.
 *           reps is the group's first replica (replicas first..first+count-1);
 *  done     1 when the group's last launch has finished (an event query);
 *  wait     block until it has, then refresh the host mirror of reps and
 *           fill *tel (may be NULL); reps NULL drops the batch's results (the
 *           host copies stay as they were; k changes use this). */
typedef struct prism_cuda_telemetry {
  uint64_t seq; /* which published config the batch ran with (1, 2, ...) */
  uint64_t moves, metro_moves, tunnels, tunnel_aborts, conflicts_sum, ncv_sum;
  uint32_t best_conflicts, best_replica, solved, count;
  double kernel_ms;      /* the batch kernel, from events */
  double tel_latency_ms; /* kernel end -> record published to the host */
} prism_cuda_telemetry;

void prism_cuda_engine_publish(prism_cuda_engine *ce, uint32_t group,
                               const prism_batch_cfg *cfg);
void prism_cuda_engine_launch(prism_cuda_engine *ce, uint32_t group, prism_replica *reps,
                              uint32_t first, uint32_t count);
int prism_cuda_engine_done(prism_cuda_engine *ce, uint32_t group);

/* Finer status of the group's last launch, each an event query: */
typedef enum prism_cuda_stage {
  PRISM_CUDA_CONFIG_ON_DEVICE, /* its config (and uploads) have landed */
  PRISM_CUDA_KERNEL_DONE,      /* the batch kernel has finished */
  PRISM_CUDA_RESULTS_ON_HOST   /* results and telemetry are on the host (= done) */
} prism_cuda_stage;
int prism_cuda_engine_reached(prism_cuda_engine *ce, uint32_t group, prism_cuda_stage stage);
void prism_cuda_engine_wait(prism_cuda_engine *ce, uint32_t group, prism_replica *reps,
                            prism_cuda_telemetry *tel);

/* Elite migration between groups on the devices (docs/multigpu.md, "What
 * moves between devices"). Each group owns device-resident coloring slots on
 * its device, numbered from 0 by the caller and allocated on first use. The
 * host keeps doing all its bookkeeping (the host mirror still loads every
 * coloring); these calls only let the device take the bytes from a slot
 * instead of the host upload. They are called while the host processes a
 * group: after the wait for its last batch, before its next launch.
 *  set_peer_copy  1 (the default): copies between devices by peer copy where
 *                 cudaDeviceCanAccessPeer allows (a plain copy when both
 *                 groups share a device), else staged; 0: always staged
 *                 (the hooks move nothing, as before they existed);
 *  stash          slot := the device's best coloring of replica `replica`
 *                 of the group (index within the group), as of the group's
 *                 last batch; colors is the host mirror's copy of it (its
 *                 hash goes with the slot, to check loads against);
 *  stash_copy     dst_slot := src_slot, on the group's device;
 *  load_stash     replica `replica` of group (index within the group),
 *                 which the host has just loaded with the coloring that
 *                 slot src_slot of src_group holds (prism_replica_load*),
 *                 takes it on the device from that slot: its upload at the
 *                 group's next launch is skipped. Should the host load the
 *                 replica again before that launch, its colors no longer
 *                 hash to the slot's and the upload goes ahead as usual. */
void prism_cuda_engine_set_peer_copy(prism_cuda_engine *ce, int mode);
void prism_cuda_engine_stash(prism_cuda_engine *ce, uint32_t group, uint32_t slot,
                             uint32_t replica, const uint32_t *colors);
void prism_cuda_engine_stash_copy(prism_cuda_engine *ce, uint32_t group, uint32_t dst_slot,
                                  uint32_t src_slot);
void prism_cuda_engine_load_stash(prism_cuda_engine *ce, uint32_t group, uint32_t replica,
                                  uint32_t src_group, uint32_t src_slot);

/* A span of host work (prism_now() clock) for the timeline. */
void prism_cuda_engine_trace_host(prism_cuda_engine *ce, const char *name, uint32_t group,
                                  double t0, double t1);

/* What the timeline shows so far (every finished batch). */
typedef struct prism_cuda_pipeline_stats {
  uint64_t batches;
  double span_s;                  /* first kernel start to last kernel end */
  double kernel_s;                /* union of the kernel intervals */
  double busy;                    /* kernel_s / span_s */
  double gap_ms_mean, gap_ms_max; /* idle time between consecutive kernels */
  double cfg_device_ms_mean, cfg_device_ms_max; /* publish -> config on the device */
  double cfg_kernel_ms_mean,
      cfg_kernel_ms_max;          /* publish -> the kernel that reads it starts */
  double tel_ms_mean, tel_ms_max; /* kernel end -> telemetry on the host */
  double publish_us_mean;         /* one publish call */
} prism_cuda_pipeline_stats;
void prism_cuda_engine_pipeline_stats(const prism_cuda_engine *ce,
                                      prism_cuda_pipeline_stats *out);

/* The timeline as a Chrome trace (chrome://tracing, Perfetto): one row per
 * stream and one for the host. 0, or -1 with a message in err. */
int prism_cuda_engine_write_trace(const prism_cuda_engine *ce, const char *path,
                                  char *err, unsigned err_len);

/* What the engine chose for the last batch and how long it took (benchmarks,
 * tests). The placement can be capped with the environment variables
 * PRISM_CUDA_THREADS (32..512, a power of 2), PRISM_CUDA_SMEM (none, small,
 * G, all) and PRISM_CUDA_G16 (0 = 32-bit G always), read at create time;
 * docs/cuda.md describes them. */
typedef struct prism_cuda_stats {
  int threads;         /* threads per block; one block per replica */
  int smem_small;      /* colors, weights, belief, conflict list in shared memory */
  int smem_G;          /* the G table in shared memory */
  int smem_tabu;       /* the batch-relative tabu copy in shared memory */
  int g16;             /* G stored as 16-bit words */
  unsigned long long incr_batches; /* batches launched with the incremental selection */
  int devices;                     /* devices the groups are dealt to (multi.cu) */
  int peer_copy;                   /* elite migration: 1 device to device, 0 staged */
  /* colorings loaded by prism_cuda_engine_load_stash: copied between
   * devices (peer copy), on one device, staged through the host (the
   * upload), and device copies a later host load superseded (uploaded) */
  unsigned long long mig_peer, mig_device, mig_staged, mig_superseded;
  unsigned smem_bytes; /* dynamic shared memory per block */
  int blocks_per_sm;   /* resident blocks per multiprocessor */
  int sms;             /* multiprocessors */
  double kernel_ms;    /* last batch: the kernel alone */
  double batch_ms;     /* last batch: launch to wait's return */
} prism_cuda_stats;
void prism_cuda_engine_stats(const prism_cuda_engine *ce, prism_cuda_stats *out);

#ifdef __cplusplus
}
#endif

#endif
