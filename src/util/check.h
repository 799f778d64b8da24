/* check.h - fail-fast helpers that carry file and line. */
#ifndef PRISM_UTIL_CHECK_H
#define PRISM_UTIL_CHECK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Print "prism: FILE:LINE: message" to stderr and exit(1). */
void prism_die_at(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

void *prism_malloc_at(size_t bytes, const char *file, int line);
void *prism_calloc_at(size_t count, size_t size, const char *file, int line);
void *prism_realloc_at(void *p, size_t bytes, const char *file, int line);

#ifdef __cplusplus
}
#endif

#define prism_die(...) prism_die_at(__FILE__, __LINE__, __VA_ARGS__)
#define PRISM_MALLOC(bytes) prism_malloc_at((bytes), __FILE__, __LINE__)
#define PRISM_CALLOC(count, size) prism_calloc_at((count), (size), __FILE__, __LINE__)
#define PRISM_REALLOC(p, bytes) prism_realloc_at((p), (bytes), __FILE__, __LINE__)
#define PRISM_ASSERT(cond)                                                     \
  do {                                                                         \
    if (!(cond)) prism_die_at(__FILE__, __LINE__, "assertion failed: %s", #cond); \
  } while (0)

#endif
