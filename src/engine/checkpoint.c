/* checkpoint.c - the checkpoint file: build, serialize, parse and check,
 * save atomically, load (checkpoint.h, docs/checkpoint.md). */
#include "engine/checkpoint.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "color/color.h"
#include "util/atomic_file.h"
#include "util/check.h"

static const unsigned char MAGIC[8] = {'P', 'R', 'I', 'S', 'M', 'C', 'K', 'P'};
enum { HEADER = 24, TRAILER = 8, FIXED = 40 /* payload before the colorings */ };

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static inline uint64_t fnv(uint64_t h, uint64_t word) { return (h ^ word) * FNV_PRIME; }

uint64_t prism_checkpoint_graph_hash(const prism_graph *g) {
  uint64_t h = fnv(fnv(FNV_OFFSET, g->n), g->m);
  for (uint32_t v = 0; v <= g->n; v++) h = fnv(h, g->offsets[v]);
  for (uint64_t e = 0; e < 2 * g->m; e++) h = fnv(h, g->adj[e]);
  return h;
}

/* 8-byte little-endian words, the last one zero-padded. */
static uint64_t checksum(const unsigned char *p, size_t len) {
  uint64_t h = FNV_OFFSET;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w = 0;
    for (int b = 7; b >= 0; b--) w = w << 8 | p[i + (size_t)b];
    h = fnv(h, w);
  }
  if (i < len) {
    uint64_t w = 0;
    for (size_t b = len; b-- > i;) w = w << 8 | p[b];
    h = fnv(h, w);
  }
  return h;
}

/* ---------------------------------------------------------------- memory */

void prism_checkpoint_init(prism_checkpoint *c, const prism_graph *g, uint64_t seed) {
  memset(c, 0, sizeof *c);
  c->n = g->n;
  c->m = g->m;
  c->graph_hash = prism_checkpoint_graph_hash(g);
  c->seed = seed;
  c->best = PRISM_CALLOC(c->n ? c->n : 1, sizeof *c->best);
}

static void free_population(prism_checkpoint *c) {
  free(c->island);
  free(c->ks);
  free(c->colors);
  free(c->rows);
  c->island = c->ks = c->colors = NULL;
  c->rows = NULL;
  c->count = 0;
}

void prism_checkpoint_free(prism_checkpoint *c) {
  free(c->best);
  free_population(c);
  memset(c, 0, sizeof *c);
}

static void alloc_population(prism_checkpoint *c, uint32_t count) {
  free_population(c);
  c->count = count;
  c->island = PRISM_CALLOC(count ? count : 1, sizeof *c->island);
  c->ks = PRISM_CALLOC(count ? count : 1, sizeof *c->ks);
  c->colors = PRISM_CALLOC(count ? (size_t)count * c->n : 1, sizeof *c->colors);
  c->rows = PRISM_CALLOC(count ? count : 1, sizeof *c->rows);
  for (uint32_t i = 0; i < count; i++) c->rows[i] = c->colors + (size_t)i * c->n;
}

/* The engine's colorings may skip a color (k colors among 0 .. k' - 1):
 * the stored one is renumbered to 0 .. k - 1, keeping the classes' order. */
void prism_checkpoint_set_best(prism_checkpoint *c, const uint32_t *colors, uint32_t k) {
  uint32_t maxc = 0;
  for (uint32_t v = 0; v < c->n; v++)
    if (colors[v] > maxc) maxc = colors[v];
  uint32_t *map = PRISM_CALLOC((size_t)maxc + 1, sizeof *map);
  for (uint32_t v = 0; v < c->n; v++) map[colors[v]] = 1;
  uint32_t used = 0;
  for (uint32_t x = 0; x <= maxc; x++) map[x] = map[x] ? used++ : UINT32_MAX;
  for (uint32_t v = 0; v < c->n; v++) c->best[v] = map[colors[v]];
  free(map);
  c->best_k = c->n ? used : 0;
  (void)k; /* = used for a verified coloring */
}

static int in_range(const uint32_t *colors, uint32_t n, uint32_t k) {
  for (uint32_t v = 0; v < n; v++)
    if (colors[v] >= k) return 0;
  return 1;
}

/* Entry i of p is taken when it is valid and among the first `per` of its
 * island. */
void prism_checkpoint_set_population(prism_checkpoint *c, const prism_population *p) {
  uint32_t islands = 0;
  for (uint32_t i = 0; i < p->count; i++)
    if (p->island[i] + 1 > islands) islands = p->island[i] + 1;
  /* at most 64 colorings and, from 2 on, about 64 MiB of them */
  uint32_t limit = c->n ? (1u << 24) / c->n : PRISM_CHECKPOINT_MAX_POP;
  limit = limit < 2 ? 2 : limit > PRISM_CHECKPOINT_MAX_POP ? PRISM_CHECKPOINT_MAX_POP : limit;
  const uint32_t per = islands ? (limit + islands - 1) / islands : 0;
  uint32_t *seen = PRISM_CALLOC(islands ? islands : 1, sizeof *seen);
  uint8_t *take = PRISM_CALLOC(p->count ? p->count : 1, 1);
  uint32_t count = 0;
  for (uint32_t i = 0; i < p->count && count < limit; i++)
    if (p->n == c->n && p->k[i] > 0 && p->island[i] < PRISM_CHECKPOINT_MAX_POP &&
        seen[p->island[i]] < per &&
        in_range(p->colors[i], c->n, p->k[i])) {
      seen[p->island[i]]++;
      take[i] = 1;
      count++;
    }
  alloc_population(c, count);
  c->k = 0;
  for (uint32_t i = 0, j = 0; i < p->count; i++) {
    if (!take[i]) continue;
    c->island[j] = p->island[i];
    c->ks[j] = p->k[i];
    memcpy(c->colors + (size_t)j * c->n, p->colors[i], (size_t)c->n * sizeof(uint32_t));
    if (c->k == 0 || p->k[i] < c->k) c->k = p->k[i];
    j++;
  }
  free(seen);
  free(take);
}

prism_population prism_checkpoint_population(const prism_checkpoint *c) {
  prism_population p = {c->n, c->count, c->ks, c->island,
                        (const uint32_t *const *)c->rows};
  return p;
}

/* ------------------------------------------------------------- the bytes */

static unsigned char *put32(unsigned char *p, uint32_t x) {
  for (int b = 0; b < 4; b++) *p++ = (unsigned char)(x >> (8 * b));
  return p;
}

static unsigned char *put64(unsigned char *p, uint64_t x) {
  for (int b = 0; b < 8; b++) *p++ = (unsigned char)(x >> (8 * b));
  return p;
}

static unsigned char *put_colors(unsigned char *p, const uint32_t *colors, uint32_t n) {
  for (uint32_t v = 0; v < n; v++) p = put32(p, colors[v]);
  return p;
}

static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p) {
  return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Payload bytes for n vertices and count entries. */
static uint64_t payload_len(uint64_t n, uint64_t count) {
  return FIXED + 4 * n + count * (8 + 4 * n);
}

size_t prism_checkpoint_serialize(const prism_checkpoint *c, unsigned char **buf) {
  const uint64_t pl = payload_len(c->n, c->count);
  const size_t len = HEADER + (size_t)pl + TRAILER;
  unsigned char *p = *buf = PRISM_MALLOC(len);
  memcpy(p, MAGIC, 8);
  p = put32(p + 8, PRISM_CHECKPOINT_VERSION);
  p = put32(p, 0);
  p = put64(p, pl);
  p = put32(p, c->n);
  p = put64(p, c->m);
  p = put64(p, c->graph_hash);
  p = put64(p, c->seed);
  p = put32(p, c->k);
  p = put32(p, c->best_k);
  p = put32(p, c->count);
  p = put_colors(p, c->best, c->n);
  for (uint32_t i = 0; i < c->count; i++) {
    p = put32(p, c->island[i]);
    p = put32(p, c->ks[i]);
    p = put_colors(p, c->colors + (size_t)i * c->n, c->n);
  }
  put64(p, checksum(*buf, len - TRAILER));
  return len;
}

static int fail(char *err, unsigned err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, unsigned err_len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_len, fmt, ap);
  va_end(ap);
  return -1;
}

/* Magic, version, length and checksum. */
static int check_frame(const unsigned char *buf, size_t len, char *err, unsigned err_len) {
  if (len < 8 || memcmp(buf, MAGIC, 8))
    return fail(err, err_len, "not a prism checkpoint (bad magic)");
  if (len < HEADER + TRAILER)
    return fail(err, err_len, "truncated checkpoint (%zu bytes)", len);
  const uint32_t version = get32(buf + 8);
  if (version != PRISM_CHECKPOINT_VERSION || get32(buf + 12) != 0)
    return fail(err, err_len, "unsupported checkpoint version %u (this prism reads %u)",
                version, PRISM_CHECKPOINT_VERSION);
  const uint64_t pl = get64(buf + 16);
  if (pl > len - HEADER - TRAILER)
    return fail(err, err_len, "truncated checkpoint (%zu bytes, the header says %llu)", len,
                (unsigned long long)(pl + HEADER + TRAILER));
  if (pl < len - HEADER - TRAILER)
    return fail(err, err_len, "%llu bytes after the end of the checkpoint",
                (unsigned long long)(len - HEADER - TRAILER - pl));
  if (checksum(buf, len - TRAILER) != get64(buf + len - TRAILER))
    return fail(err, err_len, "checksum mismatch: the checkpoint is corrupted");
  return 0;
}

/* Fingerprint and sizes; the colors are read by parse_colors. */
static int parse_fixed(const unsigned char *p, uint64_t pl, const prism_graph *g,
                       prism_checkpoint *c, char *err, unsigned err_len) {
  const uint32_t n = get32(p);
  const uint64_t m = get64(p + 4), h = get64(p + 12);
  if (n != g->n || m != g->m)
    return fail(err, err_len,
                "checkpoint of another graph (%u vertices, %llu edges; this graph has %u "
                "and %llu)",
                n, (unsigned long long)m, g->n, (unsigned long long)g->m);
  if (h != prism_checkpoint_graph_hash(g))
    return fail(err, err_len,
                "checkpoint of another graph (same size, different edges: fingerprint "
                "%016llx)",
                (unsigned long long)h);
  memset(c, 0, sizeof *c);
  c->n = n;
  c->m = m;
  c->graph_hash = h;
  c->seed = get64(p + 20);
  c->best = PRISM_CALLOC(n ? n : 1, sizeof *c->best);
  c->k = get32(p + 28);
  c->best_k = get32(p + 32);
  const uint32_t count = get32(p + 36);
  if (count > PRISM_CHECKPOINT_MAX_POP || payload_len(n, count) != pl) {
    prism_checkpoint_free(c);
    return fail(err, err_len, "inconsistent checkpoint (%u colorings in %llu bytes)", count,
                (unsigned long long)pl);
  }
  alloc_population(c, count);
  return 0;
}

static int read_colors(const unsigned char **p, uint32_t *out, uint32_t n, uint32_t k) {
  for (uint32_t v = 0; v < n; v++, *p += 4)
    if ((out[v] = get32(*p)) >= k) return -1;
  return 0;
}

static int parse_colors(const unsigned char *p, prism_checkpoint *c, char *err,
                        unsigned err_len) {
  const uint32_t n = c->n;
  if ((n > 0 && c->best_k == 0) || c->best_k > n)
    return fail(err, err_len, "best coloring has %u colors for %u vertices", c->best_k, n);
  if (read_colors(&p, c->best, n, c->best_k))
    return fail(err, err_len, "best coloring has a color >= its %u colors", c->best_k);
  for (uint32_t i = 0; i < c->count; i++) {
    c->island[i] = get32(p);
    c->ks[i] = get32(p + 4);
    p += 8;
    if (c->ks[i] == 0 || c->ks[i] > n || c->island[i] >= PRISM_CHECKPOINT_MAX_POP ||
        read_colors(&p, c->colors + (size_t)i * n, n, c->ks[i]))
      return fail(err, err_len, "coloring %u of the population is out of range", i + 1);
  }
  return 0;
}

/* The stored best coloring must pass the verifier and use exactly best_k
 * colors (0 .. best_k - 1), as the engine's colorings do. */
static int verify_best(const prism_graph *g, const prism_checkpoint *c, char *err,
                       unsigned err_len) {
  char msg[256];
  if (g->n == 0) return 0;
  if (prism_verify(g, c->best, 0, msg, sizeof msg))
    return fail(err, err_len, "stored best coloring does not verify: %s", msg);
  if (prism_colors_used(g, c->best) != c->best_k)
    return fail(err, err_len, "stored best coloring uses %u colors, the checkpoint says %u",
                prism_colors_used(g, c->best), c->best_k);
  return 0;
}

int prism_checkpoint_parse(const unsigned char *buf, size_t len, const prism_graph *g,
                           prism_checkpoint *c, char *err, unsigned err_len) {
  memset(c, 0, sizeof *c);
  if (check_frame(buf, len, err, err_len)) return -1;
  const uint64_t pl = get64(buf + 16);
  if (pl < FIXED) return fail(err, err_len, "inconsistent checkpoint (%llu bytes)",
                              (unsigned long long)pl);
  if (parse_fixed(buf + HEADER, pl, g, c, err, err_len)) return -1;
  if (parse_colors(buf + HEADER + FIXED, c, err, err_len) || verify_best(g, c, err, err_len)) {
    prism_checkpoint_free(c);
    return -1;
  }
  return 0;
}

/* -------------------------------------------------------------- the file */

int prism_checkpoint_save(const prism_checkpoint *c, const char *path, char *err,
                          unsigned err_len) {
  unsigned char *buf;
  size_t len = prism_checkpoint_serialize(c, &buf);
  int rc = prism_atomic_write(path, buf, len);
  int e = errno;
  free(buf);
  if (rc) return fail(err, err_len, "%s: cannot write the checkpoint: %s", path, strerror(e));
  return 0;
}

/* At most max + 1 bytes of the file (more than max: not a checkpoint of
 * the graph; this keeps /dev/zero and the like from filling the memory). */
static unsigned char *read_all(FILE *f, size_t max, size_t *len) {
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = PRISM_MALLOC(cap);
  for (;;) {
    size_t want = cap - n;
    if (want > max + 1 - n) want = max + 1 - n;
    size_t got = fread(buf + n, 1, want, f);
    n += got;
    if (got < want || n > max) break;
    if (n == cap) buf = PRISM_REALLOC(buf, cap *= 2);
  }
  int e = ferror(f) ? (errno ? errno : EIO) : 0;
  fclose(f);
  if (e) {
    free(buf);
    errno = e;
    return NULL;
  }
  *len = n;
  return buf;
}

int prism_checkpoint_load(const char *path, const prism_graph *g, prism_checkpoint *c,
                          char *err, unsigned err_len) {
  memset(c, 0, sizeof *c);
  size_t len = 0;
  const size_t max = HEADER + (size_t)payload_len(g->n, PRISM_CHECKPOINT_MAX_POP) + TRAILER;
  FILE *f = fopen(path, "rb");
  if (!f) return fail(err, err_len, "%s: cannot open: %s", path, strerror(errno));
  unsigned char *buf = read_all(f, max, &len);
  if (!buf) return fail(err, err_len, "%s: cannot read: %s", path, strerror(errno));
  if (len > max) {
    free(buf);
    return fail(err, err_len, "%s: larger than any checkpoint of this graph (%zu bytes)", path,
                max);
  }
  char why[512];
  int rc = prism_checkpoint_parse(buf, len, g, c, why, sizeof why);
  free(buf);
  if (rc) return fail(err, err_len, "%s: %s", path, why);
  return 0;
}
