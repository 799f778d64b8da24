/* test_graphs.c - graphs the tests build. */
#include <stdlib.h>

#include "test.h"
#include "util/philox.h"

prism_graph *prism_test_gnp(uint32_t n, double p, uint64_t seed, uint32_t stream) {
  size_t cap = 1024, m = 0;
  uint32_t *eu = malloc(cap * sizeof *eu), *ev = malloc(cap * sizeof *ev);
  prism_rng rng;
  prism_rng_init(&rng, seed, stream, 0, 0);
  uint32_t thr = (uint32_t)(p * 4294967295.0);
  for (uint32_t u = 0; u < n; u++)
    for (uint32_t v = u + 1; v < n; v++)
      if (prism_rng_u32(&rng) < thr) {
        if (m == cap) {
          cap *= 2;
          eu = realloc(eu, cap * sizeof *eu);
          ev = realloc(ev, cap * sizeof *ev);
        }
        eu[m] = u;
        ev[m++] = v;
      }
  prism_graph *g = prism_graph_build(n, eu, ev, m, NULL);
  free(eu);
  free(ev);
  return g;
}
