/* cuda_emu.cc - the fiber scheduler and runtime of cuda_emu.h. */
#include "cuda_emu.h"

#pragma GCC diagnostic ignored "-Wclobbered" /* setjmp in run_fiber: nothing live across it */

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <utility>
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

/* ---- devices, streams, events */

namespace {

/* One queued operation: runs once its stream reaches it and, for a
 * cudaStreamWaitEvent, once stream dep has run dep_seq operations. */
struct emu_op {
  std::function<void()> fn;
  emu_stream *dep;
  uint64_t dep_seq;
};

int cur_dev = 0;
int n_dev = -1;
int async_mode = -1;
std::vector<emu_stream *> streams;               /* every live stream */
std::map<uintptr_t, std::pair<size_t, int>> allocs; /* device memory: size, device */
std::set<std::pair<int, int>> peer_on;           /* cudaDeviceEnablePeerAccess(b) on a */

int devices() {
  if (n_dev < 0) {
    const char *s = getenv("EMU_DEVICES");
    n_dev = s && *s ? atoi(s) : 1;
    if (n_dev < 1) n_dev = 1;
  }
  return n_dev;
}

/* EMU_ASYNC: 0 (or unset) runs operations at once; N >= 1 queues them and
 * steps a random stream after about one call in N + 2 (N = 1: one in 3). */
int is_async() {
  if (async_mode < 0) {
    const char *s = getenv("EMU_ASYNC");
    async_mode = s && *s ? atoi(s) : 0;
    if (async_mode < 0) async_mode = 0;
  }
  return async_mode;
}

/* The device of an allocation holding [p, p + bytes), or -1. */
int device_of(const void *p, size_t bytes) {
  const uintptr_t a = (uintptr_t)p;
  auto it = allocs.upper_bound(a);
  if (it == allocs.begin()) return -1;
  --it;
  if (a + bytes > it->first + it->second.first) return -1;
  return it->second.second;
}

}  // namespace

struct emu_stream {
  int dev;
  std::deque<emu_op> q;
  uint64_t enq, done; /* operations enqueued, run */
};
struct emu_event {
  double ms;
  int dev;
  emu_stream *s; /* the stream of the last record (NULL: never recorded) */
  uint64_t seq;  /* complete once s has run seq operations */
};

namespace {

void run_to(emu_stream *s, uint64_t seq);

/* Run the head of s (its dependency first when forced, else only when met). */
bool step(emu_stream *s, bool force) {
  if (s->q.empty()) return false;
  emu_op &op = s->q.front();
  if (op.dep && op.dep->done < op.dep_seq) {
    if (!force) return false;
    run_to(op.dep, op.dep_seq);
  }
  emu_op o = std::move(s->q.front());
  s->q.pop_front();
  o.fn();
  s->done++;
  return true;
}

void run_to(emu_stream *s, uint64_t seq) {
  while (s->done < seq) step(s, true);
}

void run_all() {
  for (size_t i = 0; i < streams.size(); i++) run_to(streams[i], streams[i]->enq);
}

/* Async: now and then, the next operation of a random stream, when its
 * dependency is met (a stream nothing forces may lag far behind). */
void maybe_progress() {
  if (streams.empty() || next_rand() % (uint64_t)(is_async() + 2)) return;
  step(streams[(size_t)(next_rand() % streams.size())], false);
}

/* Queue fn on s (NULL: the legacy stream, which waits for everything). */
void enqueue(emu_stream *s, std::function<void()> fn, emu_stream *dep = NULL,
             uint64_t dep_seq = 0) {
  if (!s) {
    run_all();
    fn();
    return;
  }
  s->q.push_back(emu_op{std::move(fn), dep, dep_seq});
  s->enq++;
  if (!is_async())
    run_to(s, s->enq);
  else
    maybe_progress();
}

}  // namespace

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

static void run_grid(unsigned grid, unsigned block, size_t smem, std::function<void()> &fn) {
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

void emu_launch(cudaStream_t s, unsigned grid, unsigned block, size_t smem,
                std::function<void()> fn) {
  if (block == 0 || block > 1024 || grid == 0) fail("bad launch configuration");
  if (s && s->dev != cur_dev) fail("launch on a stream of another device");
  enqueue(s, [grid, block, smem, fn]() mutable { run_grid(grid, block, smem, fn); });
}

/* ---- runtime */

const char *cudaGetErrorName(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
    case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
    case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
    case cudaErrorNotReady: return "cudaErrorNotReady";
    case cudaErrorPeerAccessAlreadyEnabled: return "cudaErrorPeerAccessAlreadyEnabled";
  }
  return "cudaErrorUnknown";
}
const char *cudaGetErrorString(cudaError_t e) { return cudaGetErrorName(e); }
cudaError_t cudaGetLastError(void) { return cudaSuccess; }
cudaError_t cudaGetDeviceCount(int *count) {
  *count = devices();
  return cudaSuccess;
}
cudaError_t cudaGetDevice(int *dev) {
  *dev = cur_dev;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int dev) {
  if (dev < 0 || dev >= devices()) return cudaErrorInvalidDevice;
  cur_dev = dev;
  return cudaSuccess;
}
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *p, int dev) {
  if (dev < 0 || dev >= devices()) return cudaErrorInvalidDevice;
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
  p->pciBusID = dev;
  return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t *free_b, size_t *total_b) {
  *free_b = (size_t)15 << 30;
  *total_b = (size_t)16 << 30;
  return cudaSuccess;
}
static cudaError_t host_alloc(void **p, size_t bytes) {
  *p = malloc(bytes ? bytes : 1);
  if (!*p) return cudaErrorMemoryAllocation;
  memset(*p, 0xCD, bytes); /* memory starts as garbage */
  return cudaSuccess;
}
cudaError_t cudaMalloc(void **p, size_t bytes) {
  cudaError_t e = host_alloc(p, bytes);
  if (e == cudaSuccess) allocs[(uintptr_t)*p] = std::make_pair(bytes ? bytes : 1, cur_dev);
  return e;
}
cudaError_t cudaFree(void *p) {
  run_all(); /* cudaFree synchronizes */
  if (p) allocs.erase((uintptr_t)p);
  free(p);
  return cudaSuccess;
}
cudaError_t cudaMallocHost(void **p, size_t bytes) { return host_alloc(p, bytes); }
cudaError_t cudaFreeHost(void *p) {
  run_all();
  free(p);
  return cudaSuccess;
}
cudaError_t cudaHostAlloc(void **p, size_t bytes, unsigned) { return host_alloc(p, bytes); }
cudaError_t cudaHostGetDevicePointer(void **dev, void *host, unsigned) {
  *dev = host;
  return cudaSuccess;
}
static int peers(int a, int b) {
  const char *s = getenv("EMU_P2P");
  return a != b && a >= 0 && b >= 0 && a < devices() && b < devices() && !(s && *s && atoi(s) == 0);
}
cudaError_t cudaDeviceCanAccessPeer(int *can, int dev, int peer) {
  *can = peers(dev, peer);
  return cudaSuccess;
}
cudaError_t cudaDeviceEnablePeerAccess(int peer, unsigned) {
  if (!peers(cur_dev, peer)) return cudaErrorInvalidDevice;
  if (!peer_on.insert(std::make_pair(cur_dev, peer)).second)
    return cudaErrorPeerAccessAlreadyEnabled;
  return cudaSuccess;
}
cudaError_t cudaDeviceGetP2PAttribute(int *value, cudaDeviceP2PAttr, int src, int dst) {
  *value = peers(src, dst);
  return cudaSuccess;
}
cudaError_t cudaMemcpyPeerAsync(void *dst, int dst_dev, const void *src, int src_dev,
                                size_t bytes, cudaStream_t s) {
  if (device_of(dst, bytes) != dst_dev || device_of(src, bytes) != src_dev)
    return cudaErrorInvalidValue; /* not device memory of the devices named */
  return cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, s);
}
cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind) {
  run_all();
  memmove(dst, src, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind k,
                            cudaStream_t s) {
  if (k == cudaMemcpyDeviceToDevice && (device_of(dst, bytes) < 0 || device_of(src, bytes) < 0))
    return cudaErrorInvalidValue;
  enqueue(s, [dst, src, bytes]() { memmove(dst, src, bytes); });
  return cudaSuccess;
}
cudaError_t cudaMemset(void *p, int v, size_t bytes) {
  run_all();
  memset(p, v, bytes);
  return cudaSuccess;
}
cudaError_t cudaMemsetAsync(void *p, int v, size_t bytes, cudaStream_t s) {
  enqueue(s, [p, v, bytes]() { memset(p, v, bytes); });
  return cudaSuccess;
}
cudaError_t cudaStreamCreate(cudaStream_t *s) {
  *s = new emu_stream();
  (*s)->dev = cur_dev;
  (*s)->enq = (*s)->done = 0;
  streams.push_back(*s);
  return cudaSuccess;
}
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned) { return cudaStreamCreate(s); }
cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned) {
  if (!s || !e->s) return cudaSuccess; /* never recorded: nothing to wait for */
  enqueue(s, []() {}, e->s, e->seq);
  return cudaSuccess;
}
cudaError_t cudaEventQuery(cudaEvent_t e) {
  if (!e->s || e->s->done >= e->seq) return cudaSuccess;
  if (next_rand() & 1) return cudaErrorNotReady; /* a poll: no progress */
  run_to(e->s, e->seq);
  return cudaSuccess;
}
cudaError_t cudaLaunchHostFunc(cudaStream_t s, cudaHostFn_t fn, void *arg) {
  enqueue(s, [fn, arg]() { fn(arg); });
  return cudaSuccess;
}
cudaError_t cudaStreamDestroy(cudaStream_t s) {
  run_all(); /* other streams may wait on it */
  streams.erase(std::find(streams.begin(), streams.end(), s));
  delete s;
  return cudaSuccess;
}
cudaError_t cudaStreamSynchronize(cudaStream_t s) {
  if (!s)
    run_all();
  else
    run_to(s, s->enq);
  return cudaSuccess;
}
cudaError_t cudaDeviceSynchronize(void) {
  run_all();
  return cudaSuccess;
}
cudaError_t cudaEventCreate(cudaEvent_t *e) {
  *e = new emu_event();
  (*e)->dev = cur_dev;
  (*e)->s = NULL;
  (*e)->seq = 0;
  return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t e) {
  run_all(); /* queued records still refer to it */
  delete e;
  return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s) {
  if (s && s->dev != e->dev) return cudaErrorInvalidResourceHandle;
  if (!s) {
    run_all();
    e->ms = now_ms();
    e->s = NULL;
    return cudaSuccess;
  }
  e->s = s;
  e->seq = s->enq + 1;
  enqueue(s, [e]() { e->ms = now_ms(); });
  return cudaSuccess;
}
cudaError_t cudaEventSynchronize(cudaEvent_t e) {
  if (e->s) run_to(e->s, e->seq);
  return cudaSuccess;
}
cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t a, cudaEvent_t b) {
  if ((a->s && a->s->done < a->seq) || (b->s && b->s->done < b->seq)) return cudaErrorNotReady;
  *ms = (float)(b->ms - a->ms);
  return cudaSuccess;
}
