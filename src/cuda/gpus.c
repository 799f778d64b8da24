/* gpus.c - the devices of one rank among the ranks of a host (gpus.h). */
#include "cuda/gpus.h"

#include <stdio.h>
#include <stdlib.h>

int prism_gpus_share(int count, int rank, int size, int *out, int cap) {
  if (count <= 0 || cap <= 0) return 0;
  if (size <= 1 || rank < 0 || rank >= size) {
    const int n = count < cap ? count : cap;
    for (int d = 0; d < n; d++) out[d] = d;
    return n;
  }
  if (count < size) {
    out[0] = rank % count;
    return 1;
  }
  const int base = count / size, extra = count % size;
  const int first = rank * base + (rank < extra ? rank : extra);
  int n = base + (rank < extra);
  if (n > cap) n = cap;
  for (int i = 0; i < n; i++) out[i] = first + i;
  return n;
}

static int env_int(const char *name, int def) {
  const char *s = getenv(name);
  if (!s || !*s) return def;
  char *end = NULL;
  const long v = strtol(s, &end, 10);
  return (*end || v < 0 || v > 1 << 20) ? def : (int)v;
}

void prism_gpus_local(int *rank, int *size) {
  *size = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", 1);
  *rank = env_int("OMPI_COMM_WORLD_LOCAL_RANK", 0);
  if (*size < 1) *size = 1;
  if (*rank >= *size) *rank = 0;
}

void prism_gpus_format(const int *dev, int n, char *out, size_t len) {
  size_t used = 0;
  if (len) out[0] = 0;
  for (int i = 0; i < n && used < len; i++) {
    const int w = snprintf(out + used, len - used, "%s%d", i ? "," : "", dev[i]);
    if (w < 0) break;
    used += (size_t)w;
  }
}
