/* binfile.c - see binfile.h. */
#include "control/binfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/check.h"

int prism_binfile_fail(char *err, unsigned err_len, const char *path, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(err, err_len, "%s: %s", path, msg);
  return -1;
}

int prism_binfile_read(const char *path, size_t limit, const char *what, unsigned char **out,
                       size_t *out_size, char *err, unsigned err_len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errno == ENOENT) return 1;
    return prism_binfile_fail(err, err_len, path, "cannot open: %s", strerror(errno));
  }
  size_t cap = 1 << 16, size = 0;
  unsigned char *p = PRISM_MALLOC(cap);
  for (;;) {
    if (size == cap) {
      if (cap >= limit) break;
      cap *= 2;
      p = PRISM_REALLOC(p, cap);
    }
    size_t got = fread(p + size, 1, cap - size, f);
    size += got;
    if (got == 0) break;
  }
  const int rerr = ferror(f);
  fclose(f);
  int rc = 0;
  if (rerr) rc = prism_binfile_fail(err, err_len, path, "read error");
  else if (size >= limit) rc = prism_binfile_fail(err, err_len, path, "too large for a %s", what);
  if (rc) {
    free(p);
    return rc;
  }
  *out = p;
  *out_size = size;
  return 0;
}

int prism_binfile_write(const char *path, const void *buf, size_t len, char *err,
                        unsigned err_len) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
    return prism_binfile_fail(err, err_len, path, "path too long");
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return prism_binfile_fail(err, err_len, path, "cannot write '%s': %s", tmp, strerror(errno));
  const unsigned char *b = buf;
  size_t off = 0;
  int e = 0;
  while (off < len) {
    ssize_t w = write(fd, b + off, len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      e = errno;
      break;
    }
    off += (size_t)w;
  }
  if (!e && fsync(fd)) e = errno;
  if (close(fd) && !e) e = errno;
  if (!e && rename(tmp, path)) e = errno;
  if (e) {
    unlink(tmp);
    return prism_binfile_fail(err, err_len, path, "cannot save: %s", strerror(e));
  }
  return 0;
}
