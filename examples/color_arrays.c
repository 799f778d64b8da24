/* color_arrays.c - color a graph given as arrays, with callbacks.
 *
 *   cc color_arrays.c $(pkg-config --cflags --libs prism) -o color_arrays
 *   ./color_arrays DIMACS.col
 *
 * Reads the 'p' and 'e U V' lines of a DIMACS file into an edge array (your
 * program would have its own), hands the array to libprism, prints each
 * improved coloring (libprism has verified it; we check it against our own
 * array again) and a progress line every 100 batches, stops the search from
 * the progress callback after 300 batches, and prints the final coloring
 * as a 'v' line (colors 1..k, what `prism verify` reads). */
#include <prism.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct graph {
  uint32_t n;
  uint64_t m;
  uint32_t *edges; /* 2*m endpoints, 0-based */
} graph;

static int read_dimacs(const char *path, graph *g) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[256];
  unsigned long u, v, cap = 0;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "p edge %lu %lu", &u, &v) == 2 || sscanf(line, "p col %lu %lu", &u, &v) == 2) {
      g->n = (uint32_t)u;
      cap = v ? v : 1;
      g->edges = malloc(2 * cap * sizeof *g->edges);
    } else if (sscanf(line, "e %lu %lu", &u, &v) == 2 && g->edges && g->m < cap &&
               u >= 1 && v >= 1 && u <= g->n && v <= g->n) {
      g->edges[2 * g->m] = (uint32_t)(u - 1);
      g->edges[2 * g->m + 1] = (uint32_t)(v - 1);
      g->m++;
    }
  }
  fclose(f);
  return g->edges ? 0 : -1;
}

static uint64_t conflicts(const graph *g, const uint32_t *colors) {
  uint64_t bad = 0;
  for (uint64_t i = 0; i < g->m; i++) bad += colors[g->edges[2 * i]] == colors[g->edges[2 * i + 1]];
  return bad;
}

static void on_improve(void *user, uint32_t k, const uint32_t *colors, uint32_t n,
                       double seconds) {
  const graph *g = user;
  printf("o %u colors at %.3f s: %s\n", k, seconds,
         n == g->n && conflicts(g, colors) == 0 ? "proper" : "NOT PROPER");
}

static int on_progress(void *user, const prism_progress *p) {
  (void)user;
  if (p->batches % 100 == 0)
    printf("c batch %llu: searching %u colors, %u conflicts, best %u, bound %u\n",
           (unsigned long long)p->batches, p->k, p->conflicts, p->best_k, p->lower_bound);
  return p->batches >= 300; /* nonzero: stop here */
}

int main(int argc, char **argv) {
  graph g = {0, 0, NULL};
  if (argc != 2 || read_dimacs(argv[1], &g)) {
    fprintf(stderr, "usage: %s DIMACS.col (a readable file)\n", argv[0]);
    return 1;
  }
  prism_ctx *p = prism_new();
  int rc = 1;
  prism_on_improve(p, on_improve, &g);
  prism_on_progress(p, on_progress, NULL);
  if (prism_load_edges(p, g.n, g.edges, g.m) || prism_set_param(p, "time_limit", 10) ||
      prism_set_param(p, "seed", 7) || prism_run(p)) {
    fprintf(stderr, "color_arrays: error: %s\n", prism_error(p));
  } else if (prism_result_colors(p)) {
    const uint32_t *colors = prism_result_colors(p);
    uint64_t bad = conflicts(&g, colors);
    printf("s %s\nk %u, %s\nv", prism_status_name(prism_result_status(p)), prism_result_k(p),
           bad ? "NOT PROPER" : "proper");
    for (uint32_t v = 0; v < g.n; v++) printf(" %u", colors[v] + 1);
    printf("\n");
    rc = bad ? 1 : 0;
  }
  prism_free(p);
  free(g.edges);
  return rc;
}
