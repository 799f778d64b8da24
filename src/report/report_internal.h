/* report_internal.h - the records the report draws, read from the telemetry
 * by report_read.c and drawn by report.c. Not a public header. */
#ifndef PRISM_REPORT_INTERNAL_H
#define PRISM_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
  REC_TEMP = 1,   /* temperature ladder present */
  REC_CTL = 2,    /* action and reward present */
  REC_WM = 4,     /* world_model_error present */
  REC_BUSY = 8,   /* gpu_busy present */
  REC_MODES = 16, /* partialcol_replicas present */
  REC_SWAPS = 32, /* swap_acceptance and swaps_tried present */
  REC_US = 64     /* batch_us present */
};

typedef struct report_rec {
  double t, mean, moves, swap_acc, temp[2], reward, wm, busy, batch_us;
  uint32_t island, k, best_k, best_conf, swaps_tried, pc;
  int action; /* index into report_data.actions; -1: none */
  unsigned flags;
} report_rec;

#define REPORT_ACTIONS 24

typedef struct report_data {
  report_rec *r;
  size_t n, cap;
  unsigned any; /* union of the records' flags */
  uint32_t islands; /* largest island index + 1 */
  /* records of several ranks (mpirun, "rank" field): island j of the
   * report is the j-th (rank, island) pair met in the file */
  uint32_t (*pairs)[2];
  uint32_t npairs;
  /* the run record (have_run) and the end record (have_end) */
  int have_run, have_end; /* the first run record, the last end record */
  char graph[512], backend[16], device[256], controller[32], seed[64];
  double vn, vm, lb, dsatur_k, target_k, time_limit, threads, replicas, nislands;
  double end_best_k, end_seconds, end_moves, end_batches;
  char actions[REPORT_ACTIONS][24]; /* action names in order of appearance */
  int nactions;
} report_data;

/* Reads path into d (zeroed first). Returns 0 or -1 with err. */
int report_read(const char *path, report_data *d, char *err, unsigned err_len);
void report_free(report_data *d);

/* report_charts.c: the charts (and notes for the views without data) of
 * d's batch records (at least one) as HTML sections; returns the number of
 * charts drawn. */
int report_charts(FILE *f, const report_data *d);

#endif
