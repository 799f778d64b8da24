/* device.cu - run-time device discovery for the CUDA backend. */
#include <stdio.h>

#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.cuh"

extern "C" int prism_cuda_available(char *why, unsigned why_len) {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    snprintf(why, why_len, "no usable CUDA device (%s)", cudaGetErrorString(err));
    cudaGetLastError(); /* clear the sticky error state of the runtime */
    return 0;
  }
  if (count == 0) {
    snprintf(why, why_len, "no CUDA device found");
    return 0;
  }
  cudaDeviceProp prop;
  CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
  snprintf(why, why_len, "%s (sm_%d%d, %d SMs, %.1f GiB)", prop.name, prop.major,
           prop.minor, prop.multiProcessorCount,
           (double)prop.totalGlobalMem / (1024.0 * 1024.0 * 1024.0));
  return 1;
}

extern "C" int prism_cuda_device_count(void) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

extern "C" int prism_cuda_multiprocessors(void) {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();
    return 0;
  }
  cudaDeviceProp prop;
  CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
  return prop.multiProcessorCount;
}
