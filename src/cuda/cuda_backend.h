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

/* The GPU twin of prism_replica_run_batch for a whole population. The device
 * owns each replica's G and tabu tables; the host mirror (color, best_color,
 * energies, conflict set, iteration counter, per-batch counters, solved) is
 * refreshed after every batch. Replicas with dirty != 0 are uploaded first
 * (see replica.h) and their flag cleared. */
typedef struct prism_cuda_engine prism_cuda_engine;

prism_cuda_engine *prism_cuda_engine_create(const prism_graph *g, uint32_t replicas,
                                            uint32_t kmax, char *err, unsigned err_len);
void prism_cuda_engine_run_batch(prism_cuda_engine *ce, prism_replica *reps,
                                 uint32_t replicas, const prism_batch_cfg *cfg);
void prism_cuda_engine_destroy(prism_cuda_engine *ce);

#ifdef __cplusplus
}
#endif

#endif
