/* main.c - the test runner: prism_tests [-l LABEL] [-x LABEL] [SUBSTRING...]
 * runs every registered test whose name contains one of the substrings (all
 * when none), optionally only those with / without a label. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "test.h"

#define MAX_TESTS 1024

typedef struct test_entry {
  const char *name, *labels;
  prism_test_fn fn;
} test_entry;

static test_entry tests[MAX_TESTS];
static int n_tests;
static int cur_failed, cur_skipped;
static char skip_reason[256];

void prism_test_register(const char *name, const char *labels,
                         prism_test_fn fn) {
  if (n_tests == MAX_TESTS) {
    fprintf(stderr, "too many tests\n");
    exit(2);
  }
  tests[n_tests].name = name;
  tests[n_tests].labels = labels;
  tests[n_tests].fn = fn;
  n_tests++;
}

void prism_test_fail(const char *file, int line, const char *what) {
  cur_failed++;
  printf("    %s:%d: check failed: %s\n", file, line, what);
}

void prism_test_skip(const char *why) {
  cur_skipped = 1;
  snprintf(skip_reason, sizeof skip_reason, "%s", why);
}

int prism_test_failed_now(void) { return cur_failed; }

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *prism_test_instances_dir(void) {
  static char buf[4096];
  const char *env = getenv("PRISM_INSTANCES");
  if (env && *env) return is_dir(env) ? env : NULL;
  snprintf(buf, sizeof buf, "%s", "../shared/instances");
  return is_dir(buf) ? buf : NULL;
}

const char *prism_test_path(const char *rel) {
  static char buf[4096];
  const char *root = getenv("PRISM_TEST_ROOT");
  snprintf(buf, sizeof buf, "%s/%s", root && *root ? root : "tests", rel);
  return buf;
}

unsigned long long prism_test_telemetry_max(const char *path, const char *key) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[8192], pat[64];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  unsigned long long mx = 0;
  while (fgets(line, sizeof line, f)) {
    const char *p = strstr(line, pat);
    if (!p) continue;
    unsigned long long x = strtoull(p + strlen(pat), NULL, 10);
    if (x > mx) mx = x;
  }
  fclose(f);
  return mx;
}

static int has_label(const test_entry *t, const char *label) {
  size_t n = strlen(label);
  const char *p = t->labels;
  while ((p = strstr(p, label))) {
    int start = p == t->labels || p[-1] == ' ' || p[-1] == ',';
    int end = p[n] == 0 || p[n] == ' ' || p[n] == ',';
    if (start && end) return 1;
    p += n;
  }
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const test_entry *)a)->name, ((const test_entry *)b)->name);
}

int main(int argc, char **argv) {
  const char *only = NULL, *exclude = NULL;
  const char *pats[64];
  int n_pats = 0, passed = 0, failed = 0, skipped = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-l") && i + 1 < argc) only = argv[++i];
    else if (!strcmp(argv[i], "-x") && i + 1 < argc) exclude = argv[++i];
    else if (!strcmp(argv[i], "--list")) {
      qsort(tests, (size_t)n_tests, sizeof *tests, by_name);
      for (int t = 0; t < n_tests; t++)
        printf("%s [%s]\n", tests[t].name, tests[t].labels);
      return 0;
    } else if (n_pats < 64) pats[n_pats++] = argv[i];
  }
  qsort(tests, (size_t)n_tests, sizeof *tests, by_name);
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int t = 0; t < n_tests; t++) {
    const test_entry *e = &tests[t];
    int match = n_pats == 0;
    for (int p = 0; p < n_pats && !match; p++) match = strstr(e->name, pats[p]) != NULL;
    if (!match) continue;
    if (only && !has_label(e, only)) continue;
    if (exclude && has_label(e, exclude)) continue;
    cur_failed = 0;
    cur_skipped = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    e->fn();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (cur_failed) {
      failed++;
      printf("FAIL %s (%d checks failed, %.0f ms)\n", e->name, cur_failed, ms);
    } else if (cur_skipped) {
      skipped++;
      printf("SKIP %s: %s\n", e->name, skip_reason);
    } else {
      passed++;
      printf("ok   %s (%.0f ms)\n", e->name, ms);
    }
  }
  printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}
