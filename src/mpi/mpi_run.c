/* mpi_run.c - the solve over the ranks of an mpirun job (prism_mpi.h,
 * docs/mpi.md). Every collective call is made by every rank in the same
 * order: one agreement before the solve, then exchanges until one of them
 * says stop (a rank whose solve ended calls them with its stop flag set),
 * then the sums and the exit code. A rank that dies ends the job through
 * MPI_Abort (exit handler) or mpirun, never a hang. */
#include <errno.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "color/color.h"
#include "engine/engine.h"
#include "engine/exchange.h"
#include "mpi/prism_mpi.h"
#include "util/check.h"
#include "util/timer.h"

#define NONE_K UINT32_MAX

static struct {
  int active, rank, size;
  int agreed;             /* the agreement before the solve took place */
  int stopped;            /* an exchange said stop: no more exchanges */
  int err_fd;             /* ranks > 0: the real stderr while it is captured */
  FILE *err_capture;      /* ranks > 0: stderr until the agreement */
  uint32_t global_best;   /* the best k known to all ranks (NONE_K: none) */
  uint32_t lb;            /* the largest lower bound of the ranks */
  uint32_t *buf;          /* n + 1 words: a coloring in transit */
  uint64_t exchanges;
  double t0;
  prism_exchange x;
  /* telemetry (docs/mpi.md): every rank's engine writes into its buffer
   * (tel); the exchanges gather the buffers to rank 0, which writes them to
   * its file (out), each line tagged with its rank */
  FILE *tel, *out;
  const char *out_path;
  int tel_any; /* some rank writes telemetry: every rank takes part */
} M = {.err_fd = -1};

int prism_mpi_rank(void) { return M.rank; }
int prism_mpi_size(void) { return M.active ? M.size : 1; }

static int launched_by_mpirun(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

/* ------------------------------------------------------------ stderr */

/* Ranks > 0 hold their error lines until the agreement: a usage error
 * that every rank finds is then printed once, by rank 0. */
static void capture_stderr(void) {
  fflush(stderr);
  M.err_capture = tmpfile();
  if (!M.err_capture) return;
  M.err_fd = dup(2);
  if (M.err_fd < 0 || dup2(fileno(M.err_capture), 2) < 0) {
    fclose(M.err_capture);
    M.err_capture = NULL;
  }
}

static void release_stderr(int show) {
  if (!M.err_capture) return;
  fflush(stderr);
  if (show) {
    char chunk[4096];
    size_t len;
    rewind(M.err_capture);
    while ((len = fread(chunk, 1, sizeof chunk, M.err_capture)) > 0)
      if (write(M.err_fd, chunk, len) < 0) break;
  }
  dup2(M.err_fd, 2);
  close(M.err_fd);
  fclose(M.err_capture);
  M.err_capture = NULL;
  M.err_fd = -1;
}

/* exit() before MPI_Finalize (prism_die, a CUDA error, ...): end the whole
 * job with the message already on stderr, instead of leaving the others
 * waiting in a collective. */
static void at_exit(void) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (!init || fin) return;
  release_stderr(1);
  fprintf(stderr, "prism: rank %d of %d stopped early: ending the job\n", M.rank, M.size);
  MPI_Abort(MPI_COMM_WORLD, 1);
}

/* ------------------------------------------------------- the agreement */

static uint64_t graph_hash(const prism_graph *g) {
  uint64_t h = 1469598103934665603ull;
  for (uint64_t i = 0; i < 2 * g->m; i++) h = (h ^ g->adj[i]) * 1099511628211ull;
  for (uint32_t v = 0; v <= g->n; v++) h = (h ^ g->offsets[v]) * 1099511628211ull;
  return h;
}

/* Every rank says whether it got here with a graph; -1 when one did not
 * (or read another graph), after the messages. */
static int agree(const prism_graph *g) {
  uint64_t mine[4] = {g != NULL, g ? g->n : 0, g ? g->m : 0, g ? graph_hash(g) : 0};
  uint64_t *all = PRISM_MALLOC((size_t)M.size * sizeof mine);
  MPI_Allgather(mine, 4, MPI_UINT64_T, all, 4, MPI_UINT64_T, MPI_COMM_WORLD);
  M.agreed = 1;
  int failed = -1, differs = -1;
  for (int r = M.size - 1; r >= 0; r--) {
    const uint64_t *a = all + 4 * (size_t)r;
    if (!a[0]) failed = r;
    else if (all[0] && (a[1] != all[1] || a[2] != all[2] || a[3] != all[3])) differs = r;
  }
  free(all);
  /* a rank's own error shows when rank 0 did not fail the same way */
  release_stderr(failed >= 0 && failed != 0 && !mine[0]);
  if (M.rank == 0 && failed > 0 && mine[0])
    fprintf(stderr, "prism: error: rank %d of %d failed before the solve (its error line: "
            "'prism: error: ...')\n",
            failed, M.size);
  else if (M.rank == 0 && failed < 0 && differs > 0)
    fprintf(stderr, "prism: error: rank %d of %d read a graph different from rank 0's\n",
            differs, M.size);
  return failed >= 0 || differs >= 0 ? -1 : 0;
}

/* ----------------------------------------------------------- telemetry */

/* Rank r's records on rank 0's file: each line a JSON object, tagged with
 * "rank" as its first field. */
static void telemetry_write(const char *s, size_t len, int r) {
  while (len > 0) {
    const char *nl = memchr(s, '\n', len);
    const size_t line = nl ? (size_t)(nl - s) : len;
    if (line >= 2 && s[0] == '{' && s[1] != '}') {
      fprintf(M.out, "{\"rank\":%d,", r);
      fwrite(s + 1, 1, line - 1, M.out);
      fputc('\n', M.out);
    } else if (line > 0) {
      fwrite(s, 1, line, M.out);
      fputc('\n', M.out);
    }
    s += line + (nl != NULL);
    len -= line + (nl != NULL);
  }
}

/* Every rank's records since the last gather reach rank 0's file, in rank
 * order; each buffer starts afresh. Collective. */
static void telemetry_gather(void) {
  char *mine = NULL;
  long len = 0;
  if (M.tel) {
    if (fflush(M.tel) || (len = ftell(M.tel)) < 0) prism_die("telemetry buffer: %s", strerror(errno));
    if (len > 0x7FFFFFFFL) prism_die("telemetry buffer over 2 GB between two exchanges");
    mine = PRISM_MALLOC((size_t)len + 1);
    rewind(M.tel);
    if (fread(mine, 1, (size_t)len, M.tel) != (size_t)len || ftruncate(fileno(M.tel), 0))
      prism_die("telemetry buffer: cannot read it back");
    rewind(M.tel);
  }
  int mylen = (int)len, *lens = NULL, *displs = NULL;
  char *all = NULL;
  if (M.rank == 0) {
    lens = PRISM_MALLOC((size_t)M.size * sizeof *lens);
    displs = PRISM_MALLOC((size_t)M.size * sizeof *displs);
  }
  MPI_Gather(&mylen, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (M.rank == 0) {
    long long total = 0;
    for (int r = 0; r < M.size; r++) {
      if (total > 0x7FFFFFFFLL) prism_die("telemetry: over 2 GB in one exchange");
      displs[r] = (int)total;
      total += lens[r];
    }
    all = PRISM_MALLOC((size_t)total + 1);
  }
  MPI_Gatherv(mine, mylen, MPI_CHAR, all, lens, displs, MPI_CHAR, 0, MPI_COMM_WORLD);
  if (M.rank == 0 && M.out)
    for (int r = 0; r < M.size; r++) telemetry_write(all + displs[r], (size_t)lens[r], r);
  free(mine);
  free(all);
  free(lens);
  free(displs);
}

/* ----------------------------------------------------------- exchanges */

static uint32_t known_k(const prism_solve_result *r) {
  return r->best_k ? r->best_k : NONE_K;
}

/* One exchange: stop flags, bounds and the best k; the best coloring from
 * its owner when it beats the best known; the ring migration unless the
 * solve is over. Returns 1 when it is (then no exchange follows). */
static int exchange(const prism_graph *g, const prism_solve_opts *o, prism_solve_result *res,
                    double t0, int finished, const prism_migrant *out, prism_migrant *in) {
  const uint32_t n = g->n;
  /* one reduction (max): the stop flag, the bound, -(best k, rank),
   * whether some rank writes telemetry */
  int64_t v[4] = {finished || prism_solve_interrupted(), res->lower_bound,
                  -(int64_t)(((uint64_t)known_k(res) << 20) | (uint64_t)M.rank),
                  M.tel != NULL};
  int64_t all[4];
  MPI_Allreduce(v, all, 4, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
  M.exchanges++;
  M.tel_any = all[3] != 0;
  if (M.tel_any) telemetry_gather();
  if ((uint32_t)all[1] > M.lb) M.lb = (uint32_t)all[1];
  const uint64_t key = (uint64_t)(-all[2]);
  const uint32_t best = (uint32_t)(key >> 20);
  const int owner = (int)(key & 0xFFFFF);
  if (best != NONE_K && (M.global_best == NONE_K || best < M.global_best)) {
    M.global_best = best;
    uint32_t *colors = M.rank == owner ? res->colors : M.buf;
    MPI_Bcast(colors, (int)n, MPI_UINT32_T, owner, MPI_COMM_WORLD);
    /* verified (on the whole graph) before this rank takes it: rank 0
     * prints it as an 'o' line */
    if (M.rank != owner && best < known_k(res)) prism_solve_offer(g, o, res, colors, t0);
  }
  const uint32_t stop_k = o->target_k > M.lb ? o->target_k : M.lb;
  if (all[0] || (M.global_best != NONE_K && M.global_best <= stop_k)) {
    M.stopped = 1;
    return 1;
  }
  if (M.size > 1 && out && in) { /* the ring: to rank + 1, from rank - 1 */
    uint32_t *send = PRISM_MALLOC(((size_t)n + 1) * sizeof *send);
    send[0] = out->k;
    if (out->k) memcpy(send + 1, out->colors, (size_t)n * sizeof *send);
    else memset(send + 1, 0, (size_t)n * sizeof *send);
    MPI_Sendrecv(send, (int)n + 1, MPI_UINT32_T, (M.rank + 1) % M.size, 7, M.buf, (int)n + 1,
                 MPI_UINT32_T, (M.rank + M.size - 1) % M.size, 7, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    free(send);
    in->k = M.buf[0];
    memcpy(in->colors, M.buf + 1, (size_t)n * sizeof *in->colors);
  }
  return 0;
}

static int engine_round(void *ctx, const prism_graph *g, const prism_solve_opts *o,
                        prism_solve_result *res, double t0, const prism_migrant *out,
                        prism_migrant *in) {
  return exchange(g, o, res, t0, 0, out, in);
}

/* -------------------------------------------------------------- the run */

static uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

static int share(int total, int min) {
  int s = total / M.size + (M.rank < total % M.size);
  return s < min ? min : s;
}

int prism_mpi_solve_begin(const prism_graph *g, prism_solve_opts *o, const char **output) {
  if (!M.active) return 0;
  if (agree(g)) return -1;
  M.t0 = prism_now();
  M.global_best = NONE_K;
  M.buf = PRISM_MALLOC(((size_t)g->n + 1) * sizeof *M.buf);
  /* rank 0's islands take the run's seed: -np 1 is the plain run */
  M.x.engine_seed = M.rank == 0 ? o->seed : mix64(o->seed ^ mix64((uint64_t)M.rank));
  M.x.round = engine_round;
  M.x.ctx = NULL;
  o->exchange = &M.x;
  if (o->params.islands > 0) o->params.islands = share(o->params.islands, 1);
  if (o->params.replicas > 0) o->params.replicas = share(o->params.replicas, 1);
  if (o->telemetry_path) { /* merged on rank 0 (docs/mpi.md) */
    M.tel = tmpfile();
    if (!M.tel) prism_die("cannot create a telemetry buffer: %s", strerror(errno));
    if (M.rank == 0) {
      M.out_path = o->telemetry_path;
      M.out = fopen(M.out_path, "w");
      if (!M.out) prism_die("cannot open telemetry file '%s'", M.out_path);
    }
    M.x.telemetry = M.tel;
  }
  if (M.rank > 0) {
    *output = NULL;
    o->telemetry_path = NULL;
    o->trace_path = NULL;
    o->status_lines = 0;
    o->qtable_path = NULL;
  }
  if (o->on_info) {
    char line[256];
    snprintf(line, sizeof line,
             "mpi: %d ranks, exchange every %d rounds, islands %s per rank", M.size,
             o->params.migrate_rounds, o->params.islands ? "shared out" : "auto");
    o->on_info(o->ctx, line);
  }
  return 0;
}

/* The status from the global best and bound, as prism_solve decides it. */
static prism_status global_status(const prism_graph *g, const prism_solve_opts *o,
                                  const prism_solve_result *r) {
  if (g->n == 0) return r->status; /* the solve's own answer */
  if (o->target_k && o->target_k < r->lower_bound) return PRISM_STATUS_UNSAT;
  if (r->best_k && r->best_k == r->lower_bound) return PRISM_STATUS_OPTIMUM;
  if (o->target_k)
    return r->best_k && r->best_k <= o->target_k ? PRISM_STATUS_SAT : PRISM_STATUS_UNKNOWN;
  return r->best_k ? PRISM_STATUS_SAT : PRISM_STATUS_UNKNOWN;
}

void prism_mpi_solve_end(const prism_graph *g, const prism_solve_opts *o,
                         prism_solve_result *r) {
  if (!M.active || !M.buf) return;
  while (!M.stopped) exchange(g, o, r, M.t0, 1, NULL, NULL);
  uint64_t mine[2] = {r->moves, r->batches}, sum[2];
  MPI_Allreduce(mine, sum, 2, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  r->moves = sum[0];
  r->batches = sum[1];
  if (M.lb > r->lower_bound) r->lower_bound = M.lb;
  r->status = global_status(g, o, r);
  if (M.tel_any) { /* what came after the last exchange (the engines' end records) */
    telemetry_gather();
    if (M.out) {
      fprintf(M.out,
              "{\"record\":\"end\",\"ranks\":%d,\"best_k\":%u,\"seconds\":%.6f,"
              "\"moves\":%llu,\"batches\":%llu}\n",
              M.size, r->best_k, prism_now() - M.t0, (unsigned long long)r->moves,
              (unsigned long long)r->batches);
      if (fclose(M.out)) prism_die("cannot write telemetry file '%s'", M.out_path);
      M.out = NULL;
    }
  }
  if (M.tel) {
    fclose(M.tel);
    M.tel = NULL;
    M.x.telemetry = NULL;
  }
  if (o->on_info) {
    char line[128];
    snprintf(line, sizeof line, "mpi: %llu exchanges", (unsigned long long)M.exchanges);
    o->on_info(o->ctx, line);
  }
  free(M.buf);
  M.buf = NULL;
}

int prism_mpi_main(int argc, char **argv, int (*color)(int, char **)) {
  if (!launched_by_mpirun()) return color(argc, argv);
  if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
    fprintf(stderr, "prism: error: MPI_Init failed\n");
    return 1;
  }
  M.active = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &M.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &M.size);
  atexit(at_exit);
  if (M.rank > 0) {
    if (!freopen("/dev/null", "w", stdout)) prism_die("cannot silence stdout of rank %d", M.rank);
    capture_stderr();
  }
  int code = color(argc, argv);
  if (!M.agreed) agree(NULL); /* this rank stopped before the solve */
  fflush(stdout);
  MPI_Finalize();
  /* rank 0's code is the job's: mpirun returns the first nonzero one */
  return M.rank == 0 ? code : 0;
}
