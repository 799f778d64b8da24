/* cuda_check.cuh - CHECK_CUDA: fail fast with file and line. */
#ifndef PRISM_CUDA_CHECK_CUH
#define PRISM_CUDA_CHECK_CUH

#ifdef PRISM_EMU
#include "emu/cuda_emu.h" /* CPU emulator, dev/cuda/emu */
#else
#include <cuda_runtime.h>
#endif
#include <stdio.h>
#include <stdlib.h>

#define CHECK_CUDA(call)                                                    \
  do {                                                                      \
    cudaError_t prism_err_ = (call);                                        \
    if (prism_err_ != cudaSuccess) {                                        \
      fprintf(stderr, "prism: %s:%d: CUDA error %s: %s (in %s)\n", __FILE__, \
              __LINE__, cudaGetErrorName(prism_err_),                       \
              cudaGetErrorString(prism_err_), #call);                       \
      exit(1);                                                              \
    }                                                                       \
  } while (0)

/* After a kernel launch: launch errors now, execution errors at next sync. */
#define CHECK_CUDA_LAUNCH() CHECK_CUDA(cudaGetLastError())

#endif
