/* params.h - the RuntimeConfig: one struct generated from params.def. */
#ifndef PRISM_CONFIG_PARAMS_H
#define PRISM_CONFIG_PARAMS_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PRISM_PARAM_INT int32_t
#define PRISM_PARAM_REAL double

typedef struct prism_params {
#define PARAM(type, name, def, lo, hi, doc) PRISM_PARAM_##type name;
#include "config/params.def"
#undef PARAM
} prism_params;

typedef enum prism_param_id {
#define PARAM(type, name, def, lo, hi, doc) PRISM_PARAM_ID_##name,
#include "config/params.def"
#undef PARAM
  PRISM_PARAM_COUNT
} prism_param_id;

void prism_params_defaults(prism_params *p);

/* Find a parameter by name (returns its id or -1). */
int prism_params_find(const char *name);
const char *prism_params_name(int id);

/* Get / set by id as double; set clamps nothing: out-of-range returns -1. */
double prism_params_get(const prism_params *p, int id);
int prism_params_set(prism_params *p, int id, double value);

/* Multiply by factor and clamp into [min, max] (controllers use this). */
void prism_params_scale(prism_params *p, int id, double factor);
/* Set clamped into [min, max]. */
void prism_params_set_clamped(prism_params *p, int id, double value);

/* Parse "NAME=VALUE". Returns 0, or -1 with a reason in err. */
int prism_params_parse_assignment(prism_params *p, const char *text, char *err,
                                  unsigned err_len);

/* Read a config file of NAME=VALUE lines ('#' comments). Returns 0, or -1
 * with "FILE:LINE: reason" in err. */
int prism_params_load_file(prism_params *p, const char *path, char *err,
                           unsigned err_len);

/* Usage text: one line per parameter with default, range and doc. */
void prism_params_usage(FILE *out);

/* JSON object of all parameters, on one line. */
void prism_params_dump_json(const prism_params *p, FILE *out);

/* Check every value is in range; returns 0 or -1 with the reason. */
int prism_params_validate(const prism_params *p, char *err, unsigned err_len);

#ifdef __cplusplus
}
#endif

#endif
