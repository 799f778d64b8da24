/* engine_gpu.cu - the CUDA engine: prism_replica_run_batch (replica.c) for a
 * whole population in one launch, one thread block per replica, taking move
 * for move the same steps as the CPU. docs/cuda.md describes the layout.
 *
 * Per iteration a block does (two block barriers, S1 and S3):
 *   scan    every thread takes an equal slice of the (conflict list x colors)
 *           candidates: its best allowed move by (d, mix32 key), the random
 *           vertex by mix32(v ^ salt2), and for each conflicting vertex the
 *           delta / tabu state of its random color, stored by list index;
 *   S1      warp butterflies, one slot per warp, every warp folds the slots,
 *           so every thread holds the same winners (no broadcast barrier);
 *   decide  tunneling (Kempe chain, block-wide BFS), Metropolis, best move:
 *           uniform control flow, identical in every thread;
 *   apply   the neighbours of the moved vertex in parallel: G rows, conflict
 *           count, list appends (list entries that stopped conflicting are
 *           dropped lazily, by a compaction when the list is twice too long);
 *   S3      then the best coloring is copied when the energy improved.
 * The conflict list is a set: its order differs from the CPU's, which only
 * matters to nothing (every choice is an argmin over unique keys). */
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

#define GPU_MAX_THREADS 512
#define GPU_MAX_WARPS (GPU_MAX_THREADS / 32)
#define GPU_NONE 0xFFFFFFFFu
#define FULL_MASK 0xFFFFFFFFu

/* PRISM_CUDA_PROFILE: thread 0 of every block adds up the clock cycles of
 * each phase of an iteration; the engine prints the split at destroy
 * (dev/cuda/NOTES.md). Off in normal builds. */
#define PROF_PHASES 8
#define PROF_SLOTS (PROF_PHASES + 2) /* + counts: rows rescanned, candidate rows (incr.cuh) */
#ifdef PRISM_CUDA_PROFILE
#define PROF_MARK(i)                  \
  do {                                \
    if (tid == 0) {                   \
      long long t_ = clock64();       \
      prof[i] += t_ - prof_t;         \
      prof_t = t_;                    \
    }                                 \
  } while (0)
#else
#define PROF_MARK(i) \
  do {               \
  } while (0)
#endif
static const char *const prof_names[PROF_PHASES] = {
    "compact+top", "scan", "reduce+S1", "decide", "kempe", "apply", "S3+best", "setup+end"};

#define PLACE_SMALL 1u /* colors, weights, belief, list, scan info */
#define PLACE_G 2u     /* the G table */
#define PLACE_TABU 4u  /* the batch-relative tabu copy */

/* Per-replica scalars: uploaded before, downloaded after every batch. */
typedef struct gpu_rep {
  int64_t energy, best_energy, best_color_energy;
  uint64_t iter;
  uint64_t moves, metro_moves, tunnels, tunnel_aborts;
  uint32_t id, k, ncv, solved;
  uint32_t has_belief, clear_tabu, conflicts, pad1;
} gpu_rep;

/* The RuntimeConfig of one batch as the kernel reads it: built on the host
 * from prism_batch_cfg, published into a pinned triple buffer and copied to
 * the device on the upload stream before the kernel that reads it. */
typedef struct gpu_cfg {
  int64_t mu, beta;
  uint64_t seed;
  uint64_t seq;       /* batch sequence number of the group (telemetry echoes it) */
  double t_publish;   /* host clock at publish (latency measurements; not read on device) */
  const int32_t *omega_host; /* the group's weights on the host (uploaded when changed) */
  uint32_t k, tun_thr, max_chain, tabu_base, alpha_fp, moves, narrow_d;
  uint32_t incr;    /* the incremental selection (incr.cuh) runs: set at launch */
  uint32_t incr_ok; /* it may run (narrow deltas, k <= 65536, not switched off) */
  uint32_t pad;
} gpu_cfg;

/* KernelTelemetry: one record per batch and group, reduced on the device
 * from the replicas' scalars, downloaded into a pinned triple buffer and
 * published there by a host callback once the copy has landed. */
typedef struct gpu_tel {
  uint64_t moves, metro_moves, tunnels, tunnel_aborts;
  uint64_t conflicts_sum; /* plain conflicting edges, summed over replicas */
  uint64_t best;          /* (conflicts << 32) | replica of the fewest */
  uint64_t ncv_sum;       /* conflicting vertices, summed */
  uint64_t seq;           /* the config's sequence number */
  uint32_t solved, count;
  double t_published;     /* host clock when the callback published it */
} gpu_tel;

/* One warp's partial winners. */
typedef struct gpu_slot {
  int64_t d;   /* best move delta (INT64_MAX: none) */
  uint64_t bk; /* key << 32 | list index of the best move */
  uint64_t rk; /* mix32(v ^ salt2) << 32 | list index of the random vertex */
} gpu_slot;

#define METRO_BYTES (PRISM_METRO_LEVELS * 4u)
#define SLOT_BYTES (GPU_MAX_WARPS * (unsigned)sizeof(gpu_slot))
#define RNG_AHEAD 64u /* iterations whose Philox words are made at once */
#define RNG_BYTES (RNG_AHEAD * 32u)
#define HEAD_BYTES (METRO_BYTES + SLOT_BYTES + RNG_BYTES)

/* The kernel reads the host's stop flag every this many iterations (a
 * mapped-memory read and a barrier: negligible against 256 iterations). */
#define GPU_STOP_EVERY 256

typedef struct kparams {
  const uint64_t *off;
  const uint32_t *adj;
  const int32_t *omega;
  uint32_t n;
  uint32_t r0;          /* first replica of this launch (its group) */
  const gpu_cfg *cfg;   /* this batch's RuntimeConfig, on the device */
  size_t stride; /* per-replica slice of the n x kmax tables */
  gpu_rep *rep;
  uint32_t *color, *best_color, *belief, *cv_out; /* R x n */
  uint64_t *tabu;                                 /* R x stride, exact */
  const uint32_t *metro;                          /* R x PRISM_METRO_LEVELS */
  uint32_t *mark, *queue, *stamp;                 /* Kempe scratch */
  void *gG;                                       /* R x stride, when not in smem */
  uint32_t *gtf;                                  /* R x stride, when not in smem */
  unsigned char *gsmall;                          /* R x small_bytes, when not in smem */
  uint32_t place, small_bytes;
  uint32_t off32; /* the adjacency has < 2^32 entries: 32-bit offsets fit */
  unsigned long long *prof; /* R x PROF_PHASES cycles (PRISM_CUDA_PROFILE) */
  const volatile int *stop; /* mapped host flag: end the batch early (deadline, signal) */
} kparams;

static __host__ __device__ __forceinline__ size_t align16(size_t x) {
  return (x + 15) & ~(size_t)15;
}

/* Bytes of the per-replica "small" arrays: rinfo_d (8n), L, Lalt, rinfo_f
 * (4n each), the row minima of the incremental selection (im, ia, icnt, inx:
 * 4n each), in shared memory also color, omega, belief (4n each) and the CSR
 * offsets as 32-bit words (4n + 4); inlist (n). */
static __host__ __device__ __forceinline__ size_t small_size(uint32_t n, int in_smem) {
  return align16((size_t)n * (in_smem ? 53 : 37) + (in_smem ? 4 : 0));
}

/* Start of v's adjacency: the 32-bit copy in shared memory when there. */
__device__ __forceinline__ uint64_t row_at(const uint32_t *o32, const uint64_t *o64, uint32_t v) {
  return o32 ? (uint64_t)o32[v] : o64[v];
}

/* The inverse of prism_mix32. */
__device__ __forceinline__ uint32_t unmix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x43021123u;
  x ^= (x >> 15) ^ (x >> 30);
  x *= 0x1d69e2a5u;
  x ^= x >> 16;
  return x;
}

/* Atomic G updates (rebuild and Kempe); 16-bit entries through their 32-bit
 * word. Entries never go negative or past 65535, so no carry crosses halves. */
__device__ __forceinline__ void g_add(uint32_t *G, uint32_t i, uint32_t w) { atomicAdd(G + i, w); }
__device__ __forceinline__ void g_sub(uint32_t *G, uint32_t i, uint32_t w) { atomicSub(G + i, w); }
__device__ __forceinline__ void g_add(uint16_t *G, uint32_t i, uint32_t w) {
  uintptr_t a = (uintptr_t)(G + i);
  atomicAdd((unsigned int *)(a & ~(uintptr_t)3), w << ((a & 2) ? 16 : 0));
}
__device__ __forceinline__ void g_sub(uint16_t *G, uint32_t i, uint32_t w) {
  uintptr_t a = (uintptr_t)(G + i);
  atomicSub((unsigned int *)(a & ~(uintptr_t)3), w << ((a & 2) ? 16 : 0));
}

/* potential() of replica.c: bel = GPU_NONE and beta = 0 when the belief pull
 * is off. */
__device__ __forceinline__ int64_t pot(uint32_t col, uint32_t bel, uint32_t topc, int64_t mu,
                                       int64_t beta) {
  return (col == topc ? mu : 0) + (col != bel ? beta : 0);
}

__device__ __forceinline__ void best_merge(int64_t *d, uint64_t *bk, int64_t od, uint64_t obk) {
  if (od < *d || (od == *d && obk < *bk)) {
    *d = od;
    *bk = obk;
  }
}

/* Kempe-chain interchange of {a, b} on the chain through v, block-wide.
 * The chain is the connected component of v among colors a and b, whatever
 * the order it is found in; it is swapped iff it has at most max_chain
 * vertices (0: any), as in replica.c. Returns 1 when swapped, with the
 * potential-energy change in *delta. The conflict set does not change. */
template <typename GT>
__device__ int kempe_chain(const uint32_t *o32, const uint64_t *off, const uint32_t *adj, uint32_t n,
                           uint32_t max_chain, GT *G, uint32_t k, uint32_t *color,
                           const int32_t *omega, const uint32_t *belief, int bel_on,
                           int64_t mu, int64_t beta, uint32_t topc, uint32_t *mark,
                           uint32_t *queue, uint32_t *stamp, uint32_t *s_qlen,
                           unsigned long long *s_edelta, uint32_t v, uint32_t a, uint32_t b,
                           int64_t *delta) {
  const uint32_t tid = threadIdx.x, T = blockDim.x, lane = tid & 31, warp = tid >> 5,
                 nwarps = T >> 5;
  uint32_t s = *stamp + 1;
  if (s == 0) {
    for (uint32_t i = tid; i < n; i += T) mark[i] = 0;
    __syncthreads();
    s = 1;
  }
  *stamp = s;
  if (tid == 0) {
    mark[v] = s;
    queue[0] = v;
    *s_qlen = 1;
    *s_edelta = 0;
  }
  __syncthreads();
  const uint32_t limit = max_chain ? max_chain : GPU_NONE;
  uint32_t head = 0, tail = 1;
  while (head < tail) {
    for (uint32_t f = head + warp; f < tail; f += nwarps) {
      const uint32_t x = queue[f];
      const uint64_t e1 = row_at(o32, off, x + 1);
      for (uint64_t e = row_at(o32, off, x) + lane; e < e1; e += 32) {
        const uint32_t y = adj[e], cy = color[y];
        if ((cy == a || cy == b) && mark[y] != s && atomicExch(mark + y, s) != s) {
          uint32_t pos = atomicAdd(s_qlen, 1u);
          if (pos < n) queue[pos] = y;
        }
      }
    }
    __syncthreads();
    const uint32_t nt = *s_qlen;
    __syncthreads();
    if (nt > limit) return 0; /* the component is larger than max_chain */
    head = tail;
    tail = nt;
  }
  /* swap: warp per chain vertex; G entries shared by several chain vertices'
   * neighbourhoods, hence atomics */
  for (uint32_t f = warp; f < tail; f += nwarps) {
    const uint32_t x = queue[f], old = color[x], nc = old == a ? b : a;
    const uint32_t w = (uint32_t)omega[x];
    const uint64_t e1 = row_at(o32, off, x + 1);
    for (uint64_t e = row_at(o32, off, x) + lane; e < e1; e += 32) {
      const uint32_t u = adj[e];
      g_sub(G, u * k + old, w);
      g_add(G, u * k + nc, w);
    }
    __syncwarp();
    if (lane == 0) {
      const uint32_t bel = bel_on ? belief[x] : GPU_NONE;
      int64_t dlt = pot(nc, bel, topc, mu, beta) - pot(old, bel, topc, mu, beta);
      color[x] = nc;
      atomicAdd(s_edelta, (unsigned long long)dlt);
    }
  }
  __syncthreads();
  *delta = (int64_t)*s_edelta;
  return 1;
}

/* The scan of one iteration for this thread: groups of gs lanes take the
 * list entries in turn; in a group every lane reads the same vertex data
 * (broadcast) and takes the colors c = sub, sub + gs, ... . For each
 * conflicting vertex the lane that meets its random color stores the random
 * move's delta and tabu state at the entry's index. DT is the type of the
 * deltas: int32_t when they provably fit (16-bit G, small potentials; see
 * narrow_d), which halves the arithmetic, else int64_t. Out: this thread's
 * best (d, key << 32 | index) and random (key << 32 | index). */
/* Unrolling of the scan's color loop (dev/cuda/NOTES.md: measured). */
#ifndef PRISM_SCAN_UNROLL
#define PRISM_SCAN_UNROLL 4
#endif
static constexpr int SCAN_UNROLL = PRISM_SCAN_UNROLL;

template <typename GT, typename DT>
__device__ __forceinline__ void scan_list(
    const uint32_t *L, uint32_t len, uint32_t grp, uint32_t ngrp, uint32_t sub, uint32_t gs,
    const uint32_t *color, const GT *G, const int32_t *omega, const uint32_t *belief, int bel_on,
    uint32_t k, uint32_t topr, uint32_t topc, int64_t mu64, int64_t beta64, int64_t slack64,
    const uint32_t *tf, uint32_t step, uint32_t rc0, uint32_t salt, uint32_t salt2,
    int64_t *rinfo_d, uint32_t *rinfo_f, int64_t *out_d, uint64_t *out_bk, uint64_t *out_rk) {
  const DT dmax = sizeof(DT) == 4 ? (DT)INT32_MAX : (DT)INT64_MAX;
  const DT dmin = sizeof(DT) == 4 ? (DT)INT32_MIN : (DT)INT64_MIN;
  /* |d| < 2^28 when DT is 32-bit, so a clamped slack compares the same */
  const DT slack = slack64 > (int64_t)dmax ? dmax : slack64 < (int64_t)dmin ? dmin : (DT)slack64;
  const DT mu = (DT)mu64, beta = (DT)beta64;
  DT bd = dmax;
  uint64_t bk = UINT64_MAX, rk = UINT64_MAX;
  for (uint32_t i = grp; i < len; i += ngrp) {
    const uint32_t v = L[i], a = color[v], rowb = v * k;
    const DT ga = (DT)G[rowb + a];
    if (ga == 0) continue; /* stopped conflicting; dropped at compaction */
    const DT w = (DT)omega[v];
    const uint32_t bel = bel_on ? belief[v] : GPU_NONE;
    const DT pa = (a == topc ? mu : 0) + (a != bel ? beta : 0);
    const DT base = beta - w * ga - pa;
    const uint32_t rcv = rc0 + (rc0 >= a);
    if (sub == 0) {
      const uint64_t r = ((uint64_t)prism_mix32(v ^ salt2) << 32) | i;
      if (r < rk) rk = r;
    }
#pragma unroll SCAN_UNROLL
    for (uint32_t c = sub; c < k; c += gs) {
      if (c == a) continue;
      const DT g = (DT)G[rowb + c];
      DT d = w * g + base;
      if (c == topr) d += mu;
      if (c == bel) d -= beta;
      if (c == rcv) { /* the random move's data, for list index i */
        const DT dr = w * (g - ga) + (c == topc ? mu : 0) + (c != bel ? beta : 0) - pa;
        const int allowed = !(dr >= slack && tf[rowb + c] > step);
        rinfo_d[i] = (int64_t)dr;
        rinfo_f[i] = a | (allowed ? 0x80000000u : 0u);
      }
      if (d > bd) continue;
      if (d >= slack && tf[rowb + c] > step) continue; /* tabu, no aspiration */
      const uint64_t key = ((uint64_t)prism_mix32((v * k + c) ^ salt) << 32) | i;
      if (d < bd || key < bk) {
        bd = d;
        bk = key;
      }
    }
  }
  *out_d = bd == dmax ? INT64_MAX : (int64_t)bd;
  *out_bk = bk;
  *out_rk = rk;
}

#include "cuda/incr.cuh"

/* NARROW: blocks of at most 256 threads, register budget for 3 blocks per
 * SM (78 registers, no spills on sm_90) instead of 106. */
template <typename GT, int NARROW>
__global__ void __launch_bounds__(NARROW ? 256 : GPU_MAX_THREADS, NARROW ? 3 : 1)
    tabu_batch_kernel(kparams p) {
  PRISM_DYN_SMEM(dsm);
  __shared__ int s_ncv, s_stop;
  __shared__ uint32_t s_len, s_len2, s_qlen, s_cnt, s_conf2;
  __shared__ unsigned long long s_edelta;
  __shared__ uint32_t s_ccnt, s_rf; /* incremental selection: candidate rows, random move */
  __shared__ int64_t s_rd;

  const uint32_t r = p.r0 + blockIdx.x, tid = threadIdx.x, T = blockDim.x;
  const gpu_cfg *__restrict__ cf = p.cfg;
  const uint32_t c_moves = cf->moves, c_tun_thr = cf->tun_thr, c_max_chain = cf->max_chain,
                 c_tabu_base = cf->tabu_base, c_alpha_fp = cf->alpha_fp,
                 c_narrow_d = cf->narrow_d, c_incr = cf->incr;
  const uint32_t lane = tid & 31, warp = tid >> 5, nwarps = T >> 5;
  const uint32_t n = p.n;
  gpu_rep *st = p.rep + r;
#ifdef PRISM_CUDA_PROFILE
  long long prof[PROF_PHASES] = {0, 0, 0, 0, 0, 0, 0, 0}, prof_t = clock64();
  unsigned long long prof_rows = 0;
  __shared__ unsigned long long prof_rescans;
  if (tid == 0) prof_rescans = 0;
#endif
  const uint32_t k = st->k, nk = n * k;
  const size_t rn = (size_t)r * n, rs = (size_t)r * p.stride;

  /* ---- layout */
  unsigned char *cur = dsm;
  uint32_t *metro = (uint32_t *)cur;
  cur += METRO_BYTES;
  gpu_slot *slots = (gpu_slot *)cur;
  cur += SLOT_BYTES;
  prism_u32x4 *rng = (prism_u32x4 *)cur; /* [RNG_AHEAD][2]: A and B */
  cur += RNG_BYTES;
  unsigned char *small;
  if (p.place & PLACE_SMALL) {
    small = cur;
    cur += p.small_bytes;
  } else {
    small = p.gsmall + (size_t)r * p.small_bytes;
  }
  GT *G;
  if (p.place & PLACE_G) {
    G = (GT *)cur;
    cur += align16((size_t)nk * sizeof(GT));
  } else {
    G = (GT *)p.gG + rs;
  }
  uint32_t *tf = (p.place & PLACE_TABU) ? (uint32_t *)cur : p.gtf + rs;
  int64_t *rinfo_d = (int64_t *)small;
  uint32_t *L = (uint32_t *)(rinfo_d + n);
  uint32_t *Lalt = L + n;
  uint32_t *rinfo_f = Lalt + n;
  /* the incremental selection's rows (c_incr): im / ia = the least
   * e(v, c) = w_v G[v][c] + potential over the colors c != color[v] that are
   * not tabu / over all; icnt = how many colors reach each (low / high 16
   * bits); inx = the step at which the row goes stale (the first expiry of
   * a tabu color of v; 0: stale now) */
  int32_t *im = (int32_t *)(rinfo_f + n), *ia = im + n;
  uint32_t *icnt = (uint32_t *)(ia + n), *inx = icnt + n;
  uint32_t *gcolor = p.color + rn, *gbelief = p.belief + rn, *gbest = p.best_color + rn;
  uint32_t *color;
  const uint32_t *belief;
  const int32_t *omega;
  const uint32_t *o32 = NULL; /* NULL: the 64-bit offsets in global memory */
  uint8_t *inlist;
  if (p.place & PLACE_SMALL) {
    color = inx + n;
    int32_t *om = (int32_t *)(color + n);
    uint32_t *bl = (uint32_t *)(om + n);
    uint32_t *of = bl + n;
    inlist = (uint8_t *)(of + n + 1);
    for (uint32_t v = tid; v < n; v += T) {
      color[v] = gcolor[v];
      om[v] = p.omega[v];
    }
    if (st->has_belief)
      for (uint32_t v = tid; v < n; v += T) bl[v] = gbelief[v];
    if (p.off32) {
      for (uint32_t v = tid; v <= n; v += T) of[v] = (uint32_t)p.off[v];
      o32 = of;
    }
    omega = om;
    belief = bl;
  } else {
    color = gcolor;
    omega = p.omega;
    belief = gbelief;
    inlist = (uint8_t *)(inx + n);
  }
  for (uint32_t v = tid; v < n; v += T) inx[v] = 0; /* every row stale */
  uint64_t *tabu = p.tabu + rs;
  uint32_t *mark = p.mark + rn, *queue = p.queue + rn;

  /* ---- state */
  int64_t energy = st->energy, best_energy = st->best_energy, bce = st->best_color_energy;
  uint64_t iter = st->iter;
  uint32_t solved = st->solved, stamp = p.stamp[r];
  uint64_t moves = 0, metro_moves = 0, tunnels = 0, aborts = 0;
  const int bel_on = st->has_belief && cf->beta != 0;
  const int64_t mu = cf->mu, beta = bel_on ? cf->beta : 0;
  const uint32_t topc = cf->k - 1, topr = k - 1;
  const int32_t mu32 = (int32_t)mu, beta32 = (int32_t)beta; /* c_incr: |mu|, |beta| < 2^24 */
  const uint32_t key0 = (uint32_t)cf->seed, key1 = (uint32_t)(cf->seed >> 32);
  const uint32_t id = st->id;
  const uint64_t iter0 = iter;
  /* scan groups: gs lanes per list entry (8, or the power of 2 >= k when
   * k < 8): several entries per warp share the per-vertex work, and the
   * colors pad to a multiple of gs, not of 32 */
  uint32_t gs = 8;
  while (gs > 1 && gs / 2 >= k) gs /= 2;
  const uint32_t sub = lane & (gs - 1), grp = tid / gs, ngrp = T / gs;
  /* the incremental selection's view of this replica (L and cand follow
   * the compaction's swaps: set at every selection) */
  incr_view<GT> V;
  V.L = L;
  V.cand = Lalt;
  V.ccol = rinfo_f;
  V.pk = rinfo_d;
  V.color = color;
  V.belief = belief;
  V.tf = tf;
  V.G = G;
  V.omega = omega;
  V.im = im;
  V.ia = ia;
  V.icnt = icnt;
  V.inx = inx;
  V.k = k;
  V.topr = topr;
  V.topc = topc;
  V.mu = mu32;
  V.beta = beta32;
  V.bel_on = bel_on;
#ifdef PRISM_CUDA_PROFILE
  V.prof_rescans = &prof_rescans;
#endif

  for (uint32_t i = tid; i < PRISM_METRO_LEVELS; i += T)
    metro[i] = p.metro[(size_t)r * PRISM_METRO_LEVELS + i];
  for (uint32_t i = tid; i < nk; i += T) G[i] = 0;
  {
    const int clear = st->clear_tabu != 0;
    for (uint32_t i = tid; i < nk; i += T) {
      uint64_t t = tabu[i];
      if (clear) {
        tabu[i] = 0;
        t = 0;
      }
      uint64_t rel = t > iter0 ? t - iter0 : 0;
      tf[i] = rel > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)rel;
    }
  }
  if (tid == 0) {
    s_len = 0;
    s_len2 = 0;
    s_cnt = 0;
    s_conf2 = 0;
    s_ccnt = 0;
  }
  __syncthreads();
  /* G from the colors: warp per vertex */
  for (uint32_t v = warp; v < n; v += nwarps) {
    const uint64_t e1 = p.off[v + 1];
    for (uint64_t e = p.off[v] + lane; e < e1; e += 32) {
      const uint32_t u = p.adj[e];
      g_add(G, v * k + color[u], (uint32_t)omega[u]);
    }
  }
  __syncthreads();
  for (uint32_t v = tid; v < n; v += T) {
    const int conf = G[v * k + color[v]] > 0;
    inlist[v] = (uint8_t)conf;
    if (conf) L[atomicAdd(&s_len, 1u)] = v;
  }
  __syncthreads();
  uint32_t len = s_len;
  int ncv = (int)len;
  if (tid == 0) s_ncv = ncv;

  PROF_MARK(7);
  if (ncv == 0) solved = 1;
  else
    for (uint32_t step = 0; step < c_moves; step++) {
      /* ---- the host's stop flag, every GPU_STOP_EVERY iterations (uniform) */
      if ((step & (GPU_STOP_EVERY - 1)) == GPU_STOP_EVERY - 1) {
        if (tid == 0) s_stop = *p.stop;
        __syncthreads();
        if (s_stop) break;
      }
      /* ---- the Philox words of the next RNG_AHEAD iterations, one per thread */
      if ((step & (RNG_AHEAD - 1)) == 0) {
        for (uint32_t j = tid; j < RNG_AHEAD; j += T) {
          const uint64_t it = iter + j;
          prism_u32x4 c = {{id, 0, (uint32_t)it, (uint32_t)(it >> 32)}};
          rng[2 * j] = prism_philox4x32(c, key0, key1);
          c.v[1] = 1;
          rng[2 * j + 1] = prism_philox4x32(c, key0, key1);
        }
        __syncthreads();
      }
      /* ---- drop list entries that stopped conflicting (a quarter too many) */
      if (len > (uint32_t)ncv + ((uint32_t)ncv >> 2) + 8u) {
        for (uint32_t i = tid; i < len; i += T) {
          const uint32_t v = L[i];
          if (G[v * k + color[v]] > 0) Lalt[atomicAdd(&s_len2, 1u)] = v;
          else inlist[v] = 0;
        }
        __syncthreads();
        len = s_len2;
        uint32_t *t = L;
        L = Lalt;
        Lalt = t;
        __syncthreads();
        if (tid == 0) {
          s_len = len;
          s_len2 = 0;
        }
      }

      PROF_MARK(0);
      const prism_u32x4 A = rng[2 * (step & (RNG_AHEAD - 1))],
                        B = rng[2 * (step & (RNG_AHEAD - 1)) + 1];
      const uint32_t salt = A.v[0], salt2 = A.v[1];
      const int64_t slack = best_energy - energy;
      const uint32_t rc0 = (uint32_t)(((uint64_t)A.v[2] * (k - 1)) >> 32);

      int64_t bd;
      uint32_t bv = GPU_NONE, bc = 0, ba = 0, rv, ra;
      int r_allowed;
      int64_t dr;
      if (c_incr) {
        /* ---- the incremental selection (incr.cuh) */
        V.L = L;
        V.cand = Lalt;
        int32_t lD;
        uint64_t lrk;
        incr_phase1(V, len, step, salt2, &lD, &lrk);
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
          const int32_t od = __shfl_xor_sync(FULL_MASK, lD, o);
          const uint64_t orr = __shfl_xor_sync(FULL_MASK, lrk, o);
          if (od < lD) lD = od;
          if (orr < lrk) lrk = orr;
        }
        if (lane == 0) {
          slots[warp].d = lD;
          slots[warp].rk = lrk;
        }
        __syncthreads(); /* S1 */
        {
          const gpu_slot *sl = slots + (lane & (nwarps - 1));
          lD = (int32_t)sl->d;
          lrk = sl->rk;
          for (uint32_t o = nwarps >> 1; o > 0; o >>= 1) {
            const int32_t od = __shfl_xor_sync(FULL_MASK, lD, (int)o);
            const uint64_t orr = __shfl_xor_sync(FULL_MASK, lrk, (int)o);
            if (od < lD) lD = od;
            if (orr < lrk) lrk = orr;
          }
        }
        PROF_MARK(1);
        const uint32_t ri = (uint32_t)lrk;
        incr_collect(V, len, lD, slack, ri, rc0, step, &s_ccnt, &s_rd, &s_rf);
        __syncthreads(); /* S1b */
        const uint32_t ccnt = s_ccnt;
#ifdef PRISM_CUDA_PROFILE
        prof_rows += ccnt;
#endif
        int64_t lbd;
        uint64_t lbk;
        /* few rows (the common case): a warp per row, so that a row's
         * colors take k / 32 steps instead of k / gs */
        if (ccnt <= nwarps)
          incr_scan_rows(V, ccnt, warp, nwarps, lane, 32, slack, step, salt, &lbd, &lbk);
        else
          incr_scan_rows(V, ccnt, grp, ngrp, sub, gs, slack, step, salt, &lbd, &lbk);
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
          const int64_t od = __shfl_xor_sync(FULL_MASK, lbd, o);
          const uint64_t ob = __shfl_xor_sync(FULL_MASK, lbk, o);
          best_merge(&lbd, &lbk, od, ob);
        }
        if (lane == 0) {
          slots[warp].d = lbd;
          slots[warp].bk = lbk;
        }
        __syncthreads(); /* S2 */
        {
          const gpu_slot *sl = slots + (lane & (nwarps - 1));
          lbd = sl->d;
          lbk = sl->bk;
          for (uint32_t o = nwarps >> 1; o > 0; o >>= 1) {
            const int64_t od = __shfl_xor_sync(FULL_MASK, lbd, (int)o);
            const uint64_t ob = __shfl_xor_sync(FULL_MASK, lbk, (int)o);
            best_merge(&lbd, &lbk, od, ob);
          }
        }
        if (tid == 0) s_ccnt = 0; /* read by all before S2; next written after the next S1 */
        PROF_MARK(2);
        bd = lbd;
        if (bd != INT64_MAX) {
          const uint32_t bi = (uint32_t)lbk;
          bv = Lalt[bi];
          bc = (unmix32((uint32_t)(lbk >> 32)) ^ salt) - bv * k;
          ba = rinfo_f[bi];
        }
        rv = L[ri];
        ra = s_rf & 0x7FFFFFFFu;
        r_allowed = (int)(s_rf >> 31);
        dr = s_rd;
      } else {
        /* ---- scan */
        int64_t lbd;
        uint64_t lbk, lrk;
        if (c_narrow_d)
          scan_list<GT, int32_t>(L, len, grp, ngrp, sub, gs, color, G, omega, belief, bel_on, k,
                                 topr, topc, mu, beta, slack, tf, step, rc0, salt, salt2, rinfo_d,
                                 rinfo_f, &lbd, &lbk, &lrk);
        else
          scan_list<GT, int64_t>(L, len, grp, ngrp, sub, gs, color, G, omega, belief, bel_on, k,
                                 topr, topc, mu, beta, slack, tf, step, rc0, salt, salt2, rinfo_d,
                                 rinfo_f, &lbd, &lbk, &lrk);
        PROF_MARK(1);
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
          const int64_t od = __shfl_xor_sync(FULL_MASK, lbd, o);
          const uint64_t ob = __shfl_xor_sync(FULL_MASK, lbk, o);
          const uint64_t orr = __shfl_xor_sync(FULL_MASK, lrk, o);
          best_merge(&lbd, &lbk, od, ob);
          if (orr < lrk) lrk = orr;
        }
        if (lane == 0) {
          slots[warp].d = lbd;
          slots[warp].bk = lbk;
          slots[warp].rk = lrk;
        }
        __syncthreads(); /* S1 */
        {
          const gpu_slot *sl = slots + (lane & (nwarps - 1));
          lbd = sl->d;
          lbk = sl->bk;
          lrk = sl->rk;
          for (uint32_t o = nwarps >> 1; o > 0; o >>= 1) {
            const int64_t od = __shfl_xor_sync(FULL_MASK, lbd, o);
            const uint64_t ob = __shfl_xor_sync(FULL_MASK, lbk, o);
            const uint64_t orr = __shfl_xor_sync(FULL_MASK, lrk, o);
            best_merge(&lbd, &lbk, od, ob);
            if (orr < lrk) lrk = orr;
          }
        }

        PROF_MARK(2);
        /* ---- decide (uniform) */
        bd = lbd;
        if (bd != INT64_MAX) {
          const uint32_t bi = (uint32_t)lbk;
          bv = L[bi];
          bc = (unmix32((uint32_t)(lbk >> 32)) ^ salt) - bv * k;
          ba = rinfo_f[bi] & 0x7FFFFFFFu;
        }
        const uint32_t ri = (uint32_t)lrk;
        rv = L[ri];
        const uint32_t rf = rinfo_f[ri];
        ra = rf & 0x7FFFFFFFu;
        r_allowed = (int)(rf >> 31);
        dr = rinfo_d[ri];
      }
      const uint32_t rc = rc0 + (rc0 >= ra);
      const uint32_t a3 = A.v[3], b0 = B.v[0], b1 = B.v[1];

      /* first adjacency words of both candidate moves, loaded early */
      const uint64_t rs0 = row_at(o32, p.off, rv), rs1 = row_at(o32, p.off, rv + 1);
      uint64_t bs0 = 0, bs1 = 0;
      if (bv != GPU_NONE) {
        bs0 = row_at(o32, p.off, bv);
        bs1 = row_at(o32, p.off, bv + 1);
      }
      uint32_t pr0 = 0, pr1 = 0, pb0 = 0, pb1 = 0; /* the first two strides */
      if (rs0 + tid < rs1) pr0 = p.adj[rs0 + tid];
      if (rs0 + tid + T < rs1) pr1 = p.adj[rs0 + tid + T];
      if (bs0 + tid < bs1) pb0 = p.adj[bs0 + tid];
      if (bs0 + tid + T < bs1) pb1 = p.adj[bs0 + tid + T];

      PROF_MARK(3);
      if (c_tun_thr && b0 < c_tun_thr) {
        int64_t delta = 0;
        if (kempe_chain<GT>(o32, p.off, p.adj, n, c_max_chain, G, k, color, omega, belief, bel_on,
                            mu, beta, topc, mark, queue, &stamp, &s_qlen, &s_edelta, rv, ra,
                            rc, &delta)) {
          if (c_incr) { /* colors moved along the chain: every row stale */
            for (uint32_t v = tid; v < n; v += T) inx[v] = 0;
            __syncthreads();
          }
          energy += delta;
          tunnels++;
          iter++;
          if (energy < best_energy) best_energy = energy;
          if (energy < bce) {
            bce = energy;
            for (uint32_t v = tid; v < n; v += T) gbest[v] = color[v];
          }
          PROF_MARK(4);
          continue;
        }
        aborts++;
        PROF_MARK(4);
      }

      uint32_t mv = bv, mc = bc, ma = ba;
      int64_t md = bd;
      if (r_allowed && (rv != bv || rc != bc)) {
        int accept = dr <= bd;
        if (!accept) {
          const int64_t diff = dr - bd;
          accept = diff < PRISM_METRO_LEVELS && a3 < metro[diff];
        }
        if (accept) {
          mv = rv;
          mc = rc;
          ma = ra;
          md = dr;
          metro_moves++;
        }
      }
      if (mv != GPU_NONE) {
        /* ---- apply */
        const uint64_t tenure =
            (c_tabu_base ? (((uint64_t)b1 * c_tabu_base) >> 32) : 0) +
            (((uint64_t)c_alpha_fp * (uint32_t)ncv) >> 8);
        const uint32_t w = (uint32_t)omega[mv];
        const int is_r = mv == rv; /* whose prefetched adjacency words */
        const uint64_t ms0 = is_r ? rs0 : bs0, ms1 = is_r ? rs1 : bs1;
        const uint32_t q0 = is_r ? pr0 : pb0, q1 = is_r ? pr1 : pb1;
        uint32_t j = 0;
        for (uint64_t e = ms0 + tid; e < ms1; e += T, j++) {
          const uint32_t u = j == 0 ? q0 : j == 1 ? q1 : p.adj[e];
          const uint32_t xa = u * k + ma, xc = u * k + mc;
          const uint32_t ga = (uint32_t)G[xa] - w, gc = (uint32_t)G[xc] + w;
          G[xa] = (GT)ga;
          G[xc] = (GT)gc;
          const uint32_t cu = color[u];
          if (c_incr) incr_carry(V, u, cu, ma, mc, ga, gc, w, step);
          if (cu == ma && ga == 0) {
            atomicSub(&s_ncv, 1);
          } else if (cu == mc && gc == w) {
            atomicAdd(&s_ncv, 1);
            if (!inlist[u]) {
              inlist[u] = 1;
              L[atomicAdd(&s_len, 1u)] = u;
            }
          }
        }
        if (tid == 0) {
          const size_t t = (size_t)mv * k + ma;
          tabu[t] = iter + 1 + tenure;
          inx[mv] = 0; /* new color, new tabu entry: its row is rescanned */
          const uint64_t rel = (uint64_t)step + 1 + tenure;
          tf[t] = rel > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)rel;
          const int before = G[mv * k + ma] > 0, now = G[mv * k + mc] > 0;
          color[mv] = mc;
          if (now && !before) {
            atomicAdd(&s_ncv, 1);
            if (!inlist[mv]) {
              inlist[mv] = 1;
              L[atomicAdd(&s_len, 1u)] = mv;
            }
          } else if (!now && before) {
            atomicSub(&s_ncv, 1);
          }
        }
        energy += md;
        moves++;
      }
      iter++;
      PROF_MARK(5);
      __syncthreads(); /* S3 */
      len = s_len;
      ncv = s_ncv;
      if (mv != GPU_NONE) {
        if (energy < best_energy) best_energy = energy;
        if (energy < bce) {
          bce = energy;
          for (uint32_t v = tid; v < n; v += T) gbest[v] = color[v];
        }
      }
      PROF_MARK(6);
      if (ncv == 0) {
        solved = 1;
        break;
      }
    }

  /* ---- write back: colors, the conflict set, the scalars */
  __syncthreads();
  if (p.place & PLACE_SMALL)
    for (uint32_t v = tid; v < n; v += T) gcolor[v] = color[v];
  uint32_t *cv_out = p.cv_out + rn;
  /* the conflict set, and the plain conflicting edges (telemetry): each
   * list entry's same-colored neighbours, every edge seen from both ends */
  for (uint32_t i = tid; i < len; i += T) {
    const uint32_t v = L[i];
    if (G[v * k + color[v]] > 0) {
      cv_out[atomicAdd(&s_cnt, 1u)] = v;
      const uint32_t cvv = color[v];
      uint32_t same = 0;
      for (uint64_t e = p.off[v]; e < p.off[v + 1]; e++) same += color[p.adj[e]] == cvv;
      atomicAdd(&s_conf2, same);
    }
  }
  __syncthreads();
  if (tid == 0) {
    st->conflicts = s_conf2 / 2;
    st->energy = energy;
    st->best_energy = best_energy;
    st->best_color_energy = bce;
    st->iter = iter;
    st->moves = moves;
    st->metro_moves = metro_moves;
    st->tunnels = tunnels;
    st->tunnel_aborts = aborts;
    st->ncv = (uint32_t)ncv;
    st->solved = solved;
    p.stamp[r] = stamp;
  }
#ifdef PRISM_CUDA_PROFILE
  PROF_MARK(7);
  if (tid == 0)
  {
    for (int i = 0; i < PROF_PHASES; i++) p.prof[(size_t)r * PROF_SLOTS + i] += (unsigned long long)prof[i];
    p.prof[(size_t)r * PROF_SLOTS + PROF_PHASES] += prof_rescans;
    p.prof[(size_t)r * PROF_SLOTS + PROF_PHASES + 1] += prof_rows;
  }
#endif
}

/* KernelTelemetry: reduce the group's replica scalars into one record (one
 * block; integer sums and a min over unique keys, so the order of the
 * atomics does not change the result). */
__global__ void telemetry_kernel(const gpu_rep *rep, uint32_t r0, uint32_t count,
                                 const gpu_cfg *cfg, gpu_tel *out) {
  __shared__ unsigned long long s_sum[6], s_best;
  __shared__ uint32_t s_solved;
  const uint32_t tid = threadIdx.x;
  if (tid < 6) s_sum[tid] = 0;
  if (tid == 0) {
    s_best = ~0ull;
    s_solved = 0;
  }
  __syncthreads();
  unsigned long long a[6] = {0, 0, 0, 0, 0, 0}, best = ~0ull;
  uint32_t solved = 0;
  for (uint32_t i = tid; i < count; i += blockDim.x) {
    const gpu_rep *s = rep + r0 + i;
    a[0] += s->moves;
    a[1] += s->metro_moves;
    a[2] += s->tunnels;
    a[3] += s->tunnel_aborts;
    a[4] += s->conflicts;
    a[5] += s->ncv;
    const unsigned long long key = (unsigned long long)s->conflicts << 32 | i;
    if (key < best) best = key;
    solved += s->solved != 0;
  }
  for (int j = 0; j < 6; j++) atomicAdd(&s_sum[j], a[j]);
  atomicMin(&s_best, best);
  atomicAdd(&s_solved, solved);
  __syncthreads();
  if (tid == 0) {
    out->moves = s_sum[0];
    out->metro_moves = s_sum[1];
    out->tunnels = s_sum[2];
    out->tunnel_aborts = s_sum[3];
    out->conflicts_sum = s_sum[4];
    out->ncv_sum = s_sum[5];
    out->best = s_best;
    out->solved = s_solved;
    out->count = count;
    out->seq = cfg->seq;
    out->t_published = 0;
  }
}

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
} group_state;

/* One finished batch on the timeline (host clock, seconds). */
typedef struct trace_rec {
  uint32_t group, kind; /* kind 0: a GPU batch, 1: a host span */
  uint64_t seq;
  const char *name;
  double t_publish, t[EV_N], t_tel;
} trace_rec;

struct gpu1_engine {
  uint32_t n, R, kmax, max_degree, groups;
  kernel_fn kern;
  uint64_t adj_len;
  size_t stride;
  int threads, place_cap, g16;
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
  const size_t nk = (size_t)ce->n * k;
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
 * the replicas outnumber the resident blocks and leaving the tabu copy in
 * global memory makes more blocks resident, that (a replica is
 * latency-bound, so resident blocks add up; G stays in shared memory: in
 * global memory it costs more than occupancy gives, measured). *nb gets the
 * resident blocks per SM. PRISM_CUDA_SMEM caps it. */
static uint32_t choose_occupancy(gpu1_engine *ce, uint32_t kmax, int *nb) {
  size_t bytes;
  uint32_t best = choose_place(ce, kmax, &bytes);
  *nb = blocks_per_sm(ce, bytes);
  if ((best & PLACE_TABU) && (uint64_t)*nb * (uint64_t)ce->sms < ce->R) {
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
      if (gs->cfg_tb) prism_triple_destroy(gs->cfg_tb);
      if (gs->tel_tb) prism_triple_destroy(gs->tel_tb);
    }
    free(ce->grp);
  }
  for (int i = 0; i < PRISM_STREAMS; i++)
    if (ce->stream[i]) cudaStreamDestroy(ce->stream[i]);
  if (ce->cal) cudaEventDestroy(ce->cal);
  free(ce->trace);
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

extern "C" gpu1_engine *gpu1_create(const prism_graph *g,
                                                       uint32_t replicas, uint32_t kmax,
                                                       uint32_t groups, char *err,
                                                       unsigned err_len) {
  const uint32_t n = g->n, R = replicas;
  if (R == 0 || n == 0) {
    snprintf(err, err_len, "the CUDA engine needs at least one replica and one vertex");
    return NULL;
  }
  if (groups == 0 || groups > R) {
    snprintf(err, err_len, "the CUDA engine needs 1 to %u groups, not %u", R, groups);
    return NULL;
  }
  if (kmax < 2) kmax = 2;
  if ((uint64_t)n * kmax > 0xFFFFFFFFull) {
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
  ce->n = n;
  ce->R = R;
  ce->groups = groups;
  ce->kmax = kmax;
  ce->max_degree = g->max_degree;
  ce->adj_len = g->offsets[n];
  ce->stride = ((size_t)n * kmax + 7) & ~(size_t)7;
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
  ce->g16 = env_int("PRISM_CUDA_G16", 1) != 0 &&
            (uint64_t)g->max_degree * PRISM_WMAX <= 0xFFFFu;
  /* threads: 256, unless every replica of a group has an SM of its own or
   * only one block fits an SM anyway: then 512 (a replica goes faster with
   * more) */
  pick_kernel(ce);
  int nb = 0;
  uint32_t place = choose_occupancy(ce, kmax, &nb);
  const uint32_t per_group = (R + groups - 1) / groups;
  if (!th_env && (per_group <= (uint32_t)ce->sms || nb <= 1)) {
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
  /* the stream pool: one stream per purpose (peer: multi-GPU transfers;
   * aux: clock calibration and auxiliary work) */
  for (int i = 0; i < PRISM_STREAMS; i++)
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
  }
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
  c->pad = 0;
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
    if (omega[v] < 1 || omega[v] > PRISM_WMAX)
      prism_die("CUDA engine: vertex weight omega[%u] = %d outside [1, %d]", v, omega[v],
                PRISM_WMAX);
  memcpy(gs->h_omega, omega, (size_t)n * 4);
  CHECK_CUDA(cudaMemcpyAsync(ce->d_omega + (size_t)group * n, gs->h_omega, (size_t)n * 4,
                             cudaMemcpyHostToDevice, ce->stream[PRISM_STREAM_UPLOAD]));
  gs->omega_valid = 1;
}

/* Runs on a CUDA callback thread once the telemetry copy has landed. */
static void CUDART_CB telemetry_arrived(void *arg) {
  group_state *gs = (group_state *)arg;
  gpu_tel *t = (gpu_tel *)prism_triple_back(gs->tel_tb);
  t->t_published = now_s();
  prism_triple_publish(gs->tel_tb);
}

extern "C" void gpu1_launch(gpu1_engine *ce, uint32_t group,
                                         prism_replica *reps, uint32_t first, uint32_t count) {
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
  gs->launched_incr = c->incr = c->incr_ok ? (uint32_t)incr_pick(ce, c->k) : 0u;
  ce->stats.incr_batches += c->incr;
  gs->t_publish = c->t_publish;
  cudaStream_t up = ce->stream[PRISM_STREAM_UPLOAD], ex = ce->stream[PRISM_STREAM_EXEC],
               down = ce->stream[PRISM_STREAM_DOWNLOAD];
  CHECK_CUDA(cudaEventRecord(gs->ev[EV_UP0], up));

  /* vertex weights: upload when they changed */
  upload_omega(ce, group, c->omega_host);
  uint32_t kbig = 0;
  int any_dirty = 0;
  for (uint32_t i = 0; i < count; i++) {
    prism_replica *r = &reps[i];
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
    memcpy(ce->h_metro + (size_t)(first + i) * PRISM_METRO_LEVELS, r->metro_thr, METRO_BYTES);
    if (r->dirty) any_dirty = 1;
  }
  if (any_dirty) {
    /* the host mirror equals the device state for clean replicas, so all go */
    for (uint32_t i = 0; i < count; i++) {
      prism_replica *r = &reps[i];
      const size_t o = (size_t)(first + i) * n;
      memcpy(ce->h_color + o, r->color, (size_t)n * 4);
      memcpy(ce->h_best + o, r->best_color, (size_t)n * 4);
      if (r->belief) memcpy(ce->h_belief + o, r->belief, (size_t)n * 4);
      else memset(ce->h_belief + o, 0, (size_t)n * 4);
      r->dirty = 0;
    }
    const size_t o = (size_t)first * n, b = (size_t)count * n * 4;
    CHECK_CUDA(cudaMemcpyAsync(ce->d_color + o, ce->h_color + o, b, cudaMemcpyHostToDevice, up));
    CHECK_CUDA(cudaMemcpyAsync(ce->d_best + o, ce->h_best + o, b, cudaMemcpyHostToDevice, up));
    CHECK_CUDA(cudaMemcpyAsync(ce->d_belief + o, ce->h_belief + o, b, cudaMemcpyHostToDevice, up));
  }
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
  if (place & PLACE_G) smem += align16((size_t)n * kbig * (ce->g16 ? 2 : 4));
  if (place & PLACE_TABU) smem += align16((size_t)n * kbig * 4);

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

  const unsigned smem_u = (unsigned)smem;
  CHECK_CUDA(cudaStreamWaitEvent(ex, gs->ev[EV_UP1], 0));
  CHECK_CUDA(cudaEventRecord(gs->ev[EV_K0], ex));
  PRISM_LAUNCH(ce->kern, count, ce->threads, smem_u, ex, p);
  CHECK_CUDA_LAUNCH();
  CHECK_CUDA(cudaEventRecord(gs->ev[EV_K1], ex));
  PRISM_LAUNCH(telemetry_kernel, 1, 256, 0, ex, ce->d_rep, first, count, gs->d_cfg, gs->d_tel);
  CHECK_CUDA_LAUNCH();

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
    memcpy(r->color, ce->h_color + o, (size_t)n * 4);
    memcpy(r->best_color, ce->h_best + o, (size_t)n * 4);
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
    for (uint32_t v = 0; v < n; v++) r->cvpos[v] = PRISM_NONE;
    const uint32_t *cv = ce->h_cv + o;
    prism_cv_clear(r);
    for (uint32_t j = 0; j < h->ncv; j++) prism_cv_add(r, cv[j]);
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
  for (int i = 0; i < PRISM_STREAMS; i++)
    fprintf(f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"stream %s\"}}",
            i + 1, ev_stream_name[i]);
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
    fprintf(f, ",\n{\"name\":\"upload g%u\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"seq\":%llu}}",
            r->group, PRISM_STREAM_UPLOAD + 1, US(r->t[EV_UP0]), 1e6 * (r->t[EV_UP1] - r->t[EV_UP0]),
            (unsigned long long)r->seq);
    fprintf(f, ",\n{\"name\":\"batch g%u\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"seq\":%llu}}",
            r->group, PRISM_STREAM_EXEC + 1, US(r->t[EV_K0]), 1e6 * (r->t[EV_K1] - r->t[EV_K0]),
            (unsigned long long)r->seq);
    fprintf(f, ",\n{\"name\":\"download g%u\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"seq\":%llu}}",
            r->group, PRISM_STREAM_DOWNLOAD + 1, US(r->t[EV_K1]), 1e6 * (r->t[EV_DOWN] - r->t[EV_K1]),
            (unsigned long long)r->seq);
    fprintf(f, ",\n{\"name\":\"telemetry on host\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":0,\"ts\":%.3f,\"args\":{\"group\":%u,\"seq\":%llu}}",
            US(r->t_tel), r->group, (unsigned long long)r->seq);
  }
#undef US
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
  fprintf(stderr, "; per iteration: rows rescanned %.2f, candidate rows %.2f (incremental selection)\n",
          sum[PROF_PHASES] / (double)ce->prof_iters, sum[PROF_PHASES + 1] / (double)ce->prof_iters);
  free(h);
}

extern "C" void gpu1_destroy(gpu1_engine *ce) {
  if (!ce) return;
  for (uint32_t g = 0; g < ce->groups; g++)
    if (ce->grp[g].in_flight) CHECK_CUDA(cudaEventSynchronize(ce->grp[g].ev[EV_DOWN]));
  for (int i = 0; i < PRISM_STREAMS; i++) CHECK_CUDA(cudaStreamSynchronize(ce->stream[i]));
  print_profile(ce);
  engine_free(ce);
}

extern "C" void gpu1_stats(const gpu1_engine *ce, prism_cuda_stats *out) {
  if (!ce) {
    memset(out, 0, sizeof *out);
    return;
  }
  *out = ce->stats;
}
