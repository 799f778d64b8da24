/* pool.h - partition distance and a pool of colorings kept apart by it
 * (distance-based admission, after DLMCOL: Goudet, Grelier & Hao 2022). */
#ifndef PRISM_ENGINE_POOL_H
#define PRISM_ENGINE_POOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Vertices that must change color to turn coloring a into b up to a
 * renaming of the classes: n minus the overlap of a one-to-one class
 * matching. The matching is greedy (largest overlap first, ties by class
 * index), so the value is an upper bound of the exact distance and equals it
 * when the classes match clearly. Colors must be < k. */
uint32_t prism_partition_distance(uint32_t n, uint32_t k, const uint32_t *a,
                                  const uint32_t *b);

typedef struct prism_pool {
  uint32_t n, cap, size, k;
  uint32_t *colors; /* cap * n */
  uint32_t *fit;    /* conflicting edges of each member (fewer is better) */
  uint64_t admitted, rejected;
} prism_pool;

void prism_pool_init(prism_pool *p, uint32_t n, uint32_t cap);
void prism_pool_free(prism_pool *p);
/* Empty it (e.g. at a new k). */
void prism_pool_clear(prism_pool *p, uint32_t k);

/* Offer a coloring with `fit` conflicts. Closer than min_dist to a member:
 * it replaces that (nearest) member when strictly fitter, else it is refused.
 * Far from all: it is added while there is room, else it replaces the least
 * fit member when strictly fitter. Returns 1 when admitted. */
int prism_pool_offer(prism_pool *p, const uint32_t *colors, uint32_t fit,
                     uint32_t min_dist);

/* Smallest distance from colors to a member (n when empty). */
uint32_t prism_pool_nearest(const prism_pool *p, const uint32_t *colors, uint32_t *which);

#ifdef __cplusplus
}
#endif

#endif
