/* atomic_file.c - temporary file, fsync, rename (atomic_file.h). */
#include "util/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int prism_atomic_open(prism_atomic_file *a, const char *path) {
  a->f = NULL;
  a->path = path;
  int len = snprintf(a->tmp, sizeof a->tmp, "%s.%ld.tmp", path, (long)getpid());
  if (len < 0 || len >= (int)sizeof a->tmp) {
    errno = ENAMETOOLONG;
    return -1;
  }
  a->f = fopen(a->tmp, "wb");
  return a->f ? 0 : -1;
}

void prism_atomic_abort(prism_atomic_file *a) {
  int e = errno;
  if (a->f) fclose(a->f);
  a->f = NULL;
  unlink(a->tmp);
  errno = e;
}

/* The directory entry of the rename made durable too (best effort). */
static void sync_dir(const char *path) {
  char dir[4096];
  const char *slash = strrchr(path, '/');
  if (!slash)
    strcpy(dir, ".");
  else if (slash == path)
    strcpy(dir, "/");
  else {
    size_t len = (size_t)(slash - path);
    if (len >= sizeof dir) return;
    memcpy(dir, path, len);
    dir[len] = 0;
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  (void)fsync(fd);
  close(fd);
}

int prism_atomic_commit(prism_atomic_file *a) {
  int e = 0;
  if (fflush(a->f) || ferror(a->f)) e = errno ? errno : EIO;
  if (!e && fsync(fileno(a->f))) e = errno;
  if (fclose(a->f) && !e) e = errno ? errno : EIO;
  a->f = NULL;
  if (!e && rename(a->tmp, a->path)) e = errno;
  if (e) {
    unlink(a->tmp);
    errno = e;
    return -1;
  }
  sync_dir(a->path);
  return 0;
}

int prism_atomic_write(const char *path, const void *buf, size_t len) {
  prism_atomic_file a;
  if (prism_atomic_open(&a, path)) return -1;
  if (len && fwrite(buf, 1, len, a.f) != len) {
    if (!errno) errno = EIO;
    prism_atomic_abort(&a);
    return -1;
  }
  return prism_atomic_commit(&a);
}
