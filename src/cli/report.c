/* report.c - prism report RUN.jsonl -o FILE, and the files behind prism
 * color --report FILE (src/report/ writes the page). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/report.h"

int prism_cli_report_temp(char *path, size_t cap) {
  const char *dir = getenv("TMPDIR");
  snprintf(path, cap, "%s/prism-telemetry-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0) {
    fprintf(stderr, "prism: error: %s: cannot create a temporary telemetry file: %s\n", path,
            strerror(errno));
    path[0] = 0;
    return -1;
  }
  close(fd);
  return 0;
}

int prism_cli_report_write(const char *html, const char *telemetry, const char *graph,
                           const prism_graph *g, uint64_t seed, const prism_solve_result *r) {
  static const char *const status[] = {"UNKNOWN", "SATISFIABLE", "OPTIMUM FOUND",
                                       "UNSATISFIABLE"};
  prism_report_summary s = {graph,          g->n,        g->m,       seed,     r->best_k,
                            r->lower_bound, r->dsatur_k, r->seconds, r->moves, r->batches,
                            status[r->status]};
  char err[512];
  if (prism_report_write(telemetry, html, &s, err, sizeof err)) {
    fprintf(stderr, "prism: error: %s\n", err);
    return -1;
  }
  return 0;
}

int prism_cli_report(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *out = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
    if (c == 'o') out = optarg;
    else if (c == 'h') {
      puts("usage: prism report RUN.jsonl -o report.html\n"
           "One self-contained HTML file (inline SVG charts, no network) from a telemetry\n"
           "file written by 'prism color --telemetry RUN.jsonl'.");
      return 0;
    } else return 1;
  }
  if (optind != argc - 1 || !out) {
    fprintf(stderr, "prism: error: report needs RUN.jsonl and -o FILE\n");
    return 1;
  }
  char err[512];
  if (prism_report_write(argv[optind], out, NULL, err, sizeof err)) {
    fprintf(stderr, "prism: error: %s\n", err);
    return 1;
  }
  return 0;
}
