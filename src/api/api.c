/* api.c - include/prism.h: the handle, loading graphs, settings by name. */
#include "api/api.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/params.h"
#include "graph/read.h"

const char *prism_version(void) { return PRISM_VERSION_STRING; }

int prism_api_fail(prism_ctx *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err, sizeof p->err, fmt, ap);
  va_end(ap);
  return -1;
}

void prism_api_clear_result(prism_ctx *p) {
  free(p->colors);
  p->colors = NULL;
  p->status = PRISM_RESULT_NONE;
  p->k = p->lower_bound = 0;
  p->seconds = 0;
}

prism_ctx *prism_new(void) {
  prism_ctx *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  prism_solve_opts_defaults(&p->o);
  p->o.time_limit = 60;
  p->status = PRISM_RESULT_NONE;
  return p;
}

static void drop_graph(prism_ctx *p) {
  prism_graph_free(p->g);
  p->g = NULL;
  free(p->scratch);
  p->scratch = NULL;
  free(p->map);
  p->map = NULL;
  p->map_len = 0;
  prism_api_clear_result(p);
}

void prism_free(prism_ctx *p) {
  if (!p) return;
  drop_graph(p);
  free(p);
}

const char *prism_error(const prism_ctx *p) { return p ? p->err : "no handle"; }

/* ----------------------------------------------------------------- graphs */

static int set_graph(prism_ctx *p, prism_graph *g) {
  uint32_t *scratch = malloc((g->n ? g->n : 1) * sizeof *scratch);
  if (!scratch) {
    prism_graph_free(g);
    return prism_api_fail(p, "out of memory for %u vertices", g->n);
  }
  drop_graph(p);
  p->g = g;
  p->scratch = scratch;
  p->err[0] = 0;
  return 0;
}

int prism_load_file(prism_ctx *p, const char *path, const char *format) {
  if (!path) return prism_api_fail(p, "prism_load_file: no path");
  int fmt = PRISM_FORMAT_AUTO;
  if (format && (fmt = prism_format_parse(format)) < 0)
    return prism_api_fail(p, "unknown format '%s' (dimacs, metis, mtx, edgelist or auto)",
                          format);
  prism_diag *diag = calloc(1, sizeof *diag);
  if (!diag) return prism_api_fail(p, "out of memory");
  prism_graph *g = NULL;
  int rc = prism_graph_read_file(path, (prism_format)fmt, &g, diag);
  if (rc) prism_api_fail(p, "%s", diag->error);
  free(diag);
  return rc ? -1 : set_graph(p, g);
}

int prism_load_edges(prism_ctx *p, uint32_t n, const uint32_t *edges, uint64_t m) {
  if (n > PRISM_MAX_VERTICES)
    return prism_api_fail(p, "%u vertices: more than the limit %u", n, PRISM_MAX_VERTICES);
  if (m > PRISM_MAX_EDGES)
    return prism_api_fail(p, "%llu edges: more than the limit %llu", (unsigned long long)m,
                          (unsigned long long)PRISM_MAX_EDGES);
  if (m && !edges) return prism_api_fail(p, "prism_load_edges: %llu edges but no array",
                                         (unsigned long long)m);
  for (uint64_t i = 0; i < m; i++) {
    const uint32_t u = edges[2 * i], v = edges[2 * i + 1];
    if (u >= n || v >= n)
      return prism_api_fail(p, "edge %llu (%u, %u): endpoint not below n = %u",
                            (unsigned long long)i, u, v, n);
    if (u == v)
      return prism_api_fail(p, "edge %llu: self-loop on vertex %u (no coloring is proper)",
                            (unsigned long long)i, u);
  }
  uint32_t *eu = malloc((m ? m : 1) * sizeof *eu), *ev = malloc((m ? m : 1) * sizeof *ev);
  if (!eu || !ev) {
    free(eu);
    free(ev);
    return prism_api_fail(p, "out of memory for %llu edges", (unsigned long long)m);
  }
  for (uint64_t i = 0; i < m; i++) {
    eu[i] = edges[2 * i];
    ev[i] = edges[2 * i + 1];
  }
  prism_graph *g = prism_graph_build(n, eu, ev, m, NULL);
  free(eu);
  free(ev);
  return set_graph(p, g);
}

uint32_t prism_num_vertices(const prism_ctx *p) { return p->g ? p->g->n : 0; }
uint64_t prism_num_edges(const prism_ctx *p) { return p->g ? p->g->m : 0; }

const uint32_t *prism_neighbors(const prism_ctx *p, uint32_t v, uint32_t *degree) {
  if (!p->g || v >= p->g->n) {
    if (degree) *degree = 0;
    return NULL;
  }
  if (degree) *degree = prism_graph_degree(p->g, v);
  return p->g->adj + p->g->offsets[v];
}

/* --------------------------------------------------------------- settings */

/* The settings outside the parameter table. */
enum { OPT_SEED, OPT_THREADS, OPT_TIME, OPT_TARGET, OPT_K, OPT_BACKEND, OPT_DSATUR, OPT_N };
static const char *const opt_names[OPT_N] = {"seed",     "threads", "time_limit", "target_k",
                                             "k",        "backend", "dsatur_only"};
static const double opt_max[OPT_N] = {9007199254740992.0, 1024, 1e9, 4294967295.0,
                                      4294967295.0,       2,    1};

static int find_opt(const char *name) {
  for (int i = 0; i < OPT_N; i++)
    if (!strcmp(name, opt_names[i])) return i;
  return -1;
}

static int set_opt(prism_ctx *p, int id, double v, const char *text) {
  const double lo = id == OPT_THREADS ? 1 : 0;
  if (isnan(v) || v < lo || v > opt_max[id])
    return prism_api_fail(p, "setting '%s' = %s out of range [%g, %g]", opt_names[id], text,
                          lo, opt_max[id]);
  if (id != OPT_TIME && v != floor(v))
    return prism_api_fail(p, "setting '%s' takes an integer, got '%s'", opt_names[id], text);
  switch (id) {
  case OPT_SEED: p->o.seed = (uint64_t)v; break;
  case OPT_THREADS: p->o.threads = (int)v; break;
  case OPT_TIME: p->o.time_limit = v; break;
  case OPT_TARGET:
  case OPT_K: p->o.target_k = (uint32_t)v; break;
  case OPT_BACKEND: p->o.backend = (prism_backend)(int)v; break;
  default: p->o.engine = v == 0; break;
  }
  p->err[0] = 0;
  return 0;
}

/* name=text into the parameter table (its own messages for unknown names,
 * bad numbers and ranges). */
static int set_table(prism_ctx *p, const char *name, const char *text) {
  char assign[256];
  if (snprintf(assign, sizeof assign, "%s=%s", name, text) >= (int)sizeof assign)
    return prism_api_fail(p, "setting '%.64s...': name or value too long", name);
  prism_params q = p->o.params;
  if (prism_params_parse_assignment(&q, assign, p->err, sizeof p->err)) return -1;
  p->o.params = q;
  p->err[0] = 0;
  return 0;
}

int prism_set_option(prism_ctx *p, const char *name, const char *value) {
  if (!name || !value) return prism_api_fail(p, "prism_set_option: NULL name or value");
  const int id = find_opt(name);
  if (id < 0) return set_table(p, name, value);
  if (id == OPT_BACKEND) {
    static const char *const backends[] = {"auto", "cpu", "cuda"};
    for (int b = 0; b < 3; b++)
      if (!strcmp(value, backends[b])) return set_opt(p, id, b, value);
  }
  char *end = NULL;
  errno = 0;
  const double v = strtod(value, &end);
  if (!*value || *end || errno == ERANGE || isinf(v))
    return prism_api_fail(p, "setting '%s': '%s' is not a number", name, value);
  return set_opt(p, id, v, value);
}

int prism_set_param(prism_ctx *p, const char *name, double value) {
  if (!name) return prism_api_fail(p, "prism_set_param: NULL name");
  char text[64];
  snprintf(text, sizeof text, "%.17g", value);
  const int id = find_opt(name);
  return id < 0 ? set_table(p, name, text) : set_opt(p, id, value, text);
}

int prism_get_param(const prism_ctx *p, const char *name, double *value) {
  const int id = name ? find_opt(name) : -1;
  const prism_solve_opts *o = &p->o;
  switch (id) {
  case OPT_SEED: *value = (double)o->seed; return 0;
  case OPT_THREADS: *value = o->threads; return 0;
  case OPT_TIME: *value = o->time_limit; return 0;
  case OPT_TARGET:
  case OPT_K: *value = o->target_k; return 0;
  case OPT_BACKEND: *value = (double)o->backend; return 0;
  case OPT_DSATUR: *value = o->engine == 0; return 0;
  default: break;
  }
  const int pid = name ? prism_params_find(name) : -1;
  if (pid < 0)
    return prism_api_fail((prism_ctx *)p, "unknown setting '%s' (see 'prism params')",
                          name ? name : "(null)");
  *value = prism_params_get(&o->params, pid);
  return 0;
}

int prism_param_count(void) { return PRISM_PARAM_COUNT; }

const char *prism_param_name(int i) {
  return i >= 0 && i < PRISM_PARAM_COUNT ? prism_params_name(i) : NULL;
}

/* -------------------------------------------------------------- callbacks */

void prism_on_progress(prism_ctx *p, prism_progress_fn fn, void *user) {
  p->progress = fn;
  p->progress_user = user;
}

void prism_on_improve(prism_ctx *p, prism_improve_fn fn, void *user) {
  p->improve = fn;
  p->improve_user = user;
}

void prism_on_info(prism_ctx *p, prism_info_fn fn, void *user) {
  p->info = fn;
  p->info_user = user;
}
