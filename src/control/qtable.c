/* qtable.c - FluxNet Q-table storage and its checked file format (see
 * qtable.h for the layout of the bytes). */
#include "control/qtable.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/binfile.h"
#include "util/check.h"
#include "util/lebuf.h"

#define MAGIC_LEN 8u
#define MAX_CELLS (1u << 24) /* n_states * n_actions that a file may claim */

/* ------------------------------------------------------------------ CRC */

uint32_t prism_crc32(const void *data, size_t len) {
  static uint32_t table[256];
  static int ready;
  if (!ready) {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int j = 0; j < 8; j++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    ready = 1;
  }
  const unsigned char *p = data;
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < len; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

/* ------------------------------------------------------------ the table */

void prism_qtable_init(prism_qtable *t, uint32_t n_states, uint32_t n_actions,
                       const char *layout) {
  memset(t, 0, sizeof *t);
  t->n_states = n_states;
  t->n_actions = n_actions;
  snprintf(t->layout, sizeof t->layout, "%s", layout);
  size_t cells = (size_t)n_states * n_actions;
  t->q = PRISM_CALLOC(cells ? cells : 1, sizeof *t->q);
  t->visits = PRISM_CALLOC(cells ? cells : 1, sizeof *t->visits);
}

void prism_qtable_free(prism_qtable *t) {
  free(t->q);
  free(t->visits);
  t->q = NULL;
  t->visits = NULL;
}

int prism_qtable_merge(prism_qtable *dst, const prism_qtable *src) {
  if (dst->n_states != src->n_states || dst->n_actions != src->n_actions ||
      strcmp(dst->layout, src->layout))
    return -1;
  size_t cells = (size_t)dst->n_states * dst->n_actions;
  for (size_t i = 0; i < cells; i++) {
    double vd = dst->visits[i], vs = src->visits[i];
    if (vd + vs > 0) dst->q[i] = (vd * dst->q[i] + vs * src->q[i]) / (vd + vs);
    uint64_t v = (uint64_t)dst->visits[i] + src->visits[i];
    dst->visits[i] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
  }
  if (src->epsilon < dst->epsilon) dst->epsilon = src->epsilon;
  dst->steps += src->steps;
  dst->episodes += src->episodes;
  return 0;
}

size_t prism_qtable_serialize(const prism_qtable *t, unsigned char **out) {
  prism_wbuf b = {0};
  uint32_t layout_len = (uint32_t)strlen(t->layout);
  size_t cells = (size_t)t->n_states * t->n_actions;
  prism_put_bytes(&b, PRISM_QTABLE_MAGIC, MAGIC_LEN);
  prism_put_u32(&b, PRISM_QTABLE_VERSION);
  prism_put_u32(&b, t->n_states);
  prism_put_u32(&b, t->n_actions);
  prism_put_u32(&b, layout_len);
  prism_put_bytes(&b, t->layout, layout_len);
  prism_put_u32(&b, prism_crc32(b.p, b.len));
  size_t body = b.len;
  prism_put_f64(&b, t->epsilon);
  prism_put_u64(&b, t->steps);
  prism_put_u64(&b, t->episodes);
  for (size_t i = 0; i < cells; i++) prism_put_f64(&b, t->q[i]);
  for (size_t i = 0; i < cells; i++) prism_put_u32(&b, t->visits[i]);
  prism_put_u32(&b, prism_crc32(b.p + body, b.len - body));
  *out = b.p;
  return b.len;
}

/* ----------------------------------------------------------------- load */

/* Parse and check a whole file image. */
static int parse(prism_qtable *t, const unsigned char *p, size_t size, const char *path,
                 char *err, unsigned err_len) {
  const size_t fixed = MAGIC_LEN + 16;
  if (size < MAGIC_LEN || memcmp(p, PRISM_QTABLE_MAGIC, MAGIC_LEN)) {
    if (size < MAGIC_LEN && !memcmp(p, PRISM_QTABLE_MAGIC, size))
      return prism_binfile_fail(err, err_len, path, "truncated (%zu bytes, not even the magic number)", size);
    return prism_binfile_fail(err, err_len, path, "not a prism Q-table (bad magic number)");
  }
  if (size < fixed) return prism_binfile_fail(err, err_len, path, "truncated (%zu bytes, header cut)", size);
  uint32_t version = prism_get_u32(p + MAGIC_LEN);
  if (version != PRISM_QTABLE_VERSION)
    return prism_binfile_fail(err, err_len, path, "unsupported Q-table version %u (this build reads %u)",
                version, PRISM_QTABLE_VERSION);
  uint32_t ns = prism_get_u32(p + MAGIC_LEN + 4), na = prism_get_u32(p + MAGIC_LEN + 8);
  uint32_t layout_len = prism_get_u32(p + MAGIC_LEN + 12);
  size_t header = fixed + (size_t)(layout_len <= PRISM_QTABLE_MAX_LAYOUT ? layout_len : 0) + 4;
  if (layout_len <= PRISM_QTABLE_MAX_LAYOUT && size < header)
    return prism_binfile_fail(err, err_len, path, "truncated (%zu bytes, header cut)", size);
  if (layout_len > PRISM_QTABLE_MAX_LAYOUT ||
      prism_get_u32(p + header - 4) != prism_crc32(p, header - 4))
    return prism_binfile_fail(err, err_len, path, "checksum mismatch in the header (corrupted file)");
  uint64_t cells = (uint64_t)ns * na;
  if (cells > MAX_CELLS)
    return prism_binfile_fail(err, err_len, path, "layout mismatch (states %u actions %u, expected states %u actions %u)",
                ns, na, t->n_states, t->n_actions);
  size_t expect = header + 8 + 8 + 8 + (size_t)cells * 12 + 4;
  if (size < expect)
    return prism_binfile_fail(err, err_len, path, "truncated (%zu bytes, expected %zu)", size, expect);
  if (size > expect)
    return prism_binfile_fail(err, err_len, path, "trailing bytes (%zu bytes, expected %zu)", size, expect);
  if (prism_get_u32(p + expect - 4) != prism_crc32(p + header, expect - 4 - header))
    return prism_binfile_fail(err, err_len, path, "checksum mismatch (corrupted file)");
  char layout[PRISM_QTABLE_MAX_LAYOUT + 1];
  memcpy(layout, p + fixed, layout_len);
  layout[layout_len] = 0;
  if (ns != t->n_states || na != t->n_actions)
    return prism_binfile_fail(err, err_len, path,
                "layout mismatch (states %u actions %u, expected states %u actions %u)", ns, na,
                t->n_states, t->n_actions);
  if (strcmp(layout, t->layout))
    return prism_binfile_fail(err, err_len, path, "layout mismatch (layout '%s', expected '%s')", layout,
                t->layout);
  const unsigned char *b = p + header;
  double eps = prism_get_f64(b);
  if (!(eps >= 0 && eps <= 1))
    return prism_binfile_fail(err, err_len, path, "corrupt value (epsilon %g outside [0, 1])", eps);
  const unsigned char *qp = b + 24, *vp = qp + (size_t)cells * 8;
  for (size_t i = 0; i < cells; i++)
    if (!isfinite(prism_get_f64(qp + 8 * i)))
      return prism_binfile_fail(err, err_len, path, "corrupt value (Q[%zu] is not finite)", i);
  t->epsilon = eps;
  t->steps = prism_get_u64(b + 8);
  t->episodes = prism_get_u64(b + 16);
  for (size_t i = 0; i < cells; i++) {
    t->q[i] = prism_get_f64(qp + 8 * i);
    t->visits[i] = prism_get_u32(vp + 4 * i);
  }
  return 0;
}

int prism_qtable_load(prism_qtable *t, const char *path, char *err, unsigned err_len) {
  const size_t limit = MAGIC_LEN + 20 + PRISM_QTABLE_MAX_LAYOUT + 28 + (size_t)MAX_CELLS * 12 + 1;
  unsigned char *p;
  size_t size;
  int rc = prism_binfile_read(path, limit, "Q-table", &p, &size, err, err_len);
  if (rc) return rc;
  rc = parse(t, p, size, path, err, err_len);
  free(p);
  return rc;
}

/* ----------------------------------------------------------------- save */

int prism_qtable_save(const prism_qtable *t, const char *path, char *err, unsigned err_len) {
  unsigned char *buf;
  const size_t len = prism_qtable_serialize(t, &buf);
  const int rc = prism_binfile_write(path, buf, len, err, err_len);
  free(buf);
  return rc;
}
