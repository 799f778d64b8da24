/* greedy.c - two more constructive colorings beside DSATUR, both linear or
 * nearly so, for large graphs:
 *
 *  smallest-last (Matula & Beck 1983): repeatedly remove a vertex of least
 *    remaining degree (bucket queue, O(n + m)), then color first-fit in the
 *    reverse order; uses at most degeneracy + 1 colors.
 *  RLF (Leighton 1979): build one class at a time; start from the
 *    uncolored vertex of most uncolored neighbours, then keep adding the
 *    candidate with the most neighbours among the vertices already excluded
 *    from the class (bucket queue keyed by that count). O(n + m) per class.
 *
 * Both are deterministic (ties by vertex order). */
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "util/check.h"
#include "util/timer.h"

/* First-fit in the given order; returns the number of colors. */
static uint32_t first_fit(const prism_graph *g, const uint32_t *order, uint32_t *colors) {
  const uint32_t n = g->n;
  uint32_t *seen = PRISM_CALLOC((size_t)n + 1, sizeof *seen), k = 0;
  for (uint32_t v = 0; v < n; v++) colors[v] = PRISM_NO_COLOR;
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t v = order[i];
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
      const uint32_t c = colors[g->adj[e]];
      if (c != PRISM_NO_COLOR) seen[c] = i + 1;
    }
    uint32_t c = 0;
    while (seen[c] == i + 1) c++;
    colors[v] = c;
    if (c + 1 > k) k = c + 1;
  }
  free(seen);
  return k;
}

/* Doubly linked buckets over vertices, keyed by a small integer. */
typedef struct buckets {
  uint32_t *head, *next, *prev, *key;
  uint32_t nkeys;
} buckets;

static void buckets_init(buckets *b, uint32_t n, uint32_t nkeys) {
  b->nkeys = nkeys;
  b->head = PRISM_MALLOC((size_t)nkeys * sizeof *b->head);
  b->next = PRISM_MALLOC((size_t)n * sizeof *b->next);
  b->prev = PRISM_MALLOC((size_t)n * sizeof *b->prev);
  b->key = PRISM_MALLOC((size_t)n * sizeof *b->key);
  for (uint32_t i = 0; i < nkeys; i++) b->head[i] = PRISM_NO_COLOR;
}

static void buckets_free(buckets *b) {
  free(b->head);
  free(b->next);
  free(b->prev);
  free(b->key);
}

static void buckets_put(buckets *b, uint32_t v, uint32_t key) {
  b->key[v] = key;
  b->prev[v] = PRISM_NO_COLOR;
  b->next[v] = b->head[key];
  if (b->head[key] != PRISM_NO_COLOR) b->prev[b->head[key]] = v;
  b->head[key] = v;
}

static void buckets_take(buckets *b, uint32_t v) {
  const uint32_t key = b->key[v];
  if (b->prev[v] != PRISM_NO_COLOR)
    b->next[b->prev[v]] = b->next[v];
  else
    b->head[key] = b->next[v];
  if (b->next[v] != PRISM_NO_COLOR) b->prev[b->next[v]] = b->prev[v];
}

static uint32_t max_degree(const prism_graph *g) {
  uint32_t d = 0;
  for (uint32_t v = 0; v < g->n; v++) {
    uint32_t dv = (uint32_t)(g->offsets[v + 1] - g->offsets[v]);
    if (dv > d) d = dv;
  }
  return d;
}

/* Out of time? Looked at every 4096 calls. */
static int late(double deadline, uint32_t *tick) {
  return deadline > 0 && (++*tick & 4095) == 0 && prism_now() >= deadline;
}

uint32_t prism_smallest_last(const prism_graph *g, uint32_t *colors, double deadline) {
  const uint32_t n = g->n;
  if (n == 0) return 0;
  buckets b;
  buckets_init(&b, n, max_degree(g) + 1);
  uint8_t *gone = PRISM_CALLOC(n, 1);
  uint32_t *order = PRISM_MALLOC((size_t)n * sizeof *order);
  for (uint32_t v = n; v-- > 0;) buckets_put(&b, v, (uint32_t)(g->offsets[v + 1] - g->offsets[v]));
  uint32_t low = 0, tick = 0, k = 0;
  for (uint32_t i = n; i-- > 0;) {
    if (late(deadline, &tick)) goto out;
    if (low > 0) low--; /* removing a vertex lowers a neighbour's key by one */
    while (b.head[low] == PRISM_NO_COLOR) low++;
    const uint32_t v = b.head[low];
    buckets_take(&b, v);
    gone[v] = 1;
    order[i] = v; /* colored last-removed first */
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
      const uint32_t u = g->adj[e];
      if (gone[u]) continue;
      buckets_take(&b, u);
      buckets_put(&b, u, b.key[u] - 1);
    }
  }
  k = first_fit(g, order, colors);
out:
  free(order);
  free(gone);
  buckets_free(&b);
  return k;
}

uint32_t prism_rlf(const prism_graph *g, uint32_t *colors, double deadline) {
  const uint32_t n = g->n;
  if (n == 0) return 0;
  const uint32_t dmax = max_degree(g);
  uint32_t *degu = PRISM_MALLOC((size_t)n * sizeof *degu);  /* uncolored neighbours */
  uint32_t *unc = PRISM_MALLOC((size_t)n * sizeof *unc);    /* the uncolored vertices */
  uint8_t *state = PRISM_MALLOC(n); /* 0 colored, 1 candidate, 2 excluded */
  uint32_t nu = n, k = 0, tick = 0;
  for (uint32_t v = 0; v < n; v++) {
    colors[v] = PRISM_NO_COLOR;
    degu[v] = (uint32_t)(g->offsets[v + 1] - g->offsets[v]);
    unc[v] = v;
  }
  buckets b;
  buckets_init(&b, n, dmax + 1);
  while (nu > 0) {
    if (deadline > 0 && prism_now() >= deadline) {
      k = 0; /* out of time: no coloring */
      break;
    }
    /* the class starts from the uncolored vertex of most uncolored neighbours */
    uint32_t first = unc[0];
    for (uint32_t i = 0; i < nu; i++) {
      const uint32_t v = unc[i];
      if (degu[v] > degu[first] || (degu[v] == degu[first] && v < first)) first = v;
    }
    for (uint32_t i = nu; i-- > 0;) {
      state[unc[i]] = 1;
      buckets_put(&b, unc[i], 0);
    }
    uint32_t top = 0, v = first;
    for (;;) {
      if (late(deadline, &tick)) {
        k = 0; /* out of time: no coloring */
        goto done;
      }
      buckets_take(&b, v);
      state[v] = 0;
      colors[v] = k;
      /* v's candidate neighbours are excluded; their candidate neighbours
       * gain an excluded neighbour */
      for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
        const uint32_t w = g->adj[e];
        if (state[w] != 1 || colors[w] != PRISM_NO_COLOR) continue;
        buckets_take(&b, w);
        state[w] = 2;
        for (uint64_t f = g->offsets[w]; f < g->offsets[w + 1]; f++) {
          const uint32_t x = g->adj[f];
          if (state[x] != 1 || colors[x] != PRISM_NO_COLOR) continue;
          buckets_take(&b, x);
          buckets_put(&b, x, b.key[x] + 1);
          if (b.key[x] > top) top = b.key[x];
        }
      }
      while (top > 0 && b.head[top] == PRISM_NO_COLOR) top--;
      if (b.head[top] == PRISM_NO_COLOR) break;
      v = b.head[top];
    }
    /* the class is done: drop it from the uncolored list, reset the rest */
    uint32_t w = 0;
    for (uint32_t i = 0; i < nu; i++) {
      const uint32_t u = unc[i];
      if (colors[u] == k) {
        for (uint64_t e = g->offsets[u]; e < g->offsets[u + 1]; e++) degu[g->adj[e]]--;
      } else {
        unc[w++] = u;
      }
      state[u] = 0;
    }
    nu = w;
    k++;
  }
done:
  buckets_free(&b);
  free(degu);
  free(unc);
  free(state);
  return k;
}
