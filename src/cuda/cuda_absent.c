/* cuda_absent.c - the CUDA backend when the build found no nvcc: every entry
 * point reports that CUDA is not compiled in. */
#include "cuda/cuda_backend.h"

#include <stdio.h>
#include <string.h>

int prism_cuda_available(char *why, unsigned why_len) {
  snprintf(why, why_len, "this prism was built without CUDA (no nvcc at build time)");
  return 0;
}

prism_cuda_engine *prism_cuda_engine_create(const prism_graph *g, uint32_t replicas,
                                            uint32_t kmax, char *err, unsigned err_len) {
  snprintf(err, err_len, "this prism was built without CUDA (no nvcc at build time)");
  return NULL;
}

void prism_cuda_engine_run_batch(prism_cuda_engine *ce, prism_replica *reps,
                                 uint32_t replicas, const prism_batch_cfg *cfg) {}

void prism_cuda_engine_destroy(prism_cuda_engine *ce) {}

void prism_cuda_engine_stats(const prism_cuda_engine *ce, prism_cuda_stats *out) {
  memset(out, 0, sizeof *out);
}
