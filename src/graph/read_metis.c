/* read_metis.c - METIS .graph: "%" comment lines, header "N M [FMT [NCON]]"
 * (M counts each undirected edge once), then exactly N adjacency lines, line
 * i listing the 1-based neighbours of vertex i. A blank line is an adjacency
 * line (an isolated vertex); comment lines are not. FMT is up to three 0/1
 * digits "SWE": S vertex sizes, W vertex weights (NCON of them, default 1),
 * E edge weights (after each neighbour); all weights are parsed and ignored.
 * Asymmetric lists are symmetrised, repeats and self-loops dropped, and a
 * wrong M tolerated, each with a warning. */
#include <stdlib.h>

#include "graph/read_internal.h"
#include "util/check.h"

typedef struct metis_fmt {
  int sizes, vweights, eweights;
  uint64_t ncon;
} metis_fmt;

static int read_fmt(prism_reader *r, metis_fmt *f) {
  const char *s;
  size_t k;
  char q[80];
  f->sizes = f->vweights = f->eweights = 0;
  f->ncon = 0;
  if (!prism_reader_word(r, &s, &k)) return 0; /* no FMT: plain graph */
  int ok = k <= 3;
  for (size_t i = 0; i < k && ok; i++) ok = s[i] == '0' || s[i] == '1';
  if (!ok)
    return prism_reader_error(r,
                              "unsupported METIS FMT '%s' (expected 0, 1, 10, "
                              "11 or 100..111)",
                              prism_reader_quote(s, k, q, sizeof q));
  f->eweights = s[k - 1] == '1';
  f->vweights = k >= 2 && s[k - 2] == '1';
  f->sizes = k == 3 && s[0] == '1';
  if (prism_reader_at_eol(r)) {
    f->ncon = f->vweights ? 1 : 0;
    return 0;
  }
  if (prism_reader_u64(r, &f->ncon, "NCON")) return -1;
  if (f->ncon > 0 && !f->vweights)
    return prism_reader_error(r,
                              "NCON %llu given but FMT '%s' has no vertex "
                              "weights",
                              (unsigned long long)f->ncon,
                              prism_reader_quote(s, k, q, sizeof q));
  if (f->ncon == 0 && f->vweights) f->ncon = 1;
  return 0;
}

static int is_comment(prism_reader *r) {
  return prism_reader_peek(r) == '%';
}

int prism_read_metis(prism_reader *r, prism_graph **out) {
  uint64_t n, m, header_line = 0;
  metis_fmt f;
  /* Header: first line that is neither blank nor a comment. */
  while (prism_reader_next_line(r)) {
    if (prism_reader_at_eol(r) || is_comment(r)) continue;
    header_line = r->line;
    break;
  }
  if (!header_line)
    return prism_reader_error_at(r, 0,
                                 "no header line 'N M [FMT [NCON]]' (not "
                                 "a METIS graph?)");
  if (prism_reader_u64(r, &n, "vertex count") || prism_reader_u64(r, &m, "edge count") ||
      read_fmt(r, &f) || prism_reader_expect_eol(r))
    return -1;
  if (n > PRISM_MAX_VERTICES)
    return prism_reader_error(r, "vertex count %llu exceeds the limit of %llu",
                              (unsigned long long)n,
                              (unsigned long long)PRISM_MAX_VERTICES);
  if (m > PRISM_MAX_EDGES)
    return prism_reader_error(r, "edge count %llu exceeds the limit of %llu",
                              (unsigned long long)m, (unsigned long long)PRISM_MAX_EDGES);

  /* Adjacency lines. Nothing here is sized by n: pairs grow as read. */
  uint64_t u = 0;
  while (u < n && prism_reader_next_line(r)) {
    if (is_comment(r)) continue;
    if (f.sizes && prism_reader_real(r, "vertex size")) return -1;
    for (uint64_t c = 0; c < f.ncon; c++)
      if (prism_reader_real(r, "vertex weight")) return -1;
    while (!prism_reader_at_eol(r)) {
      uint64_t v;
      if (prism_reader_u64(r, &v, "neighbour")) return -1;
      if (v == 0)
        return prism_reader_error(r,
                                  "neighbour 0 (METIS vertices are numbered "
                                  "from 1)");
      if (v > n)
        return prism_reader_error(r,
                                  "neighbour %llu out of range (header says "
                                  "%llu vertices)",
                                  (unsigned long long)v, (unsigned long long)n);
      if (f.eweights && prism_reader_real(r, "edge weight")) return -1;
      if (prism_reader_push(r, (uint32_t)u, (uint32_t)(v - 1))) return -1;
    }
    u++;
  }
  if (u < n)
    return prism_reader_error_at(r, 0,
                                 "truncated: header says %llu vertices "
                                 "but only %llu adjacency lines follow",
                                 (unsigned long long)n, (unsigned long long)u);
  /* Blank lines and comments may follow; anything else is one line too many. */
  while (prism_reader_next_line(r))
    if (!prism_reader_at_eol(r) && !is_comment(r))
      return prism_reader_error(r,
                                "more adjacency lines than the %llu vertices "
                                "in the header",
                                (unsigned long long)n);

  prism_build_stats st;
  if (prism_reader_build(r, (uint32_t)n, &st, out)) return -1;
  prism_graph *g = *out;

  /* Symmetry: with no repeats inside a line, line u lists a subset of N(u),
   * so the entries missing a reverse are 2m minus the distinct entries.
   * mark[v] = u + 1 when v was seen on line u. n <= number of lines here. */
  uint32_t *mark = PRISM_CALLOC(n ? n : 1, sizeof *mark);
  uint64_t distinct = 0, repeats = 0;
  for (uint64_t i = 0; i < r->count; i++) {
    uint32_t a = r->eu[i], b = r->ev[i];
    if (a == b) continue;
    if (mark[b] == a + 1)
      repeats++;
    else {
      mark[b] = a + 1;
      distinct++;
    }
  }
  free(mark);
  if (st.self_loops)
    prism_reader_warn(r, "dropped %llu self-loop%s", (unsigned long long)st.self_loops,
                      st.self_loops == 1 ? "" : "s");
  if (repeats)
    prism_reader_warn(r, "dropped %llu repeated neighbour entr%s",
                      (unsigned long long)repeats, repeats == 1 ? "y" : "ies");
  if (2 * g->m > distinct)
    prism_reader_warn(r,
                      "adjacency lists are not symmetric: %llu entr%s lack the "
                      "reverse entry; symmetrised",
                      (unsigned long long)(2 * g->m - distinct),
                      2 * g->m - distinct == 1 ? "y" : "ies");
  if (m != g->m)
    prism_reader_warn(r,
                      "line %llu: header says %llu edges but the adjacency "
                      "lists give %llu",
                      (unsigned long long)header_line, (unsigned long long)m,
                      (unsigned long long)g->m);
  return 0;
}
