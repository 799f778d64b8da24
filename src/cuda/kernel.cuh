/* kernel.cuh - the device side of the CUDA engine (included by engine_gpu.cu
 * only, which holds the host side): the per-replica scalars, the batch's
 * config and telemetry records, the batch kernel (one block per replica:
 * TabuCol's pieces in tabucol.cuh, the incremental move selection in
 * incr.cuh, PartialCol in partialcol.cuh) and the telemetry reduction.
 * docs/cuda.md describes an iteration. */
#ifndef PRISM_CUDA_KERNEL_CUH
#define PRISM_CUDA_KERNEL_CUH

#define GPU_MAX_THREADS 512
#define GPU_MAX_WARPS (GPU_MAX_THREADS / 32)
#define GPU_NONE 0xFFFFFFFFu
#define FULL_MASK 0xFFFFFFFFu

/* PRISM_CUDA_PROFILE: thread 0 of every block adds up the clock cycles of
 * each phase of an iteration; the engine prints the split at destroy
 * (dev/cuda/NOTES.md). Off in normal builds. */
#define PROF_PHASES 10
/* + counts of the rows rescanned (incr.cuh), by why the row was stale: at
 * the batch's first step, a tabu expiry, the vertex moved in the last
 * iteration, other (a minimum lost its last color; an older move; Kempe) */
#define PROF_RESCANS 4
#define PROF_SLOTS (PROF_PHASES + PROF_RESCANS)
/* The per-thread cycle counts (thread 0's are kept); pf points at them. */
typedef struct kprof {
#ifdef PRISM_CUDA_PROFILE
  long long t[PROF_PHASES], last;
#else
  int unused;
#endif
} kprof;
#ifdef PRISM_CUDA_PROFILE
#define PROF_START()                                          \
  do {                                                        \
    for (int i_ = 0; i_ < PROF_PHASES; i_++) pf->t[i_] = 0;   \
    pf->last = clock64();                                     \
  } while (0)
#define PROF_MARK(i)                  \
  do {                                \
    if (threadIdx.x == 0) {           \
      long long t_ = clock64();       \
      pf->t[i] += t_ - pf->last;      \
      pf->last = t_;                  \
    }                                 \
  } while (0)
#else
#define PROF_START() \
  do {               \
    (void)pf;        \
  } while (0)
#define PROF_MARK(i) \
  do {               \
    (void)pf;        \
  } while (0)
#endif
static const char *const prof_names[PROF_PHASES] = {
    "compact+top", "scan", "S1", "decide:rest+S2", "kempe", "apply", "S3+best", "setup+end",
    "decide:slots", "decide:row"};

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
  uint64_t bk; /* mix32(v ^ vsalt) << 32 | list index of the best move's vertex */
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

/* The row stride of G and of the batch-relative tabu copy for k colors: k
 * made odd, so that the lanes of a warp that read the same column of
 * different rows (the apply, phase 1) hit different shared-memory banks
 * (k = 48: 8-way conflicts on 16-bit G, 16-way on the tabu copy;
 * dev/cuda/NOTES.md, v7). The exact tabu table keeps stride k. */
#ifndef PRISM_ODD_STRIDE
#define PRISM_ODD_STRIDE 1
#endif
static __host__ __device__ __forceinline__ uint32_t row_stride(uint32_t k) {
  return PRISM_ODD_STRIDE ? k | 1u : k;
}

/* A vertex's row state for the incremental selection (incr.cuh), 16 bytes:
 * one load and one store where the apply carries it. */
typedef struct __align__(16) irow {
  int32_t im, ia;  /* least e(v, c) over the non-tabu / all colors c != color v */
  uint32_t icnt;   /* how many colors reach im (low 16 bits) and ia (high) */
  uint32_t inx;    /* the step at which the row goes stale (0: now) */
} irow;

/* Bytes of the per-replica "small" arrays, in this order: the row states of
 * the incremental selection (irow, 16n), rinfo_d (8n), L, Lalt, rinfo_f (4n
 * each), in shared memory also color, omega, belief (4n each) and the CSR
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

/* Unrolling of the scan's color loop (dev/cuda/NOTES.md: measured). */
#ifndef PRISM_SCAN_UNROLL
#define PRISM_SCAN_UNROLL 4
#endif
static constexpr int SCAN_UNROLL = PRISM_SCAN_UNROLL;

/* After S1: warp 0 decides the move and hands it over at a second barrier
 * (1), or every warp decides it itself (0); the slots are folded by
 * redux.sync (1) or shuffle butterflies (0). dev/cuda/NOTES.md, v7. */
#ifndef PRISM_DECIDE_ONE
#define PRISM_DECIDE_ONE 1
#endif
#ifndef PRISM_SLOTS_REDUX
#define PRISM_SLOTS_REDUX 1
#endif
/* The winner's row scanned without branches (1: every lane loads its colors'
 * G and tabu words at once and keys every color; 0: a branch per test, the
 * tabu word and the key only for colors at the least delta). */
#ifndef PRISM_WC_FLAT
#define PRISM_WC_FLAT 1
#endif

#include "cuda/incr.cuh"
#include "cuda/tabucol.cuh"
#include "cuda/partialcol.cuh"

/* NARROW: blocks of at most 256 threads, register budget for 3 blocks per
 * SM (78 registers, no spills on sm_90) instead of 106. One block per
 * replica: a PartialCol replica goes to partialcol.cuh; a TabuCol one runs
 * the pieces of tabucol.cuh for cfg->moves iterations (docs/cuda.md). */
template <typename GT, int NARROW>
__global__ void __launch_bounds__(NARROW ? 256 : GPU_MAX_THREADS, NARROW ? 3 : 1)
    tabu_batch_kernel(kparams p) {
  PRISM_DYN_SMEM(dsm);
  __shared__ kshared sh;

  const uint32_t r = p.r0 + blockIdx.x, tid = threadIdx.x, T = blockDim.x;
  const gpu_cfg *__restrict__ cf = p.cfg;
  const uint32_t c_moves = cf->moves, c_tun_thr = cf->tun_thr, c_max_chain = cf->max_chain,
                 c_tabu_base = cf->tabu_base, c_alpha_fp = cf->alpha_fp,
                 c_narrow_d = cf->narrow_d, c_incr = cf->incr;
  const uint32_t lane = tid & 31;
  const uint32_t n = p.n;
  gpu_rep *st = p.rep + r;
  if (st->mode == PRISM_MODE_PARTIALCOL) { /* partialcol.cuh; s_red: the slots' bytes */
    pc_batch_body(p, (unsigned long long *)(dsm + METRO_BYTES), sh.len, sh.len2, sh.stop);
    return;
  }
  kprof prof;
  kprof *pf = &prof;
  PROF_START();
#ifdef PRISM_CUDA_PROFILE
  __shared__ unsigned long long prof_rescans[PROF_RESCANS];
  if (tid < PROF_RESCANS) prof_rescans[tid] = 0;
#endif
  const uint32_t k = st->k;
  ktables<GT> t;
  batch_layout(p, st, r, dsm, &t);

  /* ---- state */
  int64_t energy = st->energy, best_energy = st->best_energy, bce = st->best_color_energy;
  uint64_t iter = st->iter;
  uint32_t solved = st->solved, stamp = p.stamp[r];
  uint64_t moves = 0, metro_moves = 0, tunnels = 0, aborts = 0;
  const int bel_on = st->has_belief && cf->beta != 0;
  const int64_t mu = cf->mu, beta = bel_on ? cf->beta : 0;
  const uint32_t key0 = (uint32_t)cf->seed, key1 = (uint32_t)(cf->seed >> 32);
  const uint32_t id = st->id;
  const uint64_t iter0 = iter;
  kconst kc;
  kc.k = k;
  kc.ks = row_stride(k);
  kc.topr = k - 1;
  kc.topc = cf->k - 1;
  kc.mu = mu;
  kc.beta = beta;
  kc.bel_on = bel_on;
  /* scan groups: gs lanes per list entry (8, or the power of 2 >= k when
   * k < 8): several entries per warp share the per-vertex work, and the
   * colors pad to a multiple of gs, not of 32 */
  kc.gs = 8;
  while (kc.gs > 1 && kc.gs / 2 >= k) kc.gs /= 2;
  kc.sub = lane & (kc.gs - 1);
  kc.grp = tid / kc.gs;
  kc.ngrp = T / kc.gs;
  /* the incremental selection's view of this replica (L follows the
   * compaction's swaps: set at every selection) */
  incr_view<GT> V;
  V.L = t.L;
  V.rd = t.rinfo_d;
  V.rf = t.rinfo_f;
  V.color = t.color;
  V.belief = t.belief;
  V.tf = t.tf;
  V.G = t.G;
  V.omega = t.omega;
  V.ir = t.ir;
  V.k = k;
  V.ks = kc.ks;
  V.topr = kc.topr;
  V.topc = kc.topc;
  V.mu = (int32_t)mu; /* c_incr: |mu|, |beta| < 2^24 */
  V.beta = (int32_t)beta;
  V.bel_on = bel_on;
#ifdef PRISM_CUDA_PROFILE
  V.prof_rescans = prof_rescans;
  V.prof_prev_mv = GPU_NONE;
#endif

  uint32_t len = batch_tables(p, st, r, iter0, t, sh);
  int ncv = (int)len;
  if (tid == 0) sh.ncv = ncv;

  PROF_MARK(7);
  if (ncv == 0) solved = 1;
  else
    for (uint32_t step = 0; step < c_moves; step++) {
      /* ---- the host's stop flag, every GPU_STOP_EVERY iterations (uniform) */
      if ((step & (GPU_STOP_EVERY - 1)) == GPU_STOP_EVERY - 1) {
        if (tid == 0) sh.stop = *p.stop;
        __syncthreads();
        if (sh.stop) break;
      }
      /* ---- the Philox words of the next RNG_AHEAD iterations, one per thread */
      if ((step & (RNG_AHEAD - 1)) == 0) {
        for (uint32_t j = tid; j < RNG_AHEAD; j += T) {
          const uint64_t it = iter + j;
          prism_u32x4 c = {{id, 0, (uint32_t)it, (uint32_t)(it >> 32)}};
          t.rng[2 * j] = prism_philox4x32(c, key0, key1);
          c.v[1] = 1;
          t.rng[2 * j + 1] = prism_philox4x32(c, key0, key1);
        }
        __syncthreads();
      }
      /* ---- drop list entries that stopped conflicting (a quarter too many) */
      if (len > (uint32_t)ncv + ((uint32_t)ncv >> 2) + 8u) len = compact_list(t, len, kc.ks, sh);

      PROF_MARK(0);
      const prism_u32x4 A = t.rng[2 * (step & (RNG_AHEAD - 1))],
                        B = t.rng[2 * (step & (RNG_AHEAD - 1)) + 1];
      const uint32_t salt = A.v[0], salt2 = A.v[1], vsalt = B.v[3];
      const int64_t slack = best_energy - energy;
      const uint32_t rc0 = (uint32_t)(((uint64_t)A.v[2] * (k - 1)) >> 32);
      if (c_incr) select_incr(V, t, len, step, salt2, vsalt, slack, rc0, pf);
      else select_scan(t, kc, len, step, vsalt, salt2, slack, rc0, (int)c_narrow_d, pf);
      PROF_MARK(2);
      const uint32_t a3 = A.v[3], b0 = B.v[0], b1 = B.v[1];
#if PRISM_DECIDE_ONE
      /* warp 0 decides, the others wait at S2 (their copies of the same
       * work would take the SM's issue slots: dev/cuda/NOTES.md, v7) */
      if (tid < 32) {
        const kdec d0 = decide_move(t, kc, step, salt, slack, rc0, a3, pf);
        if (tid == 0) sh.dec = d0;
      }
      __syncthreads(); /* S2 */
      const kdec d = sh.dec;
#else
      const kdec d = decide_move(t, kc, step, salt, slack, rc0, a3, pf); /* every warp */
#endif
      PROF_MARK(3);
      if (c_tun_thr && b0 < c_tun_thr) {
        int64_t delta = 0;
        if (kempe_chain<GT>(t.o32, p.off, p.adj, n, c_max_chain, t.G, kc.ks, t.color, t.omega,
                            t.belief, bel_on, mu, beta, kc.topc, t.mark, t.queue, &stamp,
                            &sh.qlen, &sh.edelta, d.rv, d.ra, d.rc, &delta)) {
          if (c_incr) { /* colors moved along the chain: every row stale */
            for (uint32_t v = tid; v < n; v += T) t.ir[v].inx = 0;
            __syncthreads();
          }
          energy += delta;
          tunnels++;
          iter++;
          if (energy < best_energy) best_energy = energy;
          if (energy < bce) {
            bce = energy;
            for (uint32_t v = tid; v < n; v += T) t.gbest[v] = t.color[v];
          }
          PROF_MARK(4);
          continue;
        }
        aborts++;
        PROF_MARK(4);
      }

      const uint32_t mv = d.mv, mc = d.mc, ma = d.ma;
      const int64_t md = d.md;
      metro_moves += (uint64_t)d.metro;
      if (mv != GPU_NONE) {
        /* ---- apply */
        const uint64_t tenure =
            (c_tabu_base ? (((uint64_t)b1 * c_tabu_base) >> 32) : 0) +
            (((uint64_t)c_alpha_fp * (uint32_t)ncv) >> 8);
        apply_move(p, t, V, sh, k, kc.ks, mv, mc, ma, tenure, iter, step, c_incr);
        energy += md;
        moves++;
      }
      iter++;
#ifdef PRISM_CUDA_PROFILE
      V.prof_prev_mv = mv;
#endif
      PROF_MARK(5);
      __syncthreads(); /* S3 */
      len = sh.len;
      ncv = sh.ncv;
      if (mv != GPU_NONE) {
        if (energy < best_energy) best_energy = energy;
        if (energy < bce) {
          bce = energy;
          for (uint32_t v = tid; v < n; v += T) t.gbest[v] = t.color[v];
        }
      }
      PROF_MARK(6);
      if (ncv == 0) {
        solved = 1;
        break;
      }
    }

  /* ---- write back: colors, the conflict set, the scalars */
  batch_write_conflicts(p, t, sh, r, len, kc.ks);
  if (tid == 0) {
    st->conflicts = sh.conf2 / 2;
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
  if (tid == 0) {
    for (int i = 0; i < PROF_PHASES; i++)
      p.prof[(size_t)r * PROF_SLOTS + i] += (unsigned long long)pf->t[i];
    for (int i = 0; i < PROF_RESCANS; i++)
      p.prof[(size_t)r * PROF_SLOTS + PROF_PHASES + i] += prof_rescans[i];
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
