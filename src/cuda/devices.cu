/* devices.cu - `prism devices`: the device matrix (devices.h). Every CUDA
 * call is checked (CHECK_CUDA) except the two whose failure is an answer:
 * the device count (no device) and enabling peer access (already enabled,
 * or refused: then the copy is staged by the runtime). */
#include <stdio.h>

#include "cuda/cuda_check.cuh"
#include "cuda/devices.h"

#define REPS 5 /* timed copies per measurement, after one warm-up copy */

/* Seconds of REPS copies from src to dst on device dev's stream s. */
typedef enum { COPY_H2D, COPY_D2H, COPY_PEER } copy_kind;

static double time_copies(int dev, copy_kind kind, void *dst, int dst_dev, const void *src,
                          int src_dev, size_t bytes) {
  CHECK_CUDA(cudaSetDevice(dev));
  cudaStream_t s;
  cudaEvent_t a, b;
  CHECK_CUDA(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  CHECK_CUDA(cudaEventCreate(&a));
  CHECK_CUDA(cudaEventCreate(&b));
  for (int r = 0; r <= REPS; r++) {
    if (r == 1) CHECK_CUDA(cudaEventRecord(a, s)); /* copy 0 warms up */
    if (kind == COPY_PEER)
      CHECK_CUDA(cudaMemcpyPeerAsync(dst, dst_dev, src, src_dev, bytes, s));
    else
      CHECK_CUDA(cudaMemcpyAsync(dst, src, bytes,
                                 kind == COPY_H2D ? cudaMemcpyHostToDevice
                                                  : cudaMemcpyDeviceToHost,
                                 s));
  }
  CHECK_CUDA(cudaEventRecord(b, s));
  CHECK_CUDA(cudaEventSynchronize(b));
  float ms = 0;
  CHECK_CUDA(cudaEventElapsedTime(&ms, a, b));
  CHECK_CUDA(cudaEventDestroy(a));
  CHECK_CUDA(cudaEventDestroy(b));
  CHECK_CUDA(cudaStreamDestroy(s));
  return ms / 1e3;
}

static double gbps(size_t bytes, double seconds) {
  return seconds > 0 ? (double)bytes * REPS / seconds / 1e9 : 0;
}

static void print_device(FILE *f, int d, size_t bytes) {
  cudaDeviceProp p;
  CHECK_CUDA(cudaGetDeviceProperties(&p, d));
  CHECK_CUDA(cudaSetDevice(d));
  void *host, *dev;
  CHECK_CUDA(cudaMallocHost(&host, bytes));
  CHECK_CUDA(cudaMalloc(&dev, bytes));
  CHECK_CUDA(cudaMemset(dev, 1, bytes));
  const double h2d = gbps(bytes, time_copies(d, COPY_H2D, dev, d, host, -1, bytes));
  const double d2h = gbps(bytes, time_copies(d, COPY_D2H, host, -1, dev, d, bytes));
  CHECK_CUDA(cudaFree(dev));
  CHECK_CUDA(cudaFreeHost(host));
  fprintf(f,
          "device %d: %s, sm_%d%d, %d SMs, %.1f GiB, pci %04x:%02x:%02x; pinned host->device "
          "%.1f GB/s, device->host %.1f GB/s\n",
          d, p.name, p.major, p.minor, p.multiProcessorCount,
          (double)p.totalGlobalMem / (1024.0 * 1024.0 * 1024.0), p.pciDomainID, p.pciBusID,
          p.pciDeviceID, h2d, d2h);
}

/* 1 when src can now reach dst directly (peer access enabled). */
static int enable_peer(int src, int dst) {
  int can = 0;
  CHECK_CUDA(cudaDeviceCanAccessPeer(&can, src, dst));
  if (!can) return 0;
  CHECK_CUDA(cudaSetDevice(src));
  cudaError_t err = cudaDeviceEnablePeerAccess(dst, 0);
  if (err == cudaErrorPeerAccessAlreadyEnabled) {
    cudaGetLastError(); /* not an error here: clear it */
    return 1;
  }
  CHECK_CUDA(err);
  return 1;
}

static void print_pair(FILE *f, int i, int j, size_t bytes) {
  int can = 0, access = 0, atomics = 0, rank = 0;
  CHECK_CUDA(cudaDeviceCanAccessPeer(&can, i, j));
  CHECK_CUDA(cudaDeviceGetP2PAttribute(&access, cudaDevP2PAttrAccessSupported, i, j));
  CHECK_CUDA(cudaDeviceGetP2PAttribute(&atomics, cudaDevP2PAttrNativeAtomicSupported, i, j));
  CHECK_CUDA(cudaDeviceGetP2PAttribute(&rank, cudaDevP2PAttrPerformanceRank, i, j));
  const int direct = enable_peer(i, j);
  void *src, *dst;
  CHECK_CUDA(cudaSetDevice(i));
  CHECK_CUDA(cudaMalloc(&src, bytes));
  CHECK_CUDA(cudaMemset(src, 1, bytes));
  CHECK_CUDA(cudaSetDevice(j));
  CHECK_CUDA(cudaMalloc(&dst, bytes));
  const double bw = gbps(bytes, time_copies(i, COPY_PEER, dst, j, src, i, bytes));
  CHECK_CUDA(cudaSetDevice(i));
  CHECK_CUDA(cudaFree(src));
  CHECK_CUDA(cudaSetDevice(j));
  CHECK_CUDA(cudaFree(dst));
  fprintf(f, "peer %d -> %d: can_access %s, access_supported %d, native_atomics %d, "
             "performance_rank %d; cudaMemcpyPeer %s %.1f GB/s\n",
          i, j, can ? "yes" : "no", access, atomics, rank,
          direct ? "direct" : "staged by the runtime", bw);
}

extern "C" int prism_cuda_devices_print(FILE *f, size_t bytes) {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess || count == 0) {
    fprintf(f, "no CUDA device: %s\n",
            err != cudaSuccess ? cudaGetErrorString(err) : "the runtime found none");
    cudaGetLastError();
    return 0;
  }
  bytes = bytes < 4096 ? 4096 : bytes / 4096 * 4096;
  fprintf(f, "%d CUDA device%s; copies of %.0f MiB, %d timed after one warm-up\n", count,
          count > 1 ? "s" : "", (double)bytes / (1024.0 * 1024.0), REPS);
  for (int d = 0; d < count; d++) print_device(f, d, bytes);
  for (int i = 0; i < count; i++)
    for (int j = 0; j < count; j++)
      if (i != j) print_pair(f, i, j, bytes);
  if (count == 1) fprintf(f, "no device pairs (one device)\n");
  return count;
}
