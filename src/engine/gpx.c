/* gpx.c - greedy partition crossover and class dissolution. */
#include <string.h>

#include "engine/engine.h"
#include "util/philox.h"

#define PRISM_NO_COLOR_DISSOLVE UINT32_MAX

void prism_gpx(uint32_t n, uint32_t k, const uint32_t *p1, const uint32_t *p2,
               uint32_t *child, uint64_t seed, uint32_t stream, uint64_t counter,
               uint32_t *scratch) {
  uint32_t *size1 = scratch, *size2 = scratch + k;
  uint32_t *assigned = scratch + 2 * k; /* n flags */
  memset(size1, 0, 2 * (size_t)k * sizeof *size1);
  memset(assigned, 0, (size_t)n * sizeof *assigned);
  for (uint32_t v = 0; v < n; v++) {
    size1[p1[v]]++;
    size2[p2[v]]++;
  }
  for (uint32_t l = 0; l < k; l++) {
    const uint32_t *par = (l & 1) ? p2 : p1, *oth = (l & 1) ? p1 : p2;
    uint32_t *sz = (l & 1) ? size2 : size1, *osz = (l & 1) ? size1 : size2;
    uint32_t best = 0;
    for (uint32_t c = 1; c < k; c++)
      if (sz[c] > sz[best]) best = c;
    if (sz[best] == 0) break;
    for (uint32_t v = 0; v < n; v++) {
      if (assigned[v] || par[v] != best) continue;
      assigned[v] = 1;
      child[v] = l;
      osz[oth[v]]--;
    }
    sz[best] = 0;
  }
  prism_rng rng;
  prism_rng_init(&rng, seed, stream, 0x67707800u, counter);
  for (uint32_t v = 0; v < n; v++)
    if (!assigned[v]) child[v] = prism_rng_below(&rng, k);
}

void prism_dissolve_class(const prism_graph *g, const uint32_t *in, uint32_t kplus1,
                          uint32_t *out, uint64_t seed, uint32_t stream,
                          uint32_t *count) {
  const uint32_t n = g->n, k = kplus1 - 1;
  prism_rng rng;
  prism_rng_init(&rng, seed, stream, 0x64697373u, kplus1);
  memset(count, 0, (size_t)kplus1 * sizeof *count);
  for (uint32_t v = 0; v < n; v++) count[in[v]]++;
  /* the smallest class, ties broken at random */
  uint32_t victim = 0, ties = 0;
  for (uint32_t c = 0; c < kplus1; c++) {
    if (c == 0 || count[c] < count[victim]) {
      victim = c;
      ties = 1;
    } else if (count[c] == count[victim] && prism_rng_below(&rng, ++ties) == 0) {
      victim = c;
    }
  }
  /* relabel: the last color takes the victim's label */
  for (uint32_t v = 0; v < n; v++) {
    uint32_t c = in[v];
    out[v] = c == victim ? PRISM_NO_COLOR_DISSOLVE : (c == k ? victim : c);
  }
  /* re-place the victim's vertices, fewest conflicts first */
  for (uint32_t v = 0; v < n; v++) {
    if (out[v] != PRISM_NO_COLOR_DISSOLVE) continue;
    memset(count, 0, (size_t)k * sizeof *count);
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
      uint32_t c = out[g->adj[e]];
      if (c < k) count[c]++;
    }
    uint32_t best = 0;
    ties = 0;
    for (uint32_t c = 0; c < k; c++) {
      if (c == 0 || count[c] < count[best]) {
        best = c;
        ties = 1;
      } else if (count[c] == count[best] && prism_rng_below(&rng, ++ties) == 0) {
        best = c;
      }
    }
    out[v] = best;
  }
}
