/* controller.h - learned control of the engine: after every batch the engine
 * hands the batch's telemetry to the controller, which may change the
 * RuntimeConfig (only through prism_params_scale / prism_params_set_clamped,
 * so every value stays inside the parameter table's bounds). */
#ifndef PRISM_CONTROL_CONTROLLER_H
#define PRISM_CONTROL_CONTROLLER_H

#include <stdint.h>

#include "config/params.h"
#include "engine/telemetry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a controller may know of the graph, to bucket relative to it. */
typedef struct prism_control_ctx {
  uint32_t n;
  uint64_t m;
  uint32_t dsatur_k;    /* colors of the DSATUR start */
  uint32_t lower_bound; /* clique bound */
  uint64_t seed;
} prism_control_ctx;

typedef struct prism_controller prism_controller;

/* kind: "none" (returns NULL, no error), "fluxnet", "random". qtable_path
 * (may be NULL) is loaded now when it exists and saved by
 * prism_controller_finish. Returns NULL with err set on failure. */
prism_controller *prism_controller_create(const char *kind, const prism_params *p,
                                          const prism_control_ctx *ctx,
                                          const char *qtable_path, char *err,
                                          unsigned err_len);

/* One batch: learn from the telemetry and adjust *p for the next batch. */
void prism_controller_step(prism_controller *c, const prism_telemetry *t, prism_params *p);

/* Save what must persist (the Q-table); 0 or -1 with err. */
int prism_controller_finish(prism_controller *c, char *err, unsigned err_len);
void prism_controller_free(prism_controller *c);

#ifdef __cplusplus
}
#endif

#endif
