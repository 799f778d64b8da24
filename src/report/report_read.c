/* report_read.c - telemetry records for the report: the run record, the
 * batch records (fields checked), the end record. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/jsonl.h"
#include "report/report_internal.h"
#include "util/check.h"

/* A required number field in [0, max]. */
static int need(const prism_json_obj *o, const char *key, double max, double *out,
                const char *path, unsigned long line, char *err, unsigned err_len) {
  const prism_json_field *f = prism_json_get(o, key);
  if (!f || f->type != PRISM_JSON_NUMBER) {
    snprintf(err, err_len, "%s:%lu: %s field '%s'", path, line,
             f ? "not a number:" : "missing", key);
    return -1;
  }
  if (f->num < 0 || f->num > max) {
    snprintf(err, err_len, "%s:%lu: field '%s' out of range (%s)", path, line, key, f->str);
    return -1;
  }
  *out = f->num;
  return 0;
}

/* An optional number: 1 when present (a number), 0 otherwise. */
static int opt(const prism_json_obj *o, const char *key, double *out) {
  const prism_json_field *f = prism_json_get(o, key);
  if (!f || f->type != PRISM_JSON_NUMBER) return 0;
  *out = f->num;
  return 1;
}

static void opt_str(const prism_json_obj *o, const char *key, char *out, size_t cap) {
  const prism_json_field *f = prism_json_get(o, key);
  if (f && (f->type == PRISM_JSON_STRING || f->type == PRISM_JSON_NUMBER))
    snprintf(out, cap, "%.*s", (int)(cap - 1), f->str);
}

static int action_index(report_data *d, const char *name) {
  if (!strcmp(name, "none")) return -1;
  for (int i = 0; i < d->nactions; i++)
    if (!strcmp(d->actions[i], name)) return i;
  if (d->nactions == REPORT_ACTIONS) return REPORT_ACTIONS - 1; /* the last: "other" */
  snprintf(d->actions[d->nactions], sizeof d->actions[0], "%.23s",
           d->nactions == REPORT_ACTIONS - 1 ? "other" : name);
  return d->nactions++;
}

static void read_run(report_data *d, const prism_json_obj *o) {
  if (d->have_run) return; /* merged over ranks: rank 0's comes first */
  d->have_run = 1;
  opt_str(o, "graph", d->graph, sizeof d->graph);
  opt_str(o, "backend", d->backend, sizeof d->backend);
  opt_str(o, "device", d->device, sizeof d->device);
  opt_str(o, "controller", d->controller, sizeof d->controller);
  opt_str(o, "seed", d->seed, sizeof d->seed);
  opt(o, "n", &d->vn);
  opt(o, "m", &d->vm);
  opt(o, "lower_bound", &d->lb);
  opt(o, "dsatur_k", &d->dsatur_k);
  opt(o, "target_k", &d->target_k);
  opt(o, "time_limit", &d->time_limit);
  opt(o, "threads", &d->threads);
  opt(o, "replicas", &d->replicas);
  opt(o, "islands", &d->nislands);
}

static void read_end(report_data *d, const prism_json_obj *o) {
  d->have_end = 1;
  opt(o, "best_k", &d->end_best_k);
  opt(o, "seconds", &d->end_seconds);
  opt(o, "moves", &d->end_moves);
  opt(o, "batches", &d->end_batches);
}

/* The report's island of a record: without a "rank" field (one process)
 * the island itself; with one, the (rank, island) pairs numbered in order
 * of appearance (rank 0's islands first, in the merged file's order). */
static uint32_t island_of(report_data *d, const prism_json_obj *o, uint32_t island) {
  double rank;
  if (!opt(o, "rank", &rank) || rank < 0) return island;
  const uint32_t rk = rank > 4095 ? 4095 : (uint32_t)rank;
  for (uint32_t j = 0; j < d->npairs; j++)
    if (d->pairs[j][0] == rk && d->pairs[j][1] == island) return j;
  if (d->npairs == 4096) return 4095;
  d->pairs = PRISM_REALLOC(d->pairs, (d->npairs + 1) * sizeof *d->pairs);
  d->pairs[d->npairs][0] = rk;
  d->pairs[d->npairs][1] = island;
  return d->npairs++;
}

/* The optional fields of a batch record. */
static void read_optional(report_data *d, const prism_json_obj *o, report_rec *r) {
  const prism_json_field *f = prism_json_get(o, "temperature");
  if (f && f->type == PRISM_JSON_ARRAY && f->arr_len >= 2 && f->arr[0] >= 0 && f->arr[1] >= 0) {
    r->temp[0] = f->arr[0];
    r->temp[1] = f->arr[1];
    r->flags |= REC_TEMP;
  }
  double v;
  f = prism_json_get(o, "action");
  if (f && f->type == PRISM_JSON_STRING && opt(o, "reward", &r->reward)) {
    r->action = action_index(d, f->str);
    r->flags |= REC_CTL;
  }
  if (opt(o, "world_model_error", &r->wm) && r->wm >= 0) r->flags |= REC_WM;
  if (opt(o, "gpu_busy", &r->busy) && r->busy >= 0) r->flags |= REC_BUSY;
  if (opt(o, "partialcol_replicas", &v) && v >= 0) {
    r->pc = (uint32_t)v;
    r->flags |= REC_MODES;
  }
  if (opt(o, "swap_acceptance", &r->swap_acc) && opt(o, "swaps_tried", &v) && v >= 0) {
    r->swaps_tried = (uint32_t)v;
    r->flags |= REC_SWAPS;
  }
  if (opt(o, "batch_us", &r->batch_us) && r->batch_us >= 0) r->flags |= REC_US;
}

static int on_record(void *ctx, const prism_json_obj *o, const char *path,
                     unsigned long line, char *err, unsigned err_len) {
  report_data *d = ctx;
  const prism_json_field *kind = prism_json_get(o, "record");
  if (kind && kind->type == PRISM_JSON_STRING) {
    if (!strcmp(kind->str, "run")) read_run(d, o);
    else if (!strcmp(kind->str, "end")) read_end(d, o);
    return 0; /* other record kinds: not drawn */
  }
  report_rec r;
  memset(&r, 0, sizeof r);
  r.action = -1;
  double island, k, best_k, bc, batch;
  if (need(o, "batch", 1e18, &batch, path, line, err, err_len) ||
      need(o, "island", 4095, &island, path, line, err, err_len) ||
      need(o, "elapsed_s", 1e9, &r.t, path, line, err, err_len) ||
      need(o, "k", 4294967295.0, &k, path, line, err, err_len) ||
      need(o, "best_k", 4294967295.0, &best_k, path, line, err, err_len) ||
      need(o, "best_conflicts", 4294967295.0, &bc, path, line, err, err_len) ||
      need(o, "mean_conflicts", 1e18, &r.mean, path, line, err, err_len) ||
      need(o, "moves", 1e19, &r.moves, path, line, err, err_len))
    return -1;
  r.island = island_of(d, o, (uint32_t)island);
  r.k = (uint32_t)k;
  r.best_k = (uint32_t)best_k;
  r.best_conf = (uint32_t)bc;
  read_optional(d, o, &r);
  if (d->n == d->cap) {
    d->cap = d->cap ? 2 * d->cap : 1024;
    d->r = PRISM_REALLOC(d->r, d->cap * sizeof *d->r);
  }
  d->r[d->n++] = r;
  d->any |= r.flags;
  if (r.island + 1 > d->islands) d->islands = r.island + 1;
  return 0;
}

int report_read(const char *path, report_data *d, char *err, unsigned err_len) {
  memset(d, 0, sizeof *d);
  if (prism_jsonl_read(path, on_record, d, err, err_len)) {
    report_free(d);
    return -1;
  }
  return 0;
}

void report_free(report_data *d) {
  free(d->r);
  d->r = NULL;
  free(d->pairs);
  d->pairs = NULL;
  d->npairs = 0;
  d->n = d->cap = 0;
}
