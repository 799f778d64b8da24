/* replica_inline.h - the small helpers both search modes use on the hot
 * path (the conflict or uncolored list, the best-coloring record). */
#ifndef PRISM_ENGINE_REPLICA_INLINE_H
#define PRISM_ENGINE_REPLICA_INLINE_H

#include <string.h>

#include "engine/replica.h"
#include "util/philox.h"

/* The bucket of v (a fixed hash, the same for every replica and seed). */
static inline uint32_t prism_bucket_of(const prism_replica *r, uint32_t v) {
  return r->bk_bits ? prism_mix32(v * 0x9E3779B1u + 0x7F4A7C15u) >> (32 - r->bk_bits) : 0;
}

static inline void prism_cv_add(prism_replica *r, uint32_t v) {
  r->cvpos[v] = r->ncv;
  r->cv[r->ncv++] = v;
  const uint32_t b = prism_bucket_of(r, v), *start = r->bk_start;
  r->bk_pos[v] = r->bk_len[b];
  r->bk_item[start[b] + r->bk_len[b]++] = v;
}

static inline void prism_cv_remove(prism_replica *r, uint32_t v) {
  uint32_t p = r->cvpos[v], last = r->cv[--r->ncv];
  r->cv[p] = last;
  r->cvpos[last] = p;
  r->cvpos[v] = PRISM_NONE;
  const uint32_t b = prism_bucket_of(r, v), s = r->bk_start[b];
  const uint32_t q = r->bk_pos[v], tail = r->bk_item[s + --r->bk_len[b]];
  r->bk_item[s + q] = tail;
  r->bk_pos[tail] = q;
}

/* A sampled scan's buckets: from the one `pick` selects on, in order, until
 * they hold at least `want` vertices (or all buckets). Returns how many;
 * *first is the first; bucket i of the window is (first + i) & mask. */
static inline uint32_t prism_sample_window(const prism_replica *r, uint32_t pick,
                                           uint32_t want, uint32_t *first) {
  const uint32_t mask = (1u << r->bk_bits) - 1;
  uint32_t b = r->bk_bits ? pick >> (32 - r->bk_bits) : 0, got = 0, t = 0;
  *first = b;
  for (; t <= mask && got < want; t++, b = (b + 1) & mask) got += r->bk_len[b];
  return t;
}

/* Empty the list (the callers reset cvpos). */
static inline void prism_cv_clear(prism_replica *r) {
  r->ncv = 0;
  memset(r->bk_len, 0, ((size_t)1 << r->bk_bits) * sizeof *r->bk_len);
}

/* v was recolored: remember it for the next best-coloring update. */
static inline void prism_note_change(prism_replica *r, uint32_t v) {
  if (r->chg_over || r->chg_mark[v] == r->chg_stamp) return;
  r->chg_mark[v] = r->chg_stamp;
  if (r->nchg < r->chg_cap)
    r->chg[r->nchg++] = v;
  else
    r->chg_over = 1;
}

/* best_color := color, in O(changes) when they are known, else O(n). */
static inline void prism_best_sync(prism_replica *r) {
  if (r->chg_over) {
    memcpy(r->best_color, r->color, (size_t)r->n * sizeof *r->color);
  } else {
    for (uint32_t i = 0; i < r->nchg; i++) r->best_color[r->chg[i]] = r->color[r->chg[i]];
  }
  r->nchg = 0;
  r->chg_over = 0;
  if (++r->chg_stamp == 0) {
    memset(r->chg_mark, 0, (size_t)r->n * sizeof *r->chg_mark);
    r->chg_stamp = 1;
  }
}

/* The tabu table holds iterations relative to tabu_epoch in 32 bits (half
 * the memory of absolute 64-bit iterations, the same decisions): at a batch
 * start the epoch moves to the current iteration; inside a batch
 * iter - tabu_epoch < 2^32 (batch_moves is bounded far below). */
static inline void prism_tabu_rebase(prism_replica *r) {
  const uint64_t shift = r->iter - r->tabu_epoch;
  const size_t nk = (size_t)r->n * r->k;
  if (shift == 0) return;
  if (shift >= UINT32_MAX) {
    memset(r->tabu, 0, nk * sizeof *r->tabu);
  } else {
    const uint32_t s = (uint32_t)shift;
    for (size_t i = 0; i < nk; i++) r->tabu[i] = r->tabu[i] > s ? r->tabu[i] - s : 0;
  }
  r->tabu_epoch = r->iter;
}

/* The table entry for "tabu until iteration `until`". */
static inline uint32_t prism_tabu_until(const prism_replica *r, uint64_t until) {
  const uint64_t d = until - r->tabu_epoch;
  return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

/* TabuCol's potential-energy terms of vertex v holding color col. */
static inline int64_t prism_potential(const prism_replica *r, const prism_batch_cfg *c,
                                      uint32_t v, uint32_t col) {
  int64_t e = col == c->k - 1 ? c->mu : 0;
  if (r->belief && c->beta && col != r->belief[v]) e += c->beta;
  return e;
}

/* After a move: the aspiration reference and the best coloring of the batch. */
static inline void prism_note_energy(prism_replica *r) {
  if (r->energy < r->best_energy) r->best_energy = r->energy;
  if (r->energy < r->best_color_energy) {
    r->best_color_energy = r->energy;
    prism_best_sync(r);
  }
}

#endif
