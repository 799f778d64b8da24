/* read_internal.h - the line/token reader shared by the graph parsers
 * (read_dimacs.c, read_metis.c, read_mtx.c, read_edgelist.c). Not public.
 *
 * The reader walks a byte buffer of known length (never NUL-terminated):
 * lines end at '\n'; ' ', '\t', '\r', '\v' and '\f' separate tokens, so CRLF
 * files read like LF files. Every error goes to diag->error as
 * "NAME:LINE: message" (or "NAME: message" when no line applies); every
 * function that can fail returns -1 after setting it. */
#ifndef PRISM_GRAPH_READ_INTERNAL_H
#define PRISM_GRAPH_READ_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "graph/graph.h"
#include "graph/read.h"

typedef struct prism_reader {
  const char *name; /* for messages */
  prism_diag *diag;
  const char *buf;
  size_t len;
  size_t next;       /* first byte of the next line */
  size_t cur, end;   /* cursor and end of the current line */
  uint64_t line;     /* 1-based number of the current line; 0 before any */
  uint32_t *eu, *ev; /* raw 0-based pairs, grown by doubling */
  uint64_t count, cap;
} prism_reader;

/* Advance to the next line; 0 at end of input. */
int prism_reader_next_line(prism_reader *r);
/* Skip separators; 1 if the rest of the current line is empty. */
int prism_reader_at_eol(prism_reader *r);
/* First non-separator byte of the rest of the line, or -1 if none. */
int prism_reader_peek(prism_reader *r);
/* Next token of the line as [*s, *s + *n); 0 if the line has no more. */
int prism_reader_word(prism_reader *r, const char **s, size_t *n);
/* Unsigned decimal integer token with overflow check. `what` names the
 * value in messages ("vertex", "edge count"). */
int prism_reader_u64(prism_reader *r, uint64_t *out, const char *what);
/* Real number token (strtod syntax, confined to the token). */
int prism_reader_real(prism_reader *r, const char *what);
/* Error unless the rest of the line is empty. */
int prism_reader_expect_eol(prism_reader *r);

/* Error with the current line / an explicit line (0: no line). */
int prism_reader_error(prism_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int prism_reader_error_at(prism_reader *r, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Warning (counted always, stored while there is room). */
void prism_reader_warn(prism_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Quote a token for a message: printable ASCII kept, other bytes as \xNN,
 * long tokens cut with "...". */
const char *prism_reader_quote(const char *s, size_t n, char *dst, size_t cap);

/* Append a raw 0-based pair (error when the raw count passes the limit). */
int prism_reader_push(prism_reader *r, uint32_t u, uint32_t v);
/* prism_graph_build on the raw pairs; error when the result is too large. */
int prism_reader_build(prism_reader *r, uint32_t n, prism_build_stats *st,
                       prism_graph **out);

/* Shared duplicate / self-loop warnings for DIMACS and edge lists. */
void prism_reader_warn_dropped(prism_reader *r, const prism_build_stats *st,
                               const prism_graph *g, const char *lines);

int prism_read_dimacs(prism_reader *r, prism_graph **out);
int prism_read_metis(prism_reader *r, prism_graph **out);
int prism_read_mtx(prism_reader *r, prism_graph **out);
int prism_read_edgelist(prism_reader *r, prism_graph **out);

#endif
