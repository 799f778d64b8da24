/* kernel_compat.cuh - the two spots where kernel code and its launch differ
 * between nvcc and the CPU emulator of dev/cuda/emu (PRISM_EMU): the dynamic
 * shared-memory array and the <<<>>> launch. Everything else in the .cu
 * files is plain CUDA. */
#ifndef PRISM_CUDA_KERNEL_COMPAT_CUH
#define PRISM_CUDA_KERNEL_COMPAT_CUH

#ifdef PRISM_EMU
#include "emu/cuda_emu.h" /* dev/cuda/emu, on the emulator's include path */
#define PRISM_DYN_SMEM(name) unsigned char *name = emu_dyn_smem()
#define PRISM_LAUNCH(kern, grid, block, smem, stream, ...) \
  emu_launch((stream), (grid), (block), (smem), [=]() { kern(__VA_ARGS__); })
#else
#include <cuda_runtime.h>
#define PRISM_DYN_SMEM(name) extern __shared__ __align__(16) unsigned char name[]
#define PRISM_LAUNCH(kern, grid, block, smem, stream, ...) \
  kern<<<(grid), (block), (smem), (stream)>>>(__VA_ARGS__)
#endif

#endif
