/* test_extract.c - independent-set extraction: every set independent, the
 * residual as asked, lifted colorings proper. */
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "engine/extract.h"
#include "engine/replica.h"
#include "test.h"

static int independent(const prism_graph *g, const uint32_t *set, uint32_t s) {
  for (uint32_t i = 0; i < s; i++)
    for (uint32_t j = i + 1; j < s; j++)
      if (prism_graph_has_edge(g, set[i], set[j])) return 0;
  return 1;
}

PRISM_TEST(extract_independent_set, "cpu") {
  prism_graph *g = prism_test_gnp(300, 0.5, 3, 4);
  uint32_t *set = malloc(g->n * sizeof *set);
  uint64_t it = 0;
  uint32_t s = prism_independent_set(g, 3000, 1, 0, set, &it);
  TEST_CHECK(s >= 8); /* G(300, 1/2): greedy gives ~7, the best known ~11 */
  TEST_CHECK(independent(g, set, s));
  TEST_CHECK(it > 0);
  /* deterministic */
  uint32_t *again = malloc(g->n * sizeof *again);
  TEST_CHECK_EQ(prism_independent_set(g, 3000, 1, 0, again, NULL), s);
  TEST_CHECK(memcmp(set, again, s * sizeof *set) == 0);
  free(again);
  free(set);
  prism_graph_free(g);
}

PRISM_TEST(extract_and_lift, "cpu") {
  prism_graph *g = prism_test_gnp(400, 0.5, 5, 2);
  prism_extraction x;
  prism_extract(g, 200, 2000, 7, 0, &x);
  TEST_REQUIRE(x.sets > 0);
  TEST_CHECK(x.residual->n <= 200);
  /* the sets are independent and cover exactly the vertices not kept */
  uint32_t *members = malloc(g->n * sizeof *members);
  uint32_t total = 0;
  for (uint32_t i = 0; i < x.sets; i++) {
    uint32_t s = 0;
    for (uint32_t v = 0; v < g->n; v++)
      if (x.set_of[v] == i) members[s++] = v;
    TEST_CHECK(s >= 2);
    TEST_CHECK(independent(g, members, s));
    total += s;
  }
  TEST_CHECK_EQ(total + x.residual->n, g->n);
  /* the residual is the induced subgraph */
  for (uint32_t i = 0; i < x.residual->n; i++)
    for (uint64_t e = x.residual->offsets[i]; e < x.residual->offsets[i + 1]; e++)
      TEST_CHECK(prism_graph_has_edge(g, x.orig[i], x.orig[x.residual->adj[e]]));
  /* a proper coloring of the residual lifts to a proper one of g */
  uint32_t *rc = malloc((x.residual->n + 1) * sizeof *rc);
  uint32_t kr = prism_dsatur(x.residual, rc);
  uint32_t *full = malloc(g->n * sizeof *full);
  uint32_t k = prism_extraction_lift(&x, rc, kr, g->n, full);
  TEST_CHECK_EQ(k, kr + x.sets);
  TEST_CHECK_EQ(prism_verify(g, full, k, NULL, 0), 0);
  free(full);
  free(rc);
  free(members);
  prism_extraction_free(&x);
  prism_graph_free(g);
}
