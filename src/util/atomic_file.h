/* atomic_file.h - files written whole or not at all: the content goes to a
 * temporary file in the same directory (FILE.PID.tmp), which is flushed,
 * fsynced and renamed over FILE; a reader never sees half a file, and a
 * crash leaves the old FILE (or none) in place. */
#ifndef PRISM_UTIL_ATOMIC_FILE_H
#define PRISM_UTIL_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prism_atomic_file {
  FILE *f;         /* write the content here */
  char tmp[4096];  /* the temporary file's path */
  const char *path;
} prism_atomic_file;

/* Open the temporary file for path. 0, or -1 with errno set. */
int prism_atomic_open(prism_atomic_file *a, const char *path);

/* Flush, fsync, close and rename over the path (and fsync the directory).
 * 0, or -1 with errno set; on failure the temporary file is removed and the
 * old file is left as it was. */
int prism_atomic_commit(prism_atomic_file *a);

/* Give up: close and remove the temporary file. */
void prism_atomic_abort(prism_atomic_file *a);

/* The whole buffer to path atomically. 0, or -1 with errno set. */
int prism_atomic_write(const char *path, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
