/* binfile.h - reading and saving the controllers' checked binary files (the
 * Q-table, the world model): one error line "PATH: what", a size limit on
 * reading, and saving through PATH.tmp, fsync and rename. */
#ifndef PRISM_CONTROL_BINFILE_H
#define PRISM_CONTROL_BINFILE_H

#include <stddef.h>

/* "path: message" into err; returns -1. */
int prism_binfile_fail(char *err, unsigned err_len, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The whole file into *p (*size bytes; the caller frees *p). Returns 0; 1
 * when the file does not exist; -1 with err when it cannot be read or holds
 * limit bytes or more ("too large for a WHAT"). */
int prism_binfile_read(const char *path, size_t limit, const char *what, unsigned char **p,
                       size_t *size, char *err, unsigned err_len);

/* buf[0..len) to path, whole or not at all. 0, or -1 with err. */
int prism_binfile_write(const char *path, const void *buf, size_t len, char *err,
                        unsigned err_len);

#endif
