/* clique.c - a clique lower bound: greedy construction from several seeds,
 * then a short tabu local search on (add, 1-1 swap, restart) moves.
 *
 * Pruning by core numbers: a vertex of a clique of size s has core number
 * >= s - 1, so once a clique of size `best` is known, only vertices with
 * core >= best can be in a larger one, and degeneracy + 1 bounds the answer
 * (the search stops when it gets there).
 *
 * Greedy (deterministic): from each of the SEEDS vertices of highest
 * (core, degree), keep the candidate set P = common neighbours of the clique
 * so far and repeatedly add the candidate with most neighbours inside P
 * (lowest id on ties). Those inside-P counts are kept up to date by
 * walking the adjacency of the candidates that drop out, so a whole run from
 * seed s costs O(sum of degrees over N(s)), with O(n) marks and no matrix.
 *
 * Local search (randomized by Philox, keyed by the seed), in the spirit of
 * the published plateau/tabu clique searches: cnt[v] = |N(v) & C| for the
 * current clique C. With c1, c2 the two members of C of least degree, every
 * vertex outside C that misses at most one member of C lies in N(c1) | N(c2),
 * so one scan of those lists finds
 *   add moves  (cnt = |C|, v adjacent to all of C) and
 *   swap moves (cnt = |C| - 1: v enters, its one non-neighbour in C leaves and
 *               is tabu for 7 + rand(#swaps) moves).
 * Adds are taken first, then swaps; with neither, or after PLATEAU moves
 * without a new best size, restart: pick a random vertex v with core >= best
 * and keep only C & N(v) plus v. One move = one elementary step of `effort`.
 */
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "util/check.h"
#include "util/philox.h"

#define CLQ_SEEDS 16
#define CLQ_PLATEAU 1000
#define CLQ_NONE UINT32_MAX

typedef struct clq_ctx {
  const prism_graph *g;
  uint32_t n;
  uint32_t *core;  /* core number of each vertex */
  uint32_t *mark;  /* stamps (P membership in greedy, N(c1) in the search) */
  uint32_t *mark2; /* stamps (N(x) in greedy) */
  uint32_t stamp, stamp2;
  uint32_t *cnt;   /* greedy: neighbours inside P; search: |N(v) & C| */
  uint32_t best;   /* best clique size so far */
  uint32_t *best_cl;
  uint32_t ub;     /* degeneracy + 1 (>= any clique size) */
} clq_ctx;

static uint32_t clq_next(uint32_t *stamp, uint32_t *arr, uint32_t n) {
  if (++*stamp == 0) { /* wrapped: clear the marks once */
    memset(arr, 0, (size_t)n * sizeof *arr);
    *stamp = 1;
  }
  return *stamp;
}

/* Core numbers by the bucket method of Batagelj and Zaversnik, O(n + m).
 * Returns the degeneracy. */
static uint32_t clq_cores(const prism_graph *g, uint32_t *core) {
  uint32_t n = g->n, md = g->max_degree;
  uint32_t *bin = PRISM_CALLOC((size_t)md + 2, sizeof *bin);
  uint32_t *vert = PRISM_MALLOC((size_t)n * sizeof *vert);
  uint32_t *pos = PRISM_MALLOC((size_t)n * sizeof *pos);
  for (uint32_t v = 0; v < n; v++) {
    core[v] = prism_graph_degree(g, v);
    bin[core[v]]++;
  }
  uint32_t start = 0;
  for (uint32_t d = 0; d <= md; d++) {
    uint32_t c = bin[d];
    bin[d] = start;
    start += c;
  }
  for (uint32_t v = 0; v < n; v++) {
    pos[v] = bin[core[v]]++;
    vert[pos[v]] = v;
  }
  for (uint32_t d = md + 1; d > 0; d--) bin[d] = bin[d - 1];
  bin[0] = 0;
  uint32_t degen = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t v = vert[i];
    if (core[v] > degen) degen = core[v];
    for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
      uint32_t u = g->adj[e];
      if (core[u] > core[v]) {
        /* Move u to the front of its bucket, then shrink the bucket. */
        uint32_t du = core[u], pu = pos[u], pw = bin[du], w = vert[pw];
        if (u != w) {
          pos[u] = pw;
          vert[pu] = w;
          pos[w] = pu;
          vert[pw] = u;
        }
        bin[du]++;
        core[u]--;
      }
    }
  }
  free(bin);
  free(vert);
  free(pos);
  return degen;
}

static void clq_record(clq_ctx *c, const uint32_t *cl, uint32_t size) {
  if (size <= c->best) return;
  c->best = size;
  memcpy(c->best_cl, cl, (size_t)size * sizeof *cl);
}

/* Greedy clique from seed s; records it when it beats c->best. P and out
 * are scratch buffers of max_degree + 1 entries, drop of max_degree. */
static void clq_greedy(clq_ctx *c, uint32_t s, uint32_t *P, uint32_t *drop,
                       uint32_t *cl) {
  const prism_graph *g = c->g;
  if (c->core[s] < c->best) return;
  uint32_t in_p = clq_next(&c->stamp, c->mark, c->n), np = 0, size = 0;
  for (uint64_t e = g->offsets[s]; e < g->offsets[s + 1]; e++) {
    uint32_t w = g->adj[e];
    if (c->core[w] >= c->best) {
      P[np++] = w;
      c->mark[w] = in_p;
    }
  }
  for (uint32_t i = 0; i < np; i++) {
    uint32_t p = P[i], k = 0;
    for (uint64_t e = g->offsets[p]; e < g->offsets[p + 1]; e++)
      k += c->mark[g->adj[e]] == in_p;
    c->cnt[p] = k;
  }
  cl[size++] = s;
  while (np > 0) {
    uint32_t bi = 0;
    for (uint32_t i = 1; i < np; i++)
      if (c->cnt[P[i]] > c->cnt[P[bi]]) bi = i;
    uint32_t x = P[bi];
    /* x plus its neighbours in P is all this run can still reach. */
    if (size + 1 + c->cnt[x] <= c->best) return;
    cl[size++] = x;
    uint32_t in_x = clq_next(&c->stamp2, c->mark2, c->n), keep = 0, nd = 0;
    for (uint64_t e = g->offsets[x]; e < g->offsets[x + 1]; e++)
      c->mark2[g->adj[e]] = in_x;
    for (uint32_t i = 0; i < np; i++) {
      uint32_t p = P[i];
      if (p != x && c->mark2[p] == in_x) {
        P[keep++] = p;
      } else {
        drop[nd++] = p;
        c->mark[p] = 0;
      }
    }
    np = keep;
    for (uint32_t i = 0; i < nd; i++) {
      uint32_t r = drop[i];
      for (uint64_t e = g->offsets[r]; e < g->offsets[r + 1]; e++)
        if (c->mark[g->adj[e]] == in_p) c->cnt[g->adj[e]]--;
    }
  }
  clq_record(c, cl, size);
}

/* ---- local search ---- */

typedef struct clq_ls {
  clq_ctx *c;
  uint32_t *cl, size; /* current clique */
  uint32_t *cpos;     /* index in cl, CLQ_NONE when outside */
  uint64_t *tabu;     /* v may not enter C before move tabu[v] */
  uint32_t *adds, *swaps;
  uint32_t *pool, npool; /* restart vertices: core >= best */
  prism_rng rng;
} clq_ls;

static void clq_ls_add(clq_ls *s, uint32_t x) {
  const prism_graph *g = s->c->g;
  s->cpos[x] = s->size;
  s->cl[s->size++] = x;
  for (uint64_t e = g->offsets[x]; e < g->offsets[x + 1]; e++) s->c->cnt[g->adj[e]]++;
}

static void clq_ls_remove(clq_ls *s, uint32_t x) {
  const prism_graph *g = s->c->g;
  uint32_t i = s->cpos[x], last = s->cl[--s->size];
  s->cl[i] = last;
  s->cpos[last] = i;
  s->cpos[x] = CLQ_NONE;
  for (uint64_t e = g->offsets[x]; e < g->offsets[x + 1]; e++) s->c->cnt[g->adj[e]]--;
}

static void clq_ls_refill_pool(clq_ls *s) {
  clq_ctx *c = s->c;
  s->npool = 0;
  for (uint32_t v = 0; v < c->n; v++)
    if (c->core[v] >= c->best) s->pool[s->npool++] = v;
}

/* Restart around a random vertex v: C := (C & N(v)) + v. */
static void clq_ls_restart(clq_ls *s) {
  const prism_graph *g = s->c->g;
  if (s->npool == 0) return;
  uint32_t v = s->pool[prism_rng_below(&s->rng, s->npool)];
  if (s->cpos[v] != CLQ_NONE) {
    /* Already inside: drop a random other member instead. */
    if (s->size > 1) {
      uint32_t u = s->cl[prism_rng_below(&s->rng, s->size)];
      if (u != v) clq_ls_remove(s, u);
    }
    return;
  }
  for (uint32_t i = s->size; i-- > 0;) {
    uint32_t u = s->cl[i];
    if (!prism_graph_has_edge(g, u, v)) clq_ls_remove(s, u);
  }
  clq_ls_add(s, v);
}

static void clq_local_search(clq_ctx *c, uint64_t seed, uint64_t effort) {
  const prism_graph *g = c->g;
  uint32_t cap = g->max_degree + 1;
  clq_ls s;
  s.c = c;
  s.cl = PRISM_MALLOC((size_t)cap * sizeof *s.cl);
  s.cpos = PRISM_MALLOC((size_t)c->n * sizeof *s.cpos);
  s.tabu = PRISM_CALLOC(c->n, sizeof *s.tabu);
  s.adds = PRISM_MALLOC((size_t)cap * sizeof *s.adds);
  s.swaps = PRISM_MALLOC((size_t)2 * cap * sizeof *s.swaps);
  s.pool = PRISM_MALLOC((size_t)c->n * sizeof *s.pool);
  s.size = 0;
  prism_rng_init(&s.rng, seed, 0, 0x636c71u /* "clq" */, 0);
  memset(s.cpos, 0xff, (size_t)c->n * sizeof *s.cpos);
  memset(c->cnt, 0, (size_t)c->n * sizeof *c->cnt);
  clq_ls_refill_pool(&s);
  for (uint32_t i = 0; i < c->best; i++) clq_ls_add(&s, c->best_cl[i]);

  uint64_t since_best = 0;
  for (uint64_t it = 0; it < effort && c->best < c->ub; it++) {
    uint32_t sz = s.size, na = 0, ns = 0;
    if (sz == 0 || since_best > CLQ_PLATEAU) {
      clq_ls_restart(&s);
      since_best = 0;
      continue;
    }
    /* c1, c2: the members of least degree (shortest lists to scan). */
    uint32_t c1 = s.cl[0], c2 = CLQ_NONE;
    for (uint32_t i = 1; i < sz; i++) {
      uint32_t u = s.cl[i];
      if (prism_graph_degree(g, u) < prism_graph_degree(g, c1)) {
        c2 = c1;
        c1 = u;
      } else if (c2 == CLQ_NONE || prism_graph_degree(g, u) < prism_graph_degree(g, c2)) {
        c2 = u;
      }
    }
    uint32_t in1 = clq_next(&c->stamp, c->mark, c->n);
    for (uint64_t e = g->offsets[c1]; e < g->offsets[c1 + 1]; e++) {
      uint32_t w = g->adj[e];
      c->mark[w] = in1;
      if (s.cpos[w] != CLQ_NONE || s.tabu[w] > it) continue;
      if (c->cnt[w] == sz) s.adds[na++] = w;
      else if (sz >= 2 && c->cnt[w] == sz - 1) s.swaps[ns++] = w;
    }
    if (c2 != CLQ_NONE && na == 0) {
      /* Outside N(c1): misses c1, so it is a swap when it sees all else. */
      for (uint64_t e = g->offsets[c2]; e < g->offsets[c2 + 1]; e++) {
        uint32_t w = g->adj[e];
        if (c->mark[w] == in1 || s.cpos[w] != CLQ_NONE || s.tabu[w] > it) continue;
        if (c->cnt[w] == sz - 1) s.swaps[ns++] = w;
      }
    }
    if (na > 0) {
      clq_ls_add(&s, s.adds[prism_rng_below(&s.rng, na)]);
    } else if (ns > 0) {
      uint32_t w = s.swaps[prism_rng_below(&s.rng, ns)], u = CLQ_NONE;
      for (uint32_t i = 0; i < sz && u == CLQ_NONE; i++)
        if (!prism_graph_has_edge(g, s.cl[i], w)) u = s.cl[i];
      PRISM_ASSERT(u != CLQ_NONE);
      clq_ls_remove(&s, u);
      clq_ls_add(&s, w);
      s.tabu[u] = it + 1 + 7 + prism_rng_below(&s.rng, ns);
    } else {
      clq_ls_restart(&s);
      since_best = 0;
      continue;
    }
    since_best++;
    if (s.size > c->best) {
      clq_record(c, s.cl, s.size);
      clq_ls_refill_pool(&s);
      since_best = 0;
    }
  }
  free(s.cl);
  free(s.cpos);
  free(s.tabu);
  free(s.adds);
  free(s.swaps);
  free(s.pool);
}

static int clq_cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Seeds: the CLQ_SEEDS vertices of largest (core, degree), lowest id first on
 * ties, by insertion into a short sorted list - O(n * SEEDS) worst case. */
static uint32_t clq_pick_seeds(const clq_ctx *c, uint32_t *seeds) {
  const prism_graph *g = c->g;
  uint32_t ns = 0;
  for (uint32_t v = 0; v < c->n; v++) {
    uint64_t kv = (uint64_t)c->core[v] << 32 | prism_graph_degree(g, v);
    if (ns == CLQ_SEEDS) {
      uint32_t t = seeds[ns - 1];
      uint64_t kt = (uint64_t)c->core[t] << 32 | prism_graph_degree(g, t);
      if (kv <= kt) continue;
      ns--;
    }
    uint32_t i = ns++;
    while (i > 0) {
      uint32_t t = seeds[i - 1];
      uint64_t kt = (uint64_t)c->core[t] << 32 | prism_graph_degree(g, t);
      if (kv <= kt) break;
      seeds[i] = t;
      i--;
    }
    seeds[i] = v;
  }
  return ns;
}

uint32_t prism_clique_lower_bound(const prism_graph *g, uint64_t seed,
                                  uint64_t effort, uint32_t *clique) {
  uint32_t n = g->n;
  if (n == 0) return 0;
  clq_ctx c;
  memset(&c, 0, sizeof c);
  c.g = g;
  c.n = n;
  c.core = PRISM_MALLOC((size_t)n * sizeof *c.core);
  c.mark = PRISM_CALLOC(n, sizeof *c.mark);
  c.mark2 = PRISM_CALLOC(n, sizeof *c.mark2);
  c.cnt = PRISM_CALLOC(n, sizeof *c.cnt);
  uint32_t cap = g->max_degree + 1;
  c.best_cl = PRISM_MALLOC((size_t)cap * sizeof *c.best_cl);
  uint32_t degen = clq_cores(g, c.core);
  c.ub = degen + 1;

  uint32_t *P = PRISM_MALLOC((size_t)cap * sizeof *P);
  uint32_t *drop = PRISM_MALLOC((size_t)cap * sizeof *drop);
  uint32_t *cl = PRISM_MALLOC((size_t)cap * sizeof *cl);
  uint32_t seeds[CLQ_SEEDS];
  uint32_t ns = clq_pick_seeds(&c, seeds);
  for (uint32_t i = 0; i < ns && c.best < c.ub; i++) clq_greedy(&c, seeds[i], P, drop, cl);
  free(P);
  free(drop);
  free(cl);

  if (effort > 0 && c.best < c.ub) clq_local_search(&c, seed, effort);

  qsort(c.best_cl, c.best, sizeof *c.best_cl, clq_cmp_u32);
  /* Cheap insurance, O(best^2 log deg): the answer must be a clique. */
  for (uint32_t i = 0; i < c.best; i++)
    for (uint32_t j = i + 1; j < c.best; j++)
      PRISM_ASSERT(prism_graph_has_edge(g, c.best_cl[i], c.best_cl[j]));
  uint32_t best = c.best;
  if (clique) memcpy(clique, c.best_cl, (size_t)best * sizeof *clique);
  free(c.core);
  free(c.mark);
  free(c.mark2);
  free(c.cnt);
  free(c.best_cl);
  return best;
}
