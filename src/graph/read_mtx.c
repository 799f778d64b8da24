/* read_mtx.c - Matrix Market: the banner
 *   %%MatrixMarket matrix coordinate pattern|real|integer|double
 *                  general|symmetric|skew-symmetric|hermitian
 * (keywords case-insensitive), "%" comments, a size line "ROWS COLS NNZ" with
 * ROWS == COLS, then exactly NNZ entries "I J [VALUE]" (1-based; VALUE only
 * when the field is not pattern; values are ignored). The graph lives on the
 * rows: diagonal entries are dropped silently (they are common and mean
 * nothing for coloring) and an unsymmetric pattern is symmetrised. Dense
 * "array" files and complex matrices are rejected. */
#include <string.h>
#include <strings.h>

#include "graph/read_internal.h"

static int word_is(const char *s, size_t k, const char *w) {
  return strlen(w) == k && !strncasecmp(s, w, k);
}

static int banner_word(prism_reader *r, const char **s, size_t *k, const char *what) {
  if (prism_reader_word(r, s, k)) return 0;
  return prism_reader_error(r, "truncated banner: missing %s", what);
}

int prism_read_mtx(prism_reader *r, prism_graph **out) {
  const char *s;
  size_t k;
  char q[80];
  int pattern = 0, symmetric = 0;

  if (!prism_reader_next_line(r) || !prism_reader_word(r, &s, &k) ||
      !word_is(s, k, "%%MatrixMarket"))
    return prism_reader_error_at(r, r->line ? r->line : 1,
                                 "missing '%%%%MatrixMarket matrix coordinate "
                                 "...' banner (not a Matrix Market file?)");
  if (banner_word(r, &s, &k, "object")) return -1;
  if (!word_is(s, k, "matrix"))
    return prism_reader_error(r, "object '%s' is not a matrix",
                              prism_reader_quote(s, k, q, sizeof q));
  if (banner_word(r, &s, &k, "format")) return -1;
  if (word_is(s, k, "array"))
    return prism_reader_error(r,
                              "dense 'array' format is not supported: a "
                              "graph needs 'coordinate'");
  if (!word_is(s, k, "coordinate"))
    return prism_reader_error(r, "unknown format '%s' (expected 'coordinate')",
                              prism_reader_quote(s, k, q, sizeof q));
  if (banner_word(r, &s, &k, "field")) return -1;
  if (word_is(s, k, "pattern"))
    pattern = 1;
  else if (word_is(s, k, "complex"))
    return prism_reader_error(r, "complex matrices are not supported");
  else if (!word_is(s, k, "real") && !word_is(s, k, "integer") &&
           !word_is(s, k, "double"))
    return prism_reader_error(r,
                              "unknown field '%s' (expected pattern, real "
                              "or integer)",
                              prism_reader_quote(s, k, q, sizeof q));
  if (banner_word(r, &s, &k, "symmetry")) return -1;
  if (word_is(s, k, "symmetric") || word_is(s, k, "skew-symmetric") ||
      word_is(s, k, "hermitian"))
    symmetric = 1;
  else if (!word_is(s, k, "general"))
    return prism_reader_error(r,
                              "unknown symmetry '%s' (expected general, "
                              "symmetric or skew-symmetric)",
                              prism_reader_quote(s, k, q, sizeof q));
  if (prism_reader_expect_eol(r)) return -1;

  /* Size line: first line that is neither blank nor a comment. */
  uint64_t rows, cols, nnz;
  int found = 0;
  while (prism_reader_next_line(r)) {
    int c = prism_reader_peek(r);
    if (c < 0 || c == '%') continue;
    found = 1;
    break;
  }
  if (!found) return prism_reader_error_at(r, 0, "missing size line 'ROWS COLS NNZ'");
  if (prism_reader_u64(r, &rows, "row count") ||
      prism_reader_u64(r, &cols, "column count") ||
      prism_reader_u64(r, &nnz, "entry count") || prism_reader_expect_eol(r))
    return -1;
  if (rows != cols)
    return prism_reader_error(r,
                              "not a square matrix (%llu x %llu): a graph "
                              "needs ROWS == COLS",
                              (unsigned long long)rows, (unsigned long long)cols);
  if (rows > PRISM_MAX_VERTICES)
    return prism_reader_error(r, "%llu rows exceed the vertex limit of %llu",
                              (unsigned long long)rows,
                              (unsigned long long)PRISM_MAX_VERTICES);

  uint64_t seen = 0;
  while (prism_reader_next_line(r)) {
    int c = prism_reader_peek(r);
    if (c < 0 || c == '%') continue;
    if (seen == nnz)
      return prism_reader_error(r, "more entries than the %llu in the size line",
                                (unsigned long long)nnz);
    uint64_t i, j;
    if (prism_reader_u64(r, &i, "row index") || prism_reader_u64(r, &j, "column index"))
      return -1;
    if (i == 0 || j == 0)
      return prism_reader_error(r,
                                "index 0 (Matrix Market indices are "
                                "numbered from 1)");
    if (i > rows || j > rows)
      return prism_reader_error(r,
                                "entry (%llu, %llu) outside the %llu x %llu "
                                "matrix",
                                (unsigned long long)i, (unsigned long long)j,
                                (unsigned long long)rows, (unsigned long long)rows);
    if (!pattern && prism_reader_real(r, "value")) return -1;
    if (prism_reader_expect_eol(r)) return -1;
    if (i != j && prism_reader_push(r, (uint32_t)(i - 1), (uint32_t)(j - 1))) return -1;
    seen++;
  }
  if (seen < nnz)
    return prism_reader_error_at(r, 0,
                                 "truncated: size line announces %llu "
                                 "entries but only %llu follow",
                                 (unsigned long long)nnz, (unsigned long long)seen);

  prism_build_stats st;
  if (prism_reader_build(r, (uint32_t)rows, &st, out)) return -1;
  /* A general matrix with a symmetric pattern stores every edge twice, which
   * is normal; a symmetric file should store one triangle only. */
  if (symmetric && st.duplicates)
    prism_reader_warn(r,
                      "symmetric matrix stores %llu entr%s twice (both "
                      "triangles or repeats); dropped",
                      (unsigned long long)st.duplicates,
                      st.duplicates == 1 ? "y" : "ies");
  return 0;
}
