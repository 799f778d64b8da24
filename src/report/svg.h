/* svg.h - line charts as inline SVG for the HTML report: axes with round
 * ticks, linear or log(1 + y) y axis, polylines thinned to at most a few
 * points per pixel column (min and max kept), dots, a legend. */
#ifndef PRISM_REPORT_SVG_H
#define PRISM_REPORT_SVG_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct prism_chart {
  FILE *f;
  double x0, x1, y0, y1; /* data ranges (y in axis units: log10(1 + y) when logy) */
  int logy;   /* y in log10(1 + y) */
  int yticks; /* numeric ticks on the y axis */
  double w, h, ml, mr, mt, mb; /* size and margins, pixels */
  int legend;                  /* legend entries drawn so far */
} prism_chart;

enum { PRISM_AXIS_LINEAR = 0, PRISM_AXIS_LOG1P, PRISM_AXIS_LABELS };

/* Opens <svg class="chart">; ranges are widened when empty. yaxis:
 * PRISM_AXIS_LINEAR, PRISM_AXIS_LOG1P (log10(1 + y)) or PRISM_AXIS_LABELS
 * (linear, no numeric ticks: prism_chart_ylabels names the values). */
void prism_chart_begin(prism_chart *c, FILE *f, const char *id, const char *xlabel,
                       const char *ylabel, double x0, double x1, double y0, double y1,
                       int yaxis);
/* A polyline through (x[i], y[i]); step: horizontal then vertical. */
void prism_chart_line(prism_chart *c, const double *x, const double *y, size_t n,
                      const char *color, int step, int dashed);
/* Small squares at (x[i], y[i]). */
void prism_chart_dots(prism_chart *c, const double *x, const double *y, size_t n,
                      const char *color);
/* A dashed horizontal reference line at y. */
void prism_chart_hline(prism_chart *c, double y, const char *color, const char *label);
/* Labels on the y axis at integer values 0..count-1 (replaces numeric ticks). */
void prism_chart_ylabels(prism_chart *c, const char *const *labels, int count);
void prism_chart_legend(prism_chart *c, const char *name, const char *color);
void prism_chart_end(prism_chart *c);

/* The i-th color of the palette (islands, series). */
const char *prism_chart_color(int i);
/* Text with <, >, &, " escaped for HTML. */
void prism_html_text(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif

#endif
