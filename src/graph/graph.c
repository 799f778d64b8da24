/* graph.c - CSR construction from a raw edge list.
 *
 * prism_graph_build is a two-level counting sort, arranged so that random
 * memory access stays inside the cache (a plain one-level scatter over n
 * vertices is dominated by cache and TLB misses on big graphs):
 *   A. split the vertex range into at most ~1024 blocks of 2^shift vertices
 *      and scatter every non-loop pair, both ways, as a packed arc (u, v)
 *      into its source's block: ~1024 sequential output streams;
 *   B. per block, counting-sort the arcs by source into their final slots
 *      (a small, cache-resident region), sort each list, drop repeats and
 *      move the list down to the compacted write position.
 * Time O(n + m) plus the per-list sorts (insertion sort for short lists,
 * LSD radix sort for long ones, so no adversarial input makes it quadratic).
 * Memory: 8 bytes per arc in A plus the final 4 bytes per arc. */
#include "graph/graph.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/check.h"

/* Lists at most this long are insertion-sorted. */
#define SMALL_LIST 32
/* Target number of blocks in pass A. */
#define BLOCK_BITS 10

static void insertion_sort(uint32_t *a, uint64_t len) {
  for (uint64_t i = 1; i < len; i++) {
    uint32_t x = a[i];
    uint64_t j = i;
    while (j > 0 && a[j - 1] > x) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = x;
  }
}

/* LSD radix sort, 8-bit digits, only as many digits as values < n need.
 * `tmp` holds len entries. */
static void radix_sort(uint32_t *a, uint32_t *tmp, uint64_t len, int bits) {
  uint32_t *src = a, *dst = tmp;
  for (int sh = 0; sh < bits; sh += 8) {
    uint64_t cnt[256] = {0};
    for (uint64_t i = 0; i < len; i++) cnt[(src[i] >> sh) & 255]++;
    uint64_t sum = 0;
    for (int d = 0; d < 256; d++) {
      uint64_t c = cnt[d];
      cnt[d] = sum;
      sum += c;
    }
    for (uint64_t i = 0; i < len; i++) dst[cnt[(src[i] >> sh) & 255]++] = src[i];
    uint32_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memcpy(a, src, len * sizeof *a);
}

/* Allocation for the big arrays: on Linux, ask for transparent huge pages,
 * which cuts the page faults of first touch (a large share of the build time
 * on big graphs) several hundredfold. Only a hint; errors are ignored. */
static void *big_malloc(size_t bytes) {
  void *p = PRISM_MALLOC(bytes);
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = (uintptr_t)1 << 21;
  if (bytes >= 4 * huge) {
    uintptr_t b = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t e = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (e > b) (void)madvise((void *)b, e - b, MADV_HUGEPAGE);
  }
#endif
  return p;
}

/* Number of bits needed for values < n (at least 1). */
static int bits_below(uint32_t n) {
  int b = 1;
  while (b < 32 && ((uint64_t)1 << b) < n) b++;
  return b;
}

prism_graph *prism_graph_build(uint32_t n, const uint32_t *eu, const uint32_t *ev,
                               uint64_t count, prism_build_stats *stats) {
  if (stats) memset(stats, 0, sizeof *stats);
  if (n > PRISM_MAX_VERTICES) return NULL;
  /* Raw pairs may repeat every edge (e.g. both directions), so allow twice
   * the edge limit here and check the deduplicated count at the end. */
  if (count > 2 * PRISM_MAX_EDGES) return NULL;
  if (count > 0 && (!eu || !ev)) return NULL;

  int vbits = bits_below(n);
  int shift = vbits > BLOCK_BITS ? vbits - BLOCK_BITS : 0;
  size_t nblocks = n ? (size_t)((n - 1) >> shift) + 1 : 0;
  size_t bsize = (size_t)1 << shift;

  /* Block histogram (+2 trick: after the prefix sum bstart[b + 1] is where
   * block b starts, and the scatter bumps it to where b ends). */
  uint64_t *bstart = PRISM_CALLOC(nblocks + 2, sizeof *bstart);
  uint64_t loops = 0;
  for (uint64_t i = 0; i < count; i++) {
    uint32_t u = eu[i], v = ev[i];
    if (u >= n || v >= n) {
      free(bstart);
      return NULL;
    }
    if (u == v) {
      loops++;
      continue;
    }
    bstart[(u >> shift) + 2]++;
    bstart[(v >> shift) + 2]++;
  }
  for (size_t b = 2; b < nblocks + 2; b++) bstart[b] += bstart[b - 1];
  uint64_t arcs = 2 * (count - loops);

  /* A: arcs grouped by the source's block, packed as (u << 32 | v). */
  uint64_t *arc = big_malloc(arcs * sizeof *arc);
  for (uint64_t i = 0; i < count; i++) {
    uint32_t u = eu[i], v = ev[i];
    if (u == v) continue;
    arc[bstart[(u >> shift) + 1]++] = (uint64_t)u << 32 | v;
    arc[bstart[(v >> shift) + 1]++] = (uint64_t)v << 32 | u;
  }

  /* B: per block. Lists are scattered into the block's own stretch
   * [bstart[b], bstart[b + 1]) of adj, which compaction (writing at w <=
   * bstart[b]) has not reached yet. */
  uint32_t *adj = big_malloc(arcs * sizeof *adj);
  uint64_t *offsets = PRISM_MALLOC(((size_t)n + 1) * sizeof *offsets);
  uint64_t *local = PRISM_MALLOC((bsize + 2) * sizeof *local);
  uint32_t *scratch = NULL;
  uint64_t scratch_cap = 0, w = 0, repeats = 0;
  uint32_t max_degree = 0;
  for (size_t b = 0; b < nblocks; b++) {
    uint64_t base = bstart[b], end = bstart[b + 1];
    uint32_t lo = (uint32_t)(b << shift);
    uint32_t cnt = (uint32_t)(n - lo < bsize ? n - lo : bsize);
    memset(local, 0, ((size_t)cnt + 2) * sizeof *local);
    for (uint64_t k = base; k < end; k++) local[(arc[k] >> 32) - lo + 2]++;
    for (uint32_t i = 2; i < cnt + 2; i++) local[i] += local[i - 1];
    for (uint64_t k = base; k < end; k++)
      adj[base + local[(arc[k] >> 32) - lo + 1]++] = (uint32_t)arc[k];
    for (uint32_t i = 0; i < cnt; i++) {
      uint32_t *list = adj + base + local[i];
      uint64_t len = local[i + 1] - local[i];
      if (len <= SMALL_LIST) {
        insertion_sort(list, len);
      } else {
        if (len > scratch_cap) {
          free(scratch);
          scratch_cap = len;
          scratch = PRISM_MALLOC(scratch_cap * sizeof *scratch);
        }
        radix_sort(list, scratch, len, vbits);
      }
      /* Drop repeats while moving the list down to w (w <= list start). */
      uint64_t start = w;
      for (uint64_t k = 0; k < len; k++) {
        if (w > start && adj[w - 1] == list[k]) {
          repeats++;
          continue;
        }
        adj[w++] = list[k];
      }
      offsets[lo + i] = start;
      if (w - start > max_degree) max_degree = (uint32_t)(w - start);
    }
  }
  offsets[n] = w;
  free(scratch);
  free(local);
  free(arc);
  free(bstart);

  if (w / 2 > PRISM_MAX_EDGES) {
    free(offsets);
    free(adj);
    return NULL;
  }
  if (w < arcs) adj = PRISM_REALLOC(adj, w * sizeof *adj);

  prism_graph *g = PRISM_MALLOC(sizeof *g);
  g->n = n;
  g->m = w / 2;
  g->offsets = offsets;
  g->adj = adj;
  g->max_degree = max_degree;
  if (stats) {
    stats->self_loops = loops;
    stats->duplicates = repeats / 2;
  }
  return g;
}

void prism_graph_free(prism_graph *g) {
  if (!g) return;
  free(g->offsets);
  free(g->adj);
  free(g);
}

int prism_graph_has_edge(const prism_graph *g, uint32_t u, uint32_t v) {
  if (!g || u >= g->n || v >= g->n || u == v) return 0;
  /* Search the shorter list. */
  if (prism_graph_degree(g, u) > prism_graph_degree(g, v)) {
    uint32_t t = u;
    u = v;
    v = t;
  }
  uint64_t lo = g->offsets[u], hi = g->offsets[(size_t)u + 1];
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    uint32_t x = g->adj[mid];
    if (x == v) return 1;
    if (x < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 0;
}
