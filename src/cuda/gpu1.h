/* gpu1.h - the single-device CUDA engine (engine_gpu.cu) under the
 * multi-device layer (multi.cu). Same contract as the prism_cuda_engine_*
 * functions of cuda_backend.h, for the current device: the caller sets it
 * (cudaSetDevice) before every call. */
#ifndef PRISM_CUDA_GPU1_H
#define PRISM_CUDA_GPU1_H

#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.cuh"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gpu1_engine gpu1_engine;

/* together: how many of the replicas run at the same time on this device
 * (those of the groups it runs; each group has its own streams); wmax: the
 * largest vertex weight the run uploads (prism_cuda_engine_create_w). */
gpu1_engine *gpu1_create(const prism_graph *g, uint32_t replicas, uint32_t kmax,
                         uint32_t groups, uint32_t together, int32_t wmax, char *err,
                         unsigned err_len);
void gpu1_destroy(gpu1_engine *ce);
void gpu1_set_deadline(gpu1_engine *ce, double deadline);
void gpu1_run_batch(gpu1_engine *ce, prism_replica *reps, uint32_t replicas,
                    const prism_batch_cfg *cfg);
void gpu1_publish(gpu1_engine *ce, uint32_t group, const prism_batch_cfg *cfg);
void gpu1_launch(gpu1_engine *ce, uint32_t group, prism_replica *reps, uint32_t first,
                 uint32_t count);
int gpu1_done(gpu1_engine *ce, uint32_t group);
int gpu1_reached(gpu1_engine *ce, uint32_t group, prism_cuda_stage stage);
void gpu1_wait(gpu1_engine *ce, uint32_t group, prism_replica *reps, prism_cuda_telemetry *tel);
void gpu1_trace_host(gpu1_engine *ce, const char *name, uint32_t group, double t0, double t1);
void gpu1_pipeline_stats(const gpu1_engine *ce, prism_cuda_pipeline_stats *out);
int gpu1_write_trace(const gpu1_engine *ce, const char *path, char *err, unsigned err_len);
void gpu1_stats(const gpu1_engine *ce, prism_cuda_stats *out);

/* What multi.cu's elite migration needs (prism_cuda_engine_stash and
 * friends). The replica i is an index within the group, whose range the
 * group's first launch set. */
/* 1 when the group has launched before and has nothing in flight (its
 * replicas' device tables hold its last batch's results). */
int gpu1_group_idle(const gpu1_engine *ce, uint32_t group);
/* The stream that migration copies run on (PRISM_STREAM_PEER). */
cudaStream_t gpu1_peer_stream(const gpu1_engine *ce);
/* Device pointers: replica i's coloring and best coloring (n words). */
uint32_t *gpu1_color_ptr(const gpu1_engine *ce, uint32_t group, uint32_t i);
uint32_t *gpu1_best_ptr(const gpu1_engine *ce, uint32_t group, uint32_t i);
/* Work on the peer stream touched the group's replica tables (read a best
 * coloring, wrote a coloring): the group's next launch waits for it (an
 * event recorded now, waited on by the upload stream). */
void gpu1_peer_touched(gpu1_engine *ce, uint32_t group);
/* Replica i's coloring and best coloring were written on the device (on
 * the peer stream, before gpu1_peer_touched) with a coloring of this
 * hash: at the next launch its upload is skipped when the host's colors
 * still hash to it, else uploaded (counted as superseded). */
void gpu1_preloaded(gpu1_engine *ce, uint32_t group, uint32_t i, uint64_t hash);

/* A coloring's hash (FNV-1a over the words, then a final mix). */
static inline uint64_t gpu1_colors_hash(const uint32_t *c, uint32_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint32_t v = 0; v < n; v++) h = (h ^ c[v]) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 33);
}

#ifdef __cplusplus
}
#endif
#endif
