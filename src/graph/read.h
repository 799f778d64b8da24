/* read.h - graph readers: DIMACS .col, METIS .graph, Matrix Market .mtx and
 * plain edge lists. Errors come back as one line "FILE:LINE: what"; the
 * readers never exit, never crash and never return a partial graph. */
#ifndef PRISM_GRAPH_READ_H
#define PRISM_GRAPH_READ_H

#include <stddef.h>

#include "graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum prism_format {
  PRISM_FORMAT_AUTO = 0, /* by file extension; DIMACS when unknown */
  PRISM_FORMAT_DIMACS,
  PRISM_FORMAT_METIS,
  PRISM_FORMAT_MTX,
  PRISM_FORMAT_EDGELIST
} prism_format;

#define PRISM_DIAG_MSG 512
#define PRISM_DIAG_MAX_WARNINGS 8

/* Diagnostics of one read: the error (when the read failed) and warnings
 * (accepted irregularities, e.g. duplicate edges or a wrong header count). */
typedef struct prism_diag {
  char error[PRISM_DIAG_MSG];
  unsigned n_warnings; /* total warnings raised (may exceed the stored ones) */
  char warnings[PRISM_DIAG_MAX_WARNINGS][PRISM_DIAG_MSG];
} prism_diag;

/* "dimacs", "metis", "mtx", "edgelist", "auto" -> format; -1 if unknown. */
int prism_format_parse(const char *name);
const char *prism_format_name(prism_format f);
/* Format implied by a path's extension (.col .dimacs .graph .metis .mtx
 * .edges .el .txt); PRISM_FORMAT_DIMACS when nothing matches. */
prism_format prism_format_guess(const char *path);

/* Read a graph from a file ("-" is stdin). Returns 0 and sets *out on
 * success; returns -1 and fills diag->error on failure (*out untouched). */
int prism_graph_read_file(const char *path, prism_format fmt, prism_graph **out,
                          prism_diag *diag);

/* Read from memory; `name` is used in messages. Same contract as above. */
int prism_graph_read_buffer(const char *buf, size_t len, const char *name,
                            prism_format fmt, prism_graph **out,
                            prism_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
