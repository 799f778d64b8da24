/* jsonl.h - a small JSON Lines reader for telemetry files: one flat JSON
 * object per line; numbers, strings and arrays of numbers are kept, other
 * values (nested objects, true/false/null, mixed arrays) are checked and
 * skipped. Malformed or truncated lines are errors (FILE:LINE: what). */
#ifndef PRISM_REPORT_JSONL_H
#define PRISM_REPORT_JSONL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { PRISM_JSON_OTHER = 0, PRISM_JSON_NUMBER, PRISM_JSON_STRING, PRISM_JSON_ARRAY };
#define PRISM_JSON_KEY_MAX 48
#define PRISM_JSON_STR_MAX 512
#define PRISM_JSON_ARR_MAX 8
#define PRISM_JSON_FIELDS 64

typedef struct prism_json_field {
  char key[PRISM_JSON_KEY_MAX]; /* longer keys are skipped with their value */
  int type;                     /* PRISM_JSON_* */
  double num;
  char str[PRISM_JSON_STR_MAX]; /* a string (truncated when longer), or a number's text */
  double arr[PRISM_JSON_ARR_MAX];
  int arr_len; /* numbers kept (at most PRISM_JSON_ARR_MAX) */
} prism_json_field;

typedef struct prism_json_obj {
  prism_json_field f[PRISM_JSON_FIELDS]; /* fields beyond are skipped */
  int n;
} prism_json_obj;

/* Parse one line holding one JSON object (trailing whitespace allowed).
 * Returns 0, or -1 with what (e.g. "unterminated string"). */
int prism_json_parse_line(const char *s, size_t len, prism_json_obj *o, char *what,
                          unsigned what_len);

/* The field named key, or NULL. */
const prism_json_field *prism_json_get(const prism_json_obj *o, const char *key);

/* Call fn for every nonblank line of path; stops at the first bad line or a
 * nonzero fn (which sets err). Returns 0, or -1 with err "path:LINE: what"
 * or "path: what". */
typedef int (*prism_jsonl_fn)(void *ctx, const prism_json_obj *o, const char *path,
                              unsigned long line, char *err, unsigned err_len);
int prism_jsonl_read(const char *path, prism_jsonl_fn fn, void *ctx, char *err,
                     unsigned err_len);

#ifdef __cplusplus
}
#endif

#endif
