/* gpu1.h - the single-device CUDA engine (engine_gpu.cu) under the
 * multi-device layer (multi.cu). Same contract as the prism_cuda_engine_*
 * functions of cuda_backend.h, for the current device: the caller sets it
 * (cudaSetDevice) before every call. */
#ifndef PRISM_CUDA_GPU1_H
#define PRISM_CUDA_GPU1_H

#include "cuda/cuda_backend.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gpu1_engine gpu1_engine;

gpu1_engine *gpu1_create(const prism_graph *g, uint32_t replicas, uint32_t kmax,
                         uint32_t groups, char *err, unsigned err_len);
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

#ifdef __cplusplus
}
#endif
#endif
