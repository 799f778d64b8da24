/* verify.c - the coloring verifier and two small counters over a coloring.
 * Everything here is read-only on the graph and the colors, O(n + m). */
#include <stdio.h>
#include <stdlib.h>

#include "color/color.h"
#include "util/check.h"

static void verify_say(char *msg, unsigned msg_len, const char *fmt, uint32_t a,
                       uint32_t b, uint32_t c) {
  if (!msg || msg_len == 0) return;
  snprintf(msg, msg_len, fmt, a, b, c);
}

int prism_verify(const prism_graph *g, const uint32_t *colors, uint32_t k,
                 char *msg, unsigned msg_len) {
  if (msg && msg_len) msg[0] = 0;
  /* Vertices first, so that a missing or out-of-range color is reported as
   * such and never as a clash between two uncolored ends. */
  for (uint32_t v = 0; v < g->n; v++) {
    if (colors[v] == PRISM_NO_COLOR) {
      verify_say(msg, msg_len, "vertex %u has no color", v + 1, 0, 0);
      return -1;
    }
    if (k > 0 && colors[v] >= k) {
      verify_say(msg, msg_len, "vertex %u has color %u, not below k = %u", v + 1,
                 colors[v], k);
      return -1;
    }
  }
  for (uint32_t u = 0; u < g->n; u++) {
    for (uint64_t e = g->offsets[u]; e < g->offsets[u + 1]; e++) {
      uint32_t v = g->adj[e];
      if (v > u && colors[v] == colors[u]) {
        verify_say(msg, msg_len, "edge %u-%u: both ends have color %u", u + 1,
                   v + 1, colors[u]);
        return -1;
      }
    }
  }
  return 0;
}

static int verify_cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

uint32_t prism_colors_used(const prism_graph *g, const uint32_t *colors) {
  uint32_t n = g->n, maxc = 0, any = 0;
  for (uint32_t v = 0; v < n; v++) {
    if (colors[v] == PRISM_NO_COLOR) continue;
    any = 1;
    if (colors[v] > maxc) maxc = colors[v];
  }
  if (!any) return 0;
  uint32_t used = 0;
  if ((uint64_t)maxc < 4 * (uint64_t)n + 64) {
    /* Usual case (compact-ish colors): one bit per possible color. */
    uint64_t words = ((uint64_t)maxc >> 6) + 1;
    uint64_t *seen = PRISM_CALLOC(words, sizeof *seen);
    for (uint32_t v = 0; v < n; v++) {
      uint32_t c = colors[v];
      if (c == PRISM_NO_COLOR) continue;
      uint64_t bit = (uint64_t)1 << (c & 63);
      if (!(seen[c >> 6] & bit)) {
        seen[c >> 6] |= bit;
        used++;
      }
    }
    free(seen);
  } else {
    /* Sparse huge color values: sort a copy instead of a huge bitmap. */
    uint32_t *copy = PRISM_MALLOC((size_t)n * sizeof *copy);
    uint32_t cnt = 0;
    for (uint32_t v = 0; v < n; v++)
      if (colors[v] != PRISM_NO_COLOR) copy[cnt++] = colors[v];
    qsort(copy, cnt, sizeof *copy, verify_cmp_u32);
    for (uint32_t i = 0; i < cnt; i++)
      if (i == 0 || copy[i] != copy[i - 1]) used++;
    free(copy);
  }
  return used;
}

/* Uncolored ends (PRISM_NO_COLOR) never count as a conflict. */
uint64_t prism_count_conflicts(const prism_graph *g, const uint32_t *colors) {
  uint64_t conflicts = 0;
  for (uint32_t u = 0; u < g->n; u++) {
    uint32_t cu = colors[u];
    if (cu == PRISM_NO_COLOR) continue;
    for (uint64_t e = g->offsets[u]; e < g->offsets[u + 1]; e++) {
      uint32_t v = g->adj[e];
      if (v > u && colors[v] == cu) conflicts++;
    }
  }
  return conflicts;
}
