/* partialcol.cuh - PartialCol on the GPU, the twin of src/engine/partialcol.c
 * (included by kernel.cuh). The batch kernel (tabu_batch_kernel) runs a
 * replica whose mode is PRISM_MODE_PARTIALCOL through pc_batch_body, in the
 * same launch as the TabuCol replicas, so an island may mix modes (the
 * adaptive policy) without a second kernel that would leave the SMs of the
 * other mode's replicas idle (dev/cuda/NOTES.md, "One launch for both modes").
 *
 * State in global memory: the colors (PRISM_NONE = uncolored), the exact
 * 64-bit tabu table (absolute iterations, as the TabuCol kernel keeps it),
 * G[v][c] = v's colored neighbours of color c (pc_G, rebuilt at every batch
 * start), the uncolored list U (cv_out, which the host reads back) with
 * positions (pc_pos). An iteration:
 *   1. scan every (u in U, c): d = G[u][c] - 1, allowed when not tabu or
 *      d < slack (aspiration); the least (d, mix32((u k + c) ^ salt)) by one
 *      block reduction of (G << 32 | key) — the key is a bijection of
 *      u k + c, so the winner is decoded from it and does not depend on the
 *      scan order;
 *   2. none allowed: the uncolored vertex with the least mix32(u ^ salt2)
 *      (a second reduction) and a random color, as the CPU does;
 *   3. insert: the winner's neighbours in c are listed (a barrier), each
 *      uncolored by a warp (G of its neighbours -1, tabu until the tenure's
 *      end, appended to U) while the block adds 1 to G of the winner's
 *      neighbours; thread 0 then removes the winner from U (a barrier).
 * The best coloring of the batch is copied whenever |U| reaches a new low;
 * the host completes it (prism_complete_from_partial) as the CPU does after
 * its batch. The moves are the CPU's, move for move (tests/test_cuda.c). */

#define PC_WINDOW 1000  /* partialcol.c's reactive window */
#define PC_REACT_STEP 2
#define PC_FLAT 2

/* Block-wide minimum of x (every thread gets it); red: 32 words of shared
 * memory. Two barriers. */
__device__ __forceinline__ unsigned long long pc_block_min(unsigned long long x,
                                                           unsigned long long *red) {
  const uint32_t lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const unsigned long long y = __shfl_xor_sync(FULL_MASK, x, o);
    if (y < x) x = y;
  }
  if (lane == 0) red[warp] = x;
  __syncthreads();
  x = lane < nw ? red[lane] : ~0ull;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const unsigned long long y = __shfl_xor_sync(FULL_MASK, x, o);
    if (y < x) x = y;
  }
  __syncthreads(); /* red is free again */
  return x;
}

/* One PartialCol replica (r = p.r0 + blockIdx.x) for a batch, the whole
 * block; the scratch lives in the batch kernel's shared memory: s_red (32
 * words), s_len, s_nx, s_stop. Any block size that is a multiple of 32. */
__device__ void pc_batch_body(const kparams &p, unsigned long long *s_red,
                              uint32_t &s_len, uint32_t &s_nx, int &s_stop) {
  const uint32_t r = p.r0 + blockIdx.x, tid = threadIdx.x, T = blockDim.x;
  const uint32_t lane = tid & 31, warp = tid >> 5, nwarps = T >> 5;
  gpu_rep *st = p.rep + r;
  const gpu_cfg *__restrict__ cf = p.cfg;
  const uint32_t n = p.n, k = st->k, nk = n * k;
  const size_t rn = (size_t)r * n, rs = (size_t)r * p.stride;
  uint32_t *color = p.color + rn, *best = p.best_color + rn, *U = p.cv_out + rn;
  uint32_t *pos = p.pc_pos + rn, *X = p.pc_x + rn;
  int32_t *G = p.pc_G + rs;
  uint64_t *tabu = p.tabu + rs;
  const uint64_t *off = p.off;
  const uint32_t *adj = p.adj;

  /* ---- G and U from the colors */
  const int clear = st->clear_tabu != 0;
  for (uint32_t i = tid; i < nk; i += T) {
    G[i] = 0;
    if (clear) tabu[i] = 0;
  }
  if (tid == 0) s_len = 0;
  __syncthreads();
  for (uint32_t v = warp; v < n; v += nwarps) {
    const uint32_t c = color[v];
    if (c == GPU_NONE) continue;
    for (uint64_t e = off[v] + lane; e < off[v + 1]; e += 32) atomicAdd(G + adj[e] * k + c, 1);
  }
  for (uint32_t v = tid; v < n; v += T)
    if (color[v] == GPU_NONE) {
      const uint32_t q = atomicAdd(&s_len, 1u);
      U[q] = v;
      pos[v] = q;
    }
  __syncthreads();

  uint32_t ncv = s_len;
  int64_t energy = st->energy, best_energy = st->best_energy, bce = st->best_color_energy;
  uint64_t iter = st->iter, moves = 0;
  uint32_t pct = st->pc_tenure, pcw = st->pc_window, pclo = st->pc_lo, pchi = st->pc_hi;
  const uint32_t key0 = (uint32_t)cf->seed, key1 = (uint32_t)(cf->seed >> 32), id = st->id;
  const uint32_t c_moves = cf->moves, c_base = cf->pc_tabu_base, c_alpha = cf->pc_alpha_fp,
                 c_react = cf->pc_react;

  for (uint32_t step = 0; step < c_moves && ncv > 0; step++) {
    if ((step & (GPU_STOP_EVERY - 1)) == GPU_STOP_EVERY - 1) {
      if (tid == 0) s_stop = *p.stop;
      __syncthreads();
      if (s_stop) break;
    }
    const prism_u32x4 ctr = {{id, 2, (uint32_t)iter, (uint32_t)(iter >> 32)}};
    const prism_u32x4 A = prism_philox4x32(ctr, key0, key1);
    const int32_t slack = (int32_t)((best_energy - energy) / PRISM_EUNIT);
    /* ---- 1. the best allowed move */
    unsigned long long lb = ~0ull;
    const uint32_t cand = ncv * k;
    for (uint32_t i = tid; i < cand; i += T) {
      const uint32_t j = i / k, c = i - j * k, v = U[j], vc = v * k + c;
      const int32_t g = G[vc];
      if (tabu[vc] > iter && g - 1 >= slack) continue;
      const unsigned long long x =
          ((unsigned long long)(uint32_t)g << 32) | prism_mix32(vc ^ A.v[0]);
      if (x < lb) lb = x;
    }
    lb = pc_block_min(lb, s_red);
    uint32_t bv, bc;
    if (lb != ~0ull) {
      const uint32_t vc = unmix32((uint32_t)lb) ^ A.v[0];
      bv = vc / k;
      bc = vc - bv * k;
    } else { /* ---- 2. every move tabu: a random one */
      unsigned long long lr = ~0ull;
      for (uint32_t i = tid; i < ncv; i += T) {
        const uint32_t v = U[i];
        const unsigned long long x = ((unsigned long long)prism_mix32(v ^ A.v[1]) << 32) | v;
        if (x < lr) lr = x;
      }
      lr = pc_block_min(lr, s_red);
      bv = (uint32_t)lr;
      bc = (uint32_t)(((uint64_t)A.v[2] * k) >> 32);
    }
    const uint64_t tenure = (c_base ? (((uint64_t)A.v[3] * c_base) >> 32) : 0) +
                            (((uint64_t)c_alpha * ncv) >> 8) + (c_react ? pct : 0);
    const uint64_t until = iter + 1 + tenure;
    /* ---- 3. insert bv into bc */
    if (tid == 0) s_nx = 0;
    __syncthreads(); /* the scan's reads of U and G are done */
    for (uint64_t e = off[bv] + tid; e < off[bv + 1]; e += T) {
      const uint32_t u = adj[e];
      if (color[u] == bc) X[atomicAdd(&s_nx, 1u)] = u;
    }
    __syncthreads();
    const uint32_t nx = s_nx;
    for (uint32_t j = warp; j < nx; j += nwarps) {
      const uint32_t x = X[j];
      for (uint64_t e = off[x] + lane; e < off[x + 1]; e += 32) atomicSub(G + adj[e] * k + bc, 1);
      if (lane == 0) {
        color[x] = GPU_NONE;
        tabu[(size_t)x * k + bc] = until;
        const uint32_t q = atomicAdd(&s_len, 1u);
        U[q] = x;
        pos[x] = q;
      }
    }
    for (uint64_t e = off[bv] + tid; e < off[bv + 1]; e += T) atomicAdd(G + adj[e] * k + bc, 1);
    __syncthreads();
    if (tid == 0) {
      const uint32_t q = pos[bv], last = U[--s_len];
      U[q] = last;
      pos[last] = q;
      color[bv] = bc;
    }
    __syncthreads();
    ncv = s_len;
    energy = (int64_t)ncv * PRISM_EUNIT;
    moves++;
    iter++;
    if (energy < best_energy) best_energy = energy;
    if (energy < bce) {
      bce = energy;
      for (uint32_t v = tid; v < n; v += T) best[v] = color[v];
    }
    if (c_react) { /* partialcol.c's react(), on uniform registers */
      if (pcw == 0 || ncv < pclo) pclo = ncv;
      if (pcw == 0 || ncv > pchi) pchi = ncv;
      if (++pcw >= PC_WINDOW) {
        if (pchi - pclo < PC_FLAT) {
          if (pct < n) pct += PC_REACT_STEP;
        } else if (pct > 0) {
          pct--;
        }
        pcw = 0;
      }
    }
  }
  __syncthreads();
  if (tid == 0) {
    st->energy = energy;
    st->best_energy = best_energy;
    st->best_color_energy = bce;
    st->iter = iter;
    st->moves = moves;
    st->metro_moves = st->tunnels = st->tunnel_aborts = 0;
    st->ncv = ncv;
    st->solved = ncv == 0;
    st->conflicts = ncv; /* prism_replica_conflicts: the uncolored vertices */
    st->pc_tenure = pct;
    st->pc_window = pcw;
    st->pc_lo = pclo;
    st->pc_hi = pchi;
  }
}
