/* engine_gpu.cu - the CUDA engine: prism_replica_run_batch (replica.c) for a
 * whole population in one launch, one thread block per replica, taking move
 * for move the same steps as the CPU. docs/cuda.md describes the layout.
 *
 * Per iteration a block does (three block barriers, S1, S2 and S3):
 *   scan    every thread takes an equal slice of the (conflict list x colors)
 *           candidates (or, with the incremental selection of incr.cuh, of
 *           the list, reading each vertex's carried row minima): per vertex
 *           its least allowed delta, keyed by mix32(v ^ vsalt); the random
 *           vertex by mix32(v ^ salt2); and for each conflicting vertex the
 *           delta / tabu state of its random color, stored by list index;
 *   S1      warp reductions, one slot per warp;
 *   decide  warp 0 folds the slots, takes the random move (Metropolis) or
 *           the best one, whose color it finds in its vertex's row
 *           (winner_color), and hands the move over at S2; then, uniform
 *           in all threads, tunneling (Kempe chain, block-wide BFS) or the
 *           move;
 *   apply   the neighbours of the moved vertex in parallel: G rows, conflict
 *           count, list appends (list entries that stopped conflicting are
 *           dropped lazily, by a compaction when the list is a quarter too
 *           long);
 *   S3      then the best coloring is copied when the energy improved.
 * The conflict list is a set: its order differs from the CPU's, which only
 * matters to nothing (every choice is an argmin over unique keys).
 *
 * The device code (layout, kernels) is in kernel.cuh, tabucol.cuh, incr.cuh
 * and partialcol.cuh; this file is the host side: placement, uploads,
 * launches, the pipeline of groups, downloads, the trace. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.cuh"
#include "cuda/gpu1.h"
#include "cuda/kernel_compat.cuh"
#include "engine/replica_inline.h"
#include "util/check.h"
#include "util/timer.h"
#include "pipeline/triple.h"
#include "util/philox.h"

#include "cuda/kernel.cuh"

/* ------------------------------------------------------------------ host */

typedef void (*kernel_fn)(kparams);

/* Event slots of one batch of a group, in stream order. */
enum { EV_UP0, EV_UP1, EV_K0, EV_K1, EV_TEL, EV_DOWN, EV_N };
static const char *const ev_stream_name[PRISM_STREAMS] = {"upload", "exec", "download", "peer",
                                                        "aux"};

/* One group (island): a contiguous range of replicas with its own config,
 * weights, triple buffers and events; at most one batch in flight. */
typedef struct group_state {
  struct gpu1_engine *ce;
  uint32_t index, first, count;
  int in_flight;
  uint64_t published, launched_seq;
  gpu_cfg *h_cfg; /* 3 pinned slots: the config triple buffer */
  prism_triple *cfg_tb;
  gpu_tel *h_tel; /* 3 pinned slots: the telemetry triple buffer */
  prism_triple *tel_tb;
  gpu_cfg *d_cfg;
  gpu_tel *d_tel;
  int32_t *h_omega; /* pinned: the weights last uploaded */
  int omega_valid;
  cudaEvent_t ev[EV_N];
  double t_launch, t_publish; /* host clock: launch call, publish of the config in use */
  double publish_s_sum;
  uint64_t publish_calls;
  uint32_t launched_k, launched_incr; /* the batch in flight: its k and selection */
  uint64_t launched_seed;             /* its config's seed (PartialCol's completion) */
  int launched_once;                   /* first and count are known */
  cudaEvent_t ev_peer; /* peer stream: after the last migration copy touching the group */
  int peer_pending;    /* ev_peer recorded since the last launch */
  /* the group's own upload, exec and download streams: the groups of a
   * device run their batches at the same time where the blocks fit
   * (docs/pipeline.md); one exec stream for all ran them one after the
   * other, each kernel on part of the SMs' room */
  cudaStream_t up, ex, down;
} group_state;

/* One finished batch on the timeline (host clock, seconds). */
typedef struct trace_rec {
  uint32_t group, kind; /* kind 0: a GPU batch, 1: a host span */
  uint64_t seq;
  const char *name;
  double t_publish, t[EV_N], t_tel;
} trace_rec;

struct gpu1_engine {
  const prism_graph *g; /* the graph (PartialCol's completion on the host) */
  uint32_t n, R, kmax, max_degree, groups;
  uint32_t together; /* the replicas of the groups this device runs: at once */
  kernel_fn kern;
  uint64_t adj_len;
  size_t stride;
  int threads, place_cap, g16;
  int32_t wmax; /* the largest vertex weight uploads may hold (gpu1_create) */
  int incr_env; /* PRISM_CUDA_INCR: -1 auto (timed, default), 1 always, 0 never */
  /* the selection's timing at k = at_k (auto): batches launched, finished,
   * moves and kernel ms per mode (0 full scan, 1 incremental); the choice
   * (-1 until both have AT_SAMPLES batches) */
  uint32_t at_k;
  uint32_t at_launched[2], at_done[2];
  double at_moves[2], at_ms[2];
  int at_choice;
  uint32_t place_alloc; /* parts with global storage allocated: the complement */
  size_t smem_optin;
  int sms;
  /* device */
  uint64_t *d_off;
  uint32_t *d_adj;
  int32_t *d_omega; /* groups x n */
  gpu_rep *d_rep;
  uint32_t *d_color, *d_best, *d_belief, *d_cv, *d_metro, *d_mark, *d_queue, *d_stamp;
  uint64_t *d_tabu;
  int32_t *d_pcG;              /* PartialCol (allocated at its first launch) */
  uint32_t *d_pcpos, *d_pcx;
  void *d_G;
  uint32_t *d_tf;
  unsigned char *d_small;
  gpu_cfg *d_cfg;
  gpu_tel *d_tel;
  unsigned long long *d_prof;
  uint64_t prof_iters;
  /* the stop flag (pinned, mapped) and when the host raises it */
  int *h_stop;
  int *d_stop;
  double deadline; /* prism_now() seconds; 0: none */
  /* host, pinned */
  gpu_rep *h_rep;
  uint32_t *h_color, *h_best, *h_belief, *h_cv, *h_metro;
  gpu_cfg *h_cfg;
  gpu_tel *h_tel;
  int32_t *h_omega;
  cudaStream_t stream[PRISM_STREAMS];
  group_state *grp;
  /* clock calibration: host time of the event cal */
  cudaEvent_t cal;
  double t_cal;
  /* timeline */
  trace_rec *trace;
  size_t ntrace, trace_cap;
  prism_cuda_stats stats;
  /* elite migration (gpu1_preloaded): replicas whose coloring and best
   * coloring the peer stream wrote, and the hash of what it wrote */
  uint8_t *pre;
  uint64_t *pre_hash;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Which parts fit in shared memory for k colors; *bytes gets the size. */
static uint32_t choose_place(const gpu1_engine *ce, uint32_t k, size_t *bytes) {
  size_t used = HEAD_BYTES;
  const size_t budget = ce->smem_optin;
  const size_t nk = (size_t)ce->n * row_stride(k);
  uint32_t place = 0;
  const size_t small = small_size(ce->n, 1), gz = align16(nk * (ce->g16 ? 2 : 4)),
               tz = align16(nk * 4);
  if (ce->place_cap >= 1 && used + small <= budget) {
    place |= PLACE_SMALL;
    used += small;
    if (ce->place_cap >= 2 && used + gz <= budget) {
      place |= PLACE_G;
      used += gz;
      if (ce->place_cap >= 3 && used + tz <= budget) {
        place |= PLACE_TABU;
        used += tz;
      }
    }
  }
  *bytes = used;
  return place;
}

static int blocks_per_sm(const gpu1_engine *ce, size_t smem) {
  int nb = 0;
  CHECK_CUDA(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&nb, ce->kern, ce->threads, smem));
  return nb;
}

/* The placement for kmax colors: as much in shared memory as fits; but when
 * the replicas that run at once outnumber the resident blocks and leaving the tabu copy in
 * global memory makes more blocks resident, that (a replica is
 * latency-bound, so resident blocks add up; G stays in shared memory: in
 * global memory it costs more than occupancy gives, measured). *nb gets the
 * resident blocks per SM. PRISM_CUDA_SMEM caps it. */
static uint32_t choose_occupancy(gpu1_engine *ce, uint32_t kmax, int *nb) {
  size_t bytes;
  uint32_t best = choose_place(ce, kmax, &bytes);
  *nb = blocks_per_sm(ce, bytes);
  if ((best & PLACE_TABU) && (uint64_t)*nb * (uint64_t)ce->sms < ce->together) {
    const int cap = ce->place_cap;
    ce->place_cap = 2;
    const uint32_t pl = choose_place(ce, kmax, &bytes);
    const int nb2 = blocks_per_sm(ce, bytes);
    if (nb2 > *nb) {
      best = pl;
      *nb = nb2;
    }
    ce->place_cap = cap;
  }
  return best;
}

static void pick_kernel(gpu1_engine *ce) {
  if (ce->threads <= 256)
    ce->kern = ce->g16 ? tabu_batch_kernel<uint16_t, 1> : tabu_batch_kernel<uint32_t, 1>;
  else
    ce->kern = ce->g16 ? tabu_batch_kernel<uint16_t, 0> : tabu_batch_kernel<uint32_t, 0>;
  CHECK_CUDA(cudaFuncSetAttribute(ce->kern, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  (int)ce->smem_optin));
}

static int env_int(const char *name, int def) {
  const char *s = getenv(name);
  if (!s || !*s) return def;
  return atoi(s);
}

static int env_place_cap(void) {
  const char *s = getenv("PRISM_CUDA_SMEM");
  if (!s || !*s || !strcmp(s, "all") || !strcmp(s, "auto")) return 3;
  if (!strcmp(s, "none")) return 0;
  if (!strcmp(s, "small")) return 1;
  if (!strcmp(s, "G") || !strcmp(s, "g")) return 2;
  return 3;
}

static void engine_free(gpu1_engine *ce) {
  if (!ce) return;
  cudaFree(ce->d_off);
  cudaFree(ce->d_adj);
  cudaFree(ce->d_omega);
  cudaFree(ce->d_rep);
  cudaFree(ce->d_color);
  cudaFree(ce->d_best);
  cudaFree(ce->d_belief);
  cudaFree(ce->d_cv);
  cudaFree(ce->d_metro);
  cudaFree(ce->d_mark);
  cudaFree(ce->d_queue);
  cudaFree(ce->d_stamp);
  cudaFree(ce->d_tabu);
  cudaFree(ce->d_pcG);
  cudaFree(ce->d_pcpos);
  cudaFree(ce->d_pcx);
  cudaFree(ce->d_G);
  cudaFree(ce->d_tf);
  cudaFree(ce->d_small);
  cudaFree(ce->d_cfg);
  cudaFree(ce->d_tel);
  cudaFree(ce->d_prof);
  cudaFreeHost(ce->h_stop);
  cudaFreeHost(ce->h_rep);
  cudaFreeHost(ce->h_color);
  cudaFreeHost(ce->h_best);
  cudaFreeHost(ce->h_belief);
  cudaFreeHost(ce->h_cv);
  cudaFreeHost(ce->h_metro);
  cudaFreeHost(ce->h_cfg);
  cudaFreeHost(ce->h_tel);
  cudaFreeHost(ce->h_omega);
  if (ce->grp) {
    for (uint32_t g = 0; g < ce->groups; g++) {
      group_state *gs = &ce->grp[g];
      for (int i = 0; i < EV_N; i++)
        if (gs->ev[i]) cudaEventDestroy(gs->ev[i]);
      if (gs->ev_peer) cudaEventDestroy(gs->ev_peer);
      if (gs->up) cudaStreamDestroy(gs->up);
      if (gs->ex) cudaStreamDestroy(gs->ex);
      if (gs->down) cudaStreamDestroy(gs->down);
      if (gs->cfg_tb) prism_triple_destroy(gs->cfg_tb);
      if (gs->tel_tb) prism_triple_destroy(gs->tel_tb);
    }
    free(ce->grp);
  }
  for (int i = 0; i < PRISM_STREAMS; i++)
    if (ce->stream[i]) cudaStreamDestroy(ce->stream[i]);
  if (ce->cal) cudaEventDestroy(ce->cal);
  free(ce->trace);
  free(ce->pre);
  free(ce->pre_hash);
  free(ce);
}

/* cudaMalloc that reports failure instead of exiting (create's error path). */
static int dev_alloc(void **p, size_t bytes, char *err, unsigned err_len) {
  if (bytes == 0) bytes = 16;
  cudaError_t e = cudaMalloc(p, bytes);
  if (e != cudaSuccess) {
    cudaGetLastError();
    *p = NULL;
    snprintf(err, err_len, "cudaMalloc of %.1f MiB failed: %s", (double)bytes / 1048576.0,
             cudaGetErrorString(e));
    return -1;
  }
  return 0;
}

/* Host clock of an event: calibrated against an event recorded on the idle
 * aux stream, renewed every few seconds so the float milliseconds of
 * cudaEventElapsedTime stay fine-grained. */
static void calibrate(gpu1_engine *ce) {
  const double a = now_s();
  CHECK_CUDA(cudaEventRecord(ce->cal, ce->stream[PRISM_STREAM_AUX]));
  CHECK_CUDA(cudaEventSynchronize(ce->cal));
  const double b = now_s();
  ce->t_cal = 0.5 * (a + b);
}

static double event_time(const gpu1_engine *ce, cudaEvent_t e) {
  float ms = 0;
  CHECK_CUDA(cudaEventElapsedTime(&ms, ce->cal, e));
  return ce->t_cal + 1e-3 * (double)ms;
}

static void trace_push(gpu1_engine *ce, const trace_rec *r) {
  if (ce->ntrace == ce->trace_cap) {
    ce->trace_cap = ce->trace_cap ? 2 * ce->trace_cap : 1024;
    ce->trace = (trace_rec *)realloc(ce->trace, ce->trace_cap * sizeof *ce->trace);
    if (!ce->trace) prism_die("out of memory (timeline)");
  }
  ce->trace[ce->ntrace++] = *r;
}

extern "C" gpu1_engine *gpu1_create(const prism_graph *g, uint32_t replicas, uint32_t kmax,
                                    uint32_t groups, uint32_t together, int32_t wmax,
                                    char *err, unsigned err_len) {
  const uint32_t n = g->n, R = replicas;
  if (wmax < 1 || wmax > PRISM_WMAX) {
    snprintf(err, err_len, "the CUDA engine's weight bound %d is outside [1, %d]", wmax,
             PRISM_WMAX);
    return NULL;
  }
  if (R == 0 || n == 0) {
    snprintf(err, err_len, "the CUDA engine needs at least one replica and one vertex");
    return NULL;
  }
  if (groups == 0 || groups > R) {
    snprintf(err, err_len, "the CUDA engine needs 1 to %u groups, not %u", R, groups);
    return NULL;
  }
  if (kmax < 2) kmax = 2;
  if ((uint64_t)n * row_stride(kmax) > 0xFFFFFFFFull) {
    snprintf(err, err_len,
             "graph too large for the CUDA engine: n x k = %u x %u exceeds 2^32 (the move "
             "keys of replica.c are 32-bit)",
             n, kmax);
    return NULL;
  }
  gpu1_engine *ce = (gpu1_engine *)calloc(1, sizeof *ce);
  if (!ce) {
    snprintf(err, err_len, "out of host memory");
    return NULL;
  }
  ce->g = g;
  ce->n = n;
  ce->R = R;
  ce->together = together < 1 ? 1 : together > R ? R : together;
  ce->groups = groups;
  ce->kmax = kmax;
  ce->max_degree = g->max_degree;
  ce->adj_len = g->offsets[n];
  ce->stride = ((size_t)n * row_stride(kmax) + 7) & ~(size_t)7;
  int dev = 0;
  CHECK_CUDA(cudaGetDevice(&dev));
  cudaDeviceProp prop;
  CHECK_CUDA(cudaGetDeviceProperties(&prop, dev));
  ce->sms = prop.multiProcessorCount;
  /* the opt-in limit, less the kernel's static shared memory */
  ce->smem_optin = prop.sharedMemPerBlockOptin > 256 ? prop.sharedMemPerBlockOptin - 256 : 0;
  const int th_env = env_int("PRISM_CUDA_THREADS", 0);
  const int th = th_env ? th_env : 256;
  if (th < 32 || th > GPU_MAX_THREADS || (th & (th - 1))) {
    snprintf(err, err_len, "PRISM_CUDA_THREADS=%d: need a power of 2 in [32, %d]", th,
             GPU_MAX_THREADS);
    free(ce);
    return NULL;
  }
  ce->threads = th;
  ce->place_cap = env_place_cap();
  {
    const char *e = getenv("PRISM_CUDA_INCR");
    ce->incr_env = (!e || !*e || !strcmp(e, "auto")) ? -1 : atoi(e) != 0;
  }
  ce->at_k = 0;
  ce->at_choice = -1;
  ce->wmax = wmax;
  /* 16-bit G when no entry (the weights of a vertex's neighbours of one
   * color) can pass 65535 */
  ce->g16 = env_int("PRISM_CUDA_G16", 1) != 0 && (uint64_t)g->max_degree * wmax <= 0xFFFFu;
  /* threads: 256, unless the replicas that run at once (every group of
   * this device: they have their own streams) each have an SM of their own
   * or only one block fits an SM anyway: then 512 (a replica goes faster
   * with more) */
  pick_kernel(ce);
  int nb = 0;
  uint32_t place = choose_occupancy(ce, kmax, &nb);
  if (!th_env && (ce->together <= (uint32_t)ce->sms || nb <= 1)) {
    ce->threads = 512;
    pick_kernel(ce);
    place = choose_occupancy(ce, kmax, &nb);
  }
  ce->place_alloc = place;

  /* memory check */
  const size_t nk = ce->stride;
  const size_t gsz = ce->g16 ? 2 : 4;
  size_t per_rep = (size_t)n * 4 * 6 /* color best belief cv mark queue */ + nk * 8 +
                   METRO_BYTES + sizeof(gpu_rep) + 4;
  if (!(place & PLACE_SMALL)) per_rep += small_size(n, 0);
  if (!(place & PLACE_G)) per_rep += nk * gsz;
  if (!(place & PLACE_TABU)) per_rep += nk * 4;
  const size_t graph_bytes =
      ((size_t)n + 1) * 8 + (size_t)ce->adj_len * 4 + (size_t)n * 4 * groups;
  const double need = (double)graph_bytes + (double)per_rep * R;
  size_t free_b = 0, total_b = 0;
  CHECK_CUDA(cudaMemGetInfo(&free_b, &total_b));
  if (need > (double)free_b * 0.95) {
    snprintf(err, err_len,
             "graph too large for the GPU: %u replicas x %u vertices x %u colors need "
             "%.2f GiB of device memory, %.2f GiB free",
             R, n, kmax, need / 1073741824.0, (double)free_b / 1073741824.0);
    free(ce);
    return NULL;
  }
  int fail = 0;
#define DALLOC(ptr, bytes) \
  fail = fail || dev_alloc((void **)&(ptr), (bytes), err, err_len)
  DALLOC(ce->d_off, ((size_t)n + 1) * 8);
  DALLOC(ce->d_adj, (size_t)ce->adj_len * 4);
  DALLOC(ce->d_omega, (size_t)n * 4 * groups);
  DALLOC(ce->d_rep, (size_t)R * sizeof(gpu_rep));
  DALLOC(ce->d_color, (size_t)R * n * 4);
  DALLOC(ce->d_best, (size_t)R * n * 4);
  DALLOC(ce->d_belief, (size_t)R * n * 4);
  DALLOC(ce->d_cv, (size_t)R * n * 4);
  DALLOC(ce->d_metro, (size_t)R * METRO_BYTES);
  DALLOC(ce->d_mark, (size_t)R * n * 4);
  DALLOC(ce->d_queue, (size_t)R * n * 4);
  DALLOC(ce->d_stamp, (size_t)R * 4);
  DALLOC(ce->d_tabu, (size_t)R * nk * 8);
  DALLOC(ce->d_cfg, (size_t)groups * sizeof(gpu_cfg));
  DALLOC(ce->d_tel, (size_t)groups * sizeof(gpu_tel));
  if (!(place & PLACE_SMALL)) DALLOC(ce->d_small, (size_t)R * small_size(n, 0));
  if (!(place & PLACE_G)) DALLOC(ce->d_G, (size_t)R * nk * gsz);
  if (!(place & PLACE_TABU)) DALLOC(ce->d_tf, (size_t)R * nk * 4);
#ifdef PRISM_CUDA_PROFILE
  DALLOC(ce->d_prof, (size_t)R * PROF_SLOTS * 8);
#endif
#undef DALLOC
  if (fail) {
    char why[256];
    snprintf(why, sizeof why, "%s", err);
    snprintf(err, err_len, "graph too large for the GPU: %s", why);
    engine_free(ce);
    return NULL;
  }
  CHECK_CUDA(cudaHostAlloc((void **)&ce->h_stop, sizeof(int), cudaHostAllocMapped));
  *ce->h_stop = 0;
  CHECK_CUDA(cudaHostGetDevicePointer((void **)&ce->d_stop, ce->h_stop, 0));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_rep, (size_t)R * sizeof(gpu_rep)));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_color, (size_t)R * n * 4));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_best, (size_t)R * n * 4));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_belief, (size_t)R * n * 4));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_cv, (size_t)R * n * 4));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_metro, (size_t)R * METRO_BYTES));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_cfg, (size_t)groups * 3 * sizeof(gpu_cfg)));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_tel, (size_t)groups * 3 * sizeof(gpu_tel)));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_omega, (size_t)groups * n * 4));
  /* the engine's streams (peer: multi-GPU transfers; aux: clock
   * calibration and auxiliary work); each group makes its own below */
  for (int i = PRISM_STREAMS_GROUP; i < PRISM_STREAMS; i++)
    CHECK_CUDA(cudaStreamCreateWithFlags(&ce->stream[i], cudaStreamNonBlocking));
  CHECK_CUDA(cudaEventCreate(&ce->cal));
  ce->grp = (group_state *)calloc(groups, sizeof *ce->grp);
  if (!ce->grp) prism_die("out of memory");
  for (uint32_t gi = 0; gi < groups; gi++) {
    group_state *gs = &ce->grp[gi];
    gs->ce = ce;
    gs->index = gi;
    gs->h_cfg = ce->h_cfg + 3 * (size_t)gi;
    gs->h_tel = ce->h_tel + 3 * (size_t)gi;
    gs->cfg_tb = prism_triple_create(gs->h_cfg, gs->h_cfg + 1, gs->h_cfg + 2, sizeof(gpu_cfg));
    gs->tel_tb = prism_triple_create(gs->h_tel, gs->h_tel + 1, gs->h_tel + 2, sizeof(gpu_tel));
    gs->d_cfg = ce->d_cfg + gi;
    gs->d_tel = ce->d_tel + gi;
    gs->h_omega = ce->h_omega + (size_t)gi * n;
    for (int i = 0; i < EV_N; i++) CHECK_CUDA(cudaEventCreate(&gs->ev[i]));
    CHECK_CUDA(cudaEventCreate(&gs->ev_peer));
    CHECK_CUDA(cudaStreamCreateWithFlags(&gs->up, cudaStreamNonBlocking));
    CHECK_CUDA(cudaStreamCreateWithFlags(&gs->ex, cudaStreamNonBlocking));
    CHECK_CUDA(cudaStreamCreateWithFlags(&gs->down, cudaStreamNonBlocking));
  }
  ce->pre = (uint8_t *)calloc(R, 1);
  ce->pre_hash = (uint64_t *)calloc(R, sizeof *ce->pre_hash);
  if (!ce->pre || !ce->pre_hash) prism_die("out of memory");
  CHECK_CUDA(cudaMemcpy(ce->d_off, g->offsets, ((size_t)n + 1) * 8, cudaMemcpyHostToDevice));
  if (ce->adj_len)
    CHECK_CUDA(cudaMemcpy(ce->d_adj, g->adj, (size_t)ce->adj_len * 4, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemset(ce->d_tabu, 0, (size_t)R * nk * 8));
  CHECK_CUDA(cudaMemset(ce->d_mark, 0, (size_t)R * n * 4));
  CHECK_CUDA(cudaMemset(ce->d_stamp, 0, (size_t)R * 4));
  CHECK_CUDA(cudaMemset(ce->d_belief, 0, (size_t)R * n * 4));
  if (ce->d_prof) CHECK_CUDA(cudaMemset(ce->d_prof, 0, (size_t)R * PROF_SLOTS * 8));
  calibrate(ce);
  ce->stats.threads = ce->threads;
  ce->stats.sms = ce->sms;
  ce->stats.g16 = ce->g16;
  snprintf(err, err_len, "%s", prop.name);
  return ce;
}

/* The move selection of the next batch at k colors, when the incremental
 * one may run: PRISM_CUDA_INCR=1/0 forces it; auto times both (they take the
 * same moves) on AT_SAMPLES batches each at every new k, alternating, then
 * keeps the one with more moves per kernel millisecond. */
#define AT_SAMPLES 2
static int incr_pick(gpu1_engine *ce, uint32_t k) {
  if (ce->incr_env >= 0) return ce->incr_env;
  if (k != ce->at_k) {
    ce->at_k = k;
    ce->at_choice = -1;
    for (int i = 0; i < 2; i++) {
      ce->at_launched[i] = ce->at_done[i] = 0;
      ce->at_moves[i] = ce->at_ms[i] = 0;
    }
  }
  if (ce->at_choice >= 0) return ce->at_choice;
  const int m = ce->at_launched[1] <= ce->at_launched[0]; /* the incremental one first */
  ce->at_launched[m]++;
  return m;
}

static void incr_sample(gpu1_engine *ce, uint32_t k, uint32_t incr, double moves,
                        float ms) {
  if (ce->incr_env >= 0 || k != ce->at_k || ce->at_choice >= 0) return;
  ce->at_done[incr]++;
  ce->at_moves[incr] += moves;
  ce->at_ms[incr] += ms;
  if (ce->at_done[0] >= AT_SAMPLES && ce->at_done[1] >= AT_SAMPLES)
    ce->at_choice = ce->at_moves[1] * ce->at_ms[0] >= ce->at_moves[0] * ce->at_ms[1];
}

static group_state *group_of(gpu1_engine *ce, uint32_t group) {
  if (group >= ce->groups) prism_die("CUDA engine: group %u of %u", group, ce->groups);
  return &ce->grp[group];
}

extern "C" void gpu1_publish(gpu1_engine *ce, uint32_t group,
                                          const prism_batch_cfg *cfg) {
  const double t0 = now_s();
  group_state *gs = group_of(ce, group);
  if (cfg->n != ce->n) prism_die("CUDA engine: cfg->n = %u, graph has %u vertices", cfg->n, ce->n);
  if (cfg->k < 1) prism_die("CUDA engine: cfg->k = 0");
  gpu_cfg *c = (gpu_cfg *)prism_triple_back(gs->cfg_tb);
  c->mu = cfg->mu;
  c->beta = cfg->beta;
  c->seed = cfg->seed;
  c->seq = ++gs->published;
  c->k = cfg->k;
  c->tun_thr = cfg->tun_thr;
  c->max_chain = cfg->max_chain;
  c->tabu_base = cfg->tabu_base;
  c->alpha_fp = cfg->alpha_fp;
  c->moves = cfg->moves;
  /* 16-bit G: w * G <= 64 * 65535 < 2^22; with |mu|, |beta| < 2^24 every
   * delta is below 2^27 in magnitude */
  c->narrow_d = ce->g16 && cfg->mu > -(1 << 24) && cfg->mu < (1 << 24) &&
                cfg->beta > -(1 << 24) && cfg->beta < (1 << 24);
  /* the incremental selection may run: 32-bit row minima (narrow deltas),
   * counts in 16 bits (k <= 65536); PRISM_CUDA_INCR=0 turns it off */
  c->incr_ok = c->narrow_d && ce->kmax <= 65536u && ce->incr_env != 0;
  c->incr = 0;
  c->pc_tabu_base = cfg->pc_tabu_base;
  c->pc_alpha_fp = cfg->pc_alpha_fp;
  c->pc_react = cfg->pc_react;
  c->omega_host = cfg->omega;
  c->t_publish = now_s();
  prism_triple_publish(gs->cfg_tb);
  gs->publish_s_sum += now_s() - t0;
  gs->publish_calls++;
}

/* Weights: the group's cfg->omega, uploaded (on the upload stream, before
 * the launch's other copies) when it differs from the last upload. */
static void upload_omega(gpu1_engine *ce, uint32_t group, const int32_t *omega) {
  group_state *gs = group_of(ce, group);
  const uint32_t n = ce->n;
  if (gs->omega_valid && !memcmp(gs->h_omega, omega, (size_t)n * 4)) return;
  if (gs->in_flight) prism_die("CUDA engine: weights of group %u changed in flight", group);
  for (uint32_t v = 0; v < n; v++)
    if (omega[v] < 1 || omega[v] > ce->wmax)
      prism_die("CUDA engine: vertex weight omega[%u] = %d outside [1, %d]", v, omega[v],
                ce->wmax);
  memcpy(gs->h_omega, omega, (size_t)n * 4);
  CHECK_CUDA(cudaMemcpyAsync(ce->d_omega + (size_t)group * n, gs->h_omega, (size_t)n * 4,
                             cudaMemcpyHostToDevice, gs->up));
  gs->omega_valid = 1;
}

/* Runs on a CUDA callback thread once the telemetry copy has landed. */
static void CUDART_CB telemetry_arrived(void *arg) {
  group_state *gs = (group_state *)arg;
  gpu_tel *t = (gpu_tel *)prism_triple_back(gs->tel_tb);
  t->t_published = now_s();
  prism_triple_publish(gs->tel_tb);
}

/* The group's replica scalars and Metropolis tables into the pinned host
 * mirrors (checked first); *kbig = their largest k, *any_dirty / *any_pc:
 * some replica's colorings changed on the host / runs PartialCol. */
static void launch_stage(gpu1_engine *ce, const prism_replica *reps, uint32_t first,
                         uint32_t count, uint32_t *kbig_out, int *dirty_out, int *pc_out) {
  const uint32_t n = ce->n;
  uint32_t kbig = 0;
  int any_dirty = 0, any_pc = 0;
  for (uint32_t i = 0; i < count; i++) {
    const prism_replica *r = &reps[i];
    if (r->n != n) prism_die("CUDA engine: replica %u has %u vertices, not %u", i, r->n, n);
    if (r->k < 2 || r->k > ce->kmax)
      prism_die("CUDA engine: replica %u has k = %u, outside [2, %u]", i, r->k, ce->kmax);
    if (!r->metro_thr) prism_die("CUDA engine: replica %u has no Metropolis table", i);
    if (r->k > kbig) kbig = r->k;
    gpu_rep *h = &ce->h_rep[first + i];
    memset(h, 0, sizeof *h);
    h->energy = r->energy;
    h->best_energy = r->best_energy;
    h->best_color_energy = r->best_color_energy;
    h->iter = r->iter;
    h->id = r->id;
    h->k = r->k;
    h->solved = (uint32_t)r->solved;
    h->has_belief = r->belief != NULL;
    h->clear_tabu = r->dirty == 2;
    h->mode = (uint32_t)r->mode;
    h->pc_tenure = r->pc_tenure;
    h->pc_window = r->pc_window;
    h->pc_lo = r->pc_lo;
    h->pc_hi = r->pc_hi;
    if (r->mode == PRISM_MODE_PARTIALCOL) any_pc = 1;
    memcpy(ce->h_metro + (size_t)(first + i) * PRISM_METRO_LEVELS, r->metro_thr, METRO_BYTES);
    if (r->dirty) any_dirty = 1;
  }
  *kbig_out = kbig;
  *dirty_out = any_dirty;
  *pc_out = any_pc;
}

/* The colorings (and beliefs) of a batch whose replicas the host changed:
 * all go from the host mirror, except those a migration copy already wrote
 * on the device (ce->pre); the replicas are clean afterwards. */
static void launch_upload_colorings(gpu1_engine *ce, prism_replica *reps, uint32_t first,
                                    uint32_t count, cudaStream_t up) {
  const uint32_t n = ce->n;
  /* the host mirror equals the device state for clean replicas, so all go
   * (colorings in runs around the replicas a migration copy wrote) */
  for (uint32_t i = 0; i < count; i++) {
    prism_replica *r = &reps[i];
    const size_t o = (size_t)(first + i) * n;
    memcpy(ce->h_color + o, r->color, (size_t)n * 4);
    memcpy(ce->h_best + o, r->best_color, (size_t)n * 4);
    if (r->belief) memcpy(ce->h_belief + o, r->belief, (size_t)n * 4);
    else memset(ce->h_belief + o, 0, (size_t)n * 4);
    r->dirty = 0;
  }
  for (uint32_t i = 0; i < count;) {
    if (ce->pre[first + i]) {
      i++;
      continue;
    }
    uint32_t end = i + 1;
    while (end < count && !ce->pre[first + end]) end++;
    const size_t o = (size_t)(first + i) * n, b = (size_t)(end - i) * n * 4;
    CHECK_CUDA(cudaMemcpyAsync(ce->d_color + o, ce->h_color + o, b, cudaMemcpyHostToDevice, up));
    CHECK_CUDA(cudaMemcpyAsync(ce->d_best + o, ce->h_best + o, b, cudaMemcpyHostToDevice, up));
    i = end;
  }
  const size_t o = (size_t)first * n, b = (size_t)count * n * 4;
  CHECK_CUDA(cudaMemcpyAsync(ce->d_belief + o, ce->h_belief + o, b, cudaMemcpyHostToDevice, up));
}

/* The kernel's arguments for the group's replicas first.. and placement. */
static kparams launch_params(gpu1_engine *ce, const group_state *gs, uint32_t group,
                             uint32_t first, uint32_t place, int any_pc) {
  const uint32_t n = ce->n;
  kparams p;
  memset(&p, 0, sizeof p);
  p.off = ce->d_off;
  p.adj = ce->d_adj;
  p.omega = ce->d_omega + (size_t)group * n;
  p.n = n;
  p.r0 = first;
  p.cfg = gs->d_cfg;
  p.stride = ce->stride;
  p.rep = ce->d_rep;
  p.color = ce->d_color;
  p.best_color = ce->d_best;
  p.belief = ce->d_belief;
  p.cv_out = ce->d_cv;
  p.tabu = ce->d_tabu;
  p.metro = ce->d_metro;
  p.mark = ce->d_mark;
  p.queue = ce->d_queue;
  p.stamp = ce->d_stamp;
  p.gG = ce->d_G;
  p.gtf = ce->d_tf;
  p.gsmall = ce->d_small;
  p.place = place;
  p.small_bytes = (uint32_t)small_size(n, (place & PLACE_SMALL) != 0);
  p.off32 = ce->adj_len < 0xFFFFFFFFull;
  p.prof = ce->d_prof;
  p.stop = ce->d_stop;
  if (any_pc && !ce->d_pcG) { /* the first PartialCol replica: its tables */
    char err[256];
    const size_t R = ce->R;
    if (dev_alloc((void **)&ce->d_pcG, R * ce->stride * 4, err, sizeof err) ||
        dev_alloc((void **)&ce->d_pcpos, R * n * 4, err, sizeof err) ||
        dev_alloc((void **)&ce->d_pcx, R * n * 4, err, sizeof err))
      prism_die("CUDA engine: PartialCol tables: %s", err);
  }
  p.pc_G = ce->d_pcG;
  p.pc_pos = ce->d_pcpos;
  p.pc_x = ce->d_pcx;
  return p;
}

/* After the batch and telemetry kernels: the scalars, colorings, best
 * colorings and conflict sets of the group, and its telemetry record
 * (published by a host callback once it has landed). */
static void launch_downloads(gpu1_engine *ce, group_state *gs, uint32_t first, uint32_t count,
                             cudaStream_t ex, cudaStream_t down) {
  const uint32_t n = ce->n;
  /* downloads wait for the telemetry kernel (same stream as the batch) */
  CHECK_CUDA(cudaEventRecord(gs->ev[EV_TEL], ex));
  CHECK_CUDA(cudaStreamWaitEvent(down, gs->ev[EV_TEL], 0));
  const size_t o = (size_t)first * n, b = (size_t)count * n * 4;
  CHECK_CUDA(cudaMemcpyAsync(ce->h_rep + first, ce->d_rep + first, (size_t)count * sizeof(gpu_rep),
                             cudaMemcpyDeviceToHost, down));
  CHECK_CUDA(cudaMemcpyAsync(ce->h_color + o, ce->d_color + o, b, cudaMemcpyDeviceToHost, down));
  CHECK_CUDA(cudaMemcpyAsync(ce->h_best + o, ce->d_best + o, b, cudaMemcpyDeviceToHost, down));
  CHECK_CUDA(cudaMemcpyAsync(ce->h_cv + o, ce->d_cv + o, b, cudaMemcpyDeviceToHost, down));
  CHECK_CUDA(cudaMemcpyAsync(prism_triple_back(gs->tel_tb), gs->d_tel, sizeof(gpu_tel),
                             cudaMemcpyDeviceToHost, down));
  CHECK_CUDA(cudaLaunchHostFunc(down, telemetry_arrived, gs));
  /* recorded after the callback: when it completes, the record is published */
  CHECK_CUDA(cudaEventRecord(gs->ev[EV_DOWN], down));
}

/* One batch of the group's replicas first..first + count: the uploads, the
 * batch and telemetry kernels and the downloads, queued on the streams; the
 * host does not wait (gpu1_wait does). */
extern "C" void gpu1_launch(gpu1_engine *ce, uint32_t group, prism_replica *reps, uint32_t first,
                            uint32_t count) {
  group_state *gs = group_of(ce, group);
  const uint32_t n = ce->n;
  if (gs->in_flight) prism_die("CUDA engine: group %u launched twice", group);
  if (count == 0 || first + count > ce->R || first + count < first)
    prism_die("CUDA engine: replicas %u..%u of %u", first, first + count, ce->R);
  gs->first = first;
  gs->count = count;
  gs->t_launch = now_s();
  if (gs->t_launch - ce->t_cal > 5.0) {
    int idle = 1;
    for (uint32_t g = 0; g < ce->groups; g++) idle = idle && !ce->grp[g].in_flight;
    if (idle) calibrate(ce);
  }
  /* the newest published config (the consumer side of the triple buffer);
   * its slot is not handed back to the producer until the next take, which
   * comes after this batch's upload has finished */
  gpu_cfg *c = (gpu_cfg *)prism_triple_take(gs->cfg_tb, NULL);
  if (c->seq == 0) prism_die("CUDA engine: group %u launched before any config was published", group);
  gs->launched_seq = c->seq;
  /* the selection: both take the same moves, so the faster one is timed
   * (incr_pick) */
  gs->launched_k = c->k;
  gs->launched_seed = c->seed;
  gs->launched_incr = c->incr = c->incr_ok ? (uint32_t)incr_pick(ce, c->k) : 0u;
  ce->stats.incr_batches += c->incr;
  gs->t_publish = c->t_publish;
  cudaStream_t up = gs->up, ex = gs->ex, down = gs->down;
  /* migration copies on the peer stream that read or wrote the group's
   * replica tables (multi.cu): the uploads below overwrite them, the kernel
   * reads them */
  if (gs->peer_pending) CHECK_CUDA(cudaStreamWaitEvent(up, gs->ev_peer, 0));
  gs->peer_pending = 0;
  gs->launched_once = 1;
  CHECK_CUDA(cudaEventRecord(gs->ev[EV_UP0], up));

  /* vertex weights: upload when they changed */
  upload_omega(ce, group, c->omega_host);
  uint32_t kbig = 0;
  int any_dirty = 0, any_pc = 0;
  launch_stage(ce, reps, first, count, &kbig, &any_dirty, &any_pc);
  /* replicas whose colorings a migration copy already wrote on the device:
   * kept when the host's still hash to what was copied */
  for (uint32_t i = 0; i < count; i++) {
    const uint32_t j = first + i;
    if (!ce->pre[j]) continue;
    if (gpu1_colors_hash(reps[i].color, n) != ce->pre_hash[j] ||
        gpu1_colors_hash(reps[i].best_color, n) != ce->pre_hash[j]) {
      ce->pre[j] = 0;
      ce->stats.mig_superseded++;
    }
  }
  if (any_dirty) launch_upload_colorings(ce, reps, first, count, up);
  memset(ce->pre + first, 0, count);
  CHECK_CUDA(cudaMemcpyAsync(ce->d_rep + first, ce->h_rep + first, (size_t)count * sizeof(gpu_rep),
                             cudaMemcpyHostToDevice, up));
  CHECK_CUDA(cudaMemcpyAsync(ce->d_metro + (size_t)first * PRISM_METRO_LEVELS,
                             ce->h_metro + (size_t)first * PRISM_METRO_LEVELS,
                             (size_t)count * METRO_BYTES, cudaMemcpyHostToDevice, up));
  CHECK_CUDA(cudaMemcpyAsync(gs->d_cfg, c, sizeof(gpu_cfg), cudaMemcpyHostToDevice, up));
  CHECK_CUDA(cudaEventRecord(gs->ev[EV_UP1], up));

  /* the placement chosen at create for kmax; smaller k needs less */
  const uint32_t place = ce->place_alloc;
  size_t smem = HEAD_BYTES;
  if (place & PLACE_SMALL) smem += small_size(n, 1);
  if (place & PLACE_G) smem += align16((size_t)n * row_stride(kbig) * (ce->g16 ? 2 : 4));
  if (place & PLACE_TABU) smem += align16((size_t)n * row_stride(kbig) * 4);

  kparams p = launch_params(ce, gs, group, first, place, any_pc);
  const unsigned smem_u = (unsigned)smem;
  CHECK_CUDA(cudaStreamWaitEvent(ex, gs->ev[EV_UP1], 0));
  CHECK_CUDA(cudaEventRecord(gs->ev[EV_K0], ex));
  PRISM_LAUNCH(ce->kern, count, ce->threads, smem_u, ex, p);
  CHECK_CUDA_LAUNCH();
  CHECK_CUDA(cudaEventRecord(gs->ev[EV_K1], ex));
  PRISM_LAUNCH(telemetry_kernel, 1, 256, 0, ex, ce->d_rep, first, count, gs->d_cfg, gs->d_tel);
  CHECK_CUDA_LAUNCH();

  launch_downloads(ce, gs, first, count, ex, down);
  gs->in_flight = 1;
  ce->stats.smem_small = (place & PLACE_SMALL) != 0;
  ce->stats.smem_G = (place & PLACE_G) != 0;
  ce->stats.smem_tabu = (place & PLACE_TABU) != 0;
  if (smem_u != ce->stats.smem_bytes || ce->stats.blocks_per_sm == 0) /* k changed */
    ce->stats.blocks_per_sm = blocks_per_sm(ce, smem);
  ce->stats.smem_bytes = smem_u;
}

static int event_reached(cudaEvent_t ev) {
  cudaError_t e = cudaEventQuery(ev);
  if (e == cudaSuccess) return 1;
  if (e == cudaErrorNotReady) return 0;
  CHECK_CUDA(e);
  return 0;
}

extern "C" int gpu1_done(gpu1_engine *ce, uint32_t group) {
  group_state *gs = group_of(ce, group);
  return !gs->in_flight || event_reached(gs->ev[EV_DOWN]);
}

extern "C" int gpu1_reached(gpu1_engine *ce, uint32_t group,
                                         prism_cuda_stage stage) {
  group_state *gs = group_of(ce, group);
  if (!gs->in_flight) return 1;
  switch (stage) {
    case PRISM_CUDA_CONFIG_ON_DEVICE: return event_reached(gs->ev[EV_UP1]);
    case PRISM_CUDA_KERNEL_DONE: return event_reached(gs->ev[EV_K1]);
    default: return event_reached(gs->ev[EV_DOWN]);
  }
}

/* Wait for ev; meanwhile raise the kernels' stop flag once the deadline has
 * passed or the solve was interrupted, so that a long batch ends within
 * GPU_STOP_EVERY iterations instead of running out its moves. */
extern "C" int prism_solve_interrupted(void); /* solve.c */
static void wait_or_stop(gpu1_engine *ce, cudaEvent_t ev) {
  for (;;) {
    cudaError_t q = cudaEventQuery(ev);
    if (q == cudaSuccess) return;
    if (q != cudaErrorNotReady) CHECK_CUDA(q);
    if (!*(volatile int *)ce->h_stop &&
        (prism_solve_interrupted() || (ce->deadline > 0 && prism_now() >= ce->deadline))) {
      *(volatile int *)ce->h_stop = 1;
      __sync_synchronize();
    }
    struct timespec ts = {0, 100000}; /* 0.1 ms */
    nanosleep(&ts, NULL);
  }
}

extern "C" void gpu1_set_deadline(gpu1_engine *ce, double deadline) {
  ce->deadline = deadline;
}

extern "C" void gpu1_wait(gpu1_engine *ce, uint32_t group, prism_replica *reps,
                                       prism_cuda_telemetry *tel) {
  group_state *gs = group_of(ce, group);
  if (!gs->in_flight) prism_die("CUDA engine: wait on group %u with nothing in flight", group);
  wait_or_stop(ce, gs->ev[EV_DOWN]);
  gs->in_flight = 0;
  const uint32_t n = ce->n, first = gs->first, count = gs->count;
  int fresh = 0;
  const gpu_tel *t = (const gpu_tel *)prism_triple_take(gs->tel_tb, &fresh);
  if (!fresh || t->seq != gs->launched_seq)
    prism_die("CUDA engine: group %u telemetry for config %llu, expected %llu", group,
              (unsigned long long)t->seq, (unsigned long long)gs->launched_seq);
  /* the timeline */
  trace_rec tr;
  memset(&tr, 0, sizeof tr);
  tr.group = group;
  tr.seq = t->seq;
  tr.t_publish = gs->t_publish;
  for (int i = 0; i < EV_N; i++) tr.t[i] = event_time(ce, gs->ev[i]);
  tr.t_tel = t->t_published;
  trace_push(ce, &tr);
  float ms = 0;
  CHECK_CUDA(cudaEventElapsedTime(&ms, gs->ev[EV_K0], gs->ev[EV_K1]));
  ce->stats.kernel_ms = ms;
  ce->stats.batch_ms = (now_s() - gs->t_launch) * 1e3;
  incr_sample(ce, gs->launched_k, gs->launched_incr, (double)t->moves, ms);
  if (tel) {
    memset(tel, 0, sizeof *tel);
    tel->seq = t->seq;
    tel->moves = t->moves;
    tel->metro_moves = t->metro_moves;
    tel->tunnels = t->tunnels;
    tel->tunnel_aborts = t->tunnel_aborts;
    tel->conflicts_sum = t->conflicts_sum;
    tel->ncv_sum = t->ncv_sum;
    tel->best_conflicts = (uint32_t)(t->best >> 32);
    tel->best_replica = (uint32_t)(t->best & 0xFFFFFFFFu);
    tel->solved = t->solved;
    tel->count = t->count;
    tel->kernel_ms = ms;
    tel->tel_latency_ms = (tr.t_tel - tr.t[EV_K1]) * 1e3;
  }
  if (!reps) return; /* results dropped */
  for (uint32_t i = 0; i < count; i++) {
    prism_replica *r = &reps[i];
    const gpu_rep *h = &ce->h_rep[first + i];
    const size_t o = (size_t)(first + i) * n;
    /* PartialCol: the device keeps the partial best; the host's copy is its
     * completion, made once when the best changed (below), as on the CPU */
    const int pc = r->mode == PRISM_MODE_PARTIALCOL;
    const int pc_new_best = pc && h->best_color_energy < r->best_color_energy;
    memcpy(r->color, ce->h_color + o, (size_t)n * 4);
    if (!pc || pc_new_best) memcpy(r->best_color, ce->h_best + o, (size_t)n * 4);
    r->energy = h->energy;
    r->best_energy = h->best_energy;
    r->best_color_energy = h->best_color_energy;
    ce->prof_iters += h->iter - r->iter;
    r->iter = h->iter;
    r->moves = h->moves;
    r->metro_moves = h->metro_moves;
    r->tunnels = h->tunnels;
    r->tunnel_aborts = h->tunnel_aborts;
    r->solved = (int)h->solved;
    r->conflicts = h->conflicts;
    r->ran_mode = (int)h->mode;
    r->pc_tenure = h->pc_tenure;
    r->pc_window = h->pc_window;
    r->pc_lo = h->pc_lo;
    r->pc_hi = h->pc_hi;
    for (uint32_t v = 0; v < n; v++) r->cvpos[v] = PRISM_NONE;
    const uint32_t *cv = ce->h_cv + o;
    prism_cv_clear(r);
    for (uint32_t j = 0; j < h->ncv; j++) prism_cv_add(r, cv[j]);
    /* PartialCol hands out complete colorings, as partialcol.c does after
     * its batch */
    if (pc_new_best)
      prism_complete_from_partial(ce->g, r->best_color, r->k, gs->launched_seed, r->id,
                                  r->iter, r->queue);
  }
}

extern "C" void gpu1_run_batch(gpu1_engine *ce, prism_replica *reps,
                                            uint32_t replicas, const prism_batch_cfg *cfg) {
  if (replicas == 0) return;
  if (replicas > ce->R) prism_die("CUDA engine: %u replicas, created for %u", replicas, ce->R);
  gpu1_publish(ce, 0, cfg);
  gpu1_launch(ce, 0, reps, 0, replicas);
  gpu1_wait(ce, 0, reps, NULL);
}

extern "C" void gpu1_trace_host(gpu1_engine *ce, const char *name,
                                             uint32_t group, double t0, double t1) {
  trace_rec tr;
  memset(&tr, 0, sizeof tr);
  tr.kind = 1;
  tr.group = group;
  tr.name = name;
  tr.t[0] = t0;
  tr.t[1] = t1;
  trace_push(ce, &tr);
}

static int by_k0(const void *a, const void *b) {
  const trace_rec *x = *(const trace_rec *const *)a, *y = *(const trace_rec *const *)b;
  return x->t[EV_K0] < y->t[EV_K0] ? -1 : x->t[EV_K0] > y->t[EV_K0];
}

extern "C" void gpu1_pipeline_stats(const gpu1_engine *ce,
                                                 prism_cuda_pipeline_stats *out) {
  memset(out, 0, sizeof *out);
  if (!ce) return;
  size_t nb = 0;
  for (size_t i = 0; i < ce->ntrace; i++) nb += ce->trace[i].kind == 0;
  if (nb == 0) return;
  const trace_rec **v = (const trace_rec **)malloc(nb * sizeof *v);
  if (!v) prism_die("out of memory");
  nb = 0;
  for (size_t i = 0; i < ce->ntrace; i++)
    if (ce->trace[i].kind == 0) v[nb++] = &ce->trace[i];
  qsort(v, nb, sizeof *v, by_k0);
  double busy = 0, end = v[0]->t[EV_K0], gap_sum = 0, gap_max = 0;
  for (size_t i = 0; i < nb; i++) {
    const double a = v[i]->t[EV_K0], b = v[i]->t[EV_K1];
    if (i > 0) {
      const double gap = a > end ? a - end : 0;
      gap_sum += gap;
      if (gap > gap_max) gap_max = gap;
    }
    const double s = a > end ? a : end;
    if (b > s) busy += b - s;
    if (b > end) end = b;
    const double cd = v[i]->t[EV_UP1] - v[i]->t_publish, ck = a - v[i]->t_publish,
                 tl = v[i]->t_tel - b;
    out->cfg_device_ms_mean += cd;
    out->cfg_kernel_ms_mean += ck;
    out->tel_ms_mean += tl;
    if (cd > out->cfg_device_ms_max) out->cfg_device_ms_max = cd;
    if (ck > out->cfg_kernel_ms_max) out->cfg_kernel_ms_max = ck;
    if (tl > out->tel_ms_max) out->tel_ms_max = tl;
  }
  out->batches = nb;
  out->span_s = end - v[0]->t[EV_K0];
  out->kernel_s = busy;
  out->busy = out->span_s > 0 ? busy / out->span_s : 0;
  out->gap_ms_mean = nb > 1 ? 1e3 * gap_sum / (double)(nb - 1) : 0;
  out->gap_ms_max = 1e3 * gap_max;
  out->cfg_device_ms_mean *= 1e3 / (double)nb;
  out->cfg_kernel_ms_mean *= 1e3 / (double)nb;
  out->tel_ms_mean *= 1e3 / (double)nb;
  out->cfg_device_ms_max *= 1e3;
  out->cfg_kernel_ms_max *= 1e3;
  out->tel_ms_max *= 1e3;
  double ps = 0;
  uint64_t pc = 0;
  for (uint32_t g = 0; g < ce->groups; g++) {
    ps += ce->grp[g].publish_s_sum;
    pc += ce->grp[g].publish_calls;
  }
  out->publish_us_mean = pc ? 1e6 * ps / (double)pc : 0;
  free(v);
}

extern "C" int gpu1_write_trace(const gpu1_engine *ce, const char *path,
                                             char *err, unsigned err_len) {
  if (!ce) {
    snprintf(err, err_len, "no CUDA engine");
    return -1;
  }
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    snprintf(err, err_len, "cannot write '%s'", tmp);
    return -1;
  }
  double t0 = 0;
  int have = 0;
  for (size_t i = 0; i < ce->ntrace; i++) {
    const double a = ce->trace[i].kind ? ce->trace[i].t[0] : ce->trace[i].t_publish;
    if (!have || a < t0) t0 = a;
    have = 1;
  }
  fprintf(f, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
  fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"prism\"}}");
  /* a row per group and stream (the groups' batches may overlap) */
#define TRACE_TID(g, i) (1u + (g) * PRISM_STREAMS_GROUP + (uint32_t)(i))
  for (uint32_t g = 0; g < ce->groups; g++)
    for (int i = 0; i < PRISM_STREAMS_GROUP; i++)
      fprintf(f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"args\":{\"name\":\"g%u %s\"}}",
              TRACE_TID(g, i), g, ev_stream_name[i]);
  fprintf(f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"host\"}}");
#define US(t) (1e6 * ((t) - t0))
  for (size_t i = 0; i < ce->ntrace; i++) {
    const trace_rec *r = &ce->trace[i];
    if (r->kind == 1) {
      fprintf(f, ",\n{\"name\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":0,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"group\":%u}}",
              r->name ? r->name : "host", US(r->t[0]), 1e6 * (r->t[1] - r->t[0]), r->group);
      continue;
    }
    fprintf(f, ",\n{\"name\":\"publish cfg\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":0,\"ts\":%.3f,\"args\":{\"group\":%u,\"seq\":%llu}}",
            US(r->t_publish), r->group, (unsigned long long)r->seq);
    fprintf(f, ",\n{\"name\":\"upload g%u\",\"ph\":\"X\",\"pid\":1,\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"seq\":%llu}}",
            r->group, TRACE_TID(r->group, PRISM_STREAM_UPLOAD), US(r->t[EV_UP0]), 1e6 * (r->t[EV_UP1] - r->t[EV_UP0]),
            (unsigned long long)r->seq);
    fprintf(f, ",\n{\"name\":\"batch g%u\",\"ph\":\"X\",\"pid\":1,\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"seq\":%llu}}",
            r->group, TRACE_TID(r->group, PRISM_STREAM_EXEC), US(r->t[EV_K0]), 1e6 * (r->t[EV_K1] - r->t[EV_K0]),
            (unsigned long long)r->seq);
    fprintf(f, ",\n{\"name\":\"download g%u\",\"ph\":\"X\",\"pid\":1,\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"seq\":%llu}}",
            r->group, TRACE_TID(r->group, PRISM_STREAM_DOWNLOAD), US(r->t[EV_K1]), 1e6 * (r->t[EV_DOWN] - r->t[EV_K1]),
            (unsigned long long)r->seq);
    fprintf(f, ",\n{\"name\":\"telemetry on host\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":0,\"ts\":%.3f,\"args\":{\"group\":%u,\"seq\":%llu}}",
            US(r->t_tel), r->group, (unsigned long long)r->seq);
  }
#undef US
#undef TRACE_TID
  fprintf(f, "\n]}\n");
  int bad = ferror(f);
  bad |= fclose(f);
  if (bad || rename(tmp, path)) {
    remove(tmp);
    snprintf(err, err_len, "cannot write '%s'", path);
    return -1;
  }
  return 0;
}

/* PRISM_CUDA_PROFILE: the cycle split of an iteration, summed over blocks. */
static void print_profile(gpu1_engine *ce) {
  if (!ce->d_prof || ce->prof_iters == 0) return;
  unsigned long long *h = (unsigned long long *)calloc((size_t)ce->R * PROF_SLOTS, 8);
  CHECK_CUDA(cudaMemcpy(h, ce->d_prof, (size_t)ce->R * PROF_SLOTS * 8, cudaMemcpyDeviceToHost));
  double sum[PROF_SLOTS] = {0}, all = 0;
  for (uint32_t r = 0; r < ce->R; r++)
    for (int i = 0; i < PROF_SLOTS; i++) sum[i] += (double)h[(size_t)r * PROF_SLOTS + i];
  for (int i = 0; i < PROF_PHASES; i++) all += sum[i];
  fprintf(stderr, "cuda profile (thread 0, cycles per iteration, %llu iterations):",
          (unsigned long long)ce->prof_iters);
  for (int i = 0; i < PROF_PHASES; i++)
    fprintf(stderr, " %s %.0f (%.0f%%)", prof_names[i], sum[i] / (double)ce->prof_iters,
            100.0 * sum[i] / (all > 0 ? all : 1));
  const double it = (double)ce->prof_iters;
  fprintf(stderr,
          "; rows rescanned per iteration %.2f (incremental selection): first step %.3f, "
          "tabu expiry %.2f, moved last %.2f, other %.2f\n",
          (sum[PROF_PHASES] + sum[PROF_PHASES + 1] + sum[PROF_PHASES + 2] + sum[PROF_PHASES + 3]) /
              it,
          sum[PROF_PHASES] / it, sum[PROF_PHASES + 1] / it, sum[PROF_PHASES + 2] / it,
          sum[PROF_PHASES + 3] / it);
  free(h);
}

extern "C" void gpu1_destroy(gpu1_engine *ce) {
  if (!ce) return;
  for (uint32_t g = 0; g < ce->groups; g++)
    if (ce->grp[g].in_flight) CHECK_CUDA(cudaEventSynchronize(ce->grp[g].ev[EV_DOWN]));
  for (int i = PRISM_STREAMS_GROUP; i < PRISM_STREAMS; i++)
    CHECK_CUDA(cudaStreamSynchronize(ce->stream[i]));
  for (uint32_t g = 0; g < ce->groups; g++) {
    CHECK_CUDA(cudaStreamSynchronize(ce->grp[g].up));
    CHECK_CUDA(cudaStreamSynchronize(ce->grp[g].ex));
    CHECK_CUDA(cudaStreamSynchronize(ce->grp[g].down));
  }
  print_profile(ce);
  engine_free(ce);
}

/* ---------------------------------------------- elite migration (multi.cu) */

extern "C" int gpu1_group_idle(const gpu1_engine *ce, uint32_t group) {
  const group_state *gs = group_of((gpu1_engine *)ce, group);
  return gs->launched_once && !gs->in_flight;
}

extern "C" cudaStream_t gpu1_peer_stream(const gpu1_engine *ce) {
  return ce->stream[PRISM_STREAM_PEER];
}

static size_t replica_offset(const gpu1_engine *ce, uint32_t group, uint32_t i) {
  const group_state *gs = group_of((gpu1_engine *)ce, group);
  if (!gs->launched_once || i >= gs->count)
    prism_die("CUDA engine: replica %u of group %u (of %u, launched %d)", i, group, gs->count,
              gs->launched_once);
  return (size_t)(gs->first + i) * ce->n;
}

extern "C" uint32_t *gpu1_color_ptr(const gpu1_engine *ce, uint32_t group, uint32_t i) {
  return ce->d_color + replica_offset(ce, group, i);
}

extern "C" uint32_t *gpu1_best_ptr(const gpu1_engine *ce, uint32_t group, uint32_t i) {
  return ce->d_best + replica_offset(ce, group, i);
}

extern "C" void gpu1_peer_touched(gpu1_engine *ce, uint32_t group) {
  group_state *gs = group_of(ce, group);
  if (gs->in_flight) prism_die("CUDA engine: migration copy on group %u in flight", group);
  CHECK_CUDA(cudaEventRecord(gs->ev_peer, ce->stream[PRISM_STREAM_PEER]));
  gs->peer_pending = 1;
}

extern "C" void gpu1_preloaded(gpu1_engine *ce, uint32_t group, uint32_t i, uint64_t hash) {
  const size_t o = replica_offset(ce, group, i) / ce->n;
  ce->pre[o] = 1;
  ce->pre_hash[o] = hash;
}

extern "C" void gpu1_stats(const gpu1_engine *ce, prism_cuda_stats *out) {
  if (!ce) {
    memset(out, 0, sizeof *out);
    return;
  }
  *out = ce->stats;
}
