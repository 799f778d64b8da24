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

/* What the engine chose for the last batch and how long it took (benchmarks,
 * tests). The placement can be capped with the environment variables
 * PRISM_CUDA_THREADS (32..512, a power of 2), PRISM_CUDA_SMEM (none, small,
 * G, all) and PRISM_CUDA_G16 (0 = 32-bit G always), read at create time;
 * docs/cuda.md describes them. */
typedef struct prism_cuda_stats {
  int threads;       /* threads per block; one block per replica */
  int smem_small;    /* colors, weights, belief, conflict list in shared memory */
  int smem_G;        /* the G table in shared memory */
  int smem_tabu;     /* the batch-relative tabu copy in shared memory */
  int g16;           /* G stored as 16-bit words */
  unsigned smem_bytes; /* dynamic shared memory per block */
  int blocks_per_sm; /* resident blocks per multiprocessor */
  int sms;           /* multiprocessors */
  double kernel_ms;  /* last batch: the kernel alone */
  double batch_ms;   /* last batch: the whole call with the copies */
} prism_cuda_stats;
void prism_cuda_engine_stats(const prism_cuda_engine *ce, prism_cuda_stats *out);

#ifdef __cplusplus
}
#endif

#endif
