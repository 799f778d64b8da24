/* params.c - everything generated from params.def. */
#include "config/params.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct param_info {
  const char *name, *doc;
  int is_int;
  double def, lo, hi;
  size_t offset;
} param_info;

#define PRISM_IS_INT_INT 1
#define PRISM_IS_INT_REAL 0
static const param_info infos[PRISM_PARAM_COUNT] = {
#define PARAM(type, name, def, lo, hi, doc)                                  \
  {#name, doc, PRISM_IS_INT_##type, (double)(def), (double)(lo), (double)(hi), \
   offsetof(prism_params, name)},
#include "config/params.def"
#undef PARAM
};

void prism_params_defaults(prism_params *p) {
  memset(p, 0, sizeof *p);
#define PARAM(type, name, def, lo, hi, doc) p->name = (PRISM_PARAM_##type)(def);
#include "config/params.def"
#undef PARAM
}

int prism_params_find(const char *name) {
  for (int i = 0; i < PRISM_PARAM_COUNT; i++)
    if (!strcmp(infos[i].name, name)) return i;
  return -1;
}

const char *prism_params_name(int id) {
  return id >= 0 && id < PRISM_PARAM_COUNT ? infos[id].name : "?";
}

double prism_params_get(const prism_params *p, int id) {
  const char *base = (const char *)p + infos[id].offset;
  if (infos[id].is_int) return (double)*(const int32_t *)base;
  return *(const double *)base;
}

static void store(prism_params *p, int id, double v) {
  char *base = (char *)p + infos[id].offset;
  if (infos[id].is_int) *(int32_t *)base = (int32_t)llround(v);
  else *(double *)base = v;
}

int prism_params_set(prism_params *p, int id, double value) {
  if (id < 0 || id >= PRISM_PARAM_COUNT || isnan(value)) return -1;
  if (value < infos[id].lo || value > infos[id].hi) return -1;
  if (infos[id].is_int && value != floor(value)) return -1;
  store(p, id, value);
  return 0;
}

void prism_params_set_clamped(prism_params *p, int id, double value) {
  if (isnan(value)) return;
  if (value < infos[id].lo) value = infos[id].lo;
  if (value > infos[id].hi) value = infos[id].hi;
  store(p, id, value);
}

void prism_params_scale(prism_params *p, int id, double factor) {
  prism_params_set_clamped(p, id, prism_params_get(p, id) * factor);
}

int prism_params_parse_assignment(prism_params *p, const char *text, char *err,
                                  unsigned err_len) {
  const char *eq = strchr(text, '=');
  char name[128];
  if (!eq || eq == text || (size_t)(eq - text) >= sizeof name) {
    snprintf(err, err_len, "expected NAME=VALUE, got '%s'", text);
    return -1;
  }
  memcpy(name, text, (size_t)(eq - text));
  name[eq - text] = 0;
  int id = prism_params_find(name);
  if (id < 0) {
    snprintf(err, err_len, "unknown parameter '%s' (see 'prism params')", name);
    return -1;
  }
  const char *val = eq + 1;
  char *end = NULL;
  errno = 0;
  double v = strtod(val, &end);
  while (end && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')) end++;
  if (!*val || !end || *end || errno == ERANGE || isnan(v) || isinf(v)) {
    snprintf(err, err_len, "parameter '%s': '%s' is not a number", name, val);
    return -1;
  }
  if (infos[id].is_int && v != floor(v)) {
    snprintf(err, err_len, "parameter '%s' takes an integer, got '%s'", name, val);
    return -1;
  }
  if (v < infos[id].lo || v > infos[id].hi) {
    snprintf(err, err_len, "parameter '%s' = %s out of range [%g, %g]", name, val,
             infos[id].lo, infos[id].hi);
    return -1;
  }
  store(p, id, v);
  return 0;
}

int prism_params_load_file(prism_params *p, const char *path, char *err,
                           unsigned err_len) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  char line[1024], msg[512];
  unsigned lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (!strchr(line, '\n') && !feof(f)) {
      snprintf(err, err_len, "%s:%u: line too long", path, lineno);
      fclose(f);
      return -1;
    }
    char *s = line;
    char *hash = strchr(s, '#');
    if (hash) *hash = 0;
    while (*s == ' ' || *s == '\t') s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' ||
                   s[len - 1] == '\t'))
      s[--len] = 0;
    if (!len) continue;
    /* allow "name = value" */
    char compact[1024];
    size_t j = 0;
    for (size_t i = 0; s[i] && j + 1 < sizeof compact; i++)
      if (s[i] != ' ' && s[i] != '\t') compact[j++] = s[i];
    compact[j] = 0;
    if (prism_params_parse_assignment(p, compact, msg, sizeof msg)) {
      snprintf(err, err_len, "%s:%u: %s", path, lineno, msg);
      fclose(f);
      return -1;
    }
  }
  fclose(f);
  return 0;
}

void prism_params_usage(FILE *out) {
  for (int i = 0; i < PRISM_PARAM_COUNT; i++) {
    const param_info *in = &infos[i];
    fprintf(out, "  %-24s %-5s default %-8g range [%g, %g]\n      %s\n", in->name,
            in->is_int ? "int" : "real", in->def, in->lo, in->hi, in->doc);
  }
}

void prism_params_dump_json(const prism_params *p, FILE *out) {
  fputc('{', out);
  for (int i = 0; i < PRISM_PARAM_COUNT; i++) {
    double v = prism_params_get(p, i);
    if (infos[i].is_int) fprintf(out, "%s\"%s\":%d", i ? "," : "", infos[i].name, (int)v);
    else fprintf(out, "%s\"%s\":%.17g", i ? "," : "", infos[i].name, v);
  }
  fputc('}', out);
}

int prism_params_validate(const prism_params *p, char *err, unsigned err_len) {
  for (int i = 0; i < PRISM_PARAM_COUNT; i++) {
    double v = prism_params_get(p, i);
    if (isnan(v) || v < infos[i].lo || v > infos[i].hi) {
      snprintf(err, err_len, "parameter '%s' = %g out of range [%g, %g]", infos[i].name,
               v, infos[i].lo, infos[i].hi);
      return -1;
    }
  }
  if (p->temp_min > p->temp_max) {
    snprintf(err, err_len, "temp_min (%g) must not exceed temp_max (%g)", p->temp_min,
             p->temp_max);
    return -1;
  }
  return 0;
}
