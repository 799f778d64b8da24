/* controller_none.c - placeholder until FluxNet lands: only "none" exists. */
#include <stdio.h>
#include <string.h>

#include "control/controller.h"

prism_controller *prism_controller_create(const char *kind, const prism_params *p,
                                          const prism_control_ctx *ctx,
                                          const char *qtable_path, char *err,
                                          unsigned err_len) {
  if (!kind || !strcmp(kind, "none")) {
    if (err_len) err[0] = 0;
    return NULL;
  }
  snprintf(err, err_len, "unknown controller '%s'", kind);
  return NULL;
}

void prism_controller_step(prism_controller *c, const prism_telemetry *t, prism_params *p) {}
int prism_controller_finish(prism_controller *c, char *err, unsigned err_len) { return 0; }
void prism_controller_free(prism_controller *c) {}
