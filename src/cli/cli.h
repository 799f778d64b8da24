/* cli.h - subcommands of the prism command that live in their own files. */
#ifndef PRISM_CLI_CLI_H
#define PRISM_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "engine/solve.h"
#include "graph/graph.h"

/* prism train GRAPH... --qtable FILE --episodes N --time-limit S */
int prism_cli_train(int argc, char **argv);

/* report.c: prism report RUN.jsonl -o FILE */
int prism_cli_report(int argc, char **argv);
/* prism color --report without --telemetry: a temporary telemetry file
 * (path receives its name; 0, or -1 after an error line). */
int prism_cli_report_temp(char *path, size_t cap);
/* prism color --report FILE: the report of the solve r; 0, or -1 after an
 * error line. */
int prism_cli_report_write(const char *html, const char *telemetry, const char *graph,
                           const prism_graph *g, uint64_t seed, const prism_solve_result *r);
/* prism devices [--mib N]: the CUDA device matrix */
int prism_cli_devices(int argc, char **argv);

#endif
