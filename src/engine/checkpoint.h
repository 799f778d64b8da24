/* checkpoint.h - a solve's state on disk, to resume it later: the graph's
 * fingerprint, the seed, the k the islands searched, the best verified
 * coloring and the population (a few colorings per island with their k).
 *
 * File (little-endian, docs/checkpoint.md):
 *   header   "PRISMCKP", u32 version (1), u32 flags (0), u64 payload bytes
 *   payload  u32 n, u64 m, u64 graph hash, u64 seed, u32 k, u32 best_k,
 *            u32 count, best_k's coloring (n x u32), then count entries of
 *            u32 island, u32 k, n x u32 colors
 *   trailer  u64 checksum: FNV-1a over the 8-byte words of header and
 *            payload (the last word zero-padded)
 * Saved atomically (util/atomic_file.h). Loading refuses, with one message,
 * a file of another graph, a truncated or padded file, a bad magic, version
 * or checksum, colors out of range, and a best coloring that does not pass
 * the verifier. */
#ifndef PRISM_ENGINE_CHECKPOINT_H
#define PRISM_ENGINE_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/solve.h"
#include "graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PRISM_CHECKPOINT_VERSION 1u
#define PRISM_CHECKPOINT_MAX_POP 64u /* colorings kept, spread over the islands */

typedef struct prism_checkpoint {
  uint32_t n;
  uint64_t m, graph_hash, seed;
  uint32_t k;      /* the smallest k an island searched (0: none) */
  uint32_t best_k; /* colors of best (0: none yet) */
  uint32_t *best;  /* n colors < best_k */
  uint32_t count;  /* population entries */
  uint32_t *island, *ks; /* count each */
  uint32_t *colors;      /* count x n */
  const uint32_t **rows; /* count pointers into colors (for prism_population) */
} prism_checkpoint;

/* FNV-1a over n, m, the CSR offsets and adjacency. */
uint64_t prism_checkpoint_graph_hash(const prism_graph *g);

/* An empty checkpoint of graph g (no best, no population). */
void prism_checkpoint_init(prism_checkpoint *c, const prism_graph *g, uint64_t seed);
void prism_checkpoint_free(prism_checkpoint *c);

/* Keep a copy of a verified coloring with k colors, renumbered to
 * 0 .. k-1 (colors must be < n). */
void prism_checkpoint_set_best(prism_checkpoint *c, const uint32_t *colors, uint32_t k);

/* Keep a copy of (part of) a population: at most PRISM_CHECKPOINT_MAX_POP
 * colorings (fewer on large graphs: about 64 MiB, at least 2), the first
 * ones of each island; colorings with a color >= their k are skipped. */
void prism_checkpoint_set_population(prism_checkpoint *c, const prism_population *p);

/* The population as the engine takes it (valid while c lives). */
prism_population prism_checkpoint_population(const prism_checkpoint *c);

/* The file's bytes (caller frees *buf); returns their number. */
size_t prism_checkpoint_serialize(const prism_checkpoint *c, unsigned char **buf);

/* Parse and check the bytes against graph g. 0, or -1 with the reason in
 * err (no file name). */
int prism_checkpoint_parse(const unsigned char *buf, size_t len, const prism_graph *g,
                           prism_checkpoint *c, char *err, unsigned err_len);

/* Save atomically; load and check ("PATH: what" in err). 0 or -1. */
int prism_checkpoint_save(const prism_checkpoint *c, const char *path, char *err,
                          unsigned err_len);
int prism_checkpoint_load(const char *path, const prism_graph *g, prism_checkpoint *c,
                          char *err, unsigned err_len);

#ifdef __cplusplus
}
#endif

#endif
