/* dsatur_bench.c - DSATUR and the clique lower bound over the shared DIMACS
 * instances; prints a markdown table (one row per best_known.tsv entry whose
 * .col file is present) and a totals line.
 *
 * Build (after `make`, which produces build/libprism.a):
 *   gcc -O2 -Isrc bench/dsatur_bench.c build/libprism.a -lm -pthread -o build/dsatur_bench
 * Run:
 *   ./build/dsatur_bench [INSTANCES_DIR] [CLIQUE_EFFORT]
 * INSTANCES_DIR defaults to ../shared/instances, CLIQUE_EFFORT (local search
 * moves of prism_clique_lower_bound) to 100000; the clique seed is 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "color/color.h"
#include "graph/read.h"

static double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "../shared/instances";
  unsigned long long effort = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000;
  char path[4096], line[1024];
  snprintf(path, sizeof path, "%s/best_known.tsv", dir);
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "dsatur_bench: cannot open %s\n", path);
    return 1;
  }
  printf("| instance | n | m | clique LB | DSATUR colors | best known | DSATUR ms | clique ms |\n");
  printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  int rows = 0, at_best = 0, lb_tight = 0;
  double t_dsatur = 0, t_clique = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    char *name = line, *tab = strchr(line, '\t');
    if (!tab || !strcmp(name, "name") || !strncmp(name, "name\t", 5)) continue;
    *tab = 0;
    /* fields after name: vertices, edges, chromatic, best_known, reference */
    char *fld[5] = {0};
    char *p = tab + 1;
    for (int i = 0; i < 5 && p; i++) {
      fld[i] = p;
      p = strchr(p, '\t');
      if (p) *p++ = 0;
    }
    if (!fld[3]) continue;
    snprintf(path, sizeof path, "%s/%s.col", dir, name);
    if (access(path, R_OK) != 0) continue;
    prism_graph *g = NULL;
    prism_diag diag;
    memset(&diag, 0, sizeof diag);
    if (prism_graph_read_file(path, PRISM_FORMAT_DIMACS, &g, &diag) != 0) {
      fprintf(stderr, "dsatur_bench: %s\n", diag.error);
      return 1;
    }
    uint32_t *colors = malloc((size_t)g->n * sizeof *colors);
    double t0 = bench_now();
    uint32_t k = prism_dsatur(g, colors);
    double t1 = bench_now();
    uint32_t lb = prism_clique_lower_bound(g, 1, effort, NULL);
    double t2 = bench_now();
    if (prism_verify(g, colors, k, NULL, 0) != 0) {
      fprintf(stderr, "dsatur_bench: %s: improper coloring\n", name);
      return 1;
    }
    unsigned best = (unsigned)strtoul(fld[3], NULL, 10);
    printf("| %s | %u | %llu | %u | %u | %u | %.2f | %.2f |\n", name, g->n,
           (unsigned long long)g->m, lb, k, best, (t1 - t0) * 1e3, (t2 - t1) * 1e3);
    rows++;
    at_best += k == best;
    lb_tight += lb == best;
    t_dsatur += t1 - t0;
    t_clique += t2 - t1;
    free(colors);
    prism_graph_free(g);
  }
  fclose(f);
  printf("\n%d instances; DSATUR reaches the best known on %d, the clique bound "
         "equals it on %d; total DSATUR %.1f ms, clique %.1f ms (effort %llu).\n",
         rows, at_best, lb_tight, t_dsatur * 1e3, t_clique * 1e3, effort);
  return 0;
}
