/* prism.h - the public C interface of the prism graph-coloring library.
 *
 * One opaque handle (prism_ctx) holds a graph, the solver's settings, the
 * callbacks and the last result:
 *
 *   prism_ctx *p = prism_new();
 *   if (prism_load_file(p, "graph.col", NULL) ||
 *       prism_set_param(p, "time_limit", 10) || prism_run(p))
 *     fprintf(stderr, "%s\n", prism_error(p));
 *   else
 *     printf("%u colors\n", prism_result_k(p));   // prism_result_colors(p)
 *   prism_free(p);
 *
 * Every function that can fail returns 0 (or a valid pointer) on success and
 * -1 (or NULL) on failure, with one line describing the failure in
 * prism_error(p). Vertices are 0-based; colors are 0 .. k-1. Every coloring
 * handed out (by a callback or as the result) has passed prism's verifier.
 *
 * Threads: a handle is used by one thread at a time; prism_interrupt() is the
 * exception (any thread, or a signal handler). Separate handles may solve at
 * once in separate threads (CPU backend). Out of memory ends the process
 * with a message, as the prism command does.
 *
 * Link with `pkg-config --cflags --libs prism` (shared) or add --static. */
#ifndef PRISM_H
#define PRISM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PRISM_VERSION_MAJOR 0
#define PRISM_VERSION_MINOR 1
#define PRISM_VERSION_PATCH 0
#define PRISM_VERSION_STRING "0.1.0"
/* (major << 16) | (minor << 8) | patch, for #if comparisons */
#define PRISM_VERSION_NUMBER \
  ((PRISM_VERSION_MAJOR << 16) | (PRISM_VERSION_MINOR << 8) | PRISM_VERSION_PATCH)

#if defined(__GNUC__)
#define PRISM_API __attribute__((visibility("default")))
#else
#define PRISM_API
#endif

/* The library's version, "MAJOR.MINOR.PATCH" (may differ from the header's
 * PRISM_VERSION_STRING when a program runs with a newer shared library). */
PRISM_API const char *prism_version(void);

typedef struct prism_ctx prism_ctx;

/* A new handle with the default settings: every parameter of `prism params`
 * at its default, seed 1, 1 thread, time limit 60 s, minimise (target k 0),
 * backend auto. NULL only when out of memory. */
PRISM_API prism_ctx *prism_new(void);
/* Frees the handle, its graph and its result (NULL is fine). */
PRISM_API void prism_free(prism_ctx *p);
/* The last failure on this handle, one line ("" when none). Valid until the
 * next call on the handle. */
PRISM_API const char *prism_error(const prism_ctx *p);

/* ------------------------------------------------------------------ graph */

/* Load a graph file as the prism command does: DIMACS .col, METIS .graph,
 * Matrix Market .mtx or an edge list (.edges .el .txt); `format` is "dimacs",
 * "metis", "mtx", "edgelist", or NULL / "auto" for the file's extension.
 * On failure the error is "FILE:LINE: what" and the handle's graph is
 * unchanged. Replaces the previous graph and drops the previous result. */
PRISM_API int prism_load_file(prism_ctx *p, const char *path, const char *format);

/* Load a graph on n vertices (0 .. n-1) from m edges given as 2*m
 * endpoints: edges[2i], edges[2i+1]. Repeated edges (either direction) are
 * merged; an endpoint >= n or a self-loop (which no coloring can satisfy) is
 * an error. The array is copied. */
PRISM_API int prism_load_edges(prism_ctx *p, uint32_t n, const uint32_t *edges,
                               uint64_t m);

/* The loaded graph (0 when none). */
PRISM_API uint32_t prism_num_vertices(const prism_ctx *p);
PRISM_API uint64_t prism_num_edges(const prism_ctx *p);
/* Neighbours of v, sorted, without repeats; *degree gets their count.
 * NULL (with *degree = 0) when there is no graph or v is out of range. */
PRISM_API const uint32_t *prism_neighbors(const prism_ctx *p, uint32_t v,
                                          uint32_t *degree);

/* --------------------------------------------------------------- settings */

/* Set a setting by name. The names are every engine parameter of
 * `prism params` (range-checked; e.g. "replicas", "tabu_alpha") and:
 *   "seed"        random seed (integer >= 0)
 *   "threads"     worker threads of the CPU engine, 1 .. 1024
 *   "time_limit"  seconds, 0 = none
 *   "target_k"    stop at a coloring with at most this many colors; 0 =
 *                 find as few colors as possible (also "k")
 *   "backend"     0 = auto, 1 = cpu, 2 = cuda
 *   "dsatur_only" 1 = DSATUR start only, no search engine
 * An unknown name or a value out of range is an error (nothing changes). */
PRISM_API int prism_set_param(prism_ctx *p, const char *name, double value);
/* The same with the value as text: a number, or for "backend" also "auto",
 * "cpu" or "cuda". */
PRISM_API int prism_set_option(prism_ctx *p, const char *name, const char *value);
/* Current value of a setting into *value. */
PRISM_API int prism_get_param(const prism_ctx *p, const char *name, double *value);

/* The engine parameters' names: i = 0 .. prism_param_count() - 1. */
PRISM_API int prism_param_count(void);
PRISM_API const char *prism_param_name(int i);

/* -------------------------------------------------------------- callbacks */

/* What the solve has reached, after each batch of the search engine. */
typedef struct prism_progress {
  double seconds;        /* since the solve started */
  uint64_t batches;      /* batches so far */
  uint32_t k;            /* colors the batch searched with */
  uint32_t conflicts;    /* fewest conflicting edges of a k-coloring in it */
  uint32_t best_k;       /* colors of the best verified coloring so far */
  uint32_t lower_bound;  /* clique lower bound */
} prism_progress;

/* Called from the thread running prism_run after each batch; return nonzero
 * to stop the solve there (as prism_interrupt does). */
typedef int (*prism_progress_fn)(void *user, const prism_progress *progress);
/* Called from the thread running prism_run with each better coloring, after
 * it passed the verifier: k colors, colors[0 .. n-1] in 0 .. k-1. The array
 * is valid during the call only. */
typedef void (*prism_improve_fn)(void *user, uint32_t k, const uint32_t *colors,
                                 uint32_t n, double seconds);
/* Called with each information line of the solve (the prism command's
 * "c ..." lines, without the "c "). */
typedef void (*prism_info_fn)(void *user, const char *line);

/* Install (or, with NULL, remove) a callback; user is passed back to it. */
PRISM_API void prism_on_progress(prism_ctx *p, prism_progress_fn fn, void *user);
PRISM_API void prism_on_improve(prism_ctx *p, prism_improve_fn fn, void *user);
PRISM_API void prism_on_info(prism_ctx *p, prism_info_fn fn, void *user);

/* ------------------------------------------------------------------ solve */

/* Result of a solve (prism_result_status). */
enum {
  PRISM_RESULT_NONE = -1,   /* no solve since the graph was loaded */
  PRISM_RESULT_UNKNOWN = 0, /* no coloring with at most target_k colors found */
  PRISM_RESULT_SAT = 1,     /* a coloring (with at most target_k colors, if set) */
  PRISM_RESULT_OPTIMUM = 2, /* a coloring meeting the lower bound */
  PRISM_RESULT_UNSAT = 3    /* target_k is below the lower bound: impossible */
};

/* Color the loaded graph with the current settings. Returns 0 when the
 * solve ran (then see prism_result_status), -1 on an error (no graph, an
 * unavailable backend, bad settings). The best coloring so far is kept when
 * the time limit, a progress callback or prism_interrupt ends it early. */
PRISM_API int prism_run(prism_ctx *p);

/* Ask the handle's running solve to stop at the end of its current batch
 * (or the next solve to stop at once, when none runs); the solve still
 * returns its best coloring. Async-signal-safe, callable from any thread.
 * The request is cleared when prism_run returns. */
PRISM_API void prism_interrupt(prism_ctx *p);

/* The last solve's result. */
PRISM_API int prism_result_status(const prism_ctx *p);
/* "NONE", "UNKNOWN", "SATISFIABLE", "OPTIMUM FOUND", "UNSATISFIABLE" */
PRISM_API const char *prism_status_name(int status);
/* Colors of the best verified coloring; 0 when none. */
PRISM_API uint32_t prism_result_k(const prism_ctx *p);
/* The best verified coloring: n colors in 0 .. k-1 (k = prism_result_k,
 * more than target_k when the status is UNKNOWN); NULL when none (UNSAT).
 * Owned by the handle, valid until the next prism_run, load or prism_free. */
PRISM_API const uint32_t *prism_result_colors(const prism_ctx *p);
PRISM_API uint32_t prism_result_lower_bound(const prism_ctx *p);
PRISM_API double prism_result_seconds(const prism_ctx *p);

#ifdef __cplusplus
}
#endif

#endif
