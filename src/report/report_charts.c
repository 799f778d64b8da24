/* report_charts.c - the report's charts: one SVG chart per view of the
 * telemetry; a view without its fields gets a short note instead. */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "report/svg.h"
#include "util/check.h"

typedef struct view {
  FILE *f;
  const report_data *d;
  double t1;   /* last elapsed time */
  double *x, *y; /* scratch, d->n + 1 each */
  int charts;  /* charts drawn */
} view;

static void section(view *v, const char *title, const char *what) {
  fputs("<section><h2>", v->f);
  prism_html_text(v->f, title);
  fputs("</h2>\n<p class=\"what\">", v->f);
  prism_html_text(v->f, what);
  fputs("</p>\n", v->f);
}

static void note(view *v, const char *title, const char *why) {
  fputs("<section><h2>", v->f);
  prism_html_text(v->f, title);
  fputs("</h2>\n<p class=\"note\">", v->f);
  prism_html_text(v->f, why);
  fputs("</p></section>\n", v->f);
}

/* x: elapsed time, y: get(r) of the records of island isl (-1: all) with
 * every flag in need; returns the count. */
static size_t series(view *v, int isl, unsigned need, double (*get)(const report_rec *)) {
  size_t m = 0;
  for (size_t i = 0; i < v->d->n; i++) {
    const report_rec *r = &v->d->r[i];
    if ((isl >= 0 && r->island != (uint32_t)isl) || (r->flags & need) != need) continue;
    v->x[m] = r->t;
    v->y[m++] = get(r);
  }
  return m;
}

static void range(const double *y, size_t n, double *lo, double *hi) {
  *lo = HUGE_VAL;
  *hi = -HUGE_VAL;
  for (size_t i = 0; i < n; i++) {
    if (y[i] < *lo) *lo = y[i];
    if (y[i] > *hi) *hi = y[i];
  }
  if (n == 0) *lo = *hi = 0;
}

/* The y range of get over the records with need. */
static void yrange(view *v, unsigned need, double (*get)(const report_rec *), double *lo,
                   double *hi) {
  size_t m = series(v, -1, need, get);
  range(v->y, m, lo, hi);
}

static double g_k(const report_rec *r) { return r->k; }
static double g_best_k(const report_rec *r) { return r->best_k; }
static double g_bc(const report_rec *r) { return r->best_conf; }
static double g_mean(const report_rec *r) { return r->mean; }
static double g_tlo(const report_rec *r) { return r->temp[0]; }
static double g_thi(const report_rec *r) { return r->temp[1]; }
static double g_swap(const report_rec *r) { return r->swaps_tried ? r->swap_acc : -1; }
static double g_pc(const report_rec *r) { return r->pc; }
static double g_action(const report_rec *r) { return r->action; }
static double g_wm(const report_rec *r) { return r->wm; }
static double g_busy(const report_rec *r) { return 100.0 * r->busy; }

/* "island j" in the legend, for the first 12 islands when there are several. */
static void island_legend(view *v, prism_chart *c) {
  for (uint32_t j = 0; v->d->islands > 1 && j < v->d->islands && j < 12; j++) {
    char name[32];
    snprintf(name, sizeof name, "island %u", j);
    prism_chart_legend(c, name, prism_chart_color((int)j));
  }
}

/* Per island: one line of get, named "island j". */
static void per_island(view *v, prism_chart *c, unsigned need,
                       double (*get)(const report_rec *), int step) {
  for (uint32_t j = 0; j < v->d->islands; j++) {
    size_t m = series(v, (int)j, need, get);
    if (!m) continue;
    prism_chart_line(c, v->x, v->y, m, prism_chart_color((int)j), step, 0);
  }
  island_legend(v, c);
}

static void chart_colors(view *v) {
  const report_data *d = v->d;
  double lo, hi, lo2, hi2;
  yrange(v, 0, g_k, &lo, &hi);
  yrange(v, 0, g_best_k, &lo2, &hi2);
  lo = fmin(lo, lo2);
  hi = fmax(hi, hi2);
  if (d->have_run && d->lb > 0) lo = fmin(lo, d->lb);
  section(v, "Colors", "k each island searched with, and the best verified coloring so far.");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-colors", "seconds", "colors", 0, v->t1, lo - 1, hi + 1, 0);
  size_t m = series(v, -1, 0, g_best_k);
  prism_chart_line(&c, v->x, v->y, m, "#000000", 1, 0);
  prism_chart_legend(&c, "best k", "#000000");
  per_island(v, &c, 0, g_k, 1);
  if (v->d->islands == 1) prism_chart_legend(&c, "k searched", prism_chart_color(0));
  if (d->have_run && d->lb > 0) prism_chart_hline(&c, d->lb, "#777777", "lower bound");
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

static void chart_conflicts(view *v) {
  double lo, hi, lo2, hi2;
  yrange(v, 0, g_bc, &lo, &hi);
  yrange(v, 0, g_mean, &lo2, &hi2);
  section(v, "Conflicts", "Fewest and mean conflicting edges over the replicas at the end of "
                          "each batch (all islands; log scale). PartialCol replicas count "
                          "uncolored vertices.");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-conflicts", "seconds", "conflicts", 0, v->t1, 0,
                    fmax(hi, hi2), PRISM_AXIS_LOG1P);
  size_t m = series(v, -1, 0, g_mean);
  prism_chart_line(&c, v->x, v->y, m, "#9ecae1", 0, 0);
  prism_chart_legend(&c, "mean", "#9ecae1");
  m = series(v, -1, 0, g_bc);
  prism_chart_line(&c, v->x, v->y, m, "#08519c", 0, 0);
  prism_chart_legend(&c, "best", "#08519c");
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

static void chart_islands(view *v) {
  double lo, hi;
  yrange(v, 0, g_bc, &lo, &hi);
  section(v, "Conflicts per island", "Fewest conflicts of each island's replicas, batch by "
                                     "batch (log scale).");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-islands", "seconds", "best conflicts", 0, v->t1, 0, hi,
                    PRISM_AXIS_LOG1P);
  per_island(v, &c, 0, g_bc, 0);
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

static void chart_temperature(view *v) {
  const char *title = "Temperature ladder";
  if (!(v->d->any & REC_TEMP)) {
    note(v, title, "No 'temperature' field in this telemetry: the ladder is not recorded.");
    return;
  }
  double lo, hi, lo2, hi2;
  yrange(v, REC_TEMP, g_tlo, &lo, &hi);
  yrange(v, REC_TEMP, g_thi, &lo2, &hi2);
  if (fmax(hi, hi2) <= 0) {
    note(v, title, "Every ladder temperature is 0 (global_temperature = 0): no Metropolis "
                   "moves, only tabu moves.");
    return;
  }
  section(v, title, "Coldest (solid) and hottest (dashed) slot of each island's geometric "
                    "ladder (a controller may move global_temperature).");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-temperature", "seconds", "temperature", 0, v->t1,
                    fmin(lo, lo2), fmax(hi, hi2) * 1.05, 0);
  for (uint32_t j = 0; j < v->d->islands; j++) {
    size_t m = series(v, (int)j, REC_TEMP, g_tlo);
    prism_chart_line(&c, v->x, v->y, m, prism_chart_color((int)j), 1, 0);
    m = series(v, (int)j, REC_TEMP, g_thi);
    prism_chart_line(&c, v->x, v->y, m, prism_chart_color((int)j), 1, 1);
  }
  prism_chart_legend(&c, "solid: coldest", "#555555");
  prism_chart_legend(&c, "dashed: hottest", "#555555");
  island_legend(v, &c);
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

static void chart_swaps(view *v) {
  const char *title = "Replica-exchange swaps";
  size_t tried = 0;
  for (size_t i = 0; i < v->d->n; i++) tried += v->d->r[i].swaps_tried;
  if (!(v->d->any & REC_SWAPS) || tried == 0) {
    note(v, title, !(v->d->any & REC_SWAPS)
                       ? "No swap fields in this telemetry."
                       : "No swaps were tried (swap_interval = 0 or one replica per island).");
    return;
  }
  section(v, title, "Accepted / tried swaps of adjacent ladder slots, per island, in the "
                    "batches that tried some.");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-swaps", "seconds", "acceptance", 0, v->t1, 0, 1, 0);
  for (uint32_t j = 0; j < v->d->islands; j++) {
    size_t m = series(v, (int)j, REC_SWAPS, g_swap), k = 0;
    for (size_t i = 0; i < m; i++)
      if (v->y[i] >= 0) {
        v->x[k] = v->x[i];
        v->y[k++] = v->y[i];
      }
    prism_chart_line(&c, v->x, v->y, k, prism_chart_color((int)j), 0, 0);
  }
  island_legend(v, &c);
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

static void chart_modes(view *v) {
  const char *title = "Search modes";
  if (!(v->d->any & REC_MODES)) {
    note(v, title, "No 'partialcol_replicas' field in this telemetry.");
    return;
  }
  double lo, hi;
  yrange(v, REC_MODES, g_pc, &lo, &hi);
  section(v, title, "Replicas of each island that ran PartialCol in the batch (the others ran "
                    "TabuCol).");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-modes", "seconds", "PartialCol replicas", 0, v->t1, 0,
                    fmax(hi, 1), 0);
  per_island(v, &c, REC_MODES, g_pc, 1);
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

static void chart_actions(view *v) {
  const report_data *d = v->d;
  section(v, "Controller actions", "The action the controller chose after each batch.");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-actions", "seconds", "", 0, v->t1, -0.5,
                    d->nactions - 0.5, PRISM_AXIS_LABELS);
  const char *names[REPORT_ACTIONS];
  for (int i = 0; i < d->nactions; i++) names[i] = d->actions[i];
  prism_chart_ylabels(&c, names, d->nactions);
  size_t m = series(v, -1, REC_CTL, g_action), k = 0;
  for (size_t i = 0; i < m; i++)
    if (v->y[i] >= 0) {
      v->x[k] = v->x[i];
      v->y[k++] = v->y[i];
    }
  prism_chart_dots(&c, v->x, v->y, k, "#6a3d9a");
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

static void chart_control(view *v) {
  const char *title = "Controller";
  if (!(v->d->any & REC_CTL)) {
    note(v, title, "No controller ran (--controller none): no actions or rewards.");
    return;
  }
  if (v->d->nactions > 0) chart_actions(v);
  size_t m = 0;
  double sum = 0;
  for (size_t i = 0; i < v->d->n; i++) {
    const report_rec *r = &v->d->r[i];
    if (!(r->flags & REC_CTL)) continue;
    sum += r->reward;
    v->x[m] = r->t;
    v->y[m++] = sum;
  }
  double lo, hi;
  range(v->y, m, &lo, &hi);
  section(v, "Controller rewards", "Cumulative reward credited to the controller's actions.");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-rewards", "seconds", "cumulative reward", 0, v->t1,
                    fmin(lo, 0), fmax(hi, 0), 0);
  prism_chart_line(&c, v->x, v->y, m, "#6a3d9a", 0, 0);
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

static void chart_world_model(view *v) {
  const char *title = "World-model error";
  if (!(v->d->any & REC_WM)) {
    note(v, title, "No 'world_model_error' field in this telemetry (no world model ran).");
    return;
  }
  double lo, hi;
  yrange(v, REC_WM, g_wm, &lo, &hi);
  section(v, title, "Prediction error of the world model, batch by batch.");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-world-model", "seconds", "error", 0, v->t1, fmin(lo, 0),
                    hi, 0);
  per_island(v, &c, REC_WM, g_wm, 0);
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

/* GPU busy time: the 'gpu_busy' field when present; else on the CUDA
 * backend the kernels' time (batch_us) per 1% of the run's time. */
static void chart_gpu(view *v) {
  const char *title = "GPU busy time";
  const report_data *d = v->d;
  size_t m = 0;
  if (d->any & REC_BUSY) {
    m = series(v, -1, REC_BUSY, g_busy);
  } else if (!strcmp(d->backend, "cuda") && (d->any & REC_US) && v->t1 > 0) {
    enum { BINS = 100 };
    double busy[BINS] = {0}, w = v->t1 / BINS;
    for (size_t i = 0; i < d->n; i++) {
      int b = (int)(d->r[i].t / w);
      busy[b >= BINS ? BINS - 1 : b] += d->r[i].batch_us * 1e-6;
    }
    for (int b = 0; b < BINS; b++) {
      v->x[m] = (b + 0.5) * w;
      v->y[m++] = fmin(100.0, 100.0 * busy[b] / w);
    }
  } else {
    note(v, title, "Not a CUDA run (no 'gpu_busy' field, backend not cuda).");
    return;
  }
  section(v, title, "Share of the time the GPU ran kernels, percent.");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-gpu", "seconds", "busy %", 0, v->t1, 0, 100, 0);
  prism_chart_line(&c, v->x, v->y, m, "#e6550d", 0, 0);
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

static void chart_throughput(view *v) {
  const report_data *d = v->d;
  /* up to 100 bins of about 4 batches or more each */
  const int BINS = d->n / 4 < 1 ? 1 : d->n / 4 > 100 ? 100 : (int)(d->n / 4);
  double moves[100] = {0}, w = v->t1 / BINS;
  if (!(w > 0)) return;
  for (size_t i = 0; i < d->n; i++) {
    int b = (int)(d->r[i].t / w);
    moves[b >= BINS ? BINS - 1 : b] += d->r[i].moves;
  }
  size_t m = 0;
  double hi = 0;
  for (int b = 0; b < BINS; b++) {
    v->x[m] = (b + 0.5) * w;
    v->y[m] = moves[b] / w;
    hi = fmax(hi, v->y[m++]);
  }
  section(v, "Throughput", "Moves per second, all replicas (time in up to 100 bins).");
  prism_chart c;
  prism_chart_begin(&c, v->f, "chart-throughput", "seconds", "moves/s", 0, v->t1, 0, hi * 1.05,
                    0);
  prism_chart_line(&c, v->x, v->y, m, "#31a354", 0, 0);
  prism_chart_end(&c);
  fputs("</section>\n", v->f);
  v->charts++;
}

int report_charts(FILE *f, const report_data *d) {
  view v = {f, d, 0, NULL, NULL, 0};
  for (size_t i = 0; i < d->n; i++) v.t1 = fmax(v.t1, d->r[i].t);
  v.x = PRISM_MALLOC((d->n + 101) * sizeof *v.x);
  v.y = PRISM_MALLOC((d->n + 101) * sizeof *v.y);
  chart_colors(&v);
  chart_conflicts(&v);
  chart_islands(&v);
  chart_throughput(&v);
  chart_modes(&v);
  chart_temperature(&v);
  chart_swaps(&v);
  chart_control(&v);
  chart_world_model(&v);
  chart_gpu(&v);
  free(v.x);
  free(v.y);
  return v.charts;
}
