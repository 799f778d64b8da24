/* dsatur.c - DSATUR (Brelaz 1979) in O((n + m) log n) time, O(n + m) memory.
 *
 * Rule: color next the uncolored vertex of largest saturation (number of
 * distinct colors among its neighbours); ties go to the largest degree in the
 * uncolored subgraph (Brelaz's rule, not the static degree), then to the
 * lowest vertex id. It gets the smallest color none of its neighbours has.
 *
 * The uncolored vertices sit in a 4-ary max-heap keyed on
 * (saturation << 32 | uncolored degree), ties by lower id, with a position
 * array for O(log n) key changes. Coloring v touches each uncolored
 * neighbour once: its uncolored degree drops by one (key down) and, when the
 * color is new to it, its saturation rises by one (key up). Over the run that
 * is 2m heap updates.
 *
 * "Is color c already among w's neighbour colors?" is answered by one of two
 * per-vertex set layouts, both exact and giving the same coloring:
 *  - bitset: one row of (max_degree + 1) bits per vertex (no color exceeds
 *    max_degree), used when n * row is no larger than the hash tables would be
 *    (or at most 32 MiB) - dense graphs and bounded-degree graphs;
 *  - hash: per vertex one 64-bit word for colors 0..63 plus, for larger
 *    colors, an open-addressing table with 2 * deg(v) slots (a vertex never
 *    sees more than deg(v) colors, so the load stays <= 1/2); the tables sit
 *    at 2 * offsets[v] in one array of 4m slots, so they need no index of
 *    their own. Used for skewed degrees (e.g. one hub in a million-vertex
 *    graph), where rows of max_degree bits would not fit. The low word keeps
 *    the common case to one memory access. */
#include <stdlib.h>

#include "color/color.h"
#include "util/check.h"

#define DSATUR_GONE UINT32_MAX
#define DSATUR_ARITY 4

/* A heap entry carries its key, so comparisons never chase the vertex id. */
typedef struct dsatur_item {
  uint64_t key; /* saturation << 32 | uncolored degree */
  uint32_t v;
} dsatur_item;

/* 4-ary max-heap: half the depth of a binary heap, and the four children of
 * a node share one 64-byte line (entries are 16 bytes and entry 1 is
 * 64-aligned). */
typedef struct dsatur_heap {
  dsatur_item *item;
  void *block;   /* allocation behind item */
  uint32_t *pos; /* heap index of each vertex; DSATUR_GONE once colored */
  uint32_t size;
} dsatur_heap;

/* Does a come before b: larger key, then lower id. */
static inline int dsatur_before(dsatur_item a, dsatur_item b) {
  return a.key > b.key || (a.key == b.key && a.v < b.v);
}

static void dsatur_sift_up(dsatur_heap *h, uint32_t i) {
  dsatur_item x = h->item[i];
  while (i > 0) {
    uint32_t p = (i - 1) / DSATUR_ARITY;
    if (!dsatur_before(x, h->item[p])) break;
    h->item[i] = h->item[p];
    h->pos[h->item[i].v] = i;
    i = p;
  }
  h->item[i] = x;
  h->pos[x.v] = i;
}

static void dsatur_sift_down(dsatur_heap *h, uint32_t i) {
  dsatur_item x = h->item[i];
  uint32_t size = h->size;
  for (;;) {
    uint64_t first = (uint64_t)DSATUR_ARITY * i + 1;
    if (first >= size) break;
    uint32_t c = (uint32_t)first;
    uint32_t last = size - c > DSATUR_ARITY ? c + DSATUR_ARITY : size;
    for (uint32_t j = c + 1; j < last; j++)
      if (dsatur_before(h->item[j], h->item[c])) c = j;
    if (!dsatur_before(h->item[c], x)) break;
    h->item[i] = h->item[c];
    h->pos[h->item[i].v] = i;
    i = c;
  }
  h->item[i] = x;
  h->pos[x.v] = i;
}

static uint32_t dsatur_pop(dsatur_heap *h) {
  uint32_t v = h->item[0].v;
  h->size--;
  if (h->size > 0) {
    h->item[0] = h->item[h->size];
    h->pos[h->item[0].v] = 0;
    dsatur_sift_down(h, 0);
  }
  h->pos[v] = DSATUR_GONE;
  return v;
}

static inline uint64_t dsatur_hash_home(uint64_t cap, uint32_t c) {
  return ((uint64_t)(uint32_t)((c + 1) * 0x9E3779B1u) * cap) >> 32;
}

static inline int dsatur_hash_has(const uint32_t *slots, uint64_t cap, uint32_t c) {
  for (uint64_t i = dsatur_hash_home(cap, c);;) {
    uint32_t s = slots[i];
    if (s == c + 1) return 1;
    if (s == 0) return 0;
    if (++i == cap) i = 0;
  }
}

/* Insert color c into w's hash set (2 * deg(w) slots at base, value c + 1,
 * 0 = empty). Returns 1 when c was new. */
static inline int dsatur_hash_add(uint32_t *slots, uint64_t cap, uint32_t c) {
  for (uint64_t i = dsatur_hash_home(cap, c);;) {
    uint32_t s = slots[i];
    if (s == c + 1) return 0;
    if (s == 0) {
      slots[i] = c + 1;
      return 1;
    }
    if (++i == cap) i = 0;
  }
}

uint32_t prism_dsatur_with(const prism_graph *g, uint32_t *colors,
                           prism_dsatur_sets sets) {
  uint32_t n = g->n;
  if (n == 0) return 0;
  uint64_t row_words = ((uint64_t)g->max_degree + 1 + 63) / 64;
  uint64_t bitset_bytes = (uint64_t)n * row_words * 8;
  uint64_t hash_bytes = 16 * g->m;
  if (sets == PRISM_DSATUR_SETS_AUTO)
    sets = (bitset_bytes <= hash_bytes || bitset_bytes <= ((uint64_t)32 << 20))
               ? PRISM_DSATUR_SETS_BITSET
               : PRISM_DSATUR_SETS_HASH;

  uint64_t *bits = NULL, *low = NULL;
  uint32_t *slots = NULL;
  if (sets == PRISM_DSATUR_SETS_BITSET) {
    bits = PRISM_CALLOC(n * row_words, sizeof *bits);
  } else {
    /* calloc'd pages stay untouched (and unbacked) for vertices that never
     * see a color >= 64. */
    low = PRISM_CALLOC(n, sizeof *low);
    slots = PRISM_CALLOC(4 * g->m, sizeof *slots);
  }

  dsatur_heap h;
  /* 3 spare entries in front put item[1] on a 64-byte boundary. */
  h.block = PRISM_MALLOC(((size_t)n + 8) * sizeof *h.item);
  uintptr_t at = ((uintptr_t)h.block + 63) & ~(uintptr_t)63;
  h.item = (dsatur_item *)at + 3;
  h.pos = PRISM_MALLOC((size_t)n * sizeof *h.pos);
  h.size = n;
  for (uint32_t v = 0; v < n; v++) {
    colors[v] = PRISM_NO_COLOR;
    h.item[v].key = prism_graph_degree(g, v);
    h.item[v].v = v;
    h.pos[v] = v;
  }
  for (uint32_t i = n / DSATUR_ARITY + 1; i-- > 0;) dsatur_sift_down(&h, i);

  uint32_t k = 0;
  while (h.size > 0) {
    uint32_t v = dsatur_pop(&h), c = 0;
    const uint32_t *nb = g->adj + g->offsets[v];
    uint32_t deg = prism_graph_degree(g, v);
    if (bits) {
      /* First zero bit of v's row: the smallest free color. */
      const uint64_t *row = bits + (uint64_t)v * row_words;
      uint64_t w = 0;
      while (row[w] == ~(uint64_t)0) w++;
      c = (uint32_t)(w * 64 + (uint64_t)__builtin_ctzll(~row[w]));
    } else {
      /* v's own set holds exactly its neighbours' colors; past the low
       * word, probe 64, 65, ... (at most saturation + 1 probes, all in one
       * short table; the free color is <= deg). */
      if (low[v] != ~(uint64_t)0) {
        c = (uint32_t)__builtin_ctzll(~low[v]);
      } else {
        uint64_t base = 2 * g->offsets[v], cap = 2 * (uint64_t)deg;
        c = 64;
        while (c < deg && dsatur_hash_has(slots + base, cap, c)) c++;
      }
    }
    colors[v] = c;
    if (c + 1 > k) k = c + 1;

    for (uint32_t i = 0; i < deg; i++) {
      uint32_t w = nb[i];
      if (h.pos[w] == DSATUR_GONE) continue;
      int fresh;
      if (bits) {
        uint64_t *word = bits + (uint64_t)w * row_words + (c >> 6);
        uint64_t bit = (uint64_t)1 << (c & 63);
        fresh = !(*word & bit);
        *word |= bit;
      } else if (c < 64) {
        uint64_t bit = (uint64_t)1 << c;
        fresh = !(low[w] & bit);
        low[w] |= bit;
      } else {
        uint64_t base = 2 * g->offsets[w];
        fresh = dsatur_hash_add(slots + base, 2 * g->offsets[w + 1] - base, c);
      }
      uint32_t at_w = h.pos[w];
      h.item[at_w].key -= 1; /* one fewer uncolored neighbour */
      if (fresh) {
        h.item[at_w].key += (uint64_t)1 << 32;
        dsatur_sift_up(&h, at_w);
      } else {
        dsatur_sift_down(&h, at_w);
      }
    }
  }

  free(h.block);
  free(h.pos);
  free(bits);
  free(low);
  free(slots);
  return k;
}

uint32_t prism_dsatur(const prism_graph *g, uint32_t *colors) {
  return prism_dsatur_with(g, colors, PRISM_DSATUR_SETS_AUTO);
}
