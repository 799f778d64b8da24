/* progress.c - status lines on stderr (see progress.h). */
#include "engine/progress.h"

#include <stdio.h>

static int line_open; /* an in-place line is showing on stderr */

void prism_progress_init(prism_progress *p, int mode, double now) {
  p->mode = mode;
  p->lines = 0;
  p->last = now - 10.0;
  p->last_moves = 0;
  p->header_shown = 0;
}

void prism_progress_clear_line(void) {
  if (!line_open) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  line_open = 0;
}

/* 1234567 -> "1.23M" */
static void human(char *b, size_t cap, double v) {
  static const char *const unit[] = {"", "k", "M", "G", "T"};
  int u = 0;
  while (v >= 999.5 && u < 4) {
    v /= 1000;
    u++;
  }
  snprintf(b, cap, v >= 99.5 || u == 0 ? "%.0f%s" : "%.3g%s", v, unit[u]);
}

static void header(void) {
  fprintf(stderr, "c %8s %4s %4s %4s %9s %9s %9s %9s %8s\n", "seconds", "isl", "k", "best",
          "conflicts", "mean", "moves/s", "tabu/part", "control");
}

void prism_progress_update(prism_progress *p, const prism_telemetry *t, double now,
                           double elapsed, uint64_t total_moves, uint32_t replicas,
                           const char *action, int force) {
  if (p->mode == PRISM_PROGRESS_OFF) return;
  const double every = p->mode == PRISM_PROGRESS_INPLACE ? 0.25 : 1.0;
  if (!force && now - p->last < every) return;
  const double dt = now - p->last;
  const double rate = dt > 0 && dt < 5.0 ? (double)(total_moves - p->last_moves) / dt
                      : elapsed > 0      ? (double)total_moves / elapsed
                                         : 0.0;
  p->last = now;
  p->last_moves = total_moves;
  const int inplace = p->mode == PRISM_PROGRESS_INPLACE;
  if (inplace) prism_progress_clear_line();
  if (p->lines % 20 == 0 && !p->header_shown) header();
  p->header_shown = 1;
  char mix[24];
  uint32_t pc = t->partialcol_replicas <= replicas ? t->partialcol_replicas : replicas;
  snprintf(mix, sizeof mix, "%u/%u", replicas - pc, pc);
  char mps[16];
  human(mps, sizeof mps, rate);
  fprintf(stderr, "c %8.2f %4u %4u %4u %9u %9.1f %9s %9s %8s", elapsed, t->island, t->k,
          t->best_k, t->best_conflicts, t->mean_conflicts, mps, mix, action ? action : "-");
  if (inplace && !force) {
    line_open = 1;
  } else {
    fputc('\n', stderr);
    p->lines++;
    p->header_shown = 0;
  }
  fflush(stderr);
}

void prism_progress_end(prism_progress *p) {
  if (p->mode == PRISM_PROGRESS_INPLACE && line_open) {
    fputc('\n', stderr);
    line_open = 0;
    fflush(stderr);
  }
}
