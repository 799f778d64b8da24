/* test_graph.c - CSR construction and the four graph readers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/graph.h"
#include "graph/read.h"
#include "test.h"

/* Read a NUL-terminated text in the given format; returns the graph or NULL. */
static prism_graph *rd(const char *text, prism_format fmt, prism_diag *d) {
  prism_graph *g = NULL;
  int rc = prism_graph_read_buffer(text, strlen(text), "t", fmt, &g, d);
  if (rc != 0) {
    if (g) printf("    read failed but returned a graph\n");
    printf("    (read error: %s)\n", d->error);
    return NULL;
  }
  return g;
}

/* The error of a read expected to fail ("" when it succeeded). */
static const char *rd_err(const char *text, prism_format fmt, prism_diag *d) {
  prism_graph *g = (prism_graph *)(uintptr_t)0x1; /* must stay untouched */
  int rc = prism_graph_read_buffer(text, strlen(text), "t", fmt, &g, d);
  if (rc == 0) {
    prism_graph_free(g);
    return "";
  }
  if (g != (prism_graph *)(uintptr_t)0x1) return "OUT WAS TOUCHED";
  return d->error;
}

static int contains(const char *hay, const char *needle) {
  return strstr(hay, needle) != NULL;
}

/* Any stored warning contains `needle`. */
static int warned(const prism_diag *d, const char *needle) {
  unsigned k =
      d->n_warnings < PRISM_DIAG_MAX_WARNINGS ? d->n_warnings : PRISM_DIAG_MAX_WARNINGS;
  for (unsigned i = 0; i < k; i++)
    if (strstr(d->warnings[i], needle)) return 1;
  return 0;
}

/* Full CSR invariant check; returns 1 when fine. */
static int csr_ok(const prism_graph *g) {
  if (g->offsets[0] != 0 || g->offsets[g->n] != 2 * g->m) return 0;
  uint32_t maxd = 0;
  for (uint32_t v = 0; v < g->n; v++) {
    if (g->offsets[v] > g->offsets[v + 1]) return 0;
    if (prism_graph_degree(g, v) > maxd) maxd = prism_graph_degree(g, v);
    for (uint64_t k = g->offsets[v]; k < g->offsets[v + 1]; k++) {
      uint32_t w = g->adj[k];
      if (w >= g->n || w == v) return 0;
      if (k > g->offsets[v] && g->adj[k - 1] >= w) return 0;
      if (!prism_graph_has_edge(g, w, v)) return 0;
    }
  }
  return maxd == g->max_degree;
}

/* ---- prism_graph_build ------------------------------------------------- */

PRISM_TEST(graph_build_basic, "cpu") {
  uint32_t eu[] = {0, 2, 1, 3, 0};
  uint32_t ev[] = {1, 1, 3, 0, 2};
  prism_build_stats st;
  prism_graph *g = prism_graph_build(5, eu, ev, 5, &st);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 5);
  TEST_CHECK_EQ(g->m, 5);
  TEST_CHECK_EQ(st.self_loops, 0);
  TEST_CHECK_EQ(st.duplicates, 0);
  TEST_CHECK(csr_ok(g));
  TEST_CHECK_EQ(prism_graph_degree(g, 0), 3);
  TEST_CHECK_EQ(prism_graph_degree(g, 4), 0);
  TEST_CHECK_EQ(g->max_degree, 3);
  /* sorted: neighbours of 0 are 1 2 3 */
  TEST_CHECK_EQ(g->adj[g->offsets[0]], 1);
  TEST_CHECK_EQ(g->adj[g->offsets[0] + 1], 2);
  TEST_CHECK_EQ(g->adj[g->offsets[0] + 2], 3);
  TEST_CHECK(prism_graph_has_edge(g, 1, 2));
  TEST_CHECK(prism_graph_has_edge(g, 2, 1));
  TEST_CHECK(!prism_graph_has_edge(g, 2, 3));
  TEST_CHECK(!prism_graph_has_edge(g, 0, 4));
  TEST_CHECK(!prism_graph_has_edge(g, 0, 0));
  TEST_CHECK(!prism_graph_has_edge(g, 0, 99)); /* out of range: no edge */
  prism_graph_free(g);
}

PRISM_TEST(graph_build_dedup, "cpu") {
  /* {0,1} four times (both directions), {1,2} twice, two self-loops. */
  uint32_t eu[] = {0, 1, 0, 1, 2, 1, 2, 3};
  uint32_t ev[] = {1, 0, 1, 0, 2, 2, 1, 3};
  prism_build_stats st;
  prism_graph *g = prism_graph_build(4, eu, ev, 8, &st);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK_EQ(st.self_loops, 2);
  TEST_CHECK_EQ(st.duplicates, 4);
  TEST_CHECK(csr_ok(g));
  TEST_CHECK_EQ(prism_graph_degree(g, 1), 2);
  TEST_CHECK_EQ(prism_graph_degree(g, 3), 0);
  TEST_CHECK_EQ(g->max_degree, 2);
  prism_graph_free(g);
}

PRISM_TEST(graph_build_edge_cases, "cpu") {
  prism_build_stats st;
  prism_graph *g = prism_graph_build(0, NULL, NULL, 0, &st);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 0);
  TEST_CHECK_EQ(g->m, 0);
  TEST_CHECK_EQ(g->offsets[0], 0);
  prism_graph_free(g);
  g = prism_graph_build(3, NULL, NULL, 0, NULL);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 0);
  TEST_CHECK_EQ(g->max_degree, 0);
  prism_graph_free(g);
  uint32_t eu[] = {0}, ev[] = {3};
  TEST_CHECK(prism_graph_build(3, eu, ev, 1, NULL) == NULL); /* endpoint >= n */
  TEST_CHECK(prism_graph_build(PRISM_MAX_VERTICES + 1, NULL, NULL, 0, NULL) == NULL);
  prism_graph_free(NULL);
}

/* Random multigraph against an adjacency-matrix reference. */
PRISM_TEST(graph_build_random, "cpu") {
  const uint32_t n = 61;
  const uint64_t cnt = 3000;
  uint32_t *eu = malloc(cnt * sizeof *eu), *ev = malloc(cnt * sizeof *ev);
  unsigned char mat[61][61];
  memset(mat, 0, sizeof mat);
  uint64_t x = 88172645463325252ull, loops = 0, distinct = 0;
  for (uint64_t i = 0; i < cnt; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    eu[i] = (uint32_t)(x % n);
    ev[i] = (uint32_t)((x >> 32) % n);
    if (eu[i] == ev[i])
      loops++;
    else if (!mat[eu[i]][ev[i]]) {
      mat[eu[i]][ev[i]] = mat[ev[i]][eu[i]] = 1;
      distinct++;
    }
  }
  prism_build_stats st;
  prism_graph *g = prism_graph_build(n, eu, ev, cnt, &st);
  TEST_REQUIRE(g);
  TEST_CHECK(csr_ok(g));
  TEST_CHECK_EQ(g->m, distinct);
  TEST_CHECK_EQ(st.self_loops, loops);
  TEST_CHECK_EQ(st.duplicates, cnt - loops - distinct);
  int bad = 0;
  for (uint32_t u = 0; u < n; u++)
    for (uint32_t v = 0; v < n; v++) bad += prism_graph_has_edge(g, u, v) != mat[u][v];
  TEST_CHECK_EQ(bad, 0);
  prism_graph_free(g);
  free(eu);
  free(ev);
}

/* ---- formats ------------------------------------------------------------- */

PRISM_TEST(graph_format_names, "cpu") {
  TEST_CHECK_EQ(prism_format_parse("dimacs"), PRISM_FORMAT_DIMACS);
  TEST_CHECK_EQ(prism_format_parse("metis"), PRISM_FORMAT_METIS);
  TEST_CHECK_EQ(prism_format_parse("mtx"), PRISM_FORMAT_MTX);
  TEST_CHECK_EQ(prism_format_parse("edgelist"), PRISM_FORMAT_EDGELIST);
  TEST_CHECK_EQ(prism_format_parse("auto"), PRISM_FORMAT_AUTO);
  TEST_CHECK_EQ(prism_format_parse("nope"), -1);
  TEST_CHECK_EQ(prism_format_parse(NULL), -1);
  TEST_CHECK(!strcmp(prism_format_name(PRISM_FORMAT_METIS), "metis"));
  TEST_CHECK(!strcmp(prism_format_name(PRISM_FORMAT_EDGELIST), "edgelist"));
  for (int f = 0; f <= PRISM_FORMAT_EDGELIST; f++)
    TEST_CHECK_EQ(prism_format_parse(prism_format_name((prism_format)f)), f);
  TEST_CHECK_EQ(prism_format_guess("a/b/queen5_5.col"), PRISM_FORMAT_DIMACS);
  TEST_CHECK_EQ(prism_format_guess("x.dimacs"), PRISM_FORMAT_DIMACS);
  TEST_CHECK_EQ(prism_format_guess("x.graph"), PRISM_FORMAT_METIS);
  TEST_CHECK_EQ(prism_format_guess("x.metis"), PRISM_FORMAT_METIS);
  TEST_CHECK_EQ(prism_format_guess("x.mtx"), PRISM_FORMAT_MTX);
  TEST_CHECK_EQ(prism_format_guess("x.edges"), PRISM_FORMAT_EDGELIST);
  TEST_CHECK_EQ(prism_format_guess("x.el"), PRISM_FORMAT_EDGELIST);
  TEST_CHECK_EQ(prism_format_guess("x.txt"), PRISM_FORMAT_EDGELIST);
  TEST_CHECK_EQ(prism_format_guess("x.edgelist"), PRISM_FORMAT_EDGELIST);
  TEST_CHECK_EQ(prism_format_guess("x.mtx.gz"), PRISM_FORMAT_DIMACS);
  TEST_CHECK_EQ(prism_format_guess("dir.mtx/file"), PRISM_FORMAT_DIMACS);
  TEST_CHECK_EQ(prism_format_guess("noext"), PRISM_FORMAT_DIMACS);
  TEST_CHECK_EQ(prism_format_guess("-"), PRISM_FORMAT_DIMACS);
}

/* ---- DIMACS ------------------------------------------------------------- */

PRISM_TEST(graph_dimacs_basic, "cpu") {
  prism_diag d;
  prism_graph *g =
      rd("c a triangle plus an isolated vertex\n"
         "p edge 4 3\n"
         "e 1 2\ne 2 3\ne 1 3\n",
         PRISM_FORMAT_DIMACS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 4);
  TEST_CHECK_EQ(g->m, 3);
  TEST_CHECK_EQ(d.n_warnings, 0);
  TEST_CHECK(prism_graph_has_edge(g, 0, 2));
  TEST_CHECK_EQ(prism_graph_degree(g, 3), 0);
  TEST_CHECK(csr_ok(g));
  prism_graph_free(g);
}

PRISM_TEST(graph_dimacs_whitespace_crlf, "cpu") {
  prism_diag d;
  prism_graph *g =
      rd("\xef\xbb\xbf"
         "c crlf, tabs, blank lines\r\n"
         "\r\n"
         "  p\tcol  3\t 2 \r\n"
         "\r\n"
         "e\t1   2\r\n"
         "   e 2 3   \r\n"
         "\n   \t\n"
         "e 3 2", /* duplicate, no final newline */
         PRISM_FORMAT_DIMACS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 3);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK(warned(&d, "duplicate"));
  prism_graph_free(g);
  g = rd("p edges 2 1\ne 1 2\n", PRISM_FORMAT_DIMACS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 1);
  prism_graph_free(g);
}

PRISM_TEST(graph_dimacs_both_directions, "cpu") {
  prism_diag d;
  /* Header counts both directions: no header warning, one dedup warning. */
  prism_graph *g =
      rd("p edge 3 4\ne 1 2\ne 2 1\ne 2 3\ne 3 2\n", PRISM_FORMAT_DIMACS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK_EQ(d.n_warnings, 1);
  TEST_CHECK(warned(&d, "both directions"));
  TEST_CHECK(warned(&d, "t: "));
  prism_graph_free(g);
  /* Header counts distinct edges: still no header warning. */
  g = rd("p edge 3 2\ne 1 2\ne 2 1\ne 2 3\ne 3 2\n", PRISM_FORMAT_DIMACS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(d.n_warnings, 1);
  prism_graph_free(g);
  /* Header wrong either way. */
  g = rd("p edge 3 7\ne 1 2\ne 2 3\n", PRISM_FORMAT_DIMACS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(d.n_warnings, 1);
  TEST_CHECK(warned(&d, "header says 7 edges"));
  prism_graph_free(g);
}

PRISM_TEST(graph_dimacs_self_loops_duplicates, "cpu") {
  prism_diag d;
  prism_graph *g =
      rd("p edge 3 5\ne 1 1\ne 1 2\ne 1 2\ne 3 3\ne 2 3\n", PRISM_FORMAT_DIMACS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK_EQ(d.n_warnings, 2);
  TEST_CHECK(warned(&d, "2 self-loops"));
  TEST_CHECK(warned(&d, "1 duplicate edge"));
  TEST_CHECK(csr_ok(g));
  prism_graph_free(g);
}

PRISM_TEST(graph_dimacs_empty_graphs, "cpu") {
  prism_diag d;
  prism_graph *g = rd("p edge 5 0\n", PRISM_FORMAT_DIMACS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 5);
  TEST_CHECK_EQ(g->m, 0);
  prism_graph_free(g);
  g = rd("p edge 0 0\n", PRISM_FORMAT_DIMACS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 0);
  prism_graph_free(g);
}

PRISM_TEST(graph_dimacs_errors, "cpu") {
  prism_diag d;
  static const struct {
    const char *text, *err;
  } cases[] = {
      {"", "t: empty file"},
      {"c only a comment\n", "t: no 'p edge N M' header"},
      {"e 1 2\np edge 2 1\n", "t:1: edge line before"},
      {"p edge 2 1\np edge 2 1\n", "t:2: second 'p' header"},
      {"p edge 2 1\ne 0 1\n", "t:2: vertex 0"},
      {"p edge 2 1\ne 1 3\n", "t:2: vertex 3 out of range"},
      {"p edge 2 1\ne 1 -2\n", "t:2: negative second vertex '-2'"},
      {"p edge 2 1\ne 1 +2\n", "t:2: bad second vertex '+2'"},
      {"p edge 2 1\ne 1 0x2\n", "t:2: bad second vertex '0x2'"},
      {"p edge 2 1\ne 1 two\n", "t:2: bad second vertex 'two'"},
      {"p edge 2 1\ne 1\n", "t:2: truncated line: missing second vertex"},
      {"p edge 2 1\ne 1 2 3\n", "t:2: unexpected extra token '3'"},
      {"p edge 2 1\nx 1 2\n", "t:2: unknown line type 'x'"},
      {"p edge 2 1\n\x01\x02\n", "t:2: binary data"},
      {"p edge 2 1\ne 1 2\x7f\n", "t:2: binary data"},
      {"p edge 99999999999999999999 1\n",
       "t:1: vertex count '99999999999999999999' is too large"},
      {"p edge 268435457 1\n", "t:1: vertex count 268435457 exceeds"},
      {"p edge 10 4294967297\n", "t:1: edge count 4294967297 exceeds"},
      {"p cnf 3 2\n", "t:1: unsupported problem type 'cnf'"},
      {"p edge 3\n", "t:1: truncated line: missing edge count"},
      {"p edge 3 2 1\n", "t:1: unexpected extra token"},
      {"p\n", "t:1: truncated header"},
      {"c x\n\n\np edge 2 1\ne 1 2\ne 2 1\ne 1 2 x\n", "t:7: unexpected extra token 'x'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *e = rd_err(cases[i].text, PRISM_FORMAT_DIMACS, &d);
    if (strncmp(e, cases[i].err, strlen(cases[i].err))) {
      printf("    case %zu: got '%s', want prefix '%s'\n", i, e, cases[i].err);
      TEST_CHECK(!"dimacs error case");
    }
  }
  /* NUL byte inside a comment is still binary data, with its line. */
  const char nul[] = "p edge 2 1\nc ab\0cd\ne 1 2\n";
  prism_graph *g = NULL;
  TEST_CHECK_EQ(
      prism_graph_read_buffer(nul, sizeof nul - 1, "t", PRISM_FORMAT_DIMACS, &g, &d), -1);
  TEST_CHECK(g == NULL);
  TEST_CHECK(contains(d.error, "t:2: binary data (NUL byte)"));
}

PRISM_TEST(graph_dimacs_long_line, "cpu") {
  /* A comment of 1 MB and a header padded with 100k spaces. */
  size_t big = 1 << 20;
  char *s = malloc(big + 300000);
  size_t k = 0;
  s[k++] = 'c';
  memset(s + k, 'x', big);
  k += big;
  s[k++] = '\n';
  memcpy(s + k, "p edge 2 1", 10);
  k += 10;
  memset(s + k, ' ', 100000);
  k += 100000;
  memcpy(s + k, "\ne 1", 4);
  k += 4;
  memset(s + k, '\t', 100000);
  k += 100000;
  memcpy(s + k, "2\n", 2);
  k += 2;
  prism_graph *g = NULL;
  prism_diag d;
  TEST_CHECK_EQ(prism_graph_read_buffer(s, k, "t", PRISM_FORMAT_DIMACS, &g, &d), 0);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 1);
  prism_graph_free(g);
  free(s);
}

/* The buffer is not NUL-terminated and must not be read past its end. */
PRISM_TEST(graph_buffer_not_terminated, "cpu") {
  const char text[] = "p edge 3 1\ne 1 23";
  prism_graph *g = NULL;
  prism_diag d;
  /* Cut before the '3': the last token is "2". */
  TEST_CHECK_EQ(
      prism_graph_read_buffer(text, sizeof text - 2, "t", PRISM_FORMAT_DIMACS, &g, &d),
      0);
  TEST_REQUIRE(g);
  TEST_CHECK(prism_graph_has_edge(g, 0, 1));
  prism_graph_free(g);
  const char mtx[] = "%%MatrixMarket matrix coordinate real general\n2 2 1\n2 1 1.5e3";
  g = NULL;
  TEST_CHECK_EQ(
      prism_graph_read_buffer(mtx, sizeof mtx - 3, "t", PRISM_FORMAT_MTX, &g, &d), 0);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 1);
  prism_graph_free(g);
}

/* ---- METIS --------------------------------------------------------------- */

PRISM_TEST(graph_metis_basic, "cpu") {
  prism_diag d;
  /* A path 1-2-3, vertex 4 isolated (blank line), comments skipped. */
  prism_graph *g =
      rd("% a comment\n"
         "4 2\n"
         "2\n"
         "% comment between adjacency lines\n"
         "1 3\n"
         "2\n"
         "\n",
         PRISM_FORMAT_METIS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 4);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK_EQ(d.n_warnings, 0);
  TEST_CHECK(prism_graph_has_edge(g, 1, 2));
  TEST_CHECK_EQ(prism_graph_degree(g, 3), 0);
  TEST_CHECK(csr_ok(g));
  prism_graph_free(g);
  /* Isolated vertex in the middle, CRLF, trailing blank lines. */
  g = rd("3 1\r\n3\r\n\r\n1\r\n\r\n\r\n", PRISM_FORMAT_METIS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 1);
  TEST_CHECK_EQ(prism_graph_degree(g, 1), 0);
  TEST_CHECK(prism_graph_has_edge(g, 0, 2));
  TEST_CHECK_EQ(d.n_warnings, 0);
  prism_graph_free(g);
}

PRISM_TEST(graph_metis_weights, "cpu") {
  prism_diag d;
  /* fmt 1: neighbour weight pairs. */
  prism_graph *g = rd("3 2 1\n2 5\n1 5 3 7\n2 7\n", PRISM_FORMAT_METIS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK_EQ(d.n_warnings, 0);
  TEST_CHECK(prism_graph_has_edge(g, 1, 2));
  TEST_CHECK(!prism_graph_has_edge(g, 0, 2));
  prism_graph_free(g);
  /* fmt 10: one vertex weight first. */
  g = rd("3 2 10\n4 2\n9 1 3\n1 2\n", PRISM_FORMAT_METIS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK_EQ(d.n_warnings, 0);
  TEST_CHECK(!prism_graph_has_edge(g, 0, 3 - 1));
  prism_graph_free(g);
  /* fmt 011 with NCON 2, real-valued weights. */
  g = rd("3 2 011 2\n1 1 2 0.5\n2 2.5 1 0.5 3 1e2\n3 3 2 1e2\n", PRISM_FORMAT_METIS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK_EQ(d.n_warnings, 0);
  TEST_CHECK(prism_graph_has_edge(g, 0, 1));
  TEST_CHECK(prism_graph_has_edge(g, 1, 2));
  prism_graph_free(g);
  /* fmt 100: vertex sizes. */
  g = rd("2 1 100\n7 2\n7 1\n", PRISM_FORMAT_METIS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 1);
  prism_graph_free(g);
  /* fmt 0 and 000 are plain. */
  g = rd("2 1 000\n2\n1\n", PRISM_FORMAT_METIS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 1);
  prism_graph_free(g);
}

PRISM_TEST(graph_metis_irregular, "cpu") {
  prism_diag d;
  /* Asymmetric: 1 lists 2 but 2 does not list 1; header count right. */
  prism_graph *g = rd("3 2\n2\n3\n2\n", PRISM_FORMAT_METIS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK(warned(&d, "not symmetric: 1 entry"));
  TEST_CHECK_EQ(d.n_warnings, 1);
  prism_graph_free(g);
  /* Repeat inside a line compensating a missing reverse. */
  g = rd("3 2\n2 2\n1\n1\n", PRISM_FORMAT_METIS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK(warned(&d, "1 repeated"));
  TEST_CHECK(warned(&d, "not symmetric"));
  prism_graph_free(g);
  /* Wrong edge count and a self-loop. */
  g = rd("2 5\n1 2\n1\n", PRISM_FORMAT_METIS, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 1);
  TEST_CHECK(warned(&d, "self-loop"));
  TEST_CHECK(warned(&d, "header says 5 edges"));
  prism_graph_free(g);
}

PRISM_TEST(graph_metis_errors, "cpu") {
  prism_diag d;
  static const struct {
    const char *text, *err;
  } cases[] = {
      {"", "t: empty file"},
      {"% just a comment\n\n", "t: no header line"},
      {"3 2\n2\n1 3\n", "t: truncated: header says 3 vertices but only 2"},
      {"2 1\n2\n1\n1\n", "t:4: more adjacency lines"},
      {"2 1 2\n2\n1\n", "t:1: unsupported METIS FMT '2'"},
      {"2 1 12\n2\n1\n", "t:1: unsupported METIS FMT '12'"},
      {"2 1 0001\n2\n1\n", "t:1: unsupported METIS FMT '0001'"},
      {"2 1 1 2\n2 1\n1 1\n", "t:1: NCON 2 given but FMT '1'"},
      {"2 1\n3\n1\n", "t:2: neighbour 3 out of range"},
      {"2 1\n0\n1\n", "t:2: neighbour 0"},
      {"2 1\n-1\n1\n", "t:2: negative neighbour"},
      {"2 1\n2.5\n1\n", "t:2: bad neighbour '2.5'"},
      {"2 1 1\n2\n1 1\n", "t:2: truncated line: missing edge weight"},
      {"2 1 1\n2 x\n1 1\n", "t:2: bad edge weight 'x'"},
      {"2 1 10 2\n1\n1 1 1\n", "t:2: truncated line: missing vertex weight"},
      {"2\n", "t:1: truncated line: missing edge count"},
      {"268435457 1\n", "t:1: vertex count 268435457 exceeds"},
      {"2 1 0 0 0\n", "t:1: unexpected extra token"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *e = rd_err(cases[i].text, PRISM_FORMAT_METIS, &d);
    if (strncmp(e, cases[i].err, strlen(cases[i].err))) {
      printf("    case %zu: got '%s', want prefix '%s'\n", i, e, cases[i].err);
      TEST_CHECK(!"metis error case");
    }
  }
}

/* ---- Matrix Market ------------------------------------------------------- */

PRISM_TEST(graph_mtx_formats, "cpu") {
  prism_diag d;
  /* symmetric pattern, lower triangle, with a diagonal entry */
  prism_graph *g =
      rd("%%MatrixMarket matrix coordinate pattern symmetric\n"
         "% comment\n"
         "%\n"
         "4 4 4\n"
         "2 1\n3 2\n4 1\n3 3\n",
         PRISM_FORMAT_MTX, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 4);
  TEST_CHECK_EQ(g->m, 3);
  TEST_CHECK_EQ(d.n_warnings, 0);
  TEST_CHECK(prism_graph_has_edge(g, 0, 3));
  TEST_CHECK(csr_ok(g));
  prism_graph_free(g);
  /* general real, unsymmetric pattern: symmetrised; both triangles: deduped */
  g =
      rd("%%MatrixMarket matrix coordinate real general\r\n"
         "3 3 5\r\n"
         "1 2 1.5\r\n2 1 -2e-3\r\n3 1 7\r\n1 1 4.0\r\n2 3 .5\r\n",
         PRISM_FORMAT_MTX, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 3);
  TEST_CHECK_EQ(d.n_warnings, 0);
  TEST_CHECK(prism_graph_has_edge(g, 0, 2));
  TEST_CHECK(prism_graph_has_edge(g, 1, 2));
  prism_graph_free(g);
  /* integer skew-symmetric, keywords in upper case, AUTO by banner */
  const char *t =
      "%%MatrixMarket MATRIX Coordinate INTEGER skew-symmetric\n"
      "3 3 2\n2 1 -3\n3 2 4\n";
  g = NULL;
  TEST_CHECK_EQ(prism_graph_read_buffer(t, strlen(t), "noext", PRISM_FORMAT_AUTO, &g, &d),
                0);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 2);
  prism_graph_free(g);
  /* symmetric file that stores both triangles: warning */
  g = rd("%%MatrixMarket matrix coordinate pattern symmetric\n2 2 2\n1 2\n2 1\n",
         PRISM_FORMAT_MTX, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 1);
  TEST_CHECK_EQ(d.n_warnings, 1);
  prism_graph_free(g);
}

PRISM_TEST(graph_mtx_errors, "cpu") {
  prism_diag d;
  static const struct {
    const char *text, *err;
  } cases[] = {
      {"", "t: empty file"},
      {"3 3 1\n1 2\n", "t:1: missing '%%MatrixMarket"},
      {"%%MatrixMarket vector coordinate real general\n",
       "t:1: object 'vector' is not a matrix"},
      {"%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n",
       "t:1: dense 'array' format"},
      {"%%MatrixMarket matrix coordinate complex general\n", "t:1: complex matrices"},
      {"%%MatrixMarket matrix coordinate real\n",
       "t:1: truncated banner: missing symmetry"},
      {"%%MatrixMarket matrix coordinate real weird\n", "t:1: unknown symmetry 'weird'"},
      {"%%MatrixMarket matrix coordinate pattern general\n", "t: missing size line"},
      {"%%MatrixMarket matrix coordinate pattern general\n3 4 1\n1 2\n",
       "t:2: not a square matrix (3 x 4)"},
      {"%%MatrixMarket matrix coordinate pattern general\n3 3 2\n1 2\n",
       "t: truncated: size line announces 2 entries but only 1"},
      {"%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 2\n2 3\n",
       "t:4: more entries than the 1"},
      {"%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 4\n",
       "t:3: entry (1, 4) outside"},
      {"%%MatrixMarket matrix coordinate pattern general\n3 3 1\n0 1\n", "t:3: index 0"},
      {"%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 2 1.0\n",
       "t:3: unexpected extra token '1.0'"},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 2\n",
       "t:3: truncated line: missing value"},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 2 abc\n",
       "t:3: bad value 'abc'"},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 2 0x1p3\n",
       "t:3: bad value '0x1p3'"},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 2 1.0 2.0\n",
       "t:3: unexpected extra token '2.0'"},
      {"%%MatrixMarket matrix coordinate real general\n999999999 999999999 0\n",
       "t:2: 999999999 rows exceed"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *e = rd_err(cases[i].text, PRISM_FORMAT_MTX, &d);
    if (strncmp(e, cases[i].err, strlen(cases[i].err))) {
      printf("    case %zu: got '%s', want prefix '%s'\n", i, e, cases[i].err);
      TEST_CHECK(!"mtx error case");
    }
  }
}

/* ---- edge lists ---------------------------------------------------------- */

PRISM_TEST(graph_edgelist_numbering, "cpu") {
  prism_diag d;
  /* 1-based (no 0 anywhere): n = max id. */
  prism_graph *g =
      rd("# comment\n1 2\n2 5\n\n% other comment\n", PRISM_FORMAT_EDGELIST, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 5);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK_EQ(d.n_warnings, 0);
  TEST_CHECK(prism_graph_has_edge(g, 1, 4));
  prism_graph_free(g);
  /* 0-based (a 0 appears, even late): n = max id + 1. */
  g = rd("1 2\r\n2 5\r\n0 3\r\n", PRISM_FORMAT_EDGELIST, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 6);
  TEST_CHECK_EQ(g->m, 3);
  TEST_CHECK(prism_graph_has_edge(g, 2, 5));
  TEST_CHECK(prism_graph_has_edge(g, 0, 3));
  TEST_CHECK_EQ(d.n_warnings, 0);
  prism_graph_free(g);
  /* weights in a third column; tabs; both directions and a loop warn */
  g = rd("1\t2\t0.5\n2\t1\t0.5\n3 3 1\n2 3 -4e1\n", PRISM_FORMAT_EDGELIST, &d);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 3);
  TEST_CHECK_EQ(g->m, 2);
  TEST_CHECK(warned(&d, "self-loop"));
  TEST_CHECK(warned(&d, "duplicate"));
  prism_graph_free(g);
}

PRISM_TEST(graph_edgelist_errors, "cpu") {
  prism_diag d;
  static const struct {
    const char *text, *err;
  } cases[] = {
      {"", "t: empty file"},
      {"# nothing\n\n", "t: no edges found"},
      {"1 2\n3\n", "t:2: truncated line: missing second vertex"},
      {"1 2\na b\n", "t:2: bad first vertex 'a'"},
      {"1 2\n1,2\n", "t:2: bad first vertex '1,2'"},
      {"1 2\n1 -2\n", "t:2: negative second vertex"},
      {"1 2\n1 2 x\n", "t:2: bad weight 'x'"},
      {"1 2\n1 2 3 4\n", "t:2: unexpected extra token '4'"},
      {"1 268435457\n", "t:1: vertex id 268435457 exceeds"},
      {"0 1\n1 268435456\n", "t:2: vertex id 268435456 needs"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *e = rd_err(cases[i].text, PRISM_FORMAT_EDGELIST, &d);
    if (strncmp(e, cases[i].err, strlen(cases[i].err))) {
      printf("    case %zu: got '%s', want prefix '%s'\n", i, e, cases[i].err);
      TEST_CHECK(!"edgelist error case");
    }
  }
}

/* ---- names, stdin, files -------------------------------------------------- */

PRISM_TEST(graph_read_names, "cpu") {
  prism_diag d;
  prism_graph *g = NULL;
  const char *t = "p edge 2 1\ne 1 3\n";
  TEST_CHECK_EQ(prism_graph_read_buffer(t, strlen(t), "-", PRISM_FORMAT_AUTO, &g, &d),
                -1);
  TEST_CHECK(!strncmp(d.error, "<stdin>:2: ", 11));
  TEST_CHECK_EQ(
      prism_graph_read_buffer(t, strlen(t), "dir/x.col", PRISM_FORMAT_AUTO, &g, &d), -1);
  TEST_CHECK(!strncmp(d.error, "dir/x.col:2: ", 13));
  /* AUTO by extension: the same text as an edge list fails differently. */
  TEST_CHECK_EQ(
      prism_graph_read_buffer(t, strlen(t), "x.edges", PRISM_FORMAT_AUTO, &g, &d), -1);
  TEST_CHECK(contains(d.error, "x.edges:1: bad first vertex 'p'"));
  TEST_CHECK(g == NULL);
  /* diag may be NULL */
  TEST_CHECK_EQ(prism_graph_read_buffer(t, strlen(t), "x", PRISM_FORMAT_DIMACS, &g, NULL),
                -1);
  TEST_CHECK_EQ(prism_graph_read_buffer("1 2\n", 4, "x", PRISM_FORMAT_EDGELIST, &g, NULL),
                0);
  TEST_REQUIRE(g);
  prism_graph_free(g);
}

PRISM_TEST(graph_read_file_and_stdin, "cpu") {
  char path[] = "/tmp/prism_test_graph_XXXXXX";
  int fd = mkstemp(path);
  TEST_REQUIRE(fd >= 0);
  const char *t = "c tiny\np edge 3 2\ne 1 2\ne 2 3\n";
  TEST_REQUIRE(write(fd, t, strlen(t)) == (ssize_t)strlen(t));
  close(fd);
  prism_diag d;
  prism_graph *g = NULL;
  TEST_CHECK_EQ(prism_graph_read_file(path, PRISM_FORMAT_DIMACS, &g, &d), 0);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->m, 2);
  prism_graph_free(g);

  /* "-" reads stdin: point fd 0 at the file for a moment. */
  int saved = dup(0);
  TEST_REQUIRE(saved >= 0);
  FILE *f = freopen(path, "rb", stdin);
  g = NULL;
  int rc = f ? prism_graph_read_file("-", PRISM_FORMAT_AUTO, &g, &d) : -2;
  dup2(saved, 0);
  close(saved);
  clearerr(stdin);
  TEST_CHECK_EQ(rc, 0);
  TEST_REQUIRE(g);
  TEST_CHECK_EQ(g->n, 3);
  prism_graph_free(g);
  unlink(path);

  g = NULL;
  TEST_CHECK_EQ(
      prism_graph_read_file("/nonexistent/dir/x.col", PRISM_FORMAT_AUTO, &g, &d), -1);
  TEST_CHECK(g == NULL);
  TEST_CHECK(!strncmp(d.error, "/nonexistent/dir/x.col: cannot open: ", 37));
  TEST_CHECK_EQ(prism_graph_read_file("/tmp", PRISM_FORMAT_AUTO, &g, &d), -1);
  TEST_CHECK(!strncmp(d.error, "/tmp: ", 6));
}

/* ---- the benchmark instances --------------------------------------------- */

PRISM_TEST(graph_read_instances, "cpu") {
  const char *dir = prism_test_instances_dir();
  if (!dir) TEST_SKIP("no instance folder");
  char path[4096];
  snprintf(path, sizeof path, "%s/best_known.tsv", dir);
  FILE *f = fopen(path, "r");
  if (!f) TEST_SKIP("no best_known.tsv");
  char line[4096];
  int col_name = -1, col_v = -1, col_e = -1, read_ok = 0, rows = 0;
  if (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    int c = 0;
    for (char *tok = strtok(line, "\t"); tok; tok = strtok(NULL, "\t"), c++) {
      if (!strcmp(tok, "name")) col_name = c;
      if (!strcmp(tok, "vertices")) col_v = c;
      if (!strcmp(tok, "edges")) col_e = c;
    }
  }
  if (col_name < 0 || col_v < 0 || col_e < 0) {
    fclose(f);
    TEST_REQUIRE(!"best_known.tsv lacks name/vertices/edges columns");
  }
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0]) continue;
    char *cols[16] = {0};
    int c = 0;
    for (char *p = line; c < 16; c++) {
      cols[c] = p;
      char *tab = strchr(p, '\t');
      if (!tab) {
        c++;
        break;
      }
      *tab = 0;
      p = tab + 1;
    }
    if (col_name >= c || col_v >= c || col_e >= c) continue;
    rows++;
    snprintf(path, sizeof path, "%s/%s.col", dir, cols[col_name]);
    if (access(path, R_OK) != 0) continue; /* listed but not stored */
    prism_graph *g = NULL;
    prism_diag d;
    if (prism_graph_read_file(path, PRISM_FORMAT_AUTO, &g, &d) != 0) {
      printf("    %s\n", d.error);
      TEST_CHECK(!"instance read failed");
      continue;
    }
    read_ok++;
    if (g->n != strtoull(cols[col_v], NULL, 10) ||
        g->m != strtoull(cols[col_e], NULL, 10) || d.n_warnings) {
      printf("    %s: n=%u m=%llu warnings=%u, table says %s %s\n", cols[col_name], g->n,
             (unsigned long long)g->m, d.n_warnings, cols[col_v], cols[col_e]);
      TEST_CHECK(!"instance size mismatch");
    }
    prism_graph_free(g);
  }
  fclose(f);
  printf("    %d instances read (%d rows)\n", read_ok, rows);
  TEST_CHECK(read_ok > 0);
}
