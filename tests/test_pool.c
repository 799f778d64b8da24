/* test_pool.c - partition distance and the diverse pool's admission rule. */
#include <stdlib.h>
#include <string.h>

#include "engine/pool.h"
#include "test.h"

PRISM_TEST(pool_partition_distance, "cpu") {
  enum { N = 12, K = 3 };
  uint32_t a[N], b[N];
  for (uint32_t v = 0; v < N; v++) a[v] = v % K;
  /* a renaming of the classes is distance 0 */
  for (uint32_t v = 0; v < N; v++) b[v] = (a[v] + 1) % K;
  TEST_CHECK_EQ(prism_partition_distance(N, K, a, b), 0);
  TEST_CHECK_EQ(prism_partition_distance(N, K, a, a), 0);
  /* moving two vertices to another class (then renaming) is distance 2 */
  b[0] = (b[0] + 1) % K;
  b[5] = (b[5] + 2) % K;
  TEST_CHECK_EQ(prism_partition_distance(N, K, a, b), 2);
  TEST_CHECK_EQ(prism_partition_distance(N, K, b, a), 2);
  /* all in one class against three equal classes: 8 must move */
  uint32_t one[N] = {0};
  TEST_CHECK_EQ(prism_partition_distance(N, K, a, one), 8);
}

PRISM_TEST(pool_admission_keeps_members_apart, "cpu") {
  enum { N = 20, K = 4 };
  prism_pool p;
  prism_pool_init(&p, N, 3);
  prism_pool_clear(&p, K);
  uint32_t c[5][N];
  for (uint32_t v = 0; v < N; v++) {
    c[0][v] = v % K;
    c[1][v] = (v / 5) % K; /* far from c[0] */
    c[2][v] = (v * 7 / 3) % K;
    c[3][v] = v % K;       /* a copy of c[0] with one vertex moved */
    c[4][v] = (v / 2) % K;
  }
  c[3][0] = 1;
  TEST_CHECK(prism_pool_offer(&p, c[0], 10, 5));
  TEST_CHECK(prism_pool_offer(&p, c[1], 12, 5));
  TEST_CHECK_EQ(p.size, 2);
  /* close to c[0] and not fitter: refused */
  TEST_CHECK(!prism_pool_offer(&p, c[3], 10, 5));
  TEST_CHECK_EQ(p.size, 2);
  /* close to c[0] and fitter: replaces it, the size stays */
  TEST_CHECK(prism_pool_offer(&p, c[3], 3, 5));
  TEST_CHECK_EQ(p.size, 2);
  TEST_CHECK_EQ(p.fit[0], 3);
  /* far from all: added while there is room */
  uint32_t d = prism_pool_nearest(&p, c[2], NULL);
  TEST_REQUIRE(d >= 5);
  TEST_CHECK(prism_pool_offer(&p, c[2], 20, 5));
  TEST_CHECK_EQ(p.size, 3);
  /* full: a far one replaces the least fit only when fitter */
  if (prism_pool_nearest(&p, c[4], NULL) >= 5) {
    TEST_CHECK(!prism_pool_offer(&p, c[4], 25, 5));
    TEST_CHECK(prism_pool_offer(&p, c[4], 15, 5));
    int has20 = 0;
    for (uint32_t i = 0; i < p.size; i++) has20 |= p.fit[i] == 20;
    TEST_CHECK(!has20);
  }
  /* members stay pairwise apart */
  for (uint32_t i = 0; i < p.size; i++)
    for (uint32_t j = i + 1; j < p.size; j++)
      TEST_CHECK(prism_partition_distance(N, K, p.colors + i * N, p.colors + j * N) >= 5);
  prism_pool_free(&p);
}
