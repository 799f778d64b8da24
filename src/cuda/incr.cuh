/* incr.cuh - the incremental move selection of the CUDA batch kernel
 * (engine_gpu.cu; dev/cuda/NOTES.md, v5 and v7). Included by engine_gpu.cu only.
 *
 * The full scan looks at every (conflicting vertex, color) pair in every
 * iteration. Here every vertex v carries its row minima between iterations:
 *   e(v, c) = w_v G[v][c] + (c == top ? mu : 0) + (c != belief_v ? beta : 0),
 *   im[v]   = min e(v, c) over c != color[v] not tabu (icnt low 16 bits: how
 *             many colors reach it), ia[v] = min over all c != color[v]
 *             (icnt high 16 bits), inx[v] = the step at which one of v's
 *             tabu colors frees (0: stale now); the four in one 16-byte
 *             word per vertex (irow, kernel.cuh).
 * A move updates the rows of the moved vertex's neighbours in O(1) each
 * (incr_carry); a row goes stale when its minimum loses its last color, when
 * its vertex moves, at a tabu expiry, or after a Kempe interchange, and is
 * rescanned when next needed. A selection is then one pass over the list
 * (phase 1): per entry, the least delta over v's allowed colors,
 *   dv = im - e(v, color), dav = ia - e(v, color),
 *   m_v = dav < slack ? dav : dv
 * (when dav < slack its color is allowed, tabu or not, by aspiration; when
 * not, no tabu color is aspirated and the least allowed delta is dv), so
 * the winner's vertex is the least (m_v, mix32(v ^ vsalt)) of one block
 * reduction, and its color comes from one row (winner_color, tabucol.cuh).
 * That is the CPU's rule (ties to the vertex first), move for move. Deltas
 * in 32 bits: used only when the batch's deltas are narrow (16-bit G, small
 * potentials) and k <= 65536 (16-bit counts). */
#ifndef PRISM_CUDA_INCR_CUH
#define PRISM_CUDA_INCR_CUH

/* What the selection reads and carries: one replica's tables (shared or
 * global memory) and the batch's constants. */
template <typename GT>
struct incr_view {
  const uint32_t *L; /* the conflict list */
  int64_t *rd;       /* per list entry: the random move's delta */
  uint32_t *rf;      /* per list entry: its color | allowed << 31 */
  const uint32_t *color, *belief, *tf;
  const GT *G;
  const int32_t *omega;
  irow *ir; /* per vertex: im, ia, icnt, inx (kernel.cuh) */
  uint32_t k, ks, topr, topc; /* ks: the row stride of G and tf */
  int32_t mu, beta;
  int bel_on;
#ifdef PRISM_CUDA_PROFILE
  unsigned long long *prof_rescans; /* rows rescanned, by cause (shared counters) */
  uint32_t prof_prev_mv; /* the last move's vertex */
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
  const uint32_t lane = threadIdx.x & 31, sa = V.color[sv], rowb = sv * V.ks;
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
 * trip count: the warp rescans its stale rows together). For every entry
 * that still conflicts it writes the random move's data (color rc0 +
 * (rc0 >= a), as in the full scan; read before any apply of this iteration)
 * to rd / rf; out: this thread's least (m_v, mix32(v ^ vsalt) << 32 |
 * index) and random key (mix32(v ^ salt2) << 32 | index). */
template <typename GT>
__device__ __forceinline__ void incr_phase1(const incr_view<GT> &V, uint32_t len, uint32_t step,
                                            int64_t slack64, uint32_t rc0, uint32_t salt2,
                                            uint32_t vsalt, int32_t *out_d, uint64_t *out_bk,
                                            uint64_t *out_rk) {
  const uint32_t tid = threadIdx.x, T = blockDim.x, lane = tid & 31, warp = tid >> 5,
                 nwarps = T >> 5;
  /* entries dealt to the warps in turn (entry i0 + warp + nwarps lane), so
   * that the rescans of the stale rows, which a warp does one after the
   * other, spread over all warps (+4-10% moves/s against consecutive
   * entries per warp; the lanes' 16-way bank conflicts on the list cost
   * less than a rotation that avoids them: dev/cuda/NOTES.md, v7) */
  const uint32_t slot = warp + nwarps * lane;
  const int32_t slack = slack64 > INT32_MAX ? INT32_MAX : slack64 < INT32_MIN ? INT32_MIN
                                                                             : (int32_t)slack64;
  int32_t lD = INT32_MAX;
  uint64_t lbk = UINT64_MAX, lrk = UINT64_MAX;
  for (uint32_t i0 = 0; i0 < len; i0 += T) {
    const uint32_t i = i0 + slot;
    uint32_t v = 0, a = 0, ga = 0;
    irow rw = {INT32_MAX, INT32_MAX, 0, 0};
    if (i < len) {
      v = V.L[i];
      a = V.color[v];
      ga = (uint32_t)V.G[v * V.ks + a];
      rw = V.ir[v];
    }
    const int valid = ga != 0; /* stopped conflicting: dropped at compaction */
    const int stale = valid && step >= rw.inx;
    int32_t rm = INT32_MAX, ram = INT32_MAX;
    uint32_t rmc = 0, rac = 0, rnx = GPU_NONE;
    for (uint32_t sm = warp_ballot(stale); sm; sm &= sm - 1) {
      const uint32_t src = (uint32_t)__ffs((int)sm) - 1;
      int32_t m, am;
      uint32_t mc, ac, nx;
      incr_rescan(V, V.L[i0 + warp + nwarps * src], step, &m, &mc, &am, &ac, &nx);
#ifdef PRISM_CUDA_PROFILE
      if (lane == src) { /* why the row was stale (kernel.cuh, PROF_RESCANS) */
        const int why = step == 0 ? 0 : rw.inx != 0 ? 1 : v == V.prof_prev_mv ? 2 : 3;
        atomicAdd(V.prof_rescans + why, 1ull);
      }
#endif
      if (lane == src) { /* the row's owner keeps the result */
        rm = m;
        ram = am;
        rmc = mc;
        rac = ac;
        rnx = nx;
      }
    }
    if (!valid) continue;
    if (stale) {
      rw.im = rm;
      rw.ia = ram;
      rw.icnt = rmc | (rac << 16);
      rw.inx = rnx;
      V.ir[v] = rw;
    } else {
      rm = rw.im;
      ram = rw.ia;
    }
    const uint32_t rowb = v * V.ks, bel = V.bel_on ? V.belief[v] : GPU_NONE;
    const int32_t w = V.omega[v];
    const int32_t pa = (a == V.topc ? V.mu : 0) + (a != bel ? V.beta : 0);
    const int32_t base = w * (int32_t)ga + pa; /* e(v, a) as the full scan has it */
    int32_t dv = INT32_MAX;
    if (ram != INT32_MAX && ram - base < slack) dv = ram - base;
    else if (rm != INT32_MAX) dv = rm - base;
    const uint64_t bkey = ((uint64_t)prism_mix32(v ^ vsalt) << 32) | i;
    if (dv < lD || (dv == lD && dv != INT32_MAX && bkey < lbk)) {
      lD = dv;
      lbk = bkey;
    }
    const uint64_t rkey = ((uint64_t)prism_mix32(v ^ salt2) << 32) | i;
    if (rkey < lrk) lrk = rkey;
    const uint32_t c = rc0 + (rc0 >= a);
    const int32_t d = w * ((int32_t)V.G[rowb + c] - (int32_t)ga) + (c == V.topc ? V.mu : 0) +
                      (c != bel ? V.beta : 0) - pa;
    V.rd[i] = d;
    V.rf[i] = a | (!(d >= slack && V.tf[rowb + c] > step) ? 0x80000000u : 0u);
  }
  *out_d = lD;
  *out_bk = lbk;
  *out_rk = lrk;
}

/* After a move of weight w from ma to mc: carry the row minima of the
 * neighbour u (color cu) whose G[u][ma] fell to ga and G[u][mc] rose to gc.
 * Only this thread touches u's row. A row whose minimum loses its last color,
 * or whose tabu color frees next step, goes stale instead. */
template <typename GT>
__device__ __forceinline__ void incr_carry(const incr_view<GT> &V, uint32_t u, uint32_t cu,
                                           uint32_t ma, uint32_t mc, uint32_t ga, uint32_t gc,
                                           uint32_t w, uint32_t step) {
  irow rw = V.ir[u];
  uint32_t nx = rw.inx;
  if (step + 1 >= nx) return; /* stale, or stale by next step */
  const int32_t wu = V.omega[u];
  const uint32_t belu = V.bel_on ? V.belief[u] : GPU_NONE;
  int32_t m = rw.im, am = rw.ia;
  const uint32_t cn = rw.icnt;
  uint32_t mcn = cn & 0xFFFFu, acn = cn >> 16;
  if (ma != cu) { /* e(u, ma) fell */
    const int32_t e = incr_e(V, ma, wu, ga, belu);
    min_count(&am, &acn, e, 1);
    if (V.tf[u * V.ks + ma] <= step) min_count(&m, &mcn, e, 1);
  }
  if (mc != cu) { /* e(u, mc) rose from e */
    const int32_t e = incr_e(V, mc, wu, gc - w, belu);
    if (e == am && --acn == 0) nx = 0;
    if (V.tf[u * V.ks + mc] <= step && e == m && --mcn == 0) nx = 0;
  }
  if (nx == 0) {
    V.ir[u].inx = 0;
  } else {
    rw.im = m;
    rw.ia = am;
    rw.icnt = mcn | (acn << 16);
    V.ir[u] = rw;
  }
}

#endif
