/* test_report.c - the report: the JSON Lines reader on good, truncated and
 * garbage lines, and the HTML writer (charts present, bad files refused,
 * nothing left behind). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/jsonl.h"
#include "report/report.h"
#include "test.h"

static int parse(const char *s, prism_json_obj *o, char *what) {
  return prism_json_parse_line(s, strlen(s), o, what, 128);
}

PRISM_TEST(report_jsonl_fields, "cpu") {
  prism_json_obj *o = malloc(sizeof *o);
  char what[128];
  TEST_REQUIRE(parse("{\"a\":1.5,\"s\":\"x\\\"y\\u0041\",\"arr\":[1,-2,3e2],\"nest\":{\"q\":[{}]},"
                     "\"t\":true,\"n\":null,\"mixed\":[1,\"a\"]} \r\n",
                     o, what) == 0);
  const prism_json_field *f = prism_json_get(o, "a");
  TEST_CHECK(f && f->type == PRISM_JSON_NUMBER && f->num == 1.5 && !strcmp(f->str, "1.5"));
  f = prism_json_get(o, "s");
  TEST_CHECK(f && f->type == PRISM_JSON_STRING && !strcmp(f->str, "x\"yA"));
  f = prism_json_get(o, "arr");
  TEST_CHECK(f && f->type == PRISM_JSON_ARRAY && f->arr_len == 3 && f->arr[1] == -2 &&
             f->arr[2] == 300);
  f = prism_json_get(o, "mixed");
  TEST_CHECK(f && f->type == PRISM_JSON_OTHER);
  TEST_CHECK(prism_json_get(o, "nest") && prism_json_get(o, "n") && !prism_json_get(o, "q"));
  TEST_CHECK(parse("{}", o, what) == 0 && o->n == 0);
  free(o);
}

PRISM_TEST(report_jsonl_bad_lines, "cpu") {
  static const char *const bad[] = {
      "{\"batch\":1,\"k\":[1,2",  /* truncated inside an array */
      "{\"batch\":1,\"mode\":\"tab", /* truncated inside a string */
      "{\"batch\":1,",            /* truncated after a comma */
      "{\"batch\"",                /* no value */
      "garbage",                   "[1,2]",  "{\"a\":1}}", "{\"a\":nan}",
      "{\"a\":1,}",                "{\"a\":01x}", "{\"a\":\"\\q\"}", "{a:1}",
      "{\"a\":-}",                 "{\"a\":tru}", "{\"a\":1 \"b\":2}", ""};
  prism_json_obj *o = malloc(sizeof *o);
  char what[128];
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    what[0] = 0;
    int rc = parse(bad[i], o, what);
    TEST_CHECK(rc == -1 && what[0]);
    if (rc != -1) fprintf(stderr, "    accepted: %s\n", bad[i]);
  }
  /* deep nesting is refused, not a stack overflow */
  char deep[4096];
  size_t len = 0;
  len += (size_t)sprintf(deep, "{\"a\":");
  for (int i = 0; i < 2000; i++) deep[len++] = '[';
  deep[len] = 0;
  TEST_CHECK(parse(deep, o, what) == -1 && strstr(what, "nested"));
  free(o);
}

/* A temporary file holding text; path receives its name. */
static void temp_file(char *path, const char *text) {
  strcpy(path, "/tmp/prism-report-test-XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) return;
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  s[fread(s, 1, (size_t)n, f)] = 0;
  fclose(f);
  return s;
}

static int count(const char *s, const char *needle) {
  int c = 0;
  for (const char *p = s; (p = strstr(p, needle)); p++) c++;
  return c;
}

/* 40 batches of two islands with every optional field: every chart drawn. */
PRISM_TEST(report_html_all_charts, "cpu") {
  static const char *const act[] = {"mu+", "temp-", "noop", "none"};
  size_t cap = 1 << 16, len = 0;
  char *text = malloc(cap);
  len += (size_t)snprintf(text, cap,
                          "{\"record\":\"run\",\"graph\":\"g<1>.col\",\"n\":100,\"m\":900,"
                          "\"seed\":18446744073709551615,\"lower_bound\":5,\"dsatur_k\":12,"
                          "\"backend\":\"cuda\",\"device\":\"H\",\"threads\":1,\"replicas\":"
                          "8,\"islands\":2,\"controller\":\"fluxnet\"}\n");
  for (int b = 0; b < 40; b++)
    len += (size_t)snprintf(
        text + len, cap - len,
        "{\"batch\":%d,\"island\":%d,\"elapsed_s\":%.3f,\"k\":%d,\"best_k\":%d,"
        "\"best_conflicts\":%d,\"mean_conflicts\":%.1f,\"moves\":1000,\"swap_acceptance\":0.5,"
        "\"swaps_tried\":2,\"batch_us\":4000,\"partialcol_replicas\":%d,"
        "\"temperature\":[0.1,%.2f],\"action\":\"%s\",\"reward\":%.2f,"
        "\"world_model_error\":%.3f}\n",
        b, b % 2, 0.01 * (b + 1), 11 - b / 10, 12 - b / 10, (b * 7) % 13, 2.0 + b % 5, b % 3,
        0.6 + 0.01 * b, act[b % 4], b % 2 ? 0.5 : -0.25, 1.0 / (1 + b));
  len += (size_t)snprintf(text + len, cap - len,
                          "{\"record\":\"end\",\"best_k\":9,\"seconds\":0.4,\"moves\":40000,"
                          "\"batches\":40}\n");
  char tel[64], html[128], err[512];
  temp_file(tel, text);
  snprintf(html, sizeof html, "%s.html", tel);
  TEST_REQUIRE(prism_report_write(tel, html, NULL, err, sizeof err) == 0);
  char *h = slurp(html);
  TEST_REQUIRE(h != NULL);
  static const char *const ids[] = {"chart-colors", "chart-conflicts", "chart-islands",
                                    "chart-throughput", "chart-modes", "chart-temperature",
                                    "chart-swaps", "chart-actions", "chart-rewards",
                                    "chart-world-model", "chart-gpu"};
  for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) TEST_CHECK(strstr(h, ids[i]) != NULL);
  TEST_CHECK_EQ(count(h, "<svg class=\"chart\""), 11);
  TEST_CHECK(count(h, "<polyline class=\"data\"") >= 10);
  TEST_CHECK(strstr(h, "18446744073709551615") != NULL); /* the seed's text, not a double */
  TEST_CHECK(strstr(h, "g&lt;1&gt;.col") && !strstr(h, "g<1>"));
  TEST_CHECK(!strstr(h, "src=") && !strstr(h, "href=") && !strstr(h, "url(") &&
             !strstr(h, "http"));
  TEST_CHECK(!strstr(h, "class=\"note\"")); /* nothing skipped */
  free(h);
  unlink(html);
  unlink(tel);
  free(text);
}

/* A run without the optional fields: the charts it has, notes for the rest. */
PRISM_TEST(report_html_notes, "cpu") {
  char tel[64], html[128], err[512];
  temp_file(tel, "{\"batch\":0,\"island\":0,\"elapsed_s\":0.1,\"k\":5,\"best_k\":6,"
                 "\"best_conflicts\":3,\"mean_conflicts\":4,\"moves\":100}\n"
                 "{\"batch\":1,\"island\":0,\"elapsed_s\":0.2,\"k\":5,\"best_k\":5,"
                 "\"best_conflicts\":0,\"mean_conflicts\":1,\"moves\":100}\n");
  snprintf(html, sizeof html, "%s.html", tel);
  TEST_REQUIRE(prism_report_write(tel, html, NULL, err, sizeof err) == 0);
  char *h = slurp(html);
  TEST_REQUIRE(h != NULL);
  TEST_CHECK(strstr(h, "chart-colors") && strstr(h, "chart-conflicts"));
  TEST_CHECK(!strstr(h, "chart-world-model") && strstr(h, "No 'world_model_error' field"));
  TEST_CHECK(!strstr(h, "chart-gpu") && strstr(h, "Not a CUDA run"));
  TEST_CHECK(!strstr(h, "chart-rewards") && strstr(h, "No controller ran"));
  free(h);
  unlink(html);
  unlink(tel);
}

/* Bad files: one error naming the file (and the line), no report written,
 * no temporary file left behind. */
PRISM_TEST(report_bad_files, "cpu") {
  static const struct {
    const char *text, *want;
  } cases[] = {
      {"{\"batch\":0,\"island\":0,\"elapsed_s\":0.1,\"k\":5,\"best_k\":6,\"best_conflicts\":3,"
       "\"mean_conflicts\":4,\"moves\":100}\n{\"batch\":1,\"island\":0,\"elaps",
       ":2: "},
      {"\x7f" "ELF\x01\x02garbage\n", ":1: "},
      {"{\"batch\":0,\"island\":0}\n", ":1: missing field 'elapsed_s'"},
      {"{\"batch\":0,\"island\":0,\"elapsed_s\":0.1,\"k\":-5,\"best_k\":6,\"best_conflicts\":3,"
       "\"mean_conflicts\":4,\"moves\":100}\n",
       ":1: field 'k' out of range (-5)"},
      {"{\"batch\":0,\"island\":\"zero\"}\n", ":1: not a number: field 'island'"},
      {"\n\n", "no telemetry batch records"},
      {"{\"a\":1}\0{\"b\":2}\n", ":1: "},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char tel[64], html[128], err[512] = "";
    temp_file(tel, cases[i].text);
    if (i == 6) { /* with the NUL byte */
      FILE *f = fopen(tel, "wb");
      fwrite("{\"a\":1}\0{\"b\":2}\n", 1, 16, f);
      fclose(f);
    }
    snprintf(html, sizeof html, "%s.html", tel);
    TEST_CHECK(prism_report_write(tel, html, NULL, err, sizeof err) == -1);
    TEST_CHECK(strncmp(err, tel, strlen(tel)) == 0 && strstr(err, cases[i].want));
    if (!strstr(err, cases[i].want)) fprintf(stderr, "    case %zu: %s\n", i, err);
    TEST_CHECK(access(html, F_OK) != 0);
    unlink(tel);
  }
  char err[512];
  TEST_CHECK(prism_report_write("/nonexistent/t.jsonl", "/tmp/x.html", NULL, err, sizeof err) ==
                 -1 &&
             strstr(err, "cannot open"));
  /* a run that never reached the search: the report from what the caller knows */
  prism_report_summary s = {"g.col", 3, 2, 1, 2, 2, 2, 0.01, 0, 0, "OPTIMUM FOUND"};
  TEST_CHECK(prism_report_write("/nonexistent/t.jsonl", "/tmp/prism-report-test-empty.html", &s,
                                err, sizeof err) == 0);
  char *h = slurp("/tmp/prism-report-test-empty.html");
  TEST_CHECK(h && strstr(h, "No search batches ran") && strstr(h, "OPTIMUM FOUND"));
  free(h);
  unlink("/tmp/prism-report-test-empty.html");
}
