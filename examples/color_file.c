/* color_file.c - color a graph file with libprism.
 *
 *   cc color_file.c $(pkg-config --cflags --libs prism) -o color_file
 *   ./color_file GRAPH [SECONDS]
 *
 * Prints the status, the number of colors and the coloring as a 'v' line
 * (colors 1..k of vertices 1..n, what `prism verify` reads), after checking
 * every edge itself. Exit 0 on a proper coloring, 1 otherwise. */
#include <prism.h>
#include <stdio.h>
#include <stdlib.h>

/* Number of edges whose ends share a color (each edge seen from both ends). */
static unsigned long long conflicts(const prism_ctx *p, const uint32_t *colors) {
  unsigned long long bad = 0;
  for (uint32_t v = 0; v < prism_num_vertices(p); v++) {
    uint32_t deg;
    const uint32_t *nb = prism_neighbors(p, v, &deg);
    for (uint32_t i = 0; i < deg; i++) bad += nb[i] > v && colors[nb[i]] == colors[v];
  }
  return bad;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s GRAPH [SECONDS]\n", argv[0]);
    return 1;
  }
  prism_ctx *p = prism_new();
  if (!p) return 1;
  int rc = 1;
  if (prism_load_file(p, argv[1], NULL) ||
      prism_set_option(p, "time_limit", argc > 2 ? argv[2] : "10") || prism_run(p)) {
    fprintf(stderr, "color_file: error: %s\n", prism_error(p));
    goto done;
  }
  printf("c libprism %s, %u vertices, %llu edges, %.3f s\n", prism_version(),
         prism_num_vertices(p), (unsigned long long)prism_num_edges(p),
         prism_result_seconds(p));
  printf("s %s\n", prism_status_name(prism_result_status(p)));
  const uint32_t *colors = prism_result_colors(p);
  if (!colors) goto done;
  const uint32_t k = prism_result_k(p);
  unsigned long long bad = conflicts(p, colors);
  for (uint32_t v = 0; v < prism_num_vertices(p); v++)
    if (colors[v] >= k) bad++;
  printf("k %u (lower bound %u), %s\n", k, prism_result_lower_bound(p),
         bad ? "NOT PROPER" : "proper");
  printf("v");
  for (uint32_t v = 0; v < prism_num_vertices(p); v++) printf(" %u", colors[v] + 1);
  printf("\n");
  rc = bad ? 1 : 0;
done:
  prism_free(p);
  return rc;
}
