/* lebuf.h - little-endian serialisation for the binary files prism writes
 * (Q-tables, world models): a growing byte buffer and fixed-width reads. */
#ifndef PRISM_UTIL_LEBUF_H
#define PRISM_UTIL_LEBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/check.h"

typedef struct prism_wbuf {
  unsigned char *p;
  size_t len, cap;
} prism_wbuf;

static inline void prism_put_bytes(prism_wbuf *b, const void *src, size_t n) {
  if (b->len + n > b->cap) {
    while (b->len + n > b->cap) b->cap = b->cap ? 2 * b->cap : 1024;
    b->p = PRISM_REALLOC(b->p, b->cap);
  }
  memcpy(b->p + b->len, src, n);
  b->len += n;
}

static inline void prism_put_u32(prism_wbuf *b, uint32_t x) {
  unsigned char s[4] = {(unsigned char)x, (unsigned char)(x >> 8), (unsigned char)(x >> 16),
                        (unsigned char)(x >> 24)};
  prism_put_bytes(b, s, 4);
}

static inline void prism_put_u64(prism_wbuf *b, uint64_t x) {
  prism_put_u32(b, (uint32_t)x);
  prism_put_u32(b, (uint32_t)(x >> 32));
}

static inline void prism_put_f64(prism_wbuf *b, double d) {
  uint64_t x;
  memcpy(&x, &d, sizeof x);
  prism_put_u64(b, x);
}

static inline uint32_t prism_get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t prism_get_u64(const unsigned char *p) {
  return (uint64_t)prism_get_u32(p) | (uint64_t)prism_get_u32(p + 4) << 32;
}

static inline double prism_get_f64(const unsigned char *p) {
  uint64_t x = prism_get_u64(p);
  double d;
  memcpy(&d, &x, sizeof d);
  return d;
}

#endif
