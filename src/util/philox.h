/* philox.h - Philox4x32-10 counter-based RNG (Salmon et al., SC'11), written
 * from the published description. Header-only so that the CPU engine and the
 * CUDA kernels draw the very same numbers for the same (key, counter). */
#ifndef PRISM_UTIL_PHILOX_H
#define PRISM_UTIL_PHILOX_H

#include <stdint.h>

#if defined(__CUDACC__)
#define PRISM_HD __host__ __device__ __forceinline__
#else
#define PRISM_HD static inline
#endif

typedef struct prism_u32x4 {
  uint32_t v[4];
} prism_u32x4;

PRISM_HD uint32_t prism_mulhilo32(uint32_t a, uint32_t b, uint32_t *hi) {
  uint64_t p = (uint64_t)a * (uint64_t)b;
  *hi = (uint32_t)(p >> 32);
  return (uint32_t)p;
}

/* 10 rounds of Philox4x32 on counter c with key (k0, k1). */
PRISM_HD prism_u32x4 prism_philox4x32(prism_u32x4 c, uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; r++) {
    uint32_t hi0, hi1;
    uint32_t lo0 = prism_mulhilo32(0xD2511F53u, c.v[0], &hi0);
    uint32_t lo1 = prism_mulhilo32(0xCD9E8D57u, c.v[2], &hi1);
    prism_u32x4 o;
    o.v[0] = hi1 ^ c.v[1] ^ k0;
    o.v[1] = lo1;
    o.v[2] = hi0 ^ c.v[3] ^ k1;
    o.v[3] = lo0;
    c = o;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return c;
}

/* A stream: key = seed, counter = (stream id, sub id, step lo, step hi).
 * Each call of prism_rng_next returns 4 fresh words in order. */
typedef struct prism_rng {
  uint32_t k0, k1;     /* key: 64-bit seed */
  uint32_t stream, sub; /* counter words 0-1: e.g. replica and purpose */
  uint64_t step;       /* counter words 2-3 */
  prism_u32x4 buf;
  uint32_t used; /* words of buf already handed out (4 = empty) */
} prism_rng;

PRISM_HD void prism_rng_init(prism_rng *r, uint64_t seed, uint32_t stream,
                             uint32_t sub, uint64_t step) {
  r->k0 = (uint32_t)seed;
  r->k1 = (uint32_t)(seed >> 32);
  r->stream = stream;
  r->sub = sub;
  r->step = step;
  r->used = 4;
}

PRISM_HD uint32_t prism_rng_u32(prism_rng *r) {
  if (r->used == 4) {
    prism_u32x4 c;
    c.v[0] = r->stream;
    c.v[1] = r->sub;
    c.v[2] = (uint32_t)r->step;
    c.v[3] = (uint32_t)(r->step >> 32);
    r->buf = prism_philox4x32(c, r->k0, r->k1);
    r->step++;
    r->used = 0;
  }
  return r->buf.v[r->used++];
}

/* Uniform integer in [0, n) by the multiply-shift method (n > 0). Integer
 * only, so it is bit-identical on host and device. */
PRISM_HD uint32_t prism_rng_below(prism_rng *r, uint32_t n) {
  return (uint32_t)(((uint64_t)prism_rng_u32(r) * (uint64_t)n) >> 32);
}

#endif

#ifndef PRISM_UTIL_MIX32
#define PRISM_UTIL_MIX32
/* A bijective 32-bit mixer (xorshift-multiply finaliser). Used for
 * order-independent random tie-breaking: among candidates the one with the
 * smallest prism_mix32(index ^ salt) wins, whatever order they are seen in
 * (sequential on the CPU, a parallel reduction on the GPU). */
PRISM_HD uint32_t prism_mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}
#endif
