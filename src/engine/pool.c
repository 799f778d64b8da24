/* pool.c - partition distance and the diverse pool. */
#include "engine/pool.h"

#include <stdlib.h>
#include <string.h>

#include "util/check.h"

typedef struct cell {
  uint32_t count, a, b;
} cell;

static int by_count_desc(const void *x, const void *y) {
  const cell *p = x, *q = y;
  if (p->count != q->count) return p->count < q->count ? 1 : -1;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  return (p->b > q->b) - (p->b < q->b);
}

uint32_t prism_partition_distance(uint32_t n, uint32_t k, const uint32_t *a,
                                  const uint32_t *b) {
  uint32_t *ov = PRISM_CALLOC((size_t)k * k, sizeof *ov);
  for (uint32_t v = 0; v < n; v++) ov[(size_t)a[v] * k + b[v]]++;
  /* the nonzero cells: at most min(n, k*k) */
  size_t cap = (size_t)k * k < n ? (size_t)k * k : n, m = 0;
  cell *list = PRISM_MALLOC((cap ? cap : 1) * sizeof *list);
  for (uint32_t i = 0; i < k; i++)
    for (uint32_t j = 0; j < k; j++)
      if (ov[(size_t)i * k + j]) list[m++] = (cell){ov[(size_t)i * k + j], i, j};
  qsort(list, m, sizeof *list, by_count_desc);
  uint8_t *used = PRISM_CALLOC(2 * (size_t)k, 1);
  uint32_t same = 0;
  for (size_t i = 0; i < m; i++)
    if (!used[list[i].a] && !used[k + list[i].b]) {
      used[list[i].a] = used[k + list[i].b] = 1;
      same += list[i].count;
    }
  free(ov);
  free(list);
  free(used);
  return n - same;
}

void prism_pool_init(prism_pool *p, uint32_t n, uint32_t cap) {
  memset(p, 0, sizeof *p);
  p->n = n;
  p->cap = cap;
  p->colors = PRISM_MALLOC(((size_t)cap * n + 1) * sizeof *p->colors);
  p->fit = PRISM_MALLOC(((size_t)cap + 1) * sizeof *p->fit);
}

void prism_pool_free(prism_pool *p) {
  free(p->colors);
  free(p->fit);
  memset(p, 0, sizeof *p);
}

void prism_pool_clear(prism_pool *p, uint32_t k) {
  p->size = 0;
  p->k = k;
}

uint32_t prism_pool_nearest(const prism_pool *p, const uint32_t *colors, uint32_t *which) {
  uint32_t best = p->n, at = 0;
  for (uint32_t i = 0; i < p->size; i++) {
    uint32_t d = prism_partition_distance(p->n, p->k, colors, p->colors + (size_t)i * p->n);
    if (d < best) {
      best = d;
      at = i;
    }
  }
  if (which) *which = at;
  return best;
}

static void put(prism_pool *p, uint32_t at, const uint32_t *colors, uint32_t fit) {
  memcpy(p->colors + (size_t)at * p->n, colors, (size_t)p->n * sizeof *colors);
  p->fit[at] = fit;
}

int prism_pool_offer(prism_pool *p, const uint32_t *colors, uint32_t fit,
                     uint32_t min_dist) {
  if (p->cap == 0) return 0;
  uint32_t near;
  uint32_t d = prism_pool_nearest(p, colors, &near);
  int ok = 0;
  if (p->size > 0 && d < min_dist) {
    if (fit < p->fit[near]) {
      put(p, near, colors, fit);
      ok = 1;
    }
  } else if (p->size < p->cap) {
    put(p, p->size++, colors, fit);
    ok = 1;
  } else {
    uint32_t worst = 0;
    for (uint32_t i = 1; i < p->size; i++)
      if (p->fit[i] > p->fit[worst]) worst = i;
    if (fit < p->fit[worst]) {
      put(p, worst, colors, fit);
      ok = 1;
    }
  }
  if (ok)
    p->admitted++;
  else
    p->rejected++;
  return ok;
}
