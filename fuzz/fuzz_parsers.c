/* fuzz_parsers.c - libFuzzer target for the graph readers.
 *
 *   make build-fuzz/fuzz_parsers
 *   ./build-fuzz/fuzz_parsers -max_len=4096 CORPUS_DIR fuzz/corpus
 *
 * Every input is read under each of the four formats (so every seed feeds
 * every parser), plus once under AUTO with a name picked by the first byte.
 * A read must either fail with a one-line message, leaving the output
 * untouched, or return a graph whose CSR invariants hold; anything else traps.
 * ASan/UBSan catch the rest (overreads, leaks, overflow). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "graph/graph.h"
#include "graph/read.h"

/* Numbers in (2^17, PRISM_MAX_VERTICES] can legitimately become the vertex
 * count of a valid graph (e.g. "p edge 200000000 0"), and its CSR would take
 * gigabytes: correct behaviour, but it trips the fuzzer's memory limit and
 * slows it down. Skip such inputs; larger numbers, which must be rejected
 * before any allocation, are kept. */
static int has_big_vertex_number(const uint8_t *d, size_t n) {
  for (size_t i = 0; i < n;) {
    if (d[i] < '0' || d[i] > '9') {
      i++;
      continue;
    }
    uint64_t v = 0;
    int saturated = 0;
    for (; i < n && d[i] >= '0' && d[i] <= '9'; i++) {
      if (v > ((uint64_t)1 << 40))
        saturated = 1;
      else
        v = v * 10 + (uint64_t)(d[i] - '0');
    }
    if (!saturated && v > ((uint64_t)1 << 17) && v <= PRISM_MAX_VERTICES + (uint64_t)1)
      return 1;
  }
  return 0;
}

static void check_graph(const prism_graph *g) {
  if (!g || !g->offsets || !g->adj) __builtin_trap();
  if (g->n > PRISM_MAX_VERTICES || g->offsets[0] != 0 || g->offsets[g->n] != 2 * g->m)
    __builtin_trap();
  uint32_t maxd = 0;
  for (uint32_t v = 0; v < g->n; v++) {
    uint64_t b = g->offsets[v], e = g->offsets[v + 1];
    if (b > e) __builtin_trap();
    if (e - b > maxd) maxd = (uint32_t)(e - b);
    for (uint64_t k = b; k < e; k++) {
      uint32_t w = g->adj[k];
      if (w >= g->n || w == v) __builtin_trap();            /* range, self-loop */
      if (k > b && g->adj[k - 1] >= w) __builtin_trap();    /* sorted, no repeat */
      if (!prism_graph_has_edge(g, w, v)) __builtin_trap(); /* symmetric */
    }
  }
  if (maxd != g->max_degree) __builtin_trap();
}

static void one_read(const uint8_t *data, size_t size, const char *name,
                     prism_format fmt) {
  prism_graph *const sentinel = (prism_graph *)(uintptr_t)0x1000;
  prism_graph *g = sentinel;
  prism_diag d;
  int rc = prism_graph_read_buffer((const char *)data, size, name, fmt, &g, &d);
  if (rc == 0) {
    if (g == sentinel) __builtin_trap();
    check_graph(g);
    prism_graph_free(g);
  } else {
    if (rc != -1 || g != sentinel) __builtin_trap();
    size_t len = strnlen(d.error, sizeof d.error);
    if (len == 0 || len == sizeof d.error || memchr(d.error, '\n', len)) __builtin_trap();
  }
  if (d.n_warnings > 0 && !memchr(d.warnings[0], 0, sizeof d.warnings[0]))
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const names[] = {"f.col",   "f.graph", "f.mtx",
                                      "f.edges", "-",       "noext"};
  /* The AUTO read drops the first byte, which may shorten a number. */
  if (has_big_vertex_number(data, size) ||
      (size > 0 && has_big_vertex_number(data + 1, size - 1)))
    return 0;
  one_read(data, size, "fuzz", PRISM_FORMAT_DIMACS);
  one_read(data, size, "fuzz", PRISM_FORMAT_METIS);
  one_read(data, size, "fuzz", PRISM_FORMAT_MTX);
  one_read(data, size, "fuzz", PRISM_FORMAT_EDGELIST);
  if (size > 0) one_read(data + 1, size - 1, names[data[0] % 6], PRISM_FORMAT_AUTO);
  return 0;
}
