/* cuda_emu.cc - the fiber scheduler and runtime of cuda_emu.h. */
#include "cuda_emu.h"

#pragma GCC diagnostic ignored "-Wclobbered" /* setjmp in run_fiber: nothing live across it */

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>

#include <algorithm>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMU_ASAN 1
#endif
#endif
#ifdef EMU_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

emu_dim3 threadIdx, blockIdx, blockDim, gridDim;

namespace {

enum { F_READY, F_BLOCK_BAR, F_WARP_BAR, F_SHFL, F_DONE };

const size_t STACK = 128 * 1024;

struct fiber {
  ucontext_t ctx; /* to enter the fiber the first time */
  jmp_buf jb;     /* every switch after that (no signal-mask system call) */
  int started;
  int state;
  uint64_t val;
  int mask;
  char *stack;
  void *fake; /* ASan fake stack */
};

std::vector<fiber> fibers;
ucontext_t sched_ctx;
jmp_buf sched_jb;
int cur = -1;
unsigned char *dyn_smem;
std::function<void()> *body;
uint64_t rng = 0x9E3779B97F4A7C15ull;
#ifdef EMU_ASAN
const void *main_bottom;
size_t main_size;
void *sched_fake;
#endif

uint64_t next_rand() {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

[[noreturn]] void fail(const char *what) {
  fprintf(stderr, "cuda_emu: block %u: %s\n", blockIdx.x, what);
  abort();
}

__attribute__((noinline)) void to_sched() {
  fiber &f = fibers[(size_t)cur];
#ifdef EMU_ASAN
  __sanitizer_start_switch_fiber(&f.fake, main_bottom, main_size);
#endif
  if (!_setjmp(f.jb)) _longjmp(sched_jb, 1);
#ifdef EMU_ASAN
  __sanitizer_finish_switch_fiber(f.fake, NULL, NULL);
#endif
}

void fiber_main() {
#ifdef EMU_ASAN
  __sanitizer_finish_switch_fiber(NULL, &main_bottom, &main_size);
#endif
  (*body)();
  fibers[(size_t)cur].state = F_DONE;
#ifdef EMU_ASAN
  __sanitizer_start_switch_fiber(NULL, main_bottom, main_size);
#endif
  _longjmp(sched_jb, 1);
}

__attribute__((noinline)) void run_fiber(int t) {
  fiber &f = fibers[(size_t)t];
  cur = t;
  threadIdx.x = (unsigned)t;
  threadIdx.y = threadIdx.z = 0;
#ifdef EMU_ASAN
  __sanitizer_start_switch_fiber(&sched_fake, f.stack, STACK);
#endif
  if (!_setjmp(sched_jb)) {
    if (!f.started) {
      f.started = 1;
      swapcontext(&sched_ctx, &f.ctx);
    } else {
      _longjmp(f.jb, 1);
    }
  }
#ifdef EMU_ASAN
  __sanitizer_finish_switch_fiber(sched_fake, NULL, NULL);
#endif
  cur = -1;
}

void run_block(unsigned T) {
  std::vector<int> order(T);
  for (unsigned t = 0; t < T; t++) {
    fiber &f = fibers[t];
    f.state = F_READY;
    f.started = 0;
    f.fake = NULL;
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = f.stack;
    f.ctx.uc_stack.ss_size = STACK;
    f.ctx.uc_link = NULL;
    makecontext(&f.ctx, fiber_main, 0);
    order[t] = (int)t;
  }
  for (uint64_t round = 0;; round++) {
    /* run every ready thread up to its next barrier, in a varying order */
    switch (round % 3) {
      case 0: std::sort(order.begin(), order.end()); break;
      case 1: std::sort(order.begin(), order.end(), [](int a, int b) { return a > b; }); break;
      default:
        for (unsigned i = T - 1; i > 0; i--) std::swap(order[i], order[next_rand() % (i + 1)]);
    }
    for (int t : order)
      if (fibers[(size_t)t].state == F_READY) run_fiber(t);
    int live = 0, at_block = 0;
    for (unsigned t = 0; t < T; t++) {
      live += fibers[t].state != F_DONE;
      at_block += fibers[t].state == F_BLOCK_BAR;
    }
    if (!live) return;
    int progress = 0;
    for (unsigned w = 0; w * 32 < T; w++) {
      unsigned lo = w * 32, hi = std::min(T, lo + 32);
      int shfl = 0, wbar = 0, bbar = 0, done = 0;
      for (unsigned t = lo; t < hi; t++) {
        int s = fibers[t].state;
        shfl += s == F_SHFL;
        wbar += s == F_WARP_BAR;
        bbar += s == F_BLOCK_BAR;
        done += s == F_DONE;
      }
      if (!shfl && !wbar) continue;
      if (shfl && (wbar || bbar || done)) fail("a shuffle that not every lane of the warp reached");
      if (wbar && (shfl || bbar)) fail("__syncwarp with lanes waiting elsewhere");
      if (shfl) {
        if (hi - lo != 32) fail("shuffle in a partial warp");
        uint64_t v[32];
        for (unsigned t = lo; t < hi; t++) v[t - lo] = fibers[t].val;
        for (unsigned t = lo; t < hi; t++) {
          int m = fibers[t].mask;
          if (m != fibers[lo].mask) fail("lanes shuffle with different masks");
          fibers[t].val = v[(t - lo) ^ (unsigned)m];
          fibers[t].state = F_READY;
        }
      } else {
        for (unsigned t = lo; t < hi; t++)
          if (fibers[t].state == F_WARP_BAR) fibers[t].state = F_READY;
      }
      progress = 1;
    }
    if (progress) continue;
    if (at_block == live) {
      for (unsigned t = 0; t < T; t++)
        if (fibers[t].state == F_BLOCK_BAR) fibers[t].state = F_READY;
      continue;
    }
    fail("deadlock: no barrier can open");
  }
}


double now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

}  // namespace

struct emu_stream {
  int unused;
};
struct emu_event {
  double ms;
};

unsigned char *emu_dyn_smem(void) { return dyn_smem; }

long long clock64(void) { return (long long)(now_ms() * 1e6); }

void emu_sync_block(void) {
  fibers[(size_t)cur].state = F_BLOCK_BAR;
  to_sched();
}

void emu_sync_warp(void) {
  fibers[(size_t)cur].state = F_WARP_BAR;
  to_sched();
}

uint64_t emu_shfl_xor(uint64_t v, int lane_mask) {
  fiber &f = fibers[(size_t)cur];
  f.state = F_SHFL;
  f.val = v;
  f.mask = lane_mask & 31;
  to_sched();
  return fibers[(size_t)cur].val;
}

void emu_launch(unsigned grid, unsigned block, size_t smem, std::function<void()> fn) {
  if (block == 0 || block > 1024 || grid == 0) fail("bad launch configuration");
  if (fibers.size() < block) {
    size_t old = fibers.size();
    fibers.resize(block);
    for (size_t t = old; t < block; t++) fibers[t].stack = (char *)malloc(STACK);
  }
  body = &fn;
  gridDim.x = grid;
  gridDim.y = gridDim.z = 1;
  blockDim.x = block;
  blockDim.y = blockDim.z = 1;
  for (unsigned b = 0; b < grid; b++) {
    blockIdx.x = b;
    blockIdx.y = blockIdx.z = 0;
    /* garbage, as on a GPU: a kernel that reads shared memory it did not
     * write gets nonsense */
    dyn_smem = (unsigned char *)malloc(smem ? smem : 1);
    memset(dyn_smem, 0xA5, smem);
    run_block(block);
    free(dyn_smem);
    dyn_smem = NULL;
  }
  body = NULL;
}

/* ---- runtime */

const char *cudaGetErrorName(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
  }
  return "cudaErrorUnknown";
}
const char *cudaGetErrorString(cudaError_t e) { return cudaGetErrorName(e); }
cudaError_t cudaGetLastError(void) { return cudaSuccess; }
cudaError_t cudaGetDeviceCount(int *count) {
  *count = 1;
  return cudaSuccess;
}
cudaError_t cudaGetDevice(int *dev) {
  *dev = 0;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int) { return cudaSuccess; }
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *p, int) {
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "cuda_emu (CPU emulation of an H100)");
  p->major = 9;
  p->minor = 0;
  p->multiProcessorCount = 132;
  p->maxThreadsPerBlock = 1024;
  p->warpSize = 32;
  p->totalGlobalMem = (size_t)16 << 30;
  p->sharedMemPerBlock = 48 * 1024;
  const char *s = getenv("EMU_SMEM_OPTIN"); /* to test the global-memory paths */
  p->sharedMemPerBlockOptin = s && *s ? (size_t)atol(s) : 232448;
  p->sharedMemPerMultiprocessor = 233472;
  p->l2CacheSize = 50 << 20;
  return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t *free_b, size_t *total_b) {
  *free_b = (size_t)15 << 30;
  *total_b = (size_t)16 << 30;
  return cudaSuccess;
}
cudaError_t cudaMalloc(void **p, size_t bytes) {
  *p = malloc(bytes ? bytes : 1);
  if (!*p) return cudaErrorMemoryAllocation;
  memset(*p, 0xCD, bytes); /* device memory starts as garbage */
  return cudaSuccess;
}
cudaError_t cudaFree(void *p) {
  free(p);
  return cudaSuccess;
}
cudaError_t cudaMallocHost(void **p, size_t bytes) { return cudaMalloc(p, bytes); }
cudaError_t cudaFreeHost(void *p) { return cudaFree(p); }
cudaError_t cudaHostAlloc(void **p, size_t bytes, unsigned) { return cudaMalloc(p, bytes); }
cudaError_t cudaHostGetDevicePointer(void **dev, void *host, unsigned) {
  *dev = host;
  return cudaSuccess;
}
cudaError_t cudaDeviceCanAccessPeer(int *can, int, int) {
  *can = 0;
  return cudaSuccess;
}
cudaError_t cudaDeviceEnablePeerAccess(int, unsigned) { return cudaErrorInvalidValue; }
cudaError_t cudaDeviceGetP2PAttribute(int *value, cudaDeviceP2PAttr, int, int) {
  *value = 0;
  return cudaSuccess;
}
cudaError_t cudaMemcpyPeerAsync(void *dst, int, const void *src, int, size_t bytes,
                                cudaStream_t s) {
  return cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, s);
}
cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind) {
  memmove(dst, src, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind k,
                            cudaStream_t) {
  return cudaMemcpy(dst, src, bytes, k);
}
cudaError_t cudaMemset(void *p, int v, size_t bytes) {
  memset(p, v, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemsetAsync(void *p, int v, size_t bytes, cudaStream_t) {
  return cudaMemset(p, v, bytes);
}
cudaError_t cudaStreamCreate(cudaStream_t *s) {
  *s = new emu_stream();
  return cudaSuccess;
}
/* The emulator runs everything at the call, so streams are already in
 * order, events are complete when recorded and host functions run at once. */
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned) { return cudaStreamCreate(s); }
cudaError_t cudaStreamWaitEvent(cudaStream_t, cudaEvent_t, unsigned) { return cudaSuccess; }
cudaError_t cudaEventQuery(cudaEvent_t) { return cudaSuccess; }
cudaError_t cudaLaunchHostFunc(cudaStream_t, cudaHostFn_t fn, void *arg) {
  fn(arg);
  return cudaSuccess;
}
cudaError_t cudaStreamDestroy(cudaStream_t s) {
  delete s;
  return cudaSuccess;
}
cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaDeviceSynchronize(void) { return cudaSuccess; }
cudaError_t cudaEventCreate(cudaEvent_t *e) {
  *e = new emu_event();
  return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t e) {
  delete e;
  return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t) {
  e->ms = now_ms();
  return cudaSuccess;
}
cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t a, cudaEvent_t b) {
  *ms = (float)(b->ms - a->ms);
  return cudaSuccess;
}
