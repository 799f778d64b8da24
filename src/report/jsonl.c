/* jsonl.c - the JSON Lines reader behind the report (see jsonl.h). */
#include "report/jsonl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/check.h"

typedef struct cursor {
  const char *p, *end;
  const char *what; /* the first error */
} cursor;

static void ws(cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
    c->p++;
}

static int fail(cursor *c, const char *what) {
  if (!c->what) c->what = what;
  return -1;
}

/* A string; its body (escapes decoded, \u as '?' beyond ASCII) into out
 * (NULL: skipped), truncated to cap - 1 bytes. */
static int string(cursor *c, char *out, size_t cap) {
  size_t len = 0;
  if (c->p >= c->end || *c->p != '"') return fail(c, "expected a string");
  c->p++;
  for (;;) {
    if (c->p >= c->end) return fail(c, "unterminated string (truncated line?)");
    char ch = *c->p++;
    if (ch == '"') break;
    if ((unsigned char)ch < 0x20) return fail(c, "control character in a string");
    if (ch == '\\') {
      if (c->p >= c->end) return fail(c, "unterminated string (truncated line?)");
      char e = *c->p++;
      switch (e) {
        case '"': case '\\': case '/': ch = e; break;
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 't': ch = '\t'; break;
        case 'u': {
          unsigned v = 0;
          for (int i = 0; i < 4; i++) {
            if (c->p >= c->end) return fail(c, "truncated \\u escape");
            char h = *c->p++;
            int d = h >= '0' && h <= '9' ? h - '0'
                    : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                           : -1;
            if (d < 0) return fail(c, "bad \\u escape");
            v = v * 16 + (unsigned)d;
          }
          ch = v >= 0x20 && v < 0x7f ? (char)v : '?';
          break;
        }
        default: return fail(c, "bad escape in a string");
      }
    }
    if (out && len + 1 < cap) out[len++] = ch;
  }
  if (out && cap) out[len] = 0;
  return 0;
}

static int number(cursor *c, double *out) {
  char buf[64];
  size_t len = 0;
  while (c->p + len < c->end && len < sizeof buf - 1 && strchr("+-0123456789.eE", c->p[len]))
    len++;
  if (len == 0) return fail(c, "expected a value");
  memcpy(buf, c->p, len);
  buf[len] = 0;
  char *e;
  errno = 0;
  double v = strtod(buf, &e);
  if (*e || e == buf || !isfinite(v) || (buf[0] != '-' && (buf[0] < '0' || buf[0] > '9')))
    return fail(c, "bad number");
  c->p += len;
  *out = v;
  return 0;
}

static int value(cursor *c, prism_json_field *f, int depth);

static int word(cursor *c, const char *w) {
  size_t l = strlen(w);
  if ((size_t)(c->end - c->p) < l || memcmp(c->p, w, l)) return fail(c, "expected a value");
  c->p += l;
  return 0;
}

/* An array; when f is given and every element is a number, f keeps them. */
static int array(cursor *c, prism_json_field *f, int depth) {
  c->p++;
  int numeric = 1, count = 0;
  double tmp[PRISM_JSON_ARR_MAX];
  ws(c);
  if (c->p < c->end && *c->p == ']') {
    c->p++;
  } else {
    for (;;) {
      ws(c);
      prism_json_field el;
      el.type = PRISM_JSON_OTHER;
      if (value(c, &el, depth + 1)) return -1;
      if (el.type != PRISM_JSON_NUMBER) numeric = 0;
      else if (count < PRISM_JSON_ARR_MAX) tmp[count++] = el.num;
      ws(c);
      if (c->p >= c->end) return fail(c, "unterminated array (truncated line?)");
      if (*c->p == ',') { c->p++; continue; }
      if (*c->p == ']') { c->p++; break; }
      return fail(c, "expected ',' or ']' in an array");
    }
  }
  if (f) {
    f->type = numeric ? PRISM_JSON_ARRAY : PRISM_JSON_OTHER;
    f->arr_len = numeric ? count : 0;
    memcpy(f->arr, tmp, (size_t)count * sizeof *tmp);
  }
  return 0;
}

static int object(cursor *c, prism_json_obj *o, int depth);

static int value(cursor *c, prism_json_field *f, int depth) {
  if (depth > 32) return fail(c, "nested too deeply");
  ws(c);
  if (c->p >= c->end) return fail(c, "missing value (truncated line?)");
  switch (*c->p) {
    case '"':
      if (f) f->type = PRISM_JSON_STRING;
      return string(c, f ? f->str : NULL, PRISM_JSON_STR_MAX);
    case '[': return array(c, f, depth);
    case '{':
      if (f) f->type = PRISM_JSON_OTHER;
      return object(c, NULL, depth + 1);
    case 't': return word(c, "true");
    case 'f': return word(c, "false");
    case 'n': return word(c, "null");
    default: {
      const char *p0 = c->p;
      if (f) f->type = PRISM_JSON_NUMBER;
      if (number(c, f ? &f->num : &(double){0})) return -1;
      if (f) snprintf(f->str, sizeof f->str, "%.*s", (int)(c->p - p0), p0); /* the text */
      return 0;
    }
  }
}

/* An object; o (NULL for nested ones: skipped) receives its fields. */
static int object(cursor *c, prism_json_obj *o, int depth) {
  if (c->p >= c->end || *c->p != '{') return fail(c, "not a JSON object");
  c->p++;
  ws(c);
  if (c->p < c->end && *c->p == '}') {
    c->p++;
    return 0;
  }
  for (;;) {
    ws(c);
    char key[PRISM_JSON_KEY_MAX + 1];
    const char *k0 = c->p;
    if (string(c, key, sizeof key)) return -1;
    int keep = o && o->n < PRISM_JSON_FIELDS && (size_t)(c->p - k0) - 2 < PRISM_JSON_KEY_MAX;
    ws(c);
    if (c->p >= c->end || *c->p != ':') return fail(c, "expected ':' after a key");
    c->p++;
    prism_json_field *f = keep ? &o->f[o->n] : NULL;
    if (f) { /* cleared field by field: the record is large */
      memcpy(f->key, key, strlen(key) + 1); /* shorter than the raw key: fits */
      f->type = PRISM_JSON_OTHER;
      f->num = 0;
      f->str[0] = 0;
      f->arr_len = 0;
    }
    if (value(c, f, depth)) return -1;
    if (f) o->n++;
    ws(c);
    if (c->p >= c->end) return fail(c, "unterminated object (truncated line?)");
    if (*c->p == ',') { c->p++; continue; }
    if (*c->p == '}') { c->p++; return 0; }
    return fail(c, "expected ',' or '}' in an object");
  }
}

int prism_json_parse_line(const char *s, size_t len, prism_json_obj *o, char *what,
                          unsigned what_len) {
  cursor c = {s, s + len, NULL};
  o->n = 0;
  ws(&c);
  if (object(&c, o, 0) == 0) {
    ws(&c);
    if (c.p != c.end) fail(&c, "text after the JSON object");
  }
  if (c.what) {
    snprintf(what, what_len, "%s", c.what);
    return -1;
  }
  return 0;
}

const prism_json_field *prism_json_get(const prism_json_obj *o, const char *key) {
  for (int i = 0; i < o->n; i++)
    if (!strcmp(o->f[i].key, key)) return &o->f[i];
  return NULL;
}

int prism_jsonl_read(const char *path, prism_jsonl_fn fn, void *ctx, char *err,
                     unsigned err_len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  prism_json_obj *o = PRISM_MALLOC(sizeof *o);
  char *line = NULL, what[128];
  size_t cap = 0;
  ssize_t len;
  unsigned long lineno = 0;
  int rc = 0;
  while (rc == 0 && (len = getline(&line, &cap, f)) != -1) {
    lineno++;
    size_t i = 0;
    while (i < (size_t)len && strchr(" \t\r\n", line[i]) && line[i]) i++;
    if (i == (size_t)len) continue; /* blank */
    if (memchr(line, 0, (size_t)len)) {
      snprintf(err, err_len, "%s:%lu: binary data (a NUL byte)", path, lineno);
      rc = -1;
    } else if (prism_json_parse_line(line, (size_t)len, o, what, sizeof what)) {
      snprintf(err, err_len, "%s:%lu: %s", path, lineno, what);
      rc = -1;
    } else {
      rc = fn(ctx, o, path, lineno, err, err_len) ? -1 : 0;
    }
  }
  if (rc == 0 && ferror(f)) {
    snprintf(err, err_len, "%s: read error", path);
    rc = -1;
  }
  free(line);
  free(o);
  fclose(f);
  return rc;
}
