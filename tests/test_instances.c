/* test_instances.c - DSATUR and the clique bound on every shared DIMACS
 * instance listed in best_known.tsv whose .col file is present, checked
 * against the known values:
 *   clique <= chromatic (when proven), clique <= DSATUR colors,
 *   DSATUR colors >= best known, and the coloring is proper. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "color/color.h"
#include "graph/read.h"
#include "test.h"

/* Clique search moves per instance: enough to hit most known clique sizes,
 * small enough for the whole set to take a few seconds. */
#define INSTANCE_CLIQUE_EFFORT 20000

/* Split a tab-separated line in place; returns the number of fields. */
static int split_tabs(char *line, char **field, int max) {
  int nf = 0;
  char *p = line;
  while (nf < max) {
    field[nf++] = p;
    char *t = strchr(p, '\t');
    if (!t) break;
    *t = 0;
    p = t + 1;
  }
  return nf;
}

static int parse_u32(const char *s, uint32_t *out) {
  char *end;
  if (!*s || *s < '0' || *s > '9') return 0;
  unsigned long v = strtoul(s, &end, 10);
  if (*end || v > UINT32_MAX) return 0;
  *out = (uint32_t)v;
  return 1;
}

PRISM_TEST(instances_dsatur_and_clique, "cpu,instances") {
  const char *dir = prism_test_instances_dir();
  if (!dir) TEST_SKIP("no instances folder (set PRISM_INSTANCES or provide ../shared/instances)");
  char path[4096];
  snprintf(path, sizeof path, "%s/best_known.tsv", dir);
  FILE *f = fopen(path, "r");
  if (!f) TEST_SKIP("instances folder has no best_known.tsv");
  char line[1024];
  int lineno = 0, checked = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    line[strcspn(line, "\r\n")] = 0;
    if (lineno == 1 || !line[0]) continue; /* header */
    char *fld[8];
    int nf = split_tabs(line, fld, 8);
    uint32_t n_exp, chromatic = 0, best_known;
    int have_chi = nf >= 4 && parse_u32(fld[3], &chromatic);
    if (nf < 5 || !parse_u32(fld[1], &n_exp) || !parse_u32(fld[4], &best_known)) {
      printf("    best_known.tsv:%d: malformed row\n", lineno);
      TEST_CHECK(0);
      continue;
    }
    snprintf(path, sizeof path, "%s/%s.col", dir, fld[0]);
    if (access(path, R_OK) != 0) continue; /* listed, not shipped */

    prism_graph *g = NULL;
    prism_diag diag;
    memset(&diag, 0, sizeof diag);
    if (prism_graph_read_file(path, PRISM_FORMAT_DIMACS, &g, &diag) != 0) {
      printf("    %s: read failed: %s\n", fld[0], diag.error);
      TEST_CHECK(0);
      continue;
    }
    TEST_CHECK_EQ(g->n, n_exp);
    uint32_t *colors = malloc((size_t)g->n * sizeof *colors);
    uint32_t k = prism_dsatur(g, colors);
    char msg[256];
    if (prism_verify(g, colors, k, msg, sizeof msg) != 0) {
      printf("    %s: DSATUR coloring is not proper: %s\n", fld[0], msg);
      TEST_CHECK(0);
    }
    uint32_t *cl = malloc(((size_t)g->max_degree + 1) * sizeof *cl);
    uint32_t lb = prism_clique_lower_bound(g, 1, INSTANCE_CLIQUE_EFFORT, cl);
    for (uint32_t i = 0; i < lb; i++)
      for (uint32_t j = i + 1; j < lb; j++)
        if (!prism_graph_has_edge(g, cl[i], cl[j])) {
          printf("    %s: clique vertices %u and %u are not adjacent\n", fld[0],
                 cl[i] + 1, cl[j] + 1);
          TEST_CHECK(0);
        }
    int bad = lb > k || k < best_known || (have_chi && lb > chromatic) || lb == 0;
    if (bad)
      printf("    %s: clique %u, DSATUR %u, chromatic %s, best known %u\n", fld[0],
             lb, k, fld[3], best_known);
    TEST_CHECK(!bad);
    free(cl);
    free(colors);
    prism_graph_free(g);
    checked++;
  }
  fclose(f);
  if (checked == 0) TEST_SKIP("no listed instance file present");
  TEST_CHECK(checked > 0);
}
