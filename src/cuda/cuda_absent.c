/* cuda_absent.c - the CUDA backend when the build found no nvcc: every entry
 * point reports that CUDA is not compiled in (create fails, so the others
 * are never reached with an engine). */
#include "cuda/cuda_backend.h"

#include <stdio.h>
#include <string.h>

#define NO_CUDA "this prism was built without CUDA (no nvcc at build time)"

int prism_cuda_available(char *why, unsigned why_len) {
  snprintf(why, why_len, NO_CUDA);
  return 0;
}

int prism_cuda_multiprocessors(void) { return 0; }
int prism_cuda_device_count(void) { return 0; }
int prism_cuda_devices_selected(void) { return 0; }
int prism_cuda_set_devices(const char *spec, char *err, unsigned err_len) {
  if (!spec || !*spec || !strcmp(spec, "all")) return 0;
  snprintf(err, err_len, "--gpus: this build has no CUDA backend");
  return -1;
}

prism_cuda_engine *prism_cuda_engine_create(const prism_graph *g, uint32_t replicas,
                                            uint32_t kmax, uint32_t groups, char *err,
                                            unsigned err_len) {
  snprintf(err, err_len, NO_CUDA);
  return NULL;
}

prism_cuda_engine *prism_cuda_engine_create_w(const prism_graph *g, uint32_t replicas,
                                              uint32_t kmax, uint32_t groups, int32_t wmax,
                                              char *err, unsigned err_len) {
  snprintf(err, err_len, NO_CUDA);
  return NULL;
}

void prism_cuda_engine_set_deadline(prism_cuda_engine *ce, double deadline) {}
void prism_cuda_engine_set_peer_copy(prism_cuda_engine *ce, int mode) {}
void prism_cuda_engine_stash(prism_cuda_engine *ce, uint32_t group, uint32_t slot,
                             uint32_t replica, const uint32_t *colors) {}
void prism_cuda_engine_stash_copy(prism_cuda_engine *ce, uint32_t group, uint32_t dst_slot,
                                  uint32_t src_slot) {}
void prism_cuda_engine_load_stash(prism_cuda_engine *ce, uint32_t group, uint32_t replica,
                                  uint32_t src_group, uint32_t src_slot) {}
void prism_cuda_engine_run_batch(prism_cuda_engine *ce, prism_replica *reps,
                                 uint32_t replicas, const prism_batch_cfg *cfg) {}
void prism_cuda_engine_publish(prism_cuda_engine *ce, uint32_t group,
                               const prism_batch_cfg *cfg) {}
void prism_cuda_engine_launch(prism_cuda_engine *ce, uint32_t group, prism_replica *reps,
                              uint32_t first, uint32_t count) {}
int prism_cuda_engine_done(prism_cuda_engine *ce, uint32_t group) {
  return 1;
}
int prism_cuda_engine_reached(prism_cuda_engine *ce, uint32_t group, prism_cuda_stage stage) {
  return 1;
}
void prism_cuda_engine_wait(prism_cuda_engine *ce, uint32_t group, prism_replica *reps,
                            prism_cuda_telemetry *tel) {
  if (tel) memset(tel, 0, sizeof *tel);
}
void prism_cuda_engine_trace_host(prism_cuda_engine *ce, const char *name, uint32_t group,
                                  double t0, double t1) {}
void prism_cuda_engine_pipeline_stats(const prism_cuda_engine *ce,
                                      prism_cuda_pipeline_stats *out) {
  memset(out, 0, sizeof *out);
}
int prism_cuda_engine_write_trace(const prism_cuda_engine *ce, const char *path,
                                  char *err, unsigned err_len) {
  snprintf(err, err_len, NO_CUDA);
  return -1;
}
void prism_cuda_engine_destroy(prism_cuda_engine *ce) {}

void prism_cuda_engine_stats(const prism_cuda_engine *ce, prism_cuda_stats *out) {
  memset(out, 0, sizeof *out);
}

#include "cuda/devices.h"

int prism_cuda_devices_print(FILE *f, size_t bytes) {
  fprintf(f, "no CUDA device: %s\n", NO_CUDA);
  return 0;
}
