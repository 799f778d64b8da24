/* qtable.h - the FluxNet Q-table and its file format (docs/fluxnet.md).
 *
 * File, all integers and doubles little-endian:
 *
 *   header  magic "\x89PQT\r\n\x1a\n" (8 bytes)
 *           u32 version (1)
 *           u32 n_states, u32 n_actions
 *           u32 layout_len, layout_len bytes of layout text (the state
 *               features with their bucket counts and the action names)
 *           u32 CRC-32 of every header byte before it
 *   body    f64 epsilon, u64 steps, u64 episodes
 *           f64 q[n_states * n_actions]      (row-major: state, then action)
 *           u32 visits[n_states * n_actions]
 *           u32 CRC-32 of every body byte before it
 *
 * Load checks, in order: size, magic, version, header CRC, total size
 * (truncated / trailing bytes), body CRC, the layout (n_states, n_actions and
 * the layout text must equal what this build expects), finite values. Save
 * writes FILE.tmp, flushes and fsyncs it, then renames it over FILE, so FILE
 * is always either the old or the new complete table. */
#ifndef PRISM_CONTROL_QTABLE_H
#define PRISM_CONTROL_QTABLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PRISM_QTABLE_VERSION 1u
#define PRISM_QTABLE_MAGIC "\x89PQT\r\n\x1a\n"
#define PRISM_QTABLE_MAX_LAYOUT 4096u

typedef struct prism_qtable {
  uint32_t n_states, n_actions;
  char layout[PRISM_QTABLE_MAX_LAYOUT];
  double epsilon;   /* exploration rate reached so far */
  uint64_t steps;   /* TD updates applied over the table's life */
  uint64_t episodes; /* solves (episodes) that used the table */
  double *q;        /* n_states * n_actions */
  uint32_t *visits; /* updates per (state, action) */
} prism_qtable;

/* A zeroed table of the given layout (epsilon set by the caller). */
void prism_qtable_init(prism_qtable *t, uint32_t n_states, uint32_t n_actions,
                       const char *layout);
void prism_qtable_free(prism_qtable *t);

/* Load FILE into t, which must be initialised with the expected layout; on
 * success t's values are replaced. Returns 0; 1 when the file does not exist
 * (t unchanged, no error); -1 with "FILE: reason" in err otherwise (t
 * unchanged). */
int prism_qtable_load(prism_qtable *t, const char *path, char *err, unsigned err_len);

/* Save atomically (FILE.tmp, fsync, rename). 0, or -1 with err. */
int prism_qtable_save(const prism_qtable *t, const char *path, char *err, unsigned err_len);

/* Merge src into dst (same layout): per (state, action) the visit-weighted
 * mean of the two Q values, visits, steps and episodes added, the smaller
 * epsilon. For tables learned in parallel from the same start. Returns 0, or
 * -1 when the layouts differ. */
int prism_qtable_merge(prism_qtable *dst, const prism_qtable *src);

/* Serialise into a malloc'd buffer (for tests); returns its size. */
size_t prism_qtable_serialize(const prism_qtable *t, unsigned char **out);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32). */
uint32_t prism_crc32(const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
