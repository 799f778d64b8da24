/* cuda_emu.h - a small CPU emulator of the CUDA subset that src/cuda uses, so
 * that the kernels run (slowly) on a machine without a GPU and can be checked
 * move for move against the CPU engine. Compiled with g++ -DPRISM_EMU; see
 * dev/cuda/emu/build.sh.
 *
 * Each block runs its threads as fibers (ucontext) on one OS thread. A fiber
 * runs until it reaches __syncthreads, __syncwarp or a shuffle, then the next
 * runs; a barrier opens when every live thread of the block (of the warp)
 * waits on it. Between barriers the threads run in a different order each
 * round (forward, backward, shuffled), so a read that needs a barrier it
 * lacks sees the other value sooner or later. A deadlock (threads of one
 * warp waiting at different kinds of barrier, or a barrier that can never
 * open) aborts with a message. Memory is plain host memory: an out-of-range
 * access shows up under AddressSanitizer (build.sh builds with it).
 *
 * Devices: EMU_DEVICES (default 1) of them, peers of one another unless
 * EMU_P2P=0; every allocation, stream and event belongs to the device
 * current at its creation, and the calls that must match check it (an event
 * recorded on another device's stream, a peer copy whose pointers are not on
 * the devices it names, a launch on another device's stream).
 *
 * Streams: by default every operation runs when it is enqueued (so streams
 * are in order and events complete when recorded). With EMU_ASYNC=N (>= 1)
 * each stream is a queue that runs only when something forces it: an event
 * query (which answers "not ready" half the time), a synchronization, a
 * cudaStreamWaitEvent's dependency, or at random after about one call in
 * N + 2 (larger N: streams lag further behind). That runs the
 * streams in varying orders against each other and against the host, so
 * that a missing event dependency shows up as a wrong result. */
#ifndef PRISM_CUDA_EMU_H
#define PRISM_CUDA_EMU_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <functional>

/* ---- qualifiers */
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __restrict__ __restrict

/* ---- built-in variables */
struct emu_dim3 {
  unsigned x, y, z;
};
struct dim3 {
  unsigned x, y, z;
  dim3(unsigned a = 1, unsigned b = 1, unsigned c = 1) : x(a), y(b), z(c) {}
};
extern emu_dim3 threadIdx, blockIdx, blockDim, gridDim;

/* ---- runtime types */
typedef int cudaError_t;
enum {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorNotReady = 600,
  cudaErrorPeerAccessAlreadyEnabled = 704
};
enum { cudaHostAllocDefault = 0, cudaHostAllocMapped = 2 };
enum cudaDeviceP2PAttr {
  cudaDevP2PAttrPerformanceRank = 1,
  cudaDevP2PAttrAccessSupported = 2,
  cudaDevP2PAttrNativeAtomicSupported = 3
};
enum { cudaStreamDefault = 0, cudaStreamNonBlocking = 1 };
#define CUDART_CB
typedef void (*cudaHostFn_t)(void *);
enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4
};
enum cudaFuncAttribute { cudaFuncAttributeMaxDynamicSharedMemorySize = 8 };
typedef struct emu_stream *cudaStream_t;
typedef struct emu_event *cudaEvent_t;

struct cudaDeviceProp {
  char name[256];
  int major, minor, multiProcessorCount, maxThreadsPerBlock, warpSize;
  size_t totalGlobalMem, sharedMemPerBlock, sharedMemPerBlockOptin, sharedMemPerMultiprocessor;
  int l2CacheSize;
  int pciDomainID, pciBusID, pciDeviceID;
};

const char *cudaGetErrorName(cudaError_t e);
const char *cudaGetErrorString(cudaError_t e);
cudaError_t cudaGetLastError(void);
cudaError_t cudaGetDeviceCount(int *count);
cudaError_t cudaGetDevice(int *dev);
cudaError_t cudaSetDevice(int dev);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int dev);
cudaError_t cudaMemGetInfo(size_t *free_b, size_t *total_b);
cudaError_t cudaMalloc(void **p, size_t bytes);
cudaError_t cudaFree(void *p);
cudaError_t cudaMallocHost(void **p, size_t bytes);
cudaError_t cudaFreeHost(void *p);
/* mapped host memory: the emulated device reads host memory directly */
cudaError_t cudaHostAlloc(void **p, size_t bytes, unsigned flags);
cudaError_t cudaHostGetDevicePointer(void **dev, void *host, unsigned flags);
/* EMU_DEVICES devices, all peers unless EMU_P2P=0 */
cudaError_t cudaDeviceCanAccessPeer(int *can, int dev, int peer);
cudaError_t cudaDeviceEnablePeerAccess(int peer, unsigned flags);
cudaError_t cudaDeviceGetP2PAttribute(int *value, cudaDeviceP2PAttr attr, int src, int dst);
cudaError_t cudaMemcpyPeerAsync(void *dst, int dst_dev, const void *src, int src_dev,
                                size_t bytes, cudaStream_t s = 0);
cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind,
                            cudaStream_t s = 0);
cudaError_t cudaMemset(void *p, int v, size_t bytes);
cudaError_t cudaMemsetAsync(void *p, int v, size_t bytes, cudaStream_t s = 0);
cudaError_t cudaStreamCreate(cudaStream_t *s);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned flags);
cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned flags = 0);
cudaError_t cudaEventQuery(cudaEvent_t e);
cudaError_t cudaLaunchHostFunc(cudaStream_t s, cudaHostFn_t fn, void *arg);
cudaError_t cudaStreamDestroy(cudaStream_t s);
cudaError_t cudaStreamSynchronize(cudaStream_t s);
cudaError_t cudaDeviceSynchronize(void);
cudaError_t cudaEventCreate(cudaEvent_t *e);
cudaError_t cudaEventDestroy(cudaEvent_t e);
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s = 0);
cudaError_t cudaEventSynchronize(cudaEvent_t e);
cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t a, cudaEvent_t b);
template <typename F>
cudaError_t cudaFuncSetAttribute(F, cudaFuncAttribute, int) {
  return cudaSuccess;
}
template <typename F>
cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *n, F, int, size_t) {
  *n = 1;
  return cudaSuccess;
}

/* ---- launch and barriers */
void emu_launch(cudaStream_t s, unsigned grid, unsigned block, size_t smem,
                std::function<void()> body);
unsigned char *emu_dyn_smem(void);
void emu_sync_block(void);
void emu_sync_warp(void);
uint64_t emu_shfl_xor(uint64_t v, int lane_mask);

static inline void __syncthreads(void) { emu_sync_block(); }
static inline void __syncwarp(unsigned mask = 0xFFFFFFFFu) {
  (void)mask;
  emu_sync_warp();
}
template <typename T>
static inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask) {
  (void)mask;
  static_assert(sizeof(T) <= 8, "shuffle of at most 8 bytes");
  uint64_t bits = 0;
  memcpy(&bits, &v, sizeof v);
  bits = emu_shfl_xor(bits, lane_mask);
  T out;
  memcpy(&out, &bits, sizeof out);
  return out;
}

/* the warp reductions of sm_80+ (redux.sync), by shuffles */
template <typename T>
static inline T emu_reduce(T v, int is_min) {
  for (int o = 16; o > 0; o >>= 1) {
    const T y = __shfl_xor_sync(0xFFFFFFFFu, v, o);
    v = is_min ? (y < v ? y : v) : (T)(v + y);
  }
  return v;
}
static inline int __reduce_min_sync(unsigned mask, int v) { return (void)mask, emu_reduce(v, 1); }
static inline unsigned __reduce_min_sync(unsigned mask, unsigned v) {
  return (void)mask, emu_reduce(v, 1);
}
static inline unsigned __reduce_add_sync(unsigned mask, unsigned v) {
  return (void)mask, emu_reduce(v, 0);
}

static inline int __ffs(int x) { return __builtin_ffs(x); }

long long clock64(void); /* nanoseconds: the emulator has no SM clock */

/* ---- atomics: fibers never interleave inside one, so plain code is atomic */
template <typename T>
static inline T atomicAdd(T *p, T v) {
  T old = *p;
  *p = (T)(old + v);
  return old;
}
template <typename T>
static inline T atomicSub(T *p, T v) {
  T old = *p;
  *p = (T)(old - v);
  return old;
}
template <typename T>
static inline T atomicExch(T *p, T v) {
  T old = *p;
  *p = v;
  return old;
}
template <typename T>
static inline T atomicCAS(T *p, T cmp, T v) {
  T old = *p;
  if (old == cmp) *p = v;
  return old;
}
template <typename T>
static inline T atomicMin(T *p, T v) {
  T old = *p;
  if (v < old) *p = v;
  return old;
}

#endif
