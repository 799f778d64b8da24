/* progress.h - the status lines on stderr while the engine runs: time, k,
 * best k, best and mean conflicts, moves/s, mode mix, controller action.
 * Scrolling lines (a header every 20 lines), or on a terminal one line
 * updated in place (a new best k keeps its line). Never on stdout. */
#ifndef PRISM_ENGINE_PROGRESS_H
#define PRISM_ENGINE_PROGRESS_H

#include <stdint.h>

#include "engine/telemetry.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { PRISM_PROGRESS_OFF = 0, PRISM_PROGRESS_SCROLL = 1, PRISM_PROGRESS_INPLACE = 2 };

typedef struct prism_progress {
  int mode;           /* PRISM_PROGRESS_* */
  uint32_t lines;     /* lines kept on screen so far (header every 20) */
  double last;        /* when the last line was shown */
  uint64_t last_moves;/* total moves when the last line was shown */
  int header_shown;   /* the header above the current group of 20 is shown */
} prism_progress;

void prism_progress_init(prism_progress *p, int mode, double now);

/* After a batch: shows a line when one is due (every second scrolling, 4 per
 * second in place) or when force (a better coloring). elapsed: seconds since
 * the solve started; total_moves: all batches so far; replicas: of t's island;
 * action: the controller's action name or NULL. */
void prism_progress_update(prism_progress *p, const prism_telemetry *t, double now,
                           double elapsed, uint64_t total_moves, uint32_t replicas,
                           const char *action, int force);

/* The end: a line updated in place is closed with a newline. */
void prism_progress_end(prism_progress *p);

/* Before something else writes to the terminal: erase the line updated in
 * place, if one is showing (the next update draws it again). */
void prism_progress_clear_line(void);

#ifdef __cplusplus
}
#endif

#endif
