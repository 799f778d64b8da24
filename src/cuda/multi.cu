/* multi.cu - the CUDA engine over several devices (cuda_backend.h): one
 * single-device engine (engine_gpu.cu, gpu1.h) per device, the groups (the
 * engine's islands) dealt to the devices in turn: group j runs on device
 * j mod D. Each device holds the tables of every replica (so a group keeps
 * its replica indices) but runs only its own groups; the population lives
 * in host memory between batches (the host mirror) and changed replicas are
 * uploaded before their group's next batch (the staged path of
 * docs/multigpu.md). Elite colorings that migrate between groups can skip
 * the host instead: each group keeps them in device slots, and a replica
 * that loads one takes it by a copy from the slot (a peer copy between
 * devices): the migration section below. Every call sets the group's device
 * first. With one device, or one group, this is the single-device engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.cuh"
#include "cuda/gpu1.h"
#include "util/check.h"

/* A device-resident coloring of a group (migration, below). */
typedef struct mig_slot {
  uint32_t *d;   /* n colors, on the group's device; NULL until first used */
  uint64_t hash; /* of the host's copy of what the last write put there */
  int written;   /* holds a coloring (a stash, or a copy of a written slot) */
  cudaEvent_t written_ev; /* group's engine, peer stream: after the last write */
  /* per other engine: after its last read (a load_stash copy on its peer
   * stream); pending until a later write has waited for it */
  cudaEvent_t read_ev[PRISM_CUDA_MAX_DEVICES];
  int read_pending[PRISM_CUDA_MAX_DEVICES];
} mig_slot;

typedef struct mig_group {
  mig_slot *slot;
  uint32_t count;
} mig_group;

struct prism_cuda_engine {
  uint32_t nsub, n, groups;
  int dev[PRISM_CUDA_MAX_DEVICES];
  gpu1_engine *sub[PRISM_CUDA_MAX_DEVICES];
  /* migration */
  int peer_copy;                                           /* 1: device copies; 0: staged */
  int p2p[PRISM_CUDA_MAX_DEVICES][PRISM_CUDA_MAX_DEVICES]; /* engine a reads engine b's memory */
  mig_group *mig;                                          /* per group */
  unsigned long long mig_peer, mig_device, mig_staged;
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
  return prism_cuda_engine_create_w(g, replicas, kmax, groups, PRISM_WMAX, err, err_len);
}

extern "C" prism_cuda_engine *prism_cuda_engine_create_w(const prism_graph *g,
                                                         uint32_t replicas, uint32_t kmax,
                                                         uint32_t groups, int32_t wmax,
                                                         char *err, unsigned err_len) {
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
    /* the groups d, d + nd, ... run here, at the same time */
    const uint32_t mine = groups >= 1 ? (groups - (uint32_t)d + (uint32_t)nd - 1) / (uint32_t)nd : 1;
    const uint32_t together =
        groups >= 1 ? (uint32_t)(((uint64_t)replicas * mine + groups - 1) / groups) : replicas;
    ce->sub[d] = gpu1_create(g, replicas, kmax, groups, together, wmax, err, err_len);
    if (!ce->sub[d]) {
      prism_cuda_engine_destroy(ce);
      return NULL;
    }
    ce->dev[d] = ids[d];
    ce->nsub = (uint32_t)d + 1;
  }
  ce->n = g->n;
  ce->groups = groups;
  ce->peer_copy = 1;
  ce->mig = (mig_group *)calloc(groups ? groups : 1, sizeof *ce->mig);
  if (!ce->mig) {
    prism_cuda_engine_destroy(ce);
    snprintf(err, err_len, "out of host memory");
    return NULL;
  }
  /* peer access between the engines' devices, where there is some: a copy
   * between two devices without it goes through the host (staged) */
  for (uint32_t a = 0; a < ce->nsub; a++)
    for (uint32_t b = 0; b < ce->nsub; b++) {
      if (ce->dev[a] == ce->dev[b]) {
        ce->p2p[a][b] = 1; /* one device: a plain copy */
        continue;
      }
      int can = 0;
      CHECK_CUDA(cudaDeviceCanAccessPeer(&can, ce->dev[a], ce->dev[b]));
      if (can) {
        CHECK_CUDA(cudaSetDevice(ce->dev[a]));
        const cudaError_t e = cudaDeviceEnablePeerAccess(ce->dev[b], 0);
        if (e != cudaSuccess && e != cudaErrorPeerAccessAlreadyEnabled) can = 0;
        cudaGetLastError(); /* AlreadyEnabled is sticky until read */
      }
      ce->p2p[a][b] = can;
    }
  return ce;
}

static void mig_free(prism_cuda_engine *ce);

extern "C" void prism_cuda_engine_destroy(prism_cuda_engine *ce) {
  if (!ce) return;
  mig_free(ce);
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
  out->peer_copy = ce->peer_copy;
  out->mig_peer = ce->mig_peer;
  out->mig_device = ce->mig_device;
  out->mig_staged = ce->mig_staged;
  out->mig_superseded = 0;
  for (uint32_t d = 0; d < ce->nsub; d++) {
    prism_cuda_stats s;
    gpu1_stats(on(ce, d), &s);
    out->mig_superseded += s.mig_superseded;
  }
}

/* ------------------------------------------------------------ migration
 *
 * Elite colorings stay on the devices: stash copies a replica's best
 * coloring (d_best, the device's copy of the host mirror's best_color) into
 * a slot of its group, stash_copy copies slot to slot, load_stash copies a
 * slot (of any group, on any device) into a replica's coloring and best
 * coloring, whose upload the replica's next launch then skips (gpu1_launch,
 * checked by hash against the host's colors). Every copy runs on a peer
 * stream: the source group's engine's for stash and stash_copy, the
 * destination group's engine's for load_stash (so a group's own copies are
 * in host order on one stream).
 *
 * Ordering. The host calls these while it processes a group g, between the
 * wait for g's batch b and g's launch of b + 1 (gpu1_group_idle is checked).
 * Each copy must see its source as the host saw it at the call, and must not
 * be overwritten before it has read it:
 *  - stash reads g's d_best: batch b is complete (the host waited for it),
 *    so the copy sees b's results; b + 1's uploads (which overwrite d_best)
 *    and kernel wait for the copy: gpu1_peer_touched records g's peer event
 *    after it, and g's next launch makes its upload stream wait on it;
 *  - load_stash writes replica w of group h: h is idle (b's downloads are
 *    complete), and h's next launch waits on h's peer event as above and
 *    skips w's upload, so the kernel reads the copied colors;
 *  - load_stash reads slot (g, s): written only by copies on g's engine's
 *    peer stream, each followed by a record of the slot's written_ev; the
 *    reader, on h's engine's peer stream, waits on written_ev at the call
 *    (cudaStreamWaitEvent takes the record most recent at the call, which is
 *    the host's last write before its logical read; a cross-device wait on
 *    two devices). The same engine needs no wait: one stream, in order;
 *  - a later write of slot (g, s) (stash or stash_copy) must not overtake a
 *    reader: each reader on another engine records the slot's read_ev for
 *    its engine after its copy, and the writer's stream waits on every
 *    pending read_ev first (again at the call: the reads the host issued
 *    before this write).
 * The waits always point back to copies already enqueued, so they cannot
 * deadlock. Nothing waits for the host beyond the existing batch events.
 *
 * The staged path: with peer_copy 0, or between two devices without peer
 * access, or from a slot that holds nothing, load_stash only counts; the
 * host mirror's coloring goes up with the launch's uploads as before (the
 * stash calls then do nothing either). Both paths give the same bytes, so
 * the same moves. */

static void mig_free(prism_cuda_engine *ce) {
  if (!ce->mig) return;
  for (uint32_t d = 0; d < ce->nsub; d++) { /* every copy done */
    CHECK_CUDA(cudaSetDevice(ce->dev[d]));
    CHECK_CUDA(cudaStreamSynchronize(gpu1_peer_stream(ce->sub[d])));
  }
  for (uint32_t g = 0; g < ce->groups; g++) {
    mig_group *mg = &ce->mig[g];
    for (uint32_t i = 0; i < mg->count; i++) {
      mig_slot *sl = &mg->slot[i];
      if (sl->d) {
        CHECK_CUDA(cudaSetDevice(ce->dev[g % ce->nsub]));
        CHECK_CUDA(cudaFree(sl->d));
        CHECK_CUDA(cudaEventDestroy(sl->written_ev));
      }
      for (uint32_t d = 0; d < ce->nsub; d++)
        if (sl->read_ev[d]) {
          CHECK_CUDA(cudaSetDevice(ce->dev[d]));
          CHECK_CUDA(cudaEventDestroy(sl->read_ev[d]));
        }
    }
    free(mg->slot);
  }
  free(ce->mig);
  ce->mig = NULL;
}

extern "C" void prism_cuda_engine_set_peer_copy(prism_cuda_engine *ce, int mode) {
  ce->peer_copy = mode != 0;
}

/* Slot s of group g, allocated on g's device on first use (g's device is
 * current on return); NULL with create 0 when it does not exist. */
static mig_slot *mig_slot_of(prism_cuda_engine *ce, uint32_t g, uint32_t s, int create) {
  if (g >= ce->groups) prism_die("CUDA engine: group %u of %u", g, ce->groups);
  mig_group *mg = &ce->mig[g];
  if (s >= mg->count) {
    if (!create) return NULL;
    uint32_t cnt = mg->count ? mg->count : 4;
    while (cnt <= s) cnt *= 2;
    mig_slot *p = (mig_slot *)realloc(mg->slot, cnt * sizeof *p);
    if (!p) prism_die("out of memory (migration slots)");
    memset(p + mg->count, 0, (cnt - mg->count) * sizeof *p);
    mg->slot = p;
    mg->count = cnt;
  }
  mig_slot *sl = &mg->slot[s];
  on(ce, g);
  if (!sl->d) {
    if (!create) return NULL;
    CHECK_CUDA(cudaMalloc((void **)&sl->d, (size_t)ce->n * 4));
    CHECK_CUDA(cudaEventCreate(&sl->written_ev));
  }
  return sl;
}

/* Before a write of sl on g's engine's peer stream: wait for its readers on
 * the other engines (their copies enqueued so far). */
static void mig_before_write(prism_cuda_engine *ce, uint32_t g, mig_slot *sl, cudaStream_t ps) {
  const uint32_t src = g % ce->nsub;
  for (uint32_t d = 0; d < ce->nsub; d++)
    if (d != src && sl->read_pending[d]) {
      CHECK_CUDA(cudaStreamWaitEvent(ps, sl->read_ev[d], 0));
      sl->read_pending[d] = 0;
    }
}

extern "C" void prism_cuda_engine_stash(prism_cuda_engine *ce, uint32_t group, uint32_t slot,
                                        uint32_t replica, const uint32_t *colors) {
  if (!ce->peer_copy) return;
  gpu1_engine *e = on(ce, group);
  if (!gpu1_group_idle(e, group))
    prism_die("CUDA engine: stash on group %u, which is in flight or never ran", group);
  mig_slot *sl = mig_slot_of(ce, group, slot, 1);
  cudaStream_t ps = gpu1_peer_stream(e);
  mig_before_write(ce, group, sl, ps);
  CHECK_CUDA(cudaMemcpyAsync(sl->d, gpu1_best_ptr(e, group, replica), (size_t)ce->n * 4,
                             cudaMemcpyDeviceToDevice, ps));
  CHECK_CUDA(cudaEventRecord(sl->written_ev, ps));
  gpu1_peer_touched(e, group); /* the next launch overwrites d_best after this read */
  sl->hash = gpu1_colors_hash(colors, ce->n);
  sl->written = 1;
}

extern "C" void prism_cuda_engine_stash_copy(prism_cuda_engine *ce, uint32_t group,
                                             uint32_t dst_slot, uint32_t src_slot) {
  if (!ce->peer_copy || dst_slot == src_slot) return;
  mig_slot *from = mig_slot_of(ce, group, src_slot, 0);
  if (!from || !from->written) {
    mig_slot *to = mig_slot_of(ce, group, dst_slot, 0);
    if (to) to->written = 0;
    return;
  }
  mig_slot *to = mig_slot_of(ce, group, dst_slot, 1);
  from = &ce->mig[group].slot[src_slot]; /* the slot array may have moved */
  gpu1_engine *e = on(ce, group);
  cudaStream_t ps = gpu1_peer_stream(e);
  mig_before_write(ce, group, to, ps);
  CHECK_CUDA(cudaMemcpyAsync(to->d, from->d, (size_t)ce->n * 4, cudaMemcpyDeviceToDevice, ps));
  CHECK_CUDA(cudaEventRecord(to->written_ev, ps));
  to->hash = from->hash;
  to->written = 1;
}

extern "C" void prism_cuda_engine_load_stash(prism_cuda_engine *ce, uint32_t group,
                                             uint32_t replica, uint32_t src_group,
                                             uint32_t src_slot) {
  const uint32_t dd = group % ce->nsub, ds = src_group % ce->nsub;
  mig_slot *sl = ce->peer_copy ? mig_slot_of(ce, src_group, src_slot, 0) : NULL;
  if (!sl || !sl->written || !ce->p2p[dd][ds]) {
    ce->mig_staged++; /* the launch uploads the host's copy */
    return;
  }
  gpu1_engine *e = on(ce, group); /* the destination's device is current */
  if (!gpu1_group_idle(e, group))
    prism_die("CUDA engine: load_stash into group %u, which is in flight or never ran", group);
  cudaStream_t ps = gpu1_peer_stream(e);
  const size_t bytes = (size_t)ce->n * 4;
  uint32_t *color = gpu1_color_ptr(e, group, replica), *best = gpu1_best_ptr(e, group, replica);
  if (dd != ds) CHECK_CUDA(cudaStreamWaitEvent(ps, sl->written_ev, 0)); /* the last write */
  if (ce->dev[dd] == ce->dev[ds])
    CHECK_CUDA(cudaMemcpyAsync(color, sl->d, bytes, cudaMemcpyDeviceToDevice, ps));
  else
    CHECK_CUDA(cudaMemcpyPeerAsync(color, ce->dev[dd], sl->d, ce->dev[ds], bytes, ps));
  CHECK_CUDA(cudaMemcpyAsync(best, color, bytes, cudaMemcpyDeviceToDevice, ps));
  if (dd != ds) { /* the next write of the slot waits for this read */
    if (!sl->read_ev[dd]) CHECK_CUDA(cudaEventCreate(&sl->read_ev[dd]));
    CHECK_CUDA(cudaEventRecord(sl->read_ev[dd], ps));
    sl->read_pending[dd] = 1;
  }
  gpu1_peer_touched(e, group);
  gpu1_preloaded(e, group, replica, sl->hash);
  if (ce->dev[dd] == ce->dev[ds])
    ce->mig_device++;
  else
    ce->mig_peer++;
}
