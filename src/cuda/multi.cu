/* multi.cu - the CUDA engine over several devices (cuda_backend.h): one
 * single-device engine (engine_gpu.cu, gpu1.h) per device, the groups (the
 * engine's islands) dealt to the devices in turn: group j runs on device
 * j mod D. Each device holds the tables of every replica (so a group keeps
 * its replica indices) but runs only its own groups; the islands exchange
 * colorings through the host (the population lives in host memory between
 * batches: the staged path of docs/multigpu.md). Every call sets the group's
 * device first. With one device, or one group, this is the single-device
 * engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.cuh"
#include "cuda/gpu1.h"

struct prism_cuda_engine {
  uint32_t nsub;
  int dev[PRISM_CUDA_MAX_DEVICES];
  gpu1_engine *sub[PRISM_CUDA_MAX_DEVICES];
};

/* The device list of the engines created from now on (--gpus); -1: all. */
static int g_ndev = -1;
static int g_dev[PRISM_CUDA_MAX_DEVICES];

extern "C" int prism_cuda_set_devices(const char *spec, char *err, unsigned err_len) {
  if (!spec || !*spec || !strcmp(spec, "all")) {
    g_ndev = -1;
    return 0;
  }
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    count = 0;
  }
  int n = 0;
  const char *s = spec;
  while (*s) {
    char *end = NULL;
    const long d = strtol(s, &end, 10);
    if (end == s || (*end && *end != ',')) {
      snprintf(err, err_len, "--gpus '%s': expected all or a list of device numbers (0,1,...)",
               spec);
      return -1;
    }
    if (d < 0 || d >= count) {
      snprintf(err, err_len, "--gpus: device %ld does not exist (%d CUDA device%s)", d, count,
               count == 1 ? "" : "s");
      return -1;
    }
    if (n == PRISM_CUDA_MAX_DEVICES) {
      snprintf(err, err_len, "--gpus: at most %d devices", PRISM_CUDA_MAX_DEVICES);
      return -1;
    }
    g_dev[n++] = (int)d;
    s = *end ? end + 1 : end;
  }
  g_ndev = n;
  return 0;
}

static int device_list(int *out) {
  if (g_ndev >= 0) {
    memcpy(out, g_dev, (size_t)g_ndev * sizeof *out);
    return g_ndev;
  }
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  if (count > PRISM_CUDA_MAX_DEVICES) count = PRISM_CUDA_MAX_DEVICES;
  for (int d = 0; d < count; d++) out[d] = d;
  return count;
}

extern "C" int prism_cuda_devices_selected(void) {
  int ids[PRISM_CUDA_MAX_DEVICES];
  return device_list(ids);
}

/* The engine of group j, with its device current. */
static gpu1_engine *on(const prism_cuda_engine *ce, uint32_t group) {
  const uint32_t d = group % ce->nsub;
  CHECK_CUDA(cudaSetDevice(ce->dev[d]));
  return ce->sub[d];
}

extern "C" prism_cuda_engine *prism_cuda_engine_create(const prism_graph *g, uint32_t replicas,
                                                       uint32_t kmax, uint32_t groups, char *err,
                                                       unsigned err_len) {
  int ids[PRISM_CUDA_MAX_DEVICES];
  int nd = device_list(ids);
  if (nd < 1) {
    snprintf(err, err_len, "no CUDA device");
    return NULL;
  }
  if (groups >= 1 && (uint32_t)nd > groups) nd = (int)groups; /* a device per group at most */
  prism_cuda_engine *ce = (prism_cuda_engine *)calloc(1, sizeof *ce);
  if (!ce) {
    snprintf(err, err_len, "out of host memory");
    return NULL;
  }
  for (int d = 0; d < nd; d++) {
    CHECK_CUDA(cudaSetDevice(ids[d]));
    ce->sub[d] = gpu1_create(g, replicas, kmax, groups, err, err_len);
    if (!ce->sub[d]) {
      prism_cuda_engine_destroy(ce);
      return NULL;
    }
    ce->dev[d] = ids[d];
    ce->nsub = (uint32_t)d + 1;
  }
  return ce;
}

extern "C" void prism_cuda_engine_destroy(prism_cuda_engine *ce) {
  if (!ce) return;
  for (uint32_t d = 0; d < ce->nsub; d++) {
    CHECK_CUDA(cudaSetDevice(ce->dev[d]));
    gpu1_destroy(ce->sub[d]);
  }
  free(ce);
}

extern "C" void prism_cuda_engine_set_deadline(prism_cuda_engine *ce, double deadline) {
  for (uint32_t d = 0; d < ce->nsub; d++) gpu1_set_deadline(on(ce, d), deadline);
}

extern "C" void prism_cuda_engine_run_batch(prism_cuda_engine *ce, prism_replica *reps,
                                            uint32_t replicas, const prism_batch_cfg *cfg) {
  gpu1_run_batch(on(ce, 0), reps, replicas, cfg);
}

extern "C" void prism_cuda_engine_publish(prism_cuda_engine *ce, uint32_t group,
                                          const prism_batch_cfg *cfg) {
  gpu1_publish(on(ce, group), group, cfg);
}

extern "C" void prism_cuda_engine_launch(prism_cuda_engine *ce, uint32_t group,
                                         prism_replica *reps, uint32_t first, uint32_t count) {
  gpu1_launch(on(ce, group), group, reps, first, count);
}

extern "C" int prism_cuda_engine_done(prism_cuda_engine *ce, uint32_t group) {
  return gpu1_done(on(ce, group), group);
}

extern "C" int prism_cuda_engine_reached(prism_cuda_engine *ce, uint32_t group,
                                         prism_cuda_stage stage) {
  return gpu1_reached(on(ce, group), group, stage);
}

extern "C" void prism_cuda_engine_wait(prism_cuda_engine *ce, uint32_t group,
                                       prism_replica *reps, prism_cuda_telemetry *tel) {
  gpu1_wait(on(ce, group), group, reps, tel);
}

extern "C" void prism_cuda_engine_trace_host(prism_cuda_engine *ce, const char *name,
                                             uint32_t group, double t0, double t1) {
  gpu1_trace_host(on(ce, group), name, group, t0, t1);
}

/* Over the devices: batches and kernel time add up, the span is the
 * longest, busy = kernel time / (span x devices); latencies from device 0. */
extern "C" void prism_cuda_engine_pipeline_stats(const prism_cuda_engine *ce,
                                                 prism_cuda_pipeline_stats *out) {
  gpu1_pipeline_stats(on(ce, 0), out);
  for (uint32_t d = 1; d < ce->nsub; d++) {
    prism_cuda_pipeline_stats s;
    gpu1_pipeline_stats(on(ce, d), &s);
    out->batches += s.batches;
    out->kernel_s += s.kernel_s;
    if (s.span_s > out->span_s) out->span_s = s.span_s;
  }
  if (ce->nsub > 1)
    out->busy = out->span_s > 0 ? out->kernel_s / (out->span_s * ce->nsub) : 0;
}

extern "C" int prism_cuda_engine_write_trace(const prism_cuda_engine *ce, const char *path,
                                             char *err, unsigned err_len) {
  return gpu1_write_trace(on(ce, 0), path, err, err_len); /* device 0's timeline */
}

extern "C" void prism_cuda_engine_stats(const prism_cuda_engine *ce, prism_cuda_stats *out) {
  if (!ce) {
    memset(out, 0, sizeof *out);
    return;
  }
  gpu1_stats(on(ce, 0), out);
  for (uint32_t d = 1; d < ce->nsub; d++) {
    prism_cuda_stats s;
    gpu1_stats(on(ce, d), &s);
    out->incr_batches += s.incr_batches;
  }
  out->devices = (int)ce->nsub;
}
