/* read_edgelist.c - plain edge lists: one "U V [WEIGHT]" pair per line, '#'
 * or '%' comment lines, blank lines ignored. A third column must be a number
 * (a weight, ignored); anything more is an error.
 *
 * Numbering: ids are 1-based unless a 0 appears anywhere in the file, in
 * which case the whole file is 0-based. n is the largest id (plus one when
 * 0-based); ids that never appear are isolated vertices. This is a rule, not
 * a guess, so it raises no warning. Repeated edges and self-loops are dropped
 * with a warning, as in DIMACS. */
#include "graph/read_internal.h"

int prism_read_edgelist(prism_reader *r, prism_graph **out) {
  uint64_t max_id = 0, max_line = 0, lines = 0;
  int zero = 0;
  while (prism_reader_next_line(r)) {
    int c = prism_reader_peek(r);
    if (c < 0 || c == '#' || c == '%') continue;
    uint64_t id[2];
    for (int e = 0; e < 2; e++) {
      if (prism_reader_u64(r, &id[e], e ? "second vertex" : "first vertex")) return -1;
      /* Raw ids go into the uint32 pairs; 1-based ids are shifted at the end,
       * so the largest storable is PRISM_MAX_VERTICES itself. */
      if (id[e] > PRISM_MAX_VERTICES)
        return prism_reader_error(r, "vertex id %llu exceeds the limit of %llu",
                                  (unsigned long long)id[e],
                                  (unsigned long long)PRISM_MAX_VERTICES);
      if (id[e] == 0) zero = 1;
      if (id[e] > max_id) {
        max_id = id[e];
        max_line = r->line;
      }
    }
    if (!prism_reader_at_eol(r) && prism_reader_real(r, "weight")) return -1;
    if (prism_reader_expect_eol(r) ||
        prism_reader_push(r, (uint32_t)id[0], (uint32_t)id[1]))
      return -1;
    lines++;
  }
  if (!lines) return prism_reader_error_at(r, 0, "no edges found");
  uint64_t n = zero ? max_id + 1 : max_id;
  if (n > PRISM_MAX_VERTICES)
    return prism_reader_error_at(r, max_line,
                                 "vertex id %llu needs %llu vertices (0-based "
                                 "file), more than the limit of %llu",
                                 (unsigned long long)max_id, (unsigned long long)n,
                                 (unsigned long long)PRISM_MAX_VERTICES);
  if (!zero)
    for (uint64_t i = 0; i < r->count; i++) {
      r->eu[i]--;
      r->ev[i]--;
    }
  prism_build_stats st;
  if (prism_reader_build(r, (uint32_t)n, &st, out)) return -1;
  prism_reader_warn_dropped(r, &st, *out, "lines");
  return 0;
}
