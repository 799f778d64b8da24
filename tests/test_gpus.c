/* test_gpus.c - the devices of each rank on a host (src/cuda/gpus.c). */
#include <stdlib.h>
#include <string.h>

#include "cuda/gpus.h"
#include "test.h"

static const char *share(int count, int rank, int size) {
  static char buf[128];
  int dev[16];
  const int n = prism_gpus_share(count, rank, size, dev, 16);
  prism_gpus_format(dev, n, buf, sizeof buf);
  return buf;
}

PRISM_TEST(gpus_share_between_ranks, "cpu") {
  /* one process: every device */
  TEST_CHECK(strcmp(share(2, 0, 1), "0,1") == 0);
  TEST_CHECK(strcmp(share(8, 0, 1), "0,1,2,3,4,5,6,7") == 0);
  /* 2 ranks of 4 GPUs each on an 8-GPU host (issue 14's run) */
  TEST_CHECK(strcmp(share(8, 0, 2), "0,1,2,3") == 0);
  TEST_CHECK(strcmp(share(8, 1, 2), "4,5,6,7") == 0);
  /* uneven: the first ranks one more */
  TEST_CHECK(strcmp(share(3, 0, 2), "0,1") == 0);
  TEST_CHECK(strcmp(share(3, 1, 2), "2") == 0);
  /* more ranks than GPUs: shared round robin */
  TEST_CHECK(strcmp(share(2, 0, 4), "0") == 0);
  TEST_CHECK(strcmp(share(2, 3, 4), "1") == 0);
  /* no device, or a rank out of range: nothing / all */
  TEST_CHECK_EQ(prism_gpus_share(0, 0, 2, NULL, 0), 0);
  TEST_CHECK(strcmp(share(2, 5, 2), "0,1") == 0);
  /* every device is used exactly once when the ranks divide them */
  for (int count = 1; count <= 8; count++)
    for (int size = 1; size <= count; size++) {
      int seen[8] = {0}, dev[8];
      for (int r = 0; r < size; r++) {
        const int n = prism_gpus_share(count, r, size, dev, 8);
        TEST_CHECK(n >= 1);
        for (int i = 0; i < n; i++) seen[dev[i]]++;
      }
      for (int d = 0; d < count; d++) TEST_CHECK_EQ(seen[d], 1);
    }
}

PRISM_TEST(gpus_local_rank_from_env, "cpu") {
  int rank, size;
  setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "4", 1);
  setenv("OMPI_COMM_WORLD_LOCAL_RANK", "3", 1);
  prism_gpus_local(&rank, &size);
  TEST_CHECK_EQ(rank, 3);
  TEST_CHECK_EQ(size, 4);
  setenv("OMPI_COMM_WORLD_LOCAL_RANK", "x", 1);
  prism_gpus_local(&rank, &size);
  TEST_CHECK_EQ(rank, 0);
  unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  unsetenv("OMPI_COMM_WORLD_LOCAL_RANK");
  prism_gpus_local(&rank, &size);
  TEST_CHECK_EQ(rank, 0);
  TEST_CHECK_EQ(size, 1);
}
