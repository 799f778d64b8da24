/* mbrl_model_file.c - the world model's checked file format (the byte layout
 * is in mbrl_model.h; the conventions are those of the Q-table, qtable.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/binfile.h"
#include "control/mbrl_model.h"
#include "control/qtable.h" /* prism_crc32 */
#include "util/check.h"
#include "util/lebuf.h"

#define MAGIC_LEN 8u
#define FIXED (MAGIC_LEN + 24u) /* magic, version, 4 shapes, layout_len */

size_t prism_mbrl_model_serialize(const prism_mbrl_model *md, unsigned char **out) {
  prism_wbuf b = {0};
  const uint32_t layout_len = (uint32_t)strlen(md->layout);
  const size_t all = (size_t)md->members * md->n_params;
  prism_put_bytes(&b, PRISM_MBRL_MODEL_MAGIC, MAGIC_LEN);
  prism_put_u32(&b, PRISM_MBRL_MODEL_VERSION);
  prism_put_u32(&b, md->members);
  prism_put_u32(&b, md->in);
  prism_put_u32(&b, md->hidden);
  prism_put_u32(&b, md->out);
  prism_put_u32(&b, layout_len);
  prism_put_bytes(&b, md->layout, layout_len);
  prism_put_u32(&b, prism_crc32(b.p, b.len));
  const size_t body = b.len;
  prism_put_u64(&b, md->train_steps);
  prism_put_u64(&b, md->adam_t);
  prism_put_f64(&b, md->norm_count);
  for (uint32_t k = 0; k < md->out; k++) prism_put_f64(&b, md->norm_mean[k]);
  for (uint32_t k = 0; k < md->out; k++) prism_put_f64(&b, md->norm_m2[k]);
  for (size_t i = 0; i < all; i++) prism_put_f64(&b, md->w[i]);
  for (size_t i = 0; i < all; i++) prism_put_f64(&b, md->m[i]);
  for (size_t i = 0; i < all; i++) prism_put_f64(&b, md->v[i]);
  prism_put_u32(&b, prism_crc32(b.p + body, b.len - body));
  *out = b.p;
  return b.len;
}

static size_t n_params_of(uint32_t in, uint32_t hidden, uint32_t out) {
  return (size_t)hidden * in + hidden + (size_t)hidden * hidden + hidden + (size_t)out * hidden +
         out;
}

/* Header checks; sets *header (its size) and the shapes. */
static int parse_header(const prism_mbrl_model *md, const unsigned char *p, size_t size,
                        const char *path, char *err, unsigned err_len, size_t *header,
                        uint32_t sh[4]) {
  if (size < MAGIC_LEN || memcmp(p, PRISM_MBRL_MODEL_MAGIC, MAGIC_LEN)) {
    if (size < MAGIC_LEN && !memcmp(p, PRISM_MBRL_MODEL_MAGIC, size))
      return prism_binfile_fail(err, err_len, path, "truncated (%zu bytes, not even the magic number)", size);
    return prism_binfile_fail(err, err_len, path, "not a prism world model (bad magic number)");
  }
  if (size < FIXED) return prism_binfile_fail(err, err_len, path, "truncated (%zu bytes, header cut)", size);
  const uint32_t version = prism_get_u32(p + MAGIC_LEN);
  if (version != PRISM_MBRL_MODEL_VERSION)
    return prism_binfile_fail(err, err_len, path, "unsupported model version %u (this build reads %u)", version,
                PRISM_MBRL_MODEL_VERSION);
  const uint32_t layout_len = prism_get_u32(p + MAGIC_LEN + 20);
  if (layout_len >= PRISM_MBRL_MAX_LAYOUT)
    return prism_binfile_fail(err, err_len, path, "checksum mismatch in the header (corrupted file)");
  *header = FIXED + layout_len + 4;
  if (size < *header) return prism_binfile_fail(err, err_len, path, "truncated (%zu bytes, header cut)", size);
  if (prism_get_u32(p + *header - 4) != prism_crc32(p, *header - 4))
    return prism_binfile_fail(err, err_len, path, "checksum mismatch in the header (corrupted file)");
  for (int i = 0; i < 4; i++) sh[i] = prism_get_u32(p + MAGIC_LEN + 4 + 4 * i);
  if (sh[0] < 1 || sh[0] > PRISM_MBRL_MAX_MEMBERS || sh[2] < 1 ||
      sh[2] > PRISM_MBRL_MAX_HIDDEN || sh[1] != md->in || sh[3] != md->out)
    return prism_binfile_fail(err, err_len, path,
                "shape mismatch (members %u in %u hidden %u out %u; this build: in %u out %u, "
                "members <= %u, hidden <= %u)",
                sh[0], sh[1], sh[2], sh[3], md->in, md->out, PRISM_MBRL_MAX_MEMBERS,
                PRISM_MBRL_MAX_HIDDEN);
  char layout[PRISM_MBRL_MAX_LAYOUT];
  memcpy(layout, p + FIXED, layout_len);
  layout[layout_len] = 0;
  if (strcmp(layout, md->layout))
    return prism_binfile_fail(err, err_len, path, "layout mismatch (layout '%s', expected '%s')", layout,
                md->layout);
  return 0;
}

int prism_mbrl_model_parse(prism_mbrl_model *md, const unsigned char *p, size_t size,
                           const char *path, char *err, unsigned err_len) {
  size_t header = 0;
  uint32_t sh[4];
  if (parse_header(md, p, size, path, err, err_len, &header, sh)) return -1;
  const uint32_t O = sh[3];
  const size_t np = n_params_of(sh[1], sh[2], sh[3]), all = (size_t)sh[0] * np;
  const size_t expect = header + 24 + (size_t)O * 16 + all * 24 + 4;
  if (size < expect)
    return prism_binfile_fail(err, err_len, path, "truncated (%zu bytes, expected %zu)", size, expect);
  if (size > expect)
    return prism_binfile_fail(err, err_len, path, "trailing bytes (%zu bytes, expected %zu)", size, expect);
  if (prism_get_u32(p + expect - 4) != prism_crc32(p + header, expect - 4 - header))
    return prism_binfile_fail(err, err_len, path, "checksum mismatch (corrupted file)");
  const unsigned char *b = p + header;
  const double count = prism_get_f64(b + 16);
  if (!(count >= 0 && isfinite(count)))
    return prism_binfile_fail(err, err_len, path, "corrupt value (normalisation count %g)", count);
  const unsigned char *vals = b + 24;
  const size_t nvals = (size_t)O * 2 + all * 3;
  for (size_t i = 0; i < nvals; i++) {
    const double d = prism_get_f64(vals + 8 * i);
    if (!isfinite(d) || (i >= O && i < 2u * O && d < 0) || (i >= 2u * O + 2 * all && d < 0))
      return prism_binfile_fail(err, err_len, path, "corrupt value (value %zu of the body is %g)", i, d);
  }
  /* accepted: take the file's shapes and values */
  char layout[PRISM_MBRL_MAX_LAYOUT];
  memcpy(layout, md->layout, sizeof layout);
  prism_mbrl_model_free(md);
  prism_mbrl_model_init(md, sh[0], sh[1], sh[2], sh[3], layout, 0);
  md->train_steps = prism_get_u64(b);
  md->adam_t = prism_get_u64(b + 8);
  md->norm_count = count;
  for (uint32_t k = 0; k < O; k++) {
    md->norm_mean[k] = prism_get_f64(vals + 8 * k);
    md->norm_m2[k] = prism_get_f64(vals + 8 * (O + k));
  }
  const unsigned char *wp = vals + 16 * (size_t)O;
  for (size_t i = 0; i < all; i++) {
    md->w[i] = prism_get_f64(wp + 8 * i);
    md->m[i] = prism_get_f64(wp + 8 * (all + i));
    md->v[i] = prism_get_f64(wp + 8 * (2 * all + i));
  }
  return 0;
}

int prism_mbrl_model_load(prism_mbrl_model *md, const char *path, char *err, unsigned err_len) {
  const size_t limit = FIXED + PRISM_MBRL_MAX_LAYOUT + 4 + 24 + PRISM_MBRL_MAX_OUT * 16 +
                       (size_t)PRISM_MBRL_MAX_MEMBERS *
                           n_params_of(PRISM_MBRL_MAX_IN, PRISM_MBRL_MAX_HIDDEN,
                                       PRISM_MBRL_MAX_OUT) * 24 + 5;
  unsigned char *p;
  size_t size;
  int rc = prism_binfile_read(path, limit, "world model", &p, &size, err, err_len);
  if (rc) return rc;
  rc = prism_mbrl_model_parse(md, p, size, path, err, err_len);
  free(p);
  return rc;
}

int prism_mbrl_model_save(const prism_mbrl_model *md, const char *path, char *err,
                          unsigned err_len) {
  unsigned char *buf;
  const size_t len = prism_mbrl_model_serialize(md, &buf);
  const int rc = prism_binfile_write(path, buf, len, err, err_len);
  free(buf);
  return rc;
}
