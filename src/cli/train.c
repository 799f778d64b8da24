/* train.c - prism train: FluxNet Q-learning over a curriculum of graphs.
 *
 *   prism train GRAPH... --qtable FILE [--episodes N] [--time-limit S] ...
 *   prism train GRAPH... --controller mbrl --qtable FILE --model FILE ...
 *     (the MBRL controller, docs/mbrl.md: the same loop, both files saved)
 *
 * The table is loaded once (a missing FILE starts empty), kept in memory as
 * one learner shared by every solve (prism_controller_share: the engine's
 * "fluxnet" controller is a handle on it, reset_episode between graphs keeps
 * the table), and saved atomically after every episode and at the end. An
 * episode is one pass over the graphs in the order given (the curriculum:
 * give them easy to hard); each graph is solved (minimising, no target) for
 * the time limit with seed + episode - 1. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/params.h"
#include "control/controller.h"
#include "control/fluxnet.h"
#include "engine/solve.h"
#include "graph/read.h"
#include "util/timer.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
  prism_solve_interrupt();
}

static void usage_train(FILE *f) {
  fprintf(f,
          "usage: prism train GRAPH[:K]... --qtable FILE [--controller mbrl --model FILE] [options]\n\n"
          "Train the FluxNet controller: each episode solves every GRAPH in order\n"
          "(down to K colors when ':K' is given, else minimising; at most the time\n"
          "limit) with one Q-table kept across graphs; FILE is loaded at the start\n"
          "(missing: an empty table) and saved atomically after every episode.\n\n"
          "  -Q, --qtable FILE      the Q-table (required)\n"
          "      --controller C     fluxnet (default) | mbrl (model-based: Dyna and a\n"
          "                         planner over a learned world model; needs --model)\n"
          "      --model FILE       mbrl: the world model, loaded at the start (missing:\n"
          "                         a new one) and saved with the table\n"
          "  -e, --episodes N       passes over the graphs (default 1)\n"
          "  -t, --time-limit S     seconds per graph and episode (default 20)\n"
          "  -s, --seed N           seed of episode 1; episode E uses seed + E - 1\n"
          "                         (default 1)\n"
          "  -j, --threads N        worker threads (default 1)\n"
          "  -p, --param NAME=VAL   set a parameter (repeatable; 'prism params')\n"
          "      --config FILE      NAME=VALUE parameter lines\n"
          "      --format FMT       graph format (default: by extension)\n"
          "      --backend B        auto | cpu | cuda (default auto)\n"
          "      --show             print the policy learned in --qtable FILE and exit\n"
          "      --merge            the arguments are Q-table files learned in parallel:\n"
          "                         write their visit-weighted mean to --qtable FILE\n"
          "  -q, --quiet            only the per-episode lines\n"
          "  -h, --help\n\n"
          "Per solve: 'c episode E graph G best_k K time S reward R epsilon X steps N'.\n");
}

/* "dir/DSJC250.5.col" -> "DSJC250.5" */
static void graph_name(const char *path, char *out, size_t len) {
  const char *s = strrchr(path, '/');
  s = s ? s + 1 : path;
  size_t n = strlen(s) < len - 1 ? strlen(s) : len - 1;
  memcpy(out, s, n);
  out[n] = 0;
  char *dot = strrchr(out, '.');
  if (dot && dot != out) *dot = 0;
}

/* "GRAPH:K" (K all digits, GRAPH not itself a file) -> path and target k. */
static int split_target(const char *arg, char *path, size_t len, uint32_t *k) {
  snprintf(path, len, "%s", arg);
  *k = 0;
  char *colon = strrchr(path, ':');
  if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1)) return 0;
  FILE *f = fopen(arg, "r");
  if (f) { /* a file whose name ends in ':digits' */
    fclose(f);
    return 0;
  }
  errno = 0;
  unsigned long v = strtoul(colon + 1, NULL, 10);
  if (errno || v == 0 || v > UINT32_MAX) return -1;
  *colon = 0;
  *k = (uint32_t)v;
  return 0;
}

static void print_config(const char *graph, const prism_controller_stats *st) {
  const prism_params *b = &st->best;
  printf("c best config %s (k %u at %.2f s): chemical_potential=%g tunneling_prob_base=%g "
         "global_temperature=%g reservoir_leak_rate=%g stress_weight=%g "
         "tunneling_prob_boost=%g\n",
         graph, st->best_k, st->best_time, b->chemical_potential, b->tunneling_prob_base,
         b->global_temperature, b->reservoir_leak_rate, b->stress_weight,
         b->tunneling_prob_boost);
}

/* prism train --show --qtable FILE: the learned policy, state by state */
static int show_table(const char *path, const prism_params *p) {
  char err[512];
  prism_params q = *p;
  q.fluxnet_epsilon = 1.0;
  prism_fluxnet *f = prism_fluxnet_new(PRISM_FLUX_LEARN, &q);
  int lr = prism_fluxnet_load(f, path, &q, err, sizeof err);
  if (lr) {
    if (lr > 0) snprintf(err, sizeof err, "%s: no such file", path);
    fprintf(stderr, "prism: error: %s\n", err);
    prism_fluxnet_free(f);
    return 1;
  }
  printf("c %s: %llu episodes, %llu updates, epsilon %.4f\nc layout: %s\n", path,
         (unsigned long long)f->table.episodes, (unsigned long long)f->table.steps,
         f->table.epsilon, f->table.layout);
  printf("c state conflict depth temp trans stag   visits  Q(noop)  greedy   Q(greedy)\n");
  uint64_t greedy_count[PRISM_FLUX_ACTIONS] = {0}, visits_by_greedy[PRISM_FLUX_ACTIONS] = {0};
  prism_flux_features ft;
  for (ft.conflict = 0; ft.conflict < PRISM_FLUX_CONFLICT_LEVELS; ft.conflict++)
    for (ft.depth = 0; ft.depth < PRISM_FLUX_DEPTH_LEVELS; ft.depth++)
      for (ft.temp = 0; ft.temp < PRISM_FLUX_TEMP_LEVELS; ft.temp++)
        for (ft.transition = 0; ft.transition < PRISM_FLUX_TRANSITION_LEVELS; ft.transition++)
          for (ft.stagnation = 0; ft.stagnation < PRISM_FLUX_STAG_LEVELS; ft.stagnation++) {
            uint32_t s = prism_flux_state_index(&ft);
            uint64_t v = 0;
            for (int a = 0; a < PRISM_FLUX_ACTIONS; a++)
              v += f->table.visits[(size_t)s * PRISM_FLUX_ACTIONS + a];
            if (!v) continue;
            int g = prism_fluxnet_greedy(f, s);
            const double *qs = f->table.q + (size_t)s * PRISM_FLUX_ACTIONS;
            greedy_count[g]++;
            visits_by_greedy[g] += v;
            printf("c %5u %8u %5u %4u %5u %4u %8llu %8.3f  %-7s %8.3f\n", s, ft.conflict,
                   ft.depth, ft.temp, ft.transition, ft.stagnation, (unsigned long long)v,
                   qs[PRISM_FLUX_NOOP], prism_flux_action_name(g), qs[g]);
          }
  printf("c greedy action: states (their visits)");
  for (int a = 0; a < PRISM_FLUX_ACTIONS; a++)
    if (greedy_count[a])
      printf("  %s %llu (%llu)", prism_flux_action_name(a), (unsigned long long)greedy_count[a],
             (unsigned long long)visits_by_greedy[a]);
  printf("\n");
  prism_fluxnet_free(f);
  return 0;
}

/* prism train --merge IN... --qtable OUT */
static int merge_tables(int n, char **in, const char *out, const prism_params *p, int quiet) {
  char err[512];
  prism_params q = *p;
  q.fluxnet_epsilon = 1.0; /* keep the files' own exploration rates */
  prism_fluxnet *sum = prism_fluxnet_new(PRISM_FLUX_LEARN, &q);
  int rc = 0;
  for (int i = 0; i < n && !rc; i++) {
    prism_fluxnet *f = prism_fluxnet_new(PRISM_FLUX_LEARN, &q);
    int lr = prism_fluxnet_load(f, in[i], &q, err, sizeof err);
    if (lr) {
      if (lr > 0) snprintf(err, sizeof err, "%s: no such file", in[i]);
      fprintf(stderr, "prism: error: %s\n", err);
      rc = 1;
    } else {
      if (i == 0) sum->table.epsilon = f->table.epsilon;
      prism_qtable_merge(&sum->table, &f->table);
      if (!quiet)
        printf("c merged %s: %llu episodes, %llu updates\n", in[i],
               (unsigned long long)f->table.episodes, (unsigned long long)f->table.steps);
    }
    prism_fluxnet_free(f);
  }
  if (!rc && prism_fluxnet_save(sum, out, err, sizeof err)) {
    fprintf(stderr, "prism: error: %s\n", err);
    rc = 1;
  }
  if (!rc && !quiet)
    printf("c wrote %s: %llu episodes, %llu updates, epsilon %.4f\n", out,
           (unsigned long long)sum->table.episodes, (unsigned long long)sum->table.steps,
           sum->table.epsilon);
  prism_fluxnet_free(sum);
  return rc;
}

/* The options of `prism train`, parsed. */
typedef struct train_args {
  prism_solve_opts o;
  const char *qtable, *kind, *model;
  unsigned long episodes;
  prism_format fmt;
  int quiet, merge, show;
} train_args;

/* Parse argv into *a (optind: the first GRAPH); returns -1 to go on, else
 * the exit code (--help, a bad option: one error line printed). */
static int train_parse(int argc, char **argv, train_args *a) {
  static const struct option opts[] = {
      {"qtable", required_argument, 0, 'Q'},   {"episodes", required_argument, 0, 'e'},
      {"time-limit", required_argument, 0, 't'}, {"seed", required_argument, 0, 's'},
      {"threads", required_argument, 0, 'j'},  {"param", required_argument, 0, 'p'},
      {"config", required_argument, 0, 'C'},   {"format", required_argument, 0, 'F'},
      {"backend", required_argument, 0, 'B'},  {"quiet", no_argument, 0, 'q'},
      {"help", no_argument, 0, 'h'},           {"merge", no_argument, 0, 'M'},
      {"show", no_argument, 0, 'W'},
      {"controller", required_argument, 0, 'R'}, {"model", required_argument, 0, 'O'},
      {0, 0, 0, 0}};
  prism_solve_opts_defaults(&a->o);
  a->o.time_limit = 20.0;
  a->kind = "fluxnet";
  a->episodes = 1;
  a->fmt = PRISM_FORMAT_AUTO;
  optind = 1;
  int c;
  char err[512], *end;
  while ((c = getopt_long(argc, argv, "Q:e:t:s:j:p:qh", opts, NULL)) != -1) {
    switch (c) {
      case 'Q': a->qtable = optarg; break;
      case 'e':
        errno = 0;
        a->episodes = strtoul(optarg, &end, 10);
        if (errno || *end || !*optarg || *optarg == '-' || a->episodes == 0 || a->episodes > 1000000) {
          fprintf(stderr, "prism: error: --episodes needs an integer in [1, 1000000], got '%s'\n",
                  optarg);
          return 1;
        }
        break;
      case 't':
        errno = 0;
        a->o.time_limit = strtod(optarg, &end);
        if (errno || *end || !*optarg || !(a->o.time_limit > 0) || isinf(a->o.time_limit)) {
          fprintf(stderr, "prism: error: --time-limit needs seconds > 0, got '%s'\n", optarg);
          return 1;
        }
        break;
      case 's': {
        errno = 0;
        unsigned long long v = strtoull(optarg, &end, 10);
        if (errno || *end || !*optarg || *optarg == '-') {
          fprintf(stderr, "prism: error: --seed needs an unsigned integer, got '%s'\n", optarg);
          return 1;
        }
        a->o.seed = v;
        break;
      }
      case 'j': {
        errno = 0;
        long v = strtol(optarg, &end, 10);
        if (errno || *end || !*optarg || v < 1 || v > 1024) {
          fprintf(stderr, "prism: error: --threads needs an integer in [1, 1024], got '%s'\n",
                  optarg);
          return 1;
        }
        a->o.threads = (int)v;
        break;
      }
      case 'p':
        if (prism_params_parse_assignment(&a->o.params, optarg, err, sizeof err)) {
          fprintf(stderr, "prism: error: %s\n", err);
          return 1;
        }
        break;
      case 'C':
        if (prism_params_load_file(&a->o.params, optarg, err, sizeof err)) {
          fprintf(stderr, "prism: error: %s\n", err);
          return 1;
        }
        break;
      case 'F': {
        int f = prism_format_parse(optarg);
        if (f < 0) {
          fprintf(stderr, "prism: error: unknown format '%s'\n", optarg);
          return 1;
        }
        a->fmt = (prism_format)f;
        break;
      }
      case 'B':
        if (!strcmp(optarg, "auto")) a->o.backend = PRISM_BACKEND_AUTO;
        else if (!strcmp(optarg, "cpu")) a->o.backend = PRISM_BACKEND_CPU;
        else if (!strcmp(optarg, "cuda")) a->o.backend = PRISM_BACKEND_CUDA;
        else {
          fprintf(stderr, "prism: error: unknown backend '%s' (auto, cpu, cuda)\n", optarg);
          return 1;
        }
        break;
      case 'q': a->quiet = 1; break;
      case 'M': a->merge = 1; break;
      case 'W': a->show = 1; break;
      case 'R':
        if (strcmp(optarg, "fluxnet") && strcmp(optarg, "mbrl")) {
          fprintf(stderr, "prism: error: train: unknown controller '%s' (fluxnet, mbrl)\n", optarg);
          return 1;
        }
        a->kind = optarg;
        break;
      case 'O': a->model = optarg; break;
      case 'h': usage_train(stdout); return 0;
      default: usage_train(stderr); return 1;
    }
  }
  if (!a->qtable) {
    fprintf(stderr, "prism: error: train needs --qtable FILE\n");
    usage_train(stderr);
    return 1;
  }
  const int mbrl = !strcmp(a->kind, "mbrl");
  if (mbrl && (a->show || a->merge)) {
    fprintf(stderr, "prism: error: --show and --merge read FluxNet tables only\n");
    return 1;
  }
  if (mbrl && !a->model) {
    fprintf(stderr, "prism: error: train --controller mbrl needs --model FILE\n");
    return 1;
  }
  return -1;
}

/* The graphs GRAPH[:K] of the command line: graphs, targets (0: none) and
 * short names; 0, or 1 with one error line (what was read is freed). */
static int train_load(int ng, char **paths, prism_format fmt, int quiet, prism_graph **graphs,
                      uint32_t *target, char (*names)[256]) {
  int rc = 0;
  for (int i = 0; i < ng && !rc; i++) {
    prism_diag diag;
    char path[4096];
    if (split_target(paths[i], path, sizeof path, &target[i])) {
      fprintf(stderr, "prism: error: bad target in '%s' (GRAPH:K, K >= 1)\n", paths[i]);
      rc = 1;
    } else if (prism_graph_read_file(path, fmt, &graphs[i], &diag)) {
      fprintf(stderr, "prism: error: %s\n", diag.error);
      rc = 1;
    } else {
      graph_name(path, names[i], sizeof names[i]);
      if (!quiet) {
        printf("c graph %d %s: %u vertices, %llu edges", i + 1, path, graphs[i]->n,
               (unsigned long long)graphs[i]->m);
        if (target[i]) printf(", target %u colors", target[i]);
        printf("\n");
      }
    }
  }
  if (rc)
    for (int i = 0; i < ng; i++) {
      prism_graph_free(graphs[i]);
      graphs[i] = NULL;
    }
  return rc;
}

/* The episodes: every graph solved once per episode with the shared
 * learner, the table (and model) saved after each; best[i] gets graph i's
 * best run. Returns 0, or 1 with one error line. */
static int train_episodes(train_args *a, prism_controller *learner, int ng,
                          prism_graph **graphs, const uint32_t *target, char (*names)[256],
                          prism_controller_stats *best) {
  prism_solve_opts o = a->o;
  const char *qtable = a->qtable, *model = a->model;
  const int quiet = a->quiet, mbrl = !strcmp(a->kind, "mbrl");
  char err[512];
  int rc = 0;
  prism_controller_stats st;
  prism_controller_get_stats(learner, &st);
  if (!quiet)
    printf("c qtable %s: %llu episodes, %llu updates, %u of %u states visited, epsilon %.4f\n",
           qtable, (unsigned long long)st.episodes, (unsigned long long)st.total_steps,
           st.states_visited, st.n_states, st.epsilon);
  fflush(stdout);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  prism_controller_share(learner);
  o.controller = a->kind;
  o.qtable_path = NULL; /* the shared learner is saved here, not by the engine */
  o.model_path = NULL;
  uint64_t seed0 = o.seed;
  double t_start = prism_now();
  for (unsigned long ep = 1; ep <= a->episodes && !stop_requested && !rc; ep++) {
    double ep_reward = 0;
    for (int i = 0; i < ng && !stop_requested; i++) {
      prism_solve_result r;
      o.seed = seed0 + ep - 1;
      o.target_k = target[i];
      prism_control_ctx ctx = {graphs[i]->n, graphs[i]->m, 0, 0, o.seed, 0};
      prism_controller_reset_episode(learner, &o.params, &ctx); /* no stale stats */
      if (prism_solve(graphs[i], &o, &r, err, sizeof err)) {
        fprintf(stderr, "prism: error: %s\n", err);
        rc = 1;
        break;
      }
      prism_controller_get_stats(learner, &st);
      ep_reward += st.reward;
      printf("c episode %lu graph %s best_k %u time %.2f reward %.3f epsilon %.4f steps %llu\n",
             ep, names[i], r.best_k, r.seconds, st.reward, st.epsilon,
             (unsigned long long)st.steps);
      fflush(stdout);
      if (st.have_best && (!best[i].have_best || st.best_k < best[i].best_k ||
                           (st.best_k == best[i].best_k && st.best_time < best[i].best_time)))
        best[i] = st;
      free(r.colors);
    }
    if (prism_controller_save(learner, qtable, err, sizeof err) ||
        (mbrl && prism_controller_save_model(learner, model, err, sizeof err))) {
      fprintf(stderr, "prism: error: %s\n", err);
      rc = 1;
      break;
    }
    prism_controller_get_stats(learner, &st);
    if (!quiet)
      printf("c episode %lu done: reward %.3f, %u of %u states visited, %llu updates, "
             "%.1f s, saved %s%s%s\n",
             ep, ep_reward, st.states_visited, st.n_states, (unsigned long long)st.total_steps,
             prism_now() - t_start, qtable, mbrl ? " and " : "", mbrl ? model : "");
    fflush(stdout);
  }
  return rc;
}

int prism_cli_train(int argc, char **argv) {
  train_args args;
  memset(&args, 0, sizeof args);
  train_args *a = &args;
  int rc = train_parse(argc, argv, a);
  if (rc >= 0) return rc;
  const int mbrl = !strcmp(a->kind, "mbrl");
  char err[512];
  if (a->show) return show_table(a->qtable, &a->o.params);
  if (optind >= argc) {
    fprintf(stderr, "prism: error: train needs at least one GRAPH\n");
    usage_train(stderr);
    return 1;
  }
  if (prism_params_validate(&a->o.params, err, sizeof err)) {
    fprintf(stderr, "prism: error: %s\n", err);
    return 1;
  }
  if (a->merge) return merge_tables(argc - optind, argv + optind, a->qtable, &a->o.params, a->quiet);
  const int ng = argc - optind;
  prism_graph **graphs = calloc((size_t)ng, sizeof *graphs);
  uint32_t *target = calloc((size_t)ng, sizeof *target);
  char(*names)[256] = calloc((size_t)ng, sizeof *names);
  prism_controller_stats *best = calloc((size_t)ng, sizeof *best);
  if (!graphs || !target || !names || !best) {
    fprintf(stderr, "prism: error: out of memory\n");
    rc = 1;
  } else {
    rc = train_load(ng, argv + optind, a->fmt, a->quiet, graphs, target, names);
  }
  prism_controller *learner = NULL;
  if (!rc) {
    prism_control_ctx ctx0 = {0};
    ctx0.seed = a->o.seed;
    learner = prism_controller_create_with_model(a->kind, &a->o.params, &ctx0, a->qtable,
                                                 mbrl ? a->model : NULL, err, sizeof err);
    if (!learner) {
      fprintf(stderr, "prism: error: %s\n", err);
      rc = 1;
    }
  }
  if (!rc) {
    rc = train_episodes(a, learner, ng, graphs, target, names, best);
    if (!a->quiet)
      for (int i = 0; i < ng; i++)
        if (best[i].have_best) print_config(names[i], &best[i]);
    if (stop_requested && !rc && !a->quiet)
      printf("c interrupted; the table (with the interrupted solve's updates) is saved\n");
    prism_controller_share(NULL);
    prism_controller_free(learner);
  }
  if (graphs)
    for (int i = 0; i < ng; i++) prism_graph_free(graphs[i]);
  free(graphs);
  free(best);
  free(target);
  free(names);
  fflush(stdout);
  return rc;
}
