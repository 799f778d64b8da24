/* extract.c - independent-set extraction (see extract.h). */
#include "engine/extract.h"

#include <stdlib.h>
#include <string.h>

#include "engine/replica.h"
#include "util/check.h"
#include "util/philox.h"
#include "util/timer.h"

int prism_solve_interrupted(void); /* solve.c */

typedef struct mis {
  const prism_graph *g;
  uint32_t n, s;       /* vertices, set size */
  uint32_t *set;       /* s members */
  uint32_t *pos;       /* n: index in set, PRISM_NONE if out */
  uint32_t *conf;      /* n: neighbours in the set */
  uint64_t *tabu;      /* n: iteration until which the vertex may not move */
  uint8_t *nb;         /* n: scratch flags (the neighbours of one vertex) */
  uint64_t edges;      /* edges inside the set */
  uint64_t iter;
  prism_rng rng;
} mis;

static void mis_add(mis *m, uint32_t v) {
  m->pos[v] = m->s;
  m->set[m->s++] = v;
  m->edges += m->conf[v];
  for (uint64_t e = m->g->offsets[v]; e < m->g->offsets[v + 1]; e++) m->conf[m->g->adj[e]]++;
}

static void mis_remove(mis *m, uint32_t v) {
  uint32_t p = m->pos[v], last = m->set[--m->s];
  m->set[p] = last;
  m->pos[last] = p;
  m->pos[v] = PRISM_NONE;
  for (uint64_t e = m->g->offsets[v]; e < m->g->offsets[v + 1]; e++) m->conf[m->g->adj[e]]--;
  m->edges -= m->conf[v];
}

/* The outside vertex with fewest neighbours in the set once `leaving`
 * (PRISM_NONE: none) has left it (non-tabu; ties at random), or PRISM_NONE. */
static uint32_t best_outside(mis *m, uint32_t leaving) {
  const prism_graph *g = m->g;
  if (leaving != PRISM_NONE)
    for (uint64_t e = g->offsets[leaving]; e < g->offsets[leaving + 1]; e++) m->nb[g->adj[e]] = 1;
  uint32_t best = PRISM_NONE, bc = UINT32_MAX, ties = 0;
  for (uint32_t v = 0; v < m->n; v++) {
    if (m->pos[v] != PRISM_NONE || m->tabu[v] > m->iter) continue;
    const uint32_t c = m->conf[v] - m->nb[v];
    if (c < bc) {
      bc = c;
      best = v;
      ties = 1;
    } else if (c == bc && prism_rng_below(&m->rng, ++ties) == 0) {
      best = v;
    }
  }
  if (leaving != PRISM_NONE)
    for (uint64_t e = g->offsets[leaving]; e < g->offsets[leaving + 1]; e++) m->nb[g->adj[e]] = 0;
  return best;
}

/* Tabu search at the current size until the set is independent (returns 1)
 * or `budget` iterations pass. Each time the set is independent, keep() is
 * told. */
static int mis_search(mis *m, uint64_t budget, void (*keep)(void *, const mis *), void *ctx) {
  for (uint64_t it = 0; it < budget; it++) {
    if (m->edges == 0) {
      if (keep) keep(ctx, m);
      return 1;
    }
    /* the member with most neighbours inside (non-tabu; ties at random) */
    uint32_t u = PRISM_NONE, uc = 0, ties = 0;
    for (uint32_t i = 0; i < m->s; i++) {
      uint32_t x = m->set[i];
      if (m->tabu[x] > m->iter || m->conf[x] == 0) continue;
      if (u == PRISM_NONE || m->conf[x] > uc) {
        u = x;
        uc = m->conf[x];
        ties = 1;
      } else if (m->conf[x] == uc && prism_rng_below(&m->rng, ++ties) == 0) {
        u = x;
      }
    }
    if (u == PRISM_NONE) u = m->set[prism_rng_below(&m->rng, m->s)];
    uint32_t v = best_outside(m, u);
    if (v == PRISM_NONE) return 0;
    mis_remove(m, u);
    mis_add(m, v);
    m->tabu[u] = m->iter + 7 + prism_rng_below(&m->rng, 4); /* may not come back */
    m->tabu[v] = m->iter + 3;                               /* may not leave */
    m->iter++;
  }
  return m->edges == 0;
}

typedef struct keeper {
  uint32_t *best, size;
  uint64_t score; /* degree sum of the kept set */
} keeper;

static void keep_set(void *ctx, const mis *m) {
  keeper *k = ctx;
  uint64_t score = 0;
  for (uint32_t i = 0; i < m->s; i++) score += prism_graph_degree(m->g, m->set[i]);
  if (m->s > k->size || (m->s == k->size && score > k->score)) {
    k->size = m->s;
    k->score = score;
    memcpy(k->best, m->set, (size_t)m->s * sizeof *k->best);
  }
}

uint32_t prism_independent_set(const prism_graph *g, uint64_t effort, uint64_t seed,
                               uint32_t stream, uint32_t *out, uint64_t *iterations) {
  const uint32_t n = g->n;
  if (n == 0) return 0;
  mis m;
  memset(&m, 0, sizeof m);
  m.g = g;
  m.n = n;
  m.set = PRISM_MALLOC((size_t)n * sizeof *m.set);
  m.pos = PRISM_MALLOC((size_t)n * sizeof *m.pos);
  m.conf = PRISM_CALLOC(n, sizeof *m.conf);
  m.tabu = PRISM_CALLOC(n, sizeof *m.tabu);
  m.nb = PRISM_CALLOC(n, 1);
  for (uint32_t v = 0; v < n; v++) m.pos[v] = PRISM_NONE;
  prism_rng_init(&m.rng, seed, stream, 0x6d697321u, 0);
  /* greedy start: repeatedly the vertex with fewest neighbours in the
   * graph among those with none in the set */
  for (;;) {
    uint32_t best = PRISM_NONE, bd = UINT32_MAX;
    for (uint32_t v = 0; v < n; v++)
      if (m.pos[v] == PRISM_NONE && m.conf[v] == 0 && prism_graph_degree(g, v) < bd) {
        bd = prism_graph_degree(g, v);
        best = v;
      }
    if (best == PRISM_NONE) break;
    mis_add(&m, best);
  }
  keeper k = {out, 0, 0};
  keep_set(&k, &m);
  /* grow: one more vertex, then search until independent */
  while (m.s < n) {
    uint32_t v = best_outside(&m, PRISM_NONE);
    if (v == PRISM_NONE) break;
    mis_add(&m, v);
    if (!mis_search(&m, effort, keep_set, &k)) break;
  }
  /* the search at the size that failed also met sets of the size below
   * only at its start; one more search at the best size for the best score */
  if (k.size > 0 && m.s > k.size) {
    while (m.s > k.size) {
      uint32_t worst = m.set[0];
      for (uint32_t i = 1; i < m.s; i++)
        if (m.conf[m.set[i]] > m.conf[worst]) worst = m.set[i];
      mis_remove(&m, worst);
    }
    for (uint64_t spent = 0; spent < effort;) {
      uint64_t before = m.iter;
      if (!mis_search(&m, effort - spent, keep_set, &k)) break;
      /* independent: step away (one swap) and go on */
      uint32_t u = m.set[prism_rng_below(&m.rng, m.s)];
      uint32_t v = best_outside(&m, u);
      if (v == PRISM_NONE) break;
      mis_remove(&m, u);
      mis_add(&m, v);
      m.tabu[u] = m.iter + 7 + prism_rng_below(&m.rng, 4);
      m.iter++;
      spent += m.iter - before;
    }
  }
  if (iterations) *iterations += m.iter;
  free(m.set);
  free(m.pos);
  free(m.conf);
  free(m.tabu);
  free(m.nb);
  return k.size;
}

/* The subgraph induced by the vertices with keep[v] != 0; orig maps back. */
static prism_graph *induced(const prism_graph *g, const uint8_t *keep, uint32_t *orig,
                            uint32_t *nk) {
  uint32_t *id = PRISM_MALLOC(((size_t)g->n + 1) * sizeof *id);
  uint32_t m = 0;
  for (uint32_t v = 0; v < g->n; v++) {
    id[v] = keep[v] ? m : PRISM_NONE;
    if (keep[v]) orig[m++] = v;
  }
  uint64_t cnt = 0;
  for (uint32_t v = 0; v < g->n; v++)
    if (keep[v])
      for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
        cnt += g->adj[e] > v && keep[g->adj[e]];
  uint32_t *eu = PRISM_MALLOC((cnt + 1) * sizeof *eu), *ev = PRISM_MALLOC((cnt + 1) * sizeof *ev);
  uint64_t i = 0;
  for (uint32_t v = 0; v < g->n; v++)
    if (keep[v])
      for (uint64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
        if (g->adj[e] > v && keep[g->adj[e]]) {
          eu[i] = id[v];
          ev[i++] = id[g->adj[e]];
        }
  prism_graph *h = prism_graph_build(m, eu, ev, cnt, NULL);
  free(eu);
  free(ev);
  free(id);
  *nk = m;
  return h;
}

void prism_extract(const prism_graph *g, uint32_t keep, uint64_t effort, uint64_t seed,
                   double deadline, prism_extraction *x) {
  const uint32_t n = g->n;
  memset(x, 0, sizeof *x);
  x->set_of = PRISM_MALLOC(((size_t)n + 1) * sizeof *x->set_of);
  for (uint32_t v = 0; v < n; v++) x->set_of[v] = PRISM_NONE;
  uint8_t *alive = PRISM_MALLOC((size_t)n + 1);
  memset(alive, 1, n);
  uint32_t *orig = PRISM_MALLOC(((size_t)n + 1) * sizeof *orig);
  uint32_t *set = PRISM_MALLOC(((size_t)n + 1) * sizeof *set);
  uint32_t left = n;
  prism_graph *h = induced(g, alive, orig, &left);
  while (left > keep && !prism_solve_interrupted() &&
         (deadline <= 0 || prism_now() < deadline)) {
    uint32_t s = prism_independent_set(h, effort, seed, x->sets, set, &x->iterations);
    if (s < 2) break;
    for (uint32_t i = 0; i < s; i++) {
      alive[orig[set[i]]] = 0;
      x->set_of[orig[set[i]]] = x->sets;
    }
    x->sets++;
    prism_graph_free(h);
    h = induced(g, alive, orig, &left);
  }
  x->residual = h;
  x->orig = orig;
  free(alive);
  free(set);
}

void prism_extraction_free(prism_extraction *x) {
  free(x->set_of);
  free(x->orig);
  if (x->residual) prism_graph_free(x->residual);
  memset(x, 0, sizeof *x);
}

uint32_t prism_extraction_lift(const prism_extraction *x, const uint32_t *res_colors,
                               uint32_t k_res, uint32_t n, uint32_t *colors) {
  for (uint32_t v = 0; v < n; v++)
    if (x->set_of[v] != PRISM_NONE) colors[v] = k_res + x->set_of[v];
  for (uint32_t i = 0; i < x->residual->n; i++) colors[x->orig[i]] = res_colors[i];
  return k_res + x->sets;
}
