/* check.c - fail-fast helpers. */
#include "util/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void prism_die_at(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  fflush(stdout);
  fprintf(stderr, "prism: %s:%d: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

void *prism_malloc_at(size_t bytes, const char *file, int line) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) prism_die_at(file, line, "out of memory allocating %zu bytes", bytes);
  return p;
}

void *prism_calloc_at(size_t count, size_t size, const char *file, int line) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p)
    prism_die_at(file, line, "out of memory allocating %zu x %zu bytes", count,
                 size);
  return p;
}

void *prism_realloc_at(void *old, size_t bytes, const char *file, int line) {
  void *p = realloc(old, bytes ? bytes : 1);
  if (!p) prism_die_at(file, line, "out of memory reallocating %zu bytes", bytes);
  return p;
}
