/* read.c - format names, whole-file reading, and the shared line/token
 * reader used by the four parsers (see read_internal.h). */
#include "graph/read.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "graph/read_internal.h"
#include "util/check.h"

/* ---- formats ------------------------------------------------------------ */

static const char *const format_names[] = {"auto", "dimacs", "metis", "mtx", "edgelist"};

int prism_format_parse(const char *name) {
  if (!name) return -1;
  for (int f = 0; f <= PRISM_FORMAT_EDGELIST; f++)
    if (!strcasecmp(name, format_names[f])) return f;
  /* A few obvious aliases. */
  if (!strcasecmp(name, "col")) return PRISM_FORMAT_DIMACS;
  if (!strcasecmp(name, "graph")) return PRISM_FORMAT_METIS;
  if (!strcasecmp(name, "matrixmarket")) return PRISM_FORMAT_MTX;
  if (!strcasecmp(name, "edges") || !strcasecmp(name, "el")) return PRISM_FORMAT_EDGELIST;
  return -1;
}

const char *prism_format_name(prism_format f) {
  if ((int)f < 0 || f > PRISM_FORMAT_EDGELIST) return "unknown";
  return format_names[f];
}

/* Format implied by the extension, or PRISM_FORMAT_AUTO when none. */
static prism_format format_by_extension(const char *path) {
  static const struct {
    const char *ext;
    prism_format f;
  } table[] = {{"col", PRISM_FORMAT_DIMACS},       {"dimacs", PRISM_FORMAT_DIMACS},
               {"graph", PRISM_FORMAT_METIS},      {"metis", PRISM_FORMAT_METIS},
               {"mtx", PRISM_FORMAT_MTX},          {"edges", PRISM_FORMAT_EDGELIST},
               {"el", PRISM_FORMAT_EDGELIST},      {"txt", PRISM_FORMAT_EDGELIST},
               {"edgelist", PRISM_FORMAT_EDGELIST}};
  if (!path) return PRISM_FORMAT_AUTO;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  if (!dot || dot == base) return PRISM_FORMAT_AUTO; /* none, or ".hidden" */
  for (size_t i = 0; i < sizeof table / sizeof *table; i++)
    if (!strcasecmp(dot + 1, table[i].ext)) return table[i].f;
  return PRISM_FORMAT_AUTO;
}

prism_format prism_format_guess(const char *path) {
  prism_format f = format_by_extension(path);
  return f == PRISM_FORMAT_AUTO ? PRISM_FORMAT_DIMACS : f;
}

/* ---- messages ----------------------------------------------------------- */

static void vformat_at(prism_reader *r, char *dst, uint64_t line, const char *fmt,
                       va_list ap) {
  int k =
      line ? snprintf(dst, PRISM_DIAG_MSG, "%s:%llu: ", r->name, (unsigned long long)line)
           : snprintf(dst, PRISM_DIAG_MSG, "%s: ", r->name);
  if (k < 0) k = 0;
  if (k < PRISM_DIAG_MSG) vsnprintf(dst + k, PRISM_DIAG_MSG - (size_t)k, fmt, ap);
}

int prism_reader_error(prism_reader *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat_at(r, r->diag->error, r->line, fmt, ap);
  va_end(ap);
  return -1;
}

int prism_reader_error_at(prism_reader *r, uint64_t line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat_at(r, r->diag->error, line, fmt, ap);
  va_end(ap);
  return -1;
}

void prism_reader_warn(prism_reader *r, const char *fmt, ...) {
  prism_diag *d = r->diag;
  if (d->n_warnings < PRISM_DIAG_MAX_WARNINGS) {
    char *dst = d->warnings[d->n_warnings];
    int k = snprintf(dst, PRISM_DIAG_MSG, "%s: ", r->name);
    if (k < 0) k = 0;
    va_list ap;
    va_start(ap, fmt);
    if (k < PRISM_DIAG_MSG) vsnprintf(dst + k, PRISM_DIAG_MSG - (size_t)k, fmt, ap);
    va_end(ap);
  }
  d->n_warnings++;
}

const char *prism_reader_quote(const char *s, size_t n, char *dst, size_t cap) {
  static const char hex[] = "0123456789abcdef";
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (k + 8 >= cap) { /* room for "\xNN" or "..." and the NUL */
      memcpy(dst + k, "...", 3);
      k += 3;
      break;
    }
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      dst[k++] = (char)c;
    } else {
      dst[k++] = '\\';
      dst[k++] = 'x';
      dst[k++] = hex[c >> 4];
      dst[k++] = hex[c & 15];
    }
  }
  dst[k] = 0;
  return dst;
}

/* ---- lines and tokens --------------------------------------------------- */

static int is_sep(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int prism_reader_next_line(prism_reader *r) {
  if (r->next >= r->len) {
    r->cur = r->end = r->len;
    return 0;
  }
  const char *nl = memchr(r->buf + r->next, '\n', r->len - r->next);
  r->cur = r->next;
  r->end = nl ? (size_t)(nl - r->buf) : r->len;
  r->next = nl ? r->end + 1 : r->len;
  r->line++;
  return 1;
}

int prism_reader_at_eol(prism_reader *r) {
  while (r->cur < r->end && is_sep(r->buf[r->cur])) r->cur++;
  return r->cur == r->end;
}

int prism_reader_peek(prism_reader *r) {
  return prism_reader_at_eol(r) ? -1 : (unsigned char)r->buf[r->cur];
}

int prism_reader_word(prism_reader *r, const char **s, size_t *n) {
  if (prism_reader_at_eol(r)) return 0;
  size_t b = r->cur;
  while (r->cur < r->end && !is_sep(r->buf[r->cur])) r->cur++;
  *s = r->buf + b;
  *n = r->cur - b;
  return 1;
}

/* First byte of a token that is not printable ASCII, or -1. */
static int binary_byte(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c >= 0x7f) return c;
  }
  return -1;
}

static int bad_token(prism_reader *r, const char *s, size_t n, const char *what,
                     const char *expected) {
  char q[80];
  int b = binary_byte(s, n);
  if (b >= 0)
    return prism_reader_error(r, "binary data (byte 0x%02x) in %s", (unsigned)b, what);
  return prism_reader_error(r, "bad %s '%s': expected %s", what,
                            prism_reader_quote(s, n, q, sizeof q), expected);
}

int prism_reader_u64(prism_reader *r, uint64_t *out, const char *what) {
  const char *s;
  size_t n;
  char q[80];
  if (!prism_reader_word(r, &s, &n))
    return prism_reader_error(r, "truncated line: missing %s", what);
  if (s[0] == '-' && n > 1 && s[1] >= '0' && s[1] <= '9')
    return prism_reader_error(r, "negative %s '%s'", what,
                              prism_reader_quote(s, n, q, sizeof q));
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned d = (unsigned)(unsigned char)s[i] - '0';
    if (d > 9) return bad_token(r, s, n, what, "an unsigned integer");
    if (v > (UINT64_MAX - d) / 10)
      return prism_reader_error(r, "%s '%s' is too large", what,
                                prism_reader_quote(s, n, q, sizeof q));
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

int prism_reader_real(prism_reader *r, const char *what) {
  const char *s;
  size_t n;
  char tok[128];
  if (!prism_reader_word(r, &s, &n))
    return prism_reader_error(r, "truncated line: missing %s", what);
  /* strtod needs a NUL-terminated copy: the buffer has no terminator and the
   * number must not run into the next line. Reject hex floats (a C-ism no
   * graph format uses) and anything strtod does not consume completely. */
  if (n >= sizeof tok) return bad_token(r, s, n, what, "a number");
  memcpy(tok, s, n);
  tok[n] = 0;
  char *endp;
  const char *p = tok + (tok[0] == '-' || tok[0] == '+');
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    return bad_token(r, s, n, what, "a number");
  (void)strtod(tok, &endp);
  if (endp != tok + n) return bad_token(r, s, n, what, "a number");
  return 0;
}

int prism_reader_expect_eol(prism_reader *r) {
  const char *s;
  size_t n;
  char q[80];
  if (!prism_reader_word(r, &s, &n)) return 0;
  int b = binary_byte(s, n);
  if (b >= 0)
    return prism_reader_error(r, "binary data (byte 0x%02x) at end of line", (unsigned)b);
  return prism_reader_error(r, "unexpected extra token '%s' at end of line",
                            prism_reader_quote(s, n, q, sizeof q));
}

/* ---- raw pairs and the final build -------------------------------------- */

/* Hint transparent huge pages for a big buffer (Linux): first-touch page
 * faults are a large part of reading a big graph. Errors are ignored. */
static void huge_hint(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = (uintptr_t)1 << 21;
  if (bytes >= 4 * huge) {
    uintptr_t b = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t e = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (e > b) (void)madvise((void *)b, e - b, MADV_HUGEPAGE);
  }
#else
  (void)p;
  (void)bytes;
#endif
}

int prism_reader_push(prism_reader *r, uint32_t u, uint32_t v) {
  if (r->count == r->cap) {
    if (r->count >= 2 * PRISM_MAX_EDGES)
      return prism_reader_error(r, "too many edges (limit %llu)",
                                (unsigned long long)PRISM_MAX_EDGES);
    uint64_t cap = r->cap ? 2 * r->cap : 4096;
    if (cap > 2 * PRISM_MAX_EDGES) cap = 2 * PRISM_MAX_EDGES;
    r->eu = PRISM_REALLOC(r->eu, (size_t)cap * sizeof *r->eu);
    r->ev = PRISM_REALLOC(r->ev, (size_t)cap * sizeof *r->ev);
    huge_hint(r->eu, (size_t)cap * sizeof *r->eu);
    huge_hint(r->ev, (size_t)cap * sizeof *r->ev);
    r->cap = cap;
  }
  r->eu[r->count] = u;
  r->ev[r->count] = v;
  r->count++;
  return 0;
}

int prism_reader_build(prism_reader *r, uint32_t n, prism_build_stats *st,
                       prism_graph **out) {
  prism_graph *g = prism_graph_build(n, r->eu, r->ev, r->count, st);
  if (!g)
    return prism_reader_error_at(r, 0, "graph too large (more than %llu edges)",
                                 (unsigned long long)PRISM_MAX_EDGES);
  *out = g;
  return 0;
}

void prism_reader_warn_dropped(prism_reader *r, const prism_build_stats *st,
                               const prism_graph *g, const char *lines) {
  if (st->self_loops)
    prism_reader_warn(r, "dropped %llu self-loop%s", (unsigned long long)st->self_loops,
                      st->self_loops == 1 ? "" : "s");
  if (!st->duplicates) return;
  /* Tell a file that lists every edge exactly once each way (a common DIMACS
   * habit) from one with stray repeats. */
  uint64_t fwd = 0, bwd = 0;
  for (uint64_t i = 0; i < r->count; i++) {
    fwd += r->eu[i] < r->ev[i];
    bwd += r->eu[i] > r->ev[i];
  }
  if (st->duplicates == g->m && fwd == g->m && bwd == g->m)
    prism_reader_warn(r,
                      "every edge is listed in both directions: dropped %llu "
                      "reverse %s, %llu edges remain",
                      (unsigned long long)st->duplicates, lines,
                      (unsigned long long)g->m);
  else
    prism_reader_warn(r,
                      "dropped %llu duplicate edge%s (repeated %s, in either "
                      "direction), %llu edges remain",
                      (unsigned long long)st->duplicates, st->duplicates == 1 ? "" : "s",
                      lines, (unsigned long long)g->m);
}

/* ---- entry points ------------------------------------------------------- */

int prism_graph_read_buffer(const char *buf, size_t len, const char *name,
                            prism_format fmt, prism_graph **out, prism_diag *diag) {
  prism_diag scratch;
  if (!diag) diag = &scratch;
  diag->error[0] = 0;
  diag->n_warnings = 0;
  for (int i = 0; i < PRISM_DIAG_MAX_WARNINGS; i++) diag->warnings[i][0] = 0;

  prism_reader r;
  memset(&r, 0, sizeof r);
  r.name = !name ? "<buffer>" : !strcmp(name, "-") ? "<stdin>" : name;
  r.diag = diag;
  r.buf = buf ? buf : "";
  r.len = buf ? len : 0;

  if (!out) return prism_reader_error_at(&r, 0, "no output graph given");
  if (fmt == PRISM_FORMAT_AUTO) {
    fmt = format_by_extension(name);
    if (fmt == PRISM_FORMAT_AUTO)
      fmt = r.len >= 14 && !memcmp(r.buf, "%%MatrixMarket", 14) ? PRISM_FORMAT_MTX
                                                                : PRISM_FORMAT_DIMACS;
  }
  if ((int)fmt < PRISM_FORMAT_DIMACS || fmt > PRISM_FORMAT_EDGELIST)
    return prism_reader_error_at(&r, 0, "unknown input format %d", (int)fmt);

  if (r.len == 0) return prism_reader_error_at(&r, 0, "empty file");
  /* NUL bytes mean binary data; no text format allows them anywhere, and
   * checking once here keeps them out of comments too. */
  const char *nul = memchr(r.buf, 0, r.len);
  if (nul) {
    uint64_t line = 1;
    for (const char *p = r.buf; p < nul; p++) line += *p == '\n';
    return prism_reader_error_at(&r, line, "binary data (NUL byte) in a text file");
  }
  /* A UTF-8 byte order mark (some Windows editors) is not content. */
  if (r.len >= 3 && !memcmp(r.buf, "\xef\xbb\xbf", 3)) r.next = 3;

  prism_graph *g = NULL;
  int rc;
  switch (fmt) {
    case PRISM_FORMAT_METIS:
      rc = prism_read_metis(&r, &g);
      break;
    case PRISM_FORMAT_MTX:
      rc = prism_read_mtx(&r, &g);
      break;
    case PRISM_FORMAT_EDGELIST:
      rc = prism_read_edgelist(&r, &g);
      break;
    default:
      rc = prism_read_dimacs(&r, &g);
      break;
  }
  free(r.eu);
  free(r.ev);
  if (rc != 0) {
    prism_graph_free(g);
    if (!diag->error[0]) prism_reader_error_at(&r, 0, "read failed");
    return -1;
  }
  *out = g;
  return 0;
}

/* Largest input accepted: far more than any real graph file of the limits
 * above, small enough that size arithmetic cannot overflow. */
#define MAX_FILE_BYTES ((size_t)1 << 40)

int prism_graph_read_file(const char *path, prism_format fmt, prism_graph **out,
                          prism_diag *diag) {
  prism_diag scratch;
  if (!diag) diag = &scratch;
  diag->error[0] = 0;
  diag->n_warnings = 0;
  if (!path) {
    snprintf(diag->error, sizeof diag->error, "<null>: cannot open: no path");
    return -1;
  }
  int is_stdin = !strcmp(path, "-");
  const char *name = is_stdin ? "<stdin>" : path;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    snprintf(diag->error, sizeof diag->error, "%s: cannot open: %s", name,
             strerror(errno));
    return -1;
  }
  /* Read everything; the size from fstat is only a first guess (pipes and
   * growing files report something else). The buffer uses plain malloc so
   * that a file too large for memory is an error, not an exit. */
  size_t cap = 1 << 16, len = 0;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    if ((unsigned long long)st.st_size >= MAX_FILE_BYTES) {
      if (!is_stdin) fclose(f);
      snprintf(diag->error, sizeof diag->error, "%s: file too large (%lld bytes)", name,
               (long long)st.st_size);
      return -1;
    }
    cap = (size_t)st.st_size + 1;
  }
  char *buf = malloc(cap);
  if (buf) huge_hint(buf, cap);
  int err = 0;
  const char *why = NULL;
  if (!buf) why = "out of memory";
  while (buf) {
    if (len == cap) {
      if (cap >= MAX_FILE_BYTES) {
        why = "file too large";
        break;
      }
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        why = "out of memory";
        break;
      }
      buf = nb;
      cap *= 2;
      huge_hint(buf, cap);
    }
    size_t k = fread(buf + len, 1, cap - len, f);
    len += k;
    if (k == 0) {
      if (ferror(f)) {
        err = errno ? errno : EIO;
        why = strerror(err);
      }
      break;
    }
  }
  if (is_stdin)
    clearerr(f);
  else
    fclose(f);
  if (why) {
    free(buf);
    snprintf(diag->error, sizeof diag->error, "%s: read error: %s", name, why);
    return -1;
  }
  /* AUTO goes by the path's extension, so pass the path, not "<stdin>". */
  int rc = prism_graph_read_buffer(buf, len, is_stdin ? "-" : path, fmt, out, diag);
  free(buf);
  return rc;
}
