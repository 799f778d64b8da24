/* engine_gpu.cu - the CUDA engine (being written; see issue 4). */
#include <stdio.h>

#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.cuh"

extern "C" prism_cuda_engine *prism_cuda_engine_create(const prism_graph *g,
                                                       uint32_t replicas, uint32_t kmax,
                                                       char *err, unsigned err_len) {
  snprintf(err, err_len, "the CUDA engine is not implemented yet");
  return NULL;
}

extern "C" void prism_cuda_engine_run_batch(prism_cuda_engine *ce, prism_replica *reps,
                                            uint32_t replicas, const prism_batch_cfg *cfg) {}

extern "C" void prism_cuda_engine_destroy(prism_cuda_engine *ce) {}
