/* main.c - the prism command: color, info, verify, params. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/ckpt.h"
#include "cli/cli.h"
#include "color/color.h"
#include "config/params.h"
#include "control/controller.h"
#include "cuda/cuda_backend.h"
#include "engine/progress.h"
#include "engine/solve.h"
#include "graph/read.h"
#include "util/atomic_file.h"
#include "mpi/prism_mpi.h"
#include "cuda/gpus.h"
#include "util/check.h"
#include "util/timer.h"

#define PRISM_VERSION "0.1.0"

/* Exit codes (SAT competition style for fixed-k runs). */
enum { EXIT_OK = 0, EXIT_BAD = 1, EXIT_SAT = 10, EXIT_UNSAT = 20 };

static int quiet;

static void usage_main(FILE *f) {
  fprintf(f,
          "prism %s - graph coloring solver\n\n"
          "usage: prism COMMAND [options]\n\n"
          "commands:\n"
          "  color GRAPH     find a coloring with as few colors as possible\n"
          "  info GRAPH      size, density, degrees, clique bound, DSATUR colors\n"
          "  train GRAPH...  train the FluxNet controller over a curriculum of graphs\n"
          "  verify GRAPH COLORING\n"
          "                  check a coloring (DIMACS 'l V C' lines or 'v' lines)\n"
          "  params          list the engine parameters (--param NAME=VALUE)\n"
          "  report RUN.jsonl -o report.html\n"
          "                  an HTML report (charts, summary) from a telemetry file\n"
          "  devices         the CUDA devices and their peer access and bandwidths\n\n"
          "Run 'prism COMMAND --help' for the options of a command.\n",
          PRISM_VERSION);
}

static void usage_color(FILE *f) {
  fprintf(f,
          "usage: prism color GRAPH [options]     (GRAPH '-' reads stdin)\n\n"
          "  -k, --colors K         stop at a K-coloring; exit 10 found, 20 impossible,\n"
          "                         0 unknown at the time limit\n"
          "  -t, --time-limit S     seconds (default 60; 0 = no limit)\n"
          "  -s, --seed N           random seed (default 1)\n"
          "  -j, --threads N        worker threads (default: the online cores; the result\n"
          "                         is the same for every thread count)\n"
          "  -o, --output FILE      write the coloring in DIMACS format (s col K, l V C)\n"
          "  -p, --param NAME=VAL   set an engine parameter (repeatable; see 'prism params')\n"
          "      --config FILE      read NAME=VALUE parameter lines from FILE\n"
          "      --format FMT       dimacs | metis | mtx | edgelist (default: by extension)\n"
          "      --print-coloring   print the coloring as 'v' lines on stdout\n"
          "      --dsatur-only      no search engine: DSATUR and the bound only\n"
          "      --backend B        auto | cpu | cuda (default auto)\n"
          "      --telemetry FILE   per-batch telemetry as JSON Lines\n"
          "      --trace FILE       CUDA: the pipeline timeline as a Chrome trace (JSON)\n"
          "      --gpus LIST        CUDA: all or device numbers 0,1,...; the islands are\n"
          "                         dealt to the devices in turn (default: all; under\n"
          "                         mpirun each rank of a host takes its share)\n"
          "      --status           status lines on stderr even when it is not a terminal\n"
          "                         (default: on a terminal only, one line updated in\n"
          "                         place; time, k, conflicts, moves/s, modes, control)\n"
          "      --report FILE      write an HTML report of the run (charts from the\n"
          "                         telemetry; see 'prism report')\n"
          "      --controller C     none | fluxnet | random | mbrl: adjust the parameters each batch\n"
          "      --qtable FILE      FluxNet Q-table: loaded at start, saved at exit\n"
          "      --model FILE       MBRL world model: loaded at start, saved at exit\n"
          "      --dump-params      print the parameters as JSON ('c params ...')\n"
          "      --checkpoint FILE  save the search (best coloring, population) to FILE\n"
          "                         periodically and when it stops (time limit, done,\n"
          "                         SIGINT/SIGTERM); written atomically\n"
          "      --checkpoint-every S  seconds between checkpoints (default 60)\n"
          "      --resume FILE      continue from a checkpoint of this GRAPH: its best\n"
          "                         coloring (verified), colorings, k and seed (unless -s)\n"
          "  -q, --quiet            only the o, b and s lines (no status lines unless\n"
          "                         --status)\n"
          "  -h, --help\n\n"
          "Output: 'c' comments, 'b LB' lower bound, 'o K' each better coloring,\n"
          "one final 's OPTIMUM FOUND' / 's SATISFIABLE' / 's UNSATISFIABLE' /\n"
          "'s UNKNOWN' line, then 'v' lines when asked.\n");
}

static void cinfo(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void cinfo(const char *fmt, ...) {
  if (quiet) return;
  prism_progress_clear_line();
  va_list ap;
  va_start(ap, fmt);
  fputs("c ", stdout);
  vprintf(fmt, ap);
  fputc('\n', stdout);
  va_end(ap);
  fflush(stdout);
}

static prism_graph *load_graph(const char *path, prism_format fmt) {
  prism_diag diag;
  prism_graph *g = NULL;
  double t = prism_now();
  if (prism_graph_read_file(path, fmt, &g, &diag)) {
    fflush(stdout);
    fprintf(stderr, "prism: error: %s\n", diag.error);
    return NULL;
  }
  unsigned shown = diag.n_warnings < PRISM_DIAG_MAX_WARNINGS ? diag.n_warnings
                                                              : PRISM_DIAG_MAX_WARNINGS;
  for (unsigned i = 0; i < shown; i++) cinfo("warning: %s", diag.warnings[i]);
  if (diag.n_warnings > shown) cinfo("warning: (%u more warnings)", diag.n_warnings - shown);
  cinfo("graph %s: %u vertices, %llu edges, read in %.3f s", path, g->n,
        (unsigned long long)g->m, prism_now() - t);
  return g;
}

static int parse_u64(const char *s, uint64_t *out, uint64_t max) {
  char *end;
  if (!s || !*s || *s == '-' || *s == '+') return -1;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max) return -1;
  *out = v;
  return 0;
}

static int parse_seconds(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || !(v >= 0) || isinf(v)) return -1;
  *out = v;
  return 0;
}

/* --- color ----------------------------------------------------------- */

typedef struct cli_ctx {
  int print_coloring;
  prism_cli_ckpt ckpt;
} cli_ctx;

static void on_info(void *ctx, const char *line) { cinfo("%s", line); }
static void on_bound(void *ctx, uint32_t lb) {
  prism_progress_clear_line();
  printf("b %u\n", lb);
  fflush(stdout);
}
static void on_improve(void *ctx, uint32_t k, const uint32_t *colors, double s) {
  prism_cli_ckpt_improve(&((cli_ctx *)ctx)->ckpt, colors, k);
  prism_progress_clear_line();
  printf("o %u\n", k);
  cinfo("%u colors after %.3f s", k, s);
  fflush(stdout);
}

static void on_population(void *ctx, const prism_population *p, int final) {
  prism_cli_ckpt_population(&((cli_ctx *)ctx)->ckpt, p, final);
}

static void on_signal(int sig) { prism_solve_interrupt(); }

static int write_solution(const char *path, const prism_graph *g, const uint32_t *colors,
                          uint32_t k, uint32_t lb) {
  /* a file: written whole or not at all (temporary file, fsync, rename) */
  prism_atomic_file a = {stdout, "", path};
  if (strcmp(path, "-") && prism_atomic_open(&a, path)) return -1;
  fprintf(a.f, "s col %u\nb %u\n", k, lb);
  for (uint32_t v = 0; v < g->n; v++) fprintf(a.f, "l %u %u\n", v + 1, colors[v] + 1);
  if (a.f == stdout) return fflush(stdout) ? -1 : 0;
  return prism_atomic_commit(&a);
}

/* The options of `prism color`, parsed. */
typedef struct color_args {
  prism_solve_opts o;
  cli_ctx ctx;
  int seed_given, threads_given, dump, status; /* status: -1 = on a terminal */
  const char *output, *report, *gpus;         /* gpus: --gpus (NULL: all) */
  prism_format fmt;
  const char *graph;
} color_args;

/* Parse argv into *a; returns -1 to go on, else the exit code (usage,
 * --help, a bad option: one error line printed). */
static int color_parse(int argc, char **argv, color_args *a) {
  static const struct option opts[] = {
      {"colors", required_argument, 0, 'k'},  {"time-limit", required_argument, 0, 't'},
      {"seed", required_argument, 0, 's'},    {"threads", required_argument, 0, 'j'},
      {"output", required_argument, 0, 'o'},  {"param", required_argument, 0, 'p'},
      {"config", required_argument, 0, 'C'},  {"format", required_argument, 0, 'F'},
      {"print-coloring", no_argument, 0, 'v'}, {"dsatur-only", no_argument, 0, 'D'},
      {"backend", required_argument, 0, 'B'}, {"telemetry", required_argument, 0, 'T'},
      {"status", no_argument, 0, 'S'},        {"dump-params", no_argument, 0, 'J'},
      {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
      {"controller", required_argument, 0, 'R'}, {"qtable", required_argument, 0, 'Q'},
      {"trace", required_argument, 0, 'X'},   {"gpus", required_argument, 0, 1010},
      {"checkpoint", required_argument, 0, 1001}, {"checkpoint-every", required_argument, 0, 1002},
      {"resume", required_argument, 0, 1003},
      {"report", required_argument, 0, 'W'},
      {"model", required_argument, 0, 1004},
      {0, 0, 0, 0}};
  prism_solve_opts_defaults(&a->o);
  a->o.time_limit = 60.0; /* default; --time-limit 0 means none */
  a->ctx.ckpt.every = 60.0;
  a->fmt = PRISM_FORMAT_AUTO;
  a->status = -1;
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  a->o.threads = cores < 1 ? 1 : cores > 1024 ? 1024 : (int)cores;
  optind = 1;
  int c;
  uint64_t u;
  char err[512];
  while ((c = getopt_long(argc, argv, "k:t:s:j:o:p:qh", opts, NULL)) != -1) {
    switch (c) {
      case 'k':
        if (parse_u64(optarg, &u, UINT32_MAX) || u == 0) {
          fprintf(stderr, "prism: error: -k needs a positive integer, got '%s'\n", optarg);
          return EXIT_BAD;
        }
        a->o.target_k = (uint32_t)u;
        break;
      case 't':
        if (parse_seconds(optarg, &a->o.time_limit)) {
          fprintf(stderr, "prism: error: --time-limit needs seconds >= 0, got '%s'\n", optarg);
          return EXIT_BAD;
        }
        break;
      case 's':
        if (parse_u64(optarg, &u, UINT64_MAX)) {
          fprintf(stderr, "prism: error: --seed needs an unsigned integer, got '%s'\n", optarg);
          return EXIT_BAD;
        }
        a->o.seed = u;
        a->seed_given = 1;
        break;
      case 'j':
        if (parse_u64(optarg, &u, 1024) || u == 0) {
          fprintf(stderr, "prism: error: --threads needs an integer in [1, 1024], got '%s'\n",
                  optarg);
          return EXIT_BAD;
        }
        a->o.threads = (int)u;
        a->threads_given = 1;
        break;
      case 'o': a->output = optarg; break;
      case 'p':
        if (prism_params_parse_assignment(&a->o.params, optarg, err, sizeof err)) {
          fprintf(stderr, "prism: error: %s\n", err);
          return EXIT_BAD;
        }
        break;
      case 'C':
        if (prism_params_load_file(&a->o.params, optarg, err, sizeof err)) {
          fprintf(stderr, "prism: error: %s\n", err);
          return EXIT_BAD;
        }
        break;
      case 'F': {
        int f = prism_format_parse(optarg);
        if (f < 0) {
          fprintf(stderr, "prism: error: unknown format '%s'\n", optarg);
          return EXIT_BAD;
        }
        a->fmt = (prism_format)f;
        break;
      }
      case 'v': a->ctx.print_coloring = 1; break;
      case 'D': a->o.engine = 0; break;
      case 'B':
        if (!strcmp(optarg, "auto")) a->o.backend = PRISM_BACKEND_AUTO;
        else if (!strcmp(optarg, "cpu")) a->o.backend = PRISM_BACKEND_CPU;
        else if (!strcmp(optarg, "cuda")) a->o.backend = PRISM_BACKEND_CUDA;
        else {
          fprintf(stderr, "prism: error: unknown backend '%s' (auto, cpu, cuda)\n", optarg);
          return EXIT_BAD;
        }
        break;
      case 'T': a->o.telemetry_path = optarg; break;
      case 'X': a->o.trace_path = optarg; break;
      case 1010: a->gpus = optarg; break;
      case 'S': a->status = 1; break;
      case 'W': a->report = optarg; break;
      case 'J': a->dump = 1; break;
      case 'q': quiet = 1; break;
      case 'R':
        if (strcmp(optarg, "none") && strcmp(optarg, "fluxnet") && strcmp(optarg, "random") &&
            strcmp(optarg, "mbrl")) {
          fprintf(stderr, "prism: error: unknown controller '%s' (none, fluxnet, random, mbrl)\n",
                  optarg);
          return EXIT_BAD;
        }
        a->o.controller = optarg;
        break;
      case 'Q': a->o.qtable_path = optarg; break;
      case 1001: a->ctx.ckpt.path = optarg; break;
      case 1002:
        if (parse_seconds(optarg, &a->ctx.ckpt.every) || !(a->ctx.ckpt.every > 0)) {
          fprintf(stderr, "prism: error: --checkpoint-every needs seconds > 0, got '%s'\n",
                  optarg);
          return EXIT_BAD;
        }
        break;
      case 1003: a->ctx.ckpt.resume = optarg; break;
      case 1004: a->o.model_path = optarg; break;
      case 'h': usage_color(stdout); return EXIT_OK;
      default: usage_color(stderr); return EXIT_BAD;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "prism: error: color needs exactly one GRAPH argument\n");
    usage_color(stderr);
    return EXIT_BAD;
  }
  a->graph = argv[optind];
  if (prism_params_validate(&a->o.params, err, sizeof err)) {
    fprintf(stderr, "prism: error: %s\n", err);
    return EXIT_BAD;
  }
  return -1;
}

/* The CUDA devices this process uses (--gpus, or its share of the host's
 * under mpirun); 0, or EXIT_BAD with one error line. */
static int color_devices(const color_args *a) {
  const char *gpus = a->gpus;
  if (a->o.engine) {
    char why[256];
    int have = prism_cuda_available(why, sizeof why);
    if (a->o.backend == PRISM_BACKEND_CUDA && !have) {
      fprintf(stderr, "prism: error: --backend cuda: %s\n", why);
      return EXIT_BAD;
    }
    char share[256];
    int lrank, lsize;
    prism_gpus_local(&lrank, &lsize);
    if (have && !gpus && lsize > 1) { /* mpirun, several ranks on this host: a share each */
      int dev[PRISM_CUDA_MAX_DEVICES];
      const int nd = prism_gpus_share(prism_cuda_device_count(), lrank, lsize, dev,
                                      PRISM_CUDA_MAX_DEVICES);
      prism_gpus_format(dev, nd, share, sizeof share);
      gpus = share;
    }
    if (have && prism_cuda_set_devices(gpus, why, sizeof why)) {
      fprintf(stderr, "prism: error: %s\n", why);
      return EXIT_BAD;
    }
    if (have) cinfo("CUDA device: %s", why);
  }
  return 0;
}

/* Refuse a bad Q-table or model before anything is printed on the result
 * stream; 0, or EXIT_BAD with one error line. */
static int color_probe_controller(const color_args *a) {
  char err[512];
  if ((a->o.qtable_path || a->o.model_path) && strcmp(a->o.controller, "none")) {
    /* refuse a bad Q-table or model before anything is printed on the result stream */
    FILE *qf = fopen(a->o.qtable_path ? a->o.qtable_path : "", "rb");
    FILE *mf = fopen(a->o.model_path ? a->o.model_path : "", "rb");
    if (qf || mf) {
      if (qf) fclose(qf);
      if (mf) fclose(mf);
      prism_control_ctx cc = {100, 1000, 10, 2, a->o.seed, 0};
      prism_controller *probe = prism_controller_create_with_model(
          a->o.controller, &a->o.params, &cc, a->o.qtable_path, a->o.model_path, err, sizeof err);
      if (!probe) {
        fprintf(stderr, "prism: error: %s\n", err);
        return EXIT_BAD;
      }
      prism_controller_free(probe);
    }
  }
  return 0;
}

/* The result stream's end: the s line, the coloring (v lines, output),
 * the report; returns the exit code. op: the options the solve ran with. */
static int color_finish(const color_args *a, const prism_solve_opts *op, const char *output,
                        const prism_graph *g, const prism_solve_result *rp) {
  const prism_solve_result r = *rp;
  const prism_solve_opts o = *op;
  const char *report = a->report;
  cinfo("%llu moves in %llu batches, %.3f s", (unsigned long long)r.moves,
        (unsigned long long)r.batches, r.seconds);
  int code = EXIT_OK;
  switch (r.status) {
    case PRISM_STATUS_OPTIMUM: puts("s OPTIMUM FOUND"); break;
    case PRISM_STATUS_SAT: puts("s SATISFIABLE"); break;
    case PRISM_STATUS_UNSAT: puts("s UNSATISFIABLE"); break;
    default: puts("s UNKNOWN"); break;
  }
  if (o.target_k) {
    if (r.status == PRISM_STATUS_UNSAT) code = EXIT_UNSAT;
    else if (r.best_k && r.best_k <= o.target_k) code = EXIT_SAT;
  }
  int printable = r.status != PRISM_STATUS_UNSAT && r.status != PRISM_STATUS_UNKNOWN;
  if (a->ctx.print_coloring && printable) {
    int col = 0;
    for (uint32_t v = 0; v < g->n; v++) {
      col += printf("%s%u", col == 0 ? "v " : " ", r.colors[v] + 1);
      if (col > 72) {
        putchar('\n');
        col = 0;
      }
    }
    if (col) putchar('\n');
  }
  if (output && printable) {
    if (write_solution(output, g, r.colors, r.best_k, r.lower_bound)) {
      fprintf(stderr, "prism: error: cannot write '%s': %s\n", output, strerror(errno));
      code = EXIT_BAD;
    }
  }
  if (report) {
    if (prism_cli_report_write(report, o.telemetry_path, a->graph, g, o.seed, &r))
      code = EXIT_BAD;
    else
      cinfo("report written to %s", report);
  }
  return code;
}

static int cmd_color(int argc, char **argv) {
  const double t_start = prism_now(); /* --time-limit counts from here */
  color_args args;
  memset(&args, 0, sizeof args);
  color_args *a = &args;
  int rc = color_parse(argc, argv, a);
  if (rc >= 0) return rc;
  prism_solve_opts o = a->o;
  cli_ctx *ctx = &a->ctx;
  const char *output = a->output, *report = a->report;
  char err[512];
  /* status lines: on a terminal by default (one line updated in place),
   * --status forces them, --quiet silences them unless --status */
  if (a->status < 0) a->status = !quiet && isatty(STDERR_FILENO);
  o.status_lines = !a->status                 ? PRISM_PROGRESS_OFF
                   : isatty(STDERR_FILENO) ? PRISM_PROGRESS_INPLACE
                                           : PRISM_PROGRESS_SCROLL;
  cinfo("prism %s  seed %llu  threads %d%s", PRISM_VERSION, (unsigned long long)o.seed,
        o.threads, a->threads_given ? "" : " (online cores)");
  if (a->dump && !quiet) {
    fputs("c params ", stdout);
    prism_params_dump_json(&o.params, stdout);
    fputc('\n', stdout);
  }
  if (color_devices(a) || color_probe_controller(a)) return EXIT_BAD;
  prism_graph *g = load_graph(a->graph, a->fmt);
  if (!g) return EXIT_BAD;
  if (o.time_limit > 0) { /* the limit counts from the start (device probe, reading) */
    o.time_limit -= prism_now() - t_start;
    if (o.time_limit < 0.001) o.time_limit = 0.001;
  }
  o.on_info = on_info;
  o.ctx = ctx;
  o.on_population = ctx->ckpt.path ? on_population : NULL;
  if (prism_cli_ckpt_start(&ctx->ckpt, g, &o, a->seed_given, err, sizeof err)) {
    fflush(stdout);
    fprintf(stderr, "prism: error: %s\n", err);
    prism_cli_ckpt_free(&ctx->ckpt);
    prism_graph_free(g);
    return EXIT_BAD;
  }
  char tmp_tel[4096] = "";
  if (report && !o.telemetry_path && prism_cli_report_temp(tmp_tel, sizeof tmp_tel)) {
    prism_graph_free(g);
    return EXIT_BAD;
  }
  if (tmp_tel[0]) o.telemetry_path = tmp_tel;
  o.graph_name = a->graph;
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  o.on_info = on_info;
  o.on_bound = on_bound;
  o.on_improve = on_improve;
  o.ctx = ctx;
  prism_solve_result r;
  if (prism_mpi_solve_begin(g, &o, &output)) { /* mpirun: a rank failed */
    prism_graph_free(g);
    return EXIT_BAD;
  }
  if (prism_solve(g, &o, &r, err, sizeof err)) {
    fprintf(stderr, "prism: error: %s\n", err);
    prism_cli_ckpt_free(&ctx->ckpt);
    prism_graph_free(g);
    if (tmp_tel[0]) unlink(tmp_tel);
    return EXIT_BAD;
  }
  prism_mpi_solve_end(g, &o, &r); /* mpirun: the best of every rank */
  /* The final gate: nothing is printed or written unless it verifies. */
  int have_coloring = r.best_k > 0 || g->n == 0;
  if (have_coloring && prism_verify(g, r.colors, 0, err, sizeof err))
    prism_die("internal error: final coloring does not verify: %s", err);
  int ckpt_failed = prism_cli_ckpt_finish(&ctx->ckpt, &r, err, sizeof err);
  if (ckpt_failed) {
    fflush(stdout);
    fprintf(stderr, "prism: error: %s\n", err);
  }
  int code = color_finish(a, &o, output, g, &r);
  if (tmp_tel[0]) unlink(tmp_tel);
  fflush(stdout);
  if (ckpt_failed) code = EXIT_BAD;
  prism_cli_ckpt_free(&ctx->ckpt);
  free(r.colors);
  prism_graph_free(g);
  return code;
}

/* --- info ------------------------------------------------------------ */

static int cmd_info(int argc, char **argv) {
  prism_format fmt = PRISM_FORMAT_AUTO;
  static const struct option opts[] = {{"format", required_argument, 0, 'F'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h') {
      puts("usage: prism info GRAPH [--format FMT]");
      return EXIT_OK;
    }
    if (c == 'F') {
      int f = prism_format_parse(optarg);
      if (f < 0) {
        fprintf(stderr, "prism: error: unknown format '%s'\n", optarg);
        return EXIT_BAD;
      }
      fmt = (prism_format)f;
    } else return EXIT_BAD;
  }
  if (optind != argc - 1) {
    fprintf(stderr, "prism: error: info needs exactly one GRAPH argument\n");
    return EXIT_BAD;
  }
  prism_graph *g = load_graph(argv[optind], fmt);
  if (!g) return EXIT_BAD;
  uint32_t mn = g->n ? UINT32_MAX : 0;
  for (uint32_t v = 0; v < g->n; v++) {
    uint32_t d = prism_graph_degree(g, v);
    if (d < mn) mn = d;
  }
  double dens = g->n > 1 ? 2.0 * (double)g->m / ((double)g->n * (g->n - 1)) : 0;
  printf("vertices %u\nedges %llu\ndensity %.6f\n", g->n, (unsigned long long)g->m, dens);
  printf("degree min %u max %u mean %.2f\n", mn, g->max_degree,
         g->n ? 2.0 * (double)g->m / g->n : 0.0);
  double t = prism_now();
  uint32_t lb = g->n ? prism_clique_lower_bound(g, 1, 200000, NULL) : 0;
  printf("clique_lower_bound %u (%.3f s)\n", lb, prism_now() - t);
  uint32_t *colors = PRISM_MALLOC((size_t)(g->n ? g->n : 1) * sizeof *colors);
  t = prism_now();
  uint32_t k = g->n ? prism_dsatur(g, colors) : 0;
  char err[256];
  if (g->n && prism_verify(g, colors, k, err, sizeof err))
    prism_die("internal error: DSATUR coloring does not verify: %s", err);
  printf("dsatur_colors %u (%.3f s)\n", k, prism_now() - t);
  free(colors);
  prism_graph_free(g);
  return EXIT_OK;
}

/* --- verify ---------------------------------------------------------- */

static int cmd_verify(int argc, char **argv) {
  prism_format fmt = PRISM_FORMAT_AUTO;
  static const struct option opts[] = {{"format", required_argument, 0, 'F'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h') {
      puts("usage: prism verify GRAPH COLORING\n"
           "COLORING: DIMACS solution ('s col K', 'l V C' lines) or 'v' lines "
           "(colors of vertices 1..n in order); colors are 1-based.\n"
           "exit 0 when the coloring is proper and complete, 1 otherwise.");
      return EXIT_OK;
    }
    if (c == 'F') {
      int f = prism_format_parse(optarg);
      if (f < 0) return EXIT_BAD;
      fmt = (prism_format)f;
    } else return EXIT_BAD;
  }
  if (optind != argc - 2) {
    fprintf(stderr, "prism: error: verify needs GRAPH and COLORING\n");
    return EXIT_BAD;
  }
  quiet = 1;
  prism_graph *g = load_graph(argv[optind], fmt);
  if (!g) return EXIT_BAD;
  const char *path = argv[optind + 1];
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "prism: error: %s: cannot open: %s\n", path, strerror(errno));
    prism_graph_free(g);
    return EXIT_BAD;
  }
  uint32_t *colors = PRISM_MALLOC((size_t)(g->n ? g->n : 1) * sizeof *colors);
  for (uint32_t v = 0; v < g->n; v++) colors[v] = PRISM_NO_COLOR;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  unsigned long lineno = 0;
  uint32_t next_v = 0, claimed = 0;
  int bad = 0;
  while (!bad && (len = getline(&line, &cap, f)) != -1) {
    lineno++;
    char *s = line, *end;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == 'l') {
      unsigned long long v, col;
      errno = 0;
      v = strtoull(s + 1, &end, 10);
      col = strtoull(end, &end, 10);
      while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n') end++;
      if (errno || *end || v < 1 || v > g->n || col < 1 || col > UINT32_MAX - 1) {
        fprintf(stderr, "prism: error: %s:%lu: bad 'l V C' line\n", path, lineno);
        bad = 1;
      } else colors[v - 1] = (uint32_t)(col - 1);
    } else if (*s == 'v') {
      s++;
      for (;;) {
        while (*s == ' ' || *s == '\t') s++;
        if (*s == '\n' || *s == '\r' || *s == 0) break;
        if (*s < '0' || *s > '9') {
          fprintf(stderr, "prism: error: %s:%lu: bad token in 'v' line\n", path, lineno);
          bad = 1;
          break;
        }
        errno = 0;
        unsigned long long col = strtoull(s, &end, 10);
        if (errno || col < 1 || col > UINT32_MAX - 1 || next_v >= g->n) {
          fprintf(stderr, "prism: error: %s:%lu: bad color or too many colors\n", path,
                  lineno);
          bad = 1;
          break;
        }
        colors[next_v++] = (uint32_t)(col - 1);
        s = end;
      }
    } else if (*s == 's') {
      unsigned long long k;
      if (sscanf(s, "s col %llu", &k) == 1) claimed = (uint32_t)k;
    }
  }
  free(line);
  fclose(f);
  int code = EXIT_BAD;
  char msg[256];
  if (!bad) {
    if (prism_verify(g, colors, 0, msg, sizeof msg)) {
      printf("NOT OK: %s\n", msg);
    } else {
      uint32_t k = prism_colors_used(g, colors);
      if (claimed && claimed != k)
        printf("NOT OK: proper coloring with %u colors but the file claims %u\n", k, claimed);
      else {
        printf("OK: proper coloring with %u colors\n", k);
        code = EXIT_OK;
      }
    }
  }
  free(colors);
  prism_graph_free(g);
  return code;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage_main(stderr);
    return EXIT_BAD;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    usage_main(stdout);
    return EXIT_OK;
  }
  if (!strcmp(cmd, "--version")) {
    puts(PRISM_VERSION);
    return EXIT_OK;
  }
  if (!strcmp(cmd, "color")) return prism_mpi_main(argc - 1, argv + 1, cmd_color);
  if (!strcmp(cmd, "info")) return cmd_info(argc - 1, argv + 1);
  if (!strcmp(cmd, "verify")) return cmd_verify(argc - 1, argv + 1);
  if (!strcmp(cmd, "train")) return prism_cli_train(argc - 1, argv + 1);
  if (!strcmp(cmd, "report")) return prism_cli_report(argc - 1, argv + 1);
  if (!strcmp(cmd, "devices")) return prism_cli_devices(argc - 1, argv + 1);
  if (!strcmp(cmd, "params")) {
    puts("engine parameters (set with --param NAME=VALUE or --config FILE):");
    prism_params_usage(stdout);
    return EXIT_OK;
  }
  fprintf(stderr, "prism: error: unknown command '%s'\n", cmd);
  usage_main(stderr);
  return EXIT_BAD;
}
