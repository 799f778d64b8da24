/* kernel.cuh - the device side of the CUDA engine (included by engine_gpu.cu
 * only, which holds the host side): the per-replica tables' layout, the
 * batch kernel and the telemetry reduction. engine_gpu.cu's header comment
 * and docs/cuda.md describe an iteration; the incremental move selection
 * is in incr.cuh. */
#ifndef PRISM_CUDA_KERNEL_CUH
#define PRISM_CUDA_KERNEL_CUH

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
  uint32_t has_belief, clear_tabu, conflicts, mode; /* mode: PRISM_MODE_TABUCOL or _PARTIALCOL */
  uint32_t pc_tenure, pc_window, pc_lo, pc_hi;      /* PartialCol's reactive tenure */
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
  uint32_t pc_tabu_base, pc_alpha_fp, pc_react; /* PartialCol's tenure (partialcol.cuh) */
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
  int32_t *pc_G;            /* PartialCol: R x stride colored-neighbour counts */
  uint32_t *pc_pos, *pc_x;  /* PartialCol: R x n list positions, uncolored-neighbour scratch */
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
#include "cuda/partialcol.cuh"

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
  if (st->mode == PRISM_MODE_PARTIALCOL) { /* partialcol.cuh; s_red: the slots' bytes */
    pc_batch_body(p, (unsigned long long *)(dsm + METRO_BYTES), s_len, s_len2, s_stop);
    return;
  }
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

#endif
