/* report.c - the HTML page around the charts: style, summary table, the
 * check script, and the atomic write (see report.h). */
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report_internal.h"
#include "report/svg.h"

static const char *const style =
    "body{font:14px/1.4 sans-serif;margin:24px auto;max-width:940px;color:#222}"
    "h1{font-size:22px}h2{font-size:17px;margin:22px 0 4px}"
    "table.summary{border-collapse:collapse;width:100%}"
    "th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left;font-weight:normal}"
    "th{color:#555}td.v{text-align:right;font-variant-numeric:tabular-nums;"
    "border-right:12px solid #fff;font-weight:bold}"
    "p.what{margin:2px 0 6px;color:#555}p.note{color:#777;font-style:italic}"
    "svg.chart{width:100%;height:auto;display:block}"
    "svg text{font:12px sans-serif;fill:#333}svg text.small{font-size:10px}"
    "svg .grid{stroke:#eee}svg .frame{fill:none;stroke:#999}"
    "footer{margin-top:24px;color:#777}";

/* Counts the charts that are drawn (at least one data element, and every
 * data element a polyline with points or a path with a shape) and writes the
 * count into the footer and the body (data-charts-drawn), so that a headless
 * browser can check the page. */
static const char *const check_script =
    "(function(){var c=document.querySelectorAll('svg.chart'),ok=0;"
    "for(var i=0;i<c.length;i++){var e=c[i].querySelectorAll('.data'),d=e.length>0;"
    "for(var j=0;j<e.length;j++){var a=e[j].getAttribute(e[j].tagName=='path'?'d':'points');"
    "if(!a||a.trim().split(/[ ,MhvzZ]+/).length<3)d=false;}if(d)ok++;}"
    "document.body.setAttribute('data-charts',c.length);"
    "document.body.setAttribute('data-charts-drawn',ok);"
    "document.getElementById('check').textContent=ok+' of '+c.length+' charts drawn.';})();";

/* Summary cells, three name-value pairs a row. */
static int cells;

static void row_s(FILE *f, const char *name, const char *value) {
  fprintf(f, "%s<th>%s</th><td class=\"v\">", cells % 3 == 0 ? "<tr>" : "", name);
  prism_html_text(f, value && *value ? value : "-");
  fprintf(f, "</td>%s", ++cells % 3 == 0 ? "</tr>\n" : "");
}

static void row_n(FILE *f, const char *name, double value, int known, const char *fmt) {
  char b[64] = "-";
  if (known) snprintf(b, sizeof b, fmt, value);
  row_s(f, name, b);
}

static void summary(FILE *f, const report_data *d, const prism_report_summary *k) {
  char b[64];
  const int kn = k != NULL, run = d->have_run, end = d->have_end || kn;
  const double best = kn ? k->best_k : d->end_best_k;
  double secs = kn ? k->seconds : d->end_seconds, moves = kn ? (double)k->moves : d->end_moves;
  if (!end && d->n) { /* no end record: from the last batch */
    secs = d->r[d->n - 1].t;
    moves = 0;
    for (size_t i = 0; i < d->n; i++) moves += d->r[i].moves;
  }
  fputs("<table class=\"summary\">\n<tr><th>graph</th><td colspan=\"5\">", f);
  prism_html_text(f, kn && k->graph ? k->graph : *d->graph ? d->graph : "-");
  fputs("</td></tr>\n", f);
  cells = 0;
  row_n(f, "vertices (n)", kn ? k->n : d->vn, kn || run, "%.0f");
  row_n(f, "edges (m)", kn ? (double)k->m : d->vm, kn || run, "%.0f");
  if (kn) snprintf(b, sizeof b, "%llu", (unsigned long long)k->seed);
  row_s(f, "seed", kn ? b : d->seed);
  if (kn && k->status) row_s(f, "status", k->status);
  row_n(f, "best k", best ? best : (d->n ? d->r[d->n - 1].best_k : 0), end || d->n, "%.0f");
  row_n(f, "lower bound", kn ? k->lower_bound : d->lb, kn || run, "%.0f");
  row_n(f, "DSATUR k", kn ? k->dsatur_k : d->dsatur_k, kn || run, "%.0f");
  row_n(f, "time (s)", secs, end || d->n, "%.3f");
  row_n(f, "moves", moves, end || d->n, "%.0f");
  row_n(f, "moves/s", secs > 0 ? moves / secs : 0, (end || d->n) && secs > 0, "%.0f");
  row_n(f, "batches", kn ? (double)k->batches : d->end_batches ? d->end_batches : (double)d->n,
        1, "%.0f");
  row_s(f, "backend", d->backend);
  if (d->device[0]) row_s(f, "device", d->device);
  row_n(f, "threads", d->threads, run, "%.0f");
  row_n(f, "replicas", d->replicas, run, "%.0f");
  row_n(f, "islands", d->nislands, run, "%.0f");
  row_s(f, "controller", d->controller);
  fputs(cells % 3 ? "</tr>\n</table>\n" : "</table>\n", f);
}

static int page(FILE *f, const report_data *d, const prism_report_summary *k) {
  const char *graph = k && k->graph ? k->graph : d->graph;
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>prism report",
        f);
  if (*graph) {
    fputs(": ", f);
    prism_html_text(f, graph);
  }
  fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<h1>prism report", style);
  if (*graph) {
    fputs(": ", f);
    prism_html_text(f, graph);
  }
  fputs("</h1>\n", f);
  summary(f, d, k);
  int charts = 0;
  if (d->n) charts = report_charts(f, d);
  else
    fputs("<p class=\"note\">No search batches ran (the bounds or DSATUR settled the run): "
          "nothing to chart.</p>\n",
          f);
  fprintf(f, "<footer>prism, %zu batch records, %d charts. <span id=\"check\"></span></footer>\n"
             "<script>%s</script>\n</body></html>\n",
          d->n, charts, check_script);
  return charts;
}

/* Write to a temporary file next to html, then rename it over html. */
int prism_report_write(const char *jsonl, const char *html, const prism_report_summary *known,
                       char *err, unsigned err_len) {
  report_data d;
  if (known && access(jsonl, F_OK) != 0) /* the search never ran: no telemetry */
    memset(&d, 0, sizeof d);
  else if (report_read(jsonl, &d, err, err_len))
    return -1;
  if (!known && d.n == 0) {
    snprintf(err, err_len, "%s: no telemetry batch records", jsonl);
    report_free(&d);
    return -1;
  }
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", html) >= (int)sizeof tmp) {
    snprintf(err, err_len, "%s: path too long", html);
    report_free(&d);
    return -1;
  }
  int fd = mkstemp(tmp);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    snprintf(err, err_len, "%s: cannot write: %s", html, strerror(errno));
    if (fd >= 0) {
      close(fd);
      unlink(tmp);
    }
    report_free(&d);
    return -1;
  }
  page(f, &d, known);
  report_free(&d);
  int bad = ferror(f);
  const mode_t mask = umask(0); /* mkstemp made it 0600: the usual mode instead */
  umask(mask);
  if (fclose(f) || bad || chmod(tmp, 0666 & ~mask) || rename(tmp, html)) {
    snprintf(err, err_len, "%s: cannot write: %s", html, strerror(errno ? errno : EIO));
    unlink(tmp);
    return -1;
  }
  return 0;
}
