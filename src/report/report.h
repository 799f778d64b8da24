/* report.h - one self-contained HTML file (inline SVG charts, no network)
 * from a telemetry file (JSON Lines, docs/telemetry.md): k and conflicts over
 * time, conflicts per island, the temperature ladder and swap rates, search
 * modes, controller actions and rewards, world-model error and GPU busy time
 * when present, and a summary table. */
#ifndef PRISM_REPORT_REPORT_H
#define PRISM_REPORT_REPORT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the caller knows of the run (prism color --report); it takes
 * precedence over the telemetry's run and end records. */
typedef struct prism_report_summary {
  const char *graph;
  uint32_t n;
  uint64_t m;
  uint64_t seed;
  uint32_t best_k, lower_bound, dsatur_k;
  double seconds;
  uint64_t moves, batches;
  const char *status; /* "OPTIMUM FOUND", ... */
} prism_report_summary;

/* Reads the telemetry at jsonl and writes the report to html atomically (a
 * temporary file renamed). known: NULL (prism report: the file must hold at
 * least one batch record) or the run's summary (a run without batches is
 * reported as such). Returns 0, or -1 with err: "FILE:LINE: what" for a bad
 * line, "FILE: what" otherwise. */
int prism_report_write(const char *jsonl, const char *html, const prism_report_summary *known,
                       char *err, unsigned err_len);

#ifdef __cplusplus
}
#endif

#endif
