/* read_dimacs.c - DIMACS .col: "c" comments, one "p edge|edges|col N M"
 * header, "e U V" lines with 1-based vertices. Blank lines, CRLF and extra
 * whitespace are fine. Repeated edges (including files that list every edge
 * both ways), self-loops and a header edge count that matches neither the e
 * lines nor the distinct edges are accepted with a warning. */
#include <string.h>
#include <strings.h>

#include "graph/read_internal.h"

/* Header "p FORMAT N M" (the "p" is already consumed). */
static int read_header(prism_reader *r, uint64_t *n, uint64_t *m) {
  const char *s;
  size_t k;
  char q[80];
  if (!prism_reader_word(r, &s, &k))
    return prism_reader_error(r, "truncated header: expected 'p edge N M'");
  int ok = (k == 4 && !strncasecmp(s, "edge", 4)) ||
           (k == 5 && !strncasecmp(s, "edges", 5)) ||
           (k == 3 && !strncasecmp(s, "col", 3));
  if (!ok)
    return prism_reader_error(r,
                              "unsupported problem type '%s' in header "
                              "(expected 'p edge N M' or 'p col N M')",
                              prism_reader_quote(s, k, q, sizeof q));
  if (prism_reader_u64(r, n, "vertex count") || prism_reader_u64(r, m, "edge count") ||
      prism_reader_expect_eol(r))
    return -1;
  if (*n > PRISM_MAX_VERTICES)
    return prism_reader_error(r, "vertex count %llu exceeds the limit of %llu",
                              (unsigned long long)*n,
                              (unsigned long long)PRISM_MAX_VERTICES);
  if (*m > PRISM_MAX_EDGES)
    return prism_reader_error(r, "edge count %llu exceeds the limit of %llu",
                              (unsigned long long)*m,
                              (unsigned long long)PRISM_MAX_EDGES);
  return 0;
}

static int read_vertex(prism_reader *r, uint64_t n, const char *what, uint32_t *v) {
  uint64_t x = 0;
  if (prism_reader_u64(r, &x, what)) return -1;
  if (x == 0)
    return prism_reader_error(r,
                              "vertex 0 in an edge (DIMACS vertices are "
                              "numbered from 1)");
  if (x > n)
    return prism_reader_error(r,
                              "vertex %llu out of range (header says %llu "
                              "vertices)",
                              (unsigned long long)x, (unsigned long long)n);
  *v = (uint32_t)(x - 1);
  return 0;
}

int prism_read_dimacs(prism_reader *r, prism_graph **out) {
  uint64_t n = 0, m = 0, header_line = 0, e_lines = 0;
  char q[80];
  while (prism_reader_next_line(r)) {
    int c = prism_reader_peek(r);
    if (c < 0 || c == 'c') continue; /* blank or comment */
    const char *s;
    size_t k;
    prism_reader_word(r, &s, &k);
    if (k == 1 && s[0] == 'e') {
      if (!header_line)
        return prism_reader_error(r, "edge line before the 'p edge N M' header");
      uint32_t u = 0, v = 0;
      if (read_vertex(r, n, "first vertex", &u) ||
          read_vertex(r, n, "second vertex", &v) || prism_reader_expect_eol(r) ||
          prism_reader_push(r, u, v))
        return -1;
      e_lines++;
    } else if (k == 1 && s[0] == 'p') {
      if (header_line)
        return prism_reader_error(r, "second 'p' header (first on line %llu)",
                                  (unsigned long long)header_line);
      header_line = r->line;
      if (read_header(r, &n, &m)) return -1;
    } else {
      for (size_t i = 0; i < k; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x20 || b >= 0x7f)
          return prism_reader_error(r, "binary data (byte 0x%02x) in a text file",
                                    (unsigned)b);
      }
      return prism_reader_error(r,
                                "unknown line type '%s' (expected 'c', 'p' or "
                                "'e')",
                                prism_reader_quote(s, k, q, sizeof q));
    }
  }
  if (!header_line)
    return prism_reader_error_at(r, 0,
                                 "no 'p edge N M' header (not a DIMACS "
                                 "graph?)");

  prism_build_stats st;
  if (prism_reader_build(r, (uint32_t)n, &st, out)) return -1;
  prism_reader_warn_dropped(r, &st, *out, "e lines");
  /* The header may count e lines or distinct edges (files that list edges
   * both ways disagree on which); warn only when it matches neither. */
  if (m != e_lines && m != (*out)->m)
    prism_reader_warn(r,
                      "line %llu: header says %llu edges but the file has %llu "
                      "e lines (%llu distinct edges)",
                      (unsigned long long)header_line, (unsigned long long)m,
                      (unsigned long long)e_lines, (unsigned long long)(*out)->m);
  return 0;
}
