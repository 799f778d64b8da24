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
#include "cuda/kernel_compat.cuh"
#include "util/check.h"
#include "util/philox.h"

#define GPU_MAX_THREADS 512
#define GPU_MAX_WARPS (GPU_MAX_THREADS / 32)
#define GPU_NONE 0xFFFFFFFFu
#define FULL_MASK 0xFFFFFFFFu

/* PRISM_CUDA_PROFILE: thread 0 of every block adds up the clock cycles of
 * each phase of an iteration; the engine prints the split at destroy
 * (dev/cuda/NOTES.md). Off in normal builds. */
#define PROF_PHASES 8
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
  uint32_t has_belief, clear_tabu, pad0, pad1;
} gpu_rep;

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

typedef struct kparams {
  const uint64_t *off;
  const uint32_t *adj;
  const int32_t *omega;
  uint32_t n, ck; /* cfg->k: the potential's top color is ck - 1 */
  int64_t mu, beta;
  uint32_t tun_thr, max_chain, tabu_base, alpha_fp, moves;
  uint64_t seed;
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
  uint32_t narrow_d; /* every move delta fits 32 bits (see run_batch) */
  unsigned long long *prof; /* R x PROF_PHASES cycles (PRISM_CUDA_PROFILE) */
} kparams;

static __host__ __device__ __forceinline__ size_t align16(size_t x) {
  return (x + 15) & ~(size_t)15;
}

/* Bytes of the per-replica "small" arrays: rinfo_d (8n), L, Lalt, rinfo_f
 * (4n each), in shared memory also color, omega, belief (4n each) and the
 * CSR offsets as 32-bit words (4n + 4); inlist (n). */
static __host__ __device__ __forceinline__ size_t small_size(uint32_t n, int in_smem) {
  return align16((size_t)n * (in_smem ? 37 : 21) + (in_smem ? 4 : 0));
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

/* NARROW: blocks of at most 256 threads, register budget for 3 blocks per
 * SM (78 registers, no spills on sm_90) instead of 106. */
template <typename GT, int NARROW>
__global__ void __launch_bounds__(NARROW ? 256 : GPU_MAX_THREADS, NARROW ? 3 : 1)
    tabu_batch_kernel(kparams p) {
  PRISM_DYN_SMEM(dsm);
  __shared__ int s_ncv;
  __shared__ uint32_t s_len, s_len2, s_qlen, s_cnt;
  __shared__ unsigned long long s_edelta;

  const uint32_t r = blockIdx.x, tid = threadIdx.x, T = blockDim.x;
  const uint32_t lane = tid & 31, warp = tid >> 5, nwarps = T >> 5;
  const uint32_t n = p.n;
  gpu_rep *st = p.rep + r;
#ifdef PRISM_CUDA_PROFILE
  long long prof[PROF_PHASES] = {0, 0, 0, 0, 0, 0, 0, 0}, prof_t = clock64();
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
  uint32_t *gcolor = p.color + rn, *gbelief = p.belief + rn, *gbest = p.best_color + rn;
  uint32_t *color;
  const uint32_t *belief;
  const int32_t *omega;
  const uint32_t *o32 = NULL; /* NULL: the 64-bit offsets in global memory */
  uint8_t *inlist;
  if (p.place & PLACE_SMALL) {
    color = rinfo_f + n;
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
    inlist = (uint8_t *)(rinfo_f + n);
  }
  uint64_t *tabu = p.tabu + rs;
  uint32_t *mark = p.mark + rn, *queue = p.queue + rn;

  /* ---- state */
  int64_t energy = st->energy, best_energy = st->best_energy, bce = st->best_color_energy;
  uint64_t iter = st->iter;
  uint32_t solved = st->solved, stamp = p.stamp[r];
  uint64_t moves = 0, metro_moves = 0, tunnels = 0, aborts = 0;
  const int bel_on = st->has_belief && p.beta != 0;
  const int64_t mu = p.mu, beta = bel_on ? p.beta : 0;
  const uint32_t topc = p.ck - 1, topr = k - 1;
  const uint32_t key0 = (uint32_t)p.seed, key1 = (uint32_t)(p.seed >> 32);
  const uint32_t id = st->id;
  const uint64_t iter0 = iter;
  /* scan groups: gs lanes per list entry (8, or the power of 2 >= k when
   * k < 8): several entries per warp share the per-vertex work, and the
   * colors pad to a multiple of gs, not of 32 */
  uint32_t gs = 8;
  while (gs > 1 && gs / 2 >= k) gs /= 2;
  const uint32_t sub = lane & (gs - 1), grp = tid / gs, ngrp = T / gs;

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
    for (uint32_t step = 0; step < p.moves; step++) {
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

      /* ---- scan */
      int64_t lbd;
      uint64_t lbk, lrk;
      if (p.narrow_d)
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
      const int64_t bd = lbd;
      uint32_t bv = GPU_NONE, bc = 0, ba = 0;
      if (bd != INT64_MAX) {
        const uint32_t bi = (uint32_t)lbk;
        bv = L[bi];
        bc = (unmix32((uint32_t)(lbk >> 32)) ^ salt) - bv * k;
        ba = rinfo_f[bi] & 0x7FFFFFFFu;
      }
      const uint32_t ri = (uint32_t)lrk;
      const uint32_t rv = L[ri], rf = rinfo_f[ri], ra = rf & 0x7FFFFFFFu;
      const int r_allowed = (int)(rf >> 31);
      const int64_t dr = rinfo_d[ri];
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
      if (p.tun_thr && b0 < p.tun_thr) {
        int64_t delta = 0;
        if (kempe_chain<GT>(o32, p.off, p.adj, n, p.max_chain, G, k, color, omega, belief, bel_on,
                            mu, beta, topc, mark, queue, &stamp, &s_qlen, &s_edelta, rv, ra,
                            rc, &delta)) {
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
            (p.tabu_base ? (((uint64_t)b1 * p.tabu_base) >> 32) : 0) +
            (((uint64_t)p.alpha_fp * (uint32_t)ncv) >> 8);
        const uint32_t w = (uint32_t)omega[mv];
        const int is_r = mv == rv; /* whose prefetched adjacency words */
        const uint64_t ms0 = is_r ? rs0 : bs0, ms1 = is_r ? rs1 : bs1;
        const uint32_t q0 = is_r ? pr0 : pb0, q1 = is_r ? pr1 : pb1;
        uint32_t j = 0;
        for (uint64_t e = ms0 + tid; e < ms1; e += T, j++) {
          const uint32_t u = j == 0 ? q0 : j == 1 ? q1 : p.adj[e];
          const uint32_t ia = u * k + ma, ic = u * k + mc;
          const uint32_t ga = (uint32_t)G[ia] - w, gc = (uint32_t)G[ic] + w;
          G[ia] = (GT)ga;
          G[ic] = (GT)gc;
          const uint32_t cu = color[u];
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
  for (uint32_t i = tid; i < len; i += T) {
    const uint32_t v = L[i];
    if (G[v * k + color[v]] > 0) cv_out[atomicAdd(&s_cnt, 1u)] = v;
  }
  if (tid == 0) {
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
    for (int i = 0; i < PROF_PHASES; i++) p.prof[(size_t)r * PROF_PHASES + i] += (unsigned long long)prof[i];
#endif
}

/* ------------------------------------------------------------------ host */

typedef void (*kernel_fn)(kparams);

struct prism_cuda_engine {
  uint32_t n, R, kmax, max_degree;
  kernel_fn kern;
  uint64_t adj_len;
  size_t stride;
  int threads, place_cap, g16;
  uint32_t place_alloc; /* parts with global storage allocated: the complement */
  size_t smem_optin;
  int sms;
  /* device */
  uint64_t *d_off;
  uint32_t *d_adj;
  int32_t *d_omega;
  gpu_rep *d_rep;
  uint32_t *d_color, *d_best, *d_belief, *d_cv, *d_metro, *d_mark, *d_queue, *d_stamp;
  uint64_t *d_tabu;
  void *d_G;
  uint32_t *d_tf;
  unsigned char *d_small;
  unsigned long long *d_prof;
  uint64_t prof_iters;
  /* host, pinned */
  gpu_rep *h_rep;
  uint32_t *h_color, *h_best, *h_belief, *h_cv, *h_metro;
  int32_t *h_omega;
  int omega_valid;
  cudaStream_t stream;
  cudaEvent_t ev0, ev1;
  prism_cuda_stats stats;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Which parts fit in shared memory for k colors; *bytes gets the size. */
static uint32_t choose_place(const prism_cuda_engine *ce, uint32_t k, size_t *bytes) {
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

static int blocks_per_sm(const prism_cuda_engine *ce, size_t smem) {
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
static uint32_t choose_occupancy(prism_cuda_engine *ce, uint32_t kmax, int *nb) {
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

static void pick_kernel(prism_cuda_engine *ce) {
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

static void engine_free(prism_cuda_engine *ce) {
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
  cudaFree(ce->d_prof);
  cudaFreeHost(ce->h_rep);
  cudaFreeHost(ce->h_color);
  cudaFreeHost(ce->h_best);
  cudaFreeHost(ce->h_belief);
  cudaFreeHost(ce->h_cv);
  cudaFreeHost(ce->h_metro);
  free(ce->h_omega);
  if (ce->stream) cudaStreamDestroy(ce->stream);
  if (ce->ev0) cudaEventDestroy(ce->ev0);
  if (ce->ev1) cudaEventDestroy(ce->ev1);
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

extern "C" prism_cuda_engine *prism_cuda_engine_create(const prism_graph *g,
                                                       uint32_t replicas, uint32_t kmax,
                                                       char *err, unsigned err_len) {
  const uint32_t n = g->n, R = replicas;
  if (R == 0 || n == 0) {
    snprintf(err, err_len, "the CUDA engine needs at least one replica and one vertex");
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
  prism_cuda_engine *ce = (prism_cuda_engine *)calloc(1, sizeof *ce);
  if (!ce) {
    snprintf(err, err_len, "out of host memory");
    return NULL;
  }
  ce->n = n;
  ce->R = R;
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
  ce->g16 = env_int("PRISM_CUDA_G16", 1) != 0 &&
            (uint64_t)g->max_degree * PRISM_WMAX <= 0xFFFFu;
  /* threads: 256, unless every replica has an SM of its own or only one
   * block fits an SM anyway: then 512 (a replica goes faster with more) */
  pick_kernel(ce);
  int nb = 0;
  uint32_t place = choose_occupancy(ce, kmax, &nb);
  if (!th_env && (R <= (uint32_t)ce->sms || nb <= 1)) {
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
  const size_t graph_bytes = ((size_t)n + 1) * 8 + (size_t)ce->adj_len * 4 + (size_t)n * 4;
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
  DALLOC(ce->d_omega, (size_t)n * 4);
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
  if (!(place & PLACE_SMALL)) DALLOC(ce->d_small, (size_t)R * small_size(n, 0));
  if (!(place & PLACE_G)) DALLOC(ce->d_G, (size_t)R * nk * gsz);
  if (!(place & PLACE_TABU)) DALLOC(ce->d_tf, (size_t)R * nk * 4);
#ifdef PRISM_CUDA_PROFILE
  DALLOC(ce->d_prof, (size_t)R * PROF_PHASES * 8);
#endif
#undef DALLOC
  if (fail) {
    char why[256];
    snprintf(why, sizeof why, "%s", err);
    snprintf(err, err_len, "graph too large for the GPU: %s", why);
    engine_free(ce);
    return NULL;
  }
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_rep, (size_t)R * sizeof(gpu_rep)));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_color, (size_t)R * n * 4));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_best, (size_t)R * n * 4));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_belief, (size_t)R * n * 4));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_cv, (size_t)R * n * 4));
  CHECK_CUDA(cudaMallocHost((void **)&ce->h_metro, (size_t)R * METRO_BYTES));
  ce->h_omega = (int32_t *)malloc((size_t)n * 4);
  if (!ce->h_omega) prism_die("out of memory");
  CHECK_CUDA(cudaStreamCreate(&ce->stream));
  CHECK_CUDA(cudaEventCreate(&ce->ev0));
  CHECK_CUDA(cudaEventCreate(&ce->ev1));
  CHECK_CUDA(cudaMemcpy(ce->d_off, g->offsets, ((size_t)n + 1) * 8, cudaMemcpyHostToDevice));
  if (ce->adj_len)
    CHECK_CUDA(cudaMemcpy(ce->d_adj, g->adj, (size_t)ce->adj_len * 4, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemset(ce->d_tabu, 0, (size_t)R * nk * 8));
  CHECK_CUDA(cudaMemset(ce->d_mark, 0, (size_t)R * n * 4));
  CHECK_CUDA(cudaMemset(ce->d_stamp, 0, (size_t)R * 4));
  CHECK_CUDA(cudaMemset(ce->d_belief, 0, (size_t)R * n * 4));
  if (ce->d_prof) CHECK_CUDA(cudaMemset(ce->d_prof, 0, (size_t)R * PROF_PHASES * 8));
  ce->stats.threads = ce->threads;
  ce->stats.sms = ce->sms;
  ce->stats.g16 = ce->g16;
  snprintf(err, err_len, "%s", prop.name);
  return ce;
}

extern "C" void prism_cuda_engine_run_batch(prism_cuda_engine *ce, prism_replica *reps,
                                            uint32_t replicas, const prism_batch_cfg *cfg) {
  const double t0 = now_s();
  const uint32_t n = ce->n;
  if (replicas > ce->R) prism_die("CUDA engine: %u replicas, created for %u", replicas, ce->R);
  if (cfg->n != n) prism_die("CUDA engine: cfg->n = %u, graph has %u vertices", cfg->n, n);
  if (replicas == 0) return;
  if (cfg->k < 1) prism_die("CUDA engine: cfg->k = 0");

  /* vertex weights: upload when they changed */
  if (!ce->omega_valid || memcmp(ce->h_omega, cfg->omega, (size_t)n * 4)) {
    for (uint32_t v = 0; v < n; v++)
      if (cfg->omega[v] < 1 || cfg->omega[v] > PRISM_WMAX)
        prism_die("CUDA engine: vertex weight omega[%u] = %d outside [1, %d]", v,
                  cfg->omega[v], PRISM_WMAX);
    memcpy(ce->h_omega, cfg->omega, (size_t)n * 4);
    CHECK_CUDA(cudaMemcpyAsync(ce->d_omega, ce->h_omega, (size_t)n * 4, cudaMemcpyHostToDevice,
                               ce->stream));
    ce->omega_valid = 1;
  }

  /* per-replica scalars, ladder tables, dirty colors */
  uint32_t kbig = 0;
  int any_dirty = 0;
  for (uint32_t i = 0; i < replicas; i++) {
    prism_replica *r = &reps[i];
    if (r->n != n) prism_die("CUDA engine: replica %u has %u vertices, not %u", i, r->n, n);
    if (r->k < 2 || r->k > ce->kmax)
      prism_die("CUDA engine: replica %u has k = %u, outside [2, %u]", i, r->k, ce->kmax);
    if (!r->metro_thr) prism_die("CUDA engine: replica %u has no Metropolis table", i);
    if (r->k > kbig) kbig = r->k;
    gpu_rep *h = &ce->h_rep[i];
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
    memcpy(ce->h_metro + (size_t)i * PRISM_METRO_LEVELS, r->metro_thr, METRO_BYTES);
    if (r->dirty) any_dirty = 1;
  }
  if (any_dirty) {
    /* the host mirror equals the device state for clean replicas, so all go */
    for (uint32_t i = 0; i < replicas; i++) {
      prism_replica *r = &reps[i];
      memcpy(ce->h_color + (size_t)i * n, r->color, (size_t)n * 4);
      memcpy(ce->h_best + (size_t)i * n, r->best_color, (size_t)n * 4);
      if (r->belief) memcpy(ce->h_belief + (size_t)i * n, r->belief, (size_t)n * 4);
      else memset(ce->h_belief + (size_t)i * n, 0, (size_t)n * 4);
      r->dirty = 0;
    }
    const size_t b = (size_t)replicas * n * 4;
    CHECK_CUDA(cudaMemcpyAsync(ce->d_color, ce->h_color, b, cudaMemcpyHostToDevice, ce->stream));
    CHECK_CUDA(cudaMemcpyAsync(ce->d_best, ce->h_best, b, cudaMemcpyHostToDevice, ce->stream));
    CHECK_CUDA(cudaMemcpyAsync(ce->d_belief, ce->h_belief, b, cudaMemcpyHostToDevice, ce->stream));
  }
  CHECK_CUDA(cudaMemcpyAsync(ce->d_rep, ce->h_rep, (size_t)replicas * sizeof(gpu_rep),
                             cudaMemcpyHostToDevice, ce->stream));
  CHECK_CUDA(cudaMemcpyAsync(ce->d_metro, ce->h_metro, (size_t)replicas * METRO_BYTES,
                             cudaMemcpyHostToDevice, ce->stream));

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
  p.omega = ce->d_omega;
  p.n = n;
  p.ck = cfg->k;
  p.mu = cfg->mu;
  p.beta = cfg->beta;
  p.tun_thr = cfg->tun_thr;
  p.max_chain = cfg->max_chain;
  p.tabu_base = cfg->tabu_base;
  p.alpha_fp = cfg->alpha_fp;
  p.moves = cfg->moves;
  p.seed = cfg->seed;
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
  /* 16-bit G: w * G <= 64 * 65535 < 2^22; with |mu|, |beta| < 2^24 every
   * delta is below 2^27 in magnitude */
  p.narrow_d = ce->g16 && cfg->mu > -(1 << 24) && cfg->mu < (1 << 24) &&
               cfg->beta > -(1 << 24) && cfg->beta < (1 << 24);
  p.prof = ce->d_prof;

  const unsigned smem_u = (unsigned)smem;
  CHECK_CUDA(cudaEventRecord(ce->ev0, ce->stream));
  PRISM_LAUNCH(ce->kern, replicas, ce->threads, smem_u, ce->stream, p);
  CHECK_CUDA_LAUNCH();
  CHECK_CUDA(cudaEventRecord(ce->ev1, ce->stream));

  const size_t b = (size_t)replicas * n * 4;
  CHECK_CUDA(cudaMemcpyAsync(ce->h_rep, ce->d_rep, (size_t)replicas * sizeof(gpu_rep),
                             cudaMemcpyDeviceToHost, ce->stream));
  CHECK_CUDA(cudaMemcpyAsync(ce->h_color, ce->d_color, b, cudaMemcpyDeviceToHost, ce->stream));
  CHECK_CUDA(cudaMemcpyAsync(ce->h_best, ce->d_best, b, cudaMemcpyDeviceToHost, ce->stream));
  CHECK_CUDA(cudaMemcpyAsync(ce->h_cv, ce->d_cv, b, cudaMemcpyDeviceToHost, ce->stream));
  CHECK_CUDA(cudaStreamSynchronize(ce->stream));

  for (uint32_t i = 0; i < replicas; i++) {
    prism_replica *r = &reps[i];
    const gpu_rep *h = &ce->h_rep[i];
    memcpy(r->color, ce->h_color + (size_t)i * n, (size_t)n * 4);
    memcpy(r->best_color, ce->h_best + (size_t)i * n, (size_t)n * 4);
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
    r->ncv = h->ncv;
    for (uint32_t v = 0; v < n; v++) r->cvpos[v] = PRISM_NONE;
    const uint32_t *cv = ce->h_cv + (size_t)i * n;
    for (uint32_t j = 0; j < h->ncv; j++) {
      r->cv[j] = cv[j];
      r->cvpos[cv[j]] = j;
    }
  }

  float ms = 0;
  CHECK_CUDA(cudaEventElapsedTime(&ms, ce->ev0, ce->ev1));
  const int nb = blocks_per_sm(ce, smem);
  ce->stats.smem_small = (place & PLACE_SMALL) != 0;
  ce->stats.smem_G = (place & PLACE_G) != 0;
  ce->stats.smem_tabu = (place & PLACE_TABU) != 0;
  ce->stats.smem_bytes = smem_u;
  ce->stats.blocks_per_sm = nb;
  ce->stats.kernel_ms = ms;
  ce->stats.batch_ms = (now_s() - t0) * 1e3;
}

/* PRISM_CUDA_PROFILE: the cycle split of an iteration, summed over blocks. */
static void print_profile(prism_cuda_engine *ce) {
  if (!ce->d_prof || ce->prof_iters == 0) return;
  unsigned long long *h = (unsigned long long *)calloc((size_t)ce->R * PROF_PHASES, 8);
  CHECK_CUDA(cudaMemcpy(h, ce->d_prof, (size_t)ce->R * PROF_PHASES * 8, cudaMemcpyDeviceToHost));
  double sum[PROF_PHASES] = {0}, all = 0;
  for (uint32_t r = 0; r < ce->R; r++)
    for (int i = 0; i < PROF_PHASES; i++) sum[i] += (double)h[(size_t)r * PROF_PHASES + i];
  for (int i = 0; i < PROF_PHASES; i++) all += sum[i];
  fprintf(stderr, "cuda profile (thread 0, cycles per iteration, %llu iterations):",
          (unsigned long long)ce->prof_iters);
  for (int i = 0; i < PROF_PHASES; i++)
    fprintf(stderr, " %s %.0f (%.0f%%)", prof_names[i], sum[i] / (double)ce->prof_iters,
            100.0 * sum[i] / (all > 0 ? all : 1));
  fprintf(stderr, "\n");
  free(h);
}

extern "C" void prism_cuda_engine_destroy(prism_cuda_engine *ce) {
  if (!ce) return;
  CHECK_CUDA(cudaStreamSynchronize(ce->stream));
  print_profile(ce);
  engine_free(ce);
}

extern "C" void prism_cuda_engine_stats(const prism_cuda_engine *ce, prism_cuda_stats *out) {
  if (!ce) {
    memset(out, 0, sizeof *out);
    return;
  }
  *out = ce->stats;
}
