/* svg.c - SVG line charts for the report (see svg.h). */
#include "report/svg.h"

#include <math.h>
#include <stdlib.h>

#include "util/check.h"

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};

const char *prism_chart_color(int i) { return palette[(unsigned)i % 8u]; }

void prism_html_text(FILE *f, const char *s) {
  for (; s && *s; s++) switch (*s) {
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '&': fputs("&amp;", f); break;
      case '"': fputs("&quot;", f); break;
      default: fputc(*s, f);
    }
}

static double ty(const prism_chart *c, double y) { return c->logy ? log10(1.0 + fmax(y, 0)) : y; }

static double px(const prism_chart *c, double x) {
  return c->ml + (x - c->x0) / (c->x1 - c->x0) * (c->w - c->ml - c->mr);
}

static double py(const prism_chart *c, double y) {
  return c->h - c->mb - (ty(c, y) - c->y0) / (c->y1 - c->y0) * (c->h - c->mt - c->mb);
}

/* A round tick step giving about `want` ticks over range. */
static double tick_step(double range, int want) {
  double raw = range / want, mag = pow(10, floor(log10(raw))), r = raw / mag;
  return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

static void fmt_num(char *buf, size_t cap, double v) {
  double a = fabs(v);
  if (a >= 1e6 || (a > 0 && a < 1e-3)) snprintf(buf, cap, "%.0e", v);
  else snprintf(buf, cap, "%g", fabs(v) < 1e-12 ? 0.0 : v);
}

static void xticks(prism_chart *c) {
  double st = tick_step(c->x1 - c->x0, 8);
  char b[32];
  for (double x = ceil(c->x0 / st) * st; x <= c->x1 + st * 1e-9; x += st) {
    fmt_num(b, sizeof b, x);
    fprintf(c->f,
            "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
            px(c, x), c->mt, px(c, x), c->h - c->mb, px(c, x), c->h - c->mb + 16, b);
  }
}

static void yticks(prism_chart *c) {
  char b[32];
  if (c->logy) { /* ticks at 0, 1, 2, 5, 10, 20, 50, ... at least 14 pixels apart */
    double last = HUGE_VAL;
    static const double mult[] = {1, 2, 5};
    for (int e = -1; e < 20; e++)
      for (int q = 0; q < 3; q++) {
        const double v = e < 0 ? (q == 0 ? 0 : -1) : mult[q] * pow(10, e);
        if (v < 0) continue;
        const double a = log10(1.0 + v);
        if (a < c->y0 - 1e-9) continue;
        if (a > c->y1 + 1e-9) return;
        const double yy = c->h - c->mb - (a - c->y0) / (c->y1 - c->y0) * (c->h - c->mt - c->mb);
        if (last - yy < 14) continue;
        last = yy;
        fmt_num(b, sizeof b, v);
        fprintf(c->f,
                "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                c->ml, yy, c->w - c->mr, yy, c->ml - 6, yy + 4, b);
      }
    return;
  }
  double st = tick_step(c->y1 - c->y0, 5);
  for (double y = ceil(c->y0 / st) * st; y <= c->y1 + st * 1e-9; y += st) {
    fmt_num(b, sizeof b, y);
    fprintf(c->f,
            "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
            c->ml, py(c, y), c->w - c->mr, py(c, y), c->ml - 6, py(c, y) + 4, b);
  }
}

void prism_chart_begin(prism_chart *c, FILE *f, const char *id, const char *xlabel,
                       const char *ylabel, double x0, double x1, double y0, double y1,
                       int yaxis) {
  const int logy = yaxis == PRISM_AXIS_LOG1P;
  c->f = f;
  c->logy = logy;
  c->yticks = yaxis != PRISM_AXIS_LABELS;
  c->w = 900;
  c->h = 300;
  c->ml = 70;
  c->mr = 150;
  c->mt = 12;
  c->mb = 40;
  c->legend = 0;
  if (!(x1 > x0)) x1 = x0 + 1;
  c->x0 = x0;
  c->x1 = x1;
  y0 = ty(c, y0);
  y1 = ty(c, y1);
  if (!(y1 > y0)) {
    y1 = y0 + 1;
    if (!logy) y0 -= 1;
  }
  c->y0 = y0;
  c->y1 = y1;
  fprintf(f, "<svg class=\"chart\" id=\"%s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n", id, c->w,
          c->h);
  xticks(c);
  if (c->yticks) yticks(c);
  fprintf(f,
          "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n"
          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
          c->ml, c->mt, c->w - c->ml - c->mr, c->h - c->mt - c->mb,
          c->ml + (c->w - c->ml - c->mr) / 2, c->h - 4);
  prism_html_text(f, xlabel);
  fprintf(f, "</text>\n<text transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\">",
          c->mt + (c->h - c->mt - c->mb) / 2);
  prism_html_text(f, ylabel);
  fputs("</text>\n", f);
}

void prism_chart_ylabels(prism_chart *c, const char *const *labels, int count) {
  for (int i = 0; i < count; i++) {
    fprintf(c->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"small\">", c->ml - 6,
            py(c, i) + 4);
    prism_html_text(c->f, labels[i]);
    fputs("</text>\n", c->f);
  }
}

/* Points thinned per pixel column: the first, lowest, highest and last
 * point of each column, in their order. */
typedef struct thin {
  FILE *f;
  int step, emitted;
  double lx, ly; /* last emitted */
} thin;

static void emit(thin *t, double x, double y) {
  if (t->emitted && x == t->lx && y == t->ly) return;
  if (t->step && t->emitted && y != t->ly) fprintf(t->f, "%.1f,%.1f ", x, t->ly);
  fprintf(t->f, "%.1f,%.1f ", x, y);
  t->lx = x;
  t->ly = y;
  t->emitted = 1;
}

void prism_chart_line(prism_chart *c, const double *x, const double *y, size_t n,
                      const char *color, int step, int dashed) {
  if (n == 0) return;
  fprintf(c->f, "<polyline class=\"data\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s points=\"",
          color, dashed ? " stroke-dasharray=\"5 3\"" : "");
  thin t = {c->f, step, 0, 0, 0};
  size_t i = 0;
  while (i < n) {
    const long col = lround(px(c, x[i]) * 2); /* half-pixel columns */
    size_t j = i, lo = i, hi = i;
    while (j < n && lround(px(c, x[j]) * 2) == col) {
      if (y[j] < y[lo]) lo = j;
      if (y[j] > y[hi]) hi = j;
      j++;
    }
    size_t idx[4] = {i, lo < hi ? lo : hi, lo < hi ? hi : lo, j - 1};
    for (int q = 0; q < 4; q++) emit(&t, px(c, x[idx[q]]), py(c, y[idx[q]]));
    i = j;
  }
  if (n == 1) emit(&t, px(c, x[0]) + 2, py(c, y[0])); /* visible as a dash */
  fputs("\"/>\n", c->f);
}

void prism_chart_dots(prism_chart *c, const double *x, const double *y, size_t n,
                      const char *color) {
  if (n == 0) return;
  fprintf(c->f, "<path class=\"data\" fill=\"%s\" d=\"", color);
  long lastc = -1, lasty = -1;
  for (size_t i = 0; i < n; i++) {
    long cx = lround(px(c, x[i])), cy = lround(py(c, y[i]));
    if (cx == lastc && cy == lasty) continue; /* one square per pixel */
    fprintf(c->f, "M%ld %ldh3v3h-3z", cx - 1, cy - 1);
    lastc = cx;
    lasty = cy;
  }
  fputs("\"/>\n", c->f);
}

void prism_chart_hline(prism_chart *c, double y, const char *color, const char *label) {
  fprintf(c->f,
          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
          "stroke-dasharray=\"2 4\"/>\n",
          c->ml, py(c, y), c->w - c->mr, py(c, y), color);
  if (label) prism_chart_legend(c, label, color);
}

void prism_chart_legend(prism_chart *c, const char *name, const char *color) {
  const double x = c->w - c->mr + 10, y = c->mt + 10 + 18 * c->legend++;
  fprintf(c->f,
          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
          "stroke-width=\"3\"/><text x=\"%.1f\" y=\"%.1f\">",
          x, y, x + 18, y, color, x + 24, y + 4);
  prism_html_text(c->f, name);
  fputs("</text>\n", c->f);
}

void prism_chart_end(prism_chart *c) { fputs("</svg>\n", c->f); }
