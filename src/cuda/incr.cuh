/* incr.cuh - the incremental move selection of the CUDA batch kernel
 * (engine_gpu.cu; dev/cuda/NOTES.md, v5). Included by engine_gpu.cu only.
 *
 * The full scan looks at every (conflicting vertex, color) pair in every
 * iteration. Here every vertex v carries its row minima between iterations:
 *   e(v, c) = w_v G[v][c] + (c == top ? mu : 0) + (c != belief_v ? beta : 0),
 *   im[v]   = min e(v, c) over c != color[v] not tabu (icnt low 16 bits: how
 *             many colors reach it), ia[v] = min over all c != color[v]
 *             (icnt high 16 bits), inx[v] = the step at which one of v's
 *             tabu colors frees (0: stale now).
 * A move updates the rows of the moved vertex's neighbours in O(1) each
 * (incr_carry); a row goes stale when its minimum loses its last color, when
 * its vertex moves, at a tabu expiry, or after a Kempe interchange, and is
 * rescanned when next needed. A selection then
 *   phase 1: per list entry, dv = im - e(v, color) and dav = ia - e(v, color)
 *            (stale rows rescanned by their warp); D = min dv;
 *   phase 2: scans, with the exact rule of the full scan, only the rows that
 *            can hold the winner: dv == D (a non-tabu winner has d = D) or
 *            dav < slack and dav <= D (an aspirated tabu winner).
 * The winner is the full scan's, move for move (the rule orders candidates
 * by (delta, salted hash) and the hashes are distinct). Deltas in 32 bits:
 * used only when the batch's deltas are narrow (16-bit G, small potentials)
 * and k <= 65536 (16-bit counts). */
#ifndef PRISM_CUDA_INCR_CUH
#define PRISM_CUDA_INCR_CUH

/* What the selection reads and carries: one replica's tables (shared or
 * global memory) and the batch's constants. */
template <typename GT>
struct incr_view {
  const uint32_t *L;                 /* the conflict list */
  uint32_t *cand, *ccol;             /* phase 2: candidate rows and their colors */
  int64_t *pk;                       /* per list entry: dv << 32 | dav */
  const uint32_t *color, *belief, *tf;
  const GT *G;
  const int32_t *omega;
  int32_t *im, *ia;
  uint32_t *icnt, *inx;
  uint32_t k, topr, topc;
  int32_t mu, beta;
  int bel_on;
#ifdef PRISM_CUDA_PROFILE
  unsigned long long *prof_rescans; /* rows rescanned (shared counter) */
#endif
};

/* (min, count) of a multiset of values, merged. */
__device__ __forceinline__ void min_count(int32_t *m, uint32_t *c, int32_t om, uint32_t oc) {
  if (om < *m) {
    *m = om;
    *c = oc;
  } else if (om == *m) {
    *c += oc;
  }
}

/* The lanes of the (converged) warp that have x set, as a bit mask. */
__device__ __forceinline__ uint32_t warp_ballot(int x) {
#ifdef PRISM_EMU
  uint32_t b = x ? 1u << (threadIdx.x & 31) : 0u;
  for (int o = 16; o > 0; o >>= 1) b |= __shfl_xor_sync(FULL_MASK, b, o);
  return b;
#else
  return __ballot_sync(FULL_MASK, x);
#endif
}

/* Warp-wide reductions (every lane gets the result): redux.sync on sm_80
 * and later (and in the emulator), shuffles before. */
#if defined(PRISM_EMU) || (defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800)
#define PRISM_REDUX 1
#endif
template <typename T> /* int32_t or uint32_t */
__device__ __forceinline__ T warp_min32(T x) {
#ifdef PRISM_REDUX
  return __reduce_min_sync(FULL_MASK, x);
#else
  for (int o = 16; o > 0; o >>= 1) {
    const T y = __shfl_xor_sync(FULL_MASK, x, o);
    if (y < x) x = y;
  }
  return x;
#endif
}
__device__ __forceinline__ uint32_t warp_add_u32(uint32_t x) {
#ifdef PRISM_REDUX
  return __reduce_add_sync(FULL_MASK, x);
#else
  for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(FULL_MASK, x, o);
  return x;
#endif
}
/* The least 64-bit value: the least high word, then the least low word
 * among the lanes that hold it. */
__device__ __forceinline__ uint64_t warp_min64(uint64_t x) {
  const uint32_t hi = warp_min32<uint32_t>((uint32_t)(x >> 32));
  const uint32_t lo = warp_min32<uint32_t>((uint32_t)(x >> 32) == hi ? (uint32_t)x : 0xFFFFFFFFu);
  return (uint64_t)hi << 32 | lo;
}

template <typename GT>
__device__ __forceinline__ int32_t incr_e(const incr_view<GT> &V, uint32_t c, int32_t w,
                                          uint32_t g, uint32_t bel) {
  return w * (int32_t)g + (c == V.topr ? V.mu : 0) + (c != bel ? V.beta : 0);
}

/* The warp rescans row sv (color sa) 32 colors at a time; every lane gets
 * the row's minima, counts and next expiry. */
template <typename GT>
__device__ __forceinline__ void incr_rescan(const incr_view<GT> &V, uint32_t sv, uint32_t step,
                                            int32_t *m, uint32_t *mc, int32_t *am,
                                            uint32_t *ac, uint32_t *nx) {
  const uint32_t lane = threadIdx.x & 31, sa = V.color[sv], rowb = sv * V.k;
  const int32_t sw = V.omega[sv];
  const uint32_t sbel = V.bel_on ? V.belief[sv] : GPU_NONE;
  *m = *am = INT32_MAX;
  *mc = *ac = 0;
  *nx = GPU_NONE;
  for (uint32_t c = lane; c < V.k; c += 32) {
    if (c == sa) continue;
    const int32_t e = incr_e(V, c, sw, (uint32_t)V.G[rowb + c], sbel);
    min_count(am, ac, e, 1);
    const uint32_t t = V.tf[rowb + c];
    if (t > step) {
      if (t < *nx) *nx = t;
    } else {
      min_count(m, mc, e, 1);
    }
  }
  /* the warp's (min, count) pairs and least expiry: the count of a minimum
   * is the sum over the lanes that hold it (lanes without a color hold
   * INT32_MAX with count 0) */
  const int32_t M = warp_min32<int32_t>(*m), AM = warp_min32<int32_t>(*am);
  *mc = warp_add_u32(*m == M ? *mc : 0u);
  *ac = warp_add_u32(*am == AM ? *ac : 0u);
  *nx = warp_min32<uint32_t>(*nx);
  *m = M;
  *am = AM;
}

/* Phase 1, this thread's part: list entries tid, tid + T, ... (a uniform
 * trip count: the warp rescans its stale rows together). Writes pk for
 * every entry; out: this thread's least dv and random key (mix32(v ^ salt2)
 * << 32 | index, over the entries that still conflict). */
template <typename GT>
__device__ __forceinline__ void incr_phase1(const incr_view<GT> &V, uint32_t len, uint32_t step,
                                            uint32_t salt2, int32_t *out_d, uint64_t *out_rk) {
  const uint32_t tid = threadIdx.x, T = blockDim.x, lane = tid & 31, wbase = tid & ~31u;
  int32_t lD = INT32_MAX;
  uint64_t lrk = UINT64_MAX;
  for (uint32_t i0 = 0; i0 < len; i0 += T) {
    const uint32_t i = i0 + tid;
    uint32_t v = 0, a = 0, ga = 0;
    if (i < len) {
      v = V.L[i];
      a = V.color[v];
      ga = (uint32_t)V.G[v * V.k + a];
    }
    const int valid = ga != 0; /* stopped conflicting: dropped at compaction */
    const int stale = valid && step >= V.inx[v];
    int32_t rm = INT32_MAX, ram = INT32_MAX;
    uint32_t rmc = 0, rac = 0, rnx = GPU_NONE;
    for (uint32_t sm = warp_ballot(stale); sm; sm &= sm - 1) {
      const uint32_t src = (uint32_t)__ffs((int)sm) - 1;
      int32_t m, am;
      uint32_t mc, ac, nx;
      incr_rescan(V, V.L[i0 + wbase + src], step, &m, &mc, &am, &ac, &nx);
#ifdef PRISM_CUDA_PROFILE
      if (lane == 0) atomicAdd(V.prof_rescans, 1ull);
#endif
      if (lane == src) { /* the row's owner keeps the result */
        rm = m;
        ram = am;
        rmc = mc;
        rac = ac;
        rnx = nx;
      }
    }
    if (i >= len) continue;
    int32_t dv = INT32_MAX, dav = INT32_MAX;
    if (valid) {
      if (stale) {
        V.im[v] = rm;
        V.ia[v] = ram;
        V.icnt[v] = rmc | (rac << 16);
        V.inx[v] = rnx;
      } else {
        rm = V.im[v];
        ram = V.ia[v];
      }
      const uint32_t bel = V.bel_on ? V.belief[v] : GPU_NONE;
      const int32_t base = V.omega[v] * (int32_t)ga + (a == V.topc ? V.mu : 0) +
                           (a != bel ? V.beta : 0); /* e(v, a) as the full scan has it */
      if (rm != INT32_MAX) dv = rm - base;
      if (ram != INT32_MAX) dav = ram - base;
      if (dv < lD) lD = dv;
      const uint64_t rkey = ((uint64_t)prism_mix32(v ^ salt2) << 32) | i;
      if (rkey < lrk) lrk = rkey;
    }
    V.pk[i] = (int64_t)(((uint64_t)(uint32_t)dv << 32) | (uint32_t)dav);
  }
  *out_d = lD;
  *out_rk = lrk;
}

/* Phase 2's collection: the rows that can hold the winner (D = the least
 * dv of the block) into cand / ccol, counted in *s_ccnt; the thread that
 * holds entry ri also stores the random move's delta and tabu state (color
 * rc0 + (rc0 >= a), as in the full scan) in *s_rd, *s_rf. */
template <typename GT>
__device__ __forceinline__ void incr_collect(const incr_view<GT> &V, uint32_t len, int32_t D,
                                             int64_t slack, uint32_t ri, uint32_t rc0,
                                             uint32_t step, uint32_t *s_ccnt, int64_t *s_rd,
                                             uint32_t *s_rf) {
  for (uint32_t i = threadIdx.x; i < len; i += blockDim.x) {
    const uint64_t pk = (uint64_t)V.pk[i];
    const int32_t dv = (int32_t)(uint32_t)(pk >> 32), dav = (int32_t)(uint32_t)pk;
    if ((dv == D && D != INT32_MAX) || ((int64_t)dav < slack && dav <= D)) {
      const uint32_t v = V.L[i];
      const uint32_t j = atomicAdd(s_ccnt, 1u);
      V.cand[j] = v;
      V.ccol[j] = V.color[v];
    }
    if (i == ri) {
      const uint32_t v = V.L[i], a = V.color[v], rowb = v * V.k;
      const int64_t w = V.omega[v], ga = (int64_t)V.G[rowb + a];
      const uint32_t bel = V.bel_on ? V.belief[v] : GPU_NONE;
      const int64_t pa = (a == V.topc ? V.mu : 0) + (a != bel ? V.beta : 0);
      const uint32_t c = rc0 + (rc0 >= a);
      const int64_t d = w * ((int64_t)V.G[rowb + c] - ga) + (c == V.topc ? V.mu : 0) +
                        (c != bel ? V.beta : 0) - pa;
      *s_rd = d;
      *s_rf = a | (!(d >= slack && V.tf[rowb + c] > step) ? 0x80000000u : 0u);
    }
  }
}

/* Phase 2's scan: the exact rule of scan_list (engine_gpu.cu) on the
 * candidate rows only; groups of gs lanes per row; the key's low word is
 * the row's index in cand. */
template <typename GT>
__device__ __forceinline__ void incr_scan_rows(const incr_view<GT> &V, uint32_t cnt, uint32_t grp,
                                               uint32_t ngrp, uint32_t sub, uint32_t gs,
                                               int64_t slack64, uint32_t step, uint32_t salt,
                                               int64_t *out_d, uint64_t *out_bk) {
  const int32_t slack = slack64 > INT32_MAX ? INT32_MAX : slack64 < INT32_MIN ? INT32_MIN
                                                                             : (int32_t)slack64;
  const uint32_t k = V.k;
  int32_t bd = INT32_MAX;
  uint64_t bk = UINT64_MAX;
  for (uint32_t j = grp; j < cnt; j += ngrp) {
    const uint32_t v = V.cand[j], a = V.ccol[j], rowb = v * k;
    const int32_t ga = (int32_t)V.G[rowb + a], w = V.omega[v];
    const uint32_t bel = V.bel_on ? V.belief[v] : GPU_NONE;
    const int32_t pa = (a == V.topc ? V.mu : 0) + (a != bel ? V.beta : 0);
    const int32_t base = V.beta - w * ga - pa;
#pragma unroll SCAN_UNROLL
    for (uint32_t c = sub; c < k; c += gs) {
      if (c == a) continue;
      int32_t d = w * (int32_t)V.G[rowb + c] + base;
      if (c == V.topr) d += V.mu;
      if (c == bel) d -= V.beta;
      if (d > bd) continue;
      if (d >= slack && V.tf[rowb + c] > step) continue; /* tabu, no aspiration */
      const uint64_t key = ((uint64_t)prism_mix32((v * k + c) ^ salt) << 32) | j;
      if (d < bd || key < bk) {
        bd = d;
        bk = key;
      }
    }
  }
  *out_d = bd == INT32_MAX ? INT64_MAX : (int64_t)bd;
  *out_bk = bk;
}

/* After a move of weight w from ma to mc: carry the row minima of the
 * neighbour u (color cu) whose G[u][ma] fell to ga and G[u][mc] rose to gc.
 * Only this thread touches u's row. A row whose minimum loses its last color,
 * or whose tabu color frees next step, goes stale instead. */
template <typename GT>
__device__ __forceinline__ void incr_carry(const incr_view<GT> &V, uint32_t u, uint32_t cu,
                                           uint32_t ma, uint32_t mc, uint32_t ga, uint32_t gc,
                                           uint32_t w, uint32_t step) {
  uint32_t nx = V.inx[u];
  if (step + 1 >= nx) return; /* stale, or stale by next step */
  const uint32_t k = V.k;
  const int32_t wu = V.omega[u];
  const uint32_t belu = V.bel_on ? V.belief[u] : GPU_NONE;
  int32_t m = V.im[u], am = V.ia[u];
  const uint32_t cn = V.icnt[u];
  uint32_t mcn = cn & 0xFFFFu, acn = cn >> 16;
  if (ma != cu) { /* e(u, ma) fell */
    const int32_t e = incr_e(V, ma, wu, ga, belu);
    min_count(&am, &acn, e, 1);
    if (V.tf[u * k + ma] <= step) min_count(&m, &mcn, e, 1);
  }
  if (mc != cu) { /* e(u, mc) rose from e */
    const int32_t e = incr_e(V, mc, wu, gc - w, belu);
    if (e == am && --acn == 0) nx = 0;
    if (V.tf[u * k + mc] <= step && e == m && --mcn == 0) nx = 0;
  }
  if (nx == 0) {
    V.inx[u] = 0;
  } else {
    V.im[u] = m;
    V.ia[u] = am;
    V.icnt[u] = mcn | (acn << 16);
  }
}

#endif
