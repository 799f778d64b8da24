/* tabucol.cuh - TabuCol on the GPU, the twin of src/engine/tabucol.c
 * (included by kernel.cuh after incr.cuh): the Kempe-chain interchange, the
 * full scan, the two move selections, the apply, and the layout and set-up
 * of a replica's tables. The batch kernel (kernel.cuh) strings them
 * together; docs/cuda.md describes an iteration. */
#ifndef PRISM_CUDA_TABUCOL_CUH
#define PRISM_CUDA_TABUCOL_CUH

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
 * best (d, mix32(v ^ vsalt) << 32 | index) over the allowed moves it saw
 * (the winner's color is found afterwards in its row, winner_color) and
 * random (key << 32 | index). */

template <typename GT, typename DT>
__device__ __forceinline__ void scan_list(
    const uint32_t *L, uint32_t len, uint32_t grp, uint32_t ngrp, uint32_t sub, uint32_t gs,
    const uint32_t *color, const GT *G, const int32_t *omega, const uint32_t *belief, int bel_on,
    uint32_t k, uint32_t ks, uint32_t topr, uint32_t topc, int64_t mu64, int64_t beta64,
    int64_t slack64, const uint32_t *tf, uint32_t step, uint32_t rc0, uint32_t vsalt,
    uint32_t salt2, int64_t *rinfo_d, uint32_t *rinfo_f, int64_t *out_d, uint64_t *out_bk,
    uint64_t *out_rk) {
  const DT dmax = sizeof(DT) == 4 ? (DT)INT32_MAX : (DT)INT64_MAX;
  const DT dmin = sizeof(DT) == 4 ? (DT)INT32_MIN : (DT)INT64_MIN;
  /* |d| < 2^28 when DT is 32-bit, so a clamped slack compares the same */
  const DT slack = slack64 > (int64_t)dmax ? dmax : slack64 < (int64_t)dmin ? dmin : (DT)slack64;
  const DT mu = (DT)mu64, beta = (DT)beta64;
  DT bd = dmax;
  uint64_t bk = UINT64_MAX, rk = UINT64_MAX;
  for (uint32_t i = grp; i < len; i += ngrp) {
    const uint32_t v = L[i], a = color[v], rowb = v * ks;
    const DT ga = (DT)G[rowb + a];
    if (ga == 0) continue; /* stopped conflicting; dropped at compaction */
    const DT w = (DT)omega[v];
    const uint32_t bel = bel_on ? belief[v] : GPU_NONE;
    const DT pa = (a == topc ? mu : 0) + (a != bel ? beta : 0);
    const DT base = beta - w * ga - pa;
    const uint32_t rcv = rc0 + (rc0 >= a);
    const uint64_t key = ((uint64_t)prism_mix32(v ^ vsalt) << 32) | i; /* ties: vertex first */
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

/* ------------------------------------------------------------------ one batch,
 * in pieces: the batch kernel (kernel.cuh) lays out a replica's tables
 * (ktables), builds them, then per iteration selects a move (select_incr
 * or select_scan, the same winner), decides between it and the random
 * Metropolis candidate or a Kempe interchange, and applies it. */

/* An iteration's decision: the move taken (mv = GPU_NONE: none) and the
 * random move (for a Kempe interchange). */
typedef struct kdec {
  int64_t md;
  uint32_t mv, mc, ma, rv, ra, rc;
  int metro; /* the move taken is the random one (Metropolis) */
} kdec;

/* The batch kernel's block-shared scalars. */
typedef struct kshared {
  int ncv, stop;
  uint32_t len, len2, qlen, cnt, conf2;
  unsigned long long edelta;
  kdec dec; /* written by warp 0 after S1, read by all after S2 */
} kshared;

/* Where one replica's tables are (shared or global memory: p.place). */
template <typename GT>
struct ktables {
  uint32_t *metro;
  gpu_slot *slots;
  prism_u32x4 *rng; /* [RNG_AHEAD][2]: A and B */
  GT *G;
  uint32_t *tf;
  int64_t *rinfo_d;
  uint32_t *L, *Lalt, *rinfo_f;
  irow *ir; /* the incremental selection's rows */
  uint32_t *gcolor, *gbelief, *gbest; /* the replica's rows of the global arrays */
  uint32_t *color;
  const uint32_t *belief;
  const int32_t *omega;
  const uint32_t *o32; /* NULL: the 64-bit offsets in global memory */
  uint8_t *inlist;
  uint64_t *tabu;
  uint32_t *mark, *queue;
};

/* The batch constants an iteration's selection reads. */
typedef struct kconst {
  uint32_t k, ks, topr, topc; /* ks: the row stride of G and tf */
  int64_t mu, beta;
  int bel_on;
  uint32_t gs, sub, grp, ngrp; /* scan groups: gs lanes per list entry */
} kconst;

/* Carve the dynamic shared memory (and the global slices) for replica r
 * and copy what lives in shared memory there; every row of the
 * incremental selection starts stale. */
template <typename GT>
__device__ __forceinline__ void batch_layout(const kparams &p, const gpu_rep *st, uint32_t r,
                                             unsigned char *dsm, ktables<GT> *t) {
  const uint32_t tid = threadIdx.x, T = blockDim.x, n = p.n, k = st->k, nk = n * row_stride(k);
  const size_t rn = (size_t)r * n, rs = (size_t)r * p.stride;
  unsigned char *cur = dsm;
  t->metro = (uint32_t *)cur;
  cur += METRO_BYTES;
  t->slots = (gpu_slot *)cur;
  cur += SLOT_BYTES;
  t->rng = (prism_u32x4 *)cur;
  cur += RNG_BYTES;
  unsigned char *small;
  if (p.place & PLACE_SMALL) {
    small = cur;
    cur += p.small_bytes;
  } else {
    small = p.gsmall + (size_t)r * p.small_bytes;
  }
  if (p.place & PLACE_G) {
    t->G = (GT *)cur;
    cur += align16((size_t)nk * sizeof(GT));
  } else {
    t->G = (GT *)p.gG + rs;
  }
  t->tf = (p.place & PLACE_TABU) ? (uint32_t *)cur : p.gtf + rs;
  /* the incremental selection's rows first (16-byte aligned): im / ia =
   * the least e(v, c) = w_v G[v][c] + potential over the colors c !=
   * color[v] that are not tabu / over all; icnt = how many colors reach
   * each (low / high 16 bits); inx = the step at which the row goes stale
   * (the first expiry of a tabu color of v; 0: stale now) */
  t->ir = (irow *)small;
  t->rinfo_d = (int64_t *)(t->ir + n);
  t->L = (uint32_t *)(t->rinfo_d + n);
  t->Lalt = t->L + n;
  t->rinfo_f = t->Lalt + n;
  t->gcolor = p.color + rn;
  t->gbelief = p.belief + rn;
  t->gbest = p.best_color + rn;
  t->o32 = NULL;
  if (p.place & PLACE_SMALL) {
    t->color = t->rinfo_f + n;
    int32_t *om = (int32_t *)(t->color + n);
    uint32_t *bl = (uint32_t *)(om + n);
    uint32_t *of = bl + n;
    t->inlist = (uint8_t *)(of + n + 1);
    for (uint32_t v = tid; v < n; v += T) {
      t->color[v] = t->gcolor[v];
      om[v] = p.omega[v];
    }
    if (st->has_belief)
      for (uint32_t v = tid; v < n; v += T) bl[v] = t->gbelief[v];
    if (p.off32) {
      for (uint32_t v = tid; v <= n; v += T) of[v] = (uint32_t)p.off[v];
      t->o32 = of;
    }
    t->omega = om;
    t->belief = bl;
  } else {
    t->color = t->gcolor;
    t->omega = p.omega;
    t->belief = t->gbelief;
    t->inlist = (uint8_t *)(t->rinfo_f + n);
  }
  for (uint32_t v = tid; v < n; v += T) t->ir[v].inx = 0; /* every row stale */
  t->tabu = p.tabu + rs;
  t->mark = p.mark + rn;
  t->queue = p.queue + rn;
}

/* The Metropolis thresholds, the batch-relative tabu copy (cleared first
 * when the host asks), G from the colors and the conflict list; returns its
 * length. Ends with a barrier. */
template <typename GT>
__device__ __forceinline__ uint32_t batch_tables(const kparams &p, const gpu_rep *st, uint32_t r,
                                                 uint64_t iter0, const ktables<GT> &t,
                                                 kshared &sh) {
  const uint32_t tid = threadIdx.x, T = blockDim.x, lane = tid & 31, warp = tid >> 5,
                 nwarps = T >> 5, n = p.n, k = st->k, ks = row_stride(k);
  for (uint32_t i = tid; i < PRISM_METRO_LEVELS; i += T)
    t.metro[i] = p.metro[(size_t)r * PRISM_METRO_LEVELS + i];
  for (uint32_t i = tid; i < n * ks; i += T) t.G[i] = 0;
  {
    /* the exact table has stride k, the copy ks (its padding column is
     * never read) */
    const int clear = st->clear_tabu != 0;
    for (uint32_t v = warp; v < n; v += nwarps)
      for (uint32_t c = lane; c < k; c += 32) {
        const uint32_t i = v * k + c;
        uint64_t x = t.tabu[i];
        if (clear) {
          t.tabu[i] = 0;
          x = 0;
        }
        uint64_t rel = x > iter0 ? x - iter0 : 0;
        t.tf[v * ks + c] = rel > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)rel;
      }
  }
  if (tid == 0) {
    sh.len = 0;
    sh.len2 = 0;
    sh.cnt = 0;
    sh.conf2 = 0;
  }
  __syncthreads();
  /* G from the colors: warp per vertex */
  for (uint32_t v = warp; v < n; v += nwarps) {
    const uint64_t e1 = p.off[v + 1];
    for (uint64_t e = p.off[v] + lane; e < e1; e += 32) {
      const uint32_t u = p.adj[e];
      g_add(t.G, v * ks + t.color[u], (uint32_t)t.omega[u]);
    }
  }
  __syncthreads();
  for (uint32_t v = tid; v < n; v += T) {
    const int conf = t.G[v * ks + t.color[v]] > 0;
    t.inlist[v] = (uint8_t)conf;
    if (conf) t.L[atomicAdd(&sh.len, 1u)] = v;
  }
  __syncthreads();
  return sh.len;
}

/* Drop the list entries that stopped conflicting (L and Lalt swap). */
template <typename GT>
__device__ __forceinline__ uint32_t compact_list(ktables<GT> &t, uint32_t len, uint32_t ks,
                                                 kshared &sh) {
  for (uint32_t i = threadIdx.x; i < len; i += blockDim.x) {
    const uint32_t v = t.L[i];
    if (t.G[v * ks + t.color[v]] > 0) t.Lalt[atomicAdd(&sh.len2, 1u)] = v;
    else t.inlist[v] = 0;
  }
  __syncthreads();
  len = sh.len2;
  uint32_t *x = t.L;
  t.L = t.Lalt;
  t.Lalt = x;
  __syncthreads();
  if (threadIdx.x == 0) {
    sh.len = len;
    sh.len2 = 0;
  }
  return len;
}

/* The block's least (d, bk) and random key from every warp's: lane 0 of
 * each warp has written its slot; after the barrier every lane of the
 * calling warp gets the result. */
#if PRISM_SLOTS_REDUX
__device__ __forceinline__ void slots_reduce(const gpu_slot *slots, uint32_t nwarps, int64_t *bd,
                                             uint64_t *bk, uint64_t *rk) {
  const uint32_t lane = threadIdx.x & 31;
  uint64_t ud = UINT64_MAX, b = UINT64_MAX, r = UINT64_MAX;
  if (lane < nwarps) {
    ud = (uint64_t)slots[lane].d ^ 0x8000000000000000ull; /* signed order as unsigned */
    b = slots[lane].bk;
    r = slots[lane].rk;
  }
  const uint64_t D = warp_min64(ud);
  *bk = warp_min64(ud == D ? b : UINT64_MAX);
  *rk = warp_min64(r);
  *bd = (int64_t)(D ^ 0x8000000000000000ull);
}
#else
__device__ __forceinline__ void slots_reduce(const gpu_slot *slots, uint32_t nwarps, int64_t *bd,
                                             uint64_t *bk, uint64_t *rk) {
  const gpu_slot *sl = slots + ((threadIdx.x & 31) & (nwarps - 1));
  *bd = sl->d;
  *bk = sl->bk;
  *rk = sl->rk;
  for (uint32_t o = nwarps >> 1; o > 0; o >>= 1) {
    const int64_t od = __shfl_xor_sync(FULL_MASK, *bd, (int)o);
    const uint64_t ob = __shfl_xor_sync(FULL_MASK, *bk, (int)o);
    const uint64_t orr = __shfl_xor_sync(FULL_MASK, *rk, (int)o);
    best_merge(bd, bk, od, ob);
    if (orr < *rk) *rk = orr;
  }
}
#endif

/* The winner's color: among the allowed colors c != a of row v whose delta
 * is the least one, D, the one with the least mix32((v k + c) ^ salt) (the
 * CPU's rule). The deciding warp (warp 0 alone with PRISM_DECIDE_ONE, else
 * every warp) scans the row, 32 colors at a time, no barrier: nothing it
 * reads changes before the block's next barrier (the apply writes the rows
 * of v's neighbours, and v's own tabu entry for a, which is skipped). */
template <typename GT>
__device__ __forceinline__ uint32_t winner_color(const ktables<GT> &t, const kconst &kc,
                                                 uint32_t v, uint32_t a, int64_t D,
                                                 int64_t slack, uint32_t step, uint32_t salt) {
  const uint32_t k = kc.k, rowb = v * kc.ks;
  const int64_t w = t.omega[v], ga = (int64_t)t.G[rowb + a];
  const uint32_t bel = kc.bel_on ? t.belief[v] : GPU_NONE;
  const int64_t pa = (a == kc.topc ? kc.mu : 0) + (a != bel ? kc.beta : 0);
  const int64_t base = kc.beta - w * ga - pa;
  uint32_t best = GPU_NONE;
#if PRISM_WC_FLAT
  /* no branch: the loads of a lane's colors issue together, and the key of
   * every color is computed (a chain of dependent tests cost ~900 cycles of
   * warp 0's time per iteration: dev/cuda/NOTES.md) */
#pragma unroll 4
  for (uint32_t c = threadIdx.x & 31; c < k; c += 32) {
    const int64_t g = (int64_t)t.G[rowb + c];
    const uint32_t tfc = t.tf[rowb + c];
    const int64_t d = w * g + base + (c == kc.topr ? kc.mu : 0) - (c == bel ? kc.beta : 0);
    const uint32_t key = prism_mix32((v * k + c) ^ salt);
    const int ok = (c != a) & (d == D) & !((d >= slack) & (tfc > step)); /* tabu: no aspiration */
    best = ok && key < best ? key : best;
  }
#else
  for (uint32_t c = threadIdx.x & 31; c < k; c += 32) {
    if (c == a) continue;
    int64_t d = w * (int64_t)t.G[rowb + c] + base;
    if (c == kc.topr) d += kc.mu;
    if (c == bel) d -= kc.beta;
    if (d != D) continue;
    if (d >= slack && t.tf[rowb + c] > step) continue; /* tabu, no aspiration */
    const uint32_t key = prism_mix32((v * k + c) ^ salt);
    if (key < best) best = key;
  }
#endif
  best = warp_min32<uint32_t>(best);
  return (unmix32(best) ^ salt) - v * k;
}

/* Lane 0 writes the warp's best (d, bk) and random key rk to its slot;
 * then S1. The end of both selections. */
template <typename GT>
__device__ __forceinline__ void slot_publish(const ktables<GT> &t, int64_t d, uint64_t bk,
                                             uint64_t rk, kprof *pf) {
  if ((threadIdx.x & 31) == 0) {
    gpu_slot *sl = t.slots + (threadIdx.x >> 5);
    sl->d = d;
    sl->bk = bk;
    sl->rk = rk;
  }
  PROF_MARK(1);
  __syncthreads(); /* S1 */
}

/* The selection by the incremental rows (incr.cuh): phase 1, each warp's
 * least (m_v, vertex key) and random key into its slot. Ends with S1. */
template <typename GT>
__device__ __forceinline__ void select_incr(incr_view<GT> &V, const ktables<GT> &t,
                                            uint32_t len, uint32_t step, uint32_t salt2,
                                            uint32_t vsalt, int64_t slack, uint32_t rc0,
                                            kprof *pf) {
  V.L = t.L;
  int32_t lD;
  uint64_t lbk, lrk;
  incr_phase1(V, len, step, slack, rc0, salt2, vsalt, &lD, &lbk, &lrk);
  const int32_t wD = warp_min32<int32_t>(lD);
  lbk = warp_min64(lD == wD ? lbk : UINT64_MAX);
  lrk = warp_min64(lrk);
  slot_publish(t, wD == INT32_MAX ? INT64_MAX : (int64_t)wD, lbk, lrk, pf);
}

/* The selection by the full scan (scan_list), each warp's best into its
 * slot. Ends with S1. */
template <typename GT>
__device__ __forceinline__ void select_scan(const ktables<GT> &t, const kconst &kc,
                                            uint32_t len, uint32_t step, uint32_t vsalt,
                                            uint32_t salt2, int64_t slack, uint32_t rc0,
                                            int narrow_d, kprof *pf) {
  int64_t lbd;
  uint64_t lbk, lrk;
  if (narrow_d)
    scan_list<GT, int32_t>(t.L, len, kc.grp, kc.ngrp, kc.sub, kc.gs, t.color, t.G, t.omega,
                           t.belief, kc.bel_on, kc.k, kc.ks, kc.topr, kc.topc, kc.mu, kc.beta, slack,
                           t.tf, step, rc0, vsalt, salt2, t.rinfo_d, t.rinfo_f, &lbd, &lbk,
                           &lrk);
  else
    scan_list<GT, int64_t>(t.L, len, kc.grp, kc.ngrp, kc.sub, kc.gs, t.color, t.G, t.omega,
                           t.belief, kc.bel_on, kc.k, kc.ks, kc.topr, kc.topc, kc.mu, kc.beta, slack,
                           t.tf, step, rc0, vsalt, salt2, t.rinfo_d, t.rinfo_f, &lbd, &lbk,
                           &lrk);
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const int64_t od = __shfl_xor_sync(FULL_MASK, lbd, o);
    const uint64_t ob = __shfl_xor_sync(FULL_MASK, lbk, o);
    const uint64_t orr = __shfl_xor_sync(FULL_MASK, lrk, o);
    best_merge(&lbd, &lbk, od, ob);
    if (orr < lrk) lrk = orr;
  }
  slot_publish(t, lbd, lbk, lrk, pf);
}

/* After S1, warp-wide: the block's winners from the slots (both keys' low
 * words are list indices; rinfo: the random move's data per entry, and
 * every entry's color), then the move taken: the random one if allowed,
 * accepted (Metropolis against the best delta; A's fourth word) and not the
 * best move itself, else the best move, whose color is looked for only when
 * it may be needed. */
template <typename GT>
__device__ __forceinline__ kdec decide_move(const ktables<GT> &t, const kconst &kc,
                                            uint32_t step, uint32_t salt, int64_t slack,
                                            uint32_t rc0, uint32_t a3, kprof *pf) {
  int64_t bd;
  uint64_t bk, rk;
  slots_reduce(t.slots, blockDim.x >> 5, &bd, &bk, &rk);
  uint32_t bv = GPU_NONE, ba = 0, bc = 0;
  if (bd != INT64_MAX) {
    const uint32_t bi = (uint32_t)bk;
    bv = t.L[bi];
    ba = t.rinfo_f[bi] & 0x7FFFFFFFu;
  }
  const uint32_t ri = (uint32_t)rk, rf = t.rinfo_f[ri];
  kdec d;
  d.rv = t.L[ri];
  d.ra = rf & 0x7FFFFFFFu;
  d.rc = rc0 + (rc0 >= d.ra);
  const int64_t dr = t.rinfo_d[ri];
  const int r_allowed = (int)(rf >> 31);
#ifdef PRISM_CUDA_PROFILE
  if (dr == INT64_MIN + 1 && bv == 1) d.rv = 0; /* the loads' values used before the mark */
#endif
  PROF_MARK(8);
  int r_take = r_allowed && dr <= bd;
  if (r_allowed && !r_take) {
    const int64_t diff = dr - bd;
    r_take = diff < PRISM_METRO_LEVELS && a3 < t.metro[diff];
  }
  if (bv != GPU_NONE && (!r_take || d.rv == bv)) bc = winner_color(t, kc, bv, ba, bd, slack, step, salt);
#ifdef PRISM_CUDA_PROFILE
  if (bc == 0xFFFFFFFEu) d.rv = 0; /* bc computed before the mark */
#endif
  PROF_MARK(9);
  if (r_take && (d.rv != bv || d.rc != bc)) {
    d.mv = d.rv;
    d.mc = d.rc;
    d.ma = d.ra;
    d.md = dr;
    d.metro = 1;
  } else {
    d.mv = bv;
    d.mc = bc;
    d.ma = ba;
    d.md = bd;
    d.metro = 0;
  }
  return d;
}

/* Apply the move of mv from ma to mc (tabu for tenure iterations): G rows of
 * its neighbours, their incremental rows, the conflict list and count.
 * Block-wide; the caller's barrier ends it. (Loading the first adjacency
 * words of both candidate moves before the decision was 2-3% slower than
 * loading the chosen move's here: dev/cuda/NOTES.md, v7.) */
template <typename GT>
__device__ __forceinline__ void apply_move(const kparams &p, const ktables<GT> &t,
                                           const incr_view<GT> &V, kshared &sh, uint32_t k,
                                           uint32_t ks, uint32_t mv, uint32_t mc, uint32_t ma,
                                           uint64_t tenure, uint64_t iter, uint32_t step,
                                           uint32_t c_incr) {
  const uint32_t tid = threadIdx.x, T = blockDim.x;
  const uint32_t w = (uint32_t)t.omega[mv];
  const uint64_t ms1 = row_at(t.o32, p.off, mv + 1);
  for (uint64_t e = row_at(t.o32, p.off, mv) + tid; e < ms1; e += T) {
    const uint32_t u = p.adj[e];
    const uint32_t xa = u * ks + ma, xc = u * ks + mc;
    const uint32_t ga = (uint32_t)t.G[xa] - w, gc = (uint32_t)t.G[xc] + w;
    t.G[xa] = (GT)ga;
    t.G[xc] = (GT)gc;
    const uint32_t cu = t.color[u];
    if (c_incr) incr_carry(V, u, cu, ma, mc, ga, gc, w, step);
    if (cu == ma && ga == 0) {
      atomicSub(&sh.ncv, 1);
    } else if (cu == mc && gc == w) {
      atomicAdd(&sh.ncv, 1);
      if (!t.inlist[u]) {
        t.inlist[u] = 1;
        t.L[atomicAdd(&sh.len, 1u)] = u;
      }
    }
  }
  if (tid == 0) {
    t.tabu[(size_t)mv * k + ma] = iter + 1 + tenure;
    t.ir[mv].inx = 0; /* new color, new tabu entry: its row is rescanned */
    const uint64_t rel = (uint64_t)step + 1 + tenure;
    t.tf[mv * ks + ma] = rel > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)rel;
    const int before = t.G[mv * ks + ma] > 0, now = t.G[mv * ks + mc] > 0;
    t.color[mv] = mc;
    if (now && !before) {
      atomicAdd(&sh.ncv, 1);
      if (!t.inlist[mv]) {
        t.inlist[mv] = 1;
        t.L[atomicAdd(&sh.len, 1u)] = mv;
      }
    } else if (!now && before) {
      atomicSub(&sh.ncv, 1);
    }
  }
}

/* At the batch's end: the colors back to global memory, the conflict set
 * (cv_out) and the plain conflicting edges for the telemetry (each list
 * entry's same-colored neighbours, every edge seen from both ends, in
 * sh.conf2 / sh.cnt). Ends with a barrier. */
template <typename GT>
__device__ __forceinline__ void batch_write_conflicts(const kparams &p, const ktables<GT> &t,
                                                      kshared &sh, uint32_t r, uint32_t len,
                                                      uint32_t ks) {
  const uint32_t tid = threadIdx.x, T = blockDim.x, n = p.n;
  __syncthreads();
  if (p.place & PLACE_SMALL)
    for (uint32_t v = tid; v < n; v += T) t.gcolor[v] = t.color[v];
  uint32_t *cv_out = p.cv_out + (size_t)r * n;
  for (uint32_t i = tid; i < len; i += T) {
    const uint32_t v = t.L[i];
    if (t.G[v * ks + t.color[v]] > 0) {
      cv_out[atomicAdd(&sh.cnt, 1u)] = v;
      const uint32_t cvv = t.color[v];
      uint32_t same = 0;
      for (uint64_t e = p.off[v]; e < p.off[v + 1]; e++) same += t.color[p.adj[e]] == cvv;
      atomicAdd(&sh.conf2, same);
    }
  }
  __syncthreads();
}

#endif
