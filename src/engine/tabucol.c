/* tabucol.c - TabuCol (Galinier & Hao 1999) on one replica, with the
 * weighted energy, the Metropolis candidate and Kempe-chain tunneling of
 * replica.h. The CUDA kernel (src/cuda/engine_gpu.cu) reproduces this batch
 * move for move; change both or neither. */
#include "engine/replica.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <string.h>

#include "engine/replica_inline.h"
#include "util/philox.h"

/* Recolor v from its color to nc, updating G and the conflict list. */
static inline void recolor(prism_replica *r, const prism_batch_cfg *c, uint32_t v,
                           uint32_t nc) {
  const uint32_t k = r->k, a = r->color[v];
  const int32_t w = c->omega[v];
  r->color[v] = nc;
  prism_note_change(r, v);
  int32_t *const rowmin = r->rowmin;
  uint8_t *const ok = r->rowmin_ok;
  for (uint64_t e = c->offsets[v]; e < c->offsets[v + 1]; e++) {
    uint32_t u = c->adj[e];
    int32_t *row = r->G + (size_t)u * k;
    row[a] -= w;
    row[nc] += w;
    uint32_t cu = r->color[u];
    if (cu == a && row[a] == 0)
      prism_cv_remove(r, u);
    else if (cu == nc && row[nc] == w)
      prism_cv_add(r, u);
    /* u's row minimum over the colors it could take: a fell (a new minimum
     * at most), nc rose (the minimum may have risen: recompute later) */
    if (cu != a && row[a] < rowmin[u]) rowmin[u] = row[a];
    if (cu != nc && row[nc] - w == rowmin[u]) ok[u] = 0;
  }
  ok[v] = 0; /* its own color changed */
  int in_now = r->G[(size_t)v * k + nc] > 0, in_before = r->cvpos[v] != PRISM_NONE;
  if (in_now && !in_before)
    prism_cv_add(r, v);
  else if (!in_now && in_before)
    prism_cv_remove(r, v);
}

/* Kempe-chain interchange of colors {color v, b} on the chain through v.
 * Returns 0 (and changes nothing) when the chain exceeds max_chain. */
static int kempe(prism_replica *r, const prism_batch_cfg *c, uint32_t v, uint32_t b) {
  const uint32_t a = r->color[v];
  if (++r->stamp == 0) {
    memset(r->mark, 0, (size_t)r->n * sizeof *r->mark);
    r->stamp = 1;
  }
  uint32_t head = 0, tail = 0;
  r->mark[v] = r->stamp;
  r->queue[tail++] = v;
  while (head < tail) {
    uint32_t x = r->queue[head++];
    for (uint64_t e = c->offsets[x]; e < c->offsets[x + 1]; e++) {
      uint32_t y = c->adj[e], cy = r->color[y];
      if ((cy == a || cy == b) && r->mark[y] != r->stamp) {
        if (tail == c->max_chain) return 0;
        r->mark[y] = r->stamp;
        r->queue[tail++] = y;
      }
    }
  }
  /* Conflicting pairs stay conflicting pairs: only the potentials move. */
  for (uint32_t i = 0; i < tail; i++) {
    uint32_t x = r->queue[i], old = r->color[x], nc = old == a ? b : a;
    r->energy += prism_potential(r, c, x, nc) - prism_potential(r, c, x, old);
    recolor(r, c, x, nc);
  }
  return 1;
}

static inline int64_t floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Bit j set when row[j] <= lim, for j < cnt <= 32 (SSE2 where present). */
static inline uint32_t le_mask(const int32_t *row, uint32_t cnt, int64_t lim) {
  const int32_t l = lim > INT32_MAX   ? INT32_MAX
                    : lim < INT32_MIN ? INT32_MIN
                                      : (int32_t)lim;
  uint32_t m = 0, j = 0;
#ifdef __SSE2__
  const __m128i vl = _mm_set1_epi32(l);
  for (; j + 4 <= cnt; j += 4) {
    const __m128i x = _mm_loadu_si128((const __m128i *)(row + j));
    const uint32_t gt =
        (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(x, vl)));
    m |= (~gt & 15u) << j;
  }
#endif
  for (; j < cnt; j++) m |= (uint32_t)(row[j] <= l) << j;
  return m;
}

/* min over c != a of row[c] */
static inline int32_t row_min(const int32_t *row, uint32_t k, uint32_t a) {
  int32_t m = INT32_MAX;
  for (uint32_t c = 0; c < k; c++)
    if (c != a && row[c] < m) m = row[c];
  return m;
}

/* The scan's running result: the best allowed move (bd, bvkey, bkey,
 * bestv, bestc) and the random vertex (smallest rkey). */
typedef struct scan_best {
  int64_t bd;
  uint32_t bvkey, bkey, bestv, bestc, rkey, randv;
} scan_best;

/* Consider every move of conflicting vertex v. */
static inline void scan_vertex(prism_replica *r, const prism_batch_cfg *c, int plain,
                               uint32_t salt, uint32_t salt2, uint32_t vsalt, uint32_t it,
                               int64_t slack, scan_best *s, uint32_t v) {
  const uint32_t k = r->k, top = k - 1, a = r->color[v];
  const int32_t *row = r->G + (size_t)v * k;
  const uint32_t *tab = r->tabu + (size_t)v * k;
  const int64_t w = c->omega[v];
  uint32_t hv = prism_mix32(v ^ salt2);
  if (hv < s->rkey) {
    s->rkey = hv;
    s->randv = v;
  }
  int64_t base = -w * row[a];
  uint32_t b = PRISM_NONE;
  int64_t slackadj = 0; /* most a potential can lower d */
  if (!plain) {
    base -= prism_potential(r, c, v, a);
    if (r->belief && c->beta) {
      b = r->belief[v];
      base += c->beta;
      slackadj = c->beta;
    }
  }
  int64_t bd = s->bd;
  /* ties: the vertex with the least vkey first, then its color with the
   * least key */
  const uint32_t vkey = prism_mix32(v ^ vsalt);
  if (bd != INT64_MAX) {
    /* no move of v can beat bd when its row minimum cannot (potentials
     * add mu >= 0 or take at most slackadj off): skip the row */
    if (!r->rowmin_ok[v]) {
      r->rowmin[v] = row_min(row, k, a);
      r->rowmin_ok[v] = 1;
    }
    if (w * r->rowmin[v] + base - slackadj > bd) return;
  }
  /* d = w * row[col] + base (+ potentials) <= bd  needs  row[col] <= lim */
  int64_t lim = bd == INT64_MAX ? INT32_MAX : floordiv(bd - base + slackadj, w);
  for (uint32_t c0 = 0; c0 < k; c0 += 32) {
    /* the colors of this chunk that can beat bd (a superset: lim only
     * falls), taken in increasing order like a plain loop */
    uint32_t m = le_mask(row + c0, k - c0 < 32 ? k - c0 : 32, lim);
    if (a >= c0 && a - c0 < 32) m &= ~(1u << (a - c0));
    for (; m; m &= m - 1) {
      const uint32_t col = c0 + (uint32_t)__builtin_ctz(m);
      if (row[col] > lim) continue;
      int64_t d = w * row[col] + base;
      if (!plain) {
        if (col == top) d += c->mu;
        if (col == b) d -= c->beta;
      }
      if (d > bd) continue;
      if (tab[col] > it && d >= slack) continue;
      if (d == bd && vkey > s->bvkey) continue;
      uint32_t key = prism_mix32((v * k + col) ^ salt);
      if (d < bd || vkey < s->bvkey || key < s->bkey) {
        if (d < bd) lim = floordiv(d - base + slackadj, w);
        bd = d;
        s->bvkey = vkey;
        s->bkey = key;
        s->bestv = v;
        s->bestc = col;
      }
    }
  }
  s->bd = bd;
}

/* The best allowed move among the conflicting vertices (all of them, or a
 * sample when there are more than scan_limit: whole buckets from the one
 * `pick` selects on), and the random vertex among the same; PLAIN = no
 * potentials. Either way the result depends on the set scanned, not on the
 * list order. */
static inline void scan(prism_replica *r, const prism_batch_cfg *c, int plain,
                        uint32_t salt, uint32_t salt2, uint32_t vsalt, uint32_t pick,
                        int64_t *best_d,
                        uint32_t *bv, uint32_t *bc, uint32_t *rv) {
  const uint32_t it = (uint32_t)(r->iter - r->tabu_epoch); /* tabu when entry > it */
  const int64_t slack = r->best_energy - r->energy; /* aspiration: d < slack */
  scan_best s = {INT64_MAX, UINT32_MAX, UINT32_MAX, PRISM_NONE, 0, UINT32_MAX, PRISM_NONE};
  if (c->scan_limit == 0 || r->ncv <= c->scan_limit) {
    for (uint32_t i = 0; i < r->ncv; i++)
      scan_vertex(r, c, plain, salt, salt2, vsalt, it, slack, &s, r->cv[i]);
  } else {
    const uint32_t mask = (1u << r->bk_bits) - 1, k = r->k;
    uint32_t b0;
    const uint32_t nw = prism_sample_window(r, pick, c->scan_sample, &b0);
    /* the rows are cache misses on a large graph: ask for all of them first */
    for (uint32_t t = 0, b = b0; t < nw; t++, b = (b + 1) & mask) {
      const uint32_t *item = r->bk_item + r->bk_start[b], len = r->bk_len[b];
      for (uint32_t j = 0; j < len; j++) {
        const uint32_t v = item[j];
        __builtin_prefetch(r->color + v);
        __builtin_prefetch(r->rowmin + v);
        __builtin_prefetch(r->G + (size_t)v * k);
        __builtin_prefetch(r->tabu + (size_t)v * k);
      }
    }
    for (uint32_t t = 0, b = b0; t < nw; t++, b = (b + 1) & mask) {
      const uint32_t *item = r->bk_item + r->bk_start[b], len = r->bk_len[b];
      for (uint32_t j = 0; j < len; j++)
        scan_vertex(r, c, plain, salt, salt2, vsalt, it, slack, &s, item[j]);
    }
  }
  *best_d = s.bd;
  *bv = s.bestv;
  *bc = s.bestc;
  *rv = s.randv;
}

static inline int64_t move_delta(const prism_replica *r, const prism_batch_cfg *c,
                                 uint32_t v, uint32_t col) {
  const int32_t *row = r->G + (size_t)v * r->k;
  uint32_t a = r->color[v];
  return (int64_t)c->omega[v] * (row[col] - row[a]) + prism_potential(r, c, v, col) -
         prism_potential(r, c, v, a);
}


static void run_batch(prism_replica *r, const prism_batch_cfg *c) {
  const uint32_t k = r->k;
  const int plain = c->mu == 0 && (c->beta == 0 || !r->belief);
  r->moves = r->metro_moves = r->tunnels = r->tunnel_aborts = 0;
  if (r->ncv == 0) {
    r->solved = 1;
    return;
  }
  prism_tabu_rebase(r);
  r->chg_over = 1; /* best_color vs color: not tracked across batches */
  for (uint32_t step = 0; step < c->moves; step++) {
    if (step % PRISM_STOP_EVERY == PRISM_STOP_EVERY - 1 && prism_batch_should_stop(r, c))
      break;
    prism_u32x4 ctr = {{r->id, 0, (uint32_t)r->iter, (uint32_t)(r->iter >> 32)}};
    prism_u32x4 A = prism_philox4x32(ctr, (uint32_t)c->seed, (uint32_t)(c->seed >> 32));
    ctr.v[1] = 1;
    prism_u32x4 B = prism_philox4x32(ctr, (uint32_t)c->seed, (uint32_t)(c->seed >> 32));
    int64_t bd;
    uint32_t bv, bc, rv;
    uint32_t ncv_before = r->ncv;
    if (plain)
      scan(r, c, 1, A.v[0], A.v[1], B.v[3], B.v[2], &bd, &bv, &bc, &rv);
    else
      scan(r, c, 0, A.v[0], A.v[1], B.v[3], B.v[2], &bd, &bv, &bc, &rv);
    uint32_t rc = (uint32_t)(((uint64_t)A.v[2] * (k - 1)) >> 32);
    if (rc >= r->color[rv]) rc++;

    if (c->tun_thr && B.v[0] < c->tun_thr) {
      if (kempe(r, c, rv, rc)) {
        r->tunnels++;
        r->iter++;
        prism_note_energy(r);
        continue;
      }
      r->tunnel_aborts++;
    }

    uint32_t mv = bv, mc = bc;
    int64_t md = bd;
    int64_t dr = move_delta(r, c, rv, rc);
    int r_allowed =
        !(r->tabu[(size_t)rv * k + rc] > (uint32_t)(r->iter - r->tabu_epoch) &&
          dr >= r->best_energy - r->energy);
    if (r_allowed && (rv != bv || rc != bc)) {
      int accept = dr <= bd;
      if (!accept) {
        int64_t diff = dr - bd;
        accept = diff < PRISM_METRO_LEVELS && A.v[3] < r->metro_thr[diff];
      }
      if (accept) {
        mv = rv;
        mc = rc;
        md = dr;
        r->metro_moves++;
      }
    }
    if (mv != PRISM_NONE) {
      uint32_t a = r->color[mv];
      uint64_t tenure = (c->tabu_base ? (((uint64_t)B.v[1] * c->tabu_base) >> 32) : 0) +
                        (((uint64_t)c->alpha_fp * ncv_before) >> 8);
      r->tabu[(size_t)mv * k + a] = prism_tabu_until(r, r->iter + 1 + tenure);
      recolor(r, c, mv, mc);
      r->energy += md;
      r->moves++;
      prism_note_energy(r);
    }
    r->iter++;
    if (r->ncv == 0) {
      r->solved = 1;
      prism_batch_note_solved(r, c);
      break;
    }
  }
}

void prism_tabucol_run_batch(prism_replica *r, const prism_batch_cfg *c) { run_batch(r, c); }

